package ballot

import (
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// CiphertextSize is the size of an encoded ciphertext: A then B.
const CiphertextSize = 2 * PointSize

// KeyPair is an ElGamal key pair: Secret x and Public X = x·G. In an election
// the secret is never held by one party; the trustees hold Shamir shares of
// it (see Dealer). A lone KeyPair serves tests and single-trustee elections.
type KeyPair struct {
	Secret *ristretto255.Scalar
	Public *ristretto255.Element
}

// GenerateKey draws a key pair from rng (crypto/rand.Reader in production).
func GenerateKey(rng io.Reader) (*KeyPair, error) {
	x, err := randomScalar(rng)
	if err != nil {
		return nil, fmt.Errorf("generate key: %w", err)
	}
	return &KeyPair{Secret: x, Public: ristretto255.NewElement().ScalarBaseMult(x)}, nil
}

// Ciphertext is an exponential ElGamal ciphertext (A, B) = (r·G, m·G + r·X)
// of a small integer m under the public key X.
type Ciphertext struct {
	A, B *ristretto255.Element
}

// Encrypt returns the encryption of m under pub with the randomness r, using
// constant-time scalar multiplications only (m and r are secrets).
func Encrypt(pub *ristretto255.Element, m int64, r *ristretto255.Scalar) Ciphertext {
	a := ristretto255.NewElement().ScalarBaseMult(r)
	b := ristretto255.NewElement().ScalarMult(r, pub)
	b.Add(b, ristretto255.NewElement().ScalarBaseMult(intScalar(m)))
	return Ciphertext{A: a, B: b}
}

// Add returns the component-wise sum of c and d: a ciphertext of the sum of
// their plaintexts.
func (c Ciphertext) Add(d Ciphertext) Ciphertext {
	return Ciphertext{
		A: ristretto255.NewElement().Add(c.A, d.A),
		B: ristretto255.NewElement().Add(c.B, d.B),
	}
}

// ZeroCiphertext returns (identity, identity), the neutral element of Add.
func ZeroCiphertext() Ciphertext {
	return Ciphertext{A: ristretto255.NewElement(), B: ristretto255.NewElement()}
}

// Bytes returns the 64-byte encoding A ‖ B.
func (c Ciphertext) Bytes() []byte {
	out := make([]byte, 0, CiphertextSize)
	out = c.A.Encode(out)
	return c.B.Encode(out)
}

// ParseAggregate decodes A ‖ B of a sum of ciphertexts, refusing only
// non-canonical points: a sum may be the identity (voters who know each
// other's randomness can make their A components cancel), and it must
// still be decrypted.
func ParseAggregate(b []byte) (Ciphertext, error) {
	if len(b) != CiphertextSize {
		return Ciphertext{}, fmt.Errorf("aggregate: %d bytes, want %d: %w", len(b), CiphertextSize, ErrEncoding)
	}
	a, err := decodePoint(b[:PointSize], "aggregate A")
	if err != nil {
		return Ciphertext{}, err
	}
	bb, err := decodePoint(b[PointSize:], "aggregate B")
	if err != nil {
		return Ciphertext{}, err
	}
	return Ciphertext{A: a, B: bb}, nil
}

// ParseCiphertext decodes A ‖ B, refusing non-canonical points and an
// identity A (which would mean r = 0 and a plaintext in the clear).
func ParseCiphertext(b []byte) (Ciphertext, error) {
	if len(b) != CiphertextSize {
		return Ciphertext{}, fmt.Errorf("ciphertext: %d bytes, want %d: %w", len(b), CiphertextSize, ErrEncoding)
	}
	a, err := decodeNonIdentity(b[:PointSize], "ciphertext A")
	if err != nil {
		return Ciphertext{}, err
	}
	bb, err := decodePoint(b[PointSize:], "ciphertext B")
	if err != nil {
		return Ciphertext{}, err
	}
	return Ciphertext{A: a, B: bb}, nil
}

// Sum adds every ballot's ciphertexts choice by choice: the aggregate the
// trustees decrypt. Every ballot must have n ciphertexts.
func Sum(n int, ballots [][]Ciphertext) ([]Ciphertext, error) {
	out := make([]Ciphertext, n)
	for i := range out {
		out[i] = ZeroCiphertext()
	}
	for k, cs := range ballots {
		if len(cs) != n {
			return nil, fmt.Errorf("sum: ballot %d has %d ciphertexts, want %d: %w", k, len(cs), n, ErrInput)
		}
		for i, c := range cs {
			out[i].A.Add(out[i].A, c.A)
			out[i].B.Add(out[i].B, c.B)
		}
	}
	return out, nil
}

// sumChoices adds the ciphertexts of one ballot: an encryption of the number
// of choices chosen.
func sumChoices(cts []Ciphertext) Ciphertext {
	s := ZeroCiphertext()
	for _, c := range cts {
		s.A.Add(s.A, c.A)
		s.B.Add(s.B, c.B)
	}
	return s
}
