package query_test

import (
	"slices"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

func proposalIDs(ps []query.Proposal) []uint64 {
	out := []uint64{}
	for _, p := range ps {
		out = append(out, p.ID)
	}
	return out
}

// TestProposalsFilter lists proposals 1 (general, decided), 2 (budget,
// withdrawn) and 3 (general, scheduled) through every kind of filter.
func TestProposalsFilter(t *testing.T) {
	w := newTown(t)
	later := w.now.Add(time.Hour).Unix()
	w.ok(time.Second,
		w.propose("Plant oak trees", tx.Propose{}),
		w.m[1].Sign(&tx.Propose{Title: "Repair the bridge", Category: "budget", Opens: later, Closes: later + 3600}))
	w.ok(time.Second, w.m[1].Sign(&tx.Withdraw{Proposal: 2}),
		w.m[0].Sign(&tx.Propose{Title: "Plant more", Category: "general", Opens: later, Closes: later + 3600}))
	w.pass(1)
	for _, c := range []struct {
		name string
		f    query.Filter
		want []uint64
	}{
		{"all, newest first", query.Filter{}, []uint64{3, 2, 1}},
		{"decided", query.Filter{Status: "decided"}, []uint64{1}},
		{"withdrawn", query.Filter{Status: "withdrawn"}, []uint64{2}},
		{"open", query.Filter{Status: "open"}, []uint64{}},
		{"category", query.Filter{Category: "budget"}, []uint64{2}},
		{"category and status", query.Filter{Category: "general", Status: "scheduled"}, []uint64{3}},
		{"initiatives", query.Filter{Initiatives: true}, []uint64{}},
		{"found", query.Filter{Found: []uint64{1, 3, 9}}, []uint64{3, 1}},
		{"found nothing", query.Filter{Found: []uint64{}}, []uint64{}},
		{"found and status", query.Filter{Found: []uint64{1, 3}, Status: "decided"}, []uint64{1}},
		{"limit", query.Filter{Limit: 1}, []uint64{3}},
		{"offset", query.Filter{Limit: 1, Offset: 1}, []uint64{2}},
		{"offset alone", query.Filter{Offset: 1}, []uint64{2, 1}},
		{"offset counts only those selected", query.Filter{Category: "general", Offset: 1}, []uint64{1}},
		{"offset past the end", query.Filter{Offset: 5}, []uint64{}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := query.Proposals(w.s, c.f)
			if got == nil || !slices.Equal(proposalIDs(got), c.want) {
				t.Fatalf("got %v, want %v", proposalIDs(got), c.want)
			}
			for _, p := range got {
				if want, err := query.ProposalByID(w.s, p.ID); err != nil || p.Title != want.Title || p.Status != want.Status {
					t.Fatalf("listed %+v, alone %+v %v", p, want, err)
				}
			}
		})
	}
}
