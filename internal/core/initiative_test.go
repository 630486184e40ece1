package core_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// verify writes every block the world applied to a history file and runs
// it through history.Verify.
func (w *world) verify() (history.Summary, error) {
	w.t.Helper()
	if w.app == nil {
		w.t.Fatal("replay: this world does not know its genesis app_state")
	}
	g, err := core.New(coretest.ChainID, coretest.GenesisTime, w.app)
	if err != nil {
		w.t.Fatal(err)
	}
	root := g.Root()
	var buf bytes.Buffer
	hw, err := history.NewWriter(&buf, history.Header{ChainID: coretest.ChainID, GenesisTime: coretest.GenesisTime.UnixNano(),
		AppState: w.app, GenesisRoot: root[:]})
	if err != nil {
		w.t.Fatal(err)
	}
	for _, b := range w.hist {
		if err := hw.WriteBlock(b); err != nil {
			w.t.Fatal(err)
		}
	}
	if err := hw.Close(); err != nil {
		w.t.Fatal(err)
	}
	return history.Verify(bytes.NewReader(buf.Bytes()), history.Options{Workers: 1})
}

// replay writes every block the world applied to a history file and runs it
// through history.Verify, the code behind folkmoot verify: the replay must
// reach the same root and the same decisions.
func (w *world) replay() history.Summary {
	w.t.Helper()
	sum, err := w.verify()
	if err != nil {
		w.t.Fatalf("replay: %v", err)
	}
	if sum.Root != w.s.Root() || sum.Blocks != int64(len(w.hist)) {
		w.t.Fatalf("replay reached %s after %d blocks, the state is at %s after %d", sum.Root, sum.Blocks, w.s.Root(), len(w.hist))
	}
	var decided int
	for _, p := range w.s.Proposals() {
		if p.Status == core.Decided {
			decided++
		}
	}
	if len(sum.Decisions) != decided {
		w.t.Fatalf("replay found %d decisions, the state has %d", len(sum.Decisions), decided)
	}
	for _, f := range sum.Decisions {
		p, _ := w.s.Proposal(f.Proposal)
		if f.Passed != p.Result.Passed || f.Yes != p.Result.Yes || f.No != p.Result.No || f.Eligible != p.Result.Eligible {
			w.t.Fatalf("replay decided proposal %d as %+v, the state as %+v", f.Proposal, f, p.Result)
		}
	}
	if sum.Laws != w.s.LawsInForceCount() || sum.Rules != len(w.s.RuleHistory()) {
		w.t.Fatalf("replay: %d laws in force and %d rule versions, the state has %d and %d", sum.Laws, sum.Rules, w.s.LawsInForceCount(), len(w.s.RuleHistory()))
	}
	return sum
}

// initiativeWorld has six members (alice 1 … frank 6) and an initiative
// policy of a third of the members, a 30-day window and a week's vote.
func initiativeWorld(t *testing.T) *world {
	t.Helper()
	return delegationWorld(t, func(c *core.Constitution) {
		c.Initiative = core.InitiativePolicy{Threshold: ratio(t, "1/3"),
			Window: core.Duration{Duration: 30 * day}, VotingPeriod: core.Duration{Duration: 7 * day}}
	})
}

// start has name start an initiative and returns its id.
func (w *world) start(name string, p tx.Propose) uint64 {
	w.t.Helper()
	if p.Title == "" {
		p.Title = "An initiative"
	}
	if p.Category == "" {
		p.Category = "general"
	}
	p.Initiative = true
	w.ok(w.m[name].Sign(&p))
	return uint64(len(w.s.Proposals()))
}

func endorse(m *coretest.Member, id uint64) []byte { return m.Sign(&tx.Endorse{Proposal: id}) }

