package sortition

import (
	"crypto/sha256"
	"encoding/binary"
)

// Domain tags of the streams this package draws from. A stream's tag keeps
// draws of different kinds from the same seed independent of each other.
const (
	TagUniform = "uniform"
	TagPanel   = "panel"
	TagGreedy  = "greedy"
)

// streamDomain is the prefix of every block's hash input; the version lets
// a later change of algorithm use new streams without ambiguity.
const streamDomain = "folkmoot/sortition/v1"

// Stream is a deterministic stream of random bytes from a 32-byte seed: the
// concatenation of the blocks
//
//	block(i) = SHA-256( "folkmoot/sortition/v1" || 0x00 || tag || 0x00 || seed || BE64(i) )
//
// for i = 0, 1, 2, …, where BE64 is the 8-byte big-endian encoding. Values
// are read from the front of the stream, 8 bytes at a time, and never reuse
// a byte. A Stream is not safe for concurrent use.
type Stream struct {
	prefix []byte // everything of the hash input before the counter
	block  [sha256.Size]byte
	used   int // bytes of block already consumed
	next   uint64
}

// NewStream returns the stream of seed under the domain tag (one of the Tag
// constants, or a tag of the caller's own that contains no zero byte).
func NewStream(seed [32]byte, tag string) *Stream {
	p := make([]byte, 0, len(streamDomain)+len(tag)+2+len(seed))
	p = append(p, streamDomain...)
	p = append(p, 0)
	p = append(p, tag...)
	p = append(p, 0)
	p = append(p, seed[:]...)
	return &Stream{prefix: p, used: sha256.Size}
}

// Uint64 returns the next 8 bytes of the stream read as a big-endian
// unsigned integer. A block holds exactly four such values.
func (s *Stream) Uint64() uint64 {
	if s.used == sha256.Size {
		var ctr [8]byte
		binary.BigEndian.PutUint64(ctr[:], s.next)
		h := sha256.New()
		h.Write(s.prefix)
		h.Write(ctr[:])
		h.Sum(s.block[:0])
		s.next++
		s.used = 0
	}
	v := binary.BigEndian.Uint64(s.block[s.used:])
	s.used += 8
	return v
}

// Below returns a uniformly distributed integer in [0, n), n ≥ 1, by
// rejection: with m = 2^64 mod n, it reads values u until u < 2^64 − m and
// returns u mod n. The bias of a plain u mod n is thus avoided exactly; the
// expected number of reads is below 2.
func (s *Stream) Below(n uint64) uint64 {
	if n == 0 {
		panic("sortition: Below(0)")
	}
	m := -n % n // 2^64 mod n
	for {
		u := s.Uint64()
		if u < -m || m == 0 {
			return u % n
		}
	}
}
