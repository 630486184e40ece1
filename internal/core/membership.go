package core

import (
	"slices"
	"strconv"

	"github.com/hdevalence/ed25519consensus"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// membershipDomain is who belongs to the community: members past and
// present, every key they ever held, and the keys waiting for vouches.
type membershipDomain struct {
	keys       map[tx.PublicKey]keyRef
	members    []*Member // index = number-1
	current    uint64    // current members
	admissions uint64
	candidates map[tx.PublicKey]*candidate
}

// keyState says what a public key is to the community.
type keyState uint8

const (
	keyCurrent keyState = 1 // the key of a current member
	keyFormer  keyState = 2 // the key of a member who left
	keyDead    keyState = 3 // a key rotated away
)

type keyRef struct {
	member uint32 // member number
	state  keyState
}

// Member is a member of the community, past or present. Numbers start at 1
// and are never reused; a key rotation keeps the number.
type Member struct {
	Number    uint32
	Key       tx.PublicKey
	Name      string
	Nonce     uint64   // last nonce used by Key
	Admitted  int64    // block time of admission, Unix nanoseconds
	AdmitSeq  uint64   // position in the order of admissions, from 1
	VouchedBy []uint32 // member numbers, in the order they vouched
	Left      bool
}

// candidate is a key some members have vouched for.
type candidate struct {
	name     string
	vouchers []uint32 // member numbers in the order they vouched
}

// MemberCount returns the number of current members.
func (s *State) MemberCount() uint64 { return s.current }

// Member returns the current member holding key, if any.
func (s *State) Member(key tx.PublicKey) (*Member, bool) {
	r, ok := s.keys[key]
	if !ok || r.state != keyCurrent {
		return nil, false
	}
	return s.members[r.member-1], true
}

// MemberByNumber returns a member, past or present, by number.
func (s *State) MemberByNumber(n uint32) (*Member, bool) {
	if n == 0 || int(n) > len(s.members) {
		return nil, false
	}
	return s.members[n-1], true
}

// Members returns every member ever admitted, by number. The slice and its
// members must not be modified.
func (s *State) Members() []*Member { return s.members }

// NextNonce returns the nonce the key's next transaction must carry, or 0
// when the key cannot author transactions.
func (s *State) NextNonce(key tx.PublicKey) uint64 {
	m, ok := s.Member(key)
	if !ok {
		return 0
	}
	return m.Nonce + 1
}

// Vouchers returns the members who have vouched for a key that is not yet
// admitted, in the order they vouched, and the name they gave.
func (s *State) Vouchers(key tx.PublicKey) (name string, members []uint32) {
	c, ok := s.candidates[key]
	if !ok {
		return "", nil
	}
	return c.name, slices.Clone(c.vouchers)
}

// admit makes key a member. It is the one place membership begins.
func (s *State) admit(key tx.PublicKey, name string, vouchers []uint32) *Member {
	s.admissions++
	m := &Member{
		Number:    uint32(len(s.members) + 1),
		Key:       key,
		Name:      name,
		Admitted:  s.now,
		AdmitSeq:  s.admissions,
		VouchedBy: vouchers,
	}
	s.members = append(s.members, m)
	s.keys[key] = keyRef{member: m.Number, state: keyCurrent}
	s.current++
	s.record(func() {
		s.admissions--
		s.members = s.members[:len(s.members)-1]
		delete(s.keys, key)
		s.current--
	})
	return m
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

func (s *State) leave(m *Member, _ *tx.Leave) (func(*Result), *reject.Error) {
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

// Events of this domain (see Event).

// Vouched: a member vouched for a key not yet admitted.
type Vouched struct {
	Voucher uint32
	Key     tx.PublicKey
	Name    string
	Vouches int // current members vouching for the key, this one included
}

// Type implements Event.
func (Vouched) Type() string { return "vouched" }

// Attrs implements Event.
func (e Vouched) Attrs() []Attr {
	return attrs("voucher", u32(e.Voucher), "key", e.Key.String(), "vouches", strconv.Itoa(e.Vouches))
}

// Admitted: a key became a member.
type Admitted struct{ Member Member }

// Type implements Event.
func (Admitted) Type() string { return "admitted" }

// Attrs implements Event.
func (e Admitted) Attrs() []Attr {
	return attrs("member", u32(e.Member.Number), "key", e.Member.Key.String(), "name", e.Member.Name)
}

// Left: a member left.
type Left struct {
	Member uint32
	Key    tx.PublicKey
}

// Type implements Event.
func (Left) Type() string { return "left" }

// Attrs implements Event.
func (e Left) Attrs() []Attr { return attrs("member", u32(e.Member), "key", e.Key.String()) }

// Rotated: a member moved to a new key.
type Rotated struct {
	Member   uint32
	Old, New tx.PublicKey
}

// Type implements Event.
func (Rotated) Type() string { return "rotated" }

// Attrs implements Event.
func (e Rotated) Attrs() []Attr {
	return attrs("member", u32(e.Member), "old_key", e.Old.String(), "new_key", e.New.String())
}

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factAdmitted(m *Member) []byte {
	return mustEncode([]any{FactAdmitted, m.Number, m.Key[:], m.Name, m.Admitted})
}

func factLeft(m *Member, at int64) []byte {
	return mustEncode([]any{FactLeft, m.Number, m.Key[:], at})
}

func factRotated(m *Member, old tx.PublicKey, at int64) []byte {
	return mustEncode([]any{FactRotated, m.Number, old[:], m.Key[:], at})
}
