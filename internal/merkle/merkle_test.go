package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"testing"
)

func leaf(i int) []byte { return []byte(fmt.Sprintf("leaf %d", i)) }

// naiveRoot recomputes the root from the definition in the package comment.
func naiveRoot(leaves [][]byte) Hash {
	var peaks []Hash
	start := 0
	n := len(leaves)
	for h := 62; h >= 0; h-- {
		size := 1 << uint(h)
		if n&size == 0 {
			continue
		}
		row := make([]Hash, size)
		for i := range row {
			row[i] = LeafHash(leaves[start+i])
		}
		for len(row) > 1 {
			next := make([]Hash, len(row)/2)
			for i := range next {
				next[i] = nodeHash(row[2*i], row[2*i+1])
			}
			row = next
		}
		peaks = append(peaks, row[0])
		start += size
	}
	buf := []byte{2}
	buf = binary.BigEndian.AppendUint64(buf, uint64(n))
	for _, p := range peaks {
		buf = append(buf, p[:]...)
	}
	return sha256.Sum256(buf)
}

func TestRootsAgree(t *testing.T) {
	var acc Accumulator
	var tree Tree
	var leaves [][]byte
	if got, want := acc.Root(), naiveRoot(nil); got != want {
		t.Fatalf("empty root %s, want %s", got, want)
	}
	for i := 0; i < 300; i++ {
		leaves = append(leaves, leaf(i))
		if idx := acc.Append(leaf(i)); idx != uint64(i) {
			t.Fatalf("accumulator index %d, want %d", idx, i)
		}
		tree.Append(leaf(i))
		want := naiveRoot(leaves)
		if acc.Root() != want {
			t.Fatalf("accumulator root at %d leaves differs from the definition", i+1)
		}
		got, err := tree.RootAt(uint64(i + 1))
		if err != nil || got != want {
			t.Fatalf("tree root at %d leaves: %v %v", i+1, got, err)
		}
	}
	// Older roots stay available.
	for n := 0; n <= 300; n += 37 {
		got, _ := tree.RootAt(uint64(n))
		if got != naiveRoot(leaves[:n]) {
			t.Fatalf("tree root at %d leaves differs", n)
		}
	}
}

func TestProveEveryLeafAtEverySize(t *testing.T) {
	var tree Tree
	for i := 0; i < 70; i++ {
		tree.Append(leaf(i))
	}
	for size := uint64(1); size <= 70; size++ {
		root, _ := tree.RootAt(size)
		for idx := uint64(0); idx < size; idx++ {
			p, err := tree.Prove(idx, size)
			if err != nil {
				t.Fatal(err)
			}
			if err := p.Verify(leaf(int(idx)), root); err != nil {
				t.Fatalf("proof of %d at size %d: %v", idx, size, err)
			}
			if err := p.Verify(leaf(int(idx)+1), root); !errors.Is(err, ErrProof) {
				t.Fatalf("proof of %d at size %d accepted the wrong leaf", idx, size)
			}
		}
	}
}

func TestTamperedProofs(t *testing.T) {
	var tree Tree
	for i := 0; i < 13; i++ {
		tree.Append(leaf(i))
	}
	root, _ := tree.RootAt(13)
	good, _ := tree.Prove(5, 13)
	other, _ := tree.RootAt(12)
	tests := []struct {
		name string
		edit func(p *Proof)
		root Hash
	}{
		{"wrong index", func(p *Proof) { p.Index = 4 }, root},
		{"index beyond size", func(p *Proof) { p.Index = 13 }, root},
		{"wrong size", func(p *Proof) { p.Size = 14 }, root},
		{"flipped path bit", func(p *Proof) { p.Path[0][0] ^= 1 }, root},
		{"short path", func(p *Proof) { p.Path = p.Path[:1] }, root},
		{"flipped other peak", func(p *Proof) { p.Peaks[2][31] ^= 1 }, root},
		{"missing peak", func(p *Proof) { p.Peaks = p.Peaks[1:] }, root},
		{"other root", func(p *Proof) {}, other},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Proof{Index: good.Index, Size: good.Size,
				Path: append([]Hash(nil), good.Path...), Peaks: append([]Hash(nil), good.Peaks...)}
			tt.edit(&p)
			if err := p.Verify(leaf(5), tt.root); !errors.Is(err, ErrProof) {
				t.Fatalf("tampered proof gave %v, want ErrProof", err)
			}
		})
	}
	if err := good.Verify(leaf(5), root); err != nil {
		t.Fatalf("untampered proof: %v", err)
	}
}

func TestTruncateAndRestore(t *testing.T) {
	var tree Tree
	var acc Accumulator
	for i := 0; i < 50; i++ {
		tree.Append(leaf(i))
		acc.Append(leaf(i))
	}
	want, _ := tree.RootAt(33)
	tree.Truncate(33)
	if tree.Len() != 33 {
		t.Fatalf("len after truncate %d", tree.Len())
	}
	for i := 33; i < 50; i++ {
		tree.Append(leaf(i))
	}
	if got, _ := tree.RootAt(50); got != acc.Root() {
		t.Fatalf("root after truncate and re-append differs")
	}
	if got, _ := tree.RootAt(33); got != want {
		t.Fatalf("root at 33 changed")
	}
	r, err := Restore(acc.Len(), acc.Peaks())
	if err != nil || r.Root() != acc.Root() {
		t.Fatalf("restore: %v", err)
	}
	if _, err := Restore(5, acc.Peaks()); err == nil {
		t.Fatalf("restore with the wrong peak count succeeded")
	}
}

func BenchmarkAppend(b *testing.B) {
	var acc Accumulator
	var id [32]byte
	for i := 0; i < b.N; i++ {
		acc.Append(id[:])
	}
}

func BenchmarkProve(b *testing.B) {
	var tree Tree
	for i := 0; i < 1<<20; i++ {
		tree.Append(leaf(i))
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := tree.Prove(uint64(i%(1<<20)), 1<<20); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	var tree Tree
	for i := 0; i < 1<<20; i++ {
		tree.Append(leaf(i))
	}
	root, _ := tree.RootAt(1 << 20)
	p, _ := tree.Prove(12345, 1<<20)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := p.Verify(leaf(12345), root); err != nil {
			b.Fatal(err)
		}
	}
}
