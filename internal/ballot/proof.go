package ballot

import (
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/gtank/ristretto255"
)

// MaxChoices bounds the number of choices of a race, so that sizes and the
// work of a verifier stay bounded (Helios stops at 20; we allow far more).
const MaxChoices = 1024

// Context is the statement a ballot's proofs are bound to: a proof made for
// one election, chain, key or voter does not verify for another.
type Context struct {
	// ElectionID names the vote (e.g. the proposal's id), any bytes.
	ElectionID []byte
	// ChainID is the chain's id, so a ballot is not replayed on a fork.
	ChainID string
	// PublicKey is the 32-byte encoding of the election's joint public key.
	PublicKey []byte
	// VoterKey is the voter's public signing key (any bytes); it binds the
	// proofs to the voter, so a ballot copied by someone else is refused.
	VoterKey []byte
}

// Race says what a ballot may contain: Choices ciphertexts, each 0 or 1,
// summing to at least Min and at most Max. A single-choice race (or
// yes/no/abstain) is Min = Max = 1; approval of up to k is Min = 0, Max = k.
type Race struct {
	Choices int `json:"choices"`
	Min     int `json:"min"`
	Max     int `json:"max"`
}

// SingleChoice returns the race of n choices of which exactly one is chosen.
func SingleChoice(n int) Race { return Race{Choices: n, Min: 1, Max: 1} }

// Approval returns the race of n choices of which at most k are approved.
func Approval(n, k int) Race { return Race{Choices: n, Min: 0, Max: k} }

// Check reports whether the race is well formed.
func (r Race) Check() error {
	switch {
	case r.Choices < 1 || r.Choices > MaxChoices:
		return fmt.Errorf("race: %d choices, want 1..%d: %w", r.Choices, MaxChoices, ErrInput)
	case r.Min < 0 || r.Max < r.Min || r.Max > r.Choices:
		return fmt.Errorf("race: sum range [%d, %d] not within [0, %d]: %w", r.Min, r.Max, r.Choices, ErrInput)
	}
	return nil
}

func (r Race) branches() int { return r.Max - r.Min + 1 }

// Encoded sizes of the parts of a ballot.
const (
	zeroOneCommitSize = 4 * PointSize
	zeroOneProofSize  = zeroOneCommitSize + 3*ScalarSize
	rangeCommitSize   = 2 * PointSize
)

// BallotSize is the size of an encoded ballot for race r.
func BallotSize(r Race) int {
	w := r.branches()
	return r.Choices*(CiphertextSize+zeroOneProofSize) + w*rangeCommitSize + (w-1)*ScalarSize + w*ScalarSize
}

// Ballot is an encrypted ballot with its proofs. It is immutable: it is made
// by Cast or ParseBallot and read through its methods.
type Ballot struct {
	race Race
	cts  []Ciphertext
	zo   []zeroOne
	rp   rangeProof
	raw  []byte
}

// zeroOne proves that (A, B) encrypts 0 or 1: commitments (a0, b0) for the
// branch "0" and (a1, b1) for "1", challenges c0 and c1 = c − c0, responses.
type zeroOne struct {
	a0, b0, a1, b1 *ristretto255.Element
	c0, z0, z1     *ristretto255.Scalar
}

// rangeProof proves that the sum of the choices is one of Min..Max: one
// branch per value, c[last] = c − the others.
type rangeProof struct {
	a, b []*ristretto255.Element
	c, z []*ristretto255.Scalar
}

// Race returns the race the ballot was made or parsed for.
func (b *Ballot) Race() Race { return b.race }

// Ciphertexts returns the ballot's ciphertexts, one per choice (do not
// modify them).
func (b *Ballot) Ciphertexts() []Ciphertext { return b.cts }

// Bytes returns the canonical encoding of the ballot (docs/secret-ballot.md).
func (b *Ballot) Bytes() []byte { return b.raw }

