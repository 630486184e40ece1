package core_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

const year = 365 * 24 * time.Hour

// put records p by alice, voting from now for ten minutes unless p says
// otherwise, and returns the proposal id.
func (w *world) put(p tx.Propose) uint64 {
	w.t.Helper()
	if p.Title == "" {
		p.Title = "A measure"
	}
	if p.Category == "" {
		p.Category = "general"
	}
	if p.Closes == 0 {
		p.Closes = w.now.Add(time.Second + 10*time.Minute).Unix()
	}
	w.ok(w.m["alice"].Sign(&p))
	return uint64(len(w.s.Proposals()))
}

// pass puts p, has the three founders vote yes, and runs time past the
// close; it returns the result of the deciding block.
func (w *world) pass(p tx.Propose) (uint64, core.BlockResult) {
	w.t.Helper()
	id := w.put(p)
	w.ok(w.m["alice"].Ballot(id, tx.Yes), w.m["bob"].Ballot(id, tx.Yes), w.m["carol"].Ballot(id, tx.Yes))
	pr, _ := w.s.Proposal(id)
	r := w.block(time.Duration(pr.Closes-w.now.UnixNano()) + time.Second)
	if pr.Status != core.Decided || !pr.Result.Passed {
		w.t.Fatalf("proposal %d did not pass: %v %+v", id, pr.Status, pr.Result)
	}
	return id, r
}

// facts decodes the leaves of a block's EndBlock.
func facts(t *testing.T, r core.BlockResult) []core.Fact {
	t.Helper()
	var out []core.Fact
	for _, l := range r.End.Leaves {
		f, err := core.DecodeFact(l)
		if err != nil {
			t.Fatalf("decode fact: %v", err)
		}
		out = append(out, f)
	}
	return out
}

func lawNumbers(ls []*core.Law) []uint64 {
	var out []uint64
	for _, l := range ls {
		out = append(out, l.Number)
	}
	return out
}

func sameNumbers(a []uint64, b ...uint64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestOldGenesisGetsDefaults(t *testing.T) {
	a := coretest.NewMember("a")
	old := `{"constitution":{"name":"Old Town","founders":[{"key":"` + a.Key.String() + `","name":"a"}],
		"vouches_required":1,"min_voting_period":"1h","max_voting_period":"720h","max_lead_time":"2160h",
		"quorum":"1/3","threshold":"1/2","categories":["general","budget"]}}`
	g, err := core.ParseGenesis([]byte(old))
	if err != nil {
		t.Fatal(err)
	}
	c := g.Constitution
	if got := strings.Join(c.TypeNames(), ","); got != "ordinary,budget,amendment" {
		t.Fatalf("types %s", got)
	}
	am, _ := c.DecisionType(core.TypeAmendment)
	bu, _ := c.DecisionType(core.TypeBudget)
	if am.Threshold.String() != ">=2/3" || am.Quorum.String() != "1/3" || bu.Threshold.String() != "1/2" {
		t.Fatalf("defaults: amendment %v budget %v", am, bu)
	}
	if c.DefaultSunset.Duration != core.DefaultSunset || c.MaxSunset.Duration != core.DefaultMaxSun {
		t.Fatalf("sunsets %s %s", c.DefaultSunset, c.MaxSunset)
	}
	if c.BoundType("budget") != "" {
		t.Fatal("an old genesis binds no category")
	}
	s, err := core.New("old-1", coretest.GenesisTime, []byte(old))
	if err != nil {
		t.Fatal(err)
	}
	if h := s.RuleHistory(); len(h) != 1 || h[0].Version != 1 || h[0].Height != 0 {
		t.Fatalf("rule history %+v", h)
	}
}

func TestDecisionTypes(t *testing.T) {
	a, b, c := coretest.NewMember("alice"), coretest.NewMember("bob"), coretest.NewMember("carol")
	g := coretest.Genesis(a, b, c)
	g.Constitution.DecisionTypes = []core.DecisionType{{Name: "budget", Quorum: ratio(t, "1/2"), Threshold: ratio(t, ">=3/5")}}
	g.Constitution.CategoryTypes = []core.CategoryType{{Category: "budget", Type: "budget"}}
	s, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(g))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, s: s, now: coretest.GenesisTime, m: map[string]*coretest.Member{"alice": a, "bob": b, "carol": c}}
	budget := w.put(tx.Propose{Category: "budget"})
	plain := w.put(tx.Propose{})
	chosen := w.put(tx.Propose{Type: "amendment"}) // a resolution may ask for a higher bar
	for _, tt := range []struct {
		id          uint64
		typ, q, thr string
	}{{budget, "budget", "1/2", ">=3/5"}, {plain, "ordinary", "1/3", "1/2"}, {chosen, "amendment", "1/3", ">=2/3"}} {
		p, _ := w.s.Proposal(tt.id)
		if p.Type != tt.typ || p.Quorum.String() != tt.q || p.Threshold.String() != tt.thr || p.RulesVersion != 1 {
			t.Errorf("proposal %d: type %q quorum %s threshold %s version %d, want %s %s %s", tt.id, p.Type, p.Quorum, p.Threshold, p.RulesVersion, tt.typ, tt.q, tt.thr)
		}
	}
	// One yes and one no: half is not at least 3/5. Two yes, one no: a majority.
	w.ok(a.Ballot(budget, tx.Yes), b.Ballot(budget, tx.No), a.Ballot(plain, tx.Yes), b.Ballot(plain, tx.No), c.Ballot(plain, tx.Yes))
	w.block(11 * time.Minute)
	pb, _ := w.s.Proposal(budget)
	pp, _ := w.s.Proposal(plain)
	if pb.Result.Passed || !pb.Result.QuorumReached || !pp.Result.Passed {
		t.Fatalf("budget %+v plain %+v", pb.Result, pp.Result)
	}
}

