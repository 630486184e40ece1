package core

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// officeDomain is the offices, their elections, terms and recall
// petitions, and what holders did with their powers (offices.go,
// elections.go, recall.go, powers.go).
type officeDomain struct {
	offices       map[string]*officeRun // by office name; lookups only
	elections     []*Election           // index = id-1
	terms         []*Term               // index = id-1
	petitions     []*Petition           // index = id-1
	petitionFor   map[uint64]uint64     // term id -> its latest petition; lookups only
	notices       []*Notice             // index = id-1
	payments      []*Payment            // index = id-1
	spent         map[uint64]uint64     // budget proposal -> sum paid; lookups only
	elecOpening   deadlines             // scheduled elections by nomination opening (ID = election)
	elecVoting    deadlines             // nominating elections by voting opening
	elecClosing   deadlines             // voting elections by close
	termEnding    deadlines             // current terms by end (ID = term)
	petitionLapse deadlines             // open petitions by window end (ID = petition)
}

// Offices.
//
// An office (Constitution.Offices) has a name, a number of seats, a term, term
// limits, a selection method and powers. Its holders are chosen by election
// (see elections.go); its powers are the office transactions (kinds
// "notice" and "payment") its holders may issue while in term. No office can
// change the constitution, the membership rules or a vote: those are
// decided by proposals and ballots of the members, and the only powers that
// exist are the two above.

// Office powers: the names of the transaction kinds an office may be given.
const (
	PowerNotice  = "notice"  // publish an official notice (kind 40)
	PowerPayment = "payment" // record a payment within an approved budget (kind 41)
)

// officePowers lists every power an office may hold, in documentation order.
var officePowers = []string{PowerNotice, PowerPayment}

// SelectionElection is the only selection method so far: the members elect
// the holders by ranked ballot.
const SelectionElection = "election"

// SelectionSortition fills an office by lot: its "election" takes
// candidacies as volunteers, and instead of ranked voting runs a draw
// (sortition.go) among them over the voting period, whose members drawn
// take the seats.
const SelectionSortition = "sortition"

// ByLot reports whether the office is filled by lot.
func (o *Office) ByLot() bool { return o.Selection == SelectionSortition }

// Office is an elected office as the constitution defines it.
type Office struct {
	// Name identifies the office (1 to tx.MaxOfficeName code points).
	Name string `json:"name"`
	// Seats is how many members hold the office at once (1 to MaxSeats).
	// One seat is filled by instant-runoff voting, several by STV.
	Seats int `json:"seats"`
	// Term is how long the winners of a regular election hold office. It
	// is at least NominationPeriod plus VotingPeriod, so the next election
	// fits inside a term.
	Term Duration `json:"term"`
	// MaxConsecutiveTerms is how many terms in a row one member may serve;
	// 0 means no limit. Terms are in a row when one begins the moment the
	// previous one ended; a seat won in a by-election counts as a term.
	MaxConsecutiveTerms int `json:"max_consecutive_terms,omitempty"`
	// MaxTerms is how many terms one member may serve in a lifetime; 0
	// means no limit.
	MaxTerms int `json:"max_terms,omitempty"`
	// Selection is how holders are chosen: "election" (the default, when
	// empty). Sortition comes later.
	Selection string `json:"selection,omitempty"`
	// NominationPeriod is how long members may stand before voting opens;
	// VotingPeriod how long voting lasts.
	NominationPeriod Duration `json:"nomination_period"`
	VotingPeriod     Duration `json:"voting_period"`
	// Powers are the office transactions holders may issue: "notice" and
	// "payment" are the only ones that exist.
	Powers []string `json:"powers,omitempty"`
	// Secret asks for secret ranked ballots. It is refused: ranked ballots
	// cannot be summed under encryption, and a verifiable mixnet does not
	// exist in folkmoot yet. It is here so that the refusal is a clear
	// sentence rather than an unknown key.
	Secret bool `json:"secret,omitempty"`
}

// Limits on offices in a constitution.
const (
	MaxOffices = 1000
	MaxSeats   = 100
)

