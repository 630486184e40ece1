package core

import (
	"crypto/sha256"
	"fmt"
	"slices"
	"strconv"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// proposalDomain is the proposals, their comments and the queues that open
// and close their votes.
type proposalDomain struct {
	proposals []*Proposal // index = id-1
	comments  []uint64    // comment id-1 -> proposal id
	opening   deadlines   // scheduled proposals by opening time
	closing   deadlines   // open proposals by closing time
	// decrypting holds closed secret votes by decrypt deadline.
	decrypting deadlines
}

// Status is a proposal's stage.
type Status uint8

// Proposal stages.
const (
	Scheduled Status = 1 // recorded, voting not open yet
	Open      Status = 2 // voting open
	Decided   Status = 3 // closed and counted
	Withdrawn Status = 4 // withdrawn by its author before voting opened
	Gathering Status = 5 // an initiative gathering endorsements
	Lapsed    Status = 6 // an initiative whose window passed before it had enough endorsements
	Counting  Status = 7 // a secret vote closed, awaiting its trustees' decryptions
	Cancelled Status = 8 // a secret vote whose key could not be made
)

// String names the stage.
func (s Status) String() string {
	switch s {
	case Scheduled:
		return "scheduled"
	case Open:
		return "open"
	case Decided:
		return "decided"
	case Withdrawn:
		return "withdrawn"
	case Gathering:
		return "gathering"
	case Lapsed:
		return "lapsed"
	case Counting:
		return "counting"
	case Cancelled:
		return "cancelled"
	}
	return fmt.Sprintf("status %d", uint8(s))
}

// Statuses returns the name of every proposal stage (Status.String), in
// the order lists offer them: the one vocabulary of stages that the API
// checks filters against, the pages list, and the projection's CHECK
// constraint holds (a store test compares them).
func Statuses() []string {
	out := make([]string, 0, 8)
	for _, st := range []Status{Open, Counting, Decided, Scheduled, Withdrawn, Gathering, Lapsed, Cancelled} {
		out = append(out, st.String())
	}
	return out
}

// Proposal is a proposal and its votes. Times are Unix nanoseconds.
type Proposal struct {
	ID       uint64
	Author   uint32 // member number
	Title    string
	Body     string
	Category string
	Created  int64
	Opens    int64
	Closes   int64
	Status   Status

	// Set when voting opens: the electorate snapshot.
	Eligible    uint64 // current members when voting opened
	EligibleSeq uint64 // members admitted up to this sequence may vote

	Yes, No, Abstain uint64
	ballots          map[uint32]tx.Choice
	endorsers        map[uint32]struct{}
	Comments         uint64
	// Revisions is the number of times the author amended the title and
	// body (see AmendText); 0 while they are as proposed.
	Revisions uint32

	Result *count.YesNoResult // set when decided, delegated votes included
	// Delegated is the part of Result carried by delegation; nil when no
	// delegation counted (see DelegatedTally).
	Delegated *DelegatedTally
	// Quorum and Threshold are the rules that applied, fixed when the
	// proposal was created from its decision type (Type) in the version of
	// the constitution then in force (RulesVersion, see State.RulesFor).
	Quorum, Threshold count.Ratio
	Type              string
	RulesVersion      uint32

	// Measure is what the proposal does if it passes; Terms holds the
	// particulars of a law, renewal, repeal or amendment (nil for a
	// resolution and a recall ballot).
	Measure tx.Measure
	Terms   *MeasureTerms

	// Amount is what a budget proposal allows to be spent, in minor units
	// (0: none; see Payment).
	Amount uint64
	// Recall is set on a recall ballot (Measure tx.RecallVote).
	Recall *RecallTerms
	// Initiative is set on a popular initiative (see initiative.go). Opens
	// and Closes are zero until it qualifies.
	Initiative *InitiativeTerms
	// Secret is set on a proposal voted by secret ballot (see secret.go).
	Secret *SecretVote
}

// MeasureTerms are the particulars of a proposal that changes the register
// of laws or the constitution if it passes.
type MeasureTerms struct {
	// Law is the law a renewal or repeal is about.
	Law uint64
	// Sunset is the life in nanoseconds a law or renewal asked for, the
	// constitution's default filled in.
	Sunset int64
	// Amendment is the new rules (JSON) of an amendment.
	Amendment string
}

// RecallTerms are the particulars of a recall ballot: the office, the
// holder's member number and the petition that opened it.
type RecallTerms struct {
	Office   string
	Holder   uint32
	Petition uint64
}

// InitiativeTerms are the particulars of a popular initiative. It gathers
// endorsements until GatherUntil; in the block in which they reach Needed,
// voting opens and lasts VotingPeriod nanoseconds. The three are fixed when
// it starts, from the initiative policy then in force.
type InitiativeTerms struct {
	GatherUntil  int64
	Needed       uint64
	VotingPeriod int64
}

// LawNumber returns the law a renewal or repeal is about (0 for any other
// proposal).
func (p *Proposal) LawNumber() uint64 {
	if p.Terms == nil {
		return 0
	}
	return p.Terms.Law
}

// Endorsements returns the number of members who endorsed the proposal.
func (p *Proposal) Endorsements() int { return len(p.endorsers) }

// BallotOf returns the choice counted for a member, if any.
func (p *Proposal) BallotOf(member uint32) (tx.Choice, bool) {
	c, ok := p.ballots[member]
	return c, ok
}

// Proposal returns a proposal by id.
func (s *State) Proposal(id uint64) (*Proposal, bool) {
	return numbered(s.proposals, id)
}

// Proposals returns every proposal, by id. The slice and its proposals must
// not be modified.
func (s *State) Proposals() []*Proposal { return s.proposals }

// CommentCount returns the number of comments ever made.
func (s *State) CommentCount() uint64 { return uint64(len(s.comments)) }

// maxUnixSeconds keeps times within int64 nanoseconds (year 2242).
const maxUnixSeconds = 1 << 33

func (s *State) propose(m *Member, b *tx.Propose) (func(*Result), *reject.Error) {
	if !slices.Contains(s.cons.Categories, b.Category) {
		return nil, reject.Errorf(reject.UnknownCategory, "proposal rejected: category %q is not one of the constitution's (%s)", b.Category, joinQuoted(s.cons.Categories))
	}
	if b.Initiative {
		return s.initiative(m, b)
	}
	if b.Opens > maxUnixSeconds || b.Closes > maxUnixSeconds {
		return nil, reject.Errorf(reject.BadWindow, "proposal rejected: voting times beyond the year 2242 are not supported")
	}
	opens := s.now
	if b.Opens != 0 {
		opens = b.Opens * 1e9
		if opens < s.now {
			return nil, reject.Errorf(reject.BadWindow, "proposal rejected: voting would open at %s, which has already passed (block time %s)", formatTime(opens), formatTime(s.now))
		}
		if lead := opens - s.now; lead > int64(s.cons.MaxLead.Duration) {
			return nil, reject.Errorf(reject.BadWindow, "proposal rejected: voting may open at most %s ahead, not at %s", s.cons.MaxLead, formatTime(opens))
		}
	}
	closes := b.Closes * 1e9
	period := closes - opens
	if period < int64(s.cons.MinVoting.Duration) || period > int64(s.cons.MaxVoting.Duration) {
		return nil, reject.Errorf(reject.BadWindow, "proposal rejected: voting from %s to %s lasts %s; the constitution allows %s to %s",
			formatTime(opens), formatTime(closes), fmtDuration(period), s.cons.MinVoting, s.cons.MaxVoting)
	}
	p, err := s.newProposal(m, b, closes)
	if err != nil {
		return nil, err
	}
	p.Opens, p.Closes, p.Status = opens, closes, Scheduled
	return func(r *Result) {
		s.addProposal(p, r)
		if opens <= s.now {
			if s.open(p, r) {
				r.Events = append(r.Events, Opened{Proposal: p.ID, Eligible: p.Eligible})
			}
		} else {
			d := deadline{At: opens, ID: p.ID}
			s.opening.insert(d)
			s.record(func() { s.opening.remove(d) })
		}
	}, nil
}

// newProposal checks what every proposal a member makes must pass, whatever
// its voting times — its decision type, its measure as if voting closed at
// closes, and its amount — and returns it built from b, not yet recorded.
func (s *State) newProposal(m *Member, b *tx.Propose, closes int64) (*Proposal, *reject.Error) {
	typ, err := s.decisionType(b)
	if err != nil {
		return nil, err
	}
	sunset, err := s.checkMeasure(b, closes)
	if err != nil {
		return nil, err
	}
	if b.Amount != 0 && typ.Name != TypeBudget {
		return nil, reject.Errorf(reject.AmountNotBudget, "proposal rejected: only a budget carries an amount; this proposal would be decided under the %q rules (use the decision type \"budget\")", typ.Name)
	}
	opens := s.now
	if b.Opens != 0 {
		opens = b.Opens * 1e9
	}
	secret, err := s.newSecret(b, typ, opens)
	if err != nil {
		return nil, err
	}
	p := &Proposal{Author: m.Number, Title: b.Title, Body: b.Body, Category: b.Category,
		Quorum: typ.Quorum.Ratio, Threshold: typ.Threshold.Ratio, Type: typ.Name, Measure: b.Measure, Amount: b.Amount, Secret: secret}
	if b.Measure != tx.Resolution {
		p.Terms = &MeasureTerms{Law: b.Law, Sunset: sunset, Amendment: b.Rules}
	}
	return p, nil
}

// addProposal records p as the next proposal, made now under the rules in
// force, with no ballots or endorsements yet.
func (s *State) addProposal(p *Proposal, r *Result) {
	p.ID, p.Created, p.RulesVersion = uint64(len(s.proposals)+1), s.now, uint32(len(s.rules))
	p.ballots, p.endorsers = make(map[uint32]tx.Choice), make(map[uint32]struct{})
	s.proposals = append(s.proposals, p)
	s.record(func() { s.proposals = s.proposals[:len(s.proposals)-1] })
	r.Events = append(r.Events, Proposed{Proposal: p.ID})
}

// openDue opens voting on every scheduled proposal whose opening time has
// come, in order of (opening time, id).
func (s *State) openDue(r *Result) {
	s.eachDue(&s.opening, func(d deadline) {
		p := s.proposals[d.ID-1]
		if s.open(p, r) {
			r.Events = append(r.Events, Opened{Proposal: p.ID, Eligible: p.Eligible})
		}
	})
}

// closeDue decides every open proposal whose closing time has come, in
// order of (closing time, id); what a passed one decides takes effect at
// once (laws.go, rules.go, recall.go).
func (s *State) closeDue(r *Result) {
	s.eachDue(&s.closing, func(d deadline) {
		p := s.proposals[d.ID-1]
		if p.Secret != nil {
			s.closeSecret(p, r)
			return
		}
		s.conclude(p, r)
	})
}

// conclude decides p and records the decision; what a passed proposal
// decides takes effect at once.
func (s *State) conclude(p *Proposal, r *Result) {
	{
		s.decide(p)
		leaf := factDecided(p, s.now)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, DecidedEvent{Proposal: p.ID, Result: *p.Result})
		if p.Delegated != nil {
			leaf := factDelegated(p, s.now)
			s.acc.Append(leaf)
			r.Leaves = append(r.Leaves, leaf)
			r.Events = append(r.Events, DelegationCounted{Proposal: p.ID, Tally: *p.Delegated})
		}
		if p.Result.Passed {
			s.effect(p, r)
		}
		if p.Recall != nil {
			s.recallDecided(p, r)
		}
	}
}

