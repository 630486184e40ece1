package core_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// newWorldWith is newWorld with the genesis constitution edited.
func newWorldWith(t testing.TB, edit func(c *core.Constitution)) *world {
	t.Helper()
	w := newWorld(t)
	g := coretest.Genesis(w.m["alice"], w.m["bob"], w.m["carol"])
	edit(&g.Constitution)
	w.app = coretest.AppState(g)
	s, err := core.New(coretest.ChainID, coretest.GenesisTime, w.app)
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	return w
}

// delegationWorld has six members: alice 1, bob 2, carol 3 (founders), dave
// 4, erin 5 and frank 6.
func delegationWorld(t testing.TB, edit func(c *core.Constitution)) *world {
	t.Helper()
	w := newWorldWith(t, edit)
	for _, n := range []string{"dave", "erin", "frank"} {
		w.admit(n)
	}
	return w
}

var names6 = []string{"", "alice", "bob", "carol", "dave", "erin", "frank"}

func delegateTo(cat string, n uint32) *tx.Delegate { return &tx.Delegate{Category: cat, Member: n} }

func TestDelegationRejections(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(c *core.Constitution)
		setup func(w *world) []byte
		code  reject.Code
		says  string
	}{
		{"to self by number", nil, func(w *world) []byte { return w.m["dave"].Sign(delegateTo("general", 4)) },
			reject.DelegateSelf, "cannot delegate your vote to yourself"},
		{"to self by key", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Delegate{Category: "general", To: w.m["dave"].Key[:]})
		}, reject.DelegateSelf, "cannot delegate your vote to yourself"},
		{"to a stranger's key", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Delegate{Category: "general", To: w.m["alice2"].Key[:]})
		}, reject.UnknownDelegate, "is not a member of this community"},
		{"to a number nobody has", nil, func(w *world) []byte { return w.m["dave"].Sign(delegateTo("general", 99)) },
			reject.UnknownDelegate, "there is no member 99"},
		{"to a member who left", nil, func(w *world) []byte {
			w.ok(w.m["erin"].Sign(&tx.Leave{}))
			return w.m["dave"].Sign(delegateTo("general", 5))
		}, reject.UnknownDelegate, "member 5 has left the community"},
		{"to a rotated-away key", nil, func(w *world) []byte {
			w.ok(w.m["alice"].RotateTo(w.m["alice2"]))
			return w.m["dave"].Sign(&tx.Delegate{Category: "general", To: w.m["alice"].Key[:]})
		}, reject.UnknownDelegate, "no longer a current member's key"},
		{"unknown category", nil, func(w *world) []byte { return w.m["dave"].Sign(delegateTo("parks", 2)) },
			reject.UnknownCategory, `category "parks" is not one of the constitution's`},
		{"delegation switched off", func(c *core.Constitution) { c.Delegation.Off = true },
			func(w *world) []byte { return w.m["dave"].Sign(delegateTo("general", 2)) },
			reject.DelegationOff, "switched delegation off"},
		{"undelegate when none", nil, func(w *world) []byte { return w.m["dave"].Sign(&tx.Undelegate{Category: "general"}) },
			reject.NotDelegated, `you have not delegated your vote on "general"`},
		{"undelegate another category", nil, func(w *world) []byte {
			w.ok(w.m["dave"].Sign(delegateTo("budget", 2)))
			return w.m["dave"].Sign(&tx.Undelegate{Category: "general"})
		}, reject.NotDelegated, `you have not delegated your vote on "general"`},
		{"same delegation twice", nil, func(w *world) []byte {
			w.ok(w.m["dave"].Sign(delegateTo("general", 2)))
			return w.m["dave"].Sign(&tx.Delegate{Category: "general", To: w.m["bob"].Key[:]})
		}, reject.DelegationUnchanged, `already delegated to member 2`},
		{"both key and number", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Delegate{Category: "general", To: w.m["bob"].Key[:], Member: 2})
		}, reject.BadBody, "either by key or by member number"},
		{"neither key nor number", nil, func(w *world) []byte { return w.m["dave"].Sign(&tx.Delegate{Category: "general"}) },
			reject.BadBody, "either by key or by member number"},
		{"short key", nil, func(w *world) []byte {
			return w.m["dave"].Sign(&tx.Delegate{Category: "general", To: []byte{1, 2, 3}})
		}, reject.BadKey, "must be 32 bytes, not 3"},
		{"stranger delegates", nil, func(w *world) []byte { return w.m["alice2"].Sign(delegateTo("general", 2)) },
			reject.NotMember, "not a member"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edit := tt.edit
			if edit == nil {
				edit = func(*core.Constitution) {}
			}
			w := delegationWorld(t, edit)
			bad := tt.setup(w)
			w.block(time.Second)
			refuses(t, w.s, bad, tt.code, tt.says)
		})
	}
}

