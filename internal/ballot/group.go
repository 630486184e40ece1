package ballot

import (
	"crypto/sha512"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// Sizes of the canonical encodings.
const (
	// PointSize is the size of an encoded ristretto255 element.
	PointSize = 32
	// ScalarSize is the size of an encoded scalar (little-endian, < ℓ).
	ScalarSize = 32
)

// Errors returned by decoders and verifiers; callers match them with
// errors.Is, and every returned error wraps one of them with the step that
// failed.
var (
	// ErrEncoding means bytes are not a canonical encoding of what was expected
	// (wrong length, non-canonical point or scalar).
	ErrEncoding = errors.New("not a canonical encoding")
	// ErrIdentity means the identity element appeared where it is not allowed.
	ErrIdentity = errors.New("identity element not allowed")
	// ErrProof means a zero-knowledge proof does not verify.
	ErrProof = errors.New("proof does not verify")
	// ErrInput means the arguments of a prover or a combination are invalid
	// (a vote that is not 0 or 1, a sum out of range, too few shares…).
	ErrInput = errors.New("invalid input")
	// ErrShare means a DKG share does not match its dealer's commitments.
	ErrShare = errors.New("share does not match the dealer's commitments")
	// ErrNoLog means a discrete logarithm is larger than the bound searched.
	ErrNoLog = errors.New("discrete logarithm not within the bound")
)

// Domain-separation tags: the first item of every hash input.
const (
	tagBallot     = "folkmoot/secret-ballot/v1/ballot"
	tagDecryption = "folkmoot/secret-ballot/v1/decryption"
	tagRandom     = "folkmoot/secret-ballot/v1/test-randomness"
)

// decodePoint decodes a canonical ristretto255 encoding. what names the
// field for the error.
func decodePoint(b []byte, what string) (*ristretto255.Element, error) {
	if len(b) != PointSize {
		return nil, fmt.Errorf("%s: %d bytes, want %d: %w", what, len(b), PointSize, ErrEncoding)
	}
	e := ristretto255.NewElement()
	if err := e.Decode(b); err != nil {
		return nil, fmt.Errorf("%s: non-canonical ristretto255 point: %w", what, ErrEncoding)
	}
	return e, nil
}

// decodeNonIdentity is decodePoint that also refuses the identity.
func decodeNonIdentity(b []byte, what string) (*ristretto255.Element, error) {
	e, err := decodePoint(b, what)
	if err != nil {
		return nil, err
	}
	if isIdentity(e) {
		return nil, fmt.Errorf("%s: %w", what, ErrIdentity)
	}
	return e, nil
}

// decodeScalar decodes a canonical little-endian scalar (< ℓ).
func decodeScalar(b []byte, what string) (*ristretto255.Scalar, error) {
	if len(b) != ScalarSize {
		return nil, fmt.Errorf("%s: %d bytes, want %d: %w", what, len(b), ScalarSize, ErrEncoding)
	}
	s := ristretto255.NewScalar()
	if err := s.Decode(b); err != nil {
		return nil, fmt.Errorf("%s: scalar not reduced modulo ℓ: %w", what, ErrEncoding)
	}
	return s, nil
}

// DecodePoint decodes a 32-byte canonical ristretto255 point, refusing
// non-canonical encodings (the identity is accepted).
func DecodePoint(b []byte) (*ristretto255.Element, error) { return decodePoint(b, "point") }

// DecodePublicKey decodes a public key: a canonical point that is not the
// identity.
func DecodePublicKey(b []byte) (*ristretto255.Element, error) {
	return decodeNonIdentity(b, "public key")
}

// DecodeScalar decodes a 32-byte canonical scalar, refusing values ≥ ℓ.
func DecodeScalar(b []byte) (*ristretto255.Scalar, error) { return decodeScalar(b, "scalar") }

func isIdentity(e *ristretto255.Element) bool {
	return e.Equal(ristretto255.NewElement()) == 1
}

func enc(e *ristretto255.Element) []byte { return e.Encode(make([]byte, 0, PointSize)) }

func encScalar(s *ristretto255.Scalar) []byte { return s.Encode(make([]byte, 0, ScalarSize)) }

// randomScalar draws 64 bytes from rng and reduces them modulo ℓ.
func randomScalar(rng io.Reader) (*ristretto255.Scalar, error) {
	var b [64]byte
	if _, err := io.ReadFull(rng, b[:]); err != nil {
		return nil, fmt.Errorf("read randomness: %w", err)
	}
	return ristretto255.NewScalar().FromUniformBytes(b[:]), nil
}

// smallScalar returns the scalar v (0 ≤ v < 2^63) ...
func smallScalar(v uint64) *ristretto255.Scalar {
	var b [32]byte
	binary.LittleEndian.PutUint64(b[:8], v)
	s := ristretto255.NewScalar()
	if err := s.Decode(b[:]); err != nil {
		panic("ballot: small scalar out of range") // unreachable: v < 2^64 < ℓ
	}
	return s
}

// intScalar returns the scalar v mod ℓ for a signed v.
func intScalar(v int64) *ristretto255.Scalar {
	if v >= 0 {
		return smallScalar(uint64(v))
	}
	return ristretto255.NewScalar().Negate(smallScalar(uint64(-v)))
}

// bitScalar returns 1 or 0 as a scalar without branching on b (b is 0 or 1).
func bitScalar(b int) *ristretto255.Scalar {
	var buf [32]byte
	buf[0] = byte(b & 1)
	s := ristretto255.NewScalar()
	_ = s.Decode(buf[:]) // 0 and 1 are canonical
	return s
}

func baseMul(v int64) *ristretto255.Element {
	return ristretto255.NewElement().ScalarBaseMult(intScalar(v))
}

// transcript builds a hash input: every item is a 4-byte big-endian length
// followed by its bytes.
type transcript struct{ buf []byte }

func newTranscript(tag string) *transcript {
	t := &transcript{}
	t.bytes([]byte(tag))
	return t
}

func (t *transcript) bytes(b []byte) {
	t.buf = binary.BigEndian.AppendUint32(t.buf, uint32(len(b)))
	t.buf = append(t.buf, b...)
}

func (t *transcript) point(e *ristretto255.Element) { t.bytes(enc(e)) }

func (t *transcript) pointBytes(b []byte) { t.bytes(b) }

func (t *transcript) u32(v uint32) {
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], v)
	t.bytes(b[:])
}

// challenge is SHA-512 of the transcript reduced modulo ℓ.
func (t *transcript) challenge() *ristretto255.Scalar {
	h := sha512.Sum512(t.buf)
	return ristretto255.NewScalar().FromUniformBytes(h[:])
}
