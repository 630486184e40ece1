package count

// pref is where a ballot stands in a round-based count.
type pref uint8

const (
	prefOK        pref = iota // counts for one continuing candidate
	prefExhausted             // no continuing candidate is ranked
	prefAmbiguous             // its highest continuing rank holds two or more continuing candidates
)

// next finds the highest-ranked continuing candidate on b at or after
// position pos. It returns the candidate, the position of its rank (never
// before pos, so a count can resume from there once candidates only leave),
// and the state. A rank holding several continuing candidates makes the
// ballot count for none of them while they all continue.
func next(b *Ballot, pos int, continuing []bool) (int32, int, pref) {
	o := b.Order
	if b.Tied == nil {
		for i := pos; i < len(o); i++ {
			if continuing[o[i]] {
				return o[i], i, prefOK
			}
		}
		return -1, len(o), prefExhausted
	}
	t := b.Tied
	for i := pos; i < len(o); {
		j := i + 1
		for j < len(o) && t[j] {
			j++
		}
		found, n := int32(-1), 0
		for k := i; k < j; k++ {
			if continuing[o[k]] {
				if n == 0 {
					found = o[k]
				}
				n++
			}
		}
		switch {
		case n == 1:
			return found, i, prefOK
		case n > 1:
			return -1, i, prefAmbiguous
		}
		i = j
	}
	return -1, len(o), prefExhausted
}
