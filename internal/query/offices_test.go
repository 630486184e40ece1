package query_test

import (
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestElectionRounds elects the simulator's three stewards by STV and the
// clerk by IRV, and reads both counts round by round with names.
func TestElectionRounds(t *testing.T) {
	names := []string{"Ada", "Bram", "Chiara", "Dmitri", "Eva"}
	var ms []*coretest.Member
	for _, n := range names {
		ms = append(ms, coretest.NewMember(n))
	}
	g := coretest.Genesis(ms...)
	g.Constitution.Offices = coretest.SimOffices() // clerk (election 1), stewards (election 2)
	s, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(g))
	if err != nil {
		t.Fatal(err)
	}
	now := coretest.GenesisTime
	block := func(d time.Duration, txs ...[]byte) {
		t.Helper()
		now = now.Add(d)
		r, err := s.ApplyBlock(core.Block{Height: s.Height() + 1, Time: now, Txs: txs}, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, x := range r.Txs {
			if x.Code != 0 {
				t.Fatalf("tx %d: %s", i, x.Log)
			}
		}
	}
	var stand [][]byte
	for _, m := range ms {
		stand = append(stand, m.Sign(&tx.Candidacy{Election: 2}))
	}
	block(time.Second, append(stand, ms[0].Sign(&tx.Candidacy{Election: 1}), ms[1].Sign(&tx.Candidacy{Election: 1}))...)
	rank := func(m *coretest.Member, e uint64, r ...uint32) []byte {
		return m.Sign(&tx.Rank{Election: e, Ranking: r})
	}
	block(time.Minute, rank(ms[0], 2, 1, 2), rank(ms[1], 2, 1, 3), rank(ms[2], 2, 1, 2), rank(ms[3], 2, 4, 5), rank(ms[4], 2, 5, 4),
		rank(ms[0], 1, 1), rank(ms[1], 1, 2), rank(ms[2], 1, 2))
	block(time.Minute)

	st, err := query.ElectionByID(s, 2)
	if err != nil {
		t.Fatal(err)
	}
	if st.Method != "stv" || st.Status != "decided" || len(st.Winners) != 3 || st.Winners[0].Name != "Ada" || len(st.Rounds) < 2 {
		t.Fatalf("stewards %+v", st)
	}
	first := st.Rounds[0]
	if first.Action != "first preferences" || first.Votes[0].Name != "Ada" || first.Votes[0].Votes != "3.00000" || len(first.Elected) != 1 {
		t.Fatalf("first stage %+v", first)
	}
	irv, _ := query.ElectionByID(s, 1)
	if irv.Method != "irv" || len(irv.Rounds) != 1 || irv.Rounds[0].Elected[0].Name != "Bram" || irv.Rounds[0].Votes[1].Votes != "2" {
		t.Fatalf("clerk %+v", irv)
	}
	os := query.Offices(s)
	if len(os) != 2 || os[0].Holders[0].Name != "Bram" || len(os[1].Holders) != 3 || os[0].TermEnds == nil || len(os[0].Elections) != 1 {
		t.Fatalf("offices %+v", os)
	}
	d, err := query.OfficeByName(s, "stewards")
	if err != nil || len(d.Past) != 1 || !strings.Contains(strings.Join(d.Powers, ","), "payment") {
		t.Fatalf("stewards detail %+v %v", d, err)
	}
	if _, err := query.OfficeByName(s, "mayor"); err == nil {
		t.Fatal("an unknown office was found")
	}
}
