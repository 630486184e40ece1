package tx

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"strconv"
	"testing"

	"filippo.io/edwards25519"
	"github.com/hdevalence/ed25519consensus"

	"github.com/folkmoot/folkmoot/internal/reject"
)

// TestWeakKeysAreForgeable is the exploit of the security review's critical
// finding, on every small-order encoding: under ZIP-215 the signature
// R = identity, s = 0 verifies on any message for these keys, so a member
// admitted under one could be impersonated by anyone. CheckKey refuses
// each of them with code WeakKey.
func TestWeakKeysAreForgeable(t *testing.T) {
	canonical := 0
	for _, w := range weakKeys() {
		t.Run(w.Name, func(t *testing.T) {
			k := w.Bytes()
			if !ed25519consensus.Verify(k, []byte("a comment by Dmitri"), forgedSignature()) {
				t.Fatalf("the forged signature does not verify under %s: not a weak key", w.Hex)
			}
			p, err := new(edwards25519.Point).SetBytes(k)
			if err != nil {
				t.Fatalf("not a point: %v", err)
			}
			if bytes.Equal(p.Bytes(), k) {
				canonical++
			}
			err2 := CheckKey("the key", k)
			if err2 == nil || err2.Code != reject.WeakKey {
				t.Fatalf("CheckKey(%s) = %v, want code %d", w.Hex, err2, reject.WeakKey)
			}
			if err3 := checkAuthor(k); err3 == nil || err3.Code != reject.WeakKey {
				t.Fatalf("checkAuthor(%s) = %v, want code %d", w.Hex, err3, reject.WeakKey)
			}
		})
	}
	if canonical != 8 {
		t.Errorf("%d canonical encodings in the fixture, want the 8 small-order points", canonical)
	}
}

// TestWeakKeysAreComplete derives every encoding that decodes to a point of
// small order from the eight points themselves (the sign bit flipped, p
// added to y when it fits in 255 bits) and checks the fixture holds them
// all.
func TestWeakKeysAreComplete(t *testing.T) {
	have := map[string]bool{}
	for _, w := range weakKeys() {
		have[w.Hex] = true
	}
	// p = 2^255 - 19, little-endian.
	pBytes, _ := hex.DecodeString("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	addP := func(y []byte) ([]byte, bool) {
		out := make([]byte, 32)
		carry := 0
		for i := range 32 {
			s := int(y[i]) + int(pBytes[i]) + carry
			out[i], carry = byte(s), s>>8
		}
		return out, carry == 0 && out[31]&0x80 == 0
	}
	found := map[string]bool{}
	for _, w := range weakKeys()[:8] {
		k := w.Bytes()
		y := bytes.Clone(k)
		y[31] &= 0x7f
		candidates := [][]byte{y}
		if big, ok := addP(y); ok {
			candidates = append(candidates, big)
		}
		for _, c := range candidates {
			for _, sign := range []byte{0, 0x80} {
				e := bytes.Clone(c)
				e[31] |= sign
				if _, err := new(edwards25519.Point).SetBytes(e); err != nil {
					continue
				}
				found[hex.EncodeToString(e)] = true
				if !have[hex.EncodeToString(e)] {
					t.Errorf("encoding %x of a small-order point is missing from txtest.WeakKeys", e)
				}
			}
		}
	}
	if len(found) != len(have) {
		t.Errorf("derived %d encodings, fixture has %d", len(found), len(have))
	}
}

func TestCheckKey(t *testing.T) {
	for range 200 {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := CheckKey("the key", pub); err != nil {
			t.Fatalf("a generated key %x was refused: %v", pub, err)
		}
	}
	// y = p + 3 encodes the point whose y is 3, which is not of small order.
	nonCanonical, _ := hex.DecodeString("f0ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")
	notPoint, _ := hex.DecodeString("0200000000000000000000000000000000000000000000000000000000000000")
	tests := []struct {
		name string
		key  []byte
		code reject.Code
		says string
	}{
		{"short", make([]byte, 31), reject.BadKey, "must be 32 bytes, not 31"},
		{"empty", nil, reject.BadKey, "must be 32 bytes, not 0"},
		{"not on the curve", notPoint, reject.BadKey, "not a point of the ed25519 curve"},
		{"small order", make([]byte, 32), reject.WeakKey, "small order"},
		{"non-canonical small order", weakKeys()[12].Bytes(), reject.WeakKey, "small order"},
		{"non-canonical", nonCanonical, reject.WeakKey, "not in canonical form"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckKey("the key", tc.key)
			if err == nil || err.Code != tc.code || !bytes.Contains([]byte(err.Msg), []byte(tc.says)) {
				t.Fatalf("CheckKey = %v, want code %d saying %q", err, tc.code, tc.says)
			}
		})
	}
}

