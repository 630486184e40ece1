package core

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/count"

	"github.com/hdevalence/ed25519consensus"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// BeginBlock starts block height at blockTime: the block's own fact (height
// and time) is appended, then voting opens on every scheduled proposal whose
// opening time is at or before blockTime, in order of (opening time, id).
// Heights follow each other from 1; block times never go backwards.
func (s *State) BeginBlock(height int64, blockTime time.Time) (Result, error) {
	now := blockTime.UnixNano()
	if height != s.height+1 {
		return Result{}, fmt.Errorf("block %d cannot follow block %d", height, s.height)
	}
	if now < s.now {
		return Result{}, fmt.Errorf("block time %s is before the previous block's %s", formatTime(now), formatTime(s.now))
	}
	s.now, s.height = now, height
	leaf := factBlock(height, now)
	s.acc.Append(leaf)
	r := Result{Leaves: [][]byte{leaf}}
	for s.opening.due(now) {
		d := s.opening.pop()
		s.record(func() { s.opening.insert(d) })
		p := s.proposals[d.ID-1]
		s.open(p)
		r.Events = append(r.Events, Opened{Proposal: p.ID, Eligible: p.Eligible})
	}
	s.beginElections(&r)
	return r, nil
}

// EndBlock ends the block: every open proposal whose closing time is at or
// before the block time is decided, in order of (closing time, id), and
// what a passed one decides takes effect at once (a law, a renewal, a
// repeal, an amendment); then every law whose sunset is at or before the
// block time leaves the register, in order of (sunset, law number). Decisions
// come first so that a renewal whose vote closed before the sunset saves
// its law even when both fall in the same block. Each decision and each
// change to the register or the rules is a fact of the accumulator. Both
// queues are ordered indexes: a block in which nothing is due costs two
// comparisons, however many laws are in force. Last, every initiative
// whose window has passed without enough endorsements lapses, in order of
// (window end, id), from a third ordered index.
func (s *State) EndBlock() Result {
	var r Result
	for s.closing.due(s.now) {
		d := s.closing.pop()
		s.record(func() { s.closing.insert(d) })
		p := s.proposals[d.ID-1]
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
			s.effect(p, &r)
		}
		if p.Measure == tx.RecallVote {
			s.recallDecided(p, &r)
		}
	}
	s.endOffices(&r)
	for s.expiring.due(s.now) {
		d := s.expiring.pop()
		s.record(func() { s.expiring.insert(d) })
		l := s.laws[d.ID-1]
		s.expire(l)
		leaf := factLaw(FactLawExpired, l, 0, s.now)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, LawExpiredEvent{Law: l.Number})
	}
	s.lapseInitiatives(&r)
	return r
}

// Apply applies one transaction at the current block's time. A rejected
// transaction changes nothing and its Result carries the code and sentence.
// The signature is checked unless it was already (see tx.VerifyBatch).
func (s *State) Apply(t *tx.Tx) Result {
	commit, err := s.check(t, 0)
	if err != nil {
		return Result{Code: err.Code, Log: err.Msg}
	}
	m := s.members[s.keys[t.Author].member-1]
	m.Nonce++
	s.record(func() { m.Nonce-- })
	leaf := TxLeaf(t.ID())
	s.acc.Append(leaf)
	r := Result{Leaves: [][]byte{leaf}}
	commit(&r)
	return r
}

// Check reports whether t would be accepted now, changing nothing. When
// nonce is not zero, it is the nonce t must carry instead of the one after
// the author's last committed transaction (a node's view of transactions
// still waiting for a block).
func (s *State) Check(t *tx.Tx, nonce uint64) *reject.Error {
	_, err := s.check(t, nonce)
	return err
}