// open starts voting on p: the electorate is the current membership. A
// secret vote opens only if its trustees made the key.
func (s *State) open(p *Proposal, r *Result) bool {
	if p.Secret != nil && !s.openSecret(p, r) {
		return false
	}
	p.Status = Open
	p.Eligible = s.current
	p.EligibleSeq = s.admissions
	d := deadline{At: p.Closes, ID: p.ID}
	s.closing.insert(d)
	s.record(func() {
		p.Status = Scheduled
		p.Eligible, p.EligibleSeq = 0, 0
		s.closing.remove(d)
	})
	return true
}

// decide counts p's ballots, and the delegations in force on its category
// (see delegation.go), with the rules fixed when it was proposed.
func (s *State) decide(p *Proposal) {
	var d DelegatedTally
	var res count.YesNoResult
	was := p.Status
	if p.Secret != nil {
		res = s.decideSecret(p)
	} else {
		d = s.delegatedTally(p)
		res = count.YesNo(p.Yes+d.Yes, p.No+d.No, p.Abstain+d.Abstain, p.Eligible, p.Quorum, p.Threshold)
	}
	p.Status = Decided
	p.Result = &res
	if d != (DelegatedTally{}) {
		p.Delegated = &d
	}
	s.record(func() {
		p.Status = was
		p.Result = nil
		p.Delegated = nil
	})
}