// HasPower reports whether the office holds power.
func (o *Office) HasPower(power string) bool { return slices.Contains(o.Powers, power) }

// RecallPolicy says how members recall an office holder: a petition signed
// by a share of the current members within a window opens a recall ballot
// (a yes/no proposal with its own voting period, quorum and threshold). The
// zero value of each field means its default (see Constitution.RecallRules).
type RecallPolicy struct {
	// Petition is the share of current members who must sign, rounded up
	// (at least one); default 1/10.
	Petition Ratio `json:"petition,omitzero"`
	// Window is how long a petition may gather signatures; default 30 days.
	Window Duration `json:"petition_window,omitzero"`
	// Voting is how long the recall ballot lasts; default 14 days.
	Voting Duration `json:"voting_period,omitzero"`
	// Quorum and Threshold decide the ballot; defaults: the constitution's
	// ordinary quorum, and more than half of yes and no.
	Quorum    Ratio `json:"quorum,omitzero"`
	Threshold Ratio `json:"threshold,omitzero"`
}

// Recall defaults.
const (
	DefaultRecallWindow = 30 * 24 * time.Hour
	DefaultRecallVoting = 14 * 24 * time.Hour
)

// RecallRules returns the recall policy with its defaults filled in.
func (c *Constitution) RecallRules() RecallPolicy {
	r := c.Recall
	if r.Petition.Den == 0 {
		r.Petition = Ratio{count.Ratio{Num: 1, Den: 10}}
	}
	if r.Window.Duration == 0 {
		r.Window.Duration = DefaultRecallWindow
	}
	if r.Voting.Duration == 0 {
		r.Voting.Duration = DefaultRecallVoting
	}
	if r.Quorum.Den == 0 {
		r.Quorum = c.Quorum
	}
	if r.Threshold.Den == 0 {
		r.Threshold = Ratio{count.Ratio{Num: 1, Den: 2}}
	}
	return r
}

// Office returns the office of that name in the rules.
func (c *Constitution) Office(name string) (*Office, bool) {
	for i := range c.Offices {
		if c.Offices[i].Name == name {
			return &c.Offices[i], true
		}
	}
	return nil, false
}

// OfficeNames returns the offices' names in the constitution's order.
func (c *Constitution) OfficeNames() []string {
	out := make([]string, len(c.Offices))
	for i, o := range c.Offices {
		out[i] = o.Name
	}
	return out
}

