package core

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Elections.
//
// Each office runs a cycle of regular elections. The first opens its
// nominations when the office comes into being (at genesis, or in the block
// that decides the amendment adding it); voting opens NominationPeriod
// later and closes VotingPeriod after that; the winners hold office from
// the close for one Term. Each regular election, when it closes, schedules
// the next so that it closes exactly when the term it filled ends: the
// winners of one take office the moment the previous holders' term ends.
//
// Candidacy (kind "candidacy") is open to any current member during the
// nominations, unless they would exceed the office's term limits. Voting is
// by ranked ballot (kind "rank"), open to the members admitted before
// voting opened (the electorate snapshot, as for proposals); a later ballot
// replaces an earlier one. At the close the ballots are counted with
// count.IRV for one seat and count.STV (Scottish STV) for several, among the
// candidates still members and not already holding a seat of the office.
// Ties the ballots cannot break go to the candidate who stood first: the
// lot (count.Options.TieOrder) is the order of candidacy. An election in
// which nobody voted is such a tie: the first candidates to stand are
// elected. When no more candidates stand than there are seats, all of them
// are elected.
//
// A seat left empty — too few candidates stood, the holder left the
// community, or was recalled — opens a by-election at once for the rest of
// the term, with the office's nomination and voting periods. When the rest
// of the term is not longer than those two periods together, no by-election
// is held and the seat stays empty until the next regular election. A
// by-election that itself leaves seats empty opens another, on the same
// rule, so seats are offered again until the term is nearly over.

// ElectionStatus is an election's stage.
type ElectionStatus uint8

// Election stages.
const (
	ElectionScheduled ElectionStatus = 1 // nominations not open yet
	Nominating        ElectionStatus = 2 // members may stand
	Voting            ElectionStatus = 3 // members may cast ranked ballots
	ElectionDecided   ElectionStatus = 4 // counted, winners seated
	ElectionCancelled ElectionStatus = 5 // its office was removed
)

// String names the stage.
func (e ElectionStatus) String() string {
	switch e {
	case ElectionScheduled:
		return "scheduled"
	case Nominating:
		return "nominating"
	case Voting:
		return "voting"
	case ElectionDecided:
		return "decided"
	case ElectionCancelled:
		return "cancelled"
	}
	return fmt.Sprintf("election status %d", uint8(e))
}

// Election is an election to an office. Times are Unix nanoseconds.
type Election struct {
	ID     uint64
	Office string
	// Seats is how many seats it fills.
	Seats int
	// ByElection is set for an election filling seats left empty during a
	// term; its winners hold until TermEnds, the end of that term.
	ByElection bool
	// Opens is when nominations open, VotingOpens when they close and
	// voting opens, Closes when voting closes and the winners take office,
	// TermEnds when their term ends.
	Opens, VotingOpens, Closes, TermEnds int64
	Status                               ElectionStatus
	// Candidates are the candidates' member numbers in the order they
	// stood.
	Candidates []uint32
	// Eligible and EligibleSeq are the electorate snapshot taken when
	// voting opened: the number of current members, and the admission
	// sequence up to which members may vote.
	Eligible, EligibleSeq uint64
	ballots               map[uint32][]uint32

	// Set when decided. Excluded are candidates not counted (they left, or
	// hold a seat of the office already); the count's candidate i is
	// Candidates[i]. IRV is the round-by-round count for one seat, STV for
	// several; both nil when nobody could be counted. Winners are in order
	// of election.
	Excluded []uint32
	IRV      *count.IRVResult
	STV      *count.STVResult
	Winners  []uint32
	// Draw is the draw by lot that fills the seats of an office filled by
	// lot (0 for an election by ballot), called when voting opens.
	Draw uint64
}

// Ballots returns the number of ranked ballots cast.
func (e *Election) Ballots() int { return len(e.ballots) }

// BallotOf returns the ranking counted for member, if any.
func (e *Election) BallotOf(member uint32) ([]uint32, bool) {
	b, ok := e.ballots[member]
	return b, ok
}

// Election returns an election by id.
func (s *State) Election(id uint64) (*Election, bool) {
	return numbered(s.elections, id)
}