// Cast encrypts votes (one 0 or 1 per choice) under ctx.PublicKey and proves
// that each is 0 or 1 and that their sum lies in [race.Min, race.Max]. Every
// random scalar is drawn from rng as 64 bytes reduced modulo ℓ, in the order
// the spec gives, so a fixed rng reproduces a ballot byte for byte.
func Cast(ctx Context, race Race, votes []int, rng io.Reader) (*Ballot, error) {
	if err := race.Check(); err != nil {
		return nil, fmt.Errorf("cast: %w", err)
	}
	if len(votes) != race.Choices {
		return nil, fmt.Errorf("cast: %d votes for %d choices: %w", len(votes), race.Choices, ErrInput)
	}
	total := 0
	for i, v := range votes {
		if v != 0 && v != 1 {
			return nil, fmt.Errorf("cast: vote %d for choice %d is not 0 or 1: %w", v, i, ErrInput)
		}
		total += v
	}
	if total < race.Min || total > race.Max {
		return nil, fmt.Errorf("cast: %d choices chosen, want %d..%d: %w", total, race.Min, race.Max, ErrInput)
	}
	return castUnchecked(ctx, race, votes, rng)
}

// CastUnchecked is Cast without the checks on votes: the ballot a prover
// would make if it tried to encrypt 2, −1 or too many choices. Its proofs
// do not verify. It exists for the tests of verifiers (the core's
// refusals); nothing else should call it.
func CastUnchecked(ctx Context, race Race, votes []int, rng io.Reader) (*Ballot, error) {
	return castUnchecked(ctx, race, votes, rng)
}

// castUnchecked is Cast without the checks on votes, so tests can show that
// the proofs of an honest prover given a bad vote do not verify.
func castUnchecked(ctx Context, race Race, votes []int, rng io.Reader) (*Ballot, error) {
	X, err := DecodePublicKey(ctx.PublicKey)
	if err != nil {
		return nil, fmt.Errorf("cast: %w", err)
	}
	n := race.Choices
	G := ristretto255.NewElement().Base()
	one := smallScalar(1)
	b := &Ballot{race: race, cts: make([]Ciphertext, n), zo: make([]zeroOne, n)}

	// Encrypt.
	rs := make([]*ristretto255.Scalar, n)
	R := ristretto255.NewScalar()
	for i, v := range votes {
		r, err := randomScalar(rng)
		if err != nil {
			return nil, fmt.Errorf("cast: %w", err)
		}
		rs[i] = r
		R.Add(R, r)
		b.cts[i] = Encrypt(X, int64(v), r)
	}
	agg := sumChoices(b.cts)

	// Commitments of the 0/1 proofs. Both branches are computed the same
	// way (constant time in the vote): a_j = w_j·G − e_j·A,
	// b_j = w_j·X − e_j·(B − j·G), with e_j = 0 on the true branch and the
	// simulated challenge on the other.
	type zoSecrets struct{ w0, w1, s, m *ristretto255.Scalar }
	zs := make([]zoSecrets, n)
	for i, v := range votes {
		var sec zoSecrets
		for _, p := range []**ristretto255.Scalar{&sec.w0, &sec.w1, &sec.s} {
			if *p, err = randomScalar(rng); err != nil {
				return nil, fmt.Errorf("cast: %w", err)
			}
		}
		sec.m = bitScalar(v)
		zs[i] = sec
		notM := ristretto255.NewScalar().Subtract(one, sec.m)
		e0 := ristretto255.NewScalar().Multiply(sec.m, sec.s)
		e1 := ristretto255.NewScalar().Multiply(notM, sec.s)
		ct := b.cts[i]
		bMinusG := ristretto255.NewElement().Subtract(ct.B, G)
		z := &b.zo[i]
		z.a0 = ctCommit(sec.w0, G, e0, ct.A)
		z.b0 = ctCommit(sec.w0, X, e0, ct.B)
		z.a1 = ctCommit(sec.w1, G, e1, ct.A)
		z.b1 = ctCommit(sec.w1, X, e1, bMinusG)
	}

	// Commitments of the range proof on the aggregate.
	w := race.branches()
	M := 0
	for _, v := range votes {
		M += v
	}
	b.rp = rangeProof{a: make([]*ristretto255.Element, w), b: make([]*ristretto255.Element, w),
		c: make([]*ristretto255.Scalar, w), z: make([]*ristretto255.Scalar, w)}
	ws := make([]*ristretto255.Scalar, w)
	es := make([]*ristretto255.Scalar, w)
	bits := make([]*ristretto255.Scalar, w)
	S := ristretto255.NewScalar()
	for k := 0; k < w; k++ {
		j := race.Min + k
		if ws[k], err = randomScalar(rng); err != nil {
			return nil, fmt.Errorf("cast: %w", err)
		}
		s, err := randomScalar(rng)
		if err != nil {
			return nil, fmt.Errorf("cast: %w", err)
		}
		bits[k] = bitScalar(subtle.ConstantTimeEq(int32(j), int32(M)))
		notBit := ristretto255.NewScalar().Subtract(one, bits[k])
		es[k] = ristretto255.NewScalar().Multiply(notBit, s)
		S.Add(S, es[k])
		bj := ristretto255.NewElement().Subtract(agg.B, baseMul(int64(j)))
		b.rp.a[k] = ctCommit(ws[k], G, es[k], agg.A)
		b.rp.b[k] = ctCommit(ws[k], X, es[k], bj)
	}

	c := ballotChallenge(ctx, race, b.cts, b.zo, b.rp)

	for i := range b.zo {
		sec, z := zs[i], &b.zo[i]
		notM := ristretto255.NewScalar().Subtract(one, sec.m)
		// c0 = m·s + (1−m)·(c − s); c1 = c − c0.
		c0 := ristretto255.NewScalar().Multiply(sec.m, sec.s)
		cs := ristretto255.NewScalar().Subtract(c, sec.s)
		c0.Add(c0, ristretto255.NewScalar().Multiply(notM, cs))
		c1 := ristretto255.NewScalar().Subtract(c, c0)
		// z0 = w0 + (1−m)·c0·r; z1 = w1 + m·c1·r.
		t := ristretto255.NewScalar().Multiply(c0, rs[i])
		z.z0 = ristretto255.NewScalar().Add(sec.w0, t.Multiply(t, notM))
		t = ristretto255.NewScalar().Multiply(c1, rs[i])
		z.z1 = ristretto255.NewScalar().Add(sec.w1, t.Multiply(t, sec.m))
		z.c0 = c0
	}
	cReal := ristretto255.NewScalar().Subtract(c, S)
	for k := 0; k < w; k++ {
		// c_k = e_k + bit_k·(c − S); z_k = w_k + bit_k·c_k·R.
		ck := ristretto255.NewScalar().Multiply(bits[k], cReal)
		ck.Add(ck, es[k])
		b.rp.c[k] = ck
		t := ristretto255.NewScalar().Multiply(ck, R)
		b.rp.z[k] = ristretto255.NewScalar().Add(ws[k], t.Multiply(t, bits[k]))
	}
	b.raw = b.encode()
	return b, nil
}

