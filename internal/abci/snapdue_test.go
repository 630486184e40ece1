package abci

import (
	"testing"
	"time"
)

// TestSnapshotDue checks the two triggers of a snapshot: a height that is a
// multiple of the interval, and a period of block time since the last one
// (counted from the first block this process commits).
func TestSnapshotDue(t *testing.T) {
	t0 := time.Date(2026, 12, 3, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		snaps  Snapshots
		blocks []Committed
		want   []bool
	}{
		{"by height", Snapshots{Dir: "x", Interval: 2},
			[]Committed{{Height: 1, Time: t0}, {Height: 2, Time: t0}, {Height: 3, Time: t0}, {Height: 4, Time: t0}},
			[]bool{false, true, false, true}},
		{"by time", Snapshots{Dir: "x", Interval: 1000, Period: 10 * time.Minute},
			[]Committed{{Height: 1, Time: t0}, {Height: 2, Time: t0.Add(9 * time.Minute)}, {Height: 3, Time: t0.Add(10 * time.Minute)},
				{Height: 4, Time: t0.Add(15 * time.Minute)}, {Height: 5, Time: t0.Add(20 * time.Minute)}},
			[]bool{false, false, true, false, true}},
		{"no directory", Snapshots{Interval: 1, Period: time.Second},
			[]Committed{{Height: 1, Time: t0}, {Height: 2, Time: t0.Add(time.Hour)}}, []bool{false, false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &App{opt: Options{Snapshots: tt.snaps}}
			for i, b := range tt.blocks {
				got := a.snapshotDue(&b)
				if got != tt.want[i] {
					t.Fatalf("block %d: due %v, want %v", b.Height, got, tt.want[i])
				}
				if got {
					a.lastSnap = b.Time
				}
			}
		})
	}
}
