package count

import (
	"fmt"
	"math/bits"
	"strconv"
)

// Value is a number of votes in STV, exact to five decimal places: the
// integer counts hundred-thousandths of a vote.
type Value uint64

// One is a whole vote.
const One Value = 100000

// String renders v with five decimals, as Scottish count sheets do.
func (v Value) String() string {
	return strconv.FormatUint(uint64(v/One), 10) + "." + fmt.Sprintf("%05d", uint64(v%One))
}

// MarshalJSON renders v as a JSON number with five decimals.
func (v Value) MarshalJSON() ([]byte, error) { return []byte(v.String()), nil }

// STVStage is one stage of an STV count.
type STVStage struct {
	// Action says what the stage did: "first preferences", "surplus",
	// "exclusion", "last vacancies".
	Action string `json:"action"`
	// Candidate is the candidate whose surplus was transferred or who was
	// excluded; -1 for first preferences and last vacancies.
	Candidate int `json:"candidate"`
	// TransferValue is the transfer value applied to papers that carried
	// a whole vote (surplus stages; zero otherwise).
	TransferValue Value `json:"transfer_value"`
	// Votes holds each candidate's votes at the end of the stage.
	Votes []Value `json:"votes"`
	// NonTransferable is the cumulative value of non-transferable papers.
	NonTransferable Value `json:"non_transferable"`
	// Fractions is the cumulative value lost by truncating transfer
	// values to five decimal places.
	Fractions Value `json:"fractions"`
	// Elected lists the candidates deemed elected at the end of the stage.
	Elected []int `json:"elected"`
}

// STVResult is the outcome of an STV count.
type STVResult struct {
	// Rule names the rule implemented.
	Rule string `json:"rule"`
	// Seats is the number of seats filled.
	Seats int `json:"seats"`
	// Valid counts the ballots with a valid first preference.
	Valid uint64 `json:"valid"`
	// Invalid counts ballots rejected for want of a first preference (an
	// empty ballot, or two candidates marked first).
	Invalid uint64 `json:"invalid"`
	// Quota is the Droop quota: floor(Valid / (Seats+1)) + 1.
	Quota Value `json:"quota"`
	// Winners lists the elected candidates in order of election.
	Winners []int `json:"winners"`
	// Excluded lists the excluded candidates in order of exclusion.
	Excluded []int `json:"excluded"`
	// Stages lists every stage of the count.
	Stages []STVStage `json:"stages"`
	// Ties lists the ties broken.
	Ties []Tie `json:"ties"`
}

// ScottishSTVRule names the rule STV implements.
const ScottishSTVRule = "Scottish STV (Scottish Local Government Elections Order 2007, SSI 2007/42, Schedule 1, rules 45-52)"

type parcel struct {
	ballot int32
	pos    int32
	value  Value
}