// Elections returns every election, by id. The slice and its elections
// must not be modified.
func (s *State) Elections() []*Election { return s.elections }

// openElection creates an election for office o filling seats, opening
// nominations now. termEnds is the end of the term its winners will hold;
// 0 means a regular term from the close.
func (s *State) openElection(r *Result, o *Office, seats int, by bool, termEnds int64) *Election {
	nom, vote := int64(o.NominationPeriod.Duration), int64(o.VotingPeriod.Duration)
	e := &Election{ID: uint64(len(s.elections) + 1), Office: o.Name, Seats: seats, ByElection: by,
		Opens: s.now, VotingOpens: addSat(s.now, nom), ballots: make(map[uint32][]uint32)}
	e.Closes = addSat(e.VotingOpens, vote)
	e.TermEnds = termEnds
	if termEnds == 0 {
		e.TermEnds = addSat(e.Closes, int64(o.Term.Duration))
	}
	s.elections = append(s.elections, e)
	s.record(func() { s.elections = s.elections[:len(s.elections)-1] })
	s.nominate(e, r)
	return e
}

// scheduleNext schedules the regular election after e so that it closes
// when e's term ends (or as soon as the office's periods allow, if its
// rules changed), with the office's rules in force now.
func (s *State) scheduleNext(e *Election, o *Office, r *Result) {
	nom, vote := int64(o.NominationPeriod.Duration), int64(o.VotingPeriod.Duration)
	closes := max(e.TermEnds, addSat(addSat(s.now, nom), vote))
	n := &Election{ID: uint64(len(s.elections) + 1), Office: o.Name, Seats: o.Seats,
		Closes: closes, VotingOpens: closes - vote, Opens: closes - vote - nom,
		TermEnds: addSat(closes, int64(o.Term.Duration)), Status: ElectionScheduled, ballots: make(map[uint32][]uint32)}
	s.elections = append(s.elections, n)
	s.record(func() { s.elections = s.elections[:len(s.elections)-1] })
	if n.Opens <= s.now {
		s.nominate(n, r)
		return
	}
	d := deadline{At: n.Opens, ID: n.ID}
	s.elecOpening.insert(d)
	s.record(func() { s.elecOpening.remove(d) })
	r.Events = append(r.Events, ElectionScheduledEvent{Election: n.ID, Office: n.Office, Opens: n.Opens})
}

// byElection opens a by-election for seats of o until termEnds, unless the
// rest of the term is not longer than the nominations and the vote.
func (s *State) byElection(o *Office, seats int, termEnds int64, r *Result) {
	if termEnds-s.now <= int64(o.NominationPeriod.Duration+o.VotingPeriod.Duration) {
		r.Events = append(r.Events, ByElectionSkipped{Office: o.Name, Seats: seats, TermEnds: termEnds})
		return
	}
	s.openElection(r, o, seats, true, termEnds)
}

// nominate opens e's nominations.
func (s *State) nominate(e *Election, r *Result) {
	prev := e.Status
	e.Status = Nominating
	d := deadline{At: e.VotingOpens, ID: e.ID}
	s.elecVoting.insert(d)
	s.record(func() {
		e.Status = prev
		s.elecVoting.remove(d)
	})
	s.fact(r, factElectionOpened(e, s.now))
	r.Events = append(r.Events, ElectionOpened{Election: e.ID, Office: e.Office, Seats: e.Seats, ByElection: e.ByElection})
}

// startVoting closes e's nominations and takes the electorate snapshot.
func (s *State) startVoting(e *Election, r *Result) {
	e.Status = Voting
	e.Eligible, e.EligibleSeq = s.current, s.admissions
	d := deadline{At: e.Closes, ID: e.ID}
	s.elecClosing.insert(d)
	s.record(func() {
		e.Status = Nominating
		e.Eligible, e.EligibleSeq = 0, 0
		s.elecClosing.remove(d)
	})
	r.Events = append(r.Events, VotingOpened{Election: e.ID, Office: e.Office, Candidates: slices.Clone(e.Candidates)})
	if o, ok := s.cons.Office(e.Office); ok && o.ByLot() {
		s.drawForElection(e, r)
	}
}

