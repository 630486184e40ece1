// Package merkle implements folkmoot's append-only accumulator, a Merkle
// mountain range (MMR), and its inclusion proofs.
//
// Hashing (SHA-256, with one-byte domain tags so that a leaf can never be
// mistaken for an inner node or a root):
//
//	leaf hash  = H(0x00 || leaf data)
//	inner node = H(0x01 || left || right)
//	root       = H(0x02 || uint64be(leaf count) || peak_1 || ... || peak_k)
//
// The leaves are grouped into perfect binary trees ("mountains") whose sizes
// are the powers of two in the binary expansion of the leaf count, largest
// (oldest leaves) first; their roots are the peaks. The root of the empty
// accumulator is H(0x02 || 0^8).
//
// An Accumulator keeps only the peaks: it computes the root with O(log n)
// memory, which is what the state machine needs. A Tree keeps every node and
// can prove any leaf against the root of any size it has passed through.
package merkle

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
)

// Hash is a SHA-256 digest.
type Hash [32]byte

// String returns the hash in lower-case hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash reads 64 hex digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("hash must be 64 hex digits, got %q", s)
	}
	copy(h[:], b)
	return h, nil
}

// LeafHash returns the hash of a leaf with the given data.
func LeafHash(data []byte) Hash {
	d := sha256.New()
	d.Write([]byte{0})
	d.Write(data)
	var h Hash
	d.Sum(h[:0])
	return h
}

// nodeHash returns the hash of an inner node.
func nodeHash(l, r Hash) Hash {
	var buf [65]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[33:], r[:])
	return sha256.Sum256(buf[:])
}

// rootHash bags the peaks, oldest first.
func rootHash(n uint64, peaks []Hash) Hash {
	d := sha256.New()
	var head [9]byte
	head[0] = 2
	binary.BigEndian.PutUint64(head[1:], n)
	d.Write(head[:])
	for _, p := range peaks {
		d.Write(p[:])
	}
	var h Hash
	d.Sum(h[:0])
	return h
}

// Accumulator is the compact form of the MMR: the leaf count and the peaks.
// Its zero value is the empty accumulator.
type Accumulator struct {
	n     uint64
	peaks []Hash // oldest (largest mountain) first
}

// Len returns the number of leaves appended.
func (a *Accumulator) Len() uint64 { return a.n }

// Append adds a leaf with the given data and returns its index.
func (a *Accumulator) Append(data []byte) uint64 {
	return a.AppendHash(LeafHash(data))
}

// AppendHash adds a leaf whose hash is already known and returns its index.
func (a *Accumulator) AppendHash(h Hash) uint64 {
	idx := a.n
	// Each trailing one bit of n is a mountain of equal height to merge with.
	for m := a.n; m&1 == 1; m >>= 1 {
		last := len(a.peaks) - 1
		h = nodeHash(a.peaks[last], h)
		a.peaks = a.peaks[:last]
	}
	a.peaks = append(a.peaks, h)
	a.n++
	return idx
}

// Root returns the current root.
func (a *Accumulator) Root() Hash { return rootHash(a.n, a.peaks) }

// Peaks returns a copy of the peaks, oldest first.
func (a *Accumulator) Peaks() []Hash { return append([]Hash(nil), a.peaks...) }

// Clone returns an independent copy.
func (a *Accumulator) Clone() Accumulator {
	return Accumulator{n: a.n, peaks: a.Peaks()}
}

// Restore rebuilds an accumulator from its leaf count and peaks, as saved by
// Len and Peaks.
func Restore(n uint64, peaks []Hash) (Accumulator, error) {
	if bits.OnesCount64(n) != len(peaks) {
		return Accumulator{}, fmt.Errorf("restore accumulator: %d leaves need %d peaks, got %d", n, bits.OnesCount64(n), len(peaks))
	}
	return Accumulator{n: n, peaks: append([]Hash(nil), peaks...)}, nil
}

// Tree is the full MMR: every node, so it can prove any leaf against the
// root of any size it has had. It holds about 2n hashes for n leaves.
type Tree struct {
	levels [][]Hash // levels[0] are leaf hashes; levels[h][i] covers leaves i<<h .. (i+1)<<h - 1
}

// Len returns the number of leaves.
func (t *Tree) Len() uint64 {
	if len(t.levels) == 0 {
		return 0
	}
	return uint64(len(t.levels[0]))
}

// Append adds a leaf with the given data and returns its index.
func (t *Tree) Append(data []byte) uint64 { return t.AppendHash(LeafHash(data)) }

// AppendHash adds a leaf by hash and returns its index.
func (t *Tree) AppendHash(h Hash) uint64 {
	if len(t.levels) == 0 {
		t.levels = append(t.levels, nil)
	}
	idx := uint64(len(t.levels[0]))
	t.levels[0] = append(t.levels[0], h)
	for lv := 0; len(t.levels[lv])%2 == 0; lv++ {
		row := t.levels[lv]
		parent := nodeHash(row[len(row)-2], row[len(row)-1])
		if lv+1 == len(t.levels) {
			t.levels = append(t.levels, nil)
		}
		t.levels[lv+1] = append(t.levels[lv+1], parent)
	}
	return idx
}

