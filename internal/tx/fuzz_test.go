package tx

import (
	"bytes"
	"testing"
)

// FuzzDecode feeds arbitrary bytes to Decode: it must never panic, and any
// input it accepts must be exactly the canonical encoding of what it
// decoded.
func FuzzDecode(f *testing.F) {
	f.Add(sign(f, &Ballot{Proposal: 1, Choice: Yes}))
	f.Add(sign(f, &Propose{Title: "t", Body: "b", Category: "general", Closes: 99}))
	f.Add(sign(f, &Comment{Proposal: 1, ReplyTo: 1, Text: "x"}))
	f.Add(sign(f, &Vouch{Key: make([]byte, 32), Name: "n"}))
	f.Add([]byte{0x82, 0x40, 0x40})
	f.Fuzz(func(t *testing.T, raw []byte) {
		d, err := Decode(raw)
		if err != nil {
			if d != nil || err.Code == 0 || err.Msg == "" {
				t.Fatalf("rejection without code or sentence: %+v", err)
			}
			return
		}
		again, aerr := Assemble(d.payload, d.sig)
		if aerr != nil || !bytes.Equal(again, raw) {
			t.Fatalf("accepted input is not canonical")
		}
		u := Unsigned{ChainID: d.ChainID, Author: d.Author, Nonce: d.Nonce, Body: d.Body}
		p, perr := u.Payload()
		if perr != nil || !bytes.Equal(p, d.payload) {
			t.Fatalf("payload does not re-encode to itself")
		}
	})
}
