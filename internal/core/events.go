package core

import (
	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Result is the outcome of applying one transaction, or of the time-driven
// work of a block.
type Result struct {
	Code   reject.Code // reject.OK when accepted
	Log    string      // the sentence for a person when rejected
	Events []Event     // what changed, in order
	Leaves [][]byte    // accumulator leaves appended, in order
}

// Event describes one change to the state, for projections and clients.
type Event interface{ isEvent() }

// Vouched: a member vouched for a key not yet admitted.
type Vouched struct {
	Voucher uint32
	Key     tx.PublicKey
	Name    string
	Vouches int // current members vouching for the key, this one included
}

// Admitted: a key became a member.
type Admitted struct{ Member Member }

// Left: a member left.
type Left struct {
	Member uint32
	Key    tx.PublicKey
}

// Rotated: a member moved to a new key.
type Rotated struct {
	Member   uint32
	Old, New tx.PublicKey
}

// Proposed: a proposal was recorded.
type Proposed struct{ Proposal uint64 }

// WithdrawnEvent: a proposal was withdrawn.
type WithdrawnEvent struct{ Proposal uint64 }

// Opened: voting opened on a proposal.
type Opened struct {
	Proposal uint64
	Eligible uint64
}

// Commented: a comment was added.
type Commented struct {
	Comment  uint64
	Proposal uint64
	ReplyTo  uint64
	Author   uint32
	Text     string
}

// Endorsed: a member endorsed a proposal.
type Endorsed struct {
	Proposal uint64
	Member   uint32
}

// BallotCast: a member's ballot was counted, replacing Previous (zero when
// this is the member's first ballot on the proposal).
type BallotCast struct {
	Proposal uint64
	Member   uint32
	Choice   tx.Choice
	Previous tx.Choice
}

// DecidedEvent: a proposal closed and was counted.
type DecidedEvent struct {
	Proposal uint64
	Result   count.YesNoResult
}

func (Vouched) isEvent()        {}
func (Admitted) isEvent()       {}
func (Left) isEvent()           {}
func (Rotated) isEvent()        {}
func (Proposed) isEvent()       {}
func (WithdrawnEvent) isEvent() {}
func (Opened) isEvent()         {}
func (Commented) isEvent()      {}
func (Endorsed) isEvent()       {}
func (BallotCast) isEvent()     {}
func (DecidedEvent) isEvent()   {}
