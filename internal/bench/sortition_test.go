package bench

import "testing"

// TestSortitionSmall runs the sortition benchmark at a tiny size: every
// figure is there and positive (no timing is asserted).
func TestSortitionSmall(t *testing.T) {
	f, err := Sortition(SortitionOptions{Volunteers: 80, Seats: 8, Members: 1000, Drawn: 10, GreedyRuns: 50})
	if err != nil {
		t.Fatal(err)
	}
	if f.LeximinS <= 0 || f.LeximinPanels == 0 || f.LeximinMinChance <= 0 || f.DrawMS < 0 || f.StratifiedDrawMS < 0 || f.CPUs == 0 {
		t.Fatalf("figures %+v", f)
	}
}
