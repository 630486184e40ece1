package ballot

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// Trustee is trustee Index's secret key share x_j (from CombineShares). It
// never leaves the trustee's keystore or browser.
type Trustee struct {
	Index int
	Share *ristretto255.Scalar
}

// PartialDecryption is trustee Index's share D_i = x_j·A_i of the decryption
// of each aggregate ciphertext, with a Chaum–Pedersen proof per ciphertext
// that log_G Y_j = log_{A_i} D_i (commitments U_i = w_i·G, V_i = w_i·A_i,
// one challenge over the whole statement, responses Z_i = w_i + c·x_j).
type PartialDecryption struct {
	Index int
	D     []*ristretto255.Element
	u, v  []*ristretto255.Element
	z     []*ristretto255.Scalar
}

// partialEntrySize is D ‖ U ‖ V ‖ Z.
const partialEntrySize = 3*PointSize + ScalarSize

// Decrypt computes the trustee's partial decryption of the aggregate
// ciphertexts cts and proves it correct for ctx (ElectionID, ChainID and
// PublicKey are hashed; VoterKey is not used). Constant time in the share.
func (tr Trustee) Decrypt(ctx Context, cts []Ciphertext, rng io.Reader) (*PartialDecryption, error) {
	if tr.Index < 1 || tr.Index > MaxTrustees || tr.Share == nil {
		return nil, fmt.Errorf("partial decryption: trustee %d: %w", tr.Index, ErrInput)
	}
	if len(cts) == 0 || len(cts) > MaxChoices {
		return nil, fmt.Errorf("partial decryption: %d ciphertexts: %w", len(cts), ErrInput)
	}
	Y := ristretto255.NewElement().ScalarBaseMult(tr.Share)
	p := &PartialDecryption{Index: tr.Index}
	ws := make([]*ristretto255.Scalar, len(cts))
	for i, ct := range cts {
		w, err := randomScalar(rng)
		if err != nil {
			return nil, fmt.Errorf("partial decryption: %w", err)
		}
		ws[i] = w
		p.D = append(p.D, ristretto255.NewElement().ScalarMult(tr.Share, ct.A))
		p.u = append(p.u, ristretto255.NewElement().ScalarBaseMult(w))
		p.v = append(p.v, ristretto255.NewElement().ScalarMult(w, ct.A))
	}
	c := decryptionChallenge(ctx, tr.Index, Y, cts, p)
	for _, w := range ws {
		z := ristretto255.NewScalar().Multiply(c, tr.Share)
		p.z = append(p.z, z.Add(z, w))
	}
	return p, nil
}

func decryptionChallenge(ctx Context, index int, Y *ristretto255.Element, cts []Ciphertext, p *PartialDecryption) *ristretto255.Scalar {
	t := newTranscript(tagDecryption)
	t.bytes(ctx.ElectionID)
	t.bytes([]byte(ctx.ChainID))
	t.bytes(ctx.PublicKey)
	t.u32(uint32(index))
	t.point(Y)
	t.u32(uint32(len(cts)))
	for i, ct := range cts {
		t.point(ct.A)
		t.point(ct.B)
		t.point(p.D[i])
	}
	for i := range cts {
		t.point(p.u[i])
		t.point(p.v[i])
	}
	return t.challenge()
}

// Verify checks the proofs of p against the aggregate ciphertexts cts and
// the trustee's verification key Y (VerificationKey). An error wrapping
// ErrProof names the trustee and the ciphertext.
func (p *PartialDecryption) Verify(ctx Context, cts []Ciphertext, Y *ristretto255.Element) error {
	if len(p.D) != len(cts) || len(p.u) != len(cts) || len(p.v) != len(cts) || len(p.z) != len(cts) {
		return fmt.Errorf("partial decryption of trustee %d: %d shares for %d ciphertexts: %w", p.Index, len(p.D), len(cts), ErrInput)
	}
	c := decryptionChallenge(ctx, p.Index, Y, cts, p)
	nc := ristretto255.NewScalar().Negate(c)
	for i, ct := range cts {
		// z·G − c·Y = U and z·A − c·D = V
		if ristretto255.NewElement().VarTimeDoubleScalarBaseMult(nc, Y, p.z[i]).Equal(p.u[i]) != 1 ||
			ristretto255.NewElement().VarTimeMultiScalarMult([]*ristretto255.Scalar{p.z[i], nc}, []*ristretto255.Element{ct.A, p.D[i]}).Equal(p.v[i]) != 1 {
			return fmt.Errorf("partial decryption of trustee %d, ciphertext %d: %w", p.Index, i, ErrProof)
		}
	}
	return nil
}

// Bytes encodes p: the index as 4 bytes big-endian, then D ‖ U ‖ V ‖ Z for
// each ciphertext.
func (p *PartialDecryption) Bytes() []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(p.Index))
	for i := range p.D {
		out = p.D[i].Encode(out)
		out = p.u[i].Encode(out)
		out = p.v[i].Encode(out)
		out = p.z[i].Encode(out)
	}
	return out
}

