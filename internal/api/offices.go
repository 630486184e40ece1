package api

import (
	"slices"
	"strconv"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/count"
)

// The read model of offices and elections, as the pages and the JSON API
// show them. It reads the committed core state (offices, terms, elections
// with their counts, petitions all live there).

// Person is a member named by an office or an election.
type Person struct {
	Member uint32 `json:"member"`
	Name   string `json:"name"`
	Left   bool   `json:"left,omitempty"`
}

// Holder is a current holder of a seat.
type Holder struct {
	Person
	Term     uint64    `json:"term"`
	Election uint64    `json:"election"`
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until"`
}

// Petition is a recall petition against a holder.
type Petition struct {
	ID      uint64    `json:"id"`
	Office  string    `json:"office"`
	Holder  Person    `json:"holder"`
	Term    uint64    `json:"term"`
	Opened  time.Time `json:"opened"`
	Expires time.Time `json:"expires"` // end of the window for signatures
	Signers []Person  `json:"signers"`
	// Needed is the number of signatures that opens the recall ballot, as
	// the core computed it at the last signature.
	Needed   uint64 `json:"needed"`
	Status   string `json:"status"`             // open, ballot, done, lapsed
	Proposal uint64 `json:"proposal,omitempty"` // the recall ballot, once open
}

// ElectionSummary is an election without its count.
type ElectionSummary struct {
	ID         uint64    `json:"id"`
	Office     string    `json:"office"`
	Seats      int       `json:"seats"`
	ByElection bool      `json:"by_election"`
	Status     string    `json:"status"` // scheduled, nominating, voting, decided, cancelled
	Opens      time.Time `json:"nominations_open"`
	VotingOpen time.Time `json:"voting_opens"`
	Closes     time.Time `json:"closes"`
	TermEnds   time.Time `json:"term_ends"`
	Candidates []Person  `json:"candidates"` // in the order they stood
	Eligible   uint64    `json:"eligible,omitempty"`
	Ballots    int       `json:"ballots"`
	Winners    []Person  `json:"winners"` // in order of election
}

// Office is an office of the rules in force with its holders, its
// elections not yet decided and the recall petitions against its holders.
type Office struct {
	Name                string            `json:"name"`
	Seats               int               `json:"seats"`
	Term                string            `json:"term"`
	MaxConsecutiveTerms int               `json:"max_consecutive_terms"`
	MaxTerms            int               `json:"max_terms"`
	Selection           string            `json:"selection"`
	NominationPeriod    string            `json:"nomination_period"`
	VotingPeriod        string            `json:"voting_period"`
	Powers              []string          `json:"powers"`
	Holders             []Holder          `json:"holders"`
	TermEnds            *time.Time        `json:"term_ends,omitempty"` // the current regular term's end
	Elections           []ElectionSummary `json:"elections"`
	Petitions           []Petition        `json:"petitions"` // open, or with their ballot open
}

// Election is an election with, once decided, its count round by round.
type Election struct {
	ElectionSummary
	// Excluded are candidates left out of the count (they left, or already
	// hold a seat of the office).
	Excluded []Person `json:"excluded"`
	Count    *Count   `json:"count,omitempty"`
}

// Count is an election's count: instant-runoff rounds for one seat, STV
// stages for several. Votes are listed by candidate, in Candidates' order.
type Count struct {
	Method     string       `json:"method"` // irv or stv
	Rule       string       `json:"rule"`
	Quota      string       `json:"quota,omitempty"`
	Majority   bool         `json:"majority,omitempty"` // IRV: won with a majority, not as the last left
	Candidates []Person     `json:"candidates"`
	Rounds     []CountRound `json:"rounds"`
	Ties       []CountTie   `json:"ties"`
}

// CountRound is one IRV round or STV stage.
type CountRound struct {
	Number int `json:"number"`
	// Action is "eliminate" or "elect" (IRV), or the STV stage's action
	// ("first preferences", "surplus", "exclusion", "last vacancies").
	Action        string   `json:"action"`
	Candidate     *Person  `json:"candidate,omitempty"` // eliminated, elected, surplus or excluded
	TransferValue string   `json:"transfer_value,omitempty"`
	Votes         []string `json:"votes"`
	// Exhausted is, for IRV, the ballots ranking no continuing candidate;
	// for STV, the value of non-transferable papers so far.
	Exhausted string   `json:"exhausted"`
	Elected   []Person `json:"elected"`
}

// CountTie is a tie the count broke.
type CountTie struct {
	Round   int      `json:"round"`
	Purpose string   `json:"purpose"`
	Among   []Person `json:"among"`
	Chosen  Person   `json:"chosen"`
	By      string   `json:"by"`
}

// IRVRule names the instant-runoff rule of a one-seat count.
const IRVRule = "instant-runoff voting (count.IRV); ties broken by order of candidacy"

// ElectionID reads an election number from a path.
func ElectionID(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, BadRequest("An election number is a whole number from 1, not %q.", s)
	}
	return n, nil
}