// TestDelegatedCount runs one proposal in "general" per case in a community
// of six and checks the count, the delegated breakdown and its fact.
func TestDelegatedCount(t *testing.T) {
	type edge struct{ from, to uint32 }
	type vote struct {
		who uint32
		c   tx.Choice
	}
	tests := []struct {
		name      string
		maxWeight uint32
		before    []edge // delegations made before voting opens
		votes     []vote
		during    func(w *world) // after the votes, before the close
		yes       uint64         // totals in the result
		no        uint64
		abstain   uint64
		delegated *core.DelegatedTally // nil: no delegated fact
	}{
		{name: "no delegation", votes: []vote{{1, tx.Yes}, {2, tx.No}}, yes: 1, no: 1},
		{name: "chain reaches a voter", before: []edge{{4, 3}, {3, 2}, {5, 4}}, votes: []vote{{2, tx.Yes}, {1, tx.No}},
			yes: 4, no: 1, delegated: &core.DelegatedTally{Yes: 3}},
		{name: "a direct vote overrides the delegation", before: []edge{{4, 2}, {5, 2}}, votes: []vote{{2, tx.Yes}, {4, tx.No}},
			yes: 2, no: 1, delegated: &core.DelegatedTally{Yes: 1}},
		{name: "a relay who voted stops the chain", before: []edge{{5, 4}, {4, 2}}, votes: []vote{{2, tx.Yes}, {4, tx.No}},
			yes: 1, no: 2, delegated: &core.DelegatedTally{No: 1}},
		{name: "a chain ending at a non-voter counts nothing", before: []edge{{4, 3}, {5, 4}}, votes: []vote{{1, tx.Yes}},
			yes: 1},
		{name: "a cycle with no ballot is lost, with those leading into it",
			before: []edge{{4, 5}, {5, 6}, {6, 4}, {3, 4}, {2, 1}}, votes: []vote{{1, tx.No}},
			no: 2, delegated: &core.DelegatedTally{No: 1, Cyclic: 4}},
		{name: "a cycle in which someone voted is no cycle",
			before: []edge{{4, 5}, {5, 6}, {6, 4}, {3, 4}}, votes: []vote{{6, tx.Abstain}},
			abstain: 4, delegated: &core.DelegatedTally{Abstain: 3}},
		{name: "the cap keeps the lowest member numbers", maxWeight: 3,
			before: []edge{{6, 2}, {4, 2}, {5, 2}, {3, 2}}, votes: []vote{{2, tx.Yes}, {1, tx.No}},
			yes: 3, no: 1, delegated: &core.DelegatedTally{Yes: 2, Capped: 2}},
		{name: "the cap counts transitive weight at the final voter", maxWeight: 2,
			before: []edge{{5, 4}, {4, 3}, {3, 2}}, votes: []vote{{2, tx.No}},
			no: 2, delegated: &core.DelegatedTally{No: 1, Capped: 2}},
		{name: "withdrawal before the close takes effect", before: []edge{{4, 2}, {5, 2}}, votes: []vote{{2, tx.Yes}},
			during: func(w *world) { w.ok(w.m["dave"].Sign(&tx.Undelegate{Category: "general"})) },
			yes:    2, delegated: &core.DelegatedTally{Yes: 1}},
		{name: "a new delegation before the close counts", votes: []vote{{2, tx.Yes}},
			during: func(w *world) { w.ok(w.m["frank"].Sign(&tx.Delegate{Category: "general", To: w.m["bob"].Key[:]})) },
			yes:    2, delegated: &core.DelegatedTally{Yes: 1}},
		{name: "a delegation on another category does not count", votes: []vote{{2, tx.Yes}},
			during: func(w *world) { w.ok(w.m["frank"].Sign(delegateTo("budget", 2))) },
			yes:    1},
		{name: "a delegator who left does not count", before: []edge{{4, 2}, {5, 2}}, votes: []vote{{2, tx.Yes}},
			during: func(w *world) { w.ok(w.m["erin"].Sign(&tx.Leave{})) },
			yes:    2, delegated: &core.DelegatedTally{Yes: 1}},
		{name: "weight does not pass through a member who left", before: []edge{{4, 5}, {5, 2}}, votes: []vote{{2, tx.Yes}},
			during: func(w *world) { w.ok(w.m["erin"].Sign(&tx.Leave{})) },
			yes:    1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := delegationWorld(t, func(c *core.Constitution) { c.Delegation.MaxWeight = tt.maxWeight })
			var txs [][]byte
			for _, e := range tt.before {
				txs = append(txs, w.m[names6[e.from]].Sign(delegateTo("general", e.to)))
			}
			if len(txs) > 0 {
				r := w.ok(txs...)
				for i, e := range tt.before {
					want := core.Delegated{Member: e.from, Category: "general", To: e.to}
					if got := r.Txs[i].Events; len(got) != 1 || got[0] != want {
						t.Fatalf("events %+v, want %+v", got, want)
					}
				}
			}
			id := w.put(tx.Propose{})
			txs = nil
			for _, v := range tt.votes {
				txs = append(txs, w.m[names6[v.who]].Ballot(id, v.c))
			}
			w.ok(txs...)
			if tt.during != nil {
				tt.during(w)
			}
			p, _ := w.s.Proposal(id)
			r := w.block(time.Duration(p.Closes-w.now.UnixNano()) + time.Second)
			if p.Status != core.Decided {
				t.Fatalf("proposal not decided: %v", p.Status)
			}
			if p.Result.Yes != tt.yes || p.Result.No != tt.no || p.Result.Abstain != tt.abstain {
				t.Fatalf("result %+v, want %d yes %d no %d abstain", p.Result, tt.yes, tt.no, tt.abstain)
			}
			fs := facts(t, r)
			if fs[0].Type != core.FactDecided || fs[0].Yes != tt.yes || fs[0].No != tt.no || fs[0].Abstain != tt.abstain {
				t.Fatalf("decided fact %+v", fs[0])
			}
			if tt.delegated == nil {
				if p.Delegated != nil || len(fs) != 1 {
					t.Fatalf("delegated %+v, facts %+v: want none", p.Delegated, fs)
				}
				return
			}
			if p.Delegated == nil || *p.Delegated != *tt.delegated {
				t.Fatalf("delegated %+v, want %+v", p.Delegated, *tt.delegated)
			}
			d := tt.delegated
			if len(fs) != 2 || fs[1].Type != core.FactDelegated || fs[1].Proposal != id || fs[1].Yes != d.Yes || fs[1].No != d.No ||
				fs[1].Abstain != d.Abstain || fs[1].Capped != d.Capped || fs[1].Cyclic != d.Cyclic || fs[1].Time != w.now.UnixNano() {
				t.Fatalf("facts %+v, want the delegated breakdown %+v second", fs, *d)
			}
			if !strings.Contains(fs[1].String(), "counted by delegation") {
				t.Fatalf("fact sentence %q", fs[1].String())
			}
			var counted bool
			for _, e := range r.End.Events {
				if e == (core.DelegationCounted{Proposal: id, Tally: *d}) {
					counted = true
				}
			}
			if !counted {
				t.Fatalf("events %+v lack the delegated count", r.End.Events)
			}
		})
	}
}