// cancelElection cancels an election whose office was removed.
func (s *State) cancelElection(e *Election, r *Result) {
	prev := e.Status
	var d deadline
	var idx *deadlines
	switch prev {
	case ElectionScheduled:
		d, idx = deadline{At: e.Opens, ID: e.ID}, &s.elecOpening
	case Nominating:
		d, idx = deadline{At: e.VotingOpens, ID: e.ID}, &s.elecVoting
	case Voting:
		d, idx = deadline{At: e.Closes, ID: e.ID}, &s.elecClosing
	}
	idx.remove(d)
	e.Status = ElectionCancelled
	s.record(func() {
		e.Status = prev
		idx.insert(d)
	})
	r.Events = append(r.Events, ElectionCancelledEvent{Election: e.ID, Office: e.Office})
}

// beginElections opens the nominations and the votes that are due, in
// order of (time, election id).
func (s *State) beginElections(r *Result) {
	s.eachDue(&s.elecOpening, func(d deadline) {
		s.nominate(s.elections[d.ID-1], r)
	})
	s.eachDue(&s.elecVoting, func(d deadline) {
		s.startVoting(s.elections[d.ID-1], r)
	})
}

// endOffices does the office work of EndBlock, in this order: terms whose
// end has come end; elections whose close has come are counted and their
// winners seated; petitions whose window has passed lapse. Terms end first
// so that a regular election closing at the end of the term it renews
// seats its winners in the seats just left.
func (s *State) endOffices(r *Result) {
	s.eachDue(&s.termEnding, func(d deadline) {
		s.endTerm(s.terms[d.ID-1], EndTerm, r)
	})
	s.eachDue(&s.elecClosing, func(d deadline) {
		s.closeElection(s.elections[d.ID-1], r)
	})
	s.eachDue(&s.petitionLapse, func(d deadline) {
		s.lapse(s.petitions[d.ID-1], r)
	})
}

// closeElection counts e, seats its winners, schedules the next regular
// election and opens a by-election for seats left empty.
func (s *State) closeElection(e *Election, r *Result) {
	var counted []int // indexes into e.Candidates
	var excluded []uint32
	for i, c := range e.Candidates {
		_, holds := s.HolderOf(e.Office, c)
		if s.members[c-1].Left || holds {
			excluded = append(excluded, c)
			continue
		}
		counted = append(counted, i)
	}
	var irv *count.IRVResult
	var stv *count.STVResult
	var winners []uint32
	if e.Draw != 0 {
		winners = s.drawnForElection(e, excluded)
	} else if len(counted) > 0 {
		irv, stv, winners = s.countElection(e, counted)
	}
	e.Status, e.Excluded, e.IRV, e.STV, e.Winners = ElectionDecided, excluded, irv, stv, winners
	s.record(func() {
		e.Status, e.Excluded, e.IRV, e.STV, e.Winners = Voting, nil, nil, nil, nil
	})
	s.fact(r, factElectionDecided(e, s.now))
	r.Events = append(r.Events, ElectionDecidedEvent{Election: e.ID, Office: e.Office, Winners: slices.Clone(winners)})
	run := s.offices[e.Office]
	for _, w := range winners {
		t := &Term{ID: uint64(len(s.terms) + 1), Office: e.Office, Member: w, Election: e.ID, Since: e.Closes, Until: e.TermEnds}
		s.terms = append(s.terms, t)
		run.terms = append(run.terms, t.ID)
		d := deadline{At: t.Until, ID: t.ID}
		s.termEnding.insert(d)
		s.record(func() {
			s.terms = s.terms[:len(s.terms)-1]
			run.terms = run.terms[:len(run.terms)-1]
			s.termEnding.remove(d)
		})
		s.fact(r, factSeatFilled(t, s.now))
		r.Events = append(r.Events, SeatFilled{Term: t.ID, Office: t.Office, Member: t.Member, Election: e.ID, Until: t.Until})
	}
	o, ok := s.cons.Office(e.Office)
	if !ok {
		return
	}
	if !e.ByElection {
		prev := run.termEnds
		run.termEnds = e.TermEnds
		s.record(func() { run.termEnds = prev })
		s.scheduleNext(e, o, r)
	}
	if empty := e.Seats - len(winners); empty > 0 {
		s.byElection(o, empty, e.TermEnds, r)
	}
}

