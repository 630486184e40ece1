package abci

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/tx/txtest"
)

type recordSink struct{ blocks []Committed }

func (r *recordSink) Commit(c Committed) error { r.blocks = append(r.blocks, c); return nil }

type fixture struct {
	t      *testing.T
	app    *App
	sink   *recordSink
	now    time.Time
	height int64
	alice  *coretest.Member
	bob    *coretest.Member
	carol  *coretest.Member
}

var ctx = context.Background()

func newFixture(t *testing.T) *fixture {
	t.Helper()
	f := &fixture{t: t, sink: &recordSink{}, now: coretest.GenesisTime,
		alice: coretest.NewMember("alice"), bob: coretest.NewMember("bob"), carol: coretest.NewMember("carol")}
	f.app = New(Options{Sink: f.sink})
	res, err := f.app.InitChain(ctx, &abcitypes.InitChainRequest{ChainId: coretest.ChainID, Time: f.now,
		AppStateBytes: coretest.AppState(coretest.Genesis(f.alice, f.bob, f.carol)), InitialHeight: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.AppHash) != 32 {
		t.Fatal("no app hash at genesis")
	}
	return f
}

func (f *fixture) check(raw []byte) *abcitypes.CheckTxResponse {
	f.t.Helper()
	r, err := f.app.CheckTx(ctx, &abcitypes.CheckTxRequest{Tx: raw})
	if err != nil {
		f.t.Fatal(err)
	}
	return r
}

// block runs a whole round: prepare, process, finalize, commit.
func (f *fixture) block(txs ...[]byte) *abcitypes.FinalizeBlockResponse {
	f.t.Helper()
	f.height++
	f.now = f.now.Add(time.Second)
	prep, err := f.app.PrepareProposal(ctx, &abcitypes.PrepareProposalRequest{Txs: txs, MaxTxBytes: 1 << 20, Height: f.height, Time: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	proc, err := f.app.ProcessProposal(ctx, &abcitypes.ProcessProposalRequest{Txs: prep.Txs, Height: f.height, Time: f.now})
	if err != nil || proc.Status != abcitypes.PROCESS_PROPOSAL_STATUS_ACCEPT {
		f.t.Fatalf("own proposal not accepted: %v %v", proc, err)
	}
	fin, err := f.app.FinalizeBlock(ctx, &abcitypes.FinalizeBlockRequest{Txs: prep.Txs, Height: f.height, Time: f.now})
	if err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.app.Commit(ctx, &abcitypes.CommitRequest{}); err != nil {
		f.t.Fatal(err)
	}
	if err := f.app.Flush(); err != nil {
		f.t.Fatal(err)
	}
	return fin
}

func TestCheckTx(t *testing.T) {
	f := newFixture(t)
	dave := coretest.NewMember("dave")
	// Three transactions in a row from one author, before any block.
	for i, raw := range [][]byte{f.alice.Vouch(dave), f.alice.Sign(&tx.Propose{Title: "T", Category: "general", Closes: f.now.Add(time.Hour).Unix()}), f.alice.Sign(&tx.Comment{Proposal: 1, Text: "hi"})} {
		if i == 2 {
			// A comment on a proposal not yet in a block is judged on the
			// committed state: refused now, fine after the block.
			if r := f.check(raw); r.Code != uint32(reject.UnknownProposal) {
				t.Fatalf("comment: code %d %s", r.Code, r.Log)
			}
			continue
		}
		if r := f.check(raw); r.Code != 0 {
			t.Fatalf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	bad := f.bob.Sign(&tx.Leave{})
	bad[len(bad)-1] ^= 1
	tests := []struct {
		name string
		raw  []byte
		code reject.Code
	}{
		{"bad signature", bad, reject.BadSignature},
		{"garbage", []byte("hello"), reject.Malformed},
		{"stranger", dave.Sign(&tx.Leave{}), reject.NotMember},
		{"nonce gap", f.carol.SignNonce(3, &tx.Leave{}), reject.BadNonce},
		{"ballot on nothing", f.carol.SignNonce(1, &tx.Ballot{Proposal: 7, Choice: tx.Yes}), reject.UnknownProposal},
	}
	for _, tt := range tests {
		r := f.check(tt.raw)
		if r.Code != uint32(tt.code) || r.Log == "" || r.Codespace != "folkmoot" {
			t.Errorf("%s: got code %d %q, want %d", tt.name, r.Code, r.Log, tt.code)
		}
	}
	// After the block, a replay of an accepted transaction is refused.
	vouch := f.bob.Vouch(dave)
	f.block(vouch)
	if r := f.check(vouch); r.Code != uint32(reject.BadNonce) {
		t.Fatalf("replay after the block: code %d %s", r.Code, r.Log)
	}
}

func TestProcessProposalRejectsInvalidTx(t *testing.T) {
	f := newFixture(t)
	good := f.alice.Sign(&tx.Propose{Title: "T", Category: "general", Closes: f.now.Add(time.Hour).Unix()})
	replay := good
	tooLate := f.bob.SignNonce(1, &tx.Ballot{Proposal: 9, Choice: tx.Yes})
	before, _ := f.app.Info(ctx, &abcitypes.InfoRequest{})
	for name, txs := range map[string][][]byte{
		"replayed nonce":   {good, replay},
		"unknown proposal": {good, tooLate},
		"malformed":        {[]byte{0xff}},
		"unsigned":         {append(good[:len(good)-64:len(good)-64], make([]byte, 64)...)},
		"oversize":         {make([]byte, tx.MaxTxBytes+1)},
	} {
		r, err := f.app.ProcessProposal(ctx, &abcitypes.ProcessProposalRequest{Txs: txs, Height: 1, Time: f.now.Add(time.Second)})
		if err != nil || r.Status != abcitypes.PROCESS_PROPOSAL_STATUS_REJECT {
			t.Errorf("%s: a byzantine block was not rejected: %v %v", name, r, err)
		}
	}
	// PrepareProposal drops the bad ones and keeps the good.
	prep, _ := f.app.PrepareProposal(ctx, &abcitypes.PrepareProposalRequest{Txs: [][]byte{good, replay, tooLate, {0xff}}, MaxTxBytes: 1 << 20, Height: 1, Time: f.now.Add(time.Second)})
	if len(prep.Txs) != 1 || string(prep.Txs[0]) != string(good) {
		t.Fatalf("prepared %d txs", len(prep.Txs))
	}
	after, _ := f.app.Info(ctx, &abcitypes.InfoRequest{})
	if before.LastBlockHeight != after.LastBlockHeight || string(before.LastBlockAppHash) != string(after.LastBlockAppHash) {
		t.Fatal("trying proposals changed the state")
	}
	f.block(good)
	if f.sink.blocks[0].Height != 1 || len(f.sink.blocks[0].Txs) != 1 {
		t.Fatalf("sink got %+v", f.sink.blocks)
	}
}

func TestFinalizeQueryAndProof(t *testing.T) {
	f := newFixture(t)
	f.block(f.alice.Sign(&tx.Propose{Title: "Bench by the pond", Category: "general", Closes: f.now.Add(2 * time.Minute).Unix()}))
	ballot := f.bob.Ballot(1, tx.Yes)
	fin := f.block(ballot, f.carol.Ballot(1, tx.No))
	if len(fin.TxResults) != 2 || fin.TxResults[0].Code != 0 {
		t.Fatalf("results %+v", fin.TxResults)
	}
	if len(fin.TxResults[0].Events) != 1 || fin.TxResults[0].Events[0].Type != "folkmoot.ballot" {
		t.Fatalf("events %+v", fin.TxResults[0].Events)
	}
	d, _ := tx.Decode(ballot)
	q, _ := f.app.Query(ctx, &abcitypes.QueryRequest{Path: "/proof", Data: []byte(d.ID().String())})
	if q.Code != 0 {
		t.Fatalf("proof query: %s", q.Log)
	}
	var p query.Proof
	if err := json.Unmarshal(q.Value, &p); err != nil {
		t.Fatal(err)
	}
	if p.Height != 2 || string(p.AppHash[:]) != string(fin.AppHash) || p.Proof.Verify(p.Leaf, p.AppHash) != nil {
		t.Fatalf("proof does not check against block 2's app hash: %+v", p)
	}
	if !strings.Contains(p.Fact, d.ID().String()) {
		t.Fatalf("fact %q", p.Fact)
	}
	q, _ = f.app.Query(ctx, &abcitypes.QueryRequest{Path: "/proposal", Data: []byte("1")})
	var prop query.Proposal
	json.Unmarshal(q.Value, &prop)
	if prop.Yes != 1 || prop.No != 1 || prop.Title != "Bench by the pond" || prop.AuthorName != "alice" {
		t.Fatalf("proposal %+v", prop)
	}
	for _, path := range []string{"/nothing", "/proposal", "/member", "/proof"} {
		if q, _ := f.app.Query(ctx, &abcitypes.QueryRequest{Path: path, Data: []byte("zz")}); q.Code == 0 || q.Log == "" {
			t.Errorf("query %s with bad data answered %d", path, q.Code)
		}
	}
}

// TestReplayAfterRestart feeds the same blocks to a fresh app, as CometBFT's
// handshake does after a restart, and compares app hashes.
func TestReplayAfterRestart(t *testing.T) {
	f := newFixture(t)
	var hashes [][]byte
	f.block(f.alice.Sign(&tx.Propose{Title: "T", Category: "general", Closes: f.now.Add(90 * time.Second).Unix()}))
	hashes = append(hashes, f.sink.blocks[0].Result.Root[:])
	for i := 0; i < 100; i++ {
		var txs [][]byte
		if i == 3 {
			txs = append(txs, f.bob.Ballot(1, tx.Yes), f.carol.Ballot(1, tx.Yes))
		}
		fin := f.block(txs...)
		hashes = append(hashes, fin.AppHash)
	}
	g := New(Options{})
	g.InitChain(ctx, &abcitypes.InitChainRequest{ChainId: coretest.ChainID, Time: coretest.GenesisTime,
		AppStateBytes: coretest.AppState(coretest.Genesis(f.alice, f.bob, f.carol))})
	for i, b := range f.sink.blocks {
		fin, err := g.FinalizeBlock(ctx, &abcitypes.FinalizeBlockRequest{Txs: b.Txs, Height: b.Height, Time: b.Time})
		if err != nil {
			t.Fatal(err)
		}
		g.Commit(ctx, &abcitypes.CommitRequest{})
		if string(fin.AppHash) != string(hashes[i]) {
			t.Fatalf("replayed block %d has another app hash", b.Height)
		}
	}
	q, _ := g.Query(ctx, &abcitypes.QueryRequest{Path: "/proposal", Data: []byte("1")})
	var prop query.Proposal
	json.Unmarshal(q.Value, &prop)
	if prop.Result == nil || !prop.Result.Passed {
		t.Fatalf("replayed result %+v", prop)
	}
}

// TestInitChainRefusesWeakValidatorKeys: a genesis validator whose key is
// of small order (any encoding) could have its consensus votes forged by
// anyone, so the chain does not start.
func TestInitChainRefusesWeakValidatorKeys(t *testing.T) {
	alice := coretest.NewMember("alice")
	good := alice.Key
	for _, w := range append([]txtest.WeakKey{{Name: "valid", Hex: good.String()}}, txtest.WeakKeys()...) {
		t.Run(w.Name, func(t *testing.T) {
			app := New(Options{Sink: &recordSink{}})
			_, err := app.InitChain(ctx, &abcitypes.InitChainRequest{ChainId: coretest.ChainID, Time: coretest.GenesisTime,
				AppStateBytes: coretest.AppState(coretest.Genesis(alice)), InitialHeight: 1,
				Validators: []abcitypes.ValidatorUpdate{{Power: 10, PubKeyType: "ed25519", PubKeyBytes: w.Bytes()}}})
			if w.Name == "valid" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "small order") {
				t.Fatalf("InitChain = %v, want a refusal of the validator key", err)
			}
		})
	}
}

// TestVerifiedSkipsCheckTxVerification checks that CheckTx trusts what
// Verified was given (the API's bulk intake verified it in a batch) and
// still verifies what Verified refused to remember.
func TestVerifiedSkipsCheckTxVerification(t *testing.T) {
	f := newFixture(t)
	decode := func(raw []byte) *tx.Tx {
		t.Helper()
		d, err := tx.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// A bad signature marked verified stands for "verified elsewhere":
	// if CheckTx accepts it, it did not verify again.
	marked := f.alice.Sign(&tx.Leave{})
	marked[len(marked)-1] ^= 1
	m := decode(marked)
	m.MarkVerified(true)
	// The same kind of forgery not checked yet: Verified checks it and
	// leaves it out, so CheckTx verifies and refuses it.
	unchecked := f.bob.Sign(&tx.Leave{})
	unchecked[len(unchecked)-1] ^= 1
	// A forgery whose check failed (as tx.DecodeBatch records it).
	failed := f.carol.Sign(&tx.Leave{})
	failed[len(failed)-1] ^= 1
	fl := decode(failed)
	fl.MarkVerified(false)
	f.app.Verified([]*tx.Tx{m, decode(unchecked), fl, nil})
	if r := f.check(marked); r.Code != 0 {
		t.Fatalf("verified elsewhere: code %d %s, want accepted without a second verification", r.Code, r.Log)
	}
	for name, raw := range map[string][]byte{"unchecked": unchecked, "failed": failed} {
		if r := f.check(raw); r.Code != uint32(reject.BadSignature) {
			t.Errorf("%s: code %d %s, want %d", name, r.Code, r.Log, reject.BadSignature)
		}
	}
}
