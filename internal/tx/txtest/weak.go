// Package txtest holds fixtures for tests of every package that lets a key
// enter the state.
package txtest

import (
	"crypto/ed25519"
	"encoding/hex"

	"github.com/folkmoot/folkmoot/internal/tx"
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

// WeakKeys returns tx.SmallOrderKeys, each with a name for test names:
// the eight small-order points in canonical encoding, then the six
// non-canonical encodings of small-order points that an ed25519 decoder
// following ZIP-215 also accepts. key_test.go in internal/tx checks that
// the forged signature verifies for every one of them and that the list is
// complete.
func WeakKeys() []WeakKey {
	names := []string{
		"identity", "order 2", "order 4 (all zero)", "order 4 negative",
		"order 8 a", "order 8 a negative", "order 8 b", "order 8 b negative",
		"identity, sign bit set", "order 2, sign bit set",
		"order 4 as y = p", "order 4 as y = p, negative",
		"identity as y = p + 1", "identity as y = p + 1, sign bit set",
	}
	keys := tx.SmallOrderKeys()
	out := make([]WeakKey, len(keys))
	for i, k := range keys {
		out[i] = WeakKey{Name: names[i], Hex: k}
	}
	return out
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
