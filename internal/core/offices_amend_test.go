package core_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

func TestOfficeValidation(t *testing.T) {
	ms := []*coretest.Member{coretest.NewMember("a"), coretest.NewMember("b")}
	week := core.Duration{Duration: 7 * day}
	clerk := core.Office{Name: "clerk", Seats: 1, Term: core.Duration{Duration: year}, NominationPeriod: week, VotingPeriod: week}
	tests := []struct {
		name string
		edit func(o *core.Office, c *core.Constitution)
		says string
	}{
		{"no seats", func(o *core.Office, _ *core.Constitution) { o.Seats = 0 }, `offices[0] "clerk": seats must be 1 to 100, not 0`},
		{"an unknown selection", func(o *core.Office, _ *core.Constitution) { o.Selection = "auction" }, `selection "auction" is not available; offices are filled by "election" or "sortition"`},
		{"by lot with too short a vote", func(o *core.Office, _ *core.Constitution) {
			o.Selection, o.VotingPeriod.Duration = "sortition", time.Second
		}, `an office filled by lot needs a voting_period of at least 2s`},
		{"a secret ranked election", func(o *core.Office, _ *core.Constitution) { o.Secret = true }, `a secret ranked election is not available yet`},
		{"a power over the constitution", func(o *core.Office, _ *core.Constitution) { o.Powers = []string{"amend"} },
			`power "amend" does not exist; an office may hold only "notice", "payment": no office can change the constitution, the membership rules or a vote`},
		{"a power over membership", func(o *core.Office, _ *core.Constitution) { o.Powers = []string{"vouch"} }, `power "vouch" does not exist`},
		{"a power twice", func(o *core.Office, _ *core.Constitution) { o.Powers = []string{"notice", "notice"} }, `power "notice" is listed twice`},
		{"a term shorter than its election", func(o *core.Office, _ *core.Constitution) { o.Term.Duration = 10 * day },
			"the term (240h0m0s) must be at least nomination_period plus voting_period (336h0m0s)"},
		{"no voting period", func(o *core.Office, _ *core.Constitution) { o.VotingPeriod.Duration = 0 }, "must each be at least 1s"},
		{"negative limit", func(o *core.Office, _ *core.Constitution) { o.MaxTerms = -1 }, "term limits must not be negative"},
		{"unnamed", func(o *core.Office, _ *core.Constitution) { o.Name = "" }, "offices[0] name is empty"},
		{"listed twice", func(o *core.Office, c *core.Constitution) { c.Offices = append(c.Offices, *o) }, `offices[1]: "clerk" is listed twice`},
		{"impossible recall threshold", func(_ *core.Office, c *core.Constitution) { c.Recall.Threshold = ratio(t, "1/1") }, "recall: threshold 1/1 can never be met"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := coretest.Genesis(ms...)
			o := clerk
			g.Constitution.Offices = []core.Office{o}
			tt.edit(&g.Constitution.Offices[0], &g.Constitution)
			_, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(g))
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
		})
	}
	// Without offices or recall, the constitution's JSON is as before.
	g := coretest.Genesis(ms...)
	if b := string(coretest.AppState(g)); strings.Contains(b, "offices") || strings.Contains(b, "recall") {
		t.Fatalf("empty offices written: %s", b)
	}
	c := g.Constitution
	if r := c.RecallRules(); r.Petition.String() != "1/10" || r.Window.Duration != core.DefaultRecallWindow || r.Quorum != c.Quorum || r.Threshold.String() != "1/2" {
		t.Fatalf("recall defaults %+v", r)
	}
}