func TestInitiativeRejections(t *testing.T) {
	third := func(c *core.Constitution) {
		c.Initiative = core.InitiativePolicy{Threshold: ratio(t, "1/3"), Window: core.Duration{Duration: 30 * day}}
	}
	tests := []struct {
		name  string
		edit  func(c *core.Constitution) // nil: the default policy (one endorsement of six)
		setup func(w *world) []byte
		code  reject.Code
		says  string
	}{
		{"initiative with a closing time", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Propose{Title: "T", Category: "general", Initiative: true, Closes: w.now.Add(day).Unix()})
		}, reject.InitiativeTimes, "an initiative names no voting times"},
		{"initiative with an opening time", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Propose{Title: "T", Category: "general", Initiative: true, Opens: w.now.Add(day).Unix()})
		}, reject.InitiativeTimes, "an initiative names no voting times"},
		{"initiative in an unknown category", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Propose{Title: "T", Category: "sports", Initiative: true})
		}, reject.UnknownCategory, `category "sports" is not one of the constitution's`},
		{"initiative to renew an unknown law", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Propose{Title: "T", Category: "general", Initiative: true, Measure: tx.Renew, Law: 3})
		}, reject.UnknownLaw, "there is no law 3"},
		{"initiative for a law longer than the maximum", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Propose{Title: "T", Category: "general", Initiative: true, Measure: tx.Enact, Sunset: int64(11 * year / time.Second)})
		}, reject.SunsetTooLong, "a law may last at most"},
		{"initiative amending with a simple majority", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Propose{Title: "T", Category: "general", Initiative: true, Measure: tx.Amend, Type: "ordinary", Rules: `{"quorum": "1/2"}`})
		}, reject.AmendmentType, "decided under the amendment rules"},
		{"initiative carrying an amount without the budget rules", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Propose{Title: "T", Category: "general", Initiative: true, Amount: 500})
		}, reject.AmountNotBudget, "only a budget carries an amount"},
		{"ballot while gathering", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.ok(endorse(w.m["erin"], id))
			return w.m["bob"].Ballot(id, tx.Yes)
		}, reject.InitiativeGathering, "initiative 1 is still gathering endorsements (1 of 2); voting opens when it has them"},
		{"endorse a lapsed initiative", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.ok(endorse(w.m["erin"], id))
			w.block(31 * day)
			return endorse(w.m["frank"], id)
		}, reject.InitiativeLapsed, "endorsement rejected: initiative 1 lapsed at 2026-12-31 09:00:04 UTC with 1 of the 2 endorsements it needed"},
		{"vote on a lapsed initiative", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.block(31 * day)
			return w.m["frank"].Ballot(id, tx.Yes)
		}, reject.InitiativeLapsed, "ballot rejected: initiative 1 lapsed"},
		{"withdraw a lapsed initiative", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.block(31 * day)
			return w.m["dave"].Sign(&tx.Withdraw{Proposal: id})
		}, reject.InitiativeLapsed, "withdrawal rejected: initiative 1 lapsed"},
		{"endorse after the window, in the block that ends it", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			p, _ := w.s.Proposal(id)
			w.now = time.Unix(0, p.Initiative.GatherUntil).Add(time.Second)
			return endorse(w.m["frank"], id)
		}, reject.InitiativeWindow, "endorsement rejected: initiative 1 could gather endorsements until 2026-12-31 09:00:04 UTC"},
		{"author withdraws a qualified initiative", nil, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.ok(endorse(w.m["erin"], id))
			return w.m["dave"].Sign(&tx.Withdraw{Proposal: id})
		}, reject.InitiativeQualified, "withdrawal rejected: initiative 1 reached the 1 endorsements it needed and voting opened at 2026-12-01 09:00:05 UTC; no one can withdraw it now"},
		{"author withdraws a decided initiative", nil, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.ok(endorse(w.m["erin"], id))
			w.block(15 * day)
			return w.m["dave"].Sign(&tx.Withdraw{Proposal: id})
		}, reject.InitiativeQualified, "no one can withdraw it now"},
		{"another member withdraws a gathering initiative", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			return w.m["alice"].Sign(&tx.Withdraw{Proposal: id})
		}, reject.NotAuthor, "only the author (member 4) may withdraw proposal 1"},
		{"endorse an initiative twice", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.ok(endorse(w.m["erin"], id))
			return endorse(w.m["erin"], id)
		}, reject.AlreadyEndorsed, "already endorsed proposal 1"},
		{"endorse a withdrawn initiative", third, func(w *world) []byte {
			id := w.start("dave", tx.Propose{})
			w.ok(w.m["dave"].Sign(&tx.Withdraw{Proposal: id}))
			return endorse(w.m["erin"], id)
		}, reject.ProposalWithdrawn, "proposal 1 was withdrawn"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := tt.edit
			if edit == nil {
				edit = func(*core.Constitution) {}
			}
			w := delegationWorld(t, edit)
			bad := tt.setup(w)
			if _, err := w.s.BeginBlock(w.s.Height()+1, w.now); err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, bad, tt.code, tt.says)
		})
	}
}

