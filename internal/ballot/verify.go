package ballot

import (
	"errors"
	"fmt"
	"io"
	"runtime"
	"sync"

	"github.com/gtank/ristretto255"
)

// equation is one verification equation P + c·(T − k·G) = z·Base, where Base
// is G or the election key X, and T is the A or B component of choice i's
// ciphertext, or of the ballot's aggregate when i < 0.
type equation struct {
	P     *ristretto255.Element
	c, z  *ristretto255.Scalar
	onKey bool // Base is X, else G
	i     int  // choice, or −1 for the aggregate
	useB  bool // T is B, else A
	k     int
}

// prepared is a ballot whose challenges are derived and whose equations are
// listed, ready to be checked one by one or folded into a batch.
type prepared struct {
	X, G     *ristretto255.Element
	keyBytes string
	cts      []Ciphertext
	agg      Ciphertext
	eqs      []equation
}

func prepare(ctx Context, race Race, b *Ballot) (*prepared, error) {
	return prepareWithKey(ctx, race, b, nil)
}

// prepareWithKey is prepare with the election key already decoded (nil: decode
// ctx.PublicKey), so a batch decodes each distinct key once.
func prepareWithKey(ctx Context, race Race, b *Ballot, X *ristretto255.Element) (*prepared, error) {
	if b == nil {
		return nil, fmt.Errorf("verify ballot: no ballot: %w", ErrInput)
	}
	if race != b.race {
		return nil, fmt.Errorf("verify ballot: made for race %+v, not %+v: %w", b.race, race, ErrInput)
	}
	if X == nil {
		var err error
		if X, err = DecodePublicKey(ctx.PublicKey); err != nil {
			return nil, fmt.Errorf("verify ballot: election %w", err)
		}
	}
	c := rawChallenge(ctx, race, b.raw)
	p := &prepared{X: X, G: ristretto255.NewElement().Base(), keyBytes: string(ctx.PublicKey), cts: b.cts}
	p.agg = sumChoices(b.cts)
	w := race.branches()
	p.eqs = make([]equation, 0, 4*race.Choices+2*w)
	for i, z := range b.zo {
		c1 := ristretto255.NewScalar().Subtract(c, z.c0)
		p.eqs = append(p.eqs,
			equation{P: z.a0, c: z.c0, z: z.z0, i: i},
			equation{P: z.b0, c: z.c0, z: z.z0, onKey: true, i: i, useB: true},
			equation{P: z.a1, c: c1, z: z.z1, i: i},
			equation{P: z.b1, c: c1, z: z.z1, onKey: true, i: i, useB: true, k: 1},
		)
	}
	last := ristretto255.NewScalar().Add(c, ristretto255.NewScalar())
	for k := 0; k < w-1; k++ {
		last.Subtract(last, b.rp.c[k])
	}
	for k := 0; k < w; k++ {
		ck := last
		if k < w-1 {
			ck = b.rp.c[k]
		}
		p.eqs = append(p.eqs,
			equation{P: b.rp.a[k], c: ck, z: b.rp.z[k], i: -1},
			equation{P: b.rp.b[k], c: ck, z: b.rp.z[k], onKey: true, i: -1, useB: true, k: race.Min + k},
		)
	}
	return p, nil
}

func (p *prepared) target(e equation) *ristretto255.Element {
	ct := p.agg
	if e.i >= 0 {
		ct = p.cts[e.i]
	}
	if e.useB {
		return ct.B
	}
	return ct.A
}

// check verifies the equations one at a time.
func (p *prepared) check() error {
	for n, e := range p.eqs {
		T := p.target(e)
		switch e.k {
		case 0:
		case 1:
			T = ristretto255.NewElement().Subtract(T, p.G)
		default:
			T = ristretto255.NewElement().Subtract(T, baseMul(int64(e.k)))
		}
		nc := ristretto255.NewScalar().Negate(e.c)
		var got *ristretto255.Element
		if e.onKey {
			got = ristretto255.NewElement().VarTimeMultiScalarMult([]*ristretto255.Scalar{e.z, nc}, []*ristretto255.Element{p.X, T})
		} else {
			got = ristretto255.NewElement().VarTimeDoubleScalarBaseMult(nc, T, e.z)
		}
		if got.Equal(e.P) != 1 {
			return fmt.Errorf("verify ballot: %s: %w", p.describe(n), ErrProof)
		}
	}
	return nil
}

func (p *prepared) describe(n int) string {
	zo := 4 * len(p.cts)
	if n < zo {
		return fmt.Sprintf("0/1 proof of choice %d, equation %d", n/4, n%4+1)
	}
	return fmt.Sprintf("sum proof, branch %d, equation %d", (n-zo)/2, (n-zo)%2+1)
}

// Verify checks every proof of the ballot for ctx and race, one equation at a
// time. It returns nil if the ballot is valid, and otherwise an error
// wrapping ErrProof (or ErrInput, ErrEncoding, ErrIdentity for a bad
// context) that names the failing proof.
func (b *Ballot) Verify(ctx Context, race Race) error {
	p, err := prepare(ctx, race, b)
	if err != nil {
		return err
	}
	return p.check()
}