// Truncate drops leaves so that n remain, undoing appends (used when a block
// that was tentatively applied is discarded).
func (t *Tree) Truncate(n uint64) {
	for lv := range t.levels {
		keep := n >> uint(lv)
		if uint64(len(t.levels[lv])) > keep {
			t.levels[lv] = t.levels[lv][:keep]
		}
	}
}

// peaksAt returns the peaks of the tree as it was with n leaves.
func (t *Tree) peaksAt(n uint64) []Hash {
	var peaks []Hash
	var start uint64
	for h := 63; h >= 0; h-- {
		if n&(1<<uint(h)) != 0 {
			peaks = append(peaks, t.levels[h][start>>uint(h)])
			start += 1 << uint(h)
		}
	}
	return peaks
}

// RootAt returns the root the accumulator had with n leaves.
func (t *Tree) RootAt(n uint64) (Hash, error) {
	if n > t.Len() {
		return Hash{}, fmt.Errorf("root at %d leaves: the tree has only %d", n, t.Len())
	}
	return rootHash(n, t.peaksAt(n)), nil
}

// Proof shows that a leaf is at a given index of an accumulator of a given
// size. It is self-contained: Verify needs only the leaf data and the root.
type Proof struct {
	Index uint64 `json:"index"` // leaf index, from 0
	Size  uint64 `json:"size"`  // leaf count of the accumulator proved against
	Path  []Hash `json:"path"`  // siblings from the leaf up to its mountain's peak
	Peaks []Hash `json:"peaks"` // every peak of the accumulator, oldest first
}

// Prove returns the proof of leaf index against the root of size leaves.
func (t *Tree) Prove(index, size uint64) (Proof, error) {
	if size > t.Len() {
		return Proof{}, fmt.Errorf("prove: size %d is beyond the tree's %d leaves", size, t.Len())
	}
	if index >= size {
		return Proof{}, fmt.Errorf("prove: leaf %d is not among the first %d", index, size)
	}
	p := Proof{Index: index, Size: size, Peaks: t.peaksAt(size)}
	height, start := mountainOf(index, size)
	pos := index - start
	for lv := 0; lv < height; lv++ {
		sib := (start >> uint(lv)) + (pos ^ 1)
		p.Path = append(p.Path, t.levels[lv][sib])
		pos >>= 1
	}
	return p, nil
}

// mountainOf returns the height of the mountain holding leaf index in an
// accumulator of size leaves, and the index of that mountain's first leaf.
func mountainOf(index, size uint64) (height int, start uint64) {
	for h := 63; h >= 0; h-- {
		if size&(1<<uint(h)) == 0 {
			continue
		}
		if index < start+1<<uint(h) {
			return h, start
		}
		start += 1 << uint(h)
	}
	return -1, 0
}

// ErrProof is returned for every proof that does not check out.
var ErrProof = errors.New("inclusion proof does not match the root")

// Verify checks that leaf data sits at p.Index of the accumulator whose root
// is root. It needs nothing else.
func (p Proof) Verify(data []byte, root Hash) error {
	return p.VerifyHash(LeafHash(data), root)
}

// VerifyHash is Verify for a leaf given by its hash.
func (p Proof) VerifyHash(leaf Hash, root Hash) error {
	if p.Index >= p.Size {
		return fmt.Errorf("%w: leaf index %d is not below size %d", ErrProof, p.Index, p.Size)
	}
	if len(p.Peaks) != bits.OnesCount64(p.Size) {
		return fmt.Errorf("%w: size %d has %d peaks, the proof gives %d", ErrProof, p.Size, bits.OnesCount64(p.Size), len(p.Peaks))
	}
	height, start := mountainOf(p.Index, p.Size)
	if len(p.Path) != height {
		return fmt.Errorf("%w: the path should have %d hashes, it has %d", ErrProof, height, len(p.Path))
	}
	h := leaf
	pos := p.Index - start
	for _, sib := range p.Path {
		if pos&1 == 0 {
			h = nodeHash(h, sib)
		} else {
			h = nodeHash(sib, h)
		}
		pos >>= 1
	}
	// Which peak is this mountain? Peaks are ordered by decreasing height.
	k := bits.OnesCount64(p.Size >> uint(height+1))
	if p.Peaks[k] != h {
		return fmt.Errorf("%w: the path does not lead to peak %d", ErrProof, k)
	}
	if rootHash(p.Size, p.Peaks) != root {
		return fmt.Errorf("%w: the peaks give another root", ErrProof)
	}
	return nil
}

// MarshalText encodes the hash as hex, so JSON shows it as a string.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads a hex hash.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	if err != nil {
		return err
	}
	*h = v
	return nil
}
