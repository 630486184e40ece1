package ballot

import (
	"crypto/sha512"
	"encoding/binary"
	"io"
)

// TestRandomness returns the deterministic stream of docs/secret-ballot.md
// §9 for seed: SHA-512(tag ‖ seed ‖ u64be(0)) ‖ SHA-512(tag ‖ seed ‖
// u64be(1)) ‖ …, with the tag "folkmoot/secret-ballot/v1/test-randomness".
// The test vectors are made from it, so that any implementation can
// reproduce them; it is public and predictable, never for real ballots.
func TestRandomness(seed []byte) io.Reader {
	return &detRand{seed: append([]byte(nil), seed...)}
}

// detRand is the stream of TestRandomness: block i is SHA-512(tag ‖ seed ‖
// u64be(i)).
type detRand struct {
	seed []byte
	ctr  uint64
	buf  []byte
}

func (d *detRand) Read(p []byte) (int, error) {
	for len(d.buf) < len(p) {
		h := sha512.New()
		h.Write([]byte(tagRandom))
		h.Write(d.seed)
		h.Write(binary.BigEndian.AppendUint64(nil, d.ctr))
		d.ctr++
		d.buf = h.Sum(d.buf)
	}
	n := copy(p, d.buf)
	d.buf = d.buf[n:]
	return n, nil
}