func (s *State) proposal(what string, id uint64) (*Proposal, *reject.Error) {
	p, ok := s.Proposal(id)
	if !ok {
		return nil, reject.Errorf(reject.UnknownProposal, "%s rejected: there is no proposal %d", what, id)
	}
	return p, nil
}

func (s *State) withdraw(m *Member, b *tx.Withdraw) (func(*Result), *reject.Error) {
	p, err := s.proposal("withdrawal", b.Proposal)
	if err != nil {
		return nil, err
	}
	if p.Author != m.Number {
		return nil, reject.Errorf(reject.NotAuthor, "withdrawal rejected: only the author (member %d) may withdraw proposal %d", p.Author, p.ID)
	}
	if err := s.initiativeState(actWithdraw, p); err != nil {
		return nil, err
	}
	switch p.Status {
	case Withdrawn:
		return nil, reject.Errorf(reject.ProposalWithdrawn, "withdrawal rejected: proposal %d is already withdrawn", p.ID)
	case Open, Decided:
		return nil, reject.Errorf(reject.VotingStarted, "withdrawal rejected: voting on proposal %d opened at %s", p.ID, formatTime(p.Opens))
	}
	return func(r *Result) {
		was, queue, d := p.Status, &s.opening, deadline{At: p.Opens, ID: p.ID}
		if was == Gathering {
			queue, d = &s.gathering, deadline{At: p.Initiative.GatherUntil, ID: p.ID}
		}
		p.Status = Withdrawn
		queue.remove(d)
		s.record(func() {
			p.Status = was
			queue.insert(d)
		})
		r.Events = append(r.Events, WithdrawnEvent{Proposal: p.ID})
	}, nil
}