// countElection counts e's ballots among the candidates at indexes
// counted, and returns the count and the winners' member numbers.
func (s *State) countElection(e *Election, counted []int) (*count.IRVResult, *count.STVResult, []uint32) {
	names := make([]string, len(e.Candidates))
	index := make(map[uint32]int, len(e.Candidates))
	for i, c := range e.Candidates {
		names[i] = strconv.FormatUint(uint64(c), 10)
		index[c] = i
	}
	b, err := count.NewBuilder(names)
	if err != nil {
		panic(fmt.Sprintf("core: election %d: %v", e.ID, err)) // at most one candidate per member
	}
	voters := make([]uint32, 0, len(e.ballots))
	for m := range e.ballots { // sorted below: the profile's order is fixed
		voters = append(voters, m)
	}
	slices.Sort(voters)
	order := make([]int, 0, 8)
	for _, m := range voters {
		order = order[:0]
		for _, c := range e.ballots[m] {
			order = append(order, index[c])
		}
		if err := b.Add(order, nil, 1); err != nil {
			panic(fmt.Sprintf("core: election %d: ballot of member %d: %v", e.ID, m, err)) // checked when cast
		}
	}
	p := b.Profile()
	in := make([]bool, len(e.Candidates))
	for _, i := range counted {
		in[i] = true
	}
	for i := range in {
		if !in[i] {
			p.Withdrawn = append(p.Withdrawn, i)
		}
	}
	seats := min(e.Seats, len(counted))
	var winners []uint32
	if e.Seats == 1 {
		res, err := count.IRV(p, count.Options{Seats: 1})
		if err != nil {
			panic(fmt.Sprintf("core: election %d: %v", e.ID, err))
		}
		return res, nil, []uint32{e.Candidates[res.Winner]}
	}
	res, err := count.STV(p, count.Options{Seats: seats})
	if err != nil {
		panic(fmt.Sprintf("core: election %d: %v", e.ID, err))
	}
	for _, w := range res.Winners {
		winners = append(winners, e.Candidates[w])
	}
	return nil, res, winners
}

func (s *State) election(what string, id uint64) (*Election, *reject.Error) {
	e, ok := s.Election(id)
	if !ok {
		return nil, reject.Errorf(reject.UnknownElection, "%s rejected: there is no election %d", what, id)
	}
	return e, nil
}

func (s *State) candidacy(m *Member, b *tx.Candidacy) (func(*Result), *reject.Error) {
	e, err := s.election("candidacy", b.Election)
	if err != nil {
		return nil, err
	}
	if e.Status != Nominating {
		return nil, notNominating("candidacy", e)
	}
	if slices.Contains(e.Candidates, m.Number) {
		return nil, reject.Errorf(reject.AlreadyCandidate, "candidacy rejected: you already stand in election %d (%s)", e.ID, e.Office)
	}
	if _, holds := s.HolderOf(e.Office, m.Number); holds && e.ByElection {
		return nil, reject.Errorf(reject.AlreadyHolder, "candidacy rejected: you already hold a seat as %s; by-election %d fills another", e.Office, e.ID)
	}
	if o, ok := s.cons.Office(e.Office); ok {
		life, run := s.termsServed(e.Office, m.Number, e.Closes)
		if o.MaxConsecutiveTerms > 0 && run >= o.MaxConsecutiveTerms {
			return nil, reject.Errorf(reject.ConsecutiveTermLimit, "candidacy rejected: %s has served %d consecutive %s as %s, the most the constitution allows; they may stand again after a term out of office",
				m.Name, run, plural(run, "term", "terms"), e.Office)
		}
		if o.MaxTerms > 0 && life >= o.MaxTerms {
			return nil, reject.Errorf(reject.LifetimeTermLimit, "candidacy rejected: %s has served %d %s as %s, the most the constitution allows in a lifetime",
				m.Name, life, plural(life, "term", "terms"), e.Office)
		}
	}
	return func(r *Result) {
		e.Candidates = append(e.Candidates, m.Number)
		s.record(func() { e.Candidates = e.Candidates[:len(e.Candidates)-1] })
		r.Events = append(r.Events, CandidacyEvent{Election: e.ID, Member: m.Number})
	}, nil
}

