package merkle

import (
	"encoding/json"
	"errors"
	"slices"
	"testing"
)

// FuzzVerifyProof checks proofs read from JSON, as folkmoot verify-proof
// reads a receipt anyone may hand it. Whatever the proof says — sizes near
// 2^64, paths and peaks of any length — Verify must not panic, and it may
// accept only when the proof is one the tree itself would give.
func FuzzVerifyProof(f *testing.F) {
	var tr Tree
	for i := range 13 {
		tr.Append([]byte{byte(i)})
	}
	for _, ix := range []uint64{0, 5, 12} {
		p, err := tr.Prove(ix, 13)
		if err != nil {
			f.Fatal(err)
		}
		b, _ := json.Marshal(p)
		f.Add(b, byte(ix))
	}
	f.Add([]byte(`{"index":18446744073709551614,"size":18446744073709551615,"path":[],"peaks":[]}`), byte(0))
	root, err := tr.RootAt(13)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte, leaf byte) {
		var p Proof
		if json.Unmarshal(raw, &p) != nil {
			return
		}
		err := p.Verify([]byte{leaf}, root)
		if err != nil {
			if !errors.Is(err, ErrProof) {
				t.Fatalf("a bad proof failed with %v, not ErrProof", err)
			}
			return
		}
		want, perr := tr.Prove(p.Index, 13)
		if perr != nil || p.Size != 13 || uint64(leaf) != p.Index {
			t.Fatalf("accepted a proof of leaf %d at index %d, size %d", leaf, p.Index, p.Size)
		}
		if !slices.Equal(p.Path, want.Path) || !slices.Equal(p.Peaks, want.Peaks) {
			t.Fatalf("accepted %+v, the tree proves %+v", p, want)
		}
	})
}