// TestOfficesByAmendment: an amendment adds an office (its first election
// opens in the deciding block) and drops one (its holders' terms end in
// that block, its pending elections are cancelled), and a checkpoint
// around it reverts everything.
func TestOfficesByAmendment(t *testing.T) {
	w := newOfficeWorld(t)
	w.seat()
	pass := func(rules string) core.BlockResult {
		w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Propose{Title: "Offices", Category: "rules", Measure: tx.Amend, Rules: rules, Closes: w.now.Add(time.Hour).Unix()}))
		id := uint64(len(w.s.Proposals()))
		var votes [][]byte
		for _, n := range officeNames {
			votes = append(votes, w.m[n].Ballot(id, tx.Yes))
		}
		w.ok(w.now.Add(time.Second), votes...)
		return w.block(w.now.Add(2 * time.Hour))
	}
	before, _ := w.s.MarshalBinary()
	root := w.s.Root()
	w.s.Checkpoint()
	// The treasurer is dropped; a warden is added; the clerk is kept.
	r := pass(`{"offices": [
		{"name": "clerk", "seats": 1, "term": "8760h", "max_consecutive_terms": 2, "max_terms": 3, "nomination_period": "168h", "voting_period": "168h", "powers": ["notice"]},
		{"name": "council", "seats": 3, "term": "17520h", "nomination_period": "336h", "voting_period": "336h", "powers": ["notice"]},
		{"name": "warden", "seats": 2, "term": "4380h", "nomination_period": "24h", "voting_period": "24h"}]}`)
	got := factTypes(t, r.End.Leaves)
	want := []core.FactType{core.FactDecided, core.FactAmended, core.FactTermEnded, core.FactElectionOpened}
	if !slices.Equal(got, want) {
		t.Fatalf("amendment facts %v, want %v", got, want)
	}
	if _, ok := w.s.OfficeStatus("treasurer"); ok || len(w.s.Offices()) != 3 {
		t.Fatal("the treasurer is still an office")
	}
	chiara := w.s.Terms()[1]
	if chiara.Office != "treasurer" || chiara.EndedBy != core.EndOfficeRemoved || chiara.Ended != w.now.UnixNano() {
		t.Fatalf("treasurer's term %+v", chiara)
	}
	for _, e := range w.s.Elections() {
		if e.Office == "treasurer" && e.Status != core.ElectionDecided && e.Status != core.ElectionCancelled {
			t.Fatalf("treasurer election %d still %s", e.ID, e.Status)
		}
	}
	warden := w.pending("warden")
	if warden.Status != core.Nominating || warden.Opens != w.now.UnixNano() || warden.Seats != 2 {
		t.Fatalf("warden election %+v", warden)
	}
	if got := w.holders("clerk"); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("the clerk kept by the amendment lost its holder: %v", got)
	}
	w.refused(w.now.Add(time.Second), "chiara", &tx.Candidacy{Election: 5}, 112, "was cancelled when the office of treasurer was removed")
	w.s.Revert()
	after, _ := w.s.MarshalBinary()
	if !bytes.Equal(before, after) || w.s.Root() != root {
		t.Fatal("revert did not restore the offices")
	}
}

// TestOfficeFactsDecode: every office fact decodes and reads as a
// sentence.
func TestOfficeFactsDecode(t *testing.T) {
	w := newOfficeWorld(t)
	w.seat()
	w.ok(w.now.Add(time.Second), w.m["bram"].Sign(&tx.Recall{Office: "clerk", Member: 1}), w.m["eva"].Sign(&tx.Recall{Office: "clerk", Member: 1}))
	w.ok(w.now.Add(time.Second), w.m["bram"].Ballot(1, tx.Yes), w.m["eva"].Ballot(1, tx.Yes), w.m["femi"].Ballot(1, tx.Yes))
	w.block(w.now.Add(8 * day))
	w.ok(w.now.Add(time.Second), w.m["bram"].Sign(&tx.Recall{Office: "treasurer", Member: 3}))
	w.block(w.now.Add(31 * day))
	w.block(w.now.Add(year))
	says := map[core.FactType]string{
		core.FactElectionOpened:  "election 1 for 1 seat of clerk opened for nominations at 2026-12-01 09:00:00 UTC",
		core.FactElectionDecided: "election 1 for clerk was decided at 2026-12-15 09:00:01 UTC with 1 ranked ballot: elected 1",
		core.FactSeatFilled:      "member 1 took a seat as clerk",
		core.FactSeatVacated:     "member 1's seat as clerk (term 1) was vacated at",
		core.FactTermEnded:       "as treasurer ended at",
		core.FactRecallOpened:    "petition 1 to recall member 1 as clerk reached 2 signatures",
		core.FactPetitionLapsed:  "petition 2 to recall member 3 as treasurer lapsed",
	}
	seen := map[core.FactType]bool{}
	// Replay the recorded blocks into a fresh state to collect every leaf.
	s, _ := core.New(coretest.ChainID, coretest.GenesisTime, w.app)
	leaves := slices.Clone(s.GenesisLeaves())
	for _, b := range w.blocks {
		r, err := s.ApplyBlock(core.Block{Height: b.Height, Time: time.Unix(0, b.Time), Txs: b.Txs}, 1)
		if err != nil {
			t.Fatal(err)
		}
		leaves = append(leaves, r.Begin.Leaves...)
		for _, x := range r.Txs {
			leaves = append(leaves, x.Leaves...)
		}
		leaves = append(leaves, r.End.Leaves...)
	}
	for _, l := range leaves {
		f, err := core.DecodeFact(l)
		if err != nil {
			t.Fatal(err)
		}
		if want, ok := says[f.Type]; ok && strings.Contains(f.String(), want) {
			seen[f.Type] = true
		}
	}
	for ft, want := range says {
		if !seen[ft] {
			t.Errorf("no fact of type %d says %q", ft, want)
		}
	}
}
