package query_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// town is a community of four founders (alice 1, bob 2, carol 3, dave 4)
// run block by block in simulated time.
type town struct {
	t   *testing.T
	s   *core.State
	now time.Time
	m   []*coretest.Member // by member number - 1
}

func newTown(t *testing.T) *town {
	t.Helper()
	w := &town{t: t, now: coretest.GenesisTime}
	for _, n := range []string{"alice", "bob", "carol", "dave"} {
		w.m = append(w.m, coretest.NewMember(n))
	}
	w.s = coretest.NewState(w.m...)
	return w
}

// ok applies a block d after the previous one and fails unless every
// transaction in it is accepted.
func (w *town) ok(d time.Duration, txs ...[]byte) {
	w.t.Helper()
	w.now = w.now.Add(d)
	r, err := w.s.ApplyBlock(core.Block{Height: w.s.Height() + 1, Time: w.now, Txs: txs}, 1)
	if err != nil {
		w.t.Fatal(err)
	}
	for i, res := range r.Txs {
		if res.Code != reject.OK {
			w.t.Fatalf("block %d tx %d rejected: %d %s", w.s.Height(), i, res.Code, res.Log)
		}
	}
}

// pass makes everyone vote yes on the proposals and closes them.
func (w *town) pass(ids ...uint64) {
	w.t.Helper()
	var votes [][]byte
	for _, id := range ids {
		for _, m := range w.m {
			votes = append(votes, m.Ballot(id, tx.Yes))
		}
	}
	w.ok(time.Second, votes...)
	w.ok(3 * time.Minute)
	for _, id := range ids {
		if p, _ := w.s.Proposal(id); p.Result == nil || !p.Result.Passed {
			w.t.Fatalf("proposal %d did not pass: %+v", id, p.Result)
		}
	}
}

func (w *town) propose(title string, p tx.Propose) []byte {
	p.Title, p.Category, p.Closes = title, "general", w.now.Add(2*time.Minute).Unix()
	return w.m[0].Sign(&p)
}

func numbers(ls []query.LawEntry) []uint64 {
	out := []uint64{}
	for _, l := range ls {
		out = append(out, l.Number)
	}
	return out
}