// TestInitiativeScenario runs five months of block time in a community of
// six whose initiatives need a third of the members within 30 days:
// initiative A reaches its endorsements, forces a ballot and enacts a law;
// B lapses; C, started before an amendment that raises the threshold to two
// thirds, keeps its own threshold while D, started after, needs the new
// one. The history then replays to the same root.
func TestInitiativeScenario(t *testing.T) {
	w := initiativeWorld(t)
	m := w.m
	a := w.start("dave", tx.Propose{Title: "Community garden", Measure: tx.Enact, Sunset: int64(year / time.Second)})
	b := w.start("erin", tx.Propose{Title: "Paint the hall red"})
	pa, _ := w.s.Proposal(a)
	pb, _ := w.s.Proposal(b)
	if pa.Status != core.Gathering || pa.Initiative.Needed != 2 || pa.Opens != 0 || pa.Initiative.GatherUntil != pa.Created+int64(30*day) || pa.Initiative.VotingPeriod != int64(7*day) {
		t.Fatalf("initiative A at the start: %+v", pa)
	}

	// A week on, one endorsement: still gathering.
	w.block(7 * day)
	r := w.ok(endorse(m["erin"], a), endorse(m["frank"], b))
	if pa.Status != core.Gathering || pa.Endorsements() != 1 || len(r.Txs[0].Leaves) != 1 {
		t.Fatalf("after one endorsement: %v, %d endorsements, %d leaves", pa.Status, pa.Endorsements(), len(r.Txs[0].Leaves))
	}

	// Two weeks on, the second endorsement opens the ballot in its block.
	w.block(14 * day)
	r = w.ok(endorse(m["frank"], a))
	opened := w.now
	if pa.Status != core.Open || pa.Opens != opened.UnixNano() || pa.Closes != opened.Add(7*day).UnixNano() || pa.Eligible != 6 {
		t.Fatalf("initiative A did not open in the block of its second endorsement: %+v", pa)
	}
	if len(r.Txs[0].Leaves) != 2 {
		t.Fatalf("the qualifying endorsement should add its tx leaf and a fact, got %d leaves", len(r.Txs[0].Leaves))
	}
	f, err := core.DecodeFact(r.Txs[0].Leaves[1])
	if err != nil || f.Type != core.FactInitiativeQualified || f.Proposal != a || f.Endorsements != 2 || f.Needed != 2 ||
		f.Time != opened.UnixNano() || f.Closes != pa.Closes {
		t.Fatalf("qualified fact %+v, %v", f, err)
	}
	if !strings.Contains(f.String(), "initiative 1 qualified with 2 of 2 endorsements needed") {
		t.Fatalf("fact sentence %q", f)
	}
	var q *core.InitiativeQualified
	var op bool
	for _, e := range r.Txs[0].Events {
		switch e := e.(type) {
		case core.InitiativeQualified:
			q = &e
		case core.Opened:
			op = e.Proposal == a
		}
	}
	if q == nil || q.Proposal != a || q.Closes != pa.Closes || !op {
		t.Fatalf("events %+v", r.Txs[0].Events)
	}
	// Nobody can stop it now, not even its author.
	blocked := w.block(time.Second, m["dave"].Sign(&tx.Withdraw{Proposal: a}))
	if blocked.Txs[0].Code != reject.InitiativeQualified {
		t.Fatalf("withdrawal of a qualified initiative: %d %s", blocked.Txs[0].Code, blocked.Txs[0].Log)
	}
	m["dave"].Nonce--
	w.ok(m["alice"].Ballot(a, tx.Yes), m["bob"].Ballot(a, tx.Yes), m["dave"].Ballot(a, tx.Yes), m["carol"].Ballot(a, tx.No))

	// B's window ends 30 days after it started: it lapses in the first
	// block at or after, with a fact.
	p := time.Unix(0, pb.Initiative.GatherUntil)
	w.now = p.Add(-2 * time.Second)
	r = w.block(time.Second) // A's ballot closed meanwhile: decided here
	for _, f := range facts(t, r) {
		if f.Type == core.FactInitiativeLapsed {
			t.Fatal("a lapse fact before B's window ended")
		}
	}
	if pb.Status != core.Gathering {
		t.Fatal("initiative B lapsed before its window ended")
	}
	r = w.block(time.Second)
	fs := facts(t, r)
	if pb.Status != core.Lapsed || len(fs) != 1 || fs[0].Type != core.FactInitiativeLapsed || fs[0].Proposal != b ||
		fs[0].Endorsements != 1 || fs[0].Needed != 2 || fs[0].WindowEnd != pb.Initiative.GatherUntil || fs[0].Time != w.now.UnixNano() {
		t.Fatalf("lapse: %v %+v", pb.Status, fs)
	}
	if !strings.Contains(fs[0].String(), "initiative 2 lapsed at") {
		t.Fatalf("fact sentence %q", fs[0])
	}

	// A's ballot closed a week after it opened and enacted its law.
	if pa.Status != core.Decided || !pa.Result.Passed || pa.Result.Yes != 3 || pa.Result.No != 1 {
		t.Fatalf("initiative A's ballot: %v %+v", pa.Status, pa.Result)
	}
	if l, ok := w.s.Law(1); !ok || l.Proposal != a || l.Title != "Community garden" || l.Expires != l.Enacted+int64(year) {
		t.Fatalf("law from initiative A: %+v", l)
	}

	// C starts under a third (2 of 6); then an amendment raises the
	// threshold to two thirds; D starts under it (4 of 6).
	w.block(30 * day)
	c := w.start("alice", tx.Propose{Title: "Longer library hours"})
	w.pass(tx.Propose{Title: "Harder initiatives", Measure: tx.Amend, Rules: `{"initiative": {"threshold": "2/3", "window": "1440h"}}`})
	d := w.start("bob", tx.Propose{Title: "Shorter library hours"})
	pc, _ := w.s.Proposal(c)
	pd, _ := w.s.Proposal(d)
	if pc.Initiative.Needed != 2 || pc.RulesVersion != 1 || pd.Initiative.Needed != 4 || pd.RulesVersion != 2 || pd.Initiative.GatherUntil-pd.Created != int64(60*day) {
		t.Fatalf("thresholds: C needs %d (v%d), D needs %d (v%d), D gathers %s", pc.Initiative.Needed, pc.RulesVersion, pd.Initiative.Needed, pd.RulesVersion,
			time.Duration(pd.Initiative.GatherUntil-pd.Created))
	}
	cons := w.s.Constitution()
	if _, _, v := cons.InitiativeRules(); v != 14*day {
		t.Fatalf("the amendment replaced the whole policy, so the voting period is the default: %s", v)
	}
	w.block(day)
	w.ok(endorse(m["dave"], c), endorse(m["erin"], c), endorse(m["dave"], d), endorse(m["erin"], d))
	if pc.Status != core.Open || pd.Status != core.Gathering || pc.Closes-pc.Opens != int64(7*day) {
		t.Fatalf("C %v (voting %s), D %v", pc.Status, time.Duration(pc.Closes-pc.Opens), pd.Status)
	}

	// Serialising mid-gathering keeps every field; a restored state goes on
	// to the same root.
	data, err := w.s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := core.Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s2.MarshalBinary(); !bytes.Equal(data, again) {
		t.Fatal("restore changed the serialised state")
	}
	w.block(day)
	w.ok(endorse(m["frank"], d), endorse(m["alice"], d))
	if pd.Status != core.Open {
		t.Fatalf("D with 4 of 4: %v", pd.Status)
	}
	w.block(70 * day)
	if pc.Status != core.Decided || pd.Status != core.Decided || pc.Result.Passed || pd.Result.QuorumReached {
		t.Fatalf("C %+v D %+v: nobody voted on either", pc.Result, pd.Result)
	}
	sum := w.replay()
	if len(sum.Decisions) != 4 {
		t.Fatalf("decisions replayed: %d", len(sum.Decisions))
	}
}

