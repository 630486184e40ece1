package core_test

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// world is a fixture community with founders alice, bob and carol and a few
// people who are not members yet.
type world struct {
	t   testing.TB
	s   *core.State
	now time.Time
	m   map[string]*coretest.Member
	// app is the genesis app_state and hist every block applied through
	// block, so that a test can replay its history (see replay).
	app  []byte
	hist []history.Block
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, now: coretest.GenesisTime, m: map[string]*coretest.Member{}}
	for _, n := range []string{"alice", "bob", "carol", "dave", "erin", "frank", "alice2"} {
		w.m[n] = coretest.NewMember(n)
	}
	w.app = coretest.AppState(coretest.Genesis(w.m["alice"], w.m["bob"], w.m["carol"]))
	w.s = coretest.NewState(w.m["alice"], w.m["bob"], w.m["carol"])
	return w
}

// block applies a block d after the previous one and returns its result.
func (w *world) block(d time.Duration, txs ...[]byte) core.BlockResult {
	w.t.Helper()
	w.now = w.now.Add(d)
	r, err := w.s.ApplyBlock(core.Block{Height: w.s.Height() + 1, Time: w.now, Txs: txs}, 0)
	if err != nil {
		w.t.Fatalf("apply block: %v", err)
	}
	codes := make([]uint32, len(r.Txs))
	for i, tr := range r.Txs {
		codes[i] = uint32(tr.Code)
	}
	w.hist = append(w.hist, history.Block{Height: w.s.Height(), Time: w.now.UnixNano(), Txs: txs, Codes: codes, AppHash: r.Root[:]})
	return r
}

// ok applies txs in a block one second later and fails unless all pass.
func (w *world) ok(txs ...[]byte) core.BlockResult {
	w.t.Helper()
	r := w.block(time.Second, txs...)
	for i, res := range r.Txs {
		if res.Code != reject.OK {
			w.t.Fatalf("tx %d rejected: %d %s", i, res.Code, res.Log)
		}
	}
	return r
}

// admit makes name a member with vouches from alice and bob.
func (w *world) admit(name string) {
	w.t.Helper()
	w.ok(w.m["alice"].Vouch(w.m[name]), w.m["bob"].Vouch(w.m[name]))
	if _, ok := w.s.Member(w.m[name].Key); !ok {
		w.t.Fatalf("%s was not admitted", name)
	}
}

// propose records a proposal by alice opening now and closing after d.
func (w *world) propose(d time.Duration) uint64 {
	w.t.Helper()
	closes := w.now.Add(time.Second + d).Unix()
	w.ok(w.m["alice"].Sign(&tx.Propose{Title: "Plant trees", Body: "On the *green*.", Category: "general", Closes: closes}))
	return uint64(len(w.s.Proposals()))
}

func TestAdmissionNeedsDistinctCurrentVouches(t *testing.T) {
	w := newWorld(t)
	dave := w.m["dave"]
	r := w.ok(w.m["alice"].Vouch(dave))
	if _, ok := w.s.Member(dave.Key); ok {
		t.Fatal("admitted after one vouch; the constitution asks for two")
	}
	if len(r.Txs[0].Leaves) != 1 {
		t.Fatalf("a pending vouch should add only its tx leaf, got %d leaves", len(r.Txs[0].Leaves))
	}
	// bob leaves: his later vouch would not exist; carol's completes it.
	r = w.ok(w.m["carol"].Vouch(dave))
	m, ok := w.s.Member(dave.Key)
	if !ok {
		t.Fatal("not admitted after two vouches")
	}
	if m.Name != "dave" || m.Number != 4 || len(m.VouchedBy) != 2 {
		t.Fatalf("member = %+v", m)
	}
	if len(r.Txs[0].Leaves) != 2 {
		t.Fatalf("admission should add tx and fact leaves, got %d", len(r.Txs[0].Leaves))
	}
	f, err := core.DecodeFact(r.Txs[0].Leaves[1])
	if err != nil || f.Type != core.FactAdmitted || f.Member != 4 || f.Name != "dave" || *f.Key != dave.Key {
		t.Fatalf("admission fact = %+v, %v", f, err)
	}
	if w.s.MemberCount() != 4 {
		t.Fatalf("member count %d", w.s.MemberCount())
	}
}