// Item is one ballot to verify in a batch, with its context and race.
type Item struct {
	Context Context
	Race    Race
	Ballot  *Ballot
}

// weightSize is the size of a batching weight: 128 bits, so a batch with a
// bad ballot passes with probability at most 2^−128 while the MSM terms of
// the commitments cost half as much as full-size scalars.
const weightSize = 16

// VerifyBatch checks all items at once: every verification equation is
// multiplied by an independent 128-bit weight drawn from rng
// (crypto/rand.Reader) and the sum is checked with one variable-time
// multi-scalar multiplication. It returns nil if every ballot is valid; if
// any is invalid it returns an error wrapping ErrProof (except with
// probability 2^−128), without saying which: VerifyAll locates them.
func VerifyBatch(items []Item, rng io.Reader) error {
	var scalars []*ristretto255.Scalar
	var points []*ristretto255.Element
	gCoef := ristretto255.NewScalar()
	type key struct {
		X    *ristretto255.Element
		coef *ristretto255.Scalar
	}
	keys := map[string]*key{}
	var wbuf [32]byte
	for n, it := range items {
		var X *ristretto255.Element
		if k := keys[string(it.Context.PublicKey)]; k != nil {
			X = k.X
		}
		p, err := prepareWithKey(it.Context, it.Race, it.Ballot, X)
		if err != nil {
			return fmt.Errorf("batch item %d: %w", n, err)
		}
		k := keys[p.keyBytes]
		if k == nil {
			k = &key{X: p.X, coef: ristretto255.NewScalar()}
			keys[p.keyBytes] = k
		}
		weights := make([]byte, weightSize*len(p.eqs))
		if _, err := io.ReadFull(rng, weights); err != nil {
			return fmt.Errorf("batch: read randomness: %w", err)
		}
		nc := len(p.cts)
		coefA := make([]*ristretto255.Scalar, nc+1) // [nc] is the aggregate
		coefB := make([]*ristretto255.Scalar, nc+1)
		for i := range coefA {
			coefA[i], coefB[i] = ristretto255.NewScalar(), ristretto255.NewScalar()
		}
		for j, e := range p.eqs {
			copy(wbuf[:weightSize], weights[j*weightSize:])
			rho := ristretto255.NewScalar()
			_ = rho.Decode(wbuf[:]) // < 2^128 < ℓ: canonical
			// ρ·(P + c·T − c·k·G − z·Base) = 0
			scalars = append(scalars, rho)
			points = append(points, e.P)
			rc := ristretto255.NewScalar().Multiply(rho, e.c)
			idx := e.i
			if idx < 0 {
				idx = nc
			}
			if e.useB {
				coefB[idx].Add(coefB[idx], rc)
			} else {
				coefA[idx].Add(coefA[idx], rc)
			}
			if e.k != 0 {
				gCoef.Subtract(gCoef, ristretto255.NewScalar().Multiply(rc, smallScalar(uint64(e.k))))
			}
			rz := ristretto255.NewScalar().Multiply(rho, e.z)
			if e.onKey {
				k.coef.Subtract(k.coef, rz)
			} else {
				gCoef.Subtract(gCoef, rz)
			}
		}
		for i, ct := range p.cts {
			scalars = append(scalars, coefA[i].Add(coefA[i], coefA[nc]), coefB[i].Add(coefB[i], coefB[nc]))
			points = append(points, ct.A, ct.B)
		}
	}
	scalars = append(scalars, gCoef)
	points = append(points, ristretto255.NewElement().Base())
	for _, k := range keys {
		scalars = append(scalars, k.coef)
		points = append(points, k.X)
	}
	sum := varTimeMSM(scalars, points)
	if !isIdentity(sum) {
		return fmt.Errorf("batch of %d ballots: %w", len(items), ErrProof)
	}
	return nil
}

// BatchSize is the number of ballots VerifyAll folds into one multi-scalar
// multiplication.
const BatchSize = 128

// VerifyAll verifies items in batches of BatchSize spread over workers
// goroutines (runtime.GOMAXPROCS(0) when workers <= 0) and returns one error
// per item, nil for a valid ballot. A batch that fails is re-checked one
// ballot at a time, so exactly the invalid ballots get an error; the result
// equals that of calling Verify on each. rng must be safe for concurrent use
// (crypto/rand.Reader is).
func VerifyAll(items []Item, workers int, rng io.Reader) []error {
	errs := make([]error, len(items))
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	chunks := make(chan [2]int)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ch := range chunks {
				batch := items[ch[0]:ch[1]]
				if err := VerifyBatch(batch, rng); err == nil {
					continue
				} else if !errors.Is(err, ErrProof) && !errors.Is(err, ErrInput) && !errors.Is(err, ErrEncoding) && !errors.Is(err, ErrIdentity) {
					for i := range batch {
						errs[ch[0]+i] = err // randomness failed: nothing verified
					}
					continue
				}
				for i, it := range batch {
					errs[ch[0]+i] = it.Ballot.Verify(it.Context, it.Race)
				}
			}
		}()
	}
	for lo := 0; lo < len(items); lo += BatchSize {
		chunks <- [2]int{lo, min(lo+BatchSize, len(items))}
	}
	close(chunks)
	wg.Wait()
	return errs
}