// TestInitiativeRenewalAfterTheSunset: endorsements beyond the threshold
// are public support like any other and open nothing twice; an initiative
// that renews a law whose sunset comes before its vote closes passes, and
// its measure lapses.
func TestInitiativeRenewalAfterTheSunset(t *testing.T) {
	w := initiativeWorld(t)
	m := w.m
	w.pass(tx.Propose{Title: "Short law", Measure: tx.Enact, Sunset: int64(10 * day / time.Second)})
	id := w.start("dave", tx.Propose{Title: "Keep the short law", Measure: tx.Renew, Law: 1})
	w.block(5 * day)
	w.ok(endorse(m["erin"], id), endorse(m["frank"], id), endorse(m["alice"], id))
	p, _ := w.s.Proposal(id)
	if p.Status != core.Open || p.Endorsements() != 3 {
		t.Fatalf("%v with %d endorsements", p.Status, p.Endorsements())
	}
	w.ok(m["alice"].Ballot(id, tx.Yes), m["bob"].Ballot(id, tx.Yes), m["carol"].Ballot(id, tx.Yes))
	// The vote closes seven days after it opened, past the sunset five days
	// after: the law expires first; the renewal passes and lapses.
	w.block(5 * day)
	if l, _ := w.s.Law(1); l.Status != core.Expired || p.Status != core.Open {
		t.Fatalf("law 1 %v, initiative %v", l.Status, p.Status)
	}
	r := w.block(3 * day)
	var lapsed *core.MeasureLapsed
	for _, e := range r.End.Events {
		if e, ok := e.(core.MeasureLapsed); ok {
			lapsed = &e
		}
	}
	if !p.Result.Passed || lapsed == nil || !strings.Contains(lapsed.Reason, "law 1 is expired") {
		t.Fatalf("result %+v, lapse %+v", p.Result, lapsed)
	}
	w.replay()
}

