package store

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
)

// TestEveryEventReachesTheProjection replays a simulated community with
// offices and checks that the events table holds every event of every
// block, in order, with its attributes. It logs the event types this
// simulation does not reach; TestEventAttrsForEveryType covers each type.
func TestEveryEventReachesTheProjection(t *testing.T) {
	s, _ := openTemp(t)
	sim := coretest.NewOfficeSim(11, 7)
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, sim.AppState); err != nil {
		t.Fatalf("init: %v", err)
	}
	seen := map[string]bool{}
	for range 150 {
		b, res := sim.Block(20)
		if err := s.WriteBlock(record(sim.State, b, res)); err != nil {
			t.Fatalf("write block %d: %v", b.Height, err)
		}
		var want [][2]string
		for _, r := range append(append([]core.Result{res.Begin}, res.Txs...), res.End) {
			for _, e := range r.Events {
				a, err := eventAttrs(e)
				if err != nil {
					t.Fatal(err)
				}
				want = append(want, [2]string{e.Type(), a})
				seen[e.Type()] = true
			}
		}
		rows, err := s.r.Query(`SELECT type, attrs FROM events WHERE height = ? ORDER BY seq`, b.Height)
		if err != nil {
			t.Fatalf("read events: %v", err)
		}
		var got [][2]string
		for rows.Next() {
			var r [2]string
			if err := rows.Scan(&r[0], &r[1]); err != nil {
				t.Fatal(err)
			}
			got = append(got, r)
		}
		rows.Close()
		if !slices.Equal(got, want) {
			t.Fatalf("block %d: events table holds\n%v\nwant\n%v", b.Height, got, want)
		}
	}
	var missing []string
	for _, e := range core.Events() {
		if !seen[e.Type()] {
			missing = append(missing, e.Type())
		}
	}
	t.Logf("event types the simulation did not produce: %v", missing)
}

// TestEventAttrsForEveryType checks the row of every event type the core
// declares: its attributes, in order, as JSON pairs.
func TestEventAttrsForEveryType(t *testing.T) {
	for _, e := range core.Events() {
		t.Run(e.Type(), func(t *testing.T) {
			a, err := eventAttrs(e)
			if err != nil {
				t.Fatal(err)
			}
			var pairs [][2]string
			if err := json.Unmarshal([]byte(a), &pairs); err != nil {
				t.Fatalf("attributes %s: %v", a, err)
			}
			want := e.Attrs()
			if len(pairs) != len(want) || len(want) == 0 {
				t.Fatalf("attributes %s, want %v", a, want)
			}
			for i, p := range pairs {
				if p[0] != want[i].Key || p[1] != want[i].Value {
					t.Fatalf("attribute %d is %v, want %v", i, p, want[i])
				}
			}
		})
	}
}