// ctCommit returns w·P − e·Q in constant time.
func ctCommit(w *ristretto255.Scalar, P *ristretto255.Element, e *ristretto255.Scalar, Q *ristretto255.Element) *ristretto255.Element {
	ne := ristretto255.NewScalar().Negate(e)
	return ristretto255.NewElement().MultiScalarMult([]*ristretto255.Scalar{w, ne}, []*ristretto255.Element{P, Q})
}

// ballotChallenge hashes the whole statement (docs/secret-ballot.md, "Ballot
// challenge").
func ballotChallenge(ctx Context, race Race, cts []Ciphertext, zo []zeroOne, rp rangeProof) *ristretto255.Scalar {
	t := ballotTranscriptHead(ctx, race)
	for _, ct := range cts {
		t.point(ct.A)
		t.point(ct.B)
	}
	for _, z := range zo {
		t.point(z.a0)
		t.point(z.b0)
		t.point(z.a1)
		t.point(z.b1)
	}
	for k := range rp.a {
		t.point(rp.a[k])
		t.point(rp.b[k])
	}
	return t.challenge()
}

func ballotTranscriptHead(ctx Context, race Race) *transcript {
	t := newTranscript(tagBallot)
	t.bytes(ctx.ElectionID)
	t.bytes([]byte(ctx.ChainID))
	t.bytes(ctx.PublicKey)
	t.bytes(ctx.VoterKey)
	t.u32(uint32(race.Choices))
	t.u32(uint32(race.Min))
	t.u32(uint32(race.Max))
	return t
}