func notNominating(what string, e *Election) *reject.Error {
	switch e.Status {
	case ElectionScheduled:
		return reject.Errorf(reject.NotNominating, "%s rejected: nominations for election %d (%s) open at %s", what, e.ID, e.Office, formatTime(e.Opens))
	case ElectionCancelled:
		return reject.Errorf(reject.NotNominating, "%s rejected: election %d was cancelled when the office of %s was removed", what, e.ID, e.Office)
	}
	return reject.Errorf(reject.NotNominating, "%s rejected: nominations for election %d (%s) closed at %s", what, e.ID, e.Office, formatTime(e.VotingOpens))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func (s *State) withdrawCandidacy(m *Member, b *tx.WithdrawCandidacy) (func(*Result), *reject.Error) {
	e, err := s.election("withdrawal of candidacy", b.Election)
	if err != nil {
		return nil, err
	}
	if e.Status != Nominating {
		return nil, notNominating("withdrawal of candidacy", e)
	}
	i := slices.Index(e.Candidates, m.Number)
	if i < 0 {
		return nil, reject.Errorf(reject.NotCandidate, "withdrawal of candidacy rejected: you do not stand in election %d", e.ID)
	}
	return func(r *Result) {
		prev := slices.Clone(e.Candidates)
		e.Candidates = slices.Delete(e.Candidates, i, i+1)
		s.record(func() { e.Candidates = prev })
		r.Events = append(r.Events, CandidacyWithdrawn{Election: e.ID, Member: m.Number})
	}, nil
}

func (s *State) rank(m *Member, b *tx.Rank) (func(*Result), *reject.Error) {
	e, err := s.election("ballot", b.Election)
	if err != nil {
		return nil, err
	}
	switch {
	case e.Status == ElectionCancelled:
		return nil, reject.Errorf(reject.ElectionNotVoting, "ballot rejected: election %d was cancelled when the office of %s was removed", e.ID, e.Office)
	case e.Status < Voting:
		return nil, reject.Errorf(reject.ElectionNotVoting, "ballot rejected: voting in election %d (%s) opens at %s", e.ID, e.Office, formatTime(e.VotingOpens))
	case e.Status == ElectionDecided || s.now > e.Closes:
		return nil, reject.Errorf(reject.ElectionNotVoting, "ballot rejected: voting in election %d (%s) closed at %s", e.ID, e.Office, formatTime(e.Closes))
	case e.Draw != 0:
		return nil, reject.Errorf(reject.ByLot, "ballot rejected: %s is filled by lot; election %d has no ballots, its seats go to draw %d among the candidates", e.Office, e.ID, e.Draw)
	case m.AdmitSeq > e.EligibleSeq:
		return nil, reject.Errorf(reject.NotElector, "ballot rejected: you joined after voting in election %d opened; the electorate was fixed at %s", e.ID, formatTime(e.VotingOpens))
	}
	for i, c := range b.Ranking {
		if !slices.Contains(e.Candidates, c) {
			return nil, reject.Errorf(reject.NotCandidate, "ballot rejected: preference %d is member %d, who does not stand in election %d (candidates: %s)",
				i+1, c, e.ID, joinNumbers(e.Candidates))
		}
	}
	prev, had := e.ballots[m.Number]
	if had && slices.Equal(prev, b.Ranking) {
		return nil, reject.Errorf(reject.RankingUnchanged, "ballot rejected: your ballot in election %d already ranks %s", e.ID, joinNumbers(prev))
	}
	return func(r *Result) {
		e.ballots[m.Number] = slices.Clone(b.Ranking)
		s.record(func() {
			if had {
				e.ballots[m.Number] = prev
			} else {
				delete(e.ballots, m.Number)
			}
		})
		r.Events = append(r.Events, Ranked{Election: e.ID, Member: m.Number, Ranking: slices.Clone(b.Ranking), Replaced: had})
	}, nil
}

func joinNumbers(xs []uint32) string {
	if len(xs) == 0 {
		return "none"
	}
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += ", "
		}
		out += strconv.FormatUint(uint64(x), 10)
	}
	return out
}