// STV elects Seats candidates by the single transferable vote, under the
// counting rules of the Scottish Local Government Elections Order 2007 (SSI
// 2007/42, Schedule 1, rules 45–52: weighted inclusive Gregory, Droop quota,
// five decimal places):
//
//   - Rule 45: the quota is the number of valid ballots divided by one more
//     than the number of seats, fractions ignored, plus one. A ballot is
//     valid when it has a single first preference for a candidate who has
//     not withdrawn.
//   - Rules 46–47: a candidate whose votes reach the quota at the end of a
//     stage is deemed elected.
//   - Rule 48: the surplus (votes above the quota) of an elected candidate is
//     transferred by moving every ballot paper the candidate holds to its
//     next continuing preference at transfer value surplus × (value of the
//     paper when received) / (candidate's total votes), truncated to five
//     decimal places. Papers with no next continuing preference (or two
//     marked equal) are non-transferable. The candidate keeps the quota.
//   - Rule 49: one surplus is transferred per stage, the largest first;
//     equal surpluses go in order of the most votes at the most recent
//     earlier stage at which the candidates' votes differed, then by lot.
//   - Rule 50: when no surplus remains, the continuing candidate with the
//     fewest votes is excluded and every paper they hold is transferred at
//     the value it had when received, in one stage. Ties for fewest are
//     broken by the fewest votes at the most recent earlier stage at which
//     the candidates differed, then by lot.
//   - Rule 52: when the continuing candidates are no more than the vacancies
//     left, they are all elected; when one vacancy is left and a continuing
//     candidate has at least the votes of all other continuing candidates
//     together with any untransferred surplus, that candidate is elected.
//
// Candidates reaching the quota in the same stage are elected in order of
// votes, ties broken as for surpluses. The lot is Options.TieOrder. All
// arithmetic is exact integer arithmetic on hundred-thousandths of a vote.
func STV(p *Profile, o Options) (*STVResult, error) {
	if err := p.check(); err != nil {
		return nil, fmt.Errorf("stv: %w", err)
	}
	rank, err := o.lot(len(p.Candidates))
	if err != nil {
		return nil, fmt.Errorf("stv: %w", err)
	}
	n := len(p.Candidates)
	seats := o.seats(p)
	cont := continuingAtStart(p)
	left := 0
	for _, c := range cont {
		if c {
			left++
		}
	}
	if seats > left {
		return nil, fmt.Errorf("stv: %d seats but only %d candidates", seats, left)
	}
	s := &stvCount{
		p: p, rank: rank, cont: cont, left: left,
		votes:   make([]Value, n),
		piles:   make([][]parcel, n),
		pending: make([]bool, n),
		elected: make([]bool, n),
		r:       &STVResult{Rule: ScottishSTVRule, Seats: seats},
	}
	for i := range p.Ballots {
		b := &p.Ballots[i]
		c, at, st := next(b, 0, cont)
		if st != prefOK {
			s.r.Invalid += b.Count
			continue
		}
		s.r.Valid += b.Count
		s.piles[c] = append(s.piles[c], parcel{ballot: int32(i), pos: int32(at), value: One})
		s.votes[c] += Value(b.Count) * One
	}
	s.r.Quota = Value(s.r.Valid/uint64(seats+1)+1) * One
	s.stage(STVStage{Action: "first preferences", Candidate: -1})
	for len(s.r.Winners) < seats {
		vacancies := seats - len(s.r.Winners)
		if s.left <= vacancies {
			st := STVStage{Action: "last vacancies", Candidate: -1}
			var rest []int
			for c := range n {
				if s.cont[c] {
					rest = append(rest, c)
				}
			}
			s.electInOrder(rest, &st)
			s.record(st)
			break
		}
		if vacancies == 1 {
			if c, ok := s.clearLeader(); ok {
				st := STVStage{Action: "last vacancies", Candidate: -1}
				s.electInOrder([]int{c}, &st)
				s.record(st)
				break
			}
		}
		if c := s.nextSurplus(); c >= 0 {
			s.transferSurplus(c)
			continue
		}
		s.exclude()
	}
	return s.r, nil
}

type stvCount struct {
	p       *Profile
	rank    []int
	cont    []bool
	left    int
	votes   []Value
	piles   [][]parcel
	pending []bool // elected with a surplus not yet transferred
	elected []bool
	nontr   Value
	lost    Value
	r       *STVResult
}

// stage closes a stage: elects candidates at or above the quota, records.
func (s *stvCount) stage(st STVStage) {
	var reached []int
	for c := range s.votes {
		if s.cont[c] && s.votes[c] >= s.r.Quota {
			reached = append(reached, c)
		}
	}
	if room := s.r.Seats - len(s.r.Winners); len(reached) > room {
		reached = s.ordered(reached, true)[:room]
	}
	s.electInOrder(reached, &st)
	s.record(st)
}

func (s *stvCount) record(st STVStage) {
	st.Votes = append([]Value(nil), s.votes...)
	st.NonTransferable = s.nontr
	st.Fractions = s.lost
	s.r.Stages = append(s.r.Stages, st)
}

func (s *stvCount) electInOrder(cs []int, st *STVStage) {
	for _, c := range s.ordered(cs, true) {
		s.cont[c] = false
		s.left--
		s.elected[c] = true
		s.pending[c] = s.votes[c] > s.r.Quota
		s.r.Winners = append(s.r.Winners, c)
		st.Elected = append(st.Elected, c)
	}
}

// ordered sorts candidates by votes (most first when most is true), breaking
// ties by earlier stages (most recent first) and then by lot, recording
// every tie that decided an order.
func (s *stvCount) ordered(cs []int, most bool) []int {
	out := make([]int, 0, len(cs))
	rest := append([]int(nil), cs...)
	for len(rest) > 0 {
		var top []int
		for _, c := range rest {
			switch {
			case len(top) == 0 || most && s.votes[c] > s.votes[top[0]] || !most && s.votes[c] < s.votes[top[0]]:
				top = append(top[:0], c)
			case s.votes[c] == s.votes[top[0]]:
				top = append(top, c)
			}
		}
		c := top[0]
		if len(top) > 1 {
			var by string
			c, by = s.breakTie(top, most)
			purpose := "elect"
			if !most {
				purpose = "exclude"
			}
			s.r.Ties = append(s.r.Ties, Tie{Round: len(s.r.Stages) + 1, Purpose: purpose, Among: top, Chosen: c, By: by})
		}
		out = append(out, c)
		keep := rest[:0]
		for _, x := range rest {
			if x != c {
				keep = append(keep, x)
			}
		}
		rest = keep
	}
	return out
}

