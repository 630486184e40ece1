package count

import (
	"fmt"
	"runtime"
	"sync"
)

// SchulzeResult is the outcome of a Schulze count.
type SchulzeResult struct {
	// Pairwise[a][b] is the number of voters who rank a above b.
	Pairwise [][]uint64 `json:"pairwise"`
	// Strongest[a][b] is the strength of the strongest path from a to b
	// (winning votes).
	Strongest [][]uint64 `json:"strongest"`
	// Potential lists every candidate a with Strongest[a][b] >=
	// Strongest[b][a] for all b: the Schulze winners before any tie-break.
	Potential []int `json:"potential"`
	// Winner is the elected candidate: Potential[0] when it is alone,
	// otherwise the one preferred by the lot.
	Winner int `json:"winner"`
	// Ranking orders all candidates by the Schulze relation, ties broken
	// by the lot.
	Ranking []int `json:"ranking"`
	// Condorcet is the Condorcet winner (beats every other candidate
	// pairwise), or -1 when there is none.
	Condorcet int `json:"condorcet"`
	// Ties lists the ties broken.
	Ties []Tie `json:"ties"`
}

// Schulze counts a single-winner election by the Schulze method (M. Schulze,
// "A new monotonic, clone-independent, reversal symmetric, and
// Condorcet-consistent single-winner election method", Social Choice and
// Welfare 36 (2011) 267–303, §2–§4), by this exact rule:
//
//   - Pairwise[a][b] counts the voters who rank a strictly above b. A ranked
//     candidate is above every unranked one; candidates ranked equal, and
//     unranked candidates, are not preferred either way.
//   - The link a→b has strength Pairwise[a][b] when Pairwise[a][b] >
//     Pairwise[b][a] and 0 otherwise (winning votes, Schulze §2.1).
//   - Strongest[a][b] is the widest path from a to b (Floyd–Warshall).
//   - a is a potential winner when Strongest[a][b] >= Strongest[b][a] for
//     every b. When several are, the winner is the first in the lot
//     (Options.TieOrder) and the tie is recorded.
//
// Withdrawn candidates are dropped from the count. The pairwise matrix is
// built on all CPUs; the result does not depend on how the work is split.
func Schulze(p *Profile, o Options) (*SchulzeResult, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("schulze: %w", err)
	}
	rank, err := o.lot(len(p.Candidates))
	if err != nil {
		return nil, fmt.Errorf("schulze: %w", err)
	}
	n := len(p.Candidates)
	cont := continuingAtStart(p)
	d := pairwise(p, cont)
	r := &SchulzeResult{Pairwise: d, Condorcet: -1}
	s := make([][]uint64, n)
	for a := range n {
		s[a] = make([]uint64, n)
		for b := range n {
			if a != b && d[a][b] > d[b][a] {
				s[a][b] = d[a][b]
			}
		}
	}
	for k := range n {
		if !cont[k] {
			continue
		}
		sk := s[k]
		for a := range n {
			if a == k || !cont[a] {
				continue
			}
			sa := s[a]
			ak := sa[k]
			if ak == 0 {
				continue
			}
			for b := range n {
				if b == a || b == k {
					continue
				}
				if v := min(ak, sk[b]); v > sa[b] {
					sa[b] = v
				}
			}
		}
	}
	r.Strongest = s
	var ids []int
	for c := range n {
		if cont[c] {
			ids = append(ids, c)
		}
	}
	if len(ids) == 0 {
		return nil, fmt.Errorf("schulze: every candidate has withdrawn")
	}
	for _, a := range ids {
		cw := true
		for _, b := range ids {
			if a != b && d[a][b] <= d[b][a] {
				cw = false
			}
		}
		if cw {
			r.Condorcet = a
		}
	}
	// Ranking: repeatedly take the potential winners among those left.
	left := append([]int(nil), ids...)
	for round := 1; len(left) > 0; round++ {
		var pot []int
		for _, a := range left {
			ok := true
			for _, b := range left {
				if a != b && s[a][b] < s[b][a] {
					ok = false
					break
				}
			}
			if ok {
				pot = append(pot, a)
			}
		}
		if len(pot) == 0 {
			// Cannot happen: the Schulze relation is transitive (Schulze
			// §4.1). Kept so a bug shows as an error, not a loop.
			return nil, fmt.Errorf("schulze: no potential winner among %d candidates", len(left))
		}
		if round == 1 {
			r.Potential = append([]int(nil), pot...)
		}
		best := pickByLot(pot, rank)
		if len(pot) > 1 && round == 1 {
			r.Ties = append(r.Ties, Tie{Round: 1, Purpose: "winner", Among: pot, Chosen: best, By: "lot"})
		}
		r.Ranking = append(r.Ranking, best)
		keep := left[:0]
		for _, c := range left {
			if c != best {
				keep = append(keep, c)
			}
		}
		left = keep
	}
	r.Winner = r.Ranking[0]
	return r, nil
}

// pairwise builds the matrix of pairwise preferences, splitting the ballots
// over the CPUs. Integer sums make the result independent of the split.
func pairwise(p *Profile, cont []bool) [][]uint64 {
	n := len(p.Candidates)
	workers := max(1, min(runtime.GOMAXPROCS(0), len(p.Ballots)/4096))
	flat := make([][]uint64, workers)
	var wg sync.WaitGroup
	chunk := (len(p.Ballots) + workers - 1) / workers
	for w := range workers {
		flat[w] = make([]uint64, n*n)
		lo, hi := w*chunk, min(len(p.Ballots), (w+1)*chunk)
		wg.Add(1)
		go func(m []uint64, bs []Ballot) {
			defer wg.Done()
			addPairs(m, bs, cont, n)
		}(flat[w], p.Ballots[lo:hi])
	}
	wg.Wait()
	d := make([][]uint64, n)
	for a := range n {
		d[a] = make([]uint64, n)
		for w := range workers {
			for b := range n {
				d[a][b] += flat[w][a*n+b]
			}
		}
	}
	for a := range n {
		d[a][a] = 0
	}
	return d
}

func addPairs(m []uint64, bs []Ballot, cont []bool, n int) {
	ranked := make([]bool, n)
	level := make([]int, 0, n)
	for i := range bs {
		b := &bs[i]
		w := b.Count
		o := b.Order
		// Ranked above ranked: strict order unless tied.
		if b.Tied == nil {
			for x := range o {
				row := m[int(o[x])*n:]
				for _, c := range o[x+1:] {
					row[c] += w
				}
			}
		} else {
			level = level[:0]
			l := 0
			for x := range o {
				if x > 0 && !b.Tied[x] {
					l++
				}
				level = append(level, l)
			}
			for x := range o {
				row := m[int(o[x])*n:]
				for y := x + 1; y < len(o); y++ {
					if level[y] > level[x] {
						row[o[y]] += w
					}
				}
			}
		}
		// Ranked above unranked.
		if len(o) < n {
			for _, c := range o {
				ranked[c] = true
			}
			for _, a := range o {
				row := m[int(a)*n:]
				for c := range n {
					if !ranked[c] {
						row[c] += w
					}
				}
			}
			for _, c := range o {
				ranked[c] = false
			}
		}
	}
	_ = cont
}
