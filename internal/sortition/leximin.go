package sortition

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
)

// Units is the denominator of published panel probabilities: a panel of
// Weight w is drawn with probability w/Units, and the weights of a
// distribution add up to Units exactly.
const Units = 1 << 32

// Tolerances of the column generation (docs/sortition.md, "LEXIMIN").
const (
	// improveTol: a pricing panel must beat the dual bound ŷ by more than
	// this to be added; within it, a stage is optimal.
	improveTol = 1e-7
	// fixTol: a type whose dual weight exceeds this at the end of a stage
	// has its probability fixed at the stage's value.
	fixTol = 1e-7
	// perturb scales the perturbation of the master program's rows.
	perturb = 1e-9
)

// Distribution is a lottery over panels that meets every quota, with the
// selection probability it gives each volunteer. It is what a draw
// publishes before (or with) the seed.
type Distribution struct {
	// Seats is the size of every panel.
	Seats int
	// Types groups the volunteers who declared the same value of every
	// feature, sorted by those values (in the order the instance declares
	// features and values); any fair lottery treats them alike.
	Types []Type
	// Panels is the support of the lottery in canonical order (seat counts
	// per type, compared type by type, more seats first); every Weight is
	// positive and the weights add up to Units.
	Panels []Panel
	// Probabilities gives each volunteer's chance of a seat under Panels,
	// in member order.
	Probabilities []MemberProbability
	// Stats describes the computation.
	Stats Stats
}

// Type is a group of volunteers with the same values.
type Type struct {
	Values  []string
	Members []uint32 // strictly increasing
}

// Panel is a panel profile: how many seats go to each type. The members
// holding a type's seats are drawn uniformly among the type (see Draw).
type Panel struct {
	Weight uint64
	Seats  []TypeSeats // increasing Type, every Count positive
}

// TypeSeats gives Count seats to volunteers of Distribution.Types[Type].
type TypeSeats struct {
	Type  int
	Count int
}

// MemberProbability is one volunteer's chance of a seat.
type MemberProbability struct {
	Member      uint32
	Probability float64
}

// Stats describes a LEXIMIN computation: Stages of fixing probabilities,
// Columns (panel profiles) generated, linear programs solved, and whether
// every pricing search finished (Exact) so that the result is proven
// optimal within the tolerances.
type Stats struct {
	Stages  int
	Columns int
	LPs     int
	Exact   bool
}

// Leximin computes the LEXIMIN lottery of the instance: among all lotteries
// over panels that meet the quotas, the one that maximises the smallest
// selection probability, then the second smallest, and so on (Flanigan et
// al., Nature 2021), by column generation over panel profiles: a revised
// simplex of this package for the linear programs (gonum's is dense,
// gives no duals and took 0.3 s for one 110 × 200 program), and for the
// pricing a heuristic backed by an exact branch and bound with a node
// limit (Stats.Exact says whether every stage was proven optimal). The
// published weights are the LP's probabilities rounded to multiples of
// 1/Units (largest remainders, ties to the earlier panel).
//
// If no panel meets the quotas, the error is an *InfeasibleError naming the
// quota at fault where one is.
func Leximin(in Instance) (*Distribution, error) {
	return leximin(in, defaultNodeLimit)
}

