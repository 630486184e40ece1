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

// Amended: an amendment passed and the constitution's version Version is
// in force from this block.
type Amended struct {
	Version  uint32
	Proposal uint64
}

// LawEnacted: a passed proposal entered the register of laws in force.
type LawEnacted struct {
	Law      uint64
	Proposal uint64
	Expires  int64 // Unix nanoseconds
}

// LawRenewed: a renewal passed and the law's sunset moved to Expires.
type LawRenewed struct {
	Law      uint64
	Proposal uint64
	Expires  int64
}

// LawRepealedEvent: a repeal passed and the law left the register.
type LawRepealedEvent struct {
	Law      uint64
	Proposal uint64
}

// LawExpiredEvent: a law reached its sunset and left the register.
type LawExpiredEvent struct{ Law uint64 }

// MeasureLapsed: a proposal passed but what it would do no longer applies
// (its law expired or was repealed meanwhile, or its amendment is no longer
// valid over rules amended since). Reason says why, for people.
type MeasureLapsed struct {
	Proposal uint64
	Reason   string
}

// Delegated: a member delegated their vote on a category to member To,
// replacing their delegation to Previous (zero when there was none).
type Delegated struct {
	Member   uint32
	Category string
	To       uint32
	Previous uint32
}

// Undelegated: a member withdrew their delegation on a category to From.
type Undelegated struct {
	Member   uint32
	Category string
	From     uint32
}

// DelegationCounted: the delegated part of a decided proposal's count; it
// follows the proposal's DecidedEvent when any delegation counted or was
// lost to a cycle or a cap.
type DelegationCounted struct {
	Proposal uint64
	Tally    DelegatedTally
}

func (Delegated) isEvent()         {}
func (Undelegated) isEvent()       {}
func (DelegationCounted) isEvent() {}
func (Amended) isEvent()           {}
func (LawEnacted) isEvent()        {}
func (LawRenewed) isEvent()        {}
func (LawRepealedEvent) isEvent()  {}
func (LawExpiredEvent) isEvent()   {}
func (MeasureLapsed) isEvent()     {}
func (Vouched) isEvent()           {}
func (Admitted) isEvent()          {}
func (Left) isEvent()              {}
func (Rotated) isEvent()           {}
func (Proposed) isEvent()          {}
func (WithdrawnEvent) isEvent()    {}
func (Opened) isEvent()            {}
func (Commented) isEvent()         {}
func (Endorsed) isEvent()          {}
func (BallotCast) isEvent()        {}
func (DecidedEvent) isEvent()      {}

// ElectionOpened: nominations opened for an election.
type ElectionOpened struct {
	Election   uint64
	Office     string
	Seats      int
	ByElection bool
}

// ElectionScheduledEvent: the next regular election of an office was
// scheduled; its nominations open at Opens (Unix nanoseconds).
type ElectionScheduledEvent struct {
	Election uint64
	Office   string
	Opens    int64
}

// VotingOpened: an election's nominations closed and voting opened among
// Candidates.
type VotingOpened struct {
	Election   uint64
	Office     string
	Candidates []uint32
}

// ElectionCancelledEvent: an election was cancelled because its office was
// removed.
type ElectionCancelledEvent struct {
	Election uint64
	Office   string
}

// ByElectionSkipped: seats were left empty and no by-election opened,
// because the rest of the term (to TermEnds) is not longer than the
// nominations and the vote.
type ByElectionSkipped struct {
	Office   string
	Seats    int
	TermEnds int64
}

// CandidacyEvent: a member stood in an election.
type CandidacyEvent struct {
	Election uint64
	Member   uint32
}

// CandidacyWithdrawn: a member withdrew from an election.
type CandidacyWithdrawn struct {
	Election uint64
	Member   uint32
}

// Ranked: a member cast (Replaced false) or replaced a ranked ballot.
type Ranked struct {
	Election uint64
	Member   uint32
	Ranking  []uint32
	Replaced bool
}

// ElectionDecidedEvent: an election was counted.
type ElectionDecidedEvent struct {
	Election uint64
	Office   string
	Winners  []uint32
}

// SeatFilled: a winner took a seat until Until (Unix nanoseconds).
type SeatFilled struct {
	Term     uint64
	Office   string
	Member   uint32
	Election uint64
	Until    int64
}

// SeatVacated: a holder lost their seat before the end of the term
// (Reason "left" or "recalled").
type SeatVacated struct {
	Term   uint64
	Office string
	Member uint32
	Reason string
}

// TermEndedEvent: a term ended, at its end ("term") or because its office
// was removed ("office removed").
type TermEndedEvent struct {
	Term   uint64
	Office string
	Member uint32
	Reason string
}

// PetitionSigned: a member signed a recall petition.
type PetitionSigned struct {
	Petition   uint64
	Office     string
	Member     uint32 // the holder
	Signer     uint32
	Signatures int
	Needed     uint64
}

// RecallOpened: a petition reached its threshold and recall ballot
// Proposal opened.
type RecallOpened struct {
	Petition uint64
	Proposal uint64
	Office   string
	Member   uint32
}

// PetitionLapsedEvent: a petition's window passed short of its threshold.
type PetitionLapsedEvent struct {
	Petition   uint64
	Office     string
	Member     uint32
	Signatures int
}

// NoticePublished: an office holder published a notice.
type NoticePublished struct {
	Notice uint64
	Office string
	Member uint32
}

// PaymentRecorded: an office holder recorded a payment against a budget.
type PaymentRecorded struct {
	Payment uint64
	Office  string
	Member  uint32
	Budget  uint64
	Amount  uint64
}

func (ElectionOpened) isEvent()         {}
func (ElectionScheduledEvent) isEvent() {}
func (VotingOpened) isEvent()           {}
func (ElectionCancelledEvent) isEvent() {}
func (ByElectionSkipped) isEvent()      {}
func (CandidacyEvent) isEvent()         {}
func (CandidacyWithdrawn) isEvent()     {}
func (Ranked) isEvent()                 {}
func (ElectionDecidedEvent) isEvent()   {}
func (SeatFilled) isEvent()             {}
func (SeatVacated) isEvent()            {}
func (TermEndedEvent) isEvent()         {}
func (PetitionSigned) isEvent()         {}
func (RecallOpened) isEvent()           {}
func (PetitionLapsedEvent) isEvent()    {}
func (NoticePublished) isEvent()        {}
func (PaymentRecorded) isEvent()        {}