// breakTie picks among tied candidates by the votes at the most recent
// earlier stage where they differ (most votes when most, else fewest), then
// by lot (first in the lot when most, else last).
func (s *stvCount) breakTie(tied []int, most bool) (int, string) {
	set := append([]int(nil), tied...)
	for k := len(s.r.Stages) - 1; k >= 0 && len(set) > 1; k-- {
		v := s.r.Stages[k].Votes
		best := v[set[0]]
		for _, c := range set[1:] {
			if most && v[c] > best || !most && v[c] < best {
				best = v[c]
			}
		}
		keep := set[:0:0]
		for _, c := range set {
			if v[c] == best {
				keep = append(keep, c)
			}
		}
		set = keep
	}
	if len(set) == 1 {
		return set[0], "votes at an earlier stage"
	}
	if most {
		return pickByLot(set, s.rank), "lot"
	}
	return lastByLot(set, s.rank), "lot"
}

func (s *stvCount) nextSurplus() int {
	var cs []int
	for c, ok := range s.pending {
		if ok {
			cs = append(cs, c)
		}
	}
	if len(cs) == 0 {
		return -1
	}
	var top []int
	for _, c := range cs {
		switch {
		case len(top) == 0 || s.votes[c] > s.votes[top[0]]:
			top = append(top[:0], c)
		case s.votes[c] == s.votes[top[0]]:
			top = append(top, c)
		}
	}
	if len(top) == 1 {
		return top[0]
	}
	c, by := s.breakTie(top, true)
	s.r.Ties = append(s.r.Ties, Tie{Round: len(s.r.Stages) + 1, Purpose: "surplus order", Among: top, Chosen: c, By: by})
	return c
}

// clearLeader applies rule 52's second limb for the last vacancy.
func (s *stvCount) clearLeader() (int, bool) {
	lead := -1
	var others Value
	for c := range s.votes {
		if !s.cont[c] {
			if s.pending[c] {
				others += s.votes[c] - s.r.Quota
			}
			continue
		}
		if lead < 0 || s.votes[c] > s.votes[lead] {
			if lead >= 0 {
				others += s.votes[lead]
			}
			lead = c
		} else {
			others += s.votes[c]
		}
	}
	return lead, lead >= 0 && s.votes[lead] >= others
}

func (s *stvCount) transferSurplus(c int) {
	surplus := s.votes[c] - s.r.Quota
	total := s.votes[c]
	s.pending[c] = false
	st := STVStage{Action: "surplus", Candidate: c, TransferValue: mulDiv(surplus, One, total)}
	pile := s.piles[c]
	s.piles[c] = nil
	var moved Value
	for _, pc := range pile {
		tv := mulDiv(surplus, pc.value, total)
		moved += s.move(pc, tv)
	}
	s.lost += surplus - moved
	s.votes[c] = s.r.Quota
	s.stage(st)
}

func (s *stvCount) exclude() {
	var cs []int
	for c := range s.cont {
		if s.cont[c] {
			cs = append(cs, c)
		}
	}
	c := s.ordered(cs, false)[0]
	s.cont[c] = false
	s.left--
	s.r.Excluded = append(s.r.Excluded, c)
	st := STVStage{Action: "exclusion", Candidate: c}
	pile := s.piles[c]
	s.piles[c] = nil
	for _, pc := range pile {
		s.move(pc, pc.value)
	}
	s.votes[c] = 0
	s.stage(st)
}

// move passes one parcel to its next continuing preference at value v and
// returns the value credited (to a candidate or as non-transferable).
func (s *stvCount) move(pc parcel, v Value) Value {
	b := &s.p.Ballots[pc.ballot]
	w := Value(b.Count) * v
	c, at, st := next(b, int(pc.pos), s.cont)
	if st != prefOK {
		s.nontr += w
		return w
	}
	s.piles[c] = append(s.piles[c], parcel{ballot: pc.ballot, pos: int32(at), value: v})
	s.votes[c] += w
	return w
}

// mulDiv returns floor(a*b/c) without overflow for c > 0 and a < c·2^64/b.
func mulDiv(a, b, c Value) Value {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	q, _ := bits.Div64(hi, lo, uint64(c))
	return Value(q)
}