func ratio(t testing.TB, s string) core.Ratio {
	t.Helper()
	r, err := count.ParseRatio(s)
	if err != nil {
		t.Fatal(err)
	}
	return core.Ratio{Ratio: r}
}

// TestAmendmentChangesLaterProposalsOnly runs two years: an amendment
// raises the quorum; a proposal made before it keeps the old quorum even
// though it is decided after, and one made after it is held to the new.
func TestAmendmentChangesLaterProposalsOnly(t *testing.T) {
	w := newWorld(t)
	w.admit("dave")
	w.admit("erin")
	w.admit("frank") // six members: a third is 2, three quarters is 5
	w.block(200 * 24 * time.Hour)
	before := w.put(tx.Propose{Title: "Before", Closes: w.now.Add(20 * 24 * time.Hour).Unix()})
	amend, r := w.pass(tx.Propose{Title: "Raise the quorum", Measure: tx.Amend, Rules: `{"quorum": "3/4", "max_voting_period": "1440h"}`})
	fs := facts(t, r)
	if len(fs) != 2 || fs[1].Type != core.FactAmended || fs[1].Version != 2 || fs[1].Proposal != amend {
		t.Fatalf("amendment facts %+v", fs)
	}
	if !strings.Contains(fs[1].String(), "amended the constitution") {
		t.Fatalf("fact sentence %q", fs[1])
	}
	pa, _ := w.s.Proposal(amend)
	if pa.Type != core.TypeAmendment || pa.Threshold.String() != ">=2/3" {
		t.Fatalf("the amendment was decided as %q with %s", pa.Type, pa.Threshold)
	}
	amendedAt := w.s.Height()
	if c := w.s.Constitution(); c.Quorum.String() != "3/4" || c.MaxVoting.Duration != 60*24*time.Hour || len(c.Founders) != 3 {
		t.Fatalf("constitution after the amendment: %+v", c)
	}
	w.block(100 * 24 * time.Hour)
	after := w.put(tx.Propose{Title: "After", Closes: w.now.Add(50 * 24 * time.Hour).Unix()}) // 50 days: allowed now
	w.ok(w.m["alice"].Ballot(after, tx.Yes), w.m["bob"].Ballot(after, tx.Yes))
	w.block(2 * 365 * 24 * time.Hour)
	pb, _ := w.s.Proposal(before)
	pf, _ := w.s.Proposal(after)
	if pb.Quorum.String() != "1/3" || pb.RulesVersion != 1 || pf.Quorum.String() != "3/4" || pf.RulesVersion != 2 {
		t.Fatalf("rules fixed at creation: before %s v%d, after %s v%d", pb.Quorum, pb.RulesVersion, pf.Quorum, pf.RulesVersion)
	}
	if pf.Result.QuorumReached || pf.Result.Passed {
		t.Fatalf("2 of 6 should miss a quorum of 3/4: %+v", pf.Result)
	}
	if v, _ := w.s.RulesFor(before); v.Version != 1 {
		t.Fatalf("rules for %d: version %d", before, v.Version)
	}
	if v, _ := w.s.RulesFor(after); v.Version != 2 || v.Proposal != amend || v.Height != amendedAt {
		t.Fatalf("rules for %d: %+v", after, v)
	}
	if w.s.RulesAt(amendedAt-1).Version != 1 || w.s.RulesAt(amendedAt).Version != 2 || w.s.RulesAt(w.s.Height()).Version != 2 {
		t.Fatal("RulesAt does not follow the heights")
	}
	// Serialising and restoring keeps the history and the rules.
	data, err := w.s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := core.Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s2.MarshalBinary()
	if !bytes.Equal(data, again) || len(s2.RuleHistory()) != 2 || s2.Constitution().Quorum.String() != "3/4" {
		t.Fatal("restore lost the rule history")
	}
	// A second amendment over the first is merged onto the rules in force.
	w.pass(tx.Propose{Title: "Laws live a year", Measure: tx.Amend, Rules: `{"default_sunset": "8760h", "decision_types": [{"name": "amendment", "quorum": "1/3", "threshold": ">=3/4"}]}`})
	c := w.s.Constitution()
	am, _ := c.DecisionType(core.TypeAmendment)
	if c.Quorum.String() != "3/4" || c.DefaultSunset.Duration != year || am.Threshold.String() != ">=3/4" || len(w.s.RuleHistory()) != 3 {
		t.Fatalf("after the second amendment: quorum %s sunset %s amendment %s", c.Quorum, c.DefaultSunset, am.Threshold)
	}
	if _, ok := c.DecisionType(core.TypeBudget); !ok {
		t.Fatal("replacing decision_types lost the budget default")
	}
}

