package count

import "fmt"

// IRVRound is one round of an instant-runoff count.
type IRVRound struct {
	// Votes holds each candidate's votes in this round, by candidate
	// index (0 for candidates no longer in the count).
	Votes []uint64 `json:"votes"`
	// Exhausted counts voters whose ballots rank no continuing candidate.
	Exhausted uint64 `json:"exhausted"`
	// Ambiguous counts voters whose highest continuing rank holds several
	// continuing candidates: they count for none of them this round.
	Ambiguous uint64 `json:"ambiguous"`
	// Eliminated is the candidate eliminated at the end of the round, or
	// -1 in the last round.
	Eliminated int `json:"eliminated"`
}

// IRVResult is the outcome of an instant-runoff count.
type IRVResult struct {
	// Winner is the elected candidate.
	Winner int `json:"winner"`
	// Majority reports that the winner had more than half of the votes
	// for continuing candidates in the last round (false when the winner
	// was simply the last candidate left).
	Majority bool `json:"majority"`
	// Eliminated lists candidates in the order they were eliminated.
	Eliminated []int `json:"eliminated"`
	// Rounds lists every round.
	Rounds []IRVRound `json:"rounds"`
	// Ties lists the ties broken.
	Ties []Tie `json:"ties"`
}

// IRV counts a single-seat instant-runoff election (the alternative vote, as
// in Robert's Rules of Order, 12th ed., §45:62, and the Burlington, Vermont
// and San Francisco ordinances), by this exact rule:
//
//  1. Each round, every ballot counts for its highest-ranked continuing
//     candidate. A ballot ranking no continuing candidate is exhausted; a
//     ballot whose highest continuing rank holds two or more continuing
//     candidates counts for none of them while they continue.
//  2. A candidate with more than half of the votes counted for continuing
//     candidates is elected. When one candidate is left, that candidate is
//     elected.
//  3. Otherwise the one candidate with the fewest votes is eliminated (one
//     per round, no batch elimination) and the next round begins.
//     Withdrawn candidates never enter the count.
//
// Ties for fewest votes are broken backwards: the tied candidate with fewer
// votes in the most recent earlier round in which the tied candidates'
// votes differed is eliminated; if they were equal in every round, the
// candidate last in the lot (Options.TieOrder) is eliminated. Each such tie
// is recorded.
func IRV(p *Profile, o Options) (*IRVResult, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("irv: %w", err)
	}
	rank, err := o.lot(len(p.Candidates))
	if err != nil {
		return nil, fmt.Errorf("irv: %w", err)
	}
	n := len(p.Candidates)
	cont := continuingAtStart(p)
	left := 0
	for _, c := range cont {
		if c {
			left++
		}
	}
	if left == 0 {
		return nil, fmt.Errorf("irv: every candidate has withdrawn")
	}
	pos := make([]int32, len(p.Ballots))
	cur := make([]int32, len(p.Ballots))
	for i := range cur {
		cur[i] = -1
	}
	r := &IRVResult{Winner: -1}
	for round := 1; ; round++ {
		rd := IRVRound{Votes: make([]uint64, n), Eliminated: -1}
		for i := range p.Ballots {
			b := &p.Ballots[i]
			if c := cur[i]; c >= 0 && cont[c] {
				rd.Votes[c] += b.Count
				continue
			}
			c, at, st := next(b, int(pos[i]), cont)
			pos[i] = int32(at)
			cur[i] = c
			switch st {
			case prefOK:
				rd.Votes[c] += b.Count
			case prefExhausted:
				rd.Exhausted += b.Count
			default:
				rd.Ambiguous += b.Count
			}
		}
		var active uint64
		for c := range n {
			active += rd.Votes[c]
		}
		for c := range n {
			if cont[c] && (left == 1 || rd.Votes[c] > active-rd.Votes[c]) {
				r.Winner = c
				r.Majority = rd.Votes[c] > active-rd.Votes[c]
			}
		}
		if r.Winner >= 0 {
			r.Rounds = append(r.Rounds, rd)
			return r, nil
		}
		var lowest []int
		for c := range n {
			if !cont[c] {
				continue
			}
			switch {
			case len(lowest) == 0 || rd.Votes[c] < rd.Votes[lowest[0]]:
				lowest = append(lowest[:0], c)
			case rd.Votes[c] == rd.Votes[lowest[0]]:
				lowest = append(lowest, c)
			}
		}
		out := lowest[0]
		if len(lowest) > 1 {
			var by string
			out, by = backwards(lowest, r.Rounds, func(x IRVRound, c int) uint64 { return x.Votes[c] }, rank)
			r.Ties = append(r.Ties, Tie{Round: round, Purpose: "exclude", Among: lowest, Chosen: out, By: by})
		}
		rd.Eliminated = out
		r.Rounds = append(r.Rounds, rd)
		r.Eliminated = append(r.Eliminated, out)
		cont[out] = false
		left--
	}
}

// backwards breaks a tie for exclusion: the candidate with the fewest votes in
// the most recent earlier round where the tied candidates differ is chosen,
// narrowing the set round by round; what remains is decided by the lot (the
// candidate last in it).
func backwards[R any](tied []int, rounds []R, votes func(R, int) uint64, rank []int) (int, string) {
	set := append([]int(nil), tied...)
	for k := len(rounds) - 1; k >= 0 && len(set) > 1; k-- {
		low := votes(rounds[k], set[0])
		for _, c := range set[1:] {
			low = min(low, votes(rounds[k], c))
		}
		var keep []int
		for _, c := range set {
			if votes(rounds[k], c) == low {
				keep = append(keep, c)
			}
		}
		set = keep
	}
	if len(set) == 1 {
		return set[0], "fewest votes in an earlier round"
	}
	return lastByLot(set, rank), "lot"
}
