package core_test

import (
	"testing"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
)

// FuzzDecodeFact decodes arbitrary bytes as an accumulator leaf, as
// folkmoot verify-proof and the audit pages do with leaves that come from
// anyone. It must never panic, and a leaf that decodes must say something.
// The seeds are every leaf of a random history with offices, elections and
// recalls.
func FuzzDecodeFact(f *testing.F) {
	sim := coretest.NewOfficeSim(5, 8)
	for _, l := range sim.State.GenesisLeaves() {
		f.Add(l)
	}
	for range 30 {
		_, res := sim.Block(6)
		for _, r := range append(append([]core.Result{res.Begin}, res.Txs...), res.End) {
			for _, l := range r.Leaves {
				f.Add(l)
			}
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		fact, err := core.DecodeFact(raw)
		if err != nil {
			return
		}
		if fact.String() == "" {
			t.Fatalf("fact of type %d prints as nothing", fact.Type)
		}
	})
}
