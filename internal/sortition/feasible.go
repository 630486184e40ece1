package sortition

import "fmt"

// InfeasibleError says why no panel can meet the quotas. Quota names the
// quota at fault as "feature=value" (or "feature" when a feature's quotas
// conflict as a whole), empty when only their combination fails.
type InfeasibleError struct {
	Seats  int
	Quota  string
	Reason string
}

// Error returns a sentence a person understands, such as "no panel of 40
// meets neighbourhood=north ≥ 12: only 9 volunteers have it".
func (e *InfeasibleError) Error() string {
	return fmt.Sprintf("no panel of %d %s", e.Seats, e.Reason)
}

// feasible looks for the plain causes first (too few volunteers, a
// minimum above the volunteers who could fill it, a feature whose
// minimums or maximums cannot add up to the seats), then searches for one
// panel meeting every quota at once. It returns such a panel.
func (p *problem) feasible(limit int) ([]int, error) {
	if len(p.in.Volunteers) < p.seats {
		return nil, &InfeasibleError{Seats: p.seats, Reason: fmt.Sprintf("can be filled: only %d volunteers", len(p.in.Volunteers))}
	}
	for c, cl := range p.cells {
		if cl.have < cl.lo {
			return nil, &InfeasibleError{Seats: p.seats, Quota: p.cellName(c),
				Reason: fmt.Sprintf("meets %s ≥ %d: only %d volunteers have it", p.cellName(c), cl.lo, cl.have)}
		}
		if cl.lo > p.seats {
			return nil, &InfeasibleError{Seats: p.seats, Quota: p.cellName(c),
				Reason: fmt.Sprintf("meets %s ≥ %d: more than the seats", p.cellName(c), cl.lo)}
		}
	}
	for f, cs := range p.featCell {
		lo, hi := 0, 0
		for _, c := range cs {
			lo += p.cells[c].lo
			hi += min(p.cells[c].hi, p.cells[c].have)
		}
		name := p.in.Features[f].Name
		if lo > p.seats {
			return nil, &InfeasibleError{Seats: p.seats, Quota: name,
				Reason: fmt.Sprintf("meets the minimums of %s: they add up to %d seats", name, lo)}
		}
		if hi < p.seats {
			return nil, &InfeasibleError{Seats: p.seats, Quota: name,
				Reason: fmt.Sprintf("meets the maximums of %s: with the volunteers there are, they allow only %d seats", name, hi)}
		}
	}
	x, _, found, exact := newPricer(p, limit).solve(make([]float64, len(p.types)))
	if !found {
		if !exact {
			return nil, fmt.Errorf("no panel of %d meeting all quotas found within %d search steps", p.seats, limit)
		}
		return nil, &InfeasibleError{Seats: p.seats,
			Reason: "meets all the quotas at once: each feature's quotas can be met alone, but not together"}
	}
	return x, nil
}
