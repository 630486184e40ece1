package tx

import (
	"bytes"
	"crypto/ed25519"
	"encoding/hex"
	"slices"

	"filippo.io/edwards25519"

	"github.com/folkmoot/folkmoot/internal/reject"
)

// CheckKey reports whether k may enter the state as an ed25519 public key:
// a founder's, a vouched newcomer's, a rotation's new key, a validator's or
// a trustee's. what names the key in the sentence ("vouch rejected: the
// key").
//
// Signatures follow ZIP-215, which deliberately accepts small-order public
// keys; for those, the signature R = identity, s = 0 verifies on every
// message, so anyone could act as their holder. A key is therefore refused
// (code WeakKey) when it is one of the eight points of small order, or when
// it is not the canonical encoding of its point (a y coordinate of p or
// more, or the sign bit set on a point whose x is zero). Bytes that are not
// a point at all are refused with BadKey: no signature could ever verify
// under them.
func CheckKey(what string, k []byte) *reject.Error {
	if len(k) != ed25519.PublicKeySize {
		return reject.Errorf(reject.BadKey, "%s must be %d bytes, not %d", what, ed25519.PublicKeySize, len(k))
	}
	p, err := new(edwards25519.Point).SetBytes(k)
	if err != nil {
		return reject.Errorf(reject.BadKey, "%s %x is not a point of the ed25519 curve, so it could never sign", what, k[:4])
	}
	if new(edwards25519.Point).MultByCofactor(p).Equal(edwards25519.NewIdentityPoint()) == 1 {
		return reject.Errorf(reject.WeakKey, "%s %x is a point of small order, for which anyone can forge a signature", what, k[:4])
	}
	if !bytes.Equal(p.Bytes(), k) {
		return reject.Errorf(reject.WeakKey, "%s %x is not in canonical form; the same point has another encoding, and keys must have exactly one", what, k[:4])
	}
	return nil
}

// SmallOrderKeys returns, in hex, every 32-byte encoding that decodes to
// an ed25519 point of small order under ZIP-215's rules: the eight points
// in canonical form, then the six non-canonical encodings of such points
// (y of p or more, or the sign bit set where x is 0). For each, the
// signature R = identity, s = 0 verifies on every message. The list is
// ZIP-215's and libsodium's; TestWeakKeysAreComplete derives it.
func SmallOrderKeys() []string {
	return []string{
		"0100000000000000000000000000000000000000000000000000000000000000",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000080",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
		"c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
		"26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85",
		"0100000000000000000000000000000000000000000000000000000000000080",
		"ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
		"eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",
	}
}

// checkAuthor refuses an author key of small order, in any of its 14
// encodings, by comparison with SmallOrderKeys (a fraction of a
// microsecond, against the microseconds of decompressing the point). Every
// member's key passed CheckKey when it entered the state, so this is
// defence in depth: a transaction whose signature anyone could forge never
// reaches a signature check.
func checkAuthor(k []byte) *reject.Error {
	if slices.Contains(SmallOrderKeys(), hex.EncodeToString(k)) {
		return reject.Errorf(reject.WeakKey, "transaction rejected: the author key %x is a point of small order, for which anyone can forge a signature", k[:4])
	}
	return nil
}