// TestDelegationOutsideTheElectorate: a member admitted after voting opened
// may delegate, but their delegation does not count on that proposal.
func TestDelegationOutsideTheElectorate(t *testing.T) {
	w := newWorld(t)
	id := w.put(tx.Propose{})
	w.admit("dave")
	w.ok(w.m["dave"].Sign(delegateTo("general", 2)), w.m["bob"].Ballot(id, tx.Yes))
	p, _ := w.s.Proposal(id)
	w.block(time.Duration(p.Closes-w.now.UnixNano()) + time.Second)
	if p.Result.Yes != 1 || p.Delegated != nil {
		t.Fatalf("result %+v delegated %+v: the newcomer's delegation counted", p.Result, p.Delegated)
	}
	if to, ok := w.s.DelegateOf(4, "general"); !ok || to != 2 {
		t.Fatalf("DelegateOf = %d %v", to, ok)
	}
}

// TestDelegationPolicyAmended: switching delegation off by amendment refuses
// new delegations and stops counting for proposals made after it, while
// proposals made before keep the rules they were made under; withdrawals
// stay possible.
func TestDelegationPolicyAmended(t *testing.T) {
	w := delegationWorld(t, func(*core.Constitution) {})
	w.ok(w.m["dave"].Sign(delegateTo("general", 2)), w.m["erin"].Sign(delegateTo("general", 2)))
	before := w.put(tx.Propose{Title: "Made before", Closes: w.now.Add(30 * time.Minute).Unix()})
	w.pass(tx.Propose{Category: "rules", Measure: tx.Amend, Rules: `{"delegation": {"off": true}}`})
	if !w.s.Constitution().Delegation.Off {
		t.Fatal("the amendment did not switch delegation off")
	}
	after := w.put(tx.Propose{Title: "Made after"})
	w.ok(w.m["bob"].Ballot(before, tx.Yes), w.m["bob"].Ballot(after, tx.Yes))
	if r := w.block(time.Second, w.m["frank"].Sign(delegateTo("general", 2))); r.Txs[0].Code != reject.DelegationOff {
		t.Fatalf("delegation while off: code %d %s", r.Txs[0].Code, r.Txs[0].Log)
	}
	w.block(31 * time.Minute)
	pb, _ := w.s.Proposal(before)
	pa, _ := w.s.Proposal(after)
	if pb.Result.Yes != 3 || pb.Delegated == nil || pb.Delegated.Yes != 2 {
		t.Fatalf("proposal made before: %+v %+v", pb.Result, pb.Delegated)
	}
	if pa.Result.Yes != 1 || pa.Delegated != nil {
		t.Fatalf("proposal made after: %+v %+v", pa.Result, pa.Delegated)
	}
	w.ok(w.m["dave"].Sign(&tx.Undelegate{Category: "general"}))
	if _, ok := w.s.DelegateOf(4, "general"); ok {
		t.Fatal("withdrawal while off did not take effect")
	}
	want := []core.Delegation{{Member: 5, Category: "general", To: 2}}
	if got := w.s.Delegations(); len(got) != 1 || got[0] != want[0] {
		t.Fatalf("Delegations() = %+v, want %+v", got, want)
	}
}