// TestAmendmentLapsesWhenRulesMovedOn: two amendments pass in the same
// block; the second, valid when proposed, no longer is over the first.
func TestAmendmentLapsesWhenRulesMovedOn(t *testing.T) {
	w := newWorld(t)
	closes := w.now.Add(time.Second + 10*time.Minute).Unix()
	a := w.put(tx.Propose{Measure: tx.Amend, Closes: closes, Rules: `{"categories": ["general"]}`})
	b := w.put(tx.Propose{Measure: tx.Amend, Closes: closes, Rules: `{"category_types": [{"category": "budget", "type": "budget"}]}`})
	for _, id := range []uint64{a, b} {
		w.ok(w.m["alice"].Ballot(id, tx.Yes), w.m["bob"].Ballot(id, tx.Yes), w.m["carol"].Ballot(id, tx.Yes))
	}
	r := w.block(11 * time.Minute)
	var lapsed *core.MeasureLapsed
	for _, e := range r.End.Events {
		if l, ok := e.(core.MeasureLapsed); ok {
			lapsed = &l
		}
	}
	if lapsed == nil || lapsed.Proposal != b || !strings.Contains(lapsed.Reason, `"budget" is not one of the categories`) {
		t.Fatalf("lapse event %+v", lapsed)
	}
	if len(w.s.RuleHistory()) != 2 || len(w.s.Constitution().Categories) != 1 {
		t.Fatal("the first amendment should apply and the second lapse")
	}
}