func (s *State) comment(m *Member, b *tx.Comment) (func(*Result), *reject.Error) {
	p, err := s.proposal("comment", b.Proposal)
	if err != nil {
		return nil, err
	}
	if b.ReplyTo != 0 {
		if b.ReplyTo > uint64(len(s.comments)) {
			return nil, reject.Errorf(reject.UnknownComment, "comment rejected: there is no comment %d to reply to", b.ReplyTo)
		}
		if on := s.comments[b.ReplyTo-1]; on != p.ID {
			return nil, reject.Errorf(reject.ReplyElsewhere, "comment rejected: comment %d is on proposal %d, not %d", b.ReplyTo, on, p.ID)
		}
	}
	return func(r *Result) {
		s.comments = append(s.comments, p.ID)
		p.Comments++
		s.record(func() {
			s.comments = s.comments[:len(s.comments)-1]
			p.Comments--
		})
		r.Events = append(r.Events, Commented{Comment: uint64(len(s.comments)), Proposal: p.ID, ReplyTo: b.ReplyTo, Author: m.Number, Text: b.Text})
	}, nil
}

func (s *State) endorse(m *Member, b *tx.Endorse) (func(*Result), *reject.Error) {
	p, err := s.proposal("endorsement", b.Proposal)
	if err != nil {
		return nil, err
	}
	switch p.Status {
	case Withdrawn:
		return nil, reject.Errorf(reject.ProposalWithdrawn, "endorsement rejected: proposal %d was withdrawn", p.ID)
	case Decided:
		return nil, reject.Errorf(reject.ProposalDecided, "endorsement rejected: proposal %d was decided at %s", p.ID, formatTime(p.Closes))
	}
	if err := s.initiativeState(actEndorse, p); err != nil {
		return nil, err
	}
	if _, dup := p.endorsers[m.Number]; dup {
		return nil, reject.Errorf(reject.AlreadyEndorsed, "endorsement rejected: you have already endorsed proposal %d", p.ID)
	}
	return func(r *Result) {
		p.endorsers[m.Number] = struct{}{}
		s.record(func() { delete(p.endorsers, m.Number) })
		r.Events = append(r.Events, Endorsed{Proposal: p.ID, Member: m.Number})
		if p.Status == Gathering && uint64(len(p.endorsers)) >= p.Initiative.Needed {
			s.qualify(p, r)
		}
	}, nil
}

