package ballot

import (
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// MaxTrustees bounds n in a key generation.
const MaxTrustees = 255

// Dealer is one trustee's part of the Pedersen distributed key generation
// (joint Feldman): a secret polynomial f of degree t−1 whose constant term
// is the trustee's contribution to the election secret. Trustees are
// numbered 1..n; f(j) is the share the dealer sends to trustee j, encrypted
// to j (docs/secret-ballot.md, "Key generation"). A Dealer holds secrets
// and never leaves its trustee's keystore or browser.
type Dealer struct {
	index, n int
	coeffs   []*ristretto255.Scalar
}

// NewDealer draws the polynomial of trustee index (1..n) for a t-of-n key
// generation: t coefficients, each 64 bytes of rng reduced modulo ℓ.
func NewDealer(index, t, n int, rng io.Reader) (*Dealer, error) {
	if err := checkThreshold(t, n); err != nil {
		return nil, fmt.Errorf("new dealer: %w", err)
	}
	if index < 1 || index > n {
		return nil, fmt.Errorf("new dealer: index %d not in 1..%d: %w", index, n, ErrInput)
	}
	d := &Dealer{index: index, n: n, coeffs: make([]*ristretto255.Scalar, t)}
	for k := range d.coeffs {
		c, err := randomScalar(rng)
		if err != nil {
			return nil, fmt.Errorf("new dealer: %w", err)
		}
		d.coeffs[k] = c
	}
	return d, nil
}

func checkThreshold(t, n int) error {
	if n < 1 || n > MaxTrustees || t < 1 || t > n {
		return fmt.Errorf("threshold %d of %d trustees, want 1 ≤ t ≤ n ≤ %d: %w", t, n, MaxTrustees, ErrInput)
	}
	return nil
}

// Coefficients returns the secret coefficients a_0..a_{t−1}, 32 bytes each
// concatenated, so that a trustee can keep its polynomial between the
// steps of a key generation (RestoreDealer reads them back). They are the
// trustee's secret: keep them as carefully as a key.
func (d *Dealer) Coefficients() []byte {
	out := make([]byte, 0, len(d.coeffs)*ScalarSize)
	for _, a := range d.coeffs {
		out = a.Encode(out)
	}
	return out
}

// RestoreDealer rebuilds the dealer of trustee index (1..n) in a t-of-n key
// generation from the coefficients Coefficients returned, refusing a wrong
// length and a non-canonical scalar.
func RestoreDealer(index, t, n int, coeffs []byte) (*Dealer, error) {
	if err := checkThreshold(t, n); err != nil {
		return nil, fmt.Errorf("restore dealer: %w", err)
	}
	if index < 1 || index > n {
		return nil, fmt.Errorf("restore dealer: index %d not in 1..%d: %w", index, n, ErrInput)
	}
	if len(coeffs) != t*ScalarSize {
		return nil, fmt.Errorf("restore dealer: %d bytes of coefficients, want %d: %w", len(coeffs), t*ScalarSize, ErrEncoding)
	}
	d := &Dealer{index: index, n: n, coeffs: make([]*ristretto255.Scalar, t)}
	for k := range d.coeffs {
		c, err := decodeScalar(coeffs[k*ScalarSize:(k+1)*ScalarSize], fmt.Sprintf("restore dealer: coefficient %d", k))
		if err != nil {
			return nil, err
		}
		d.coeffs[k] = c
	}
	return d, nil
}

// Index returns the dealer's trustee number.
func (d *Dealer) Index() int { return d.index }

// Commitments returns the Feldman commitments C_k = a_k·G to the
// coefficients, which the dealer publishes.
func (d *Dealer) Commitments() Commitments {
	c := make(Commitments, len(d.coeffs))
	for k, a := range d.coeffs {
		c[k] = ristretto255.NewElement().ScalarBaseMult(a)
	}
	return c
}

// Share returns f(j), the secret share for trustee j (1..n), computed in
// constant time.
func (d *Dealer) Share(j int) (*ristretto255.Scalar, error) {
	if j < 1 || j > d.n {
		return nil, fmt.Errorf("share: trustee %d not in 1..%d: %w", j, d.n, ErrInput)
	}
	x := smallScalar(uint64(j))
	s := ristretto255.NewScalar()
	for k := len(d.coeffs) - 1; k >= 0; k-- {
		s.Multiply(s, x)
		s.Add(s, d.coeffs[k])
	}
	return s, nil
}

// Commitments are a dealer's Feldman commitments C_0..C_{t−1}; C_0 is its
// contribution to the joint key.
type Commitments []*ristretto255.Element

// Bytes returns the t encodings concatenated.
func (c Commitments) Bytes() []byte {
	out := make([]byte, 0, len(c)*PointSize)
	for _, e := range c {
		out = e.Encode(out)
	}
	return out
}

// ParseCommitments decodes the t commitments of a t-of-n key generation,
// refusing a wrong length, a non-canonical point and an identity C_0 (a
// contribution of zero).
func ParseCommitments(t int, b []byte) (Commitments, error) {
	if t < 1 || t > MaxTrustees {
		return nil, fmt.Errorf("commitments: threshold %d: %w", t, ErrInput)
	}
	if len(b) != t*PointSize {
		return nil, fmt.Errorf("commitments: %d bytes, want %d: %w", len(b), t*PointSize, ErrEncoding)
	}
	c := make(Commitments, t)
	for k := range c {
		var err error
		what := fmt.Sprintf("commitment %d", k)
		if k == 0 {
			c[k], err = decodeNonIdentity(b[:PointSize], what)
		} else {
			c[k], err = decodePoint(b[k*PointSize:(k+1)*PointSize], what)
		}
		if err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Eval returns Σ_k j^k·C_k = f(j)·G: the public image of trustee j's share.
func (c Commitments) Eval(j int) *ristretto255.Element {
	x := smallScalar(uint64(j))
	pow := smallScalar(1)
	scalars := make([]*ristretto255.Scalar, len(c))
	for k := range c {
		scalars[k] = ristretto255.NewScalar().Add(pow, ristretto255.NewScalar())
		pow.Multiply(pow, x)
	}
	return ristretto255.NewElement().VarTimeMultiScalarMult(scalars, c)
}

// VerifyShare checks share·G = Σ_k j^k·C_k: that the share a dealer sent to
// trustee j lies on its committed polynomial. It returns an error wrapping
// ErrShare otherwise, on which trustee j files a complaint.
func (c Commitments) VerifyShare(j int, share *ristretto255.Scalar) error {
	if j < 1 || j > MaxTrustees {
		return fmt.Errorf("verify share: trustee %d: %w", j, ErrInput)
	}
	if ristretto255.NewElement().ScalarBaseMult(share).Equal(c.Eval(j)) != 1 {
		return fmt.Errorf("verify share for trustee %d: %w", j, ErrShare)
	}
	return nil
}

// ResolveComplaint settles trustee j's complaint against a dealer with
// commitments c, given the share the dealer revealed in answer (32 bytes;
// nil if it did not answer). A nil error means the revealed share is valid:
// the complaint is rejected and j uses the returned share. An error wrapping
// ErrShare or ErrEncoding means the dealer cheated and is disqualified.
// Anyone can run it: it uses only public data.
func ResolveComplaint(c Commitments, j int, revealed []byte) (*ristretto255.Scalar, error) {
	if revealed == nil {
		return nil, fmt.Errorf("complaint of trustee %d: dealer revealed no share: %w", j, ErrShare)
	}
	s, err := decodeScalar(revealed, fmt.Sprintf("complaint of trustee %d: revealed share", j))
	if err != nil {
		return nil, err
	}
	if err := c.VerifyShare(j, s); err != nil {
		return nil, fmt.Errorf("complaint of trustee %d: %w", j, err)
	}
	return s, nil
}

// JointKey returns the election key Σ C_0 over the qualified dealers of a
// t-of-n key generation (those not disqualified by a complaint). It refuses
// fewer than t qualified dealers: with at most t−1 dishonest trustees, t
// qualified dealers include an honest one, so no coalition below the
// threshold knows the secret. The core then cancels the vote with a clear
// fact. It also refuses commitments of the wrong degree and the identity.
func JointKey(t int, qualified []Commitments) (*ristretto255.Element, error) {
	if t < 1 || len(qualified) < t {
		return nil, fmt.Errorf("joint key: %d qualified dealers, need at least %d: %w", len(qualified), t, ErrInput)
	}
	X := ristretto255.NewElement()
	for i, c := range qualified {
		if len(c) != t {
			return nil, fmt.Errorf("joint key: dealer %d committed to %d coefficients, want %d: %w", i, len(c), t, ErrInput)
		}
		X.Add(X, c[0])
	}
	if isIdentity(X) {
		return nil, fmt.Errorf("joint key: %w", ErrIdentity)
	}
	return X, nil
}

// VerificationKey returns Y_j = Σ over qualified dealers of f_i(j)·G: the
// public key that trustee j's partial decryptions are checked against.
func VerificationKey(qualified []Commitments, j int) *ristretto255.Element {
	Y := ristretto255.NewElement()
	for _, c := range qualified {
		Y.Add(Y, c.Eval(j))
	}
	return Y
}

// CombineShares returns trustee j's secret key share x_j = Σ f_i(j): the sum
// of the shares it received from the qualified dealers (its own included).
func CombineShares(shares []*ristretto255.Scalar) *ristretto255.Scalar {
	x := ristretto255.NewScalar()
	for _, s := range shares {
		x.Add(x, s)
	}
	return x
}
