package abci

import (
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// TestMisbehaviorEvents: each piece of evidence CometBFT hands to
// FinalizeBlock becomes one block event naming the validator.
func TestMisbehaviorEvents(t *testing.T) {
	at := time.Date(2026, 12, 3, 14, 0, 0, 5, time.UTC)
	evs := misbehaviorEvents([]abcitypes.Misbehavior{
		{Type: abcitypes.MISBEHAVIOR_TYPE_DUPLICATE_VOTE, Validator: abcitypes.Validator{Address: []byte{0xab, 0x01}, Power: 3}, Height: 9, Time: at},
		{Type: abcitypes.MISBEHAVIOR_TYPE_LIGHT_CLIENT_ATTACK, Validator: abcitypes.Validator{Address: []byte{0x02}, Power: 1}, Height: 4, Time: at},
	})
	want := [][]string{
		{"kind", "duplicate_vote", "validator", "AB01", "power", "3", "height", "9", "time", "2026-12-03T14:00:00.000000005Z"},
		{"kind", "light_client_attack", "validator", "02", "power", "1", "height", "4", "time", "2026-12-03T14:00:00.000000005Z"},
	}
	if len(evs) != len(want) {
		t.Fatalf("%d events, want %d", len(evs), len(want))
	}
	for i, e := range evs {
		if e.Type != EventMisbehavior {
			t.Errorf("event %d: type %s", i, e.Type)
		}
		var got []string
		for _, a := range e.Attributes {
			got = append(got, a.Key, a.Value)
		}
		if len(got) != len(want[i]) {
			t.Fatalf("event %d: %v, want %v", i, got, want[i])
		}
		for j := range got {
			if got[j] != want[i][j] {
				t.Errorf("event %d: %v, want %v", i, got, want[i])
				break
			}
		}
	}
	if misbehaviorEvents(nil) != nil {
		t.Error("events for a block without evidence")
	}
}