// Offices returns the offices of the rules in force, in the constitution's
// order.
func (s *Service) Offices() ([]Office, error) {
	out := []Office{}
	err := s.view(func(c *core.State) error {
		open := map[string][]Petition{}
		for _, p := range c.Petitions() {
			if p.Status == core.PetitionOpen || p.Status == core.PetitionBallot {
				open[p.Office] = append(open[p.Office], petitionOf(c, p))
			}
		}
		for _, st := range c.Offices() {
			o := st.Office
			v := Office{Name: o.Name, Seats: o.Seats, Term: o.Term.String(), MaxConsecutiveTerms: o.MaxConsecutiveTerms,
				MaxTerms: o.MaxTerms, Selection: o.Selection, NominationPeriod: o.NominationPeriod.String(),
				VotingPeriod: o.VotingPeriod.String(), Powers: slices.Clone(o.Powers), Holders: []Holder{},
				Elections: []ElectionSummary{}, Petitions: open[o.Name]}
			if v.Selection == "" {
				v.Selection = core.SelectionElection
			}
			if v.Powers == nil {
				v.Powers = []string{}
			}
			if v.Petitions == nil {
				v.Petitions = []Petition{}
			}
			for _, t := range st.Holders {
				v.Holders = append(v.Holders, Holder{Person: person(c, t.Member), Term: t.ID, Election: t.Election,
					Since: ts(t.Since), Until: ts(t.Until)})
			}
			if st.TermEnds != 0 {
				e := ts(st.TermEnds)
				v.TermEnds = &e
			}
			for _, e := range st.Elections {
				v.Elections = append(v.Elections, summaryOf(c, e))
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Elections returns every election, newest first.
func (s *Service) Elections() ([]ElectionSummary, error) {
	out := []ElectionSummary{}
	err := s.view(func(c *core.State) error {
		es := c.Elections()
		for i := len(es) - 1; i >= 0; i-- {
			out = append(out, summaryOf(c, es[i]))
		}
		return nil
	})
	return out, err
}

// Election returns one election with its count.
func (s *Service) Election(id uint64) (Election, error) {
	var out Election
	err := s.view(func(c *core.State) error {
		e, ok := c.Election(id)
		if !ok {
			return NotFound("There is no election %d.", id)
		}
		out = Election{ElectionSummary: summaryOf(c, e), Excluded: people(c, e.Excluded)}
		out.Count = countOf(c, e)
		return nil
	})
	return out, err
}

func ts(ns int64) time.Time { return time.Unix(0, ns).UTC() }

func person(c *core.State, n uint32) Person {
	p := Person{Member: n}
	if m, ok := c.MemberByNumber(n); ok {
		p.Name, p.Left = m.Name, m.Left
	}
	return p
}

func people(c *core.State, ns []uint32) []Person {
	out := make([]Person, 0, len(ns))
	for _, n := range ns {
		out = append(out, person(c, n))
	}
	return out
}

func petitionOf(c *core.State, p *core.Petition) Petition {
	return Petition{ID: p.ID, Office: p.Office, Holder: person(c, p.Member), Term: p.Term, Opened: ts(p.Opened),
		Expires: ts(p.Expires), Signers: people(c, p.Signers), Needed: p.Needed, Status: p.Status.String(), Proposal: p.Proposal}
}

func summaryOf(c *core.State, e *core.Election) ElectionSummary {
	return ElectionSummary{ID: e.ID, Office: e.Office, Seats: e.Seats, ByElection: e.ByElection, Status: e.Status.String(),
		Opens: ts(e.Opens), VotingOpen: ts(e.VotingOpens), Closes: ts(e.Closes), TermEnds: ts(e.TermEnds),
		Candidates: people(c, e.Candidates), Eligible: e.Eligible, Ballots: e.Ballots(), Winners: people(c, e.Winners)}
}

// countOf turns the core's count of e into rounds; the count's candidate
// i is e.Candidates[i].
func countOf(c *core.State, e *core.Election) *Count {
	cand := func(i int) *Person {
		if i < 0 || i >= len(e.Candidates) {
			return nil
		}
		p := person(c, e.Candidates[i])
		return &p
	}
	cands := func(is []int) []Person {
		out := make([]Person, 0, len(is))
		for _, i := range is {
			if p := cand(i); p != nil {
				out = append(out, *p)
			}
		}
		return out
	}
	ties := func(ts []count.Tie) []CountTie {
		out := make([]CountTie, 0, len(ts))
		for _, t := range ts {
			ct := CountTie{Round: t.Round, Purpose: t.Purpose, Among: cands(t.Among), By: t.By}
			if p := cand(t.Chosen); p != nil {
				ct.Chosen = *p
			}
			out = append(out, ct)
		}
		return out
	}
	switch {
	case e.IRV != nil:
		r := e.IRV
		out := &Count{Method: "irv", Rule: IRVRule, Majority: r.Majority, Candidates: people(c, e.Candidates), Ties: ties(r.Ties)}
		for i, rd := range r.Rounds {
			cr := CountRound{Number: i + 1, Action: "eliminate", Candidate: cand(rd.Eliminated),
				Exhausted: strconv.FormatUint(rd.Exhausted, 10), Elected: []Person{}}
			if rd.Eliminated < 0 {
				cr.Action, cr.Candidate = "elect", cand(r.Winner)
				cr.Elected = cands([]int{r.Winner})
			}
			for _, v := range rd.Votes {
				cr.Votes = append(cr.Votes, strconv.FormatUint(v, 10))
			}
			out.Rounds = append(out.Rounds, cr)
		}
		return out
	case e.STV != nil:
		r := e.STV
		out := &Count{Method: "stv", Rule: r.Rule, Quota: r.Quota.String(), Candidates: people(c, e.Candidates), Ties: ties(r.Ties)}
		for i, st := range r.Stages {
			cr := CountRound{Number: i + 1, Action: st.Action, Candidate: cand(st.Candidate),
				Exhausted: st.NonTransferable.String(), Elected: cands(st.Elected)}
			if st.TransferValue != 0 {
				cr.TransferValue = st.TransferValue.String()
			}
			for _, v := range st.Votes {
				cr.Votes = append(cr.Votes, v.String())
			}
			out.Rounds = append(out.Rounds, cr)
		}
		return out
	}
	return nil
}