// signed returns p signed by alice, with the defaults of put.
func (w *world) signed(p tx.Propose) []byte {
	if p.Title == "" {
		p.Title = "A measure"
	}
	if p.Category == "" {
		p.Category = "general"
	}
	if p.Closes == 0 {
		p.Closes = w.now.Add(10 * time.Minute).Unix()
	}
	return w.m["alice"].Sign(&p)
}

// constitutionRejections are the table cases of TestRejections for
// decision types, amendments and laws.
var constitutionRejections = []struct {
	name  string
	setup func(w *world) []byte
	code  reject.Code
	says  string
}{
	{"unknown decision type", func(w *world) []byte { return w.signed(tx.Propose{Type: "urgent"}) },
		reject.UnknownDecisionType, `decision type "urgent" is not one of the constitution's ("ordinary", "budget", "amendment")`},
	{"type other than the category's", func(w *world) []byte {
		w.pass(tx.Propose{Measure: tx.Amend, Rules: `{"category_types": [{"category": "budget", "type": "budget"}]}`})
		return w.signed(tx.Propose{Category: "budget", Type: "ordinary"})
	}, reject.TypeMismatch, `category "budget" is decided under the "budget" rules; it cannot ask for "ordinary"`},
	{"amend with a simple majority", func(w *world) []byte {
		return w.signed(tx.Propose{Measure: tx.Amend, Type: "ordinary", Rules: `{"quorum": "1/2"}`})
	}, reject.AmendmentType, `decided under the amendment rules (quorum at least 1/3, pass with at least 2/3), not under "ordinary"`},
	{"amendment with an unreadable ratio", func(w *world) []byte {
		return w.signed(tx.Propose{Measure: tx.Amend, Rules: `{"quorum": "2/1"}`})
	}, reject.BadAmendment, "the new rules cannot be read"},
	{"amendment with an unknown key", func(w *world) []byte {
		return w.signed(tx.Propose{Measure: tx.Amend, Rules: `{"Quorum": "1/2"}`})
	}, reject.BadAmendment, `name "Quorum", which is not a key of the constitution`},
	{"amendment that changes nothing", func(w *world) []byte {
		return w.signed(tx.Propose{Measure: tx.Amend, Rules: `{"quorum": "1/3"}`})
	}, reject.BadAmendment, "the same as the rules in force"},
	{"amendment that would lock the door", func(w *world) []byte {
		return w.signed(tx.Propose{Measure: tx.Amend, Rules: `{"vouches_required": 4}`})
	}, reject.BadAmendment, "vouches_required is 4 but there are only 3 members"},
	{"amendment that rewrites the founders", func(w *world) []byte {
		return w.signed(tx.Propose{Measure: tx.Amend, Rules: `{"founders": []}`})
	}, reject.AmendsFounders, "cannot rewrite the founders"},
	{"amendment without rules", func(w *world) []byte { return w.signed(tx.Propose{Measure: tx.Amend}) },
		reject.BadBody, "an amendment must carry the new rules"},
	{"rules that are not an object", func(w *world) []byte { return w.signed(tx.Propose{Measure: tx.Amend, Rules: `["quorum"]`}) },
		reject.BadBody, "must be a JSON object"},
	{"rules on a law", func(w *world) []byte { return w.signed(tx.Propose{Measure: tx.Enact, Rules: `{}`}) },
		reject.BadBody, "only an amendment carries new rules, not a law"},
	{"sunset on a resolution", func(w *world) []byte { return w.signed(tx.Propose{Sunset: 60}) },
		reject.BadBody, "a resolution has no sunset"},
	{"renewal without a law", func(w *world) []byte { return w.signed(tx.Propose{Measure: tx.Renew}) },
		reject.BadBody, "a renewal must name the law"},
	{"unknown measure", func(w *world) []byte { return w.signed(tx.Propose{Measure: 9}) },
		reject.BadBody, "measure 9 is not"},
	{"renew an unknown law", func(w *world) []byte { return w.signed(tx.Propose{Measure: tx.Renew, Law: 5}) },
		reject.UnknownLaw, "there is no law 5"},
	{"law longer than the maximum", func(w *world) []byte {
		return w.signed(tx.Propose{Measure: tx.Enact, Sunset: int64(11 * year / time.Second)})
	}, reject.SunsetTooLong, "a law may last at most 87600h0m0s, not 96360h0m0s"},
	{"renew an expired law as if it were alive", func(w *world) []byte {
		w.pass(tx.Propose{Measure: tx.Enact, Sunset: 3600})
		w.block(2 * time.Hour)
		return w.signed(tx.Propose{Measure: tx.Renew, Law: 1})
	}, reject.LawExpired, "law 1 expired at 2026-12-01 10:10:02 UTC; an expired law cannot be renewed"},
	{"repeal an expired law", func(w *world) []byte {
		w.pass(tx.Propose{Measure: tx.Enact, Sunset: 3600})
		w.block(2 * time.Hour)
		return w.signed(tx.Propose{Measure: tx.Repeal, Law: 1})
	}, reject.LawExpired, "law 1 expired"},
	{"renew a repealed law", func(w *world) []byte {
		w.pass(tx.Propose{Measure: tx.Enact})
		w.pass(tx.Propose{Measure: tx.Repeal, Law: 1})
		return w.signed(tx.Propose{Measure: tx.Renew, Law: 1})
	}, reject.LawRepealed, "law 1 was repealed at"},
	{"renewal that would close after the sunset", func(w *world) []byte {
		w.pass(tx.Propose{Measure: tx.Enact, Sunset: 3600})
		return w.signed(tx.Propose{Measure: tx.Renew, Law: 1, Closes: w.now.Add(2 * time.Hour).Unix()})
	}, reject.RenewalTooLate, "law 1 expires at 2026-12-01 10:10:02 UTC, before voting on its renewal would close"},
}

