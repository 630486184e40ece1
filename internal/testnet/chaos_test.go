package testnet

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/types"

	"github.com/folkmoot/folkmoot/internal/abci"
	"github.com/folkmoot/folkmoot/internal/bench"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestChaos is the short version of "folkmoot bench chaos": 4 validators
// and a full node as real processes under a steady load of ballots, one
// perturbation of each kind (SIGKILL and restart from a snapshot,
// SIGSTOP/SIGCONT, a partition, a wipe and rejoin by state sync), the
// invariants checked after each and at the end.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("runs five node processes")
	}
	dir := t.TempDir()
	f, err := bench.Chaos(bench.ChaosOptions{Binary: buildBinary(t), Duration: 3 * time.Minute,
		Kinds: bench.ChaosKinds, Perturbations: len(bench.ChaosKinds), MaxHold: 3 * time.Second,
		Seed: 7, Dir: dir, Progress: t.Logf}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", f)
	if !f.OK() {
		t.Fatalf("divergences %d, lost %d, duplicates %d, projections differing %d, unrecovered %d:\n%s",
			f.Divergences, f.LostTxs, f.DuplicateTxs, f.ProjectionMismatches, f.Unrecovered, strings.Join(f.Problems, "\n"))
	}
	for _, k := range bench.ChaosKinds {
		if f.ByKind[k] != 1 {
			t.Errorf("%d perturbations of kind %s, want 1", f.ByKind[k], k)
		}
	}
	if f.RestartsFromSnapshot != 1 {
		t.Errorf("the killed node restarted from a snapshot %d times, want 1", f.RestartsFromSnapshot)
	}
	if f.StateSyncJoins != 1 {
		t.Errorf("the wiped node joined by state sync %d times, want 1", f.StateSyncJoins)
	}
	// The final comparison covers every node; the killed and wiped nodes
	// were compared once more while down.
	if f.ProjectionsChecked < 5 {
		t.Errorf("only %d projections compared with a clean replay", f.ProjectionsChecked)
	}
	if f.AcceptedTxs < 20 {
		t.Errorf("only %d ballots accepted: the load proves little", f.AcceptedTxs)
	}
}

// startCluster starts a cluster of o and a ballot load on it, and stops
// them when the test ends (logging the nodes' logs if it failed).
func startCluster(t *testing.T, o bench.ClusterOptions) (*bench.Cluster, *bench.BallotLoad) {
	t.Helper()
	o.Binary, o.Dir = buildBinary(t), t.TempDir()
	c, err := bench.NewCluster(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		if t.Failed() {
			for i, n := range c.Nodes {
				t.Logf("%s log:\n%s", n.Name, lastLines(c.Log(i), 40))
			}
		}
	})
	if err := c.StartAll(); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range c.Nodes {
		if err := c.WaitHeight(ctx, i, 2, 90*time.Second); err != nil {
			t.Fatal(err)
		}
	}
	load, err := bench.StartBallotLoad(ctx, c, 4, 1)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(load.Stop)
	return c, load
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// checkInvariants stops the load and the nodes and checks, from the first
// block: the same app hashes everywhere and in a clean replay, every
// accepted ballot in the record once, every projection equal to a clean
// replay's.
func checkInvariants(t *testing.T, c *bench.Cluster, load *bench.BallotLoad) {
	t.Helper()
	ctx := context.Background()
	load.Stop()
	k := bench.NewChecker(c, t.TempDir())
	defer k.Close()
	for i := range c.Nodes {
		c.Partition(i, true) // the chain halts with every node answering
	}
	time.Sleep(2 * time.Second)
	k.Hashes(ctx)
	if err := k.Record(ctx); err != nil {
		t.Fatal(err)
	}
	accepted := load.Accepted()
	if lost := k.Lost(accepted); lost != 0 {
		t.Errorf("%d accepted ballots are not in the record exactly once", lost)
	}
	c.StopAll()
	for i := range c.Nodes {
		if ok, err := k.Projection(ctx, i); err != nil {
			t.Fatal(err)
		} else if !ok {
			t.Logf("%s's projection was not compared (behind the clean replay)", c.Nodes[i].Name)
		}
	}
	if k.Divergences != 0 || k.Duplicates != 0 || k.ProjectionMismatches != 0 {
		t.Errorf("divergences %d, duplicates %d, projections differing %d", k.Divergences, k.Duplicates, k.ProjectionMismatches)
	}
	if k.ProjectionsChecked == 0 || len(accepted) == 0 {
		t.Errorf("%d projections compared, %d ballots accepted: the check proves little", k.ProjectionsChecked, len(accepted))
	}
	if len(k.Problems) > 0 {
		t.Errorf("problems:\n%s", strings.Join(k.Problems, "\n"))
	}
}