// TestRegisterRulesAndMeasures runs laws through enactment, renewal, repeal
// and expiry, and an amendment, then reads the register now and at past
// times, the rule history and what each proposal did.
func TestRegisterRulesAndMeasures(t *testing.T) {
	w := newTown(t)
	const day = 24 * 3600
	w.ok(time.Minute,
		w.propose("Quiet hours", tx.Propose{Measure: tx.Enact, Sunset: 10 * day}),
		w.propose("Dogs on leads", tx.Propose{Measure: tx.Enact, Sunset: day}),
		w.propose("Bonfires", tx.Propose{Measure: tx.Enact}))
	w.pass(1, 2, 3)
	enacted := w.now
	w.ok(time.Minute,
		w.propose("Keep quiet hours", tx.Propose{Measure: tx.Renew, Law: 1, Sunset: 30 * day}),
		w.propose("No more bonfire rules", tx.Propose{Measure: tx.Repeal, Law: 3}),
		w.propose("Half must vote", tx.Propose{Measure: tx.Amend, Rules: `{"quorum": "1/2"}`}))
	w.pass(4, 5, 6)
	repealed := w.now
	w.ok(2 * 24 * time.Hour) // law 2 reaches its sunset
	w.ok(time.Second, w.propose("Later", tx.Propose{}))

	now := query.LawRegisterOf(w.s, time.Time{})
	if got := numbers(now.InForce); !reflect.DeepEqual(got, []uint64{1}) || now.Past {
		t.Errorf("in force now: %v (past %v), want [1]", got, now.Past)
	}
	if got := numbers(now.Ended); !reflect.DeepEqual(got, []uint64{2, 3}) {
		t.Errorf("ended now: %v, want [2 3] (latest first)", got)
	}
	l1, l2, l3 := now.InForce[0], now.Ended[0], now.Ended[1]
	if l1.Status != query.LawStatusInForce || l1.Ended != nil || !reflect.DeepEqual(l1.Renewals, []uint64{4}) ||
		!l1.Expires.Equal(enacted.Add(40*24*time.Hour)) || l1.Title != "Quiet hours" || l1.Proposal != 1 {
		t.Errorf("law 1: %+v", l1)
	}
	if l2.Status != query.LawStatusExpired || l2.Ended == nil || !l2.Ended.Equal(enacted.Add(24*time.Hour)) {
		t.Errorf("law 2: %+v", l2)
	}
	if l3.Status != query.LawStatusRepealed || l3.RepealedBy != 5 || l3.Ended == nil || !l3.Ended.Equal(repealed) {
		t.Errorf("law 3: %+v", l3)
	}

	past := []struct {
		name          string
		at            time.Time
		inForce, gone []uint64
	}{
		{"before any law", enacted.Add(-time.Second), []uint64{}, []uint64{}},
		{"the moment they passed", enacted, []uint64{1, 2, 3}, []uint64{}},
		{"after the repeal", repealed, []uint64{1, 2}, []uint64{3}},
		{"after the sunset", enacted.Add(25 * time.Hour), []uint64{1}, []uint64{2, 3}},
	}
	for _, tc := range past {
		t.Run(tc.name, func(t *testing.T) {
			r := query.LawRegisterOf(w.s, tc.at)
			if !r.Past || !r.At.Equal(tc.at) {
				t.Errorf("at %v past %v, want %v", r.At, r.Past, tc.at)
			}
			if got := numbers(r.InForce); !reflect.DeepEqual(got, tc.inForce) {
				t.Errorf("in force %v, want %v", got, tc.inForce)
			}
			if got := numbers(r.Ended); !reflect.DeepEqual(got, tc.gone) {
				t.Errorf("ended %v, want %v", got, tc.gone)
			}
		})
	}
	if r := query.LawRegisterOf(w.s, w.now.Add(time.Hour)); r.Past || !r.At.Equal(w.now) {
		t.Errorf("a later time reads as now: %+v", r)
	}

	hist := query.RuleHistoryOf(w.s)
	if len(hist) != 2 || hist[0].Version != 2 || hist[1].Version != 1 {
		t.Fatalf("history: %+v", hist)
	}
	if v := hist[0]; v.Proposal != 6 || v.ProposalTitle != "Half must vote" || !v.Time.Equal(repealed) ||
		!reflect.DeepEqual(v.Changes, []query.RuleDiff{{Key: "quorum", Old: `"1/3"`, New: `"1/2"`}}) {
		t.Errorf("version 2: %+v", v)
	}
	if v := hist[1]; v.Proposal != 0 || v.Height != 0 || len(v.Changes) != 0 || !v.Time.Equal(coretest.GenesisTime) {
		t.Errorf("version 1: %+v", v)
	}

	rules := []struct {
		id   uint64
		want query.ProposalRules
	}{
		{1, query.ProposalRules{Type: "ordinary", Quorum: "at least 1/3", Threshold: "more than 1/2", Version: 1,
			Measure: "law", Sunset: "240h0m0s", SunsetSeconds: 10 * day, Enacted: 1}},
		{3, query.ProposalRules{Type: "ordinary", Quorum: "at least 1/3", Threshold: "more than 1/2", Version: 1,
			Measure: "law", Sunset: "35040h0m0s", SunsetSeconds: 4 * 365 * day, Enacted: 3}},
		{4, query.ProposalRules{Type: "ordinary", Quorum: "at least 1/3", Threshold: "more than 1/2", Version: 1,
			Measure: "renewal", Law: 1, LawTitle: "Quiet hours", Sunset: "720h0m0s", SunsetSeconds: 30 * day}},
		{5, query.ProposalRules{Type: "ordinary", Quorum: "at least 1/3", Threshold: "more than 1/2", Version: 1,
			Measure: "repeal", Law: 3, LawTitle: "Bonfires"}},
		{6, query.ProposalRules{Type: "amendment", Quorum: "at least 1/3", Threshold: "at least 2/3", Version: 1,
			Measure: "amendment", Amendment: `{"quorum": "1/2"}`,
			Changes: []query.RuleDiff{{Key: "quorum", Old: `"1/3"`, New: `"1/2"`}}}},
		{7, query.ProposalRules{Type: "ordinary", Quorum: "at least 1/2", Threshold: "more than 1/2", Version: 2,
			Measure: "resolution"}},
	}
	for _, tc := range rules {
		p, _ := w.s.Proposal(tc.id)
		if got := query.ProposalRulesOf(w.s, p); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("rules of proposal %d:\n got %+v\nwant %+v", tc.id, got, tc.want)
		}
	}
}