// check validates t fully and returns the change to make.
func (s *State) check(t *tx.Tx, nonce uint64) (func(*Result), *reject.Error) {
	if t.ChainID != s.chainID {
		return nil, reject.Errorf(reject.WrongChain, "transaction rejected: it was signed for community %q, this is %q", t.ChainID, s.chainID)
	}
	if err := t.CheckSignature(); err != nil {
		return nil, err
	}
	m, err := s.author(t.Author)
	if err != nil {
		return nil, err
	}
	if nonce == 0 {
		nonce = m.Nonce + 1
	}
	if t.Nonce != nonce {
		return nil, reject.Errorf(reject.BadNonce, "transaction rejected: nonce %d is not the next for key %s, which expects %d", t.Nonce, t.Author.Short(), nonce)
	}
	switch b := t.Body.(type) {
	case *tx.Vouch:
		return s.vouch(m, b)
	case *tx.Leave:
		return s.leave(m)
	case *tx.Rotate:
		return s.rotate(m, b)
	case *tx.Propose:
		return s.propose(m, b)
	case *tx.Withdraw:
		return s.withdraw(m, b)
	case *tx.Comment:
		return s.comment(m, b)
	case *tx.Endorse:
		return s.endorse(m, b)
	case *tx.Ballot:
		return s.ballot(m, b)
	case *tx.Delegate:
		return s.delegate(m, b)
	case *tx.Undelegate:
		return s.undelegate(m, b)
	case *tx.Candidacy:
		return s.candidacy(m, b)
	case *tx.WithdrawCandidacy:
		return s.withdrawCandidacy(m, b)
	case *tx.Rank:
		return s.rank(m, b)
	case *tx.Recall:
		return s.recall(m, b)
	case *tx.Notice:
		return s.notice(m, b)
	case *tx.Payment:
		return s.payment(m, b)
	}
	return nil, reject.Errorf(reject.UnknownKind, "transaction rejected: kind %s is not handled", t.Kind)
}

// author finds the current member holding key.
func (s *State) author(key tx.PublicKey) (*Member, *reject.Error) {
	r, ok := s.keys[key]
	switch {
	case !ok:
		return nil, reject.Errorf(reject.NotMember, "transaction rejected: key %s is not a member of this community", key.Short())
	case r.state == keyFormer:
		return nil, reject.Errorf(reject.FormerMember, "transaction rejected: key %s belongs to member %d, who left the community", key.Short(), r.member)
	case r.state == keyDead:
		return nil, reject.Errorf(reject.DeadKey, "transaction rejected: key %s was rotated away by member %d and can no longer act", key.Short(), r.member)
	}
	return s.members[r.member-1], nil
}

func keyOf(b []byte) tx.PublicKey {
	var k tx.PublicKey
	copy(k[:], b)
	return k
}

func (s *State) vouch(m *Member, b *tx.Vouch) (func(*Result), *reject.Error) {
	key := keyOf(b.Key)
	if r, ok := s.keys[key]; ok {
		if r.state == keyCurrent {
			return nil, reject.Errorf(reject.AlreadyMember, "vouch rejected: key %s is already member %d", key.Short(), r.member)
		}
		return nil, reject.Errorf(reject.KeyRetired, "vouch rejected: key %s was used by member %d before; a returning member joins with a new key", key.Short(), r.member)
	}
	c := s.candidates[key]
	if c != nil {
		if c.name != b.Name {
			return nil, reject.Errorf(reject.NameMismatch, "vouch rejected: key %s is already vouched for under the name %q, not %q", key.Short(), c.name, b.Name)
		}
		if slices.Contains(c.vouchers, m.Number) {
			return nil, reject.Errorf(reject.AlreadyVouched, "vouch rejected: you have already vouched for key %s", key.Short())
		}
	}
	return func(r *Result) {
		if c == nil {
			c = &candidate{name: b.Name}
			s.candidates[key] = c
			s.record(func() { delete(s.candidates, key) })
		}
		c.vouchers = append(c.vouchers, m.Number)
		s.record(func() { c.vouchers = c.vouchers[:len(c.vouchers)-1] })
		// Only vouchers who are still members count.
		var current []uint32
		for _, v := range c.vouchers {
			if !s.members[v-1].Left {
				current = append(current, v)
			}
		}
		r.Events = append(r.Events, Vouched{Voucher: m.Number, Key: key, Name: b.Name, Vouches: len(current)})
		if len(current) < s.cons.VouchesRequired {
			return
		}
		delete(s.candidates, key)
		s.record(func() { s.candidates[key] = c })
		nm := s.admit(key, b.Name, current)
		leaf := factAdmitted(nm)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, Admitted{Member: *nm})
	}, nil
}

