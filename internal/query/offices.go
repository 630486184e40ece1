package query

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
)

// Person is a member named in an office or election.
type Person struct {
	Member uint32 `json:"member"`
	Name   string `json:"name"`
}

// Holder is a current holder of a seat.
type Holder struct {
	Person
	Term     uint64    `json:"term"`
	Election uint64    `json:"election"`
	Since    time.Time `json:"since"`
	Until    time.Time `json:"until"`
}

// Office is an office with its rules, holders and elections to come.
type Office struct {
	Name                string     `json:"name"`
	Seats               int        `json:"seats"`
	Term                string     `json:"term"`
	MaxConsecutiveTerms int        `json:"max_consecutive_terms"`
	MaxTerms            int        `json:"max_terms"`
	Selection           string     `json:"selection"`
	NominationPeriod    string     `json:"nomination_period"`
	VotingPeriod        string     `json:"voting_period"`
	Powers              []string   `json:"powers"`
	Holders             []Holder   `json:"holders"`
	TermEnds            *time.Time `json:"term_ends,omitempty"`
	// Elections are the office's elections not yet decided.
	Elections []Election `json:"elections"`
}

// OfficeDetail is an office with its history: every election, petition,
// notice and payment.
type OfficeDetail struct {
	Office
	Past      []Election `json:"past_elections"`
	Petitions []Petition `json:"petitions"`
	Notices   []Notice   `json:"notices"`
	Payments  []Payment  `json:"payments"`
}

// Election is an election as clients see it; Rounds are filled once it is
// decided.
type Election struct {
	ID          uint64    `json:"id"`
	Office      string    `json:"office"`
	Seats       int       `json:"seats"`
	ByElection  bool      `json:"by_election"`
	Status      string    `json:"status"`
	Opens       time.Time `json:"opens"`
	VotingOpens time.Time `json:"voting_opens"`
	Closes      time.Time `json:"closes"`
	TermEnds    time.Time `json:"term_ends"`
	Candidates  []Person  `json:"candidates"`
	Ballots     int       `json:"ballots"`
	Eligible    uint64    `json:"eligible"`
	Winners     []Person  `json:"winners"`
	Excluded    []Person  `json:"excluded,omitempty"`
	// Method is "irv" or "stv" once counted.
	Method string  `json:"method,omitempty"`
	Rounds []Round `json:"rounds,omitempty"`
	// Ties says how each tie the count had to break was broken.
	Ties []string `json:"ties,omitempty"`
	// Draw is the draw by lot that fills the seats of an office filled
	// by lot, once voting opened (see Draw).
	Draw uint64 `json:"draw,omitempty"`
}

// Round is one round (IRV) or stage (STV) of an election's count.
type Round struct {
	Number int    `json:"number"`
	Action string `json:"action"` // "round" for IRV; the STV stage's action
	// Votes are the continuing candidates' votes at the end of the round,
	// as decimal text (whole for IRV, five decimals for STV).
	Votes []RoundVotes `json:"votes"`
	// Exhausted is IRV's exhausted ballots, or STV's non-transferable value.
	Exhausted string `json:"exhausted"`
	// Eliminated is the candidate excluded in this round, if any.
	Eliminated *Person `json:"eliminated,omitempty"`
	// Elected are the candidates elected in this round.
	Elected []Person `json:"elected,omitempty"`
}

// RoundVotes is one candidate's votes in a round.
type RoundVotes struct {
	Person
	Votes string `json:"votes"`
}

// Petition is a recall petition.
type Petition struct {
	ID       uint64    `json:"id"`
	Office   string    `json:"office"`
	Holder   Person    `json:"holder"`
	Opened   time.Time `json:"opened"`
	Expires  time.Time `json:"expires"`
	Signers  []uint32  `json:"signers"`
	Needed   uint64    `json:"needed"`
	Status   string    `json:"status"`
	Proposal uint64    `json:"proposal,omitempty"`
}

// Notice is an official notice.
type Notice struct {
	ID     uint64    `json:"id"`
	Office string    `json:"office"`
	By     Person    `json:"by"`
	Title  string    `json:"title"`
	Text   string    `json:"text"`
	Time   time.Time `json:"time"`
}

// Payment is a payment recorded against a budget.
type Payment struct {
	ID     uint64    `json:"id"`
	Office string    `json:"office"`
	By     Person    `json:"by"`
	Budget uint64    `json:"budget"`
	Amount uint64    `json:"amount"`
	Payee  string    `json:"payee"`
	Memo   string    `json:"memo,omitempty"`
	Time   time.Time `json:"time"`
}

func person(s *core.State, n uint32) Person {
	p := Person{Member: n}
	if m, ok := s.MemberByNumber(n); ok {
		p.Name = m.Name
	}
	return p
}

func people(s *core.State, ns []uint32) []Person {
	out := make([]Person, 0, len(ns))
	for _, n := range ns {
		out = append(out, person(s, n))
	}
	return out
}

// officeOf converts an office of the rules in force.
func officeOf(s *core.State, st core.OfficeStatus) Office {
	o := st.Office
	sel := o.Selection
	if sel == "" {
		sel = core.SelectionElection
	}
	v := Office{Name: o.Name, Seats: o.Seats, Term: o.Term.String(), MaxConsecutiveTerms: o.MaxConsecutiveTerms, MaxTerms: o.MaxTerms,
		Selection: sel, NominationPeriod: o.NominationPeriod.String(), VotingPeriod: o.VotingPeriod.String(),
		Powers: slices.Clone(o.Powers), Holders: []Holder{}, Elections: []Election{}}
	if v.Powers == nil {
		v.Powers = []string{}
	}
	for _, h := range st.Holders {
		v.Holders = append(v.Holders, Holder{Person: person(s, h.Member), Term: h.ID, Election: h.Election, Since: t(h.Since), Until: t(h.Until)})
	}
	if st.TermEnds != 0 {
		e := t(st.TermEnds)
		v.TermEnds = &e
	}
	for _, e := range st.Elections {
		v.Elections = append(v.Elections, ElectionOf(s, e))
	}
	return v
}