// TestDelegationSnapshot: delegations and delegated tallies survive
// MarshalBinary and Restore, and the restored state goes on exactly like
// the original.
func TestDelegationSnapshot(t *testing.T) {
	w := delegationWorld(t, func(c *core.Constitution) { c.Delegation.MaxWeight = 2 })
	w.ok(w.m["dave"].Sign(delegateTo("general", 2)), w.m["erin"].Sign(delegateTo("general", 2)),
		w.m["frank"].Sign(delegateTo("budget", 1)))
	id := w.put(tx.Propose{})
	w.ok(w.m["bob"].Ballot(id, tx.Yes))
	w.block(11 * time.Minute)
	second := w.put(tx.Propose{})
	data, err := w.s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	r, err := core.Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	again, _ := r.MarshalBinary()
	if !bytes.Equal(data, again) {
		t.Fatal("restore then serialise changed the bytes")
	}
	p, _ := r.Proposal(id)
	if p.Delegated == nil || *p.Delegated != (core.DelegatedTally{Yes: 1, Capped: 1}) {
		t.Fatalf("restored tally %+v", p.Delegated)
	}
	if len(r.Delegations()) != 3 {
		t.Fatalf("restored delegations %+v", r.Delegations())
	}
	blocks := []core.Block{
		{Height: w.s.Height() + 1, Time: w.now.Add(time.Second),
			Txs: [][]byte{w.m["bob"].Ballot(second, tx.No), w.m["erin"].Sign(&tx.Undelegate{Category: "general"})}},
		{Height: w.s.Height() + 2, Time: w.now.Add(11 * time.Minute)},
	}
	for _, blk := range blocks {
		a, err := w.s.ApplyBlock(blk, 1)
		if err != nil {
			t.Fatal(err)
		}
		b, err := r.ApplyBlock(blk, 1)
		if err != nil {
			t.Fatal(err)
		}
		if a.Root != b.Root {
			t.Fatalf("roots %s %s", a.Root, b.Root)
		}
		for _, x := range a.Txs {
			if x.Code != reject.OK {
				t.Fatalf("rejected: %s", x.Log)
			}
		}
	}
	p2, _ := r.Proposal(second)
	if p2.Result.No != 2 || p2.Delegated == nil || *p2.Delegated != (core.DelegatedTally{No: 1}) {
		t.Fatalf("second proposal after restore: %+v %+v", p2.Result, p2.Delegated)
	}
}

