package count

import (
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"sort"
)

// Utility says how much a voter gains from a project they support.
type Utility string

const (
	// CostUtility values a supported project at its cost (the variant
	// used by the cities that adopted MES, e.g. Wieliczka 2023).
	CostUtility Utility = "cost"
	// ApprovalUtility values every supported project at 1.
	ApprovalUtility Utility = "approval"
)

// MESOptions choose the variant of the Method of Equal Shares.
type MESOptions struct {
	// Utility is CostUtility or ApprovalUtility; empty means CostUtility.
	Utility Utility
	// Add1 turns on the standard completion (Pabulib's "add1", as
	// equalshares.net runs it): every voter's budget is raised by one
	// currency unit at a time and MES run again, until the outcome would
	// cost more than the budget (or funds every supported project); the
	// last outcome within the budget is kept.
	Add1 bool
	// Fill funds, after MES, the remaining projects greedily (in Greedy's
	// order) while they fit in what is left of the budget.
	Fill bool
}

// MES funds projects by the Method of Equal Shares for approval ballots
// (Peters, Pierczyński and Skowron, "Proportional Participatory Budgeting
// with Additive Utilities", NeurIPS 2021; https://equalshares.net), by this
// exact rule:
//
//   - The budget is split equally: each of the n voters holds budget/n.
//   - A project is affordable when its supporters together hold at least
//     its cost. For an affordable project, its price per unit of utility ρ
//     is the least ρ such that the supporters, each paying
//     min(their money, ρ × their utility), pay the cost exactly.
//   - The affordable project with the least ρ is funded and each supporter
//     pays min(their money, ρ × utility); repeat until no project is
//     affordable. Equal ρ is broken by more supporters, then lower cost,
//     then file order, and recorded.
//   - Options: utilities (cost or approval), the add-one completion and a
//     greedy fill (see MESOptions).
//
// Arithmetic is exact: money is counted in 1/n of a currency unit, ρ is
// compared as an exact fraction, and each voter's share is rounded up to the
// next 1/n of a currency unit (so every project is paid in full and the
// total never exceeds the budget). Ballots that list several projects count
// as approving each; points and ranks are ignored.
func MES(e *PBElection, o MESOptions) (*PBResult, error) {
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("mes: %w", err)
	}
	if o.Utility == "" {
		o.Utility = CostUtility
	}
	if o.Utility != CostUtility && o.Utility != ApprovalUtility {
		return nil, fmt.Errorf("mes: utility must be %q or %q, not %q", CostUtility, ApprovalUtility, o.Utility)
	}
	n := e.NumVoters()
	m := newMES(e, o.Utility)
	name := "mes/" + string(o.Utility)
	if o.Add1 {
		name += "/add1"
	}
	if o.Fill {
		name += "/fill"
	}
	r := &PBResult{Method: name, Budget: e.Budget, Scores: e.scores()}
	if n == 0 {
		return r, finishFill(e, r, o.Fill)
	}
	maxCost := uint64(0)
	for _, p := range e.Projects {
		maxCost = max(maxCost, p.Cost)
	}
	if hi, lo := bits.Mul64(max(maxCost, e.Budget), n); hi != 0 || lo > math.MaxUint64/4 {
		return nil, fmt.Errorf("mes: budget and costs too large for %d voters", n)
	}
	best := m.run(e.Budget)
	if o.Add1 {
		for k := uint64(1); ; k++ {
			if m.complete(best) {
				break
			}
			per := e.Budget + k*n
			if per > math.MaxUint64/4/max(1, n) {
				break
			}
			out := m.run(per)
			if out.cost > e.Budget {
				break
			}
			best = out
			r.Increments = k
		}
	}
	r.Winners = best.winners
	r.Cost = best.cost
	r.Rounds = best.rounds
	r.Ties = best.ties
	return r, finishFill(e, r, o.Fill)
}

func finishFill(e *PBElection, r *PBResult, fill bool) error {
	if !fill {
		return nil
	}
	g, err := Greedy(e)
	if err != nil {
		return err
	}
	in := make([]bool, len(e.Projects))
	for _, p := range r.Winners {
		in[p] = true
	}
	order := make([]int, len(e.Projects))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if g.Scores[a] != g.Scores[b] {
			return g.Scores[a] > g.Scores[b]
		}
		return e.Projects[a].Cost < e.Projects[b].Cost
	})
	for _, p := range order {
		if in[p] || e.Projects[p].Cost > e.Budget-r.Cost {
			continue
		}
		in[p] = true
		r.Winners = append(r.Winners, p)
		r.Cost += e.Projects[p].Cost
		r.Rounds = append(r.Rounds, PBRound{Project: p, Score: g.Scores[p], Phase: "greedy"})
	}
	return nil
}

type mesState struct {
	e         *PBElection
	utility   Utility
	n         uint64
	weight    []uint64  // voters per group
	supp      [][]int32 // project -> supporting groups
	approvals []uint64
	// scratch
	budget []uint64
	buf    []int32
}

type mesOutcome struct {
	winners []int
	cost    uint64
	rounds  []PBRound
	ties    []Tie
}

func newMES(e *PBElection, u Utility) *mesState {
	m := &mesState{e: e, utility: u, n: e.NumVoters()}
	m.weight = make([]uint64, len(e.Voters))
	m.supp = make([][]int32, len(e.Projects))
	m.approvals = make([]uint64, len(e.Projects))
	for g := range e.Voters {
		m.weight[g] = e.Voters[g].Count
		for _, p := range e.Voters[g].Projects {
			m.supp[p] = append(m.supp[p], int32(g))
			m.approvals[p] += e.Voters[g].Count
		}
	}
	m.budget = make([]uint64, len(e.Voters))
	return m
}

