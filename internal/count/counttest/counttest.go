// Package counttest generates synthetic elections for benchmarks and
// property tests of package count. Generation is deterministic: the same
// seed gives the same ballots on every machine. It is kept out of package
// count, which holds no randomness.
package counttest

import (
	"fmt"
	"math/rand/v2"

	"github.com/folkmoot/folkmoot/internal/count"
)

// Ranked describes a synthetic ranked election.
type Ranked struct {
	Seed       uint64
	Voters     int
	Candidates int
	// MaxLen bounds the length of each ranking (0: rank every candidate).
	MaxLen int
	// Spread flattens popularity: candidate c is drawn with weight
	// 1/(c+Spread). Larger means more distinct ballots; 0 means 1.
	Spread float64
}

// Each calls fn with every synthetic ballot in turn (fn must not keep
// order). Rankings are drawn without replacement with weights 1/(c+Spread)
// (a Plackett–Luce model), their length uniform in 1..MaxLen.
func (r Ranked) Each(fn func(order []int) error) error {
	if r.Candidates < 1 {
		return fmt.Errorf("synthetic election needs candidates")
	}
	maxLen := r.MaxLen
	if maxLen <= 0 || maxLen > r.Candidates {
		maxLen = r.Candidates
	}
	spread := r.Spread
	if spread <= 0 {
		spread = 1
	}
	rng := rand.New(rand.NewPCG(r.Seed, r.Seed^0x9e3779b97f4a7c15))
	base := make([]float64, r.Candidates)
	for c := range base {
		base[c] = 1 / (float64(c) + spread)
	}
	w := make([]float64, r.Candidates)
	order := make([]int, 0, r.Candidates)
	for range r.Voters {
		copy(w, base)
		var total float64
		for _, x := range w {
			total += x
		}
		n := 1 + rng.IntN(maxLen)
		order = order[:0]
		for range n {
			x := rng.Float64() * total
			c := 0
			for ; c < len(w)-1; c++ {
				if x < w[c] {
					break
				}
				x -= w[c]
			}
			for w[c] == 0 { // rounding landed on a drawn candidate
				c = (c + len(w) - 1) % len(w)
			}
			order = append(order, c)
			total -= w[c]
			w[c] = 0
		}
		if err := fn(order); err != nil {
			return err
		}
	}
	return nil
}

// Profile builds the aggregated profile of r.
func (r Ranked) Profile() (*count.Profile, error) {
	names := make([]string, r.Candidates)
	for i := range names {
		names[i] = fmt.Sprintf("C%d", i+1)
	}
	b, err := count.NewBuilder(names)
	if err != nil {
		return nil, err
	}
	if err := r.Each(func(o []int) error { return b.Add(o, nil, 1) }); err != nil {
		return nil, err
	}
	return b.Profile(), nil
}
