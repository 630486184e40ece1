package sortition

import (
	"math"
	"slices"
)

// pricer finds, for weights w (one per type, the value of each seat given
// to a volunteer of that type), a panel profile meeting every quota with a
// large total weight Σ x[t]·w[t]: the integer program of LEXIMIN's column
// generation (docs/sortition.md, "Pricing"). It first chooses Lagrange
// multipliers for the quota cells, then tries a deterministic heuristic,
// then runs an exact depth-first branch and bound:
//
//   - types are taken in order of Lagrange-adjusted weight, highest first,
//     ties by type number; each type's seat count is tried from its largest
//     admissible value down (from 0 up when its adjusted weight is
//     negative);
//   - a node is cut when the quotas of any single feature cannot be met by
//     the types still to come, or when its value plus a bound on the rest
//     cannot beat the floor or the best panel found.
//
// The bound is the lesser of the Lagrangian bound and, per feature, the
// best completion that respects that one feature's quotas alone (solved
// exactly by taking each value's missing minimum from its heaviest types,
// then the heaviest seats left within the maximums), never more than the
// heaviest seats left with no quota at all. Each is a relaxation, so the
// search is exact unless it reaches its node limit.
type pricer struct {
	p      *problem
	limit  int
	nodes  int
	cut    bool // the node limit was reached
	stop   bool // a panel worth enough was found
	w      []float64
	ord    []int
	x      []int // seats per type on the current path
	cnt    []int // seats per cell on the current path
	best   float64
	bestX  []int
	found  bool
	take   []int     // scratch: seats per type in a bound
	taken  []int     // scratch: seats per cell in a bound
	needOf []int     // scratch: missing minimum per cell
	rank   []int     // rank[t] is t's position in ord
	wOrd   []int     // types by w, highest first
	pi     []float64 // Lagrange multipliers per cell
	adj    []float64 // w[t] − Σ_{c of t} pi[c]
	adjOrd []int     // types by adj, highest first
	floor  float64   // panels must beat this to count
	enough float64   // a panel worth this much ends the search
}

// defaultNodeLimit bounds one pricing search; reaching it is reported and
// the best panel found so far is used.
const defaultNodeLimit = 50_000

// priceEps is how much a panel must beat another to replace it in the
// search, so that ties keep the first panel found.
const priceEps = 1e-12

func newPricer(p *problem, limit int) *pricer {
	n := len(p.types)
	return &pricer{
		p: p, limit: limit,
		ord: make([]int, n), x: make([]int, n), bestX: make([]int, n), take: make([]int, n),
		cnt: make([]int, len(p.cells)), taken: make([]int, len(p.cells)), needOf: make([]int, len(p.cells)),
		rank: make([]int, n), wOrd: make([]int, n), pi: make([]float64, len(p.cells)), adj: make([]float64, n), adjOrd: make([]int, n),
	}
}

// solve returns the best panel for weights w (seats per type), its value,
// whether any panel meets the quotas, and whether the search was exact.
// The returned slice is fresh.
func (pr *pricer) solve(w []float64) (x []int, value float64, found, exact bool) {
	return pr.solveAbove(w, math.Inf(-1), false)
}

// solveAbove is solve restricted to panels worth more than floor: it
// reports found = false, exactly, when there is none. With first, it
// returns the first such panel found (the heuristic's, when it has one)
// rather than the best.
func (pr *pricer) solveAbove(w []float64, floor float64, first bool) (x []int, value float64, found, exact bool) {
	pr.w, pr.floor = w, floor
	for i := range pr.wOrd {
		pr.wOrd[i] = i
	}
	sortByWeight(pr.wOrd, w)
	pr.lagrange()
	copy(pr.ord, pr.adjOrd)
	for i, t := range pr.ord {
		pr.rank[t] = i
	}
	clear(pr.x)
	clear(pr.cnt)
	pr.nodes, pr.cut, pr.stop, pr.found, pr.best = 0, false, false, false, 0
	if hx, hv, ok := pr.heuristic(-1); ok && hv > floor+priceEps {
		if first {
			return hx, hv, true, true
		}
		pr.found, pr.best = true, hv
		copy(pr.bestX, hx)
	}
	pr.enough = math.Inf(1)
	if first {
		pr.enough = floor
	}
	pr.dfs(0, 0, 0)
	if !pr.found {
		return nil, 0, false, !pr.cut
	}
	return slices.Clone(pr.bestX), pr.best, true, !pr.cut
}