func leximin(in Instance, limit int) (*Distribution, error) {
	p, err := compile(&in)
	if err != nil {
		return nil, fmt.Errorf("leximin: %w", err)
	}
	first, err := p.feasible(limit)
	if err != nil {
		return nil, fmt.Errorf("leximin: %w", err)
	}
	T := len(p.types)
	cg := &colgen{p: p, pr: newPricer(p, limit), keys: map[string]int{}, exact: true}
	cg.add(first)
	fixed := make([]bool, T)
	// Every type that can sit at all gets a panel that seats it.
	inSome := make([]bool, T)
	for t := range T {
		for _, x := range cg.cols {
			if x[t] > 0 {
				inSome[t] = true
			}
		}
		if inSome[t] {
			continue
		}
		x, found, exact := cg.pr.seating(t)
		if !found {
			if !exact {
				return nil, fmt.Errorf("leximin: no panel seating type %d (member %d) found within %d search steps", t, p.types[t].members[0], limit)
			}
			fixed[t] = true // no panel seats this type
			continue
		}
		cg.add(x)
		for u := range T {
			if x[u] > 0 {
				inSome[u] = true
			}
		}
	}
	stages := 0
	var lambda []float64
	var mst *master
	if slices.Contains(fixed, false) {
		if mst, err = newMaster(cg, fixed); err != nil {
			return nil, fmt.Errorf("leximin: %w", err)
		}
	}
	for slices.Contains(fixed, false) {
		stages++
		var pi []float64
		for {
			pi, err = mst.lp.solve()
			cg.lps++
			if err != nil {
				return nil, fmt.Errorf("leximin stage %d: %w", stages, err)
			}
			yhat := -pi[mst.conv]
			w := make([]float64, T)
			for t := range T {
				if r := mst.rowOf[t]; r >= 0 {
					w[t] = pi[r] / float64(len(p.types[t].members))
				}
			}
			x, _, found, exact := cg.pr.solveAbove(w, yhat+improveTol, true)
			if !found {
				cg.exact = cg.exact && exact
				break
			}
			if !cg.add(x) {
				return nil, fmt.Errorf("leximin stage %d: pricing returned a panel already priced (numerical trouble)", stages)
			}
			mst.addPanel(x)
		}
		z := mst.z()
		var now []int
		for t := range T {
			if !fixed[t] && pi[mst.rowOf[t]] > fixTol {
				fixed[t] = true
				now = append(now, t)
			}
		}
		if len(now) == 0 {
			return nil, fmt.Errorf("leximin stage %d: no probability fixed (numerical trouble)", stages)
		}
		lambda = mst.lambda()
		if err := mst.fix(now, z); err != nil {
			return nil, fmt.Errorf("leximin stage %d: %w", stages, err)
		}
	}
	if lambda == nil { // no stage ran: the first profile alone
		lambda = make([]float64, len(cg.cols))
		lambda[0] = 1
	}
	d := publish(p, cg.cols, lambda)
	d.Stats = Stats{Stages: stages, Columns: len(cg.cols), LPs: cg.lps, Exact: cg.exact}
	return d, nil
}

// colgen holds the panel profiles generated so far.
type colgen struct {
	p     *problem
	pr    *pricer
	cols  [][]int // seats per type
	keys  map[string]int
	lps   int
	exact bool
}

// add appends the profile x unless it is already present, and reports
// whether it was new.
func (cg *colgen) add(x []int) bool {
	key := make([]byte, 0, 2*len(x))
	for _, v := range x {
		key = binary.AppendUvarint(key, uint64(v))
	}
	if _, ok := cg.keys[string(key)]; ok {
		return false
	}
	cg.keys[string(key)] = len(cg.cols)
	cg.cols = append(cg.cols, slices.Clone(x))
	return true
}

// master is the linear program of the current stage over the panel
// profiles found so far, in equality form for the revised simplex:
//
//	minimise  −z
//	such that Σ_P λ[P]·a(P,t) − z − s[t] = 0       for every type t not fixed,
//	          Σ_P λ[P]·a(P,t) − s[t] = prob[t]      for every type t fixed,
//	          Σ_P λ[P] = 1,   λ, z, s ≥ 0,
//
// where a(P,t) = seats of t in P / volunteers of type t; types no panel
// can seat have no row. Against degeneracy (every type row has right-hand
// side 0), row r's right-hand side is lowered by perturb·(1 + r/m), so the
// slacks of the first basis are all distinct and positive; z is then
// overstated by at most 2·perturb, far below the tolerances. The duals π of the type rows are the weights of
// the pricing, and −π of the last row is the bound ŷ a new panel must
// beat. Between stages the program changes in place: the rows of the
// types just fixed lose z and take the stage's value z as right-hand
// side, which the current basic solution still satisfies, so the next
// stage starts where this one ended.
type master struct {
	lp    *revised
	rowOf []int // row of each type, −1 for types fixed at 0
	conv  int   // the row Σ λ = 1
	first int   // index of the first panel column
	cg    *colgen
}