// TestDecodeRefusesWeakKeys: every place a key sits in a transaction (the
// author, a vouch's newcomer, a rotation's new key) refuses each weak
// encoding when the transaction is decoded, so neither a node nor
// "folkmoot verify" ever lets one in.
func TestDecodeRefusesWeakKeys(t *testing.T) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	var author PublicKey
	copy(author[:], pub)
	for _, w := range weakKeys() {
		k := w.Bytes()
		bodies := map[string]Body{
			"vouch":  &Vouch{Key: k, Name: "Dmitri"},
			"rotate": &Rotate{NewKey: k, Proof: forgedSignature()},
		}
		for what, body := range bodies {
			t.Run(what+" "+w.Name, func(t *testing.T) {
				raw, err := Sign(priv, Unsigned{ChainID: "c", Author: author, Nonce: 1, Body: body})
				if err != nil {
					t.Fatal(err)
				}
				if _, rerr := Decode(raw); rerr == nil || rerr.Code != reject.WeakKey {
					t.Fatalf("Decode = %v, want code %d", rerr, reject.WeakKey)
				}
			})
		}
		t.Run("author "+w.Name, func(t *testing.T) {
			var weak PublicKey
			copy(weak[:], k)
			payload, err := Unsigned{ChainID: "c", Author: weak, Nonce: 1, Body: &Comment{Proposal: 1, Text: "by Dmitri"}}.Payload()
			if err != nil {
				t.Fatal(err)
			}
			raw, err := Assemble(payload, forgedSignature())
			if err != nil {
				t.Fatal(err)
			}
			if _, rerr := Decode(raw); rerr == nil || rerr.Code != reject.WeakKey {
				t.Fatalf("Decode = %v, want code %d", rerr, reject.WeakKey)
			}
		})
		t.Run("parse "+w.Name, func(t *testing.T) {
			if _, err := ParsePublicKey(w.Hex); err == nil {
				t.Fatal("ParsePublicKey accepted a weak key")
			}
		})
	}
}

// FuzzForgedSignature: no transaction signed with R = identity and s = 0
// is ever accepted, whatever its author, kind, nonce and body.
func FuzzForgedSignature(f *testing.F) {
	for _, w := range weakKeys() {
		f.Add(w.Bytes(), uint16(KindComment), uint64(1), []byte{0xa2, 0x00, 0x01, 0x01, 0x62, 0x68, 0x69})
	}
	f.Fuzz(func(t *testing.T, author []byte, kind uint16, nonce uint64, body []byte) {
		payload, err := encMode.Marshal(struct {
			Version uint64 `cbor:"0,keyasint"`
			ChainID string `cbor:"1,keyasint"`
			Author  []byte `cbor:"2,keyasint"`
			Nonce   uint64 `cbor:"3,keyasint"`
			Kind    uint64 `cbor:"4,keyasint"`
			Body    []byte `cbor:"5,keyasint"`
		}{Version, "c", author, nonce, uint64(kind), body})
		if err != nil {
			t.Skip()
		}
		// Body is a byte string here, never the map a real body is; also
		// try the body bytes spliced in raw, through the payload type.
		raws := [][]byte{}
		if r, err := Assemble(payload, forgedSignature()); err == nil {
			raws = append(raws, r)
		}
		if p2, err := encMode.Marshal(payloadWith(author, kind, nonce, body)); err == nil {
			if r, err := Assemble(p2, forgedSignature()); err == nil {
				raws = append(raws, r)
			}
		}
		for _, raw := range raws {
			t2, rerr := Decode(raw)
			if rerr != nil {
				continue
			}
			if t2.CheckSignature() == nil {
				t.Fatalf("a forged signature (R = identity, s = 0) was accepted for author %x", t2.Author)
			}
		}
	})
}

func payloadWith(author []byte, kind uint16, nonce uint64, body []byte) payload {
	return payload{Version: Version, ChainID: "c", Author: author, Nonce: nonce, Kind: uint64(kind), Body: body}
}

// BenchmarkCheckKey is what refusing weak keys adds to the decoding of
// every transaction (the author) and to every vouch and rotation.
func BenchmarkCheckKey(b *testing.B) {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if err := CheckKey("k", pub); err != nil {
			b.Fatal(err)
		}
	}
}

// weakKey and weakKeys are txtest's fixture, which tx's own tests cannot
// import (txtest imports tx).
type weakKey struct{ Name, Hex string }

func (w weakKey) Bytes() []byte {
	b, err := hex.DecodeString(w.Hex)
	if err != nil || len(b) != 32 {
		panic("bad fixture " + w.Name)
	}
	return b
}

func weakKeys() []weakKey {
	var out []weakKey
	for i, k := range SmallOrderKeys() {
		out = append(out, weakKey{Name: "encoding " + strconv.Itoa(i), Hex: k})
	}
	return out
}

// forgedSignature is R = identity, s = 0.
func forgedSignature() []byte {
	sig := make([]byte, 64)
	sig[0] = 1
	return sig
}