func (s *State) ballot(m *Member, b *tx.Ballot) (func(*Result), *reject.Error) {
	p, err := s.proposal("ballot", b.Proposal)
	if err != nil {
		return nil, err
	}
	if err := s.initiativeState(actBallot, p); err != nil {
		return nil, err
	}
	switch {
	case p.Status == Withdrawn:
		return nil, reject.Errorf(reject.ProposalWithdrawn, "ballot rejected: proposal %d was withdrawn", p.ID)
	case p.Status == Scheduled:
		return nil, reject.Errorf(reject.BallotTooEarly, "ballot rejected: voting on proposal %d opens at %s", p.ID, formatTime(p.Opens))
	case p.Status == Decided || s.now > p.Closes:
		return nil, reject.Errorf(reject.BallotTooLate, "ballot rejected: voting on proposal %d closed at %s", p.ID, formatTime(p.Closes))
	case m.AdmitSeq > p.EligibleSeq:
		return nil, reject.Errorf(reject.NotEligible, "ballot rejected: you joined after voting on proposal %d opened; the electorate was fixed at %s", p.ID, formatTime(p.Opens))
	}
	if p.Secret != nil {
		return nil, reject.Errorf(reject.SecretVote, "ballot rejected: the vote on proposal %d is secret; cast an encrypted ballot (folkmoot vote %d %s --secret)", p.ID, p.ID, b.Choice)
	}
	prev := p.ballots[m.Number]
	if prev == b.Choice {
		return nil, reject.Errorf(reject.BallotUnchanged, "ballot rejected: your ballot on proposal %d is already %s", p.ID, b.Choice)
	}
	return func(r *Result) {
		p.ballots[m.Number] = b.Choice
		p.add(prev, -1)
		p.add(b.Choice, +1)
		s.record(func() {
			p.add(b.Choice, -1)
			p.add(prev, +1)
			if prev == 0 {
				delete(p.ballots, m.Number)
			} else {
				p.ballots[m.Number] = prev
			}
		})
		r.Events = append(r.Events, BallotCast{Proposal: p.ID, Member: m.Number, Choice: b.Choice, Previous: prev})
	}, nil
}

// add adjusts the running count of choice c by delta (c zero is no ballot).
func (p *Proposal) add(c tx.Choice, delta int) {
	var n *uint64
	switch c {
	case tx.Yes:
		n = &p.Yes
	case tx.No:
		n = &p.No
	case tx.Abstain:
		n = &p.Abstain
	default:
		return
	}
	*n = uint64(int64(*n) + int64(delta))
}

// amendText replaces the title and body of the author's proposal before
// voting opens. An initiative's text is fixed by its first endorsement, as
// endorsements are what open its vote.
func (s *State) amendText(m *Member, b *tx.AmendText) (func(*Result), *reject.Error) {
	p, err := s.proposal("text amendment", b.Proposal)
	if err != nil {
		return nil, err
	}
	if p.Author != m.Number {
		return nil, reject.Errorf(reject.NotAuthor, "text amendment rejected: only the author (member %d) may amend the text of proposal %d", p.Author, p.ID)
	}
	if err := s.initiativeState(actAmendText, p); err != nil {
		return nil, err
	}
	switch p.Status {
	case Withdrawn:
		return nil, reject.Errorf(reject.ProposalWithdrawn, "text amendment rejected: proposal %d was withdrawn", p.ID)
	case Open, Decided:
		return nil, reject.Errorf(reject.VotingStarted, "text amendment rejected: voting on proposal %d opened at %s; its text can no longer change", p.ID, formatTime(p.Opens))
	case Gathering:
		if n := len(p.endorsers); n > 0 {
			return nil, reject.Errorf(reject.TextEndorsed, "text amendment rejected: %d members have endorsed initiative %d as it stands; its text can no longer change", n, p.ID)
		}
	}
	if b.Title == p.Title && b.Body == p.Body {
		return nil, reject.Errorf(reject.TextUnchanged, "text amendment rejected: the title and body are the same as proposal %d's current text", p.ID)
	}
	return func(r *Result) {
		title, body := p.Title, p.Body
		p.Title, p.Body = b.Title, b.Body
		p.Revisions++
		s.record(func() {
			p.Title, p.Body = title, body
			p.Revisions--
		})
		leaf := factTextAmended(p, s.now)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, TextAmended{Proposal: p.ID, Revision: p.Revisions, Author: m.Number,
			OldTitle: title, OldBody: body, Title: p.Title, Body: p.Body})
	}, nil
}