func newMaster(cg *colgen, fixed []bool) (*master, error) {
	p := cg.p
	mst := &master{rowOf: make([]int, len(p.types)), cg: cg}
	var rows []int
	for t := range p.types {
		mst.rowOf[t] = -1
		if fixed[t] {
			continue
		}
		mst.rowOf[t] = len(rows)
		rows = append(rows, t)
	}
	m := len(rows) + 1
	mst.conv = len(rows)
	b := make([]float64, m)
	b[mst.conv] = 1
	zc := column{cost: -1}
	for r := range rows {
		zc.rows = append(zc.rows, r)
		zc.vals = append(zc.vals, -1)
		b[r] = -perturb * (1 + float64(r)/float64(m))
	}
	// Start from the first panel: λ = 1 on it, z = 0, s = its a(P,t).
	cols := []column{zc}
	basis := make([]int, m)
	for r := range rows {
		cols = append(cols, column{rows: []int{r}, vals: []float64{-1}}) // s[t]
		basis[r] = len(cols) - 1
	}
	mst.first = len(cols)
	for _, x := range cg.cols {
		cols = append(cols, mst.panelColumn(x))
	}
	basis[mst.conv] = mst.first
	lp, err := newRevised(m, b, cols, basis)
	if err != nil {
		return nil, fmt.Errorf("stage program: %w", err)
	}
	mst.lp = lp
	return mst, nil
}

// fix turns the rows of the types ts into fixed rows at probability z
// (less the row's perturbation).
// The basis stays as it was when that keeps it invertible (by the
// Sherman–Morrison formula, when 1 + Σ_{r in ts} B⁻¹[z, r] ≠ 0); otherwise
// z leaves the basis for the slack of the fixed row with the largest
// |B⁻¹[z, r]|, which keeps it invertible and feasible (z restarts at 0).
func (mst *master) fix(ts []int, z float64) error {
	lp := mst.lp
	zc := &lp.cols[0]
	drop := make(map[int]bool, len(ts))
	for _, t := range ts {
		drop[mst.rowOf[t]] = true
		lp.b[mst.rowOf[t]] = z
	}
	var rows []int
	var vals []float64
	for k, r := range zc.rows {
		if !drop[r] {
			rows = append(rows, r)
			vals = append(vals, zc.vals[k])
		}
	}
	zc.rows, zc.vals = rows, vals
	if len(rows) == 0 {
		return nil // every type fixed: the program is done
	}
	if pz := lp.pos[0]; pz >= 0 {
		g, out, big := 1.0, -1, 0.0
		for _, t := range ts {
			r := mst.rowOf[t]
			v := lp.binv[pz*lp.m+r]
			g += v
			if a := math.Abs(v); a > big {
				out, big = r, a
			}
		}
		if math.Abs(g) < 1e-7 {
			sc := 1 + out // the slack of row out
			lp.pos[0], lp.pos[sc] = -1, pz
			lp.basis[pz] = sc
		}
	}
	return lp.refactor()
}

func (mst *master) panelColumn(x []int) column {
	p := mst.cg.p
	var c column
	for t, n := range x {
		if n > 0 && mst.rowOf[t] >= 0 {
			c.rows = append(c.rows, mst.rowOf[t])
			c.vals = append(c.vals, float64(n)/float64(len(p.types[t].members)))
		}
	}
	c.rows = append(c.rows, mst.conv)
	c.vals = append(c.vals, 1)
	return c
}

func (mst *master) addPanel(x []int) { mst.lp.add(mst.panelColumn(x)) }

// z is the stage's value: the probability every unfixed type gets at least.
func (mst *master) z() float64 { return mst.lp.value(0) }