// TestDelegationWithoutDelegationKeepsGenesis: a constitution that does not
// mention delegation serialises without the key, so genesis files and
// FactAmended digests from before delegation keep their meaning.
func TestDelegationWithoutDelegationKeepsGenesis(t *testing.T) {
	w := newWorld(t)
	if s := string(coretest.AppState(coretest.Genesis(w.m["alice"]))); strings.Contains(s, "delegation") {
		t.Fatalf("genesis mentions delegation: %s", s)
	}
	c := w.s.Constitution()
	if c.Delegation.Off || c.Delegation.MaxWeight != 0 {
		t.Fatalf("default policy %+v", c.Delegation)
	}
}

// TestLeavingWithdrawsOwnDelegations: a member who leaves takes their own
// delegations with them (public Undelegated events, in category order);
// delegations to them stay with their delegators.
func TestLeavingWithdrawsOwnDelegations(t *testing.T) {
	w := delegationWorld(t, func(*core.Constitution) {})
	w.ok(w.m["dave"].Sign(delegateTo("rules", 2)), w.m["dave"].Sign(delegateTo("general", 3)), w.m["erin"].Sign(delegateTo("general", 4)))
	r := w.ok(w.m["dave"].Sign(&tx.Leave{}))
	ev := r.Txs[0].Events
	want := []core.Event{core.Left{Member: 4, Key: w.m["dave"].Key},
		core.Undelegated{Member: 4, Category: "general", From: 3}, core.Undelegated{Member: 4, Category: "rules", From: 2}}
	if len(ev) != len(want) {
		t.Fatalf("events %+v, want %+v", ev, want)
	}
	for i := range want {
		if ev[i] != want[i] {
			t.Fatalf("event %d: %+v, want %+v", i, ev[i], want[i])
		}
	}
	got := w.s.Delegations()
	if len(got) != 1 || got[0] != (core.Delegation{Member: 5, Category: "general", To: 4}) {
		t.Fatalf("Delegations() = %+v", got)
	}
}