// Offices lists the offices of the rules in force, in the constitution's
// order.
func Offices(s *core.State) []Office {
	out := []Office{}
	for _, st := range s.Offices() {
		out = append(out, officeOf(s, st))
	}
	return out
}

// OfficeByName returns one office with its history.
func OfficeByName(s *core.State, name string) (OfficeDetail, error) {
	st, ok := s.OfficeStatus(name)
	if !ok {
		return OfficeDetail{}, fmt.Errorf("there is no office %q", name)
	}
	d := OfficeDetail{Office: officeOf(s, st), Past: []Election{}, Petitions: []Petition{}, Notices: []Notice{}, Payments: []Payment{}}
	for _, e := range s.Elections() {
		if e.Office == name && e.Status == core.ElectionDecided {
			d.Past = append(d.Past, ElectionOf(s, e))
		}
	}
	for _, p := range s.Petitions() {
		if p.Office == name {
			d.Petitions = append(d.Petitions, Petition{ID: p.ID, Office: p.Office, Holder: person(s, p.Member), Opened: t(p.Opened),
				Expires: t(p.Expires), Signers: slices.Clone(p.Signers), Needed: p.Needed, Status: p.Status.String(), Proposal: p.Proposal})
		}
	}
	for _, n := range s.Notices() {
		if n.Office == name {
			d.Notices = append(d.Notices, Notice{ID: n.ID, Office: n.Office, By: person(s, n.Member), Title: n.Title, Text: n.Text, Time: t(n.Time)})
		}
	}
	for _, p := range s.Payments(0) {
		if p.Office == name {
			d.Payments = append(d.Payments, Payment{ID: p.ID, Office: p.Office, By: person(s, p.Member), Budget: p.Budget, Amount: p.Amount,
				Payee: p.Payee, Memo: p.Memo, Time: t(p.Time)})
		}
	}
	return d, nil
}

// ElectionOf converts an election, with its count once decided.
func ElectionOf(s *core.State, e *core.Election) Election {
	v := Election{ID: e.ID, Office: e.Office, Seats: e.Seats, ByElection: e.ByElection, Status: e.Status.String(),
		Opens: t(e.Opens), VotingOpens: t(e.VotingOpens), Closes: t(e.Closes), TermEnds: t(e.TermEnds),
		Candidates: people(s, e.Candidates), Ballots: e.Ballots(), Eligible: e.Eligible, Winners: people(s, e.Winners), Draw: e.Draw}
	if len(e.Excluded) > 0 {
		v.Excluded = people(s, e.Excluded)
	}
	cand := func(i int) Person { return person(s, e.Candidates[i]) }
	if r := e.IRV; r != nil {
		v.Method = "irv"
		for i, rd := range r.Rounds {
			x := Round{Number: i + 1, Action: "round", Exhausted: strconv.FormatUint(rd.Exhausted, 10)}
			out := r.Eliminated[:min(i, len(r.Eliminated))]
			for c, n := range rd.Votes {
				if slices.Contains(out, c) || slices.Contains(e.Excluded, e.Candidates[c]) {
					continue // no longer, or never, in the count
				}
				x.Votes = append(x.Votes, RoundVotes{Person: cand(c), Votes: strconv.FormatUint(n, 10)})
			}
			if rd.Eliminated >= 0 {
				p := cand(rd.Eliminated)
				x.Eliminated = &p
			}
			if i == len(r.Rounds)-1 {
				x.Elected = []Person{cand(r.Winner)}
			}
			v.Rounds = append(v.Rounds, x)
		}
		for _, tie := range r.Ties {
			v.Ties = append(v.Ties, fmt.Sprintf("round %d: %s among %s, %s chosen by %s", tie.Round, tie.Purpose, names(s, e, tie.Among), cand(tie.Chosen).Name, tie.By))
		}
	}
	if r := e.STV; r != nil {
		v.Method = "stv"
		for i, st := range r.Stages {
			x := Round{Number: i + 1, Action: st.Action, Exhausted: st.NonTransferable.String()}
			for c, n := range st.Votes {
				if n > 0 {
					x.Votes = append(x.Votes, RoundVotes{Person: cand(c), Votes: n.String()})
				}
			}
			if st.Action == "exclusion" && st.Candidate >= 0 {
				p := cand(st.Candidate)
				x.Eliminated = &p
			}
			for _, c := range st.Elected {
				x.Elected = append(x.Elected, cand(c))
			}
			v.Rounds = append(v.Rounds, x)
		}
		for _, tie := range r.Ties {
			v.Ties = append(v.Ties, fmt.Sprintf("stage %d: %s among %s, %s chosen by %s", tie.Round, tie.Purpose, names(s, e, tie.Among), cand(tie.Chosen).Name, tie.By))
		}
	}
	return v
}

func names(s *core.State, e *core.Election, idx []int) string {
	out := ""
	for i, c := range idx {
		if i > 0 {
			out += ", "
		}
		out += person(s, e.Candidates[c]).Name
	}
	return out
}

// Elections lists elections, newest first; office filters when not empty.
func Elections(s *core.State, office string) []Election {
	return newestFirst(s, s.Elections(), func(e *core.Election) bool { return office == "" || e.Office == office }, ElectionOf, 0, 0)
}

// ElectionByID finds an election.
func ElectionByID(s *core.State, id uint64) (Election, error) {
	return byNumber(s, "election", id, s.Election, ElectionOf)
}
