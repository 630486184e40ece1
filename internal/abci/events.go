package abci

import (
	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core"
)

// indexed reports whether CometBFT indexes attributes named key, so that
// clients can subscribe to, for example, ballots on one proposal.
func indexed(key string) bool {
	switch key {
	case "proposal", "member", "election", "office":
		return true
	}
	return false
}

// events converts core events to ABCI events of type "folkmoot." and the
// event's own type, with its attributes in their order. Every core event
// names itself (core.Event), so none can be left out.
func events(evs []core.Event) []abcitypes.Event {
	var out []abcitypes.Event
	for _, e := range evs {
		ev := abcitypes.Event{Type: "folkmoot." + e.Type()}
		for _, a := range e.Attrs() {
			ev.Attributes = append(ev.Attributes, abcitypes.EventAttribute{Key: a.Key, Value: a.Value, Index: indexed(a.Key)})
		}
		out = append(out, ev)
	}
	return out
}
