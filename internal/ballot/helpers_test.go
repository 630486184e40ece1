package ballot

import (
	"crypto/sha512"
	"encoding/binary"
	"testing"
)

// detRand is a deterministic reader for tests and vectors: block i is
// SHA-512(tag ‖ seed ‖ u64 i), concatenated.
type detRand struct {
	seed []byte
	ctr  uint64
	buf  []byte
}

func newDetRand(seed string) *detRand { return &detRand{seed: []byte(seed)} }

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

func testKey(t testing.TB, seed string) *KeyPair {
	t.Helper()
	kp, err := GenerateKey(newDetRand(seed))
	if err != nil {
		t.Fatal(err)
	}
	return kp
}

func testContext(kp *KeyPair, voter string) Context {
	return Context{ElectionID: []byte("proposal-42"), ChainID: "folkmoot-test", PublicKey: enc(kp.Public), VoterKey: []byte(voter)}
}
