package core_test

import (
	"bytes"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

const day = 24 * time.Hour

// officeNames are the founders of the office fixture, members 1 to 6.
var officeNames = []string{"ada", "bram", "chiara", "dmitri", "eva", "femi"}

// officeGenesis has a clerk (one seat, a year, at most two terms in a row
// and three in a lifetime, may publish notices), a treasurer (one seat, a
// year, may record payments) and a council (three seats, two years, may
// publish notices); a third of the members recalls.
func officeGenesis(t testing.TB, ms []*coretest.Member) core.Genesis {
	g := coretest.Genesis(ms...)
	week := core.Duration{Duration: 7 * day}
	g.Constitution.Offices = []core.Office{
		{Name: "clerk", Seats: 1, Term: core.Duration{Duration: year}, MaxConsecutiveTerms: 2, MaxTerms: 3,
			NominationPeriod: week, VotingPeriod: week, Powers: []string{"notice"}},
		{Name: "treasurer", Seats: 1, Term: core.Duration{Duration: year}, NominationPeriod: week, VotingPeriod: week, Powers: []string{"payment"}},
		{Name: "council", Seats: 3, Term: core.Duration{Duration: 2 * year}, NominationPeriod: core.Duration{Duration: 14 * day},
			VotingPeriod: core.Duration{Duration: 14 * day}, Powers: []string{"notice"}},
	}
	g.Constitution.Recall = core.RecallPolicy{Petition: ratio(t, "1/3"), Voting: week}
	return g
}

// officeWorld is a community with offices whose every block is kept, for
// the replay at the end. With tryFirst, every block is first applied
// inside a checkpoint and reverted, and the state must come back byte for
// byte before the block is applied for good.
type officeWorld struct {
	t        *testing.T
	s        *core.State
	now      time.Time
	m        map[string]*coretest.Member
	app      []byte
	blocks   []history.Block
	tryFirst bool
}

func newOfficeWorld(t *testing.T) *officeWorld {
	t.Helper()
	w := &officeWorld{t: t, now: coretest.GenesisTime, m: map[string]*coretest.Member{}}
	var ms []*coretest.Member
	for _, n := range officeNames {
		w.m[n] = coretest.NewMember(n)
		ms = append(ms, w.m[n])
	}
	w.app = coretest.AppState(officeGenesis(t, ms))
	s, err := core.New(coretest.ChainID, coretest.GenesisTime, w.app)
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	return w
}

// block applies a block at time at and records it.
func (w *officeWorld) block(at time.Time, txs ...[]byte) core.BlockResult {
	w.t.Helper()
	if !at.After(w.now) {
		w.t.Fatalf("block at %s is not after %s", at, w.now)
	}
	w.now = at
	if w.tryFirst {
		before, err := w.s.MarshalBinary()
		if err != nil {
			w.t.Fatal(err)
		}
		root := w.s.Root()
		w.s.Checkpoint()
		if _, err := w.s.ApplyBlock(core.Block{Height: w.s.Height() + 1, Time: at, Txs: txs}, 0); err != nil {
			w.t.Fatal(err)
		}
		w.s.Revert()
		if after, _ := w.s.MarshalBinary(); !bytes.Equal(before, after) || w.s.Root() != root {
			w.t.Fatalf("a block at %s tried and reverted left the state changed", at)
		}
	}
	r, err := w.s.ApplyBlock(core.Block{Height: w.s.Height() + 1, Time: at, Txs: txs}, 0)
	if err != nil {
		w.t.Fatal(err)
	}
	codes := make([]uint32, len(r.Txs))
	for i, x := range r.Txs {
		codes[i] = uint32(x.Code)
	}
	w.blocks = append(w.blocks, history.Block{Height: w.s.Height(), Time: at.UnixNano(), Txs: txs, Codes: codes, AppHash: slices.Clone(r.Root[:])})
	return r
}

// ok applies txs in a block at time at and fails unless all are accepted.
func (w *officeWorld) ok(at time.Time, txs ...[]byte) core.BlockResult {
	w.t.Helper()
	r := w.block(at, txs...)
	for i, x := range r.Txs {
		if x.Code != reject.OK {
			w.t.Fatalf("tx %d rejected: %d %s", i, x.Code, x.Log)
		}
	}
	return r
}

// refused applies one transaction by name at time at and checks that it is
// refused with code and a sentence containing says.
func (w *officeWorld) refused(at time.Time, name string, body tx.Body, code reject.Code, says string) {
	w.t.Helper()
	m := w.m[name]
	r := w.block(at, m.Sign(body))
	m.Nonce--
	if got := r.Txs[0]; got.Code != code || !strings.Contains(got.Log, says) {
		w.t.Fatalf("%s's %s: code %d %q, want %d saying %q", name, body.Kind(), got.Code, got.Log, code, says)
	}
}

// pending returns the office's newest election that is not decided yet.
func (w *officeWorld) pending(office string) *core.Election {
	w.t.Helper()
	st, ok := w.s.OfficeStatus(office)
	if !ok || len(st.Elections) == 0 {
		w.t.Fatalf("office %s has no pending election", office)
	}
	return st.Elections[len(st.Elections)-1]
}

func (w *officeWorld) num(name string) uint32 {
	m, ok := w.s.Member(w.m[name].Key)
	if !ok {
		w.t.Fatalf("%s is not a member", name)
	}
	return m.Number
}

func (w *officeWorld) holders(office string) []uint32 {
	st, _ := w.s.OfficeStatus(office)
	var out []uint32
	for _, t := range st.Holders {
		out = append(out, t.Member)
	}
	return out
}

func at(ns int64) time.Time { return time.Unix(0, ns) }

func factTypes(t *testing.T, leaves [][]byte) []core.FactType {
	t.Helper()
	var out []core.FactType
	for _, l := range leaves {
		f, err := core.DecodeFact(l)
		if err != nil {
			t.Fatal(err)
		}
		if f.Type == core.FactBlock {
			continue
		}
		out = append(out, f.Type)
	}
	return out
}

// TestOfficesOverYears runs four years of block time through elections,
// term limits, a by-election after an empty election, a by-election after
// a member leaves, an office power used after its term, a recall and a
// lapsed petition; then the whole history is replayed. Every block is
// also tried and reverted first, so every change has its undo.
func TestOfficesOverYears(t *testing.T) {
	w := newOfficeWorld(t)
	w.tryFirst = true
	m := w.m
	G := coretest.GenesisTime
	// Genesis: each office's first election opens its nominations.
	if got := factTypes(t, w.s.GenesisLeaves()[7:]); !slices.Equal(got, []core.FactType{core.FactElectionOpened, core.FactElectionOpened, core.FactElectionOpened}) {
		t.Fatalf("genesis facts %v", got)
	}
	clerk1, treas1, council1 := w.pending("clerk"), w.pending("treasurer"), w.pending("council")
	if clerk1.Status != core.Nominating || clerk1.VotingOpens != G.Add(7*day).UnixNano() || clerk1.Closes != G.Add(14*day).UnixNano() ||
		clerk1.TermEnds != G.Add(14*day+year).UnixNano() || council1.Seats != 3 {
		t.Fatalf("first elections %+v %+v", clerk1, council1)
	}
	cand := func(name string, e *core.Election) []byte { return m[name].Sign(&tx.Candidacy{Election: e.ID}) }
	rank := func(name string, e *core.Election, r ...uint32) []byte {
		return m[name].Sign(&tx.Rank{Election: e.ID, Ranking: r})
	}
	w.ok(G.Add(time.Second), cand("ada", clerk1), cand("bram", clerk1), cand("chiara", treas1),
		cand("ada", council1), cand("bram", council1), cand("chiara", council1), cand("dmitri", council1), cand("eva", council1))
	w.refused(G.Add(2*time.Second), "ada", &tx.Rank{Election: clerk1.ID, Ranking: []uint32{1}}, reject.ElectionNotVoting, "voting in election 1 (clerk) opens at 2026-12-08 09:00:00 UTC")

	// Voting: three and three for the clerk's seat. IRV cannot break the
	// tie from the ballots, so the lot does: candidacy order, Ada stood
	// first, Bram is excluded.
	w.ok(G.Add(7*day+time.Second), rank("ada", clerk1, 1, 2), rank("bram", clerk1, 2, 1), rank("chiara", clerk1, 1), rank("dmitri", clerk1, 1),
		rank("eva", clerk1, 2), rank("femi", clerk1, 2, 1), rank("chiara", treas1, 3))
	w.refused(G.Add(7*day+2*time.Second), "ada", &tx.Candidacy{Election: clerk1.ID}, reject.NotNominating, "nominations for election 1 (clerk) closed at 2026-12-08 09:00:00 UTC")
	r := w.block(G.Add(14*day + time.Second))
	if clerk1.Status != core.ElectionDecided || !slices.Equal(clerk1.Winners, []uint32{1}) || clerk1.IRV == nil || len(clerk1.IRV.Ties) != 1 ||
		clerk1.IRV.Ties[0].By != "lot" || len(clerk1.IRV.Rounds) != 2 {
		t.Fatalf("clerk election %+v, count %+v", clerk1, clerk1.IRV)
	}
	if got := factTypes(t, r.End.Leaves); !slices.Equal(got, []core.FactType{core.FactElectionDecided, core.FactSeatFilled, core.FactElectionDecided, core.FactSeatFilled}) {
		t.Fatalf("close facts %v", got)
	}
	term1, _ := w.s.HolderOf("clerk", 1)
	T1 := G.Add(14*day + year)
	if term1.Since != clerk1.Closes || term1.Until != T1.UnixNano() || !slices.Equal(w.holders("treasurer"), []uint32{3}) {
		t.Fatalf("clerk's term %+v, treasurer %v", term1, w.holders("treasurer"))
	}
	clerk2 := w.pending("clerk")
	if clerk2.Status != core.ElectionScheduled || clerk2.Closes != T1.UnixNano() || clerk2.Opens != T1.Add(-14*day).UnixNano() {
		t.Fatalf("next clerk election %+v", clerk2)
	}

	// The council: STV for three seats among five.
	w.ok(G.Add(14*day+2*time.Second), rank("ada", council1, 1, 2, 3), rank("bram", council1, 2, 1), rank("chiara", council1, 3, 4),
		rank("dmitri", council1, 4, 3), rank("eva", council1, 5, 4), rank("femi", council1, 5, 1))
	w.block(G.Add(28*day + time.Second))
	if council1.STV == nil || len(council1.Winners) != 3 || !slices.Contains(council1.Winners, 5) || len(w.holders("council")) != 3 {
		t.Fatalf("council %+v", council1)
	}
	councillors := w.holders("council")

	// A budget of 1000 passes; the treasurer pays within it; the clerk
	// and a member without office cannot pay.
	closes := w.now.Add(time.Hour).Unix()
	w.ok(w.now.Add(time.Second), m["ada"].Sign(&tx.Propose{Title: "Repair the hall", Category: "budget", Type: "budget", Amount: 1000, Closes: closes}))
	budget := uint64(len(w.s.Proposals()))
	w.ok(w.now.Add(time.Second), m["ada"].Ballot(budget, tx.Yes), m["bram"].Ballot(budget, tx.Yes), m["chiara"].Ballot(budget, tx.Yes))
	pay := func(amount uint64) *tx.Payment {
		return &tx.Payment{Office: "treasurer", Budget: budget, Amount: amount, Payee: "Hall Builders Ltd", Memo: "roof"}
	}
	w.refused(w.now.Add(time.Second), "chiara", pay(10), reject.UnknownBudget, "budget proposal 1 is not decided yet")
	w.block(w.now.Add(2 * time.Hour))
	w.ok(w.now.Add(time.Second), m["chiara"].Sign(pay(600)))
	w.refused(w.now.Add(time.Second), "chiara", pay(500), reject.BudgetExceeded, "budget proposal 1 has 400 left of 1000; a payment of 500 would exceed it")
	w.refused(w.now.Add(time.Second), "ada", &tx.Payment{Office: "clerk", Budget: budget, Amount: 1, Payee: "x"}, reject.NoPower, `the office of clerk does not hold the power "payment"`)
	w.refused(w.now.Add(time.Second), "bram", pay(1), reject.NotHolder, "you hold no seat as treasurer")
	w.ok(w.now.Add(time.Second), m["ada"].Sign(&tx.Notice{Office: "clerk", Title: "Meeting", Text: "Thursday at eight."}))
	if w.s.Spent(budget) != 600 || len(w.s.Payments(budget)) != 1 || len(w.s.Notices()) != 1 {
		t.Fatalf("spent %d payments %d notices %d", w.s.Spent(budget), len(w.s.Payments(budget)), len(w.s.Notices()))
	}

	// Year two: Ada stands again; nobody stands for treasurer.
	w.ok(at(clerk2.Opens).Add(time.Second), cand("ada", clerk2))
	treas2 := w.pending("treasurer")
	w.ok(at(clerk2.VotingOpens).Add(time.Second), rank("bram", clerk2, 1))
	// The block at the very end of the term: the old terms end, the new
	// one begins at the same instant.
	r = w.block(T1)
	term2, _ := w.s.HolderOf("clerk", 1)
	if term1.Ended != T1.UnixNano() || term1.EndedBy != core.EndTerm || term2 == nil || term2.Since != term1.Until || term2.Until != T1.Add(year).UnixNano() {
		t.Fatalf("terms %+v then %+v", term1, term2)
	}
	if len(treas2.Winners) != 0 || len(w.holders("treasurer")) != 0 {
		t.Fatalf("treasurer election without candidates %+v", treas2)
	}
	// The treasurer's seat is empty: a by-election opens at once, and
	// Chiara's power ended with her term.
	byTreas := w.pending("treasurer")
	if !byTreas.ByElection || byTreas.TermEnds != T1.Add(year).UnixNano() || byTreas.Opens != T1.UnixNano() {
		t.Fatalf("by-election %+v", byTreas)
	}
	w.refused(T1.Add(time.Second), "chiara", pay(10), reject.TermEnded, "payment rejected: your term as treasurer ended on 2027-12-15 09:00:00 UTC")
	w.ok(T1.Add(2*time.Second), cand("dmitri", byTreas))
	w.ok(at(byTreas.VotingOpens).Add(time.Second), rank("ada", byTreas, 4))
	w.block(at(byTreas.Closes))
	if got := w.holders("treasurer"); !slices.Equal(got, []uint32{4}) {
		t.Fatalf("treasurer after the by-election %v", got)
	}
	dmitriTerm, _ := w.s.HolderOf("treasurer", 4)

	// A councillor leaves: the seat is vacated in that block and a
	// by-election opens for the rest of the council's term.
	leaver := officeNames[councillors[0]-1]
	r = w.ok(w.now.Add(time.Second), m[leaver].Sign(&tx.Leave{}))
	if got := factTypes(t, r.Txs[0].Leaves); !slices.Equal(got, []core.FactType{core.FactTx, core.FactLeft, core.FactSeatVacated, core.FactElectionOpened}) {
		t.Fatalf("leaving facts %v", got)
	}
	byCouncil := w.pending("council")
	if !byCouncil.ByElection || byCouncil.Seats != 1 || byCouncil.TermEnds != council1.TermEnds {
		t.Fatalf("council by-election %+v", byCouncil)
	}
	w.ok(w.now.Add(time.Second), cand("femi", byCouncil))
	w.ok(at(byCouncil.VotingOpens).Add(time.Second), rank("femi", byCouncil, 6))
	w.block(at(byCouncil.Closes).Add(time.Second))
	if got := w.holders("council"); len(got) != 3 || !slices.Contains(got, 6) || slices.Contains(got, councillors[0]) {
		t.Fatalf("council after the by-election %v", got)
	}

	// A recall: a third of the five members (two) sign against the
	// treasurer; the ballot passes; the seat is vacated; the by-election
	// seats Chiara.
	recallT := &tx.Recall{Office: "treasurer", Member: 4}
	w.ok(w.now.Add(time.Second), m["ada"].Sign(recallT))
	w.refused(w.now.Add(time.Second), "ada", recallT, reject.AlreadySigned, "you have already signed the petition to recall dmitri as treasurer (1 of 2 signatures)")
	r = w.ok(w.now.Add(time.Second), m["bram"].Sign(recallT))
	if got := factTypes(t, r.Txs[0].Leaves); !slices.Equal(got, []core.FactType{core.FactTx, core.FactRecallOpened}) {
		t.Fatalf("recall facts %v", got)
	}
	pet := w.s.Petitions()[0]
	ballot, _ := w.s.Proposal(pet.Proposal)
	if pet.Status != core.PetitionBallot || ballot.Measure != tx.RecallVote || ballot.Type != core.TypeRecall || ballot.Status != core.Open ||
		ballot.Closes != w.now.Add(7*day).UnixNano() || ballot.Threshold.String() != "1/2" {
		t.Fatalf("petition %+v ballot %+v", pet, ballot)
	}
	w.refused(w.now.Add(time.Second), "chiara", recallT, reject.RecallPending, "already open (proposal 2)")
	w.ok(w.now.Add(time.Second), m["ada"].Ballot(ballot.ID, tx.Yes), m["bram"].Ballot(ballot.ID, tx.Yes), m["chiara"].Ballot(ballot.ID, tx.Yes),
		m["dmitri"].Ballot(ballot.ID, tx.No))
	r = w.block(at(ballot.Closes).Add(time.Second))
	if got := factTypes(t, r.End.Leaves); !slices.Equal(got, []core.FactType{core.FactDecided, core.FactSeatVacated, core.FactElectionOpened}) {
		t.Fatalf("recall close facts %v", got)
	}
	if dmitriTerm.EndedBy != core.EndRecalled || len(w.holders("treasurer")) != 0 || pet.Status != core.PetitionDone {
		t.Fatalf("after the recall: term %+v petition %+v", dmitriTerm, pet)
	}
	w.refused(w.now.Add(time.Second), "dmitri", pay(1), reject.TermEnded, "(recalled)")
	w.refused(w.now.Add(time.Second), "ada", recallT, reject.RecallTermEnded, "dmitri's term as treasurer ended on")
	byRecall := w.pending("treasurer")
	w.ok(w.now.Add(time.Second), cand("chiara", byRecall))
	w.ok(at(byRecall.VotingOpens).Add(time.Second), rank("chiara", byRecall, 3))
	w.block(at(byRecall.Closes).Add(time.Second))
	if got := w.holders("treasurer"); !slices.Equal(got, []uint32{3}) {
		t.Fatalf("treasurer after the recall by-election %v", got)
	}

	// A petition against the clerk gathers one signature and lapses.
	w.ok(w.now.Add(time.Second), m["chiara"].Sign(&tx.Recall{Office: "clerk", Member: 1}))
	lapsing := w.s.Petitions()[1]
	r = w.block(at(lapsing.Expires))
	if lapsing.Status != core.PetitionLapsed || !slices.Contains(factTypes(t, r.End.Leaves), core.FactPetitionLapsed) {
		t.Fatalf("petition %+v", lapsing)
	}

	// Year three: Ada has served two terms in a row, the most allowed.
	clerk3 := w.pending("clerk")
	w.refused(at(clerk3.Opens).Add(time.Second), "ada", &tx.Candidacy{Election: clerk3.ID}, reject.ConsecutiveTermLimit,
		"candidacy rejected: ada has served 2 consecutive terms as clerk, the most the constitution allows; they may stand again after a term out of office")
	w.ok(w.now.Add(time.Second), cand("bram", clerk3))
	w.block(at(clerk3.Closes))
	if got := w.holders("clerk"); !slices.Equal(got, []uint32{2}) {
		t.Fatalf("clerk in year three %v", got)
	}
	w.refused(w.now.Add(time.Second), "ada", &tx.Notice{Office: "clerk", Title: "x", Text: "y"}, reject.TermEnded, "your term as clerk ended on 2028-12-14 09:00:00 UTC")

	// Year four: after a term out, Ada may stand again, and wins.
	clerk4 := w.pending("clerk")
	w.ok(at(clerk4.Opens).Add(time.Second), cand("ada", clerk4))
	w.block(at(clerk4.Closes))
	if got := w.holders("clerk"); !slices.Equal(got, []uint32{1}) {
		t.Fatalf("clerk in year four %v", got)
	}
	// Year five: her third term was her last.
	clerk5 := w.pending("clerk")
	w.refused(at(clerk5.Opens).Add(time.Second), "ada", &tx.Candidacy{Election: clerk5.ID}, reject.LifetimeTermLimit,
		"candidacy rejected: ada has served 3 terms as clerk, the most the constitution allows in a lifetime")
	w.block(at(clerk5.Closes).Add(time.Second))

	// Serialising keeps everything; the replay reproduces every root.
	data, err := w.s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := core.Restore(data)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := s2.MarshalBinary(); !bytes.Equal(data, again) {
		t.Fatal("restore does not round-trip")
	}
	var file bytes.Buffer
	root, _ := core.New(coretest.ChainID, coretest.GenesisTime, w.app)
	gr := root.Root()
	hw, err := history.NewWriter(&file, history.Header{ChainID: coretest.ChainID, GenesisTime: G.UnixNano(), AppState: w.app, GenesisRoot: gr[:]})
	if err != nil {
		t.Fatal(err)
	}
	for _, b := range w.blocks {
		if err := hw.WriteBlock(b); err != nil {
			t.Fatal(err)
		}
	}
	if err := hw.Close(); err != nil {
		t.Fatal(err)
	}
	sum, err := history.Verify(bytes.NewReader(file.Bytes()), history.Options{})
	if err != nil || sum.Root != w.s.Root() || sum.Blocks != int64(len(w.blocks)) {
		t.Fatalf("replay: %v, root %s want %s", err, sum.Root, w.s.Root())
	}
	// A second state fed the same blocks ends byte for byte the same.
	for _, b := range w.blocks {
		if _, err := root.ApplyBlock(core.Block{Height: b.Height, Time: time.Unix(0, b.Time), Txs: b.Txs}, 1); err != nil {
			t.Fatal(err)
		}
	}
	if replayed, _ := root.MarshalBinary(); !bytes.Equal(replayed, data) {
		t.Fatal("replayed state differs")
	}
	// A state restored from its snapshot after every block continues
	// exactly as the original.
	again, _ := core.New(coretest.ChainID, coretest.GenesisTime, w.app)
	for _, b := range w.blocks {
		snap, err := again.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		if again, err = core.Restore(snap); err != nil {
			t.Fatal(err)
		}
		r, err := again.ApplyBlock(core.Block{Height: b.Height, Time: time.Unix(0, b.Time), Txs: b.Txs}, 1)
		if err != nil || !bytes.Equal(r.Root[:], b.AppHash) {
			t.Fatalf("restored state diverged at height %d: %v", b.Height, err)
		}
	}
	if w.s.Time().Sub(G) < 4*year {
		t.Fatalf("the scenario covered only %s", w.s.Time().Sub(G))
	}
}