// TestInitiativeCheckpointRevert undoes a block in which one initiative
// qualifies, one lapses and one starts.
func TestInitiativeCheckpointRevert(t *testing.T) {
	w := initiativeWorld(t)
	m := w.m
	b := w.start("erin", tx.Propose{})
	a := w.start("dave", tx.Propose{})
	w.ok(endorse(m["alice"], a))
	before, _ := w.s.MarshalBinary()
	root := w.s.Root()
	w.s.Checkpoint()
	// The last instant of A's window, the first after B's.
	r := w.block(30*day-time.Second, endorse(m["bob"], a), m["frank"].Sign(&tx.Propose{Title: "New", Category: "general", Initiative: true}))
	if r.Txs[0].Code != reject.OK || r.Txs[1].Code != reject.OK {
		t.Fatalf("block: %+v", r.Txs)
	}
	pa, _ := w.s.Proposal(a)
	pb, _ := w.s.Proposal(b)
	if pa.Status != core.Open || pb.Status != core.Lapsed || len(w.s.Proposals()) != 3 {
		t.Fatalf("A %v B %v", pa.Status, pb.Status)
	}
	w.s.Revert()
	after, _ := w.s.MarshalBinary()
	if !bytes.Equal(before, after) || w.s.Root() != root {
		t.Fatal("revert did not restore the state")
	}
	if pa.Status != core.Gathering || pa.Opens != 0 || pb.Status != core.Gathering {
		t.Fatalf("after revert: A %+v B %v", pa, pb.Status)
	}
}

