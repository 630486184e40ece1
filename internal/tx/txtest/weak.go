// Package txtest holds fixtures for tests of every package that lets a key
// enter the state.
package txtest

import (
	"crypto/ed25519"
	"encoding/hex"
)

// WeakKey is an encoding of an ed25519 point of small order: under ZIP-215
// the signature R = identity, s = 0 verifies on every message for it.
type WeakKey struct {
	Name string // what it is, for test names
	Hex  string // the 32-byte encoding, 64 hex digits
}

// Bytes returns the key's 32 bytes.
func (w WeakKey) Bytes() []byte {
	b, err := hex.DecodeString(w.Hex)
	if err != nil || len(b) != 32 {
		panic("txtest: bad fixture " + w.Name)
	}
	return b
}

// WeakKeys returns the eight small-order points in canonical encoding,
// then the six non-canonical encodings of small-order points that an
// ed25519 decoder following ZIP-215 also accepts (y ≥ p, or the sign bit
// set on a point whose x is 0). The list is the one in ZIP-215's test
// vectors and libsodium's blocklist; key_test.go in internal/tx checks
// that the forged signature verifies for every one of them.
func WeakKeys() []WeakKey {
	return []WeakKey{
		{"identity", "0100000000000000000000000000000000000000000000000000000000000000"},
		{"order 2", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
		{"order 4 (all zero)", "0000000000000000000000000000000000000000000000000000000000000000"},
		{"order 4 negative", "0000000000000000000000000000000000000000000000000000000000000080"},
		{"order 8 a", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"},
		{"order 8 a negative", "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa"},
		{"order 8 b", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"},
		{"order 8 b negative", "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85"},
		{"identity, sign bit set", "0100000000000000000000000000000000000000000000000000000000000080"},
		{"order 2, sign bit set", "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
		{"order 4 as y = p", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
		{"order 4 as y = p, negative", "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
		{"identity as y = p + 1", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"},
		{"identity as y = p + 1, sign bit set", "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"},
	}
}

// ForgedSignature is the signature R = identity, s = 0, which verifies for
// every message under every small-order key.
func ForgedSignature() []byte {
	sig := make([]byte, 64)
	sig[0] = 1
	return sig
}

// KeyHex returns the public key, in hex, of the ed25519 seed made of 32
// bytes b: a valid key for fixtures that need one and no signature.
func KeyHex(b byte) string {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return hex.EncodeToString(ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey))
}