// validateOffices checks the offices and the recall policy.
func (c *Constitution) validateOffices() error {
	const century = 100 * 365 * 24 * time.Hour
	if len(c.Offices) > MaxOffices {
		return fmt.Errorf("offices: %d offices; at most %d are allowed", len(c.Offices), MaxOffices)
	}
	for i, o := range c.Offices {
		if err := tx.CheckName("name", o.Name); err != nil {
			return fmt.Errorf("offices[%d] %s", i, err.Msg)
		}
		if n := utf8.RuneCountInString(o.Name); n > tx.MaxOfficeName {
			return fmt.Errorf("offices[%d]: the name has %d characters; at most %d are allowed", i, n, tx.MaxOfficeName)
		}
		if slices.ContainsFunc(c.Offices[:i], func(e Office) bool { return e.Name == o.Name }) {
			return fmt.Errorf("offices[%d]: %q is listed twice", i, o.Name)
		}
		at := fmt.Sprintf("offices[%d] %q", i, o.Name)
		if o.Seats < 1 || o.Seats > MaxSeats {
			return fmt.Errorf("%s: seats must be 1 to %d, not %d", at, MaxSeats, o.Seats)
		}
		if o.Secret {
			return fmt.Errorf("%s: a secret ranked election is not available yet: ranked ballots cannot be counted under encryption, and that needs a verifiable mixnet, which folkmoot does not have; elections of offices are open ballots", at)
		}
		if o.Selection != "" && o.Selection != SelectionElection && o.Selection != SelectionSortition {
			return fmt.Errorf("%s: selection %q is not available; offices are filled by \"election\" or \"sortition\" (by lot among volunteers)", at, o.Selection)
		}
		if o.ByLot() && o.VotingPeriod.Duration < 2*time.Second {
			return fmt.Errorf("%s: an office filled by lot needs a voting_period of at least 2s: its draw's commitments and reveals share it", at)
		}
		if o.NominationPeriod.Duration < time.Second || o.VotingPeriod.Duration < time.Second {
			return fmt.Errorf("%s: nomination_period and voting_period must each be at least 1s", at)
		}
		if o.Term.Duration < o.NominationPeriod.Duration+o.VotingPeriod.Duration {
			return fmt.Errorf("%s: the term (%s) must be at least nomination_period plus voting_period (%s), so that each election fits inside a term",
				at, o.Term, o.NominationPeriod.Duration+o.VotingPeriod.Duration)
		}
		if o.Term.Duration > century {
			return fmt.Errorf("%s: the term must be under 100 years", at)
		}
		if o.MaxConsecutiveTerms < 0 || o.MaxTerms < 0 {
			return fmt.Errorf("%s: term limits must not be negative (0 means no limit)", at)
		}
		for j, p := range o.Powers {
			if !slices.Contains(officePowers, p) {
				return fmt.Errorf("%s: power %q does not exist; an office may hold only %s: no office can change the constitution, the membership rules or a vote",
					at, p, joinQuoted(officePowers))
			}
			if slices.Contains(o.Powers[:j], p) {
				return fmt.Errorf("%s: power %q is listed twice", at, p)
			}
		}
	}
	r := c.Recall
	if r.Petition.Den != 0 && (r.Petition.Num == 0 || r.Petition.Num > r.Petition.Den) {
		return fmt.Errorf("recall: petition must be a share of the members from above 0 to 1/1, not %s", r.Petition)
	}
	if r.Window.Duration < 0 || r.Voting.Duration < 0 || r.Window.Duration > century || r.Voting.Duration > century {
		return fmt.Errorf("recall: petition_window and voting_period must be between 0 (the default) and 100 years")
	}
	if (r.Window.Duration != 0 && r.Window.Duration < time.Second) || (r.Voting.Duration != 0 && r.Voting.Duration < time.Second) {
		return fmt.Errorf("recall: petition_window and voting_period must be at least 1s")
	}
	if t := r.Threshold; t.Den != 0 && t.Num == t.Den && !t.AtLeast {
		return fmt.Errorf("recall: threshold %s can never be met: use \">=1/1\" for unanimity", t)
	}
	return nil
}

// Term is one member's tenure of one seat of an office. Times are Unix
// nanoseconds.
type Term struct {
	// ID numbers terms from 1, in the order they began.
	ID       uint64
	Office   string
	Member   uint32
	Election uint64 // the election that filled the seat
	// Since is the close of that election; Until the scheduled end.
	Since, Until int64
	// Ended is when the term ended (Until when it ran its course); 0 while
	// it runs. EndedBy says why: "term", "left", "recalled" or "office
	// removed".
	Ended   int64
	EndedBy string
}

// End reasons of a Term.
const (
	EndTerm          = "term"
	EndLeft          = "left"
	EndRecalled      = "recalled"
	EndOfficeRemoved = "office removed"
)

// officeRun is the running state of an office in the constitution.
type officeRun struct {
	terms    []uint64 // the current holders' terms, in the order they began
	termEnds int64    // end of the current regular term; 0 before the first election closes
}

// OfficeStatus is an office with its current holders.
type OfficeStatus struct {
	Office Office
	// Holders are the current terms, in the order they began.
	Holders []*Term
	// TermEnds is when the current regular term ends (0 before the first
	// election closes).
	TermEnds int64
	// Elections are the office's elections not yet decided (scheduled,
	// nominating or voting), by id.
	Elections []*Election
}

// Offices returns the offices of the rules in force with their holders, in
// the constitution's order. The terms and elections must not be modified.
func (s *State) Offices() []OfficeStatus {
	out := make([]OfficeStatus, 0, len(s.cons.Offices))
	for _, o := range s.cons.Offices {
		st, _ := s.OfficeStatus(o.Name)
		out = append(out, st)
	}
	return out
}