func TestVouchOfFormerMemberDoesNotCount(t *testing.T) {
	w := newWorld(t)
	w.ok(w.m["alice"].Vouch(w.m["dave"]))
	w.ok(w.m["alice"].Sign(&tx.Leave{}))
	w.ok(w.m["bob"].Vouch(w.m["dave"]))
	if _, ok := w.s.Member(w.m["dave"].Key); ok {
		t.Fatal("a vouch by a member who left was counted")
	}
	w.ok(w.m["carol"].Vouch(w.m["dave"]))
	if _, ok := w.s.Member(w.m["dave"].Key); !ok {
		t.Fatal("two current vouches did not admit")
	}
}

func TestRotation(t *testing.T) {
	w := newWorld(t)
	alice, alice2 := w.m["alice"], w.m["alice2"]
	r := w.ok(alice.RotateTo(alice2))
	f, _ := core.DecodeFact(r.Txs[0].Leaves[1])
	if f.Type != core.FactRotated || *f.Key != alice.Key || *f.NewKey != alice2.Key {
		t.Fatalf("rotation fact %+v", f)
	}
	m, ok := w.s.Member(alice2.Key)
	if !ok || m.Number != 1 || m.Name != "alice" {
		t.Fatalf("new key is not member 1: %+v", m)
	}
	// The new key starts at nonce 1; the old key is dead.
	w.ok(alice2.Vouch(w.m["dave"]))
	r = w.block(time.Second, alice.Vouch(w.m["dave"]))
	if r.Txs[0].Code != reject.DeadKey {
		t.Fatalf("old key: code %d %s", r.Txs[0].Code, r.Txs[0].Log)
	}
}

func TestProposalLifecycle(t *testing.T) {
	w := newWorld(t)
	w.admit("dave")
	id := w.propose(10 * time.Minute)
	p, _ := w.s.Proposal(id)
	if p.Status != core.Open || p.Eligible != 4 {
		t.Fatalf("proposal %+v: want open with 4 eligible", p)
	}
	a, b, c := w.m["alice"], w.m["bob"], w.m["carol"]
	w.ok(a.Ballot(id, tx.No), b.Ballot(id, tx.Yes), c.Ballot(id, tx.Abstain))
	w.ok(a.Ballot(id, tx.Yes)) // change of mind: the last ballot counts
	if p.Yes != 2 || p.No != 0 || p.Abstain != 1 {
		t.Fatalf("running tally %d/%d/%d", p.Yes, p.No, p.Abstain)
	}
	w.ok(w.m["bob"].Sign(&tx.Comment{Proposal: id, Text: "Which trees?"}))
	w.ok(w.m["alice"].Sign(&tx.Comment{Proposal: id, ReplyTo: 1, Text: "Oaks."}))
	w.ok(w.m["carol"].Sign(&tx.Endorse{Proposal: id}))
	if p.Comments != 2 || p.Endorsements() != 1 {
		t.Fatalf("comments %d endorsements %d", p.Comments, p.Endorsements())
	}
	// A block exactly at the close still takes ballots, then decides.
	w.now = time.Unix(0, p.Closes).Add(-time.Second)
	r := w.ok(w.m["dave"].Ballot(id, tx.No))
	if p.Status != core.Decided {
		t.Fatalf("not decided in the block at the close")
	}
	res := p.Result
	if res.Yes != 2 || res.No != 1 || res.Abstain != 1 || res.Eligible != 4 || !res.QuorumReached || !res.Passed {
		t.Fatalf("result %+v", res)
	}
	if len(r.End.Leaves) != 1 {
		t.Fatalf("decision leaves %d", len(r.End.Leaves))
	}
	f, _ := core.DecodeFact(r.End.Leaves[0])
	if f.Type != core.FactDecided || f.Proposal != id || !f.Passed || f.Yes != 2 {
		t.Fatalf("decision fact %+v", f)
	}
	if !strings.Contains(f.String(), "passed") {
		t.Fatalf("fact sentence %q", f.String())
	}
}

