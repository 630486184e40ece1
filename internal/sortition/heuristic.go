package sortition

// heuristic looks for a good panel quickly, before the exact search: it
// builds a panel seat by seat (each seat to the type that most reduces the
// quota shortfalls, then of highest Lagrange-adjusted weight, then lowest
// number), repairs the remaining violations by swapping one seat for
// another, and improves the weight by swaps that keep every quota. Every
// choice is by a fixed order, so it is deterministic. It returns the panel
// and its weight, or false if it ends with a quota unmet. If pin ≥ 0, the
// panel keeps at least one seat of type pin.
func (pr *pricer) heuristic(pin int) ([]int, float64, bool) {
	for try := range heuristicTries {
		if x, v, ok := pr.heuristicFrom(pin, try*len(pr.adjOrd)/heuristicTries); ok {
			return x, v, true
		}
	}
	return nil, 0, false
}

// heuristicTries is how many construction orders heuristic tries before
// giving up: the adjusted-weight order, then that order rotated.
const heuristicTries = 8

// heuristicFrom is one try of heuristic, construction scanning adjOrd
// from position rot on (wrapping round).
func (pr *pricer) heuristicFrom(pin, rot int) ([]int, float64, bool) {
	p := pr.p
	T := len(p.types)
	x := make([]int, T)
	cnt := make([]int, len(p.cells))
	// delta is the change in total violation from adding (sign +1) or
	// removing (sign −1) one seat of type t.
	delta := func(t, sign int) int {
		d := 0
		for _, c := range p.types[t].cells {
			before := viol(cnt[c], p.cells[c].lo, p.cells[c].hi)
			after := viol(cnt[c]+sign, p.cells[c].lo, p.cells[c].hi)
			d += after - before
		}
		return d
	}
	move := func(t, sign int) {
		x[t] += sign
		for _, c := range p.types[t].cells {
			cnt[c] += sign
		}
	}
	start := 0
	if pin >= 0 {
		move(pin, 1)
		start = 1
	}
	for range p.seats - start {
		bt, bd := -1, 0
		for i := range pr.adjOrd { // highest adjusted weight first
			t := pr.adjOrd[(i+rot)%len(pr.adjOrd)]
			if x[t] == len(p.types[t].members) {
				continue
			}
			if d := delta(t, 1); bt < 0 || d < bd {
				bt, bd = t, d
			}
		}
		if bt < 0 {
			return nil, 0, false
		}
		move(bt, 1)
	}
	total := 0
	for c := range p.cells {
		total += viol(cnt[c], p.cells[c].lo, p.cells[c].hi)
	}
	// Swaps: first to remove violations, then to gain weight.
	for iter := 0; iter < 4*p.seats+100; iter++ {
		ba, bb, bd, bg := -1, -1, 0, 0.0
		for a := range T {
			if x[a] == 0 || (a == pin && x[a] == 1) {
				continue
			}
			da := delta(a, -1)
			move(a, -1)
			for _, b := range pr.wOrd {
				if b == a || x[b] == len(p.types[b].members) {
					continue
				}
				d := da + delta(b, 1)
				g := pr.w[b] - pr.w[a]
				if total > 0 {
					if d < bd || (d == bd && d < 0 && g > bg) {
						ba, bb, bd, bg = a, b, d, g
					}
				} else if d == 0 && g > bg+priceEps {
					ba, bb, bd, bg = a, b, d, g
				}
			}
			move(a, 1)
		}
		if ba < 0 {
			break
		}
		move(ba, -1)
		move(bb, 1)
		total += bd
	}
	if total > 0 {
		return nil, 0, false
	}
	v := 0.0
	for t, n := range x {
		v += float64(n) * pr.w[t]
	}
	return x, v, true
}

// viol is how far n lies outside [lo, hi].
func viol(n, lo, hi int) int {
	switch {
	case n < lo:
		return lo - n
	case n > hi:
		return n - hi
	}
	return 0
}