func (pr *pricer) dfs(pos, used int, val float64) {
	if pr.cut || pr.stop {
		return
	}
	pr.nodes++
	if pr.nodes > pr.limit {
		pr.cut = true
		return
	}
	p := pr.p
	r := p.seats - used
	if r == 0 {
		for c := range p.cells {
			if pr.cnt[c] < p.cells[c].lo {
				return
			}
		}
		if val > pr.floor+priceEps && (!pr.found || val > pr.best+priceEps) {
			pr.found, pr.best = true, val
			copy(pr.bestX, pr.x)
			if val >= pr.enough {
				pr.stop = true
			}
		}
		return
	}
	if pos == len(pr.ord) {
		return
	}
	// The Lagrangian bound is the cheaper: one pass over the types.
	if lb := pr.lagrangeBound(pos, r); val+lb <= pr.floor+priceEps || (pr.found && val+lb <= pr.best+priceEps) {
		return
	}
	b, ok := pr.bound(pos, r)
	if !ok || val+b <= pr.floor+priceEps || (pr.found && val+b <= pr.best+priceEps) {
		return
	}
	t := pr.ord[pos]
	ty := &p.types[t]
	m := min(len(ty.members), r)
	for _, c := range ty.cells {
		m = min(m, p.cells[c].hi-pr.cnt[c])
	}
	for i := 0; i <= m; i++ {
		k := m - i
		if pr.adj[t] < 0 {
			k = i
		}
		pr.x[t] = k
		for _, c := range ty.cells {
			pr.cnt[c] += k
		}
		pr.dfs(pos+1, used+k, val+float64(k)*pr.w[t])
		for _, c := range ty.cells {
			pr.cnt[c] -= k
		}
		pr.x[t] = 0
		if pr.cut || pr.stop {
			return
		}
	}
}

// bound returns an upper bound on the weight that r more seats from the
// types ord[pos:] can add, and false if some feature's quotas cannot be
// met by them.
func (pr *pricer) bound(pos, r int) (float64, bool) {
	p := pr.p
	// No quota at all: the r heaviest seats.
	best, left := 0.0, r
	for _, t := range pr.wOrd {
		if left == 0 {
			break
		}
		if pr.rank[t] < pos {
			continue
		}
		k := min(len(p.types[t].members), left)
		best += float64(k) * pr.w[t]
		left -= k
	}
	if left > 0 {
		return 0, false
	}
	for f := range p.featCell {
		need := 0
		for _, c := range p.featCell[f] {
			pr.needOf[c] = max(0, p.cells[c].lo-pr.cnt[c])
			pr.taken[c] = 0
			need += pr.needOf[c]
		}
		if need > r {
			return 0, false
		}
		sum := 0.0
		for _, t := range pr.wOrd {
			if pr.rank[t] < pos {
				pr.take[t] = 0
				continue
			}
			c := p.types[t].cells[f]
			k := min(len(p.types[t].members), r, pr.needOf[c]-pr.taken[c])
			pr.take[t] = k
			pr.taken[c] += k
			sum += float64(k) * pr.w[t]
		}
		for _, c := range p.featCell[f] {
			if pr.taken[c] < pr.needOf[c] {
				return 0, false
			}
		}
		left := r - need
		for _, t := range pr.wOrd {
			if left == 0 {
				break
			}
			if pr.rank[t] < pos {
				continue
			}
			c := p.types[t].cells[f]
			k := min(min(len(p.types[t].members), r)-pr.take[t], p.cells[c].hi-pr.cnt[c]-pr.taken[c], left)
			if k > 0 {
				pr.taken[c] += k
				sum += float64(k) * pr.w[t]
				left -= k
			}
		}
		if left > 0 {
			return 0, false
		}
		best = min(best, sum)
	}
	return best, true
}

// sortByWeight orders types by w, highest first, ties by type number.
func sortByWeight(ord []int, w []float64) {
	slices.SortFunc(ord, func(a, b int) int { // a total order: ties by type number
		switch {
		case w[a] > w[b]:
			return -1
		case w[a] < w[b]:
			return 1
		}
		return a - b
	})
}