// OfficeStatus returns one office of the rules in force with its holders.
func (s *State) OfficeStatus(name string) (OfficeStatus, bool) {
	o, ok := s.cons.Office(name)
	if !ok {
		return OfficeStatus{}, false
	}
	st := OfficeStatus{Office: *o}
	if run := s.offices[name]; run != nil {
		st.TermEnds = run.termEnds
		for _, id := range run.terms {
			st.Holders = append(st.Holders, s.terms[id-1])
		}
	}
	for _, e := range s.elections {
		if e.Office == name && e.Status < ElectionDecided {
			st.Elections = append(st.Elections, e)
		}
	}
	return st, true
}

// Terms returns every term ever begun, by id. The slice and its terms must
// not be modified.
func (s *State) Terms() []*Term { return s.terms }

// HolderOf returns member's current term in office, if they hold a seat.
func (s *State) HolderOf(office string, member uint32) (*Term, bool) {
	run := s.offices[office]
	if run == nil {
		return nil, false
	}
	for _, id := range run.terms {
		if t := s.terms[id-1]; t.Member == member {
			return t, true
		}
	}
	return nil, false
}

// lastTerm returns member's latest term in office, current or not.
func (s *State) lastTerm(office string, member uint32) (*Term, bool) {
	for i := len(s.terms) - 1; i >= 0; i-- {
		if t := s.terms[i]; t.Office == office && t.Member == member {
			return t, true
		}
	}
	return nil, false
}

// termsServed returns how many terms member has begun in office in all,
// and how many of them run unbroken up to start: the latest ends (or is
// scheduled to end) exactly at start, the one before it exactly when the
// latest began, and so on.
func (s *State) termsServed(office string, member uint32, start int64) (lifetime, consecutive int) {
	at := start
	chain := true
	for i := len(s.terms) - 1; i >= 0; i-- {
		t := s.terms[i]
		if t.Office != office || t.Member != member {
			continue
		}
		lifetime++
		end := t.Until
		if t.Ended != 0 {
			end = t.Ended
		}
		if chain && end == at {
			consecutive++
			at = t.Since
		} else {
			chain = false
		}
	}
	return lifetime, consecutive
}

// fact appends a leaf to the accumulator and to r.
func (s *State) fact(r *Result, leaf []byte) {
	s.acc.Append(leaf)
	r.Leaves = append(r.Leaves, leaf)
}

// startOffices opens the first election of every office of the genesis.
func (s *State) startOffices(r *Result) {
	for _, o := range s.cons.Offices {
		s.addOffice(o, r)
	}
}

// addOffice starts the running state of a new office and opens its first
// election at once.
func (s *State) addOffice(o Office, r *Result) {
	if s.offices == nil {
		s.offices = make(map[string]*officeRun)
	}
	s.offices[o.Name] = &officeRun{}
	s.record(func() { delete(s.offices, o.Name) })
	s.openElection(r, &o, o.Seats, false, 0)
}

// officesAmended reconciles the running offices with the rules just
// amended: offices dropped end their holders' terms and cancel their
// elections; offices added open their first election.
func (s *State) officesAmended(old Constitution, r *Result) {
	for _, o := range old.Offices {
		if _, ok := s.cons.Office(o.Name); ok {
			continue
		}
		run := s.offices[o.Name]
		for len(run.terms) > 0 {
			s.endTerm(s.terms[run.terms[0]-1], EndOfficeRemoved, r)
		}
		for _, e := range s.elections {
			if e.Office == o.Name && e.Status < ElectionDecided {
				s.cancelElection(e, r)
			}
		}
		delete(s.offices, o.Name)
		s.record(func() { s.offices[o.Name] = run })
	}
	for _, o := range s.cons.Offices {
		if _, ok := old.Office(o.Name); !ok {
			s.addOffice(o, r)
		}
	}
}

