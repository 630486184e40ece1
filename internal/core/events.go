package core

import (
	"strconv"
	"strings"

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
// Every event names itself and lists its attributes, so that an adapter
// (ABCI events, the projection) handles each one without knowing its type,
// and a new event cannot be dropped silently. Events lists one of each.
type Event interface {
	// Type is the event's stable snake_case name, such as "ballot".
	Type() string
	// Attrs are the event's attributes, in a fixed order.
	Attrs() []Attr
}

// Attr is one attribute of an event: a key and its value as text.
type Attr struct{ Key, Value string }

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

// TextAmended: the author replaced a proposal's title and body, OldTitle
// and OldBody, with Title and Body, its revision Revision (from 1).
type TextAmended struct {
	Proposal          uint64
	Revision          uint32
	Author            uint32
	OldTitle, OldBody string
	Title, Body       string
}

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

// InitiativeQualified: an initiative reached its endorsements and voting
// opened on it (an Opened event follows) from Opens to Closes (Unix ns).
type InitiativeQualified struct {
	Proposal     uint64
	Endorsements uint64
	Needed       uint64
	Opens        int64
	Closes       int64
}

// InitiativeLapsed: an initiative's window passed with fewer endorsements
// than it needed.
type InitiativeLapsed struct {
	Proposal     uint64
	Endorsements uint64
	Needed       uint64
}

// Events returns the zero value of every event type, in the order they are
// declared, so that adapters can prove they handle each one.
func Events() []Event {
	return []Event{
		Vouched{}, Admitted{}, Left{}, Rotated{}, Proposed{}, TextAmended{}, WithdrawnEvent{}, Opened{}, Commented{},
		Endorsed{}, BallotCast{}, DecidedEvent{}, Amended{}, LawEnacted{}, LawRenewed{}, LawRepealedEvent{},
		LawExpiredEvent{}, MeasureLapsed{}, Delegated{}, Undelegated{}, DelegationCounted{},
		ElectionOpened{}, ElectionScheduledEvent{}, VotingOpened{}, ElectionCancelledEvent{}, ByElectionSkipped{},
		CandidacyEvent{}, CandidacyWithdrawn{}, Ranked{}, ElectionDecidedEvent{}, SeatFilled{}, SeatVacated{},
		TermEndedEvent{}, PetitionSigned{}, RecallOpened{}, PetitionLapsedEvent{}, NoticePublished{},
		PaymentRecorded{}, InitiativeQualified{}, InitiativeLapsed{},
	}
}

// attrs pairs up keys and values.
func attrs(kv ...string) []Attr {
	out := make([]Attr, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, Attr{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
func u64(v uint64) string { return strconv.FormatUint(v, 10) }
func i64(v int64) string  { return strconv.FormatInt(v, 10) }

func u32s(vs []uint32) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = u32(v)
	}
	return strings.Join(s, ",")
}

// Type implements Event.
func (Vouched) Type() string { return "vouched" }

// Attrs implements Event.
func (e Vouched) Attrs() []Attr {
	return attrs("voucher", u32(e.Voucher), "key", e.Key.String(), "vouches", strconv.Itoa(e.Vouches))
}

// Type implements Event.
func (Admitted) Type() string { return "admitted" }

// Attrs implements Event.
func (e Admitted) Attrs() []Attr {
	return attrs("member", u32(e.Member.Number), "key", e.Member.Key.String(), "name", e.Member.Name)
}

// Type implements Event.
func (Left) Type() string { return "left" }

// Attrs implements Event.
func (e Left) Attrs() []Attr { return attrs("member", u32(e.Member), "key", e.Key.String()) }

// Type implements Event.
func (Rotated) Type() string { return "rotated" }

// Attrs implements Event.
func (e Rotated) Attrs() []Attr {
	return attrs("member", u32(e.Member), "old_key", e.Old.String(), "new_key", e.New.String())
}

// Type implements Event.
func (Proposed) Type() string { return "proposed" }

// Attrs implements Event.
func (e Proposed) Attrs() []Attr { return attrs("proposal", u64(e.Proposal)) }

// Type implements Event.
func (TextAmended) Type() string { return "text_amended" }

// Attrs implements Event. The texts are not attributes: they are in the
// transaction.
func (e TextAmended) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "revision", u32(e.Revision), "member", u32(e.Author))
}

// Type implements Event.
func (WithdrawnEvent) Type() string { return "withdrawn" }

// Attrs implements Event.
func (e WithdrawnEvent) Attrs() []Attr { return attrs("proposal", u64(e.Proposal)) }