// frac is a non-negative fraction num/den.
type frac struct{ num, den uint64 }

func (a frac) less(b frac) bool { return cmp128(a.num, b.den, b.num, a.den) < 0 }

func (a frac) equal(b frac) bool { return cmp128(a.num, b.den, b.num, a.den) == 0 }

// cmp128 compares a·b with c·d.
func cmp128(a, b, c, d uint64) int {
	h1, l1 := bits.Mul64(a, b)
	h2, l2 := bits.Mul64(c, d)
	switch {
	case h1 < h2 || h1 == h2 && l1 < l2:
		return -1
	case h1 == h2 && l1 == l2:
		return 0
	}
	return 1
}

// rho computes the payment per supporter p = num/den (in ticks) that buys
// project j, and its price per unit of utility. ok is false when the
// supporters cannot afford it.
func (m *mesState) rho(j int) (pay frac, price frac, ok bool) {
	cost := m.e.Projects[j].Cost * m.n
	m.buf = m.buf[:0]
	var total, w uint64
	for _, g := range m.supp[j] {
		if b := m.budget[g]; b > 0 {
			m.buf = append(m.buf, g)
			total += m.weight[g] * b
			w += m.weight[g]
		}
	}
	if total < cost || w == 0 {
		return frac{}, frac{}, false
	}
	if cost == 0 {
		return frac{0, 1}, frac{0, 1}, true
	}
	sort.Slice(m.buf, func(a, b int) bool { return m.budget[m.buf[a]] < m.budget[m.buf[b]] })
	rem := cost
	for _, g := range m.buf {
		b := m.budget[g]
		if cmp128(b, w, rem, 1) >= 0 {
			break
		}
		rem -= m.weight[g] * b
		w -= m.weight[g]
	}
	pay = frac{rem, w}
	if m.utility == CostUtility {
		return pay, frac{rem, w * m.e.Projects[j].Cost}, true
	}
	return pay, pay, true
}

// run computes MES with every voter holding per/n currency units.
func (m *mesState) run(per uint64) mesOutcome {
	for g := range m.budget {
		m.budget[g] = per
	}
	P := len(m.e.Projects)
	type cand struct {
		j     int
		lower frac
	}
	cands := make([]cand, 0, P)
	for j := range P {
		if len(m.supp[j]) > 0 {
			cands = append(cands, cand{j: j, lower: frac{0, 1}})
		}
	}
	var out mesOutcome
	better := func(a, b int, pa, pb frac) bool {
		if !pa.equal(pb) {
			return pa.less(pb)
		}
		if m.approvals[a] != m.approvals[b] {
			return m.approvals[a] > m.approvals[b]
		}
		if m.e.Projects[a].Cost != m.e.Projects[b].Cost {
			return m.e.Projects[a].Cost < m.e.Projects[b].Cost
		}
		return a < b
	}
	for len(cands) > 0 {
		sort.Slice(cands, func(a, b int) bool {
			if !cands[a].lower.equal(cands[b].lower) {
				return cands[a].lower.less(cands[b].lower)
			}
			return cands[a].j < cands[b].j
		})
		best, bestPay, bestPrice := -1, frac{}, frac{}
		var tied []int
		keep := cands[:0]
		for i, c := range cands {
			if best >= 0 && bestPrice.less(c.lower) {
				keep = append(keep, cands[i:]...)
				break
			}
			pay, price, ok := m.rho(c.j)
			if !ok {
				continue // budgets only fall: never affordable again this run
			}
			c.lower = price
			keep = append(keep, c)
			switch {
			case best < 0 || better(c.j, best, price, bestPrice):
				if best >= 0 && price.equal(bestPrice) {
					tied = append(tied, best)
				} else {
					tied = tied[:0]
				}
				best, bestPay, bestPrice = c.j, pay, price
			case price.equal(bestPrice):
				tied = append(tied, c.j)
			}
		}
		cands = keep
		if best < 0 {
			break
		}
		if len(tied) > 0 {
			among := append([]int{best}, tied...)
			sort.Ints(among)
			out.ties = append(out.ties, Tie{Round: len(out.winners) + 1, Purpose: "select", Among: among, Chosen: best, By: "more supporters, then lower cost, then file order"})
		}
		share := bestPay.num / bestPay.den
		if bestPay.num%bestPay.den != 0 {
			share++
		}
		var payers uint64
		for _, g := range m.supp[best] {
			if m.budget[g] == 0 {
				continue
			}
			payers += m.weight[g]
			m.budget[g] -= min(m.budget[g], share)
		}
		out.winners = append(out.winners, best)
		out.cost += m.e.Projects[best].Cost
		out.rounds = append(out.rounds, PBRound{Project: best, Score: payers, Rho: ratString(bestPrice, m.n), Phase: "mes"})
		keep = cands[:0]
		for _, c := range cands {
			if c.j != best {
				keep = append(keep, c)
			}
		}
		cands = keep
	}
	return out
}

// complete reports that the outcome funds every project anyone supports, so
// that more money could change nothing.
func (m *mesState) complete(o mesOutcome) bool {
	funded := 0
	for j := range m.e.Projects {
		if len(m.supp[j]) > 0 {
			funded++
		}
	}
	return len(o.winners) == funded
}

// ratString renders price (in ticks, 1/n of a unit) as a decimal in units.
func ratString(f frac, n uint64) string {
	r := new(big.Rat).SetFrac(new(big.Int).SetUint64(f.num), new(big.Int).Mul(new(big.Int).SetUint64(f.den), new(big.Int).SetUint64(n)))
	return r.FloatString(9)
}