// lagrangeIters is the number of subgradient steps taken per pricing
// search to choose the multipliers of the Lagrangian bound.
const lagrangeIters = 60

// lagrange chooses multipliers pi (one per quota cell) for the Lagrangian
// bound by a fixed number of subgradient steps from pi = 0, keeping the
// multipliers of the least bound seen. Any multipliers give a valid bound;
// good ones give a tight one.
func (pr *pricer) lagrange() {
	p := pr.p
	clear(pr.pi)
	best := math.Inf(1)
	bestPi := slices.Clone(pr.pi)
	scale := 0.0
	for _, v := range pr.w {
		scale = max(scale, math.Abs(v))
	}
	if scale == 0 {
		pr.adjust()
		return
	}
	step := scale
	n := make([]int, len(p.cells))
	for range lagrangeIters {
		pr.adjust()
		clear(n)
		val, left := pr.lagrangeConst(0), p.seats
		for _, t := range pr.adjOrd {
			if left == 0 {
				break
			}
			k := min(len(p.types[t].members), left)
			val += float64(k) * pr.adj[t]
			left -= k
			for _, c := range p.types[t].cells {
				n[c] += k
			}
		}
		if val < best {
			best = val
			copy(bestPi, pr.pi)
		}
		norm := 0.0
		g := make([]float64, len(p.cells))
		for c, cl := range p.cells {
			var target float64
			switch {
			case pr.pi[c] > 0:
				target = float64(cl.hi)
			case pr.pi[c] < 0:
				target = float64(cl.lo)
			default:
				target = float64(min(max(n[c], cl.lo), cl.hi))
			}
			g[c] = target - float64(n[c])
			norm += g[c] * g[c]
		}
		if norm == 0 {
			break
		}
		for c := range g {
			pr.pi[c] -= step * g[c] / math.Sqrt(norm)
		}
		step *= 0.9
	}
	copy(pr.pi, bestPi)
	pr.adjust()
}

// adjust recomputes adj and adjOrd from w and pi.
func (pr *pricer) adjust() {
	for t := range pr.adj {
		a := pr.w[t]
		for _, c := range pr.p.types[t].cells {
			a -= pr.pi[c]
		}
		pr.adj[t] = a
		pr.adjOrd[t] = t
	}
	sortByWeight(pr.adjOrd, pr.adj)
}

// lagrangeConst is Σ_c pi[c]·(hi[c] − cnt[c]) for pi[c] ≥ 0 and
// pi[c]·max(0, lo[c] − cnt[c]) otherwise, with cnt the seats per cell
// already given (all zero when used is 0).
func (pr *pricer) lagrangeConst(used int) float64 {
	s := 0.0
	for c, cl := range pr.p.cells {
		n := 0
		if used > 0 {
			n = pr.cnt[c]
		}
		if pr.pi[c] >= 0 {
			s += pr.pi[c] * float64(cl.hi-n)
		} else {
			s += pr.pi[c] * float64(max(0, cl.lo-n))
		}
	}
	return s
}

// lagrangeBound bounds what r more seats from the types not yet decided
// (rank ≥ pos) can add: relaxing every quota with the multipliers pi, the
// best is the r seats of highest adjusted weight plus lagrangeConst.
func (pr *pricer) lagrangeBound(pos, r int) float64 {
	val, left := pr.lagrangeConst(1), r
	for _, t := range pr.adjOrd {
		if left == 0 {
			break
		}
		if pr.rank[t] < pos {
			continue
		}
		k := min(len(pr.p.types[t].members), left)
		val += float64(k) * pr.adj[t]
		left -= k
	}
	return val
}

// seating returns a panel that seats type t, and whether the search was
// exact when it finds none.
func (pr *pricer) seating(t int) ([]int, bool, bool) {
	w := make([]float64, len(pr.p.types))
	w[t] = 1
	pr.w = w
	for i := range pr.wOrd {
		pr.wOrd[i] = i
	}
	sortByWeight(pr.wOrd, w)
	pr.lagrange()
	if x, _, ok := pr.heuristic(t); ok {
		return x, true, true
	}
	x, _, found, exact := pr.solveAbove(w, 0.5, true)
	return x, found, exact
}
