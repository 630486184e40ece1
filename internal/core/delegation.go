package core

import (
	"maps"
	"slices"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// delegationDomain is the delegations in force.
type delegationDomain struct {
	// deleg holds, per category, index = the delegator's number-1, value =
	// the delegate's number (0: none).
	deleg map[string][]uint32
}

// Liquid delegation.
//
// A member may delegate their vote on one category of proposals to another
// current member (kind "delegate"), replace it with another delegation, and
// withdraw it at any moment (kind "undelegate"). Who delegated to whom is
// public: every change is an event and the transaction is in the record.
//
// The delegations in force when a proposal closes are counted with it, by
// these rules, the same on every machine:
//
//  1. Only members of the proposal's electorate count: admitted before
//     voting opened and still members at the close. A delegation from or
//     through anyone else carries nothing.
//  2. A member who cast a ballot on the proposal counts only for that
//     ballot: a direct vote always overrides their own delegation.
//  3. A member who did not vote follows their delegation on the proposal's
//     category, and the delegate theirs, and so on, until the chain
//     reaches a member who voted: the vote is counted with that member's
//     choice, as weight carried by them. Delegation is transitive.
//  4. A chain that reaches a member who neither voted nor delegated, or a
//     member outside the electorate, counts as not voting (it adds nothing
//     to turnout).
//  5. A chain that comes back to a member it already passed through has
//     reached a cycle: every delegator whose chain reaches that cycle
//     counts as not voting, and is reported as lost to a cycle. A cycle in
//     which someone voted is no cycle: the chain stops at that ballot.
//  6. When the constitution caps the weight of a ballot (max_weight, the
//     voter's own vote included), a voter carries delegated votes in
//     ascending order of the delegators' member numbers until the cap is
//     reached; delegators beyond it count as not voting and are reported
//     as capped. Lower member numbers (earlier members) keep their weight
//     first. The cap bounds the final ballot only, not the members a chain
//     passes through.
//  7. The policy (off, or the cap) is the one of the rules version the
//     proposal was made under, like its quorum and threshold.
//
// A close walks each delegation at most once: resolved chains are
// remembered, so it costs time linear in the number of members.

// Delegation is one member's delegation on a category.
type Delegation struct {
	Member   uint32 // the delegator
	Category string
	To       uint32 // the delegate
}

// DelegatedTally is the part of a decided proposal's count that was carried
// by delegation. The counts in the proposal's Result include it.
type DelegatedTally struct {
	// Yes, No and Abstain are the delegated votes counted, by the choice of
	// the voter each chain reached.
	Yes, No, Abstain uint64
	// Capped is the number of delegators not counted because the voter
	// their chain reached already carried the constitution's maximum.
	Capped uint64
	// Cyclic is the number of delegators not counted because their chain
	// ran into a cycle of delegations in which nobody voted.
	Cyclic uint64
}

// DelegateOf returns the member to whom member delegated their vote on
// category, if anyone.
func (s *State) DelegateOf(member uint32, category string) (uint32, bool) {
	d := s.deleg[category]
	if member == 0 || int(member) > len(d) || d[member-1] == 0 {
		return 0, false
	}
	return d[member-1], true
}

// Delegations returns every delegation in force, sorted by category and
// then by the delegator's member number.
func (s *State) Delegations() []Delegation {
	var out []Delegation
	for _, c := range slices.Sorted(maps.Keys(s.deleg)) {
		for i, to := range s.deleg[c] {
			if to != 0 {
				out = append(out, Delegation{Member: uint32(i + 1), Category: c, To: to})
			}
		}
	}
	return out
}

// setDelegate records member's delegation on category (to 0 removes it).
func (s *State) setDelegate(member uint32, category string, to uint32) {
	if s.deleg == nil {
		s.deleg = make(map[string][]uint32)
	}
	d := s.deleg[category]
	if int(member) > len(d) {
		d = append(d, make([]uint32, len(s.members)-len(d))...)
		s.deleg[category] = d
	}
	prev := d[member-1]
	d[member-1] = to
	// The slice may have grown; the undo clears the entry, and entries that
	// are zero are not part of the state.
	s.record(func() { s.deleg[category][member-1] = prev })
}

// dropDelegations withdraws the delegations of a member who leaves, in
// category order, so that the delegations in force are all between current
// members' choices. Delegations to the member stay: they are their
// delegators' to change, and count as not voting meanwhile (rule 4).
func (s *State) dropDelegations(m *Member, r *Result) {
	for _, c := range slices.Sorted(maps.Keys(s.deleg)) {
		if to, ok := s.DelegateOf(m.Number, c); ok {
			s.setDelegate(m.Number, c, 0)
			r.Events = append(r.Events, Undelegated{Member: m.Number, Category: c, From: to})
		}
	}
}

func (s *State) delegate(m *Member, b *tx.Delegate) (func(*Result), *reject.Error) {
	if s.cons.Delegation.Off {
		return nil, reject.Errorf(reject.DelegationOff, "delegation rejected: the constitution has switched delegation off; vote directly on each proposal")
	}
	if !slices.Contains(s.cons.Categories, b.Category) {
		return nil, reject.Errorf(reject.UnknownCategory, "delegation rejected: category %q is not one of the constitution's (%s)", b.Category, joinQuoted(s.cons.Categories))
	}
	var to *Member
	if len(b.To) != 0 {
		key := keyOf(b.To)
		r, ok := s.keys[key]
		switch {
		case !ok:
			return nil, reject.Errorf(reject.UnknownDelegate, "delegation rejected: key %s is not a member of this community", key.Short())
		case r.state != keyCurrent:
			return nil, reject.Errorf(reject.UnknownDelegate, "delegation rejected: key %s is no longer a current member's key; delegate to a current member", key.Short())
		}
		to = s.members[r.member-1]
	} else {
		t, ok := s.MemberByNumber(b.Member)
		switch {
		case !ok:
			return nil, reject.Errorf(reject.UnknownDelegate, "delegation rejected: there is no member %d", b.Member)
		case t.Left:
			return nil, reject.Errorf(reject.UnknownDelegate, "delegation rejected: member %d has left the community; delegate to a current member", b.Member)
		}
		to = t
	}
	if to.Number == m.Number {
		return nil, reject.Errorf(reject.DelegateSelf, "delegation rejected: you cannot delegate your vote to yourself")
	}
	prev, _ := s.DelegateOf(m.Number, b.Category)
	if prev == to.Number {
		return nil, reject.Errorf(reject.DelegationUnchanged, "delegation rejected: your vote on %q is already delegated to member %d", b.Category, to.Number)
	}
	return func(r *Result) {
		s.setDelegate(m.Number, b.Category, to.Number)
		r.Events = append(r.Events, Delegated{Member: m.Number, Category: b.Category, To: to.Number, Previous: prev})
	}, nil
}

func (s *State) undelegate(m *Member, b *tx.Undelegate) (func(*Result), *reject.Error) {
	prev, ok := s.DelegateOf(m.Number, b.Category)
	if !ok {
		return nil, reject.Errorf(reject.NotDelegated, "withdrawal of delegation rejected: you have not delegated your vote on %q", b.Category)
	}
	return func(r *Result) {
		s.setDelegate(m.Number, b.Category, 0)
		r.Events = append(r.Events, Undelegated{Member: m.Number, Category: b.Category, From: prev})
	}, nil
}

// Chain outcomes in delegatedTally; a positive target is the voter's
// member number.
const (
	chainLost  int32 = 0  // reached a member who neither voted nor delegated, or left the electorate
	chainCycle int32 = -1 // ran into a cycle of delegations with no ballot
)

// delegatedTally counts the delegations in force on p's category by the
// rules in the comment at the top of this file.
func (s *State) delegatedTally(p *Proposal) DelegatedTally {
	var t DelegatedTally
	del := s.deleg[p.Category]
	policy := s.rules[p.RulesVersion-1].Constitution.Delegation
	if policy.Off || len(del) == 0 {
		return t
	}
	n := len(del) // members beyond len(del) have no delegation
	eligible := func(i int) bool {
		if i >= len(s.members) {
			return false
		}
		m := s.members[i]
		return !m.Left && m.AdmitSeq <= p.EligibleSeq
	}
	vote := make([]tx.Choice, len(s.members))
	for m, c := range p.ballots { // filling an array: order does not matter
		vote[m-1] = c
	}
	const (
		unseen  = 0
		onPath  = 1
		settled = 2
	)
	state := make([]uint8, n)
	target := make([]int32, n)
	var path []int
	resolve := func(start int) int32 {
		path = path[:0]
		x := start
		var res int32
		for {
			if x >= n { // no delegation: a voter or a dead end
				switch {
				case !eligible(x) || vote[x] == 0:
					res = chainLost
				default:
					res = int32(x + 1)
				}
				break
			}
			if state[x] == settled {
				res = target[x]
				break
			}
			if state[x] == onPath {
				res = chainCycle
				break
			}
			if !eligible(x) {
				res = chainLost
				state[x], target[x] = settled, res
				break
			}
			if vote[x] != 0 {
				res = int32(x + 1)
				state[x], target[x] = settled, res
				break
			}
			next := del[x]
			if next == 0 {
				res = chainLost
				state[x], target[x] = settled, res
				break
			}
			state[x] = onPath
			path = append(path, x)
			x = int(next) - 1
		}
		for _, y := range path {
			state[y], target[y] = settled, res
		}
		return res
	}
	var carried []uint32
	if policy.MaxWeight > 0 {
		carried = make([]uint32, len(s.members))
	}
	for d := 0; d < n; d++ { // ascending member numbers: who loses to the cap is fixed
		if del[d] == 0 || vote[d] != 0 || !eligible(d) {
			continue
		}
		v := target[d]
		if state[d] != settled {
			v = resolve(d)
		}
		switch {
		case v == chainCycle:
			t.Cyclic++
			continue
		case v == chainLost:
			continue
		}
		if carried != nil {
			if carried[v-1]+1 >= policy.MaxWeight {
				t.Capped++
				continue
			}
			carried[v-1]++
		}
		switch vote[v-1] {
		case tx.Yes:
			t.Yes++
		case tx.No:
			t.No++
		case tx.Abstain:
			t.Abstain++
		}
	}
	return t
}

// Events of this domain (see Event).

// Delegated: a member delegated their vote on a category to member To,
// replacing their delegation to Previous (zero when there was none).
type Delegated struct {
	Member   uint32
	Category string
	To       uint32
	Previous uint32
}

// Type implements Event.
func (Delegated) Type() string { return "delegated" }

// Attrs implements Event.
func (e Delegated) Attrs() []Attr {
	return attrs("member", u32(e.Member), "category", e.Category, "to", u32(e.To), "previous", u32(e.Previous))
}

// Undelegated: a member withdrew their delegation on a category to From.
type Undelegated struct {
	Member   uint32
	Category string
	From     uint32
}

// Type implements Event.
func (Undelegated) Type() string { return "undelegated" }

// Attrs implements Event.
func (e Undelegated) Attrs() []Attr {
	return attrs("member", u32(e.Member), "category", e.Category, "from", u32(e.From))
}

// DelegationCounted: the delegated part of a decided proposal's count; it
// follows the proposal's DecidedEvent when any delegation counted or was
// lost to a cycle or a cap.
type DelegationCounted struct {
	Proposal uint64
	Tally    DelegatedTally
}

// Type implements Event.
func (DelegationCounted) Type() string { return "delegation_counted" }

// Attrs implements Event.
func (e DelegationCounted) Attrs() []Attr {
	t := e.Tally
	return attrs("proposal", u64(e.Proposal), "yes", u64(t.Yes), "no", u64(t.No), "abstain", u64(t.Abstain),
		"capped", u64(t.Capped), "cyclic", u64(t.Cyclic))
}

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factDelegated(p *Proposal, at int64) []byte {
	d := p.Delegated
	return mustEncode([]any{FactDelegated, p.ID, d.Yes, d.No, d.Abstain, d.Capped, d.Cyclic, at})
}