// Events of this domain (see Event).

// Proposed: a proposal was recorded.
type Proposed struct{ Proposal uint64 }

// Type implements Event.
func (Proposed) Type() string { return "proposed" }

// Attrs implements Event.
func (e Proposed) Attrs() []Attr { return attrs("proposal", u64(e.Proposal)) }

// TextAmended: the author replaced a proposal's title and body, OldTitle
// and OldBody, with Title and Body, its revision Revision (from 1).
type TextAmended struct {
	Proposal          uint64
	Revision          uint32
	Author            uint32
	OldTitle, OldBody string
	Title, Body       string
}

// Type implements Event.
func (TextAmended) Type() string { return "text_amended" }

// Attrs implements Event. The texts are not attributes: they are in the
// transaction.
func (e TextAmended) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "revision", u32(e.Revision), "member", u32(e.Author))
}

// WithdrawnEvent: a proposal was withdrawn.
type WithdrawnEvent struct{ Proposal uint64 }

// Type implements Event.
func (WithdrawnEvent) Type() string { return "withdrawn" }

// Attrs implements Event.
func (e WithdrawnEvent) Attrs() []Attr { return attrs("proposal", u64(e.Proposal)) }

// Opened: voting opened on a proposal.
type Opened struct {
	Proposal uint64
	Eligible uint64
}

// Type implements Event.
func (Opened) Type() string { return "opened" }

// Attrs implements Event.
func (e Opened) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "eligible", u64(e.Eligible))
}

// Commented: a comment was added.
type Commented struct {
	Comment  uint64
	Proposal uint64
	ReplyTo  uint64
	Author   uint32
	Text     string
}

// Type implements Event.
func (Commented) Type() string { return "commented" }

// Attrs implements Event.
func (e Commented) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "comment", u64(e.Comment), "author", u32(e.Author))
}

// Endorsed: a member endorsed a proposal.
type Endorsed struct {
	Proposal uint64
	Member   uint32
}

// Type implements Event.
func (Endorsed) Type() string { return "endorsed" }

// Attrs implements Event.
func (e Endorsed) Attrs() []Attr { return attrs("proposal", u64(e.Proposal), "member", u32(e.Member)) }

// BallotCast: a member's ballot was counted, replacing Previous (zero when
// this is the member's first ballot on the proposal).
type BallotCast struct {
	Proposal uint64
	Member   uint32
	Choice   tx.Choice
	Previous tx.Choice
}

// Type implements Event.
func (BallotCast) Type() string { return "ballot" }

// Attrs implements Event.
func (e BallotCast) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "member", u32(e.Member), "choice", e.Choice.String())
}

// DecidedEvent: a proposal closed and was counted.
type DecidedEvent struct {
	Proposal uint64
	Result   count.YesNoResult
}

// Type implements Event.
func (DecidedEvent) Type() string { return "decided" }

// Attrs implements Event.
func (e DecidedEvent) Attrs() []Attr {
	r := e.Result
	return attrs("proposal", u64(e.Proposal), "yes", u64(r.Yes), "no", u64(r.No), "abstain", u64(r.Abstain),
		"eligible", u64(r.Eligible), "quorum_reached", strconv.FormatBool(r.QuorumReached), "passed", strconv.FormatBool(r.Passed))
}

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factDecided(p *Proposal, at int64) []byte {
	r := p.Result
	return mustEncode([]any{FactDecided, p.ID, r.Yes, r.No, r.Abstain, r.Eligible, r.QuorumReached, r.Passed, at})
}

func factTextAmended(p *Proposal, at int64) []byte {
	h := sha256.Sum256([]byte(p.Title + "\n" + p.Body))
	return mustEncode([]any{FactTextAmended, p.ID, p.Revisions, h[:], at})
}
