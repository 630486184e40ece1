package bench

import (
	"fmt"
	"runtime"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// StateHeapMB builds a community of members founders and applies ballots
// open ballots spread over ballots/members proposals, then reports the live
// heap (after a full GC) held by the state, in MiB. Signatures are not the
// subject here: each ballot carries a dummy signature marked verified, so
// the figure is the state's own footprint.
func StateHeapMB(members, ballots int) (float64, error) {
	ms := make([]*coretest.Member, members)
	for i := range ms {
		ms[i] = coretest.NewMember(fmt.Sprintf("m%d", i))
	}
	var before runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(coretest.Genesis(ms...)))
	if err != nil {
		return 0, err
	}
	at := coretest.GenesisTime.Add(time.Second)
	if _, err := s.BeginBlock(1, at); err != nil {
		return 0, err
	}
	rounds := (ballots + members - 1) / members
	sig := make([]byte, 64)
	for r := 0; r < rounds; r++ {
		if res := s.Apply(fake(ms[r], &tx.Propose{Title: "Q", Category: "general", Closes: at.Add(time.Hour).Unix()}, sig)); res.Code != 0 {
			return 0, fmt.Errorf("propose: %s", res.Log)
		}
	}
	for i := 0; i < ballots; i++ {
		if res := s.Apply(fake(ms[i%members], &tx.Ballot{Proposal: uint64(i/members + 1), Choice: tx.Yes}, sig)); res.Code != 0 {
			return 0, fmt.Errorf("ballot %d: %s", i, res.Log)
		}
	}
	s.EndBlock()
	var after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(s)
	return float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20), nil
}

// fake builds a transaction with the member's next nonce and a dummy
// signature marked as verified.
func fake(m *coretest.Member, body tx.Body, sig []byte) *tx.Tx {
	m.Nonce++
	p, err := tx.Unsigned{ChainID: m.Chain, Author: m.Key, Nonce: m.Nonce, Body: body}.Payload()
	if err != nil {
		panic(err)
	}
	raw, err := tx.Assemble(p, sig)
	if err != nil {
		panic(err)
	}
	t, rerr := tx.Decode(raw)
	if rerr != nil {
		panic(rerr)
	}
	t.MarkVerified(true)
	return t
}
