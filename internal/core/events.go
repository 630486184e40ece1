package core

import (
	"strconv"
	"strings"

	"github.com/folkmoot/folkmoot/internal/reject"
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

// Events returns the zero value of every event type, by domain, so that
// adapters can prove they handle each one. Each event is declared, with its
// Type and Attrs, in its domain's file (membership.go, proposals.go, ...);
// a test checks that this list holds every type with an Attrs method.
func Events() []Event {
	return []Event{
		Vouched{}, Admitted{}, Left{}, Rotated{}, Proposed{}, TextAmended{}, WithdrawnEvent{}, Opened{}, Commented{},
		Endorsed{}, BallotCast{}, DecidedEvent{}, Amended{}, LawEnacted{}, LawRenewed{}, LawRepealedEvent{},
		LawExpiredEvent{}, MeasureLapsed{}, Delegated{}, Undelegated{}, DelegationCounted{},
		ElectionOpened{}, ElectionScheduledEvent{}, VotingOpened{}, ElectionCancelledEvent{}, ByElectionSkipped{},
		CandidacyEvent{}, CandidacyWithdrawn{}, Ranked{}, ElectionDecidedEvent{}, SeatFilled{}, SeatVacated{},
		TermEndedEvent{}, PetitionSigned{}, RecallOpened{}, PetitionLapsedEvent{}, NoticePublished{},
		PaymentRecorded{}, InitiativeQualified{}, InitiativeLapsed{},
		TrusteeStep{}, TrusteeDisqualified{}, SecretKeyMade{}, SecretCancelled{}, SecretBallotCast{}, SecretClosed{}, SecretTallied{},
		DrawCalled{}, Volunteered{}, BeaconStep{}, Drawn{}, DrawRedone{}, DrawFailedEvent{}, Declared{}, LotteryPublished{},
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
