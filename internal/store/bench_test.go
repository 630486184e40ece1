package store

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// BenchmarkWriteBlock measures WriteBlock for a block of 1,000 ballots
// (each member changing their ballot on one open proposal), the shape of
// a busy voting day. Applying the block in the core is not timed.
func BenchmarkWriteBlock(b *testing.B) {
	const voters = 1000
	members := make([]*coretest.Member, voters)
	for i := range members {
		members[i] = coretest.NewMember(fmt.Sprintf("voter %d", i))
	}
	g := coretest.Genesis(members...)
	g.Constitution.MaxVoting.Duration = 365 * 24 * time.Hour
	appState := coretest.AppState(g)
	st, err := core.New(coretest.ChainID, coretest.GenesisTime, appState)
	if err != nil {
		b.Fatal(err)
	}
	s, _ := openTemp(b)
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, appState); err != nil {
		b.Fatal(err)
	}
	now := coretest.GenesisTime
	apply := func(txs [][]byte) BlockRecord {
		now = now.Add(time.Second)
		blk := core.Block{Height: st.Height() + 1, Time: now, Txs: txs}
		res, err := st.ApplyBlock(blk, 0)
		if err != nil {
			b.Fatal(err)
		}
		for i, r := range res.Txs {
			if r.Code != reject.OK {
				b.Fatalf("block %d tx %d: %s", blk.Height, i, r.Log)
			}
		}
		return record(st, blk, res)
	}
	closes := now.Add(300 * 24 * time.Hour).Unix()
	if err := s.WriteBlock(apply([][]byte{members[0].Sign(&tx.Propose{Title: "Budget", Body: "The yearly budget.",
		Category: "budget", Closes: closes})})); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		choice := tx.Yes
		if i%2 == 1 {
			choice = tx.No
		}
		txs := make([][]byte, voters)
		for j, m := range members {
			txs[j] = m.Ballot(1, choice)
		}
		rec := apply(txs)
		b.StartTimer()
		if err := s.WriteBlock(rec); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/voters, "ns/ballot")
}

// BenchmarkSearch measures Search over six proposals: the query of issue
// 10, finding 4 (21,000 one-letter words, 42 KB; 1.8 s before the bounds,
// now refused at once) and the broadest query the bounds allow (eight
// two-letter prefixes).
func BenchmarkSearch(b *testing.B) {
	w := newWorld(b)
	closes := w.now.Add(time.Hour).Unix()
	var txs [][]byte
	for i := range 6 {
		txs = append(txs, w.m["alice"].Sign(&tx.Propose{Title: fmt.Sprintf("Proposal %d about trees", i),
			Body: "A body with some words in it: a bench, a lamp and a path.", Category: "general", Closes: closes}))
	}
	w.block(time.Second, false, txs...)
	for _, bc := range []struct{ name, text string }{
		{"21000 one-letter words", strings.Repeat("a ", 21000)},
		{"8 two-letter prefixes", "pr ab bo wo tr be la so"},
		{"8 matching prefixes", "pr pr pr pr pr pr pr pr"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				_, _ = w.s.Search(context.Background(), bc.text)
			}
		})
	}
}