// ParsePartialDecryption decodes a partial decryption of n ciphertexts,
// refusing a wrong length, an index outside 1..MaxTrustees and any
// non-canonical point or scalar.
func ParsePartialDecryption(n int, b []byte) (*PartialDecryption, error) {
	if n < 1 || n > MaxChoices {
		return nil, fmt.Errorf("partial decryption: %d ciphertexts: %w", n, ErrInput)
	}
	if len(b) != 4+n*partialEntrySize {
		return nil, fmt.Errorf("partial decryption: %d bytes, want %d: %w", len(b), 4+n*partialEntrySize, ErrEncoding)
	}
	idx := binary.BigEndian.Uint32(b)
	if idx < 1 || idx > MaxTrustees {
		return nil, fmt.Errorf("partial decryption: trustee %d not in 1..%d: %w", idx, MaxTrustees, ErrEncoding)
	}
	p := &PartialDecryption{Index: int(idx)}
	for i := 0; i < n; i++ {
		e := b[4+i*partialEntrySize:]
		D, err := decodePoint(e[:32], fmt.Sprintf("partial decryption %d: D", i))
		if err != nil {
			return nil, err
		}
		u, err := decodePoint(e[32:64], fmt.Sprintf("partial decryption %d: U", i))
		if err != nil {
			return nil, err
		}
		v, err := decodePoint(e[64:96], fmt.Sprintf("partial decryption %d: V", i))
		if err != nil {
			return nil, err
		}
		z, err := decodeScalar(e[96:128], fmt.Sprintf("partial decryption %d: Z", i))
		if err != nil {
			return nil, err
		}
		p.D, p.u, p.v, p.z = append(p.D, D), append(p.u, u), append(p.v, v), append(p.z, z)
	}
	return p, nil
}

// Lagrange returns the coefficients λ_i = Π_{j≠i} j/(j−i) that interpolate
// at 0 from the distinct trustee indices given.
func Lagrange(indices []int) ([]*ristretto255.Scalar, error) {
	seen := map[int]bool{}
	for _, i := range indices {
		if i < 1 || i > MaxTrustees || seen[i] {
			return nil, fmt.Errorf("lagrange: index %d out of range or repeated: %w", i, ErrInput)
		}
		seen[i] = true
	}
	out := make([]*ristretto255.Scalar, len(indices))
	for k, i := range indices {
		num, den := smallScalar(1), smallScalar(1)
		for _, j := range indices {
			if j == i {
				continue
			}
			num.Multiply(num, smallScalar(uint64(j)))
			den.Multiply(den, intScalar(int64(j-i)))
		}
		out[k] = num.Multiply(num, ristretto255.NewScalar().Invert(den))
	}
	return out, nil
}

// Combine decrypts the aggregate ciphertexts from the partial decryptions of
// threshold distinct trustees (already verified; extra ones are ignored):
// m_i·G = B_i − Σ λ_j·D_{j,i}, then m_i by baby-step giant-step in table.
func Combine(cts []Ciphertext, parts []*PartialDecryption, threshold int, table *DlogTable) ([]uint64, error) {
	if threshold < 1 || len(parts) < threshold {
		return nil, fmt.Errorf("combine: %d partial decryptions, need %d: %w", len(parts), threshold, ErrInput)
	}
	parts = parts[:threshold]
	idx := make([]int, len(parts))
	for k, p := range parts {
		if len(p.D) != len(cts) {
			return nil, fmt.Errorf("combine: trustee %d decrypted %d ciphertexts, want %d: %w", p.Index, len(p.D), len(cts), ErrInput)
		}
		idx[k] = p.Index
	}
	lambda, err := Lagrange(idx)
	if err != nil {
		return nil, fmt.Errorf("combine: %w", err)
	}
	out := make([]uint64, len(cts))
	for i, ct := range cts {
		ds := make([]*ristretto255.Element, len(parts))
		for k, p := range parts {
			ds[k] = p.D[i]
		}
		M := ristretto255.NewElement().VarTimeMultiScalarMult(lambda, ds)
		M.Subtract(ct.B, M)
		if out[i], err = table.Log(M); err != nil {
			return nil, fmt.Errorf("combine: choice %d: %w", i, err)
		}
	}
	return out, nil
}

// DlogTable solves m·G = M for 0 ≤ m ≤ Max by baby-step giant-step: a table
// of the ⌈√(Max+1)⌉ baby steps, at most as many giant steps per logarithm.
type DlogTable struct {
	max   uint64
	m     uint64
	baby  map[[PointSize]byte]uint64
	giant *ristretto255.Element // −m·G
}

// NewDlogTable builds the table for results up to max (the electorate size).
func NewDlogTable(max uint64) (*DlogTable, error) {
	if max > 1<<40 {
		return nil, fmt.Errorf("dlog table: bound %d too large: %w", max, ErrInput)
	}
	m := uint64(1)
	for m*m < max+1 {
		m++
	}
	t := &DlogTable{max: max, m: m, baby: make(map[[PointSize]byte]uint64, m)}
	P := ristretto255.NewElement()
	G := ristretto255.NewElement().Base()
	var key [PointSize]byte
	for j := uint64(0); j < m; j++ {
		P.Encode(key[:0])
		t.baby[key] = j
		P.Add(P, G)
	}
	t.giant = ristretto255.NewElement().Negate(P) // P = m·G
	return t, nil
}

// Log returns m with m·G = M, or an error wrapping ErrNoLog if m > Max.
func (t *DlogTable) Log(M *ristretto255.Element) (uint64, error) {
	Q := ristretto255.NewElement().Add(M, ristretto255.NewElement())
	var key [PointSize]byte
	for i := uint64(0); i*t.m <= t.max; i++ {
		Q.Encode(key[:0])
		if j, ok := t.baby[key]; ok && i*t.m+j <= t.max {
			return i*t.m + j, nil
		}
		Q.Add(Q, t.giant)
	}
	return 0, fmt.Errorf("dlog above %d: %w", t.max, ErrNoLog)
}