// Events of this domain (see Event).

// ElectionOpened: nominations opened for an election.
type ElectionOpened struct {
	Election   uint64
	Office     string
	Seats      int
	ByElection bool
}

// Type implements Event.
func (ElectionOpened) Type() string { return "election_opened" }

// Attrs implements Event.
func (e ElectionOpened) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "seats", strconv.Itoa(e.Seats),
		"by_election", strconv.FormatBool(e.ByElection))
}

// ElectionScheduledEvent: the next regular election of an office was
// scheduled; its nominations open at Opens (Unix nanoseconds).
type ElectionScheduledEvent struct {
	Election uint64
	Office   string
	Opens    int64
}

// Type implements Event.
func (ElectionScheduledEvent) Type() string { return "election_scheduled" }

// Attrs implements Event.
func (e ElectionScheduledEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "opens", i64(e.Opens))
}

// VotingOpened: an election's nominations closed and voting opened among
// Candidates.
type VotingOpened struct {
	Election   uint64
	Office     string
	Candidates []uint32
}

// Type implements Event.
func (VotingOpened) Type() string { return "election_voting_opened" }

// Attrs implements Event.
func (e VotingOpened) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "candidates", u32s(e.Candidates))
}

// ElectionCancelledEvent: an election was cancelled because its office was
// removed.
type ElectionCancelledEvent struct {
	Election uint64
	Office   string
}

// Type implements Event.
func (ElectionCancelledEvent) Type() string { return "election_cancelled" }

// Attrs implements Event.
func (e ElectionCancelledEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office)
}

// ByElectionSkipped: seats were left empty and no by-election opened,
// because the rest of the term (to TermEnds) is not longer than the
// nominations and the vote.
type ByElectionSkipped struct {
	Office   string
	Seats    int
	TermEnds int64
}

// Type implements Event.
func (ByElectionSkipped) Type() string { return "by_election_skipped" }

// Attrs implements Event.
func (e ByElectionSkipped) Attrs() []Attr {
	return attrs("office", e.Office, "seats", strconv.Itoa(e.Seats), "term_ends", i64(e.TermEnds))
}

// CandidacyEvent: a member stood in an election.
type CandidacyEvent struct {
	Election uint64
	Member   uint32
}

// Type implements Event.
func (CandidacyEvent) Type() string { return "candidacy" }

// Attrs implements Event.
func (e CandidacyEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "member", u32(e.Member))
}

// CandidacyWithdrawn: a member withdrew from an election.
type CandidacyWithdrawn struct {
	Election uint64
	Member   uint32
}

// Type implements Event.
func (CandidacyWithdrawn) Type() string { return "candidacy_withdrawn" }

// Attrs implements Event.
func (e CandidacyWithdrawn) Attrs() []Attr {
	return attrs("election", u64(e.Election), "member", u32(e.Member))
}

// Ranked: a member cast (Replaced false) or replaced a ranked ballot.
type Ranked struct {
	Election uint64
	Member   uint32
	Ranking  []uint32
	Replaced bool
}

// Type implements Event.
func (Ranked) Type() string { return "ranked" }

// Attrs implements Event. The ranking itself is not an attribute: it is
// in the transaction.
func (e Ranked) Attrs() []Attr { return attrs("election", u64(e.Election), "member", u32(e.Member)) }

// ElectionDecidedEvent: an election was counted.
type ElectionDecidedEvent struct {
	Election uint64
	Office   string
	Winners  []uint32
}

// Type implements Event.
func (ElectionDecidedEvent) Type() string { return "election_decided" }

// Attrs implements Event.
func (e ElectionDecidedEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "winners", u32s(e.Winners))
}

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factElectionOpened(e *Election, at int64) []byte {
	return mustEncode([]any{FactElectionOpened, e.ID, e.Office, uint64(e.Seats), e.ByElection, e.VotingOpens, e.Closes, e.TermEnds, at})
}

func factElectionDecided(e *Election, at int64) []byte {
	w := e.Winners
	if w == nil {
		w = []uint32{}
	}
	return mustEncode([]any{FactElectionDecided, e.ID, e.Office, w, uint64(len(e.ballots)), at})
}
