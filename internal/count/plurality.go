package count

import (
	"fmt"
	"sort"
)

// TallyResult is the outcome of a count that ranks candidates by a single
// score: plurality and approval.
type TallyResult struct {
	// Method names the rule: "plurality" or "approval".
	Method string `json:"method"`
	// Votes holds each candidate's score, by candidate index.
	Votes []uint64 `json:"votes"`
	// Winners lists the elected candidates, highest score first.
	Winners []int `json:"winners"`
	// Blank counts voters whose ballot gave no candidate a point (an
	// empty ballot, or under plurality a first rank shared by several
	// candidates).
	Blank uint64 `json:"blank"`
	// Ties lists the ties broken.
	Ties []Tie `json:"ties"`
}

// Plurality elects the Seats candidates with the most first preferences
// (first-past-the-post when Seats is 1). A ballot counts for the single
// candidate it ranks first; a ballot that ranks several candidates equal
// first, or none, is blank. Withdrawn candidates are skipped. Candidates are
// ordered by votes, most first; equal votes are ordered by the lot
// (Options.TieOrder), and a tie that decides who is elected is recorded.
func Plurality(p *Profile, o Options) (*TallyResult, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("plurality: %w", err)
	}
	cont := continuingAtStart(p)
	r := &TallyResult{Method: "plurality", Votes: make([]uint64, len(p.Candidates))}
	for i := range p.Ballots {
		b := &p.Ballots[i]
		c, _, st := next(b, 0, cont)
		if st != prefOK {
			r.Blank += b.Count
			continue
		}
		r.Votes[c] += b.Count
	}
	return finishTally(p, o, r, cont)
}

// Approval elects the Seats candidates approved by the most voters. Every
// candidate a ballot lists is approved once, whatever its rank; withdrawn
// candidates are skipped. Ordering and ties are as for Plurality.
func Approval(p *Profile, o Options) (*TallyResult, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("approval: %w", err)
	}
	cont := continuingAtStart(p)
	r := &TallyResult{Method: "approval", Votes: make([]uint64, len(p.Candidates))}
	for i := range p.Ballots {
		b := &p.Ballots[i]
		any := false
		for _, c := range b.Order {
			if cont[c] {
				r.Votes[c] += b.Count
				any = true
			}
		}
		if !any {
			r.Blank += b.Count
		}
	}
	return finishTally(p, o, r, cont)
}

func continuingAtStart(p *Profile) []bool {
	cont := make([]bool, len(p.Candidates))
	for i := range cont {
		cont[i] = true
	}
	for _, w := range p.Withdrawn {
		cont[w] = false
	}
	return cont
}

func finishTally(p *Profile, o Options, r *TallyResult, cont []bool) (*TallyResult, error) {
	rank, err := o.lot(len(p.Candidates))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", r.Method, err)
	}
	var order []int
	for c := range p.Candidates {
		if cont[c] {
			order = append(order, c)
		}
	}
	sort.Slice(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if r.Votes[a] != r.Votes[b] {
			return r.Votes[a] > r.Votes[b]
		}
		return rank[a] < rank[b]
	})
	seats := min(o.seats(p), len(order))
	r.Winners = order[:seats]
	if seats > 0 && seats < len(order) && r.Votes[order[seats-1]] == r.Votes[order[seats]] {
		v := r.Votes[order[seats]]
		var among []int
		for _, c := range order {
			if r.Votes[c] == v {
				among = append(among, c)
			}
		}
		r.Ties = append(r.Ties, Tie{Round: 1, Purpose: "elect", Among: among, Chosen: order[seats-1], By: "lot"})
	}
	return r, nil
}