// TestByzantineProposer: validator 1 proposes blocks with an undecodable
// transaction and a forged one, and prevotes for them. The honest
// validators refuse them in
// ProcessProposal: no block it proposed is decided, its rounds end and
// the next proposer's block is decided, and the chain goes on with only
// valid transactions.
func TestByzantineProposer(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	c, load := startCluster(t, bench.ClusterOptions{Byzantine: true})
	ctx := context.Background()
	from, _ := c.Height(ctx, 0)
	if err := c.WaitHeight(ctx, 0, from+16, 2*time.Minute); err != nil {
		t.Fatal(err)
	}
	byz := c.Nodes[1]
	if !byz.Byzantine || !strings.Contains(c.Log(1), "--unsafe-testing") {
		t.Fatal("validator 1 does not run as the byzantine proposer")
	}
	laterRounds := 0
	for h := from + 1; h <= from+15; h++ {
		b, err := c.Nodes[0].RPC.Block(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		if b.Block.ProposerAddress.String() == byz.Address {
			t.Fatalf("height %d: the byzantine validator's block was decided", h)
		}
		for i, raw := range b.Block.Txs {
			if _, err := tx.Decode(raw); err != nil {
				t.Fatalf("height %d: transaction %d does not decode: %v", h, i, err)
			}
		}
		if b.Block.LastCommit.Round > 0 {
			laterRounds++
		}
		res, err := c.Nodes[0].RPC.BlockResults(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		for i, r := range res.TxResults {
			if r.Code != 0 {
				t.Fatalf("height %d: transaction %d was refused in the block (%d %s)", h, i, r.Code, r.Log)
			}
		}
	}
	// With four validators of equal power the byzantine one is the first
	// proposer of every fourth height: those were decided in a later round.
	if laterRounds < 2 {
		t.Fatalf("only %d of 15 heights were decided after round 0: the byzantine proposals were not refused", laterRounds)
	}
	// The honest validators refused its proposals in ProcessProposal
	// (CometBFT logs it and prevotes nil); it accepts every proposal,
	// its own included.
	const refused = "state machine rejected a proposed block"
	for i := range 4 {
		if got := strings.Count(c.Log(i), refused); (i == 1) != (got == 0) {
			t.Errorf("%s's log says %d times that it refused a proposal", c.Nodes[i].Name, got)
		}
	}
	t.Logf("15 heights, %d decided after round 0", laterRounds)
	checkInvariants(t, c, load)
}

// TestDoubleSigning runs validator 3's key in two processes (each with
// its own node key and signing state). The twins sign conflicting votes;
// CometBFT commits the duplicate-vote evidence in a block, the app names
// the validator in that block's events, and the chain goes on.
func TestDoubleSigning(t *testing.T) {
	if testing.Short() {
		t.Skip("runs five node processes")
	}
	c, load := startCluster(t, bench.ClusterOptions{Twin: true})
	ctx := context.Background()
	twin := c.Nodes[len(c.Nodes)-1]
	if twin.Address != c.Nodes[3].Address || twin.Address == "" {
		t.Fatalf("the twin signs as %q, validator 3 as %q", twin.Address, c.Nodes[3].Address)
	}
	var found int64
	var ev *types.DuplicateVoteEvidence
	deadline := time.Now().Add(2 * time.Minute)
	for h := int64(1); found == 0; {
		if time.Now().After(deadline) {
			t.Fatalf("no evidence of double signing committed by height %d", h)
		}
		if latest, _ := c.Height(ctx, 0); h > latest {
			time.Sleep(300 * time.Millisecond)
			continue
		}
		b, err := c.Nodes[0].RPC.Block(ctx, &h)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range b.Block.Evidence.Evidence {
			if d, ok := e.(*types.DuplicateVoteEvidence); ok {
				ev, found = d, h
			}
		}
		h++
	}
	if got := ev.VoteA.ValidatorAddress.String(); got != twin.Address {
		t.Fatalf("evidence at height %d names %s, not the double signer %s", found, got, twin.Address)
	}
	if ev.VoteA.BlockID.Equals(ev.VoteB.BlockID) {
		t.Fatalf("evidence at height %d: the two votes are for the same block", found)
	}
	res, err := c.Nodes[0].RPC.BlockResults(ctx, &found)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"kind": "duplicate_vote", "validator": twin.Address, "power": "1", "height": fmt.Sprint(ev.VoteA.Height)}
	named := false
	for _, e := range res.FinalizeBlockEvents {
		if e.Type != abci.EventMisbehavior {
			continue
		}
		got := map[string]string{}
		for _, a := range e.Attributes {
			got[a.Key] = a.Value
		}
		named = true
		for k, v := range want {
			if got[k] != v {
				t.Errorf("event %s: %s = %q, want %q", e.Type, k, got[k], v)
			}
		}
	}
	if !named {
		t.Fatalf("the results of block %d name no misbehaving validator: %+v", found, res.FinalizeBlockEvents)
	}
	t.Logf("double signing at height %d, evidence committed at height %d", ev.VoteA.Height, found)
	if err := c.WaitHeight(ctx, 0, found+3, time.Minute); err != nil {
		t.Fatal(err)
	}
	checkInvariants(t, c, load)
}