func (s *State) leave(m *Member) (func(*Result), *reject.Error) {
	return func(r *Result) {
		m.Left = true
		s.keys[m.Key] = keyRef{member: m.Number, state: keyFormer}
		s.current--
		s.record(func() {
			m.Left = false
			s.keys[m.Key] = keyRef{member: m.Number, state: keyCurrent}
			s.current++
		})
		leaf := factLeft(m, s.now)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, Left{Member: m.Number, Key: m.Key})
		s.dropDelegations(m, r)
		s.vacateAll(m.Number, EndLeft, r)
	}, nil
}

func (s *State) rotate(m *Member, b *tx.Rotate) (func(*Result), *reject.Error) {
	nk := keyOf(b.NewKey)
	if r, ok := s.keys[nk]; ok {
		return nil, reject.Errorf(reject.KeyRetired, "rotation rejected: key %s already belongs or belonged to member %d", nk.Short(), r.member)
	}
	if _, ok := s.candidates[nk]; ok {
		return nil, reject.Errorf(reject.KeyRetired, "rotation rejected: key %s is waiting for vouches to join as someone else", nk.Short())
	}
	if !ed25519consensus.Verify(nk[:], tx.RotationMessage(s.chainID, m.Key, nk), b.Proof) {
		return nil, reject.Errorf(reject.BadRotationProof, "rotation rejected: the new key %s did not sign its acceptance of the handover", nk.Short())
	}
	return func(r *Result) {
		old, oldNonce := m.Key, m.Nonce
		s.keys[old] = keyRef{member: m.Number, state: keyDead}
		s.keys[nk] = keyRef{member: m.Number, state: keyCurrent}
		m.Key, m.Nonce = nk, 0
		s.record(func() {
			m.Key, m.Nonce = old, oldNonce
			s.keys[old] = keyRef{member: m.Number, state: keyCurrent}
			delete(s.keys, nk)
		})
		leaf := factRotated(m, old, s.now)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, Rotated{Member: m.Number, Old: old, New: nk})
	}, nil
}

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
			s.open(p)
			r.Events = append(r.Events, Opened{Proposal: p.ID, Eligible: p.Eligible})
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
	return &Proposal{Author: m.Number, Title: b.Title, Body: b.Body, Category: b.Category,
		Quorum: typ.Quorum.Ratio, Threshold: typ.Threshold.Ratio, Type: typ.Name,
		Measure: b.Measure, Law: b.Law, Sunset: sunset, Amendment: b.Rules, Amount: b.Amount}, nil
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

// open starts voting on p: the electorate is the current membership.
func (s *State) open(p *Proposal) {
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
}

// decide counts p's ballots, and the delegations in force on its category
// (see delegation.go), with the rules fixed when it was proposed.
func (s *State) decide(p *Proposal) {
	d := s.delegatedTally(p)
	res := count.YesNo(p.Yes+d.Yes, p.No+d.No, p.Abstain+d.Abstain, p.Eligible, p.Quorum, p.Threshold)
	p.Status = Decided
	p.Result = &res
	if d != (DelegatedTally{}) {
		p.Delegated = &d
	}
	s.record(func() {
		p.Status = Open
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
			queue, d = &s.gathering, deadline{At: p.GatherUntil, ID: p.ID}
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
		if p.Status == Gathering && uint64(len(p.endorsers)) >= p.Needed {
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

func joinQuoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func fmtDuration(ns int64) string { return time.Duration(ns).String() }