func TestDecidedWithNoTraffic(t *testing.T) {
	w := newWorld(t)
	id := w.propose(time.Hour)
	w.ok(w.m["alice"].Ballot(id, tx.Yes))
	w.block(30 * time.Minute)
	p, _ := w.s.Proposal(id)
	if p.Status != core.Open {
		t.Fatal("decided too early")
	}
	w.block(31 * time.Minute)
	if p.Status != core.Decided || !p.Result.QuorumReached || !p.Result.Passed {
		t.Fatalf("after the close with empty blocks: %v %+v", p.Status, p.Result)
	}
}

func TestQuorumAndScheduledOpening(t *testing.T) {
	w := newWorld(t)
	opens := w.now.Add(time.Hour).Unix()
	w.ok(w.m["alice"].Sign(&tx.Propose{Title: "Later", Body: "", Category: "budget", Opens: opens, Closes: opens + 600}))
	p, _ := w.s.Proposal(1)
	if p.Status != core.Scheduled {
		t.Fatalf("status %v", p.Status)
	}
	w.admit("dave") // joins before voting opens: part of the electorate
	w.block(time.Hour)
	if p.Status != core.Open || p.Eligible != 4 {
		t.Fatalf("after opening: %v eligible %d", p.Status, p.Eligible)
	}
	w.ok(w.m["dave"].Ballot(1, tx.Yes)) // 1 of 4 is below a third
	w.block(time.Hour)
	if p.Result == nil || p.Result.QuorumReached || p.Result.Passed {
		t.Fatalf("result %+v: quorum should be missed", p.Result)
	}
}