// endTerm ends a term now (or at its scheduled end, for EndTerm), takes it
// out of its office, and records the fact: FactTermEnded when it ran its
// course or its office was removed, FactSeatVacated otherwise.
func (s *State) endTerm(t *Term, why string, r *Result) {
	run := s.offices[t.Office]
	i := slices.Index(run.terms, t.ID)
	prev := slices.Clone(run.terms)
	run.terms = slices.Delete(run.terms, i, i+1)
	d := deadline{At: t.Until, ID: t.ID}
	if why != EndTerm {
		s.termEnding.remove(d)
	}
	t.Ended, t.EndedBy = s.now, why
	if why == EndTerm {
		t.Ended = t.Until
	}
	s.record(func() {
		run.terms = prev
		t.Ended, t.EndedBy = 0, ""
		if why != EndTerm {
			s.termEnding.insert(d)
		}
	})
	switch why {
	case EndTerm, EndOfficeRemoved:
		s.fact(r, factTermEnded(t, s.now))
		r.Events = append(r.Events, TermEndedEvent{Term: t.ID, Office: t.Office, Member: t.Member, Reason: why})
	default:
		s.fact(r, factSeatVacated(t, s.now))
		r.Events = append(r.Events, SeatVacated{Term: t.ID, Office: t.Office, Member: t.Member, Reason: why})
	}
}

// vacate ends a term early (the holder left or was recalled) and opens a
// by-election for the rest of it.
func (s *State) vacate(t *Term, why string, r *Result) {
	s.endTerm(t, why, r)
	if o, ok := s.cons.Office(t.Office); ok {
		s.byElection(o, 1, t.Until, r)
	}
}

// vacateAll vacates every seat member holds, office by office in the
// constitution's order.
func (s *State) vacateAll(member uint32, why string, r *Result) {
	for _, o := range s.cons.Offices {
		if t, ok := s.HolderOf(o.Name, member); ok {
			s.vacate(t, why, r)
		}
	}
}

// officeList renders the office names for sentences.
func (s *State) officeList() string {
	if len(s.cons.Offices) == 0 {
		return "the constitution has none"
	}
	return "offices: " + strings.Join(quoteAll(s.cons.OfficeNames()), ", ")
}

func quoteAll(xs []string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = fmt.Sprintf("%q", x)
	}
	return out
}

// Events of this domain (see Event).

// SeatFilled: a winner took a seat until Until (Unix nanoseconds).
type SeatFilled struct {
	Term     uint64
	Office   string
	Member   uint32
	Election uint64
	Until    int64
}

// Type implements Event.
func (SeatFilled) Type() string { return "seat_filled" }

// Attrs implements Event.
func (e SeatFilled) Attrs() []Attr {
	return attrs("office", e.Office, "member", u32(e.Member), "election", u64(e.Election), "term", u64(e.Term))
}

// SeatVacated: a holder lost their seat before the end of the term
// (Reason "left" or "recalled").
type SeatVacated struct {
	Term   uint64
	Office string
	Member uint32
	Reason string
}

// Type implements Event.
func (SeatVacated) Type() string { return "seat_vacated" }

// Attrs implements Event.
func (e SeatVacated) Attrs() []Attr {
	return attrs("office", e.Office, "member", u32(e.Member), "term", u64(e.Term), "reason", e.Reason)
}

// TermEndedEvent: a term ended, at its end ("term") or because its office
// was removed ("office removed").
type TermEndedEvent struct {
	Term   uint64
	Office string
	Member uint32
	Reason string
}

// Type implements Event.
func (TermEndedEvent) Type() string { return "term_ended" }

// Attrs implements Event.
func (e TermEndedEvent) Attrs() []Attr {
	return attrs("office", e.Office, "member", u32(e.Member), "term", u64(e.Term), "reason", e.Reason)
}

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factSeatFilled(t *Term, at int64) []byte {
	return mustEncode([]any{FactSeatFilled, t.ID, t.Office, t.Member, t.Election, t.Until, at})
}

func factSeatVacated(t *Term, at int64) []byte {
	return mustEncode([]any{FactSeatVacated, t.ID, t.Office, t.Member, t.EndedBy, at})
}

func factTermEnded(t *Term, at int64) []byte {
	return mustEncode([]any{FactTermEnded, t.ID, t.Office, t.Member, t.EndedBy, at})
}