func TestInitiativePolicyValidation(t *testing.T) {
	a, b := coretest.NewMember("a"), coretest.NewMember("b")
	tests := []struct {
		name string
		edit func(c *core.Constitution)
		says string
	}{
		{"zero threshold", func(c *core.Constitution) { c.Initiative.Threshold = ratio(t, "0/5") }, "initiative threshold must be more than 0"},
		{"window too short", func(c *core.Constitution) { c.Initiative.Window.Duration = time.Second }, "initiative window must be between 1m and 10 years, not 1s"},
		{"voting period beyond the maximum", func(c *core.Constitution) { c.Initiative.VotingPeriod.Duration = 40 * day },
			"initiative voting_period (960h0m0s) must be within min_voting_period (1m0s) and max_voting_period (720h0m0s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := coretest.Genesis(a, b)
			tt.edit(&g.Constitution)
			_, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(g))
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
		})
	}
	// Defaults: 1/20, 90 days, 14 days brought within the voting bounds;
	// a constitution without "initiative" writes none.
	c := core.DefaultConstitution("x", []core.Founder{{Key: a.Key, Name: "a"}})
	c.MaxVoting.Duration = 3 * day
	thr, window, voting := c.InitiativeRules()
	if thr.String() != "1/20" || window != 90*day || voting != 3*day {
		t.Fatalf("defaults %s %s %s", thr, window, voting)
	}
	if strings.Contains(string(coretest.AppState(coretest.Genesis(a, b))), "initiative") {
		t.Fatal("a constitution without an initiative policy should not write one")
	}
}

// TestInitiativeAmendmentRejected: an amendment whose initiative policy is
// invalid is refused when proposed, and the rules stay as they were.
func TestInitiativeAmendmentRejected(t *testing.T) {
	w := newWorld(t)
	r := w.block(time.Second, w.signed(tx.Propose{Measure: tx.Amend, Rules: `{"initiative": {"voting_period": "1000h"}}`}))
	if r.Txs[0].Code != reject.BadAmendment || !strings.Contains(r.Txs[0].Log, "initiative voting_period (1000h0m0s) must be within") {
		t.Fatalf("%d %s", r.Txs[0].Code, r.Txs[0].Log)
	}
}

// TestShareOf counts signatures as initiatives and recall petitions need
// them: the share of the members, rounded up, and never fewer than one.
func TestShareOf(t *testing.T) {
	for _, tc := range []struct {
		num, den, members, want uint64
	}{
		{1, 20, 5, 1},
		{1, 20, 20, 1},
		{1, 20, 21, 2},
		{3, 5, 5, 3},
		{3, 5, 6, 4},
		{1, 2, 0, 1},
		{0, 0, 10, 1},
		{1, 1_000_000, 1 << 32, 4295},
	} {
		if got := core.ShareOf(count.Ratio{Num: tc.num, Den: tc.den}, tc.members); got != tc.want {
			t.Errorf("%d/%d of %d = %d, want %d", tc.num, tc.den, tc.members, got, tc.want)
		}
	}
}