func TestRejections(t *testing.T) {
	closed := func(w *world) uint64 {
		id := w.propose(2 * time.Minute)
		w.block(3 * time.Minute)
		return id
	}
	tests := []struct {
		name  string
		setup func(w *world) []byte // returns the transaction to reject
		code  reject.Code
		says  string
	}{
		{"garbage bytes", func(w *world) []byte { return []byte{0x01, 0x02} }, reject.Malformed, "not canonical"},
		{"oversize", func(w *world) []byte { return make([]byte, tx.MaxTxBytes+1) }, reject.TooLarge, "over the limit"},
		{"wrong chain", func(w *world) []byte {
			m := coretest.NewMember("alice")
			m.Chain = "elsewhere-1"
			return m.Sign(&tx.Leave{})
		}, reject.WrongChain, `signed for community "elsewhere-1"`},
		{"bad signature", func(w *world) []byte {
			b := w.m["alice"].Sign(&tx.Leave{})
			b[len(b)-1] ^= 1
			return b
		}, reject.BadSignature, "signature does not match"},
		{"stranger", func(w *world) []byte { return w.m["frank"].Sign(&tx.Leave{}) }, reject.NotMember, "not a member"},
		{"former member", func(w *world) []byte {
			w.ok(w.m["carol"].Sign(&tx.Leave{}))
			return w.m["carol"].Sign(&tx.Endorse{Proposal: 1})
		}, reject.FormerMember, "left the community"},
		{"dead key", func(w *world) []byte {
			w.ok(w.m["alice"].RotateTo(w.m["alice2"]))
			return w.m["alice"].Sign(&tx.Leave{})
		}, reject.DeadKey, "rotated away"},
		{"replayed nonce", func(w *world) []byte {
			b := w.m["alice"].Vouch(w.m["dave"])
			w.ok(b)
			return b
		}, reject.BadNonce, "nonce 1 is not the next"},
		{"skipped nonce", func(w *world) []byte { return w.m["alice"].SignNonce(5, &tx.Leave{}) }, reject.BadNonce, "expects 1"},
		{"vouch for member", func(w *world) []byte { return w.m["alice"].Vouch(w.m["bob"]) }, reject.AlreadyMember, "already member 2"},
		{"vouch twice", func(w *world) []byte {
			w.ok(w.m["alice"].Vouch(w.m["dave"]))
			return w.m["alice"].Vouch(w.m["dave"])
		}, reject.AlreadyVouched, "already vouched"},
		{"vouch for former key", func(w *world) []byte {
			w.ok(w.m["carol"].Sign(&tx.Leave{}))
			return w.m["alice"].Vouch(w.m["carol"])
		}, reject.KeyRetired, "returning member joins with a new key"},
		{"vouch under another name", func(w *world) []byte {
			w.ok(w.m["alice"].Vouch(w.m["dave"]))
			return w.m["bob"].Sign(&tx.Vouch{Key: w.m["dave"].Key[:], Name: "David"})
		}, reject.NameMismatch, `under the name "dave"`},
		{"vouch for short key", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Vouch{Key: []byte{1, 2, 3}, Name: "x"})
		}, reject.BadKey, "32 bytes"},
		{"vouch with control character", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Vouch{Key: w.m["dave"].Key[:], Name: "da\x07ve"})
		}, reject.BadBody, "control character"},
		{"rotate to a member's key", func(w *world) []byte { return w.m["alice"].RotateTo(w.m["bob"]) }, reject.KeyRetired, "member 2"},
		{"rotate without the new key's consent", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Rotate{NewKey: w.m["alice2"].Key[:], Proof: make([]byte, 64)})
		}, reject.BadRotationProof, "did not sign"},
		{"unknown category", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Propose{Title: "T", Category: "sports", Closes: w.now.Add(time.Hour).Unix()})
		}, reject.UnknownCategory, `"sports" is not one`},
		{"voting too short", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Propose{Title: "T", Category: "general", Closes: w.now.Add(30 * time.Second).Unix()})
		}, reject.BadWindow, "allows 1m0s to 720h0m0s"},
		{"voting too long", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Propose{Title: "T", Category: "general", Closes: w.now.Add(40 * 24 * time.Hour).Unix()})
		}, reject.BadWindow, "720h0m0s"},
		{"opening in the past", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Propose{Title: "T", Category: "general", Opens: w.now.Add(-time.Hour).Unix(), Closes: w.now.Add(time.Hour).Unix()})
		}, reject.BadWindow, "already passed"},
		{"opening too far ahead", func(w *world) []byte {
			o := w.now.Add(100 * 24 * time.Hour).Unix()
			return w.m["alice"].Sign(&tx.Propose{Title: "T", Category: "general", Opens: o, Closes: o + 3600})
		}, reject.BadWindow, "at most 2160h0m0s ahead"},
		{"title too long", func(w *world) []byte {
			return w.m["alice"].Sign(&tx.Propose{Title: strings.Repeat("é", tx.MaxTitle+1), Category: "general", Closes: w.now.Add(time.Hour).Unix()})
		}, reject.BadBody, "201 characters; at most 200"},
		{"unknown proposal", func(w *world) []byte { return w.m["alice"].Ballot(9, tx.Yes) }, reject.UnknownProposal, "no proposal 9"},
		{"withdraw by another", func(w *world) []byte {
			id := w.propose(time.Hour)
			return w.m["bob"].Sign(&tx.Withdraw{Proposal: id})
		}, reject.NotAuthor, "only the author"},
		{"withdraw after opening", func(w *world) []byte {
			id := w.propose(time.Hour)
			return w.m["alice"].Sign(&tx.Withdraw{Proposal: id})
		}, reject.VotingStarted, "opened at"},
		{"ballot on withdrawn", func(w *world) []byte {
			o := w.now.Add(time.Hour).Unix()
			w.ok(w.m["alice"].Sign(&tx.Propose{Title: "T", Category: "general", Opens: o, Closes: o + 3600}))
			w.ok(w.m["alice"].Sign(&tx.Withdraw{Proposal: 1}))
			return w.m["bob"].Ballot(1, tx.Yes)
		}, reject.ProposalWithdrawn, "withdrawn"},
		{"reply to unknown comment", func(w *world) []byte {
			id := w.propose(time.Hour)
			return w.m["bob"].Sign(&tx.Comment{Proposal: id, ReplyTo: 4, Text: "?"})
		}, reject.UnknownComment, "no comment 4"},
		{"reply across proposals", func(w *world) []byte {
			a := w.propose(time.Hour)
			b := w.propose(time.Hour)
			w.ok(w.m["bob"].Sign(&tx.Comment{Proposal: a, Text: "on a"}))
			return w.m["bob"].Sign(&tx.Comment{Proposal: b, ReplyTo: 1, Text: "?"})
		}, reject.ReplyElsewhere, "is on proposal 1, not 2"},
		{"empty comment", func(w *world) []byte { return w.m["bob"].Sign(&tx.Comment{Proposal: 1}) }, reject.BadBody, "empty"},
		{"endorse twice", func(w *world) []byte {
			id := w.propose(time.Hour)
			w.ok(w.m["bob"].Sign(&tx.Endorse{Proposal: id}))
			return w.m["bob"].Sign(&tx.Endorse{Proposal: id})
		}, reject.AlreadyEndorsed, "already endorsed"},
		{"endorse decided", func(w *world) []byte {
			return w.m["bob"].Sign(&tx.Endorse{Proposal: closed(w)})
		}, reject.ProposalDecided, "was decided"},
		{"ballot too early", func(w *world) []byte {
			o := w.now.Add(time.Hour).Unix()
			w.ok(w.m["alice"].Sign(&tx.Propose{Title: "T", Category: "general", Opens: o, Closes: o + 3600}))
			return w.m["bob"].Ballot(1, tx.Yes)
		}, reject.BallotTooEarly, "opens at"},
		{"ballot too late", func(w *world) []byte {
			return w.m["bob"].Ballot(closed(w), tx.Yes)
		}, reject.BallotTooLate, "closed at"},
		{"ballot by a member who joined after opening", func(w *world) []byte {
			id := w.propose(time.Hour)
			w.admit("dave")
			return w.m["dave"].Ballot(id, tx.Yes)
		}, reject.NotEligible, "joined after voting"},
		{"ballot with an invalid choice", func(w *world) []byte {
			return w.m["bob"].Ballot(1, tx.Choice(4))
		}, reject.BadChoice, "choice 4"},
		{"same ballot twice", func(w *world) []byte {
			id := w.propose(time.Hour)
			w.ok(w.m["bob"].Ballot(id, tx.No))
			return w.m["bob"].Ballot(id, tx.No)
		}, reject.BallotUnchanged, "already no"},
	}
	for _, c := range constitutionRejections {
		tests = append(tests, struct {
			name  string
			setup func(w *world) []byte
			code  reject.Code
			says  string
		}(c))
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			bad := tt.setup(w)
			if _, err := w.s.BeginBlock(w.s.Height()+1, w.now); err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, bad, tt.code, tt.says)
		})
	}
}

