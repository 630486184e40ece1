package core_test

import (
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/tx"
)

// BenchmarkIdleEndBlock measures EndBlock in a block in which nothing is
// due, with 10,000 laws in force (issue 6's target: at most 50 µs). The
// deadlines are ordered indexes, so the cost does not grow with the laws.
func BenchmarkIdleEndBlock(b *testing.B) {
	w := newWorld(b)
	const laws = 10000
	closes := w.now.Add(time.Second + 10*time.Minute).Unix()
	var props, votes [][]byte
	for i := 0; i < laws; i++ {
		props = append(props, w.m["alice"].Sign(&tx.Propose{Title: "Law", Category: "rules", Closes: closes, Measure: tx.Enact}))
	}
	w.block(time.Second, props...)
	for i := 1; i <= laws; i++ {
		votes = append(votes, w.m["bob"].Ballot(uint64(i), tx.Yes), w.m["carol"].Ballot(uint64(i), tx.Yes))
	}
	w.block(time.Second, votes...)
	w.block(11 * time.Minute)
	if n := w.s.LawsInForceCount(); n != laws {
		b.Fatalf("%d laws in force, want %d", n, laws)
	}
	h, now := w.s.Height(), w.now
	b.ResetTimer()
	for b.Loop() {
		b.StopTimer()
		h++
		now = now.Add(time.Second)
		if _, err := w.s.BeginBlock(h, now); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if r := w.s.EndBlock(); len(r.Leaves) != 0 {
			b.Fatal("something was due")
		}
	}
}
