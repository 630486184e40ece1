package abci

import (
	"testing"

	"github.com/folkmoot/folkmoot/internal/core"
)

// TestEveryEventBecomesAnABCIEvent walks every event type the core declares
// through events: none is dropped, each keeps its type and its attributes
// in order, and the keys clients subscribe by are indexed.
func TestEveryEventBecomesAnABCIEvent(t *testing.T) {
	all := core.Events()
	out := events(all)
	if len(out) != len(all) {
		t.Fatalf("%d core events gave %d ABCI events", len(all), len(out))
	}
	types := map[string]bool{}
	for i, e := range all {
		got := out[i]
		if got.Type != "folkmoot."+e.Type() {
			t.Errorf("event %T became %q", e, got.Type)
		}
		if types[got.Type] {
			t.Errorf("two event types are named %q", got.Type)
		}
		types[got.Type] = true
		want := e.Attrs()
		if len(got.Attributes) != len(want) || len(want) == 0 {
			t.Errorf("%s: attributes %v, want %v", got.Type, got.Attributes, want)
			continue
		}
		for j, a := range got.Attributes {
			if a.Key != want[j].Key || a.Value != want[j].Value || a.Index != indexed(a.Key) {
				t.Errorf("%s: attribute %d is %+v, want %+v", got.Type, j, a, want[j])
			}
		}
	}
}