// TestLawSunsets runs eight years of block time: law 1 expires on its day,
// law 2 survives by renewal, law 3 is repealed, and the register answers
// for any past time. Every change is a fact.
func TestLawSunsets(t *testing.T) {
	w := newWorld(t)
	_, r := w.pass(tx.Propose{Title: "Quiet hours", Measure: tx.Enact})
	enact1 := w.now
	fs := facts(t, r)
	if len(fs) != 2 || fs[1].Type != core.FactLawEnacted || fs[1].Law != 1 || fs[1].Expires != enact1.Add(core.DefaultSunset).UnixNano() {
		t.Fatalf("enactment facts %+v", fs)
	}
	w.pass(tx.Propose{Title: "Dog park", Measure: tx.Enact, Sunset: int64(2 * year / time.Second)})
	w.pass(tx.Propose{Title: "Parking", Measure: tx.Enact})
	l1, _ := w.s.Law(1)
	l2, _ := w.s.Law(2)
	l3, _ := w.s.Law(3)
	if l2.Expires-l2.Enacted != int64(2*year) || l1.Title != "Quiet hours" || w.s.LawsInForceCount() != 3 {
		t.Fatalf("laws %+v %+v", l1, l2)
	}
	// A year later, law 3 is repealed.
	w.block(year)
	_, r = w.pass(tx.Propose{Title: "Repeal parking", Measure: tx.Repeal, Law: 3})
	repealedAt := w.now
	if fs = facts(t, r); fs[1].Type != core.FactLawRepealed || fs[1].Law != 3 || l3.Status != core.Repealed || l3.Ended != repealedAt.UnixNano() {
		t.Fatalf("repeal: %+v %+v", fs, l3)
	}
	// Law 2 is renewed shortly before its sunset: two more years from its old expiry.
	w.now = time.Unix(0, l2.Expires).Add(-time.Hour)
	oldExpiry := l2.Expires
	_, r = w.pass(tx.Propose{Title: "Keep the dog park", Measure: tx.Renew, Law: 2})
	if fs = facts(t, r); fs[1].Type != core.FactLawRenewed || l2.Expires != oldExpiry+int64(core.DefaultSunset) || len(l2.Renewals) != 1 {
		t.Fatalf("renewal: %+v law %+v", fs, l2)
	}
	// The day law 1 expires: in force one second before, gone in the block at its sunset.
	w.now = time.Unix(0, l1.Expires).Add(-2 * time.Second)
	r = w.block(time.Second)
	if l1.Status != core.InForce || len(r.End.Leaves) != 0 {
		t.Fatal("law 1 left before its day")
	}
	r = w.block(time.Second)
	if fs = facts(t, r); len(fs) != 1 || fs[0].Type != core.FactLawExpired || fs[0].Law != 1 || l1.Status != core.Expired || l1.Ended != l1.Expires {
		t.Fatalf("expiry: %+v law %+v", fs, l1)
	}
	if !strings.Contains(fs[0].String(), "law 1 expired") {
		t.Fatalf("fact sentence %q", fs[0])
	}
	// Renewing it now is refused with its own code.
	w.ok() // a block between
	b := w.block(time.Second, w.m["bob"].Sign(&tx.Propose{Title: "Revive", Category: "general", Measure: tx.Renew, Law: 1, Closes: w.now.Add(time.Hour).Unix()}))
	if b.Txs[0].Code != reject.LawExpired {
		t.Fatalf("renewing an expired law: %d %s", b.Txs[0].Code, b.Txs[0].Log)
	}
	w.m["bob"].Nonce--
	w.block(4 * year)
	if l2.Status != core.Expired {
		t.Fatal("law 2 outlived its renewed sunset")
	}
	// The register at past times.
	for _, tt := range []struct {
		at   time.Time
		want []uint64
	}{
		{coretest.GenesisTime, nil},
		{enact1, []uint64{1}},
		{repealedAt.Add(-time.Second), []uint64{1, 2, 3}},
		{repealedAt, []uint64{1, 2}},
		{time.Unix(0, oldExpiry).Add(time.Hour), []uint64{1, 2}},
		{time.Unix(0, l1.Expires), []uint64{2}},
		{w.now, nil},
	} {
		if got := lawNumbers(w.s.LawsInForceAt(tt.at)); !sameNumbers(got, tt.want...) {
			t.Errorf("laws in force at %s: %v, want %v", tt.at, got, tt.want)
		}
	}
	if len(w.s.LawsInForce()) != 0 || w.s.LawsInForceCount() != 0 {
		t.Fatal("laws still in force at the end")
	}
}

