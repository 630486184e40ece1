package core

import (
	"fmt"
	"math"
	"time"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// lawDomain is the register of laws and every version of the rules.
type lawDomain struct {
	rules    []*RuleVersion // every version of the constitution; the last is State.cons
	laws     []*Law         // index = number-1
	expiring deadlines      // laws in force by expiry time (ID = law number)
}

// LawStatus is where a law stands in the register.
type LawStatus uint8

// Law statuses.
const (
	InForce  LawStatus = 1 // in the register of laws in force
	Expired  LawStatus = 2 // reached its sunset without a renewal
	Repealed LawStatus = 3 // repealed by a proposal
)

// String names the status.
func (s LawStatus) String() string {
	switch s {
	case InForce:
		return "in force"
	case Expired:
		return "expired"
	case Repealed:
		return "repealed"
	}
	return fmt.Sprintf("law status %d", uint8(s))
}

// Law is an entry of the register of laws, in force or not. Times are Unix
// nanoseconds.
type Law struct {
	// Number identifies the law; numbers start at 1 and are never reused.
	Number uint64
	// Proposal is the proposal that enacted it; Title is that proposal's.
	Proposal uint64
	Title    string
	// Enacted is the time of the block that decided the proposal.
	Enacted int64
	// Expires is the sunset: the law leaves the register in the first
	// block whose time is at or after it, unless renewed before.
	Expires int64
	Status  LawStatus
	// Ended is when the law left the register: its sunset when it expired,
	// the deciding block's time when it was repealed; 0 while in force.
	Ended int64
	// Renewals are the renewal proposals that extended it, in order.
	Renewals []uint64
	// RepealedBy is the repeal proposal, when repealed.
	RepealedBy uint64
}

// InForceAt reports whether the law was in force at time t.
func (l *Law) InForceAt(t time.Time) bool {
	ns := t.UnixNano()
	return l.Enacted <= ns && (l.Ended == 0 || ns < l.Ended)
}

// Law returns a law by number.
func (s *State) Law(n uint64) (*Law, bool) {
	return numbered(s.laws, n)
}

// Laws returns every law ever enacted, by number. The slice and its laws
// must not be modified.
func (s *State) Laws() []*Law { return s.laws }

// LawsInForce returns the laws in force now, by number.
func (s *State) LawsInForce() []*Law {
	var out []*Law
	for _, l := range s.laws {
		if l.Status == InForce {
			out = append(out, l)
		}
	}
	return out
}

// LawsInForceAt returns the laws that were in force at time t (a past
// block time, typically), by number.
func (s *State) LawsInForceAt(t time.Time) []*Law {
	var out []*Law
	for _, l := range s.laws {
		if l.InForceAt(t) {
			out = append(out, l)
		}
	}
	return out
}

// LawsInForceCount returns how many laws are in force, in constant time.
func (s *State) LawsInForceCount() int { return len(s.expiring) }

// lawTarget finds the law a renewal or repeal is about and checks that it
// is still in force.
func (s *State) lawTarget(b *tx.Propose) (*Law, *reject.Error) {
	l, ok := s.Law(b.Law)
	if !ok {
		return nil, reject.Errorf(reject.UnknownLaw, "proposal rejected: there is no law %d", b.Law)
	}
	switch {
	case l.Status == Repealed:
		return nil, reject.Errorf(reject.LawRepealed, "proposal rejected: law %d was repealed at %s; only a new law can bring it back", l.Number, formatTime(l.Ended))
	case l.Status == Expired || s.now >= l.Expires:
		return nil, reject.Errorf(reject.LawExpired, "proposal rejected: law %d expired at %s; an expired law cannot be renewed or repealed, only enacted again as a new law", l.Number, formatTime(l.Expires))
	}
	return l, nil
}

// sunset returns the length, in nanoseconds, a law or renewal asks for:
// its own or the constitution's default, bounded by the maximum.
func (s *State) sunset(b *tx.Propose) (int64, *reject.Error) {
	life := int64(s.cons.DefaultSunset.Duration)
	if b.Sunset != 0 {
		life = b.Sunset * 1e9
	}
	if life > int64(s.cons.MaxSunset.Duration) {
		return 0, reject.Errorf(reject.SunsetTooLong, "proposal rejected: a %s may last at most %s, not %s", b.Measure, fmtDuration(int64(s.cons.MaxSunset.Duration)), fmtDuration(life))
	}
	return life, nil
}

// checkMeasure validates what a proposal would do if it passed, against
// the rules and the register as they are now. closes is when voting would
// close. It returns the resolved sunset in nanoseconds (for laws and
// renewals; 0 otherwise).
func (s *State) checkMeasure(b *tx.Propose, closes int64) (int64, *reject.Error) {
	switch b.Measure {
	case tx.Enact:
		return s.sunset(b)
	case tx.Renew:
		l, err := s.lawTarget(b)
		if err != nil {
			return 0, err
		}
		if closes >= l.Expires {
			return 0, reject.Errorf(reject.RenewalTooLate, "proposal rejected: law %d expires at %s, before voting on its renewal would close at %s", l.Number, formatTime(l.Expires), formatTime(closes))
		}
		return s.sunset(b)
	case tx.Repeal:
		_, err := s.lawTarget(b)
		return 0, err
	case tx.Amend:
		_, err := s.cons.amended(b.Rules, int(s.current))
		return 0, err
	}
	return 0, nil
}

// addSat adds b >= 0 to a, saturating at the largest time.
func addSat(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// effect carries out what passed proposal p decided, at the current block:
// it enacts, renews or repeals a law, or amends the constitution. A measure
// whose object changed since the proposal was made (a law that expired or
// was repealed meanwhile, an amendment no longer valid over rules amended
// since) lapses with an event and no fact.
func (s *State) effect(p *Proposal, r *Result) {
	leaf := func(b []byte) {
		s.acc.Append(b)
		r.Leaves = append(r.Leaves, b)
	}
	lapse := func(why string) {
		r.Events = append(r.Events, MeasureLapsed{Proposal: p.ID, Reason: why})
	}
	switch p.Measure {
	case tx.Enact:
		l := &Law{Number: uint64(len(s.laws) + 1), Proposal: p.ID, Title: p.Title, Enacted: s.now,
			Expires: addSat(s.now, p.Terms.Sunset), Status: InForce}
		s.laws = append(s.laws, l)
		d := deadline{At: l.Expires, ID: l.Number}
		s.expiring.insert(d)
		s.record(func() {
			s.laws = s.laws[:len(s.laws)-1]
			s.expiring.remove(d)
		})
		leaf(factLaw(FactLawEnacted, l, p.ID, s.now))
		r.Events = append(r.Events, LawEnacted{Law: l.Number, Proposal: p.ID, Expires: l.Expires})
	case tx.Renew:
		l := s.laws[p.Terms.Law-1]
		if l.Status != InForce {
			lapse(fmt.Sprintf("law %d is %s", l.Number, l.Status))
			return
		}
		// Only an initiative can get here: a proposal's renewal must
		// close before the sunset, and its ballot's times never move.
		if p.Initiative != nil && p.Closes >= l.Expires {
			lapse(fmt.Sprintf("law %d reached its sunset at %s, before voting on its renewal closed", l.Number, formatTime(l.Expires)))
			return
		}
		old := deadline{At: l.Expires, ID: l.Number}
		limit := addSat(s.now, int64(s.rules[p.RulesVersion-1].Constitution.MaxSunset.Duration))
		nd := deadline{At: min(addSat(l.Expires, p.Terms.Sunset), limit), ID: l.Number}
		s.expiring.remove(old)
		s.expiring.insert(nd)
		l.Expires = nd.At
		l.Renewals = append(l.Renewals, p.ID)
		s.record(func() {
			l.Renewals = l.Renewals[:len(l.Renewals)-1]
			l.Expires = old.At
			s.expiring.remove(nd)
			s.expiring.insert(old)
		})
		leaf(factLaw(FactLawRenewed, l, p.ID, s.now))
		r.Events = append(r.Events, LawRenewed{Law: l.Number, Proposal: p.ID, Expires: l.Expires})
	case tx.Repeal:
		l := s.laws[p.Terms.Law-1]
		if l.Status != InForce {
			lapse(fmt.Sprintf("law %d is %s", l.Number, l.Status))
			return
		}
		d := deadline{At: l.Expires, ID: l.Number}
		s.expiring.remove(d)
		l.Status, l.Ended, l.RepealedBy = Repealed, s.now, p.ID
		s.record(func() {
			l.Status, l.Ended, l.RepealedBy = InForce, 0, 0
			s.expiring.insert(d)
		})
		leaf(factLaw(FactLawRepealed, l, p.ID, s.now))
		r.Events = append(r.Events, LawRepealedEvent{Law: l.Number, Proposal: p.ID})
	case tx.Amend:
		c, err := s.cons.amended(p.Terms.Amendment, int(s.current))
		if err != nil {
			lapse(err.Msg)
			return
		}
		old := s.cons
		v := s.amend(p, c)
		leaf(factAmended(v))
		r.Events = append(r.Events, Amended{Version: v.Version, Proposal: p.ID})
		s.officesAmended(old, r)
	}
}

// expire takes a law whose sunset has come out of the register.
func (s *State) expire(l *Law) {
	l.Status, l.Ended = Expired, l.Expires
	s.record(func() { l.Status, l.Ended = InForce, 0 })
}

// expireDue removes from the register every law whose sunset has come, in
// order of (sunset, law number).
func (s *State) expireDue(r *Result) {
	s.eachDue(&s.expiring, func(d deadline) {
		l := s.laws[d.ID-1]
		s.expire(l)
		leaf := factLaw(FactLawExpired, l, 0, s.now)
		s.acc.Append(leaf)
		r.Leaves = append(r.Leaves, leaf)
		r.Events = append(r.Events, LawExpiredEvent{Law: l.Number})
	})
}

// Events of this domain (see Event).

// LawEnacted: a passed proposal entered the register of laws in force.
type LawEnacted struct {
	Law      uint64
	Proposal uint64
	Expires  int64 // Unix nanoseconds
}

// Type implements Event.
func (LawEnacted) Type() string { return "law_enacted" }

// Attrs implements Event.
func (e LawEnacted) Attrs() []Attr {
	return attrs("law", u64(e.Law), "proposal", u64(e.Proposal), "expires", i64(e.Expires))
}

// LawRenewed: a renewal passed and the law's sunset moved to Expires.
type LawRenewed struct {
	Law      uint64
	Proposal uint64
	Expires  int64
}

// Type implements Event.
func (LawRenewed) Type() string { return "law_renewed" }

// Attrs implements Event.
func (e LawRenewed) Attrs() []Attr {
	return attrs("law", u64(e.Law), "proposal", u64(e.Proposal), "expires", i64(e.Expires))
}

// LawRepealedEvent: a repeal passed and the law left the register.
type LawRepealedEvent struct {
	Law      uint64
	Proposal uint64
}

// Type implements Event.
func (LawRepealedEvent) Type() string { return "law_repealed" }

// Attrs implements Event.
func (e LawRepealedEvent) Attrs() []Attr {
	return attrs("law", u64(e.Law), "proposal", u64(e.Proposal))
}

// LawExpiredEvent: a law reached its sunset and left the register.
type LawExpiredEvent struct{ Law uint64 }

// Type implements Event.
func (LawExpiredEvent) Type() string { return "law_expired" }

// Attrs implements Event.
func (e LawExpiredEvent) Attrs() []Attr { return attrs("law", u64(e.Law)) }

// MeasureLapsed: a proposal passed but what it would do no longer applies
// (its law expired or was repealed meanwhile, or its amendment is no longer
// valid over rules amended since). Reason says why, for people.
type MeasureLapsed struct {
	Proposal uint64
	Reason   string
}

// Type implements Event.
func (MeasureLapsed) Type() string { return "measure_lapsed" }

// Attrs implements Event.
func (e MeasureLapsed) Attrs() []Attr { return attrs("proposal", u64(e.Proposal), "reason", e.Reason) }

// Facts of this domain (accumulator leaves; see FactType in facts.go).

// factLaw records a change to the register of laws; proposal is 0 for an
// expiry.
func factLaw(t FactType, l *Law, proposal uint64, at int64) []byte {
	return mustEncode([]any{t, l.Number, proposal, l.Expires, at})
}