// Type implements Event.
func (Opened) Type() string { return "opened" }

// Attrs implements Event.
func (e Opened) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "eligible", u64(e.Eligible))
}

// Type implements Event.
func (Commented) Type() string { return "commented" }

// Attrs implements Event.
func (e Commented) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "comment", u64(e.Comment), "author", u32(e.Author))
}

// Type implements Event.
func (Endorsed) Type() string { return "endorsed" }

// Attrs implements Event.
func (e Endorsed) Attrs() []Attr { return attrs("proposal", u64(e.Proposal), "member", u32(e.Member)) }

// Type implements Event.
func (BallotCast) Type() string { return "ballot" }

// Attrs implements Event.
func (e BallotCast) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "member", u32(e.Member), "choice", e.Choice.String())
}

// Type implements Event.
func (DecidedEvent) Type() string { return "decided" }

// Attrs implements Event.
func (e DecidedEvent) Attrs() []Attr {
	r := e.Result
	return attrs("proposal", u64(e.Proposal), "yes", u64(r.Yes), "no", u64(r.No), "abstain", u64(r.Abstain),
		"eligible", u64(r.Eligible), "quorum_reached", strconv.FormatBool(r.QuorumReached), "passed", strconv.FormatBool(r.Passed))
}

// Type implements Event.
func (Amended) Type() string { return "amended" }

// Attrs implements Event.
func (e Amended) Attrs() []Attr { return attrs("version", u32(e.Version), "proposal", u64(e.Proposal)) }

// Type implements Event.
func (LawEnacted) Type() string { return "law_enacted" }

// Attrs implements Event.
func (e LawEnacted) Attrs() []Attr {
	return attrs("law", u64(e.Law), "proposal", u64(e.Proposal), "expires", i64(e.Expires))
}

// Type implements Event.
func (LawRenewed) Type() string { return "law_renewed" }

// Attrs implements Event.
func (e LawRenewed) Attrs() []Attr {
	return attrs("law", u64(e.Law), "proposal", u64(e.Proposal), "expires", i64(e.Expires))
}

// Type implements Event.
func (LawRepealedEvent) Type() string { return "law_repealed" }

// Attrs implements Event.
func (e LawRepealedEvent) Attrs() []Attr {
	return attrs("law", u64(e.Law), "proposal", u64(e.Proposal))
}

// Type implements Event.
func (LawExpiredEvent) Type() string { return "law_expired" }

// Attrs implements Event.
func (e LawExpiredEvent) Attrs() []Attr { return attrs("law", u64(e.Law)) }

// Type implements Event.
func (MeasureLapsed) Type() string { return "measure_lapsed" }

// Attrs implements Event.
func (e MeasureLapsed) Attrs() []Attr { return attrs("proposal", u64(e.Proposal), "reason", e.Reason) }

// Type implements Event.
func (Delegated) Type() string { return "delegated" }

// Attrs implements Event.
func (e Delegated) Attrs() []Attr {
	return attrs("member", u32(e.Member), "category", e.Category, "to", u32(e.To), "previous", u32(e.Previous))
}

// Type implements Event.
func (Undelegated) Type() string { return "undelegated" }

// Attrs implements Event.
func (e Undelegated) Attrs() []Attr {
	return attrs("member", u32(e.Member), "category", e.Category, "from", u32(e.From))
}

// Type implements Event.
func (DelegationCounted) Type() string { return "delegation_counted" }

// Attrs implements Event.
func (e DelegationCounted) Attrs() []Attr {
	t := e.Tally
	return attrs("proposal", u64(e.Proposal), "yes", u64(t.Yes), "no", u64(t.No), "abstain", u64(t.Abstain),
		"capped", u64(t.Capped), "cyclic", u64(t.Cyclic))
}

// Type implements Event.
func (ElectionOpened) Type() string { return "election_opened" }

// Attrs implements Event.
func (e ElectionOpened) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "seats", strconv.Itoa(e.Seats),
		"by_election", strconv.FormatBool(e.ByElection))
}

// Type implements Event.
func (ElectionScheduledEvent) Type() string { return "election_scheduled" }

// Attrs implements Event.
func (e ElectionScheduledEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "opens", i64(e.Opens))
}

// Type implements Event.
func (VotingOpened) Type() string { return "election_voting_opened" }

// Attrs implements Event.
func (e VotingOpened) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "candidates", u32s(e.Candidates))
}

// Type implements Event.
func (ElectionCancelledEvent) Type() string { return "election_cancelled" }