// TestRenewalInTheSameBlockAsTheSunset: a renewal whose vote closed before
// the sunset saves the law even when the block that decides it is past the
// sunset.
func TestRenewalInTheSameBlockAsTheSunset(t *testing.T) {
	w := newWorld(t)
	w.pass(tx.Propose{Title: "Short", Measure: tx.Enact, Sunset: 3600})
	l, _ := w.s.Law(1)
	w.now = time.Unix(0, l.Expires).Add(-20 * time.Minute)
	id := w.put(tx.Propose{Measure: tx.Renew, Law: 1, Sunset: 3600}) // closes 10 minutes before the sunset
	w.ok(w.m["alice"].Ballot(id, tx.Yes), w.m["bob"].Ballot(id, tx.Yes))
	old := l.Expires
	r := w.block(time.Hour) // the first block after both the close and the sunset
	fs := facts(t, r)
	if len(fs) != 2 || fs[0].Type != core.FactDecided || fs[1].Type != core.FactLawRenewed || l.Status != core.InForce || l.Expires != old+int64(time.Hour) {
		t.Fatalf("facts %+v, law %+v", fs, l)
	}
}

func TestGenesisValidationOfNewFields(t *testing.T) {
	a, b := coretest.NewMember("a"), coretest.NewMember("b")
	tests := []struct {
		name string
		edit func(c *core.Constitution)
		says string
	}{
		{"ordinary listed", func(c *core.Constitution) {
			c.DecisionTypes = []core.DecisionType{{Name: "ordinary", Quorum: c.Quorum, Threshold: c.Threshold}}
		}, `do not list "ordinary"`},
		{"type without threshold", func(c *core.Constitution) {
			c.DecisionTypes = []core.DecisionType{{Name: "x", Quorum: c.Quorum}}
		}, `"x": threshold is missing`},
		{"type listed twice", func(c *core.Constitution) {
			c.DecisionTypes = []core.DecisionType{{Name: "x", Quorum: c.Quorum, Threshold: c.Threshold}, {Name: "x", Quorum: c.Quorum, Threshold: c.Threshold}}
		}, "listed twice"},
		{"binding to unknown category", func(c *core.Constitution) {
			c.CategoryTypes = []core.CategoryType{{Category: "sports", Type: "budget"}}
		}, `"sports" is not one of the categories`},
		{"binding to unknown type", func(c *core.Constitution) {
			c.CategoryTypes = []core.CategoryType{{Category: "budget", Type: "money"}}
		}, `decision type "money" is not defined`},
		{"max sunset below default", func(c *core.Constitution) {
			c.DefaultSunset.Duration, c.MaxSunset.Duration = 2*year, year
		}, "shorter than default_sunset"},
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
	// The JSON keys of the constitution are the ones amendments may name.
	g := coretest.Genesis(a, b)
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(coretest.AppState(g), &struct {
		C *map[string]json.RawMessage `json:"constitution"`
	}{&keys}); err != nil {
		t.Fatal(err)
	}
	if _, ok := keys["default_sunset"]; ok {
		t.Fatal("a zero sunset should be omitted from the genesis JSON")
	}
}

// TestCheckpointRevertLawsAndRules undoes a block that amends the
// constitution, enacts, renews and repeals laws, and lets one expire.
func TestCheckpointRevertLawsAndRules(t *testing.T) {
	w := newWorld(t)
	w.pass(tx.Propose{Title: "One", Measure: tx.Enact, Sunset: 7200})
	w.pass(tx.Propose{Title: "Two", Measure: tx.Enact})
	w.pass(tx.Propose{Title: "Three", Measure: tx.Enact, Sunset: 1800})
	closes := w.now.Add(time.Second + 10*time.Minute).Unix()
	var ids []uint64
	for _, p := range []tx.Propose{
		{Measure: tx.Amend, Rules: `{"threshold": ">=3/5"}`},
		{Measure: tx.Enact, Title: "Four"},
		{Measure: tx.Renew, Law: 1},
		{Measure: tx.Repeal, Law: 2},
	} {
		p.Closes = closes
		ids = append(ids, w.put(p))
	}
	for _, id := range ids {
		w.ok(w.m["alice"].Ballot(id, tx.Yes), w.m["bob"].Ballot(id, tx.Yes))
	}
	before, _ := w.s.MarshalBinary()
	root := w.s.Root()
	w.s.Checkpoint()
	r := w.block(time.Hour)
	var types []core.FactType
	for _, f := range facts(t, r) {
		types = append(types, f.Type)
	}
	want := []core.FactType{core.FactDecided, core.FactAmended, core.FactDecided, core.FactLawEnacted, core.FactDecided, core.FactLawRenewed,
		core.FactDecided, core.FactLawRepealed, core.FactLawExpired}
	if len(types) != len(want) {
		t.Fatalf("facts %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("facts %v, want %v", types, want)
		}
	}
	w.s.Revert()
	after, _ := w.s.MarshalBinary()
	if !bytes.Equal(before, after) || w.s.Root() != root {
		t.Fatal("revert did not restore the state")
	}
	if len(w.s.RuleHistory()) != 1 || w.s.Constitution().Threshold.String() != "1/2" || w.s.LawsInForceCount() != 3 {
		t.Fatal("revert left rules or laws behind")
	}
}
