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
	f.Add(sign(f, &Propose{Title: "t", Category: "general", Closes: 99, Secret: true, Options: []string{"a", "b"}, Approve: 1, Trustees: []uint32{1, 2}, Threshold: 2}))
	f.Add(sign(f, &TrusteeCommit{Proposal: 1, Recipient: "age1x", Commitments: make([]byte, 64)}))
	f.Add(sign(f, &TrusteeShares{Proposal: 1, Shares: []SealedShare{{To: 1, Sealed: []byte{1}}, {To: 3, Sealed: []byte{2}}}}))
	f.Add(sign(f, &TrusteeComplain{Proposal: 1, Dealer: 2}))
	f.Add(sign(f, &TrusteeAnswer{Proposal: 1, Complainer: 2, Share: make([]byte, 32)}))
	f.Add(sign(f, &SecretBallot{Proposal: 1, Ballot: make([]byte, 100)}))
	f.Add(sign(f, &TrusteeDecrypt{Proposal: 1, Partial: make([]byte, 132)}))
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
