package sortition

import (
	"fmt"
	"math"
	"slices"
)

// greedyAttempts bounds the restarts of one greedy draw.
const greedyAttempts = 1000

// Greedy draws one panel by the sequential method many sortition bodies
// used before LEXIMIN (the "legacy" algorithm of Flanigan et al.): seat by
// seat, among the quota cells still short of their minimum it takes the
// one with the largest ratio of missing seats to volunteers left who have
// that value (ties to the cell declared first), and seats a volunteer drawn
// uniformly among those left in that cell (among everyone left when no cell
// is short); after each seat, volunteers who would overfill a cell leave
// the pool. If the pool runs dry or a minimum can no longer be met, the
// draw starts again on the same stream, up to 1000 times. All draws come
// from the stream of seed under TagGreedy. It is kept for comparison: its
// selection probabilities are neither computed nor fair.
func Greedy(seed [32]byte, in Instance) ([]uint32, error) {
	p, err := compile(&in)
	if err != nil {
		return nil, fmt.Errorf("greedy draw: %w", err)
	}
	g := newGreedy(p)
	s := NewStream(seed, TagGreedy)
	for range greedyAttempts {
		if panel, ok := g.once(s); ok {
			return panel, nil
		}
	}
	return nil, fmt.Errorf("greedy draw: no panel after %d attempts", greedyAttempts)
}

// GreedyProbabilities estimates each volunteer's selection probability
// under Greedy from runs successive draws on one stream of seed (so the
// estimate, too, is reproducible), in member order.
func GreedyProbabilities(seed [32]byte, in Instance, runs int) ([]MemberProbability, error) {
	p, err := compile(&in)
	if err != nil {
		return nil, fmt.Errorf("greedy probabilities: %w", err)
	}
	if runs < 1 {
		return nil, fmt.Errorf("greedy probabilities: %d runs", runs)
	}
	g := newGreedy(p)
	s := NewStream(seed, TagGreedy)
	hits := make(map[uint32]int, len(in.Volunteers))
	for r := range runs {
		ok := false
		for range greedyAttempts {
			var panel []uint32
			if panel, ok = g.once(s); ok {
				for _, m := range panel {
					hits[m]++
				}
				break
			}
		}
		if !ok {
			return nil, fmt.Errorf("greedy probabilities: run %d found no panel after %d attempts", r, greedyAttempts)
		}
	}
	out := make([]MemberProbability, len(in.Volunteers))
	for i, v := range in.Volunteers {
		out[i] = MemberProbability{Member: v.Member, Probability: float64(hits[v.Member]) / float64(runs)}
	}
	return out, nil
}

type greedy struct {
	p       *problem
	members []uint32 // all volunteers, in member order
	cells   [][]int  // cells of each volunteer
}

func newGreedy(p *problem) *greedy {
	g := &greedy{p: p}
	for _, v := range p.in.Volunteers {
		g.members = append(g.members, v.Member)
	}
	cellOf := make(map[uint32][]int, len(g.members))
	for _, ty := range p.types {
		for _, m := range ty.members {
			cellOf[m] = ty.cells
		}
	}
	for _, m := range g.members {
		g.cells = append(g.cells, cellOf[m])
	}
	return g
}

// once tries one greedy draw.
func (g *greedy) once(s *Stream) ([]uint32, bool) {
	p := g.p
	pool := make([]int, len(g.members)) // indexes into members, increasing
	for i := range pool {
		pool[i] = i
	}
	cnt := make([]int, len(p.cells))
	avail := make([]int, len(p.cells))
	var panel []uint32
	for range p.seats {
		clear(avail)
		for _, i := range pool {
			for _, c := range g.cells[i] {
				avail[c]++
			}
		}
		best, ratio := -1, 0.0
		for c, cl := range p.cells {
			need := cl.lo - cnt[c]
			if need <= 0 {
				continue
			}
			if avail[c] < need {
				return nil, false
			}
			if r := float64(need) / float64(avail[c]); best < 0 || r > ratio {
				best, ratio = c, r
			}
		}
		var cand []int
		if best < 0 {
			cand = pool
		} else {
			for _, i := range pool {
				if slices.Contains(g.cells[i], best) {
					cand = append(cand, i)
				}
			}
		}
		if len(cand) == 0 {
			return nil, false
		}
		pick := cand[s.Below(uint64(len(cand)))]
		panel = append(panel, g.members[pick])
		for _, c := range g.cells[pick] {
			cnt[c]++
		}
		next := pool[:0:0]
		for _, i := range pool {
			if i == pick {
				continue
			}
			full := false
			for _, c := range g.cells[i] {
				if cnt[c] >= p.cells[c].hi {
					full = true
				}
			}
			if !full {
				next = append(next, i)
			}
		}
		pool = next
	}
	for c, cl := range p.cells {
		if cnt[c] < cl.lo {
			return nil, false
		}
	}
	slices.Sort(panel)
	return panel, true
}

// Summary describes a vector of selection probabilities: the least and
// greatest, the mean, the Gini coefficient (0 when all are equal), and the
// share of volunteers whose probability is below half the mean (by more
// than a relative 10⁻⁶).
type Summary struct {
	Min, Max, Mean, Gini, BelowHalfMean float64
}

// Summarize computes the Summary of ps.
func Summarize(ps []MemberProbability) Summary {
	if len(ps) == 0 {
		return Summary{}
	}
	v := make([]float64, len(ps))
	for i, x := range ps {
		v[i] = x.Probability
	}
	slices.Sort(v)
	sum, weighted := 0.0, 0.0
	for i, x := range v {
		sum += x
		weighted += float64(i+1) * x
	}
	n := float64(len(v))
	s := Summary{Min: v[0], Max: v[len(v)-1], Mean: sum / n}
	if sum > 0 {
		s.Gini = 2*weighted/(n*sum) - (n+1)/n
	}
	below := 0
	for _, x := range v {
		if x < s.Mean/2*(1-1e-6) { // tolerance: LP values sit just below exact ones
			below++
		}
	}
	s.BelowHalfMean = float64(below) / n
	s.Gini = math.Max(s.Gini, 0)
	return s
}