// refuses applies bad (which may not even decode) to s, in a block already
// begun, and checks that it is rejected with code and a sentence that says
// says, with no leaves or events, and that the state is unchanged byte for
// byte. Every table of rejections goes through it.
func refuses(t *testing.T, s *core.State, bad []byte, code reject.Code, says string) {
	t.Helper()
	before, err := s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	root := s.Root()
	var got core.Result
	if decoded, derr := tx.Decode(bad); derr != nil {
		got = core.Result{Code: derr.Code, Log: derr.Msg}
	} else {
		got = s.Apply(decoded)
	}
	if got.Code != code {
		t.Fatalf("code %d (%s) %q, want %d (%s)", got.Code, got.Code, got.Log, code, code)
	}
	if !strings.Contains(got.Log, says) {
		t.Fatalf("sentence %q does not say %q", got.Log, says)
	}
	if len(got.Leaves) != 0 || len(got.Events) != 0 {
		t.Fatal("rejected tx produced leaves or events")
	}
	if after, _ := s.MarshalBinary(); !bytes.Equal(before, after) || s.Root() != root {
		t.Fatal("state changed by a rejected transaction")
	}
}

func TestGenesisValidation(t *testing.T) {
	a, b := coretest.NewMember("a"), coretest.NewMember("b")
	tests := []struct {
		name string
		edit func(c *core.Constitution)
		says string
	}{
		{"no name", func(c *core.Constitution) { c.Name = "" }, "name is empty"},
		{"no founders", func(c *core.Constitution) { c.Founders = nil }, "at least one founding member"},
		{"duplicate founder", func(c *core.Constitution) { c.Founders[1].Key = c.Founders[0].Key }, "already founder 0"},
		{"founder without name", func(c *core.Constitution) { c.Founders[1].Name = " x" }, "founders[1] name starts or ends with a space"},
		{"zero vouches", func(c *core.Constitution) { c.VouchesRequired = 0 }, "at least 1"},
		{"more vouches than founders", func(c *core.Constitution) { c.VouchesRequired = 3 }, "nobody could ever join"},
		{"tiny voting", func(c *core.Constitution) { c.MinVoting.Duration = time.Millisecond }, "at least 1s"},
		{"max below min", func(c *core.Constitution) { c.MaxVoting.Duration = time.Second }, "shorter than min_voting_period"},
		{"no quorum", func(c *core.Constitution) { c.Quorum.Den = 0 }, "quorum is missing"},
		{"impossible threshold", func(c *core.Constitution) { c.Threshold.Num, c.Threshold.Den = 1, 1 }, "can never be met"},
		{"no categories", func(c *core.Constitution) { c.Categories = nil }, "at least one proposal category"},
		{"repeated category", func(c *core.Constitution) { c.Categories = []string{"x", "x"} }, "listed twice"},
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
	for _, bad := range []string{`{}`, `{"constitution":{"name":"x","bogus":1}}`, `not json`, `{"constitution":{}} {}`} {
		if _, err := core.ParseGenesis([]byte(bad)); err == nil {
			t.Errorf("ParseGenesis(%s) accepted", bad)
		}
	}
}

func TestCheckpointRevert(t *testing.T) {
	w := newWorld(t)
	id := w.propose(time.Hour)
	w.admit("dave")
	w.ok(w.m["dave"].Sign(&tx.Delegate{Category: "general", Member: 3}))
	before, _ := w.s.MarshalBinary()
	root := w.s.Root()
	w.s.Checkpoint()
	// Inside the checkpoint: delegations made, replaced and withdrawn, and
	// a close that counts them.
	r0 := w.block(time.Second, w.m["bob"].Ballot(id, tx.Yes), w.m["alice"].Ballot(id, tx.No),
		w.m["carol"].Sign(&tx.Delegate{Category: "general", Member: 2}), w.m["carol"].Sign(&tx.Delegate{Category: "general", Member: 1}),
		w.m["dave"].Sign(&tx.Undelegate{Category: "general"}), w.m["dave"].Sign(&tx.Delegate{Category: "general", Member: 1}),
		w.m["alice"].Sign(&tx.Delegate{Category: "budget", Member: 2}), w.m["carol"].RotateTo(w.m["frank"]),
		w.m["alice"].Vouch(w.m["erin"]), w.m["dave"].Vouch(w.m["erin"]), w.m["bob"].Sign(&tx.Leave{}), w.m["dave"].Sign(&tx.Leave{}),
		w.m["alice"].Sign(&tx.Propose{Title: "X", Category: "general", Closes: w.now.Add(2 * time.Hour).Unix()}))
	for i, x := range r0.Txs {
		if x.Code != reject.OK {
			t.Fatalf("tx %d rejected inside the checkpoint: %s", i, x.Log)
		}
	}
	r := w.block(2*time.Hour, w.m["alice"].Sign(&tx.Comment{Proposal: id, Text: "late"}))
	if p, _ := w.s.Proposal(id); p.Delegated == nil || len(r.End.Leaves) < 2 {
		t.Fatalf("the close inside the checkpoint counted no delegation: %+v", p.Delegated)
	}
	w.s.Revert()
	after, _ := w.s.MarshalBinary()
	if !bytes.Equal(before, after) || w.s.Root() != root {
		t.Fatal("revert did not restore the state")
	}
}