// rawChallenge is ballotChallenge computed from an encoded ballot's bytes,
// without re-encoding any point.
func rawChallenge(ctx Context, race Race, raw []byte) *ristretto255.Scalar {
	t := ballotTranscriptHead(ctx, race)
	n, w := race.Choices, race.branches()
	off := 0
	for i := 0; i < 2*n; i++ {
		t.pointBytes(raw[off : off+PointSize])
		off += PointSize
	}
	for i := 0; i < n; i++ {
		for k := 0; k < 4; k++ {
			t.pointBytes(raw[off+k*PointSize : off+(k+1)*PointSize])
		}
		off += zeroOneProofSize
	}
	for i := 0; i < 2*w; i++ {
		t.pointBytes(raw[off : off+PointSize])
		off += PointSize
	}
	return t.challenge()
}

func (b *Ballot) encode() []byte {
	out := make([]byte, 0, BallotSize(b.race))
	for _, ct := range b.cts {
		out = ct.A.Encode(out)
		out = ct.B.Encode(out)
	}
	for _, z := range b.zo {
		for _, e := range []*ristretto255.Element{z.a0, z.b0, z.a1, z.b1} {
			out = e.Encode(out)
		}
		for _, s := range []*ristretto255.Scalar{z.c0, z.z0, z.z1} {
			out = s.Encode(out)
		}
	}
	w := b.race.branches()
	for k := 0; k < w; k++ {
		out = b.rp.a[k].Encode(out)
		out = b.rp.b[k].Encode(out)
	}
	for k := 0; k < w-1; k++ {
		out = b.rp.c[k].Encode(out)
	}
	for k := 0; k < w; k++ {
		out = b.rp.z[k].Encode(out)
	}
	return out
}

// ParseBallot decodes a ballot for race r, refusing a wrong length,
// non-canonical points and scalars, and an identity ciphertext component A.
// It checks encodings only; Verify checks the proofs.
func ParseBallot(r Race, data []byte) (*Ballot, error) {
	if err := r.Check(); err != nil {
		return nil, fmt.Errorf("parse ballot: %w", err)
	}
	if len(data) != BallotSize(r) {
		return nil, fmt.Errorf("parse ballot: %d bytes, want %d for %d choices: %w", len(data), BallotSize(r), r.Choices, ErrEncoding)
	}
	n, w := r.Choices, r.branches()
	b := &Ballot{race: r, cts: make([]Ciphertext, n), zo: make([]zeroOne, n), raw: append([]byte(nil), data...)}
	off := 0
	var err error
	point := func(what string, i int) *ristretto255.Element {
		if err != nil {
			return nil
		}
		var e *ristretto255.Element
		e, err = decodePoint(data[off:off+PointSize], fmt.Sprintf("parse ballot: %s %d", what, i))
		off += PointSize
		return e
	}
	scalar := func(what string, i int) *ristretto255.Scalar {
		if err != nil {
			return nil
		}
		var s *ristretto255.Scalar
		s, err = decodeScalar(data[off:off+ScalarSize], fmt.Sprintf("parse ballot: %s %d", what, i))
		off += ScalarSize
		return s
	}
	for i := range b.cts {
		if err == nil {
			b.cts[i], err = ParseCiphertext(data[off : off+CiphertextSize])
			if err != nil {
				err = fmt.Errorf("parse ballot: choice %d: %w", i, err)
			}
		}
		off += CiphertextSize
	}
	for i := range b.zo {
		z := &b.zo[i]
		z.a0, z.b0, z.a1, z.b1 = point("0/1 proof a0 of choice", i), point("0/1 proof b0 of choice", i), point("0/1 proof a1 of choice", i), point("0/1 proof b1 of choice", i)
		z.c0, z.z0, z.z1 = scalar("0/1 proof c0 of choice", i), scalar("0/1 proof z0 of choice", i), scalar("0/1 proof z1 of choice", i)
	}
	b.rp = rangeProof{a: make([]*ristretto255.Element, w), b: make([]*ristretto255.Element, w),
		c: make([]*ristretto255.Scalar, w), z: make([]*ristretto255.Scalar, w)}
	for k := 0; k < w; k++ {
		b.rp.a[k], b.rp.b[k] = point("sum proof a of branch", k), point("sum proof b of branch", k)
	}
	for k := 0; k < w-1; k++ {
		b.rp.c[k] = scalar("sum proof challenge of branch", k)
	}
	for k := 0; k < w; k++ {
		b.rp.z[k] = scalar("sum proof response of branch", k)
	}
	if err != nil {
		return nil, err
	}
	return b, nil
}
