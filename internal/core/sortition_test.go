package core_test

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/sortition"
	"github.com/folkmoot/folkmoot/internal/tx"
)

func secretOf(name string, round int) []byte {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", name, round)))
	return h[:]
}

// drawWorld has five members (alice, bob, carol founders; dave and erin
// admitted) and a draw of 2 seats among volunteers called by alice:
// volunteering for 10 s, commitments for 10 s more, reveals for 10 s more.
func drawWorld(t *testing.T, volunteers bool) (*world, uint64) {
	w := newWorld(t)
	w.admit("dave")
	w.admit("erin")
	now := w.now.Add(time.Second)
	b := &tx.Draw{Title: "Citizens' panel", Seats: 2, CommitUntil: now.Add(20 * time.Second).Unix(), RevealUntil: now.Add(30 * time.Second).Unix()}
	if volunteers {
		b.Volunteers, b.VolunteerUntil = true, now.Add(10*time.Second).Unix()
	}
	w.ok(w.m["alice"].Sign(b))
	return w, uint64(len(w.s.Draws()))
}

func (w *world) commit(id uint64, round int, names ...string) []byte {
	d, _ := w.s.Draw(id)
	var out [][]byte
	for _, n := range names {
		m, _ := w.s.Member(w.m[n].Key)
		c := core.BeaconCommitment(id, d.Round, m.Number, secretOf(n, round))
		out = append(out, w.m[n].Sign(&tx.BeaconCommit{Draw: id, Commitment: c[:]}))
	}
	w.ok(out...)
	return nil
}

func (w *world) reveal(id uint64, round int, names ...string) {
	var out [][]byte
	for _, n := range names {
		out = append(out, w.m[n].Sign(&tx.BeaconReveal{Draw: id, Secret: secretOf(n, round)}))
	}
	w.ok(out...)
}

func (w *world) until(ns int64) {
	w.block(time.Duration(ns-w.now.UnixNano()) + time.Millisecond)
}

