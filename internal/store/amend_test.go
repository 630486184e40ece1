package store

import (
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestTextAmendmentsAreKept writes a proposal whose author amends it twice,
// once in the block that proposes it, and checks that the projection holds
// the current text (searchable) and every change with the text before it.
func TestTextAmendmentsAreKept(t *testing.T) {
	s, _ := openTemp(t)
	alice, bob := coretest.NewMember("alice"), coretest.NewMember("bob")
	st := coretest.NewState(alice, bob)
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, coretest.AppState(coretest.Genesis(alice, bob))); err != nil {
		t.Fatal(err)
	}
	now := coretest.GenesisTime
	block := func(txs ...[]byte) {
		t.Helper()
		now = now.Add(time.Second)
		b := core.Block{Height: st.Height() + 1, Time: now, Txs: txs}
		res, err := st.ApplyBlock(b, 1)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res.Txs {
			if r.Code != reject.OK {
				t.Fatalf("tx %d: %s", i, r.Log)
			}
		}
		if err := s.WriteBlock(record(st, b, res)); err != nil {
			t.Fatal(err)
		}
	}
	opens := now.Add(time.Hour).Unix()
	block(alice.Sign(&tx.Propose{Title: "Plant trees", Body: "Where:\nthe green", Category: "general", Opens: opens, Closes: opens + 600}),
		alice.Sign(&tx.AmendText{Proposal: 1, Title: "Plant oaks", Body: "Where:\nthe green"}))
	block(alice.Sign(&tx.AmendText{Proposal: 1, Title: "Plant oaks", Body: "Where:\nthe pond"}))

	got, err := s.TextAmendments(1)
	if err != nil || len(got) != 2 {
		t.Fatalf("amendments %+v %v", got, err)
	}
	first, second := got[0], got[1]
	if first.Revision != 1 || first.Height != 1 || first.Author != 1 || first.OldTitle != "Plant trees" || first.Title != "Plant oaks" ||
		first.OldBody != "Where:\nthe green" || !first.TitleChanged() {
		t.Fatalf("first amendment %+v", first)
	}
	if second.Revision != 2 || second.Height != 2 || second.OldTitle != "Plant oaks" || second.TitleChanged() ||
		!second.Time.Equal(now) || len(second.BodyDiff()) != 3 {
		t.Fatalf("second amendment %+v, diff %v", second, second.BodyDiff())
	}
	var title, body string
	if err := s.r.QueryRow(`SELECT title, body FROM proposals WHERE id = 1`).Scan(&title, &body); err != nil || title != "Plant oaks" || body != "Where:\nthe pond" {
		t.Fatalf("proposal text %q %q %v", title, body, err)
	}
	for word, want := range map[string]int{"oaks": 1, "pond": 1, "trees": 0, "green": 0} {
		var n int
		if err := s.r.QueryRow(`SELECT count(*) FROM proposals_fts WHERE proposals_fts MATCH ?`, word).Scan(&n); err != nil || n != want {
			t.Errorf("search %q: %d results (%v), want %d", word, n, err, want)
		}
	}
	if none, err := s.TextAmendments(9); err != nil || len(none) != 0 {
		t.Fatalf("amendments of an unknown proposal: %v %v", none, err)
	}
	checkIntegrity(t, s)
}
