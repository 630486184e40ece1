package core

import (
	"fmt"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/tx"
)

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

// Status is a proposal's stage.
type Status uint8

// Proposal stages.
const (
	Scheduled Status = 1 // recorded, voting not open yet
	Open      Status = 2 // voting open
	Decided   Status = 3 // closed and counted
	Withdrawn Status = 4 // withdrawn by its author before voting opened
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
	}
	return fmt.Sprintf("status %d", uint8(s))
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

	// Measure is what the proposal does if it passes. Law is the law a
	// renewal or repeal is about; Sunset the length in nanoseconds a law or
	// renewal asked for (the constitution's default filled in); Amendment
	// the new rules (JSON) of an amendment.
	Measure   tx.Measure
	Law       uint64
	Sunset    int64
	Amendment string

	// Amount is what a budget proposal allows to be spent, in minor units
	// (0: none; see Payment).
	Amount uint64
	// Office, Holder and Petition are set on a recall ballot (Measure
	// tx.RecallVote): the office, the holder's member number and the
	// petition that opened it.
	Office   string
	Holder   uint32
	Petition uint64
}

// Endorsements returns the number of members who endorsed the proposal.
func (p *Proposal) Endorsements() int { return len(p.endorsers) }

// BallotOf returns the choice counted for a member, if any.
func (p *Proposal) BallotOf(member uint32) (tx.Choice, bool) {
	c, ok := p.ballots[member]
	return c, ok
}

// State is a community's whole state. It is changed only by BeginBlock,
// Apply and EndBlock; a rejected transaction leaves it unchanged.
type State struct {
	chainID string
	genesis int64 // genesis time, Unix nanoseconds
	cons    Constitution

	now        int64 // time of the block being applied (or last applied)
	height     int64 // height of the block being applied (or last applied)
	keys       map[tx.PublicKey]keyRef
	members    []*Member // index = number-1
	current    uint64    // current members
	admissions uint64
	candidates map[tx.PublicKey]*candidate

	proposals []*Proposal // index = id-1
	comments  []uint64    // comment id-1 -> proposal id
	opening   deadlines   // scheduled proposals by opening time
	closing   deadlines   // open proposals by closing time

	rules    []*RuleVersion // every version of the constitution; the last is cons
	laws     []*Law         // index = number-1
	expiring deadlines      // laws in force by expiry time (ID = law number)

	// deleg holds the delegations in force: per category, index = the
	// delegator's number-1, value = the delegate's number (0: none).
	deleg map[string][]uint32

	// Offices (offices.go, elections.go, recall.go, powers.go).
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

	acc merkle.Accumulator

	journal *journal // non-nil while changes may be reverted

	genesisLeaves [][]byte // the accumulator's first leaves; not serialised
}

// New creates the state of a community at genesis from the genesis
// app_state (JSON, see Genesis). The first leaf of the accumulator commits
// to the chain id, the genesis time and the exact app_state bytes; the
// founders' admissions follow.
func New(chainID string, genesisTime time.Time, appState []byte) (*State, error) {
	g, err := ParseGenesis(appState)
	if err != nil {
		return nil, err
	}
	if !tx.ValidChainID(chainID) {
		return nil, fmt.Errorf("chain id %q: use 1 to %d printable ASCII characters", chainID, tx.MaxChainID)
	}
	s := &State{
		chainID:    chainID,
		genesis:    genesisTime.UnixNano(),
		now:        genesisTime.UnixNano(),
		cons:       g.Constitution,
		keys:       make(map[tx.PublicKey]keyRef),
		candidates: make(map[tx.PublicKey]*candidate),
	}
	s.rules = []*RuleVersion{{Version: 1, Time: s.genesis, Constitution: s.cons}}
	s.genesisLeaves = append(s.genesisLeaves, factGenesis(chainID, s.genesis, appState))
	for _, f := range g.Constitution.Founders {
		m := s.admit(f.Key, f.Name, nil)
		s.genesisLeaves = append(s.genesisLeaves, factAdmitted(m))
	}
	for _, l := range s.genesisLeaves {
		s.acc.Append(l)
	}
	// Each office's first election opens at genesis; its fact follows the
	// founders'.
	var r Result
	s.startOffices(&r)
	s.genesisLeaves = append(s.genesisLeaves, r.Leaves...)
	return s, nil
}

// GenesisLeaves returns the leaves New appended (the genesis fact and the
// founders' admissions), for building a full Merkle tree. A restored state
// does not have them.
func (s *State) GenesisLeaves() [][]byte { return s.genesisLeaves }

// ChainID returns the community's chain id.
func (s *State) ChainID() string { return s.chainID }

// Constitution returns the rules in force.
func (s *State) Constitution() Constitution { return s.cons }

// Root returns the accumulator root: the app hash.
func (s *State) Root() merkle.Hash { return s.acc.Root() }

// Leaves returns the number of leaves in the accumulator.
func (s *State) Leaves() uint64 { return s.acc.Len() }

// Height returns the height of the last block applied (0 at genesis).
func (s *State) Height() int64 { return s.height }

// Time returns the time of the last block applied.
func (s *State) Time() time.Time { return time.Unix(0, s.now).UTC() }

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

// Proposal returns a proposal by id.
func (s *State) Proposal(id uint64) (*Proposal, bool) {
	if id == 0 || id > uint64(len(s.proposals)) {
		return nil, false
	}
	return s.proposals[id-1], true
}

// Proposals returns every proposal, by id. The slice and its proposals must
// not be modified.
func (s *State) Proposals() []*Proposal { return s.proposals }

// CommentCount returns the number of comments ever made.
func (s *State) CommentCount() uint64 { return uint64(len(s.comments)) }

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

// formatTime renders a Unix-nanosecond time for sentences.
func formatTime(ns int64) string {
	return time.Unix(0, ns).UTC().Format("2006-01-02 15:04:05 UTC")
}