// Attrs implements Event.
func (e ElectionCancelledEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office)
}

// Type implements Event.
func (ByElectionSkipped) Type() string { return "by_election_skipped" }

// Attrs implements Event.
func (e ByElectionSkipped) Attrs() []Attr {
	return attrs("office", e.Office, "seats", strconv.Itoa(e.Seats), "term_ends", i64(e.TermEnds))
}

// Type implements Event.
func (CandidacyEvent) Type() string { return "candidacy" }

// Attrs implements Event.
func (e CandidacyEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "member", u32(e.Member))
}

// Type implements Event.
func (CandidacyWithdrawn) Type() string { return "candidacy_withdrawn" }

// Attrs implements Event.
func (e CandidacyWithdrawn) Attrs() []Attr {
	return attrs("election", u64(e.Election), "member", u32(e.Member))
}

// Type implements Event.
func (Ranked) Type() string { return "ranked" }

// Attrs implements Event. The ranking itself is not an attribute: it is
// in the transaction.
func (e Ranked) Attrs() []Attr { return attrs("election", u64(e.Election), "member", u32(e.Member)) }

// Type implements Event.
func (ElectionDecidedEvent) Type() string { return "election_decided" }

// Attrs implements Event.
func (e ElectionDecidedEvent) Attrs() []Attr {
	return attrs("election", u64(e.Election), "office", e.Office, "winners", u32s(e.Winners))
}

// Type implements Event.
func (SeatFilled) Type() string { return "seat_filled" }

// Attrs implements Event.
func (e SeatFilled) Attrs() []Attr {
	return attrs("office", e.Office, "member", u32(e.Member), "election", u64(e.Election), "term", u64(e.Term))
}

// Type implements Event.
func (SeatVacated) Type() string { return "seat_vacated" }

// Attrs implements Event.
func (e SeatVacated) Attrs() []Attr {
	return attrs("office", e.Office, "member", u32(e.Member), "term", u64(e.Term), "reason", e.Reason)
}

// Type implements Event.
func (TermEndedEvent) Type() string { return "term_ended" }

// Attrs implements Event.
func (e TermEndedEvent) Attrs() []Attr {
	return attrs("office", e.Office, "member", u32(e.Member), "term", u64(e.Term), "reason", e.Reason)
}

// Type implements Event.
func (PetitionSigned) Type() string { return "petition_signed" }

// Attrs implements Event.
func (e PetitionSigned) Attrs() []Attr {
	return attrs("petition", u64(e.Petition), "office", e.Office, "holder", u32(e.Member), "member", u32(e.Signer),
		"signatures", strconv.Itoa(e.Signatures), "needed", u64(e.Needed))
}

// Type implements Event.
func (RecallOpened) Type() string { return "recall_opened" }

// Attrs implements Event.
func (e RecallOpened) Attrs() []Attr {
	return attrs("petition", u64(e.Petition), "proposal", u64(e.Proposal), "office", e.Office, "member", u32(e.Member))
}

// Type implements Event.
func (PetitionLapsedEvent) Type() string { return "petition_lapsed" }

// Attrs implements Event.
func (e PetitionLapsedEvent) Attrs() []Attr {
	return attrs("petition", u64(e.Petition), "office", e.Office, "holder", u32(e.Member),
		"signatures", strconv.Itoa(e.Signatures))
}

// Type implements Event.
func (NoticePublished) Type() string { return "notice" }

// Attrs implements Event.
func (e NoticePublished) Attrs() []Attr {
	return attrs("notice", u64(e.Notice), "office", e.Office, "member", u32(e.Member))
}

// Type implements Event.
func (PaymentRecorded) Type() string { return "payment" }

// Attrs implements Event.
func (e PaymentRecorded) Attrs() []Attr {
	return attrs("payment", u64(e.Payment), "office", e.Office, "member", u32(e.Member), "budget", u64(e.Budget),
		"amount", u64(e.Amount))
}

// Type implements Event.
func (InitiativeQualified) Type() string { return "initiative_qualified" }

// Attrs implements Event.
func (e InitiativeQualified) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "endorsements", u64(e.Endorsements), "needed", u64(e.Needed),
		"opens", i64(e.Opens), "closes", i64(e.Closes))
}

// Type implements Event.
func (InitiativeLapsed) Type() string { return "initiative_lapsed" }

// Attrs implements Event.
func (e InitiativeLapsed) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "endorsements", u64(e.Endorsements), "needed", u64(e.Needed))
}
