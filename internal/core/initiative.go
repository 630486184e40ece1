package core

import (
	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// initiativeDomain is the popular initiatives still gathering
// endorsements; the initiatives themselves are proposals.
type initiativeDomain struct {
	gathering deadlines // initiatives gathering endorsements, by the end of their window
}

// Popular initiatives.
//
// Any current member may start one: a proposal with Initiative set and no
// voting times. It is checked like any proposal when it starts (category,
// decision type, and its measure against the rules and the register then,
// as if voting closed one voting period later), and it is recorded with
// status Gathering. The policy in force then fixes, for good, how many
// endorsements it needs (the threshold share of the current members,
// rounded up, at least one), until when it may gather them and how long
// its ballot lasts.
//
// Endorsements (kind 13) by current members count; the one that reaches the
// number opens voting in that block, with the electorate fixed then as for
// any proposal. No office, no member, not even the author can stop it from
// then on. Before, its author may withdraw it. If the window passes first,
// it lapses in the EndBlock of the first block at or after the window's
// end (an ordered index: an idle block costs one comparison).
//
// The measure is not checked again when voting opens: the endorsements
// decide that the community votes. When the ballot passes, the measure is
// carried out against the register and the rules of that moment, as for
// every proposal (see effect): a renewal or repeal of a law no longer in
// force lapses, an amendment no longer valid over the rules in force
// lapses, and so does a renewal whose vote closed after its law's sunset.

// ShareOf returns the share r of n members, rounded up, and never fewer
// than one: how many signatures an initiative or a recall petition needs.
// Den is at most 1,000,000 (count.ParseRatio) and member counts fit in 32
// bits, so the product cannot overflow; a zero ratio needs one.
func ShareOf(r count.Ratio, n uint64) uint64 {
	if r.Den == 0 {
		return 1
	}
	return max((r.Num*n+r.Den-1)/r.Den, 1)
}

// needed returns how many endorsements an initiative started now needs.
func (s *State) needed() uint64 {
	thr, _, _ := s.cons.InitiativeRules()
	return ShareOf(thr, s.current)
}

// initiative checks and records a popular initiative.
func (s *State) initiative(m *Member, b *tx.Propose) (func(*Result), *reject.Error) {
	_, window, voting := s.cons.InitiativeRules()
	p, err := s.newProposal(m, b, addSat(s.now, int64(voting)))
	if err != nil {
		return nil, err
	}
	p.Status = Gathering
	p.Initiative = &InitiativeTerms{GatherUntil: addSat(s.now, int64(window)), Needed: s.needed(), VotingPeriod: int64(voting)}
	return func(r *Result) {
		s.addProposal(p, r)
		d := deadline{At: p.Initiative.GatherUntil, ID: p.ID}
		s.gathering.insert(d)
		s.record(func() { s.gathering.remove(d) })
	}, nil
}

// qualify opens voting on initiative p, which has just reached its
// endorsements.
func (s *State) qualify(p *Proposal, r *Result) {
	d := deadline{At: p.Initiative.GatherUntil, ID: p.ID}
	s.gathering.remove(d)
	p.Opens, p.Closes = s.now, addSat(s.now, p.Initiative.VotingPeriod)
	s.record(func() {
		p.Status = Gathering
		p.Opens, p.Closes = 0, 0
		s.gathering.insert(d)
	})
	s.open(p, r)
	leaf := factQualified(p)
	s.acc.Append(leaf)
	r.Leaves = append(r.Leaves, leaf)
	r.Events = append(r.Events,
		InitiativeQualified{Proposal: p.ID, Endorsements: uint64(len(p.endorsers)), Needed: p.Initiative.Needed, Opens: p.Opens, Closes: p.Closes},
		Opened{Proposal: p.ID, Eligible: p.Eligible})
}

// lapseInitiatives ends, at the current block, every initiative whose window
// has passed without enough endorsements, in order of (window end, id).
func (s *State) lapseInitiatives(r *Result) {
	s.eachDue(&s.gathering, func(d deadline) {
		p := s.proposals[d.ID-1]
		p.Status = Lapsed
		s.record(func() { p.Status = Gathering })
		leaf := factLapsed(p, s.now)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, InitiativeLapsed{Proposal: p.ID, Endorsements: uint64(len(p.endorsers)), Needed: p.Initiative.Needed})
	})
}

// action names what a transaction does to a proposal, as its rejection
// sentence starts.
type action string

const (
	actEndorse   action = "endorsement"
	actWithdraw  action = "withdrawal"
	actBallot    action = "ballot"
	actAmendText action = "text amendment"
)

// initiativeState refuses what may not be done to an initiative in its
// current stage. It returns nil for anything that is not an initiative.
func (s *State) initiativeState(what action, p *Proposal) *reject.Error {
	if p.Initiative == nil {
		return nil
	}
	switch {
	case p.Status == Lapsed:
		return reject.Errorf(reject.InitiativeLapsed, "%s rejected: initiative %d lapsed at %s with %d of the %d endorsements it needed",
			what, p.ID, formatTime(p.Initiative.GatherUntil), len(p.endorsers), p.Initiative.Needed)
	case p.Status == Gathering && what == actEndorse && s.now > p.Initiative.GatherUntil:
		return reject.Errorf(reject.InitiativeWindow, "endorsement rejected: initiative %d could gather endorsements until %s", p.ID, formatTime(p.Initiative.GatherUntil))
	case p.Status == Gathering && what == actBallot:
		return reject.Errorf(reject.InitiativeGathering, "ballot rejected: initiative %d is still gathering endorsements (%d of %d); voting opens when it has them",
			p.ID, len(p.endorsers), p.Initiative.Needed)
	case (p.Status == Open || p.Status == Decided) && what == actWithdraw:
		return reject.Errorf(reject.InitiativeQualified, "withdrawal rejected: initiative %d reached the %d endorsements it needed and voting opened at %s; no one can withdraw it now",
			p.ID, p.Initiative.Needed, formatTime(p.Opens))
	}
	return nil
}

// Events of this domain (see Event).

// InitiativeQualified: an initiative reached its endorsements and voting
// opened on it (an Opened event follows) from Opens to Closes (Unix ns).
type InitiativeQualified struct {
	Proposal     uint64
	Endorsements uint64
	Needed       uint64
	Opens        int64
	Closes       int64
}

// Type implements Event.
func (InitiativeQualified) Type() string { return "initiative_qualified" }

// Attrs implements Event.
func (e InitiativeQualified) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "endorsements", u64(e.Endorsements), "needed", u64(e.Needed),
		"opens", i64(e.Opens), "closes", i64(e.Closes))
}

// InitiativeLapsed: an initiative's window passed with fewer endorsements
// than it needed.
type InitiativeLapsed struct {
	Proposal     uint64
	Endorsements uint64
	Needed       uint64
}

// Type implements Event.
func (InitiativeLapsed) Type() string { return "initiative_lapsed" }

// Attrs implements Event.
func (e InitiativeLapsed) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "endorsements", u64(e.Endorsements), "needed", u64(e.Needed))
}

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factQualified(p *Proposal) []byte {
	return mustEncode([]any{FactInitiativeQualified, p.ID, uint64(len(p.endorsers)), p.Initiative.Needed, p.Opens, p.Closes})
}

func factLapsed(p *Proposal, at int64) []byte {
	return mustEncode([]any{FactInitiativeLapsed, p.ID, uint64(len(p.endorsers)), p.Initiative.Needed, p.Initiative.GatherUntil, at})
}
