package core

import (
	"fmt"
	"time"

	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// State is a community's whole state. It is changed only by BeginBlock,
// Apply and EndBlock; a rejected transaction leaves it unchanged.
//
// Each domain keeps its part of the state in its own struct, embedded here,
// beside the file that holds its handlers (see handlers in apply.go):
// membership.go, proposals.go, laws.go and rules.go, delegation.go,
// initiative.go, and offices.go with elections.go, recall.go and powers.go.
// The state has one clock, one journal and one accumulator for all of them.
type State struct {
	chainID string
	genesis int64 // genesis time, Unix nanoseconds
	cons    Constitution

	now    int64 // time of the block being applied (or last applied)
	height int64 // height of the block being applied (or last applied)

	membershipDomain
	proposalDomain
	lawDomain
	initiativeDomain
	delegationDomain
	officeDomain
	drawDomain

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
		chainID: chainID,
		genesis: genesisTime.UnixNano(),
		now:     genesisTime.UnixNano(),
		cons:    g.Constitution,
		membershipDomain: membershipDomain{
			keys:       make(map[tx.PublicKey]keyRef),
			candidates: make(map[tx.PublicKey]*candidate),
		},
		drawDomain: drawDomain{barred: make(map[uint32]uint64), attributes: make(map[uint32][]tx.Attribute)},
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

// The time formats people read, everywhere (rejections, pages, the CLI):
// every time is shown in UTC.
const (
	// TimeFormat is to the second, for sentences and records.
	TimeFormat = "2006-01-02 15:04:05 UTC"
	// MinuteFormat is to the minute, for pages and summaries.
	MinuteFormat = "2006-01-02 15:04 UTC"
	// TableFormat is to the minute without the zone, for table columns.
	TableFormat = "2006-01-02 15:04"
)

// formatTime renders a Unix-nanosecond time for sentences.
func formatTime(ns int64) string {
	return time.Unix(0, ns).UTC().Format(TimeFormat)
}

// numbered finds thing n of xs, which are numbered from 1 in order.
func numbered[T any](xs []*T, n uint64) (*T, bool) {
	if n == 0 || n > uint64(len(xs)) {
		return nil, false
	}
	return xs[n-1], true
}