func TestDrawAmongVolunteers(t *testing.T) {
	w, id := drawWorld(t, true)
	for _, n := range []string{"bob", "dave", "erin", "alice"} {
		w.ok(w.m[n].Sign(&tx.Volunteer{Draw: id}))
	}
	d, _ := w.s.Draw(id)
	w.until(d.CommitFrom)
	w.commit(id, 0, "alice", "bob", "carol")
	w.until(d.CommitUntil)
	w.reveal(id, 0, "alice", "bob") // carol stays silent
	r := w.block(time.Duration(d.RevealUntil-w.now.UnixNano()) + time.Millisecond)
	if d.Status != core.DrawDone || len(d.Selected) != 2 || fmt.Sprint(d.NonRevealers) != "[3]" || fmt.Sprint(d.Pool) != "[1 2 4 5]" {
		t.Fatalf("draw: %v %v pool %v silent %v (%s)", d.Status, d.Selected, d.Pool, d.NonRevealers, d.Why)
	}
	if err := core.VerifyDraw(d); err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, l := range r.End.Leaves {
		if f, err := core.DecodeFact(l); err == nil && f.Type == core.FactDrawn {
			found = fmt.Sprint(f.Winners) == fmt.Sprint(d.Selected) && f.Draw == id
		}
	}
	if !found {
		t.Fatal("no drawn fact naming the selected members")
	}
	// Carol did not reveal: she may not commit to the next draw.
	w2 := w
	now := w2.now.Add(time.Second)
	w2.ok(w2.m["bob"].Sign(&tx.Draw{Title: "Auditors", Seats: 1, CommitUntil: now.Add(10 * time.Second).Unix(), RevealUntil: now.Add(20 * time.Second).Unix()}))
	c := core.BeaconCommitment(2, 0, 3, secretOf("carol", 0))
	if _, err := w2.s.BeginBlock(w2.s.Height()+1, w2.now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	refuses(t, w2.s, w2.m["carol"].Sign(&tx.BeaconCommit{Draw: 2, Commitment: c[:]}), reject.BarredFromBeacon, "did not reveal")
}

func TestDrawReplays(t *testing.T) {
	w, id := drawWorld(t, true)
	w.ok(w.m["bob"].Sign(&tx.Volunteer{Draw: id}), w.m["erin"].Sign(&tx.Volunteer{Draw: id}), w.m["dave"].Sign(&tx.Volunteer{Draw: id}))
	d, _ := w.s.Draw(id)
	w.until(d.CommitFrom)
	w.commit(id, 0, "alice", "erin")
	w.until(d.CommitUntil)
	w.reveal(id, 0, "alice", "erin")
	w.until(d.RevealUntil)
	if d.Status != core.DrawDone {
		t.Fatalf("%v %q", d.Status, d.Why)
	}
	w.replay()
}

func TestDrawRedoneThenFailed(t *testing.T) {
	w, id := drawWorld(t, false)
	d, _ := w.s.Draw(id)
	w.commit(id, 0, "alice")
	w.until(d.RevealUntil) // nobody revealed: round 1
	if d.Round != 1 || d.Status != core.DrawCollecting {
		t.Fatalf("after a silent round: round %d %v", d.Round, d.Status)
	}
	w.commit(id, 1, "bob", "dave")
	w.until(d.CommitUntil)
	w.reveal(id, 1, "bob")
	w.until(d.RevealUntil)
	if d.Status != core.DrawDone || d.Round != 1 || len(d.Selected) != 2 || fmt.Sprint(d.NonRevealers) != "[4]" {
		t.Fatalf("round 1: %v %v %v", d.Status, d.Selected, d.NonRevealers)
	}
	if err := core.VerifyDraw(d); err != nil {
		t.Fatal(err)
	}
	w.replay()

	w, id = drawWorld(t, false)
	d, _ = w.s.Draw(id)
	for i := 0; i < 3; i++ {
		w.until(d.RevealUntil)
	}
	if d.Status != core.DrawFailed || !strings.Contains(d.Why, "already redone 2 times") {
		t.Fatalf("after three silent rounds: %v %q", d.Status, d.Why)
	}
	w.replay()
}

func TestDrawTooFewVolunteers(t *testing.T) {
	w, id := drawWorld(t, true)
	w.ok(w.m["bob"].Sign(&tx.Volunteer{Draw: id}))
	d, _ := w.s.Draw(id)
	w.until(d.CommitFrom)
	w.commit(id, 0, "alice")
	w.until(d.CommitUntil)
	w.reveal(id, 0, "alice")
	w.until(d.RevealUntil)
	if d.Status != core.DrawFailed || d.Why != "1 eligible for 2 seats" {
		t.Fatalf("%v %q", d.Status, d.Why)
	}
	w.replay()
}

func TestDrawRejections(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world, id uint64) []byte
		code  reject.Code
		says  string
	}{
		{"no seats", func(w *world, id uint64) []byte {
			return w.m["alice"].Sign(&tx.Draw{Title: "x", CommitUntil: 5, RevealUntil: 6})
		}, reject.BadDraw, "1 to 1000 seats"},
		{"windows out of order", func(w *world, id uint64) []byte {
			return w.m["alice"].Sign(&tx.Draw{Title: "x", Seats: 1, CommitUntil: 9e9, RevealUntil: 8e9})
		}, reject.BadDraw, "must follow each other"},
		{"unknown draw", func(w *world, id uint64) []byte {
			return w.m["bob"].Sign(&tx.Volunteer{Draw: 9})
		}, reject.UnknownDraw, "there is no draw 9"},
		{"volunteer twice", func(w *world, id uint64) []byte {
			w.ok(w.m["bob"].Sign(&tx.Volunteer{Draw: id}))
			return w.m["bob"].Sign(&tx.Volunteer{Draw: id})
		}, reject.AlreadyDone, "already volunteered"},
		{"commit while volunteering", func(w *world, id uint64) []byte {
			c := core.BeaconCommitment(id, 0, 2, secretOf("bob", 0))
			return w.m["bob"].Sign(&tx.BeaconCommit{Draw: id, Commitment: c[:]})
		}, reject.DrawWindow, "commitments to draw 1 are taken from"},
		{"a reveal that does not match", func(w *world, id uint64) []byte {
			d, _ := w.s.Draw(id)
			w.until(d.CommitFrom)
			w.commit(id, 0, "bob")
			w.until(d.CommitUntil)
			return w.m["bob"].Sign(&tx.BeaconReveal{Draw: id, Secret: secretOf("bob", 7)})
		}, reject.BadBeacon, "does not match your commitment"},
		{"a reveal without commitment", func(w *world, id uint64) []byte {
			d, _ := w.s.Draw(id)
			w.until(d.CommitUntil)
			return w.m["bob"].Sign(&tx.BeaconReveal{Draw: id, Secret: secretOf("bob", 0)})
		}, reject.NoCommitment, "did not commit"},
		{"a short secret", func(w *world, id uint64) []byte {
			return w.m["bob"].Sign(&tx.BeaconReveal{Draw: id, Secret: []byte{1}})
		}, reject.BadBeacon, "32 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, id := drawWorld(t, true)
			bad := tt.setup(w, id)
			if _, err := w.s.BeginBlock(w.s.Height()+1, w.now.Add(time.Millisecond)); err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, bad, tt.code, tt.says)
		})
	}
}

