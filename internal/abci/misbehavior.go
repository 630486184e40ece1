package abci

import (
	"fmt"
	"strconv"
	"strings"

	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// EventMisbehavior is the type of the block event that names a validator
// CometBFT found misbehaving (double signing, a light-client attack), with
// the evidence committed in the block.
const EventMisbehavior = "folkmoot.validator.misbehaved"

// misbehaviorEvents names, as block events, the validators whose evidence
// the block commits: the kind ("duplicate_vote", "light_client_attack"),
// the validator's address (hex, as CometBFT prints it), its voting power,
// and the height and time of the offence.
//
// They are events of the block's results, not facts of the accumulator:
// the app hash does not yet commit to them, and the export file does not
// carry them (a fact needs the history format to carry the block's
// evidence, so that the offline verifier can replay it; see issue 14,
// which also removes the validator).
func misbehaviorEvents(ms []abcitypes.Misbehavior) []abcitypes.Event {
	var out []abcitypes.Event
	for _, m := range ms {
		kind := strings.ToLower(strings.TrimPrefix(m.Type.String(), "MISBEHAVIOR_TYPE_"))
		out = append(out, abcitypes.Event{Type: EventMisbehavior, Attributes: []abcitypes.EventAttribute{
			{Key: "kind", Value: kind},
			{Key: "validator", Value: fmt.Sprintf("%X", m.Validator.Address), Index: true},
			{Key: "power", Value: strconv.FormatInt(m.Validator.Power, 10)},
			{Key: "height", Value: strconv.FormatInt(m.Height, 10)},
			{Key: "time", Value: m.Time.UTC().Format("2006-01-02T15:04:05.000000000Z")},
		}})
	}
	return out
}