// TestDelegationGraph reads members' graphs over delegations with a chain,
// a cycle and two categories.
func TestDelegationGraph(t *testing.T) {
	w := newTown(t)
	to := func(m int, cat string, n uint32) []byte {
		return w.m[m-1].Sign(&tx.Delegate{Category: cat, Member: n})
	}
	// general: alice→bob, dave→alice, bob→carol, carol→bob (a cycle);
	// budget: dave→carol.
	w.ok(time.Second, to(1, "general", 2), to(4, "general", 1), to(2, "general", 3), to(3, "general", 2), to(4, "budget", 3))
	hop := func(n uint32, name string) query.Hop { return query.Hop{Member: n, Name: name} }
	tests := []struct {
		name   string
		member uint32
		want   []query.CategoryDelegations
	}{
		{"bob: delegators two deep, chain into a cycle", 2, []query.CategoryDelegations{{
			Category: "general", Chain: []query.Hop{hop(3, "carol"), hop(2, "bob")}, Cycle: true, Total: 3,
			Delegators: []query.Delegator{
				{Hop: hop(1, "alice"), Depth: 1, Delegators: []query.Delegator{{Hop: hop(4, "dave"), Depth: 2, Delegators: []query.Delegator{}}}},
				{Hop: hop(3, "carol"), Depth: 1, Delegators: []query.Delegator{}},
			}}}},
		{"dave: chains in two categories", 4, []query.CategoryDelegations{
			{Category: "budget", Chain: []query.Hop{hop(3, "carol")}, Delegators: []query.Delegator{}},
			{Category: "general", Chain: []query.Hop{hop(1, "alice"), hop(2, "bob"), hop(3, "carol"), hop(2, "bob")}, Cycle: true,
				Delegators: []query.Delegator{}},
		}},
		{"carol: delegated to on budget, in the cycle on general", 3, []query.CategoryDelegations{
			{Category: "budget", Chain: []query.Hop{}, Total: 1, Delegators: []query.Delegator{{Hop: hop(4, "dave"), Depth: 1, Delegators: []query.Delegator{}}}},
			{Category: "general", Chain: []query.Hop{hop(2, "bob"), hop(3, "carol")}, Cycle: true, Total: 3,
				Delegators: []query.Delegator{{Hop: hop(2, "bob"), Depth: 1, Delegators: []query.Delegator{
					{Hop: hop(1, "alice"), Depth: 2, Delegators: []query.Delegator{{Hop: hop(4, "dave"), Depth: 3, Delegators: []query.Delegator{}}}}}}}},
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, _ := w.s.MemberByNumber(tc.member)
			g := query.DelegationsOf(w.s, m)
			if g.Member != tc.member || g.Name != m.Name || !reflect.DeepEqual(g.Categories, tc.want) {
				t.Errorf("graph of %d:\n got %+v\nwant %+v", tc.member, g.Categories, tc.want)
			}
		})
	}
	// Withdrawn, dave's graph is empty: he delegates to nobody and nobody
	// delegates to him.
	w.ok(time.Second, w.m[3].Sign(&tx.Undelegate{Category: "budget"}), w.m[3].Sign(&tx.Undelegate{Category: "general"}))
	m, _ := w.s.MemberByNumber(4)
	if g := query.DelegationsOf(w.s, m); len(g.Categories) != 0 {
		t.Errorf("dave after withdrawing: %+v", g.Categories)
	}
}