// lambda is the lottery over cg.cols, read from a fresh basis inverse
// when the updated one has drifted at all.
func (mst *master) lambda() []float64 {
	if mst.lp.residual() > 1e-12 {
		// On failure the updated values stand; they are within residualTol.
		_ = mst.lp.refactor()
	}
	l := make([]float64, len(mst.cg.cols))
	for i := range l {
		l[i] = mst.lp.value(mst.first + i)
	}
	return l
}

// publish rounds lambda to weights in units of 1/Units over the profiles in
// canonical order and computes every member's probability from the
// rounded weights.
func publish(p *problem, cols [][]int, lambda []float64) *Distribution {
	order := make([]int, len(cols))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return comparePanels(cols[a], cols[b]) })
	weights := roundUnits(order, lambda)
	d := &Distribution{Seats: p.seats}
	for _, ty := range p.types {
		vals := make([]string, len(ty.cells))
		for f, c := range ty.cells {
			vals[f] = p.in.Features[f].Values[p.cells[c].value].Value
		}
		d.Types = append(d.Types, Type{Values: vals, Members: slices.Clone(ty.members)})
	}
	seatUnits := make([]uint64, len(p.types)) // Σ weight × seats, per type
	for k, i := range order {
		if weights[k] == 0 {
			continue
		}
		pn := Panel{Weight: weights[k]}
		for t, n := range cols[i] {
			if n > 0 {
				pn.Seats = append(pn.Seats, TypeSeats{Type: t, Count: n})
				seatUnits[t] += weights[k] * uint64(n)
			}
		}
		d.Panels = append(d.Panels, pn)
	}
	d.Probabilities = probabilities(d.Types, seatUnits)
	return d
}

// probabilities turns Σ weight × seats per type into each member's
// probability, in member order.
func probabilities(types []Type, seatUnits []uint64) []MemberProbability {
	var out []MemberProbability
	for t, ty := range types {
		pr := float64(seatUnits[t]) / (Units * float64(len(ty.Members)))
		for _, m := range ty.Members {
			out = append(out, MemberProbability{Member: m, Probability: pr})
		}
	}
	slices.SortFunc(out, func(a, b MemberProbability) int { return int(int64(a.Member) - int64(b.Member)) })
	return out
}

// comparePanels orders profiles type by type, more seats first.
func comparePanels(a, b []int) int {
	for t := range a {
		if a[t] != b[t] {
			return b[t] - a[t]
		}
	}
	return 0
}

// roundUnits rounds the probabilities lambda (indexed by profile, taken in
// order) to integers adding up to Units: negative values count as 0, the
// rest are scaled to sum 1, each gets the floor of its share of Units, and
// the units left over go one each to the largest fractional parts, ties to
// the earlier profile in order. The result is indexed like order.
func roundUnits(order []int, lambda []float64) []uint64 {
	sum := 0.0
	for _, i := range order {
		sum += max(lambda[i], 0)
	}
	if !(sum > 0) { // cannot happen for a solved program; keep the sum exact anyway
		lambda = make([]float64, len(lambda))
		lambda[order[0]], sum = 1, 1
	}
	w := make([]uint64, len(order))
	frac := make([]float64, len(order))
	var total uint64
	for k, i := range order {
		v := max(lambda[i], 0) / sum * Units
		f := math.Floor(v)
		w[k] = uint64(f)
		frac[k] = v - f
		total += w[k]
	}
	idx := make([]int, len(order))
	for k := range idx {
		idx[k] = k
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case frac[a] > frac[b]:
			return -1
		case frac[a] < frac[b]:
			return 1
		}
		return a - b
	})
	for j := 0; total < Units; j++ {
		w[idx[j%len(idx)]]++
		total++
	}
	for j := len(idx) - 1; total > Units; j-- {
		k := idx[(j%len(idx)+len(idx))%len(idx)]
		if w[k] > 0 {
			w[k]--
			total--
		}
	}
	return w
}

// errNoPanels is returned by Draw for an empty distribution.
var errNoPanels = errors.New("distribution has no panel")