// TestOfficeByLot fills an office by lot through two terms: candidacies
// are the pool, the members feed each election's draw, the drawn member
// takes the seat, and ranked ballots are refused.
func TestOfficeByLot(t *testing.T) {
	w := newWorld(t)
	w.app = []byte(strings.TrimSuffix(string(w.app), "}}") +
		`,"offices":[{"name":"auditor","seats":1,"term":"40s","nomination_period":"10s","voting_period":"10s","selection":"sortition"}]}}`)
	s, err := core.New(coretest.ChainID, w.now, w.app)
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	t0 := w.now
	at := func(d time.Duration, txs ...[]byte) core.BlockResult {
		t.Helper()
		w.now = t0.Add(d - time.Second)
		return w.ok(txs...)
	}
	at(time.Second, w.m["alice"].Sign(&tx.Candidacy{Election: 1}), w.m["bob"].Sign(&tx.Candidacy{Election: 1}))
	at(11 * time.Second) // voting opens: the draw is called
	e, _ := w.s.Election(1)
	if e.Draw != 1 {
		t.Fatalf("election 1 has draw %d", e.Draw)
	}
	d, _ := w.s.Draw(1)
	if fmt.Sprint(d.Volunteers) != "[1 2]" || d.RevealUntil != e.Closes {
		t.Fatalf("draw for election 1: pool %v, reveals until %d (closes %d)", d.Volunteers, d.RevealUntil, e.Closes)
	}
	w.commit(1, 0, "alice", "carol")
	if _, err := w.s.BeginBlock(w.s.Height()+1, w.now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	refuses(t, w.s, w.m["carol"].Sign(&tx.Rank{Election: 1, Ranking: []uint32{1}}), reject.ByLot, "auditor is filled by lot")
}

func TestOfficeByLotTerms(t *testing.T) {
	w := newWorld(t)
	w.app = []byte(strings.TrimSuffix(string(w.app), "}}") +
		`,"offices":[{"name":"auditor","seats":1,"term":"40s","nomination_period":"10s","voting_period":"10s","selection":"sortition"}]}}`)
	s, err := core.New(coretest.ChainID, w.now, w.app)
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	t0 := w.now
	at := func(d time.Duration, txs ...[]byte) {
		t.Helper()
		w.now = t0.Add(d - time.Second)
		w.ok(txs...)
	}
	at(time.Second, w.m["alice"].Sign(&tx.Candidacy{Election: 1}), w.m["bob"].Sign(&tx.Candidacy{Election: 1}))
	at(11 * time.Second)
	w.commit(1, 0, "alice", "carol")
	at(16 * time.Second)
	w.reveal(1, 0, "alice", "carol")
	at(21 * time.Second)
	d, _ := w.s.Draw(1)
	e, _ := w.s.Election(1)
	if d.Status != core.DrawDone || e.Status != core.ElectionDecided || fmt.Sprint(e.Winners) != fmt.Sprint(d.Selected) {
		t.Fatalf("election 1: %v winners %v, draw %v %v (%s)", e.Status, e.Winners, d.Status, d.Selected, d.Why)
	}
	first := e.Winners[0]
	// The second term: only carol stands.
	at(41*time.Second, w.m["carol"].Sign(&tx.Candidacy{Election: 2}))
	at(51 * time.Second)
	e2, _ := w.s.Election(2)
	w.commit(e2.Draw, 0, "bob")
	at(56 * time.Second)
	w.reveal(e2.Draw, 0, "bob")
	at(61 * time.Second)
	if e2.Status != core.ElectionDecided || fmt.Sprint(e2.Winners) != "[3]" {
		t.Fatalf("election 2: %v %v", e2.Status, e2.Winners)
	}
	var holders []uint32
	for _, tm := range w.s.Terms() {
		holders = append(holders, tm.Member)
	}
	if fmt.Sprint(holders) != fmt.Sprint([]uint32{first, 3}) {
		t.Fatalf("terms held by %v", holders)
	}
	w.replay()
}

func lotteryOf(t *testing.T, d *sortition.Distribution) []tx.LotteryPanel {
	t.Helper()
	var out []tx.LotteryPanel
	for _, p := range d.Panels {
		lp := tx.LotteryPanel{Weight: p.Weight}
		for _, ts := range p.Seats {
			lp.Seats = append(lp.Seats, tx.TypeSeats{Type: uint32(ts.Type), Count: uint32(ts.Count)})
		}
		out = append(out, lp)
	}
	return out
}

// stratWorld has five members with declared streets (alice and bob on Elm,
// carol, dave and erin on Oak; frank, admitted, on Ash), a draw of two with
// one seat per street for Elm and Oak, four volunteers, and volunteering
// just ended; it returns the LEXIMIN lottery.
func stratWorld(t *testing.T) (*world, *core.Draw, *sortition.Distribution) {
	w := newWorld(t)
	w.admit("dave")
	w.admit("erin")
	w.admit("frank")
	street := func(n, v string) []byte {
		return w.m[n].Sign(&tx.Declare{Attributes: []tx.Attribute{{Name: "age", Value: "30-49"}, {Name: "street", Value: v}}})
	}
	w.ok(street("alice", "Elm"), street("bob", "Elm"), street("carol", "Oak"), street("dave", "Oak"), street("erin", "Oak"), street("frank", "Ash"))
	now := w.now.Add(time.Second)
	w.ok(w.m["alice"].Sign(&tx.Draw{Title: "Street panel", Seats: 2, Volunteers: true, VolunteerUntil: now.Add(10 * time.Second).Unix(),
		CommitUntil: now.Add(20 * time.Second).Unix(), RevealUntil: now.Add(30 * time.Second).Unix(),
		Quotas: []tx.Quota{{Feature: "street", Value: "Elm", Min: 1, Max: 1}, {Feature: "street", Value: "Oak", Min: 1, Max: 1}}}))
	w.ok(w.m["alice"].Sign(&tx.Volunteer{Draw: 1}), w.m["bob"].Sign(&tx.Volunteer{Draw: 1}),
		w.m["dave"].Sign(&tx.Volunteer{Draw: 1}), w.m["erin"].Sign(&tx.Volunteer{Draw: 1}))
	if _, err := w.s.BeginBlock(w.s.Height()+1, w.now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	refuses(t, w.s, w.m["frank"].Sign(&tx.Volunteer{Draw: 1}), reject.NotDeclared, "draw 1 has no quota for street=Ash")
	w.s.EndBlock()
	w.hist = append(w.hist, history.Block{Height: w.s.Height(), Time: w.now.Add(time.Second).UnixNano(), AppHash: rootOf(w.s)})
	w.now = w.now.Add(time.Second)
	d, _ := w.s.Draw(1)
	w.until(d.VolunteerUntil)
	dist, err := sortition.Leximin(d.Instance(d.Volunteers))
	if err != nil {
		t.Fatal(err)
	}
	return w, d, dist
}

func rootOf(s *core.State) []byte {
	r := s.Root()
	return r[:]
}

func TestStratifiedDrawRejections(t *testing.T) {
	w, d, dist := stratWorld(t)
	c := core.BeaconCommitment(d.ID, 0, 2, secretOf("bob", 0))
	if _, err := w.s.BeginBlock(w.s.Height()+1, w.now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	next := func(n string, b tx.Body) []byte { return w.m[n].SignNonce(w.s.NextNonce(w.m[n].Key), b) }
	refuses(t, w.s, next("bob", &tx.BeaconCommit{Draw: d.ID, Commitment: c[:]}), reject.DrawWindow, "lottery is not published yet")
	bad := lotteryOf(t, dist)
	bad[0].Weight++
	refuses(t, w.s, next("alice", &tx.DrawLottery{Draw: d.ID, Panels: bad}), reject.BadLottery, "it does not fit draw 1")
	refuses(t, w.s, next("bob", &tx.DrawLottery{Draw: d.ID, Panels: lotteryOf(t, dist)}), reject.BadLottery, "only the member who called")
}

// TestStratifiedDraw publishes the LEXIMIN lottery after volunteering,
// feeds the beacon, and checks the panel meets the quotas, re-runs and
// replays.
func TestStratifiedDraw(t *testing.T) {
	w, d, dist := stratWorld(t)
	w.ok(w.m["alice"].Sign(&tx.DrawLottery{Draw: d.ID, Panels: lotteryOf(t, dist)}))
	w.commit(d.ID, 0, "bob", "carol")
	w.until(d.CommitUntil)
	w.reveal(d.ID, 0, "bob", "carol")
	w.until(d.RevealUntil)
	if d.Status != core.DrawDone || len(d.Selected) != 2 {
		t.Fatalf("%v %v %q", d.Status, d.Selected, d.Why)
	}
	elm := 0
	for _, m := range d.Selected {
		if m <= 2 {
			elm++
		}
	}
	if elm != 1 {
		t.Fatalf("panel %v has %d from Elm, want 1", d.Selected, elm)
	}
	if err := core.VerifyDraw(d); err != nil {
		t.Fatal(err)
	}
	w.replay()
}
