package bench

import (
	"context"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/cometbft/cometbft/p2p"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/node"
)

// RestartOptions size the restart benchmark.
type RestartOptions struct {
	Members  int   // default 10,000
	Ballots  int   // default 1,000,000
	Workers  int   // concurrent RPC submitters, default 32
	Interval int64 // blocks between snapshots while the record is made, default 20
	// NoStateSync skips the state-sync join.
	NoStateSync bool
	Dir         string
	Progress    func(format string, args ...any)
}

// RestartFigures are the results of the restart benchmark.
type RestartFigures struct {
	CPUs           int     `json:"cpus"`
	CPUModel       string  `json:"cpu_model"`
	Members        int     `json:"members"`
	Txs            int     `json:"txs"` // transactions in the record: members' ballots and proposals
	Blocks         int64   `json:"blocks"`
	SnapshotHeight int64   `json:"snapshot_height"`
	SnapshotMB     float64 `json:"snapshot_mb"`
	RestartS       float64 `json:"restart_s"`        // from Open until the app holds the last block, from the newest snapshot
	FullReplayS    float64 `json:"full_replay_s"`    // the same with no snapshot: every block replayed
	StatesyncJoinS float64 `json:"statesync_join_s"` // a new node, from Open until it follows the chain (includes CometBFT's 5 s discovery)
}

// Restart runs the restart benchmark: it makes a record of signed ballots
// on one folkmoot node (taking snapshots every Interval blocks), stops it,
// and times its restart from the newest snapshot and then, with the
// snapshots moved away, its restart by replaying every block; finally a
// new node joins it by state sync. The clock measures only.
func Restart(o RestartOptions, clock func() time.Time) (RestartFigures, error) {
	if o.Members <= 0 {
		o.Members = 10_000
	}
	if o.Ballots <= 0 {
		o.Ballots = 1_000_000
	}
	if o.Workers <= 0 {
		o.Workers = 32
	}
	if o.Interval <= 0 {
		o.Interval = 20
	}
	say := o.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	f := RestartFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), Members: o.Members}
	dir, cleanup, err := workDir(o.Dir, "folkmoot-bench-restart-")
	if err != nil {
		return f, err
	}
	defer cleanup()

	say("signing %d ballots from %d members", o.Ballots, o.Members)
	load := newBallotLoad("bench-restart-1", o.Members, o.Ballots, o.Workers)
	proposals, streams, rounds := load.proposals, load.streams, load.rounds
	f.Txs = o.Ballots + rounds

	home := filepath.Join(dir, "folkmoot")
	p2pAddr := freeLoopback()
	if err := node.Init(home, node.HomeOptions{ChainID: "bench-restart-1", AppState: load.appState,
		GenesisTime: time.Now().UTC().Truncate(time.Second), TimeoutCommit: 100 * time.Millisecond,
		EmptyBlocksInterval: 100 * time.Millisecond, LogLevel: "error", NoMetrics: true,
		P2PAddress: "tcp://" + p2pAddr, RPCAddress: "tcp://" + freeLoopback(), MetricsAddress: freeLoopback(), WebAddress: freeLoopback()}); err != nil {
		return f, err
	}
	tuning := func(c *node.Config) { nodeTuning(c); c.Folkmoot.SnapshotInterval = o.Interval }
	ctx := context.Background()
	c, err := node.Open(ctx, home, node.Options{Config: tuning, Clock: clock})
	if err != nil {
		return f, err
	}
	defer func() { c.Stop() }()
	say("making the record: %d transactions over RPC", f.Txs)
	if err := submitAll(c.RPC(), [][][]byte{proposals}, nil); err != nil {
		return f, fmt.Errorf("proposals: %w", err)
	}
	if err := waitFor(func() bool { return len(proposalsOf(c)) == rounds }); err != nil {
		return f, fmt.Errorf("proposals: %w", err)
	}
	if err := submitAll(c.RPC(), streams, nil); err != nil {
		return f, err
	}
	if err := waitFor(func() bool {
		total := 0
		for _, p := range proposalsOf(c) {
			total += int(p.Yes + p.No + p.Abstain)
		}
		return total >= o.Ballots
	}); err != nil {
		return f, fmt.Errorf("ballots: %w", err)
	}
	// Wait for a snapshot that holds every ballot.
	full := heightOf(c)
	f.SnapshotHeight = (full/o.Interval + 1) * o.Interval
	if err := waitFor(func() bool { return heightOf(c) > f.SnapshotHeight }); err != nil {
		return f, err
	}
	if err := c.Stop(); err != nil {
		return f, err
	}
	f.Blocks = heightOf(c)
	if fi, err := os.Stat(filepath.Join(node.SnapshotDir(home), fmt.Sprintf("%020d.snapshot", f.SnapshotHeight))); err == nil {
		f.SnapshotMB = float64(fi.Size()) / (1 << 20)
	}
	say("record: %d blocks, snapshot at %d (%.0f MiB)", f.Blocks, f.SnapshotHeight, f.SnapshotMB)

	timeOpen := func(what string) (float64, error) {
		start := clock()
		c, err = node.Open(ctx, home, node.Options{Config: tuning, Clock: clock})
		if err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		if err := waitFor(func() bool { return heightOf(c) >= f.Blocks }); err != nil {
			return 0, fmt.Errorf("%s: %w", what, err)
		}
		return clock().Sub(start).Seconds(), nil
	}
	if f.RestartS, err = timeOpen("restart from the snapshot"); err != nil {
		return f, err
	}
	say("restart from the snapshot: %.2f s", f.RestartS)
	if err := c.Stop(); err != nil {
		return f, err
	}
	f.Blocks = heightOf(c)

	aside := node.SnapshotDir(home) + ".aside"
	if err := os.Rename(node.SnapshotDir(home), aside); err != nil {
		return f, err
	}
	tuning = func(c *node.Config) { nodeTuning(c); c.Folkmoot.SnapshotInterval = 0 }
	if f.FullReplayS, err = timeOpen("full replay"); err != nil {
		return f, err
	}
	say("full replay: %.2f s", f.FullReplayS)
	if o.NoStateSync {
		return f, nil
	}
	if err := c.Stop(); err != nil {
		return f, err
	}
	if err := os.RemoveAll(node.SnapshotDir(home)); err != nil {
		return f, err
	}
	if err := os.Rename(aside, node.SnapshotDir(home)); err != nil {
		return f, err
	}
	// The first node serves the snapshots it has and takes no more: with a
	// block every 200 ms and one every Interval blocks it would prune the
	// one the joining node chose while that one spends 5 s discovering.
	if c, err = node.Open(ctx, home, node.Options{Config: tuning, Clock: clock}); err != nil {
		return f, err
	}
	say("a new node joins by state sync")
	f.StatesyncJoinS, err = joinByStateSync(ctx, dir, c, p2pAddr, clock)
	if err != nil {
		return f, fmt.Errorf("state sync: %w", err)
	}
	say("joined by state sync in %.1f s", f.StatesyncJoinS)
	return f, nil
}

func heightOf(c *node.Community) int64 {
	var h int64
	c.App().View(func(s *core.State) error { h = s.Height(); return nil })
	return h
}

func proposalsOf(c *node.Community) []*core.Proposal {
	var ps []*core.Proposal
	c.App().View(func(s *core.State) error { ps = s.Proposals(); return nil })
	return ps
}

// joinByStateSync starts a non-validating node that joins first by state
// sync, trusting its block 1, and returns the seconds until its app holds
// the height first had when it started.
func joinByStateSync(ctx context.Context, dir string, first *node.Community, p2pAddr string, clock func() time.Time) (float64, error) {
	home := filepath.Join(dir, "joiner")
	if err := node.Init(home, node.HomeOptions{ChainID: "bench-restart-1", LogLevel: "error", NoMetrics: true,
		P2PAddress: "tcp://" + freeLoopback(), RPCAddress: "tcp://" + freeLoopback(), MetricsAddress: freeLoopback(), WebAddress: freeLoopback()}); err != nil {
		return 0, err
	}
	firstHome := first.Node().Home()
	gen, err := os.ReadFile(filepath.Join(firstHome, "config", "genesis.json"))
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(home, "config", "genesis.json"), gen, 0o600); err != nil {
		return 0, err
	}
	key, err := p2p.LoadNodeKey(filepath.Join(firstHome, "config", "node_key.json"))
	if err != nil {
		return 0, err
	}
	b1, _ := first.Node().Comet().BlockStore().LoadBlock(1)
	if b1 == nil {
		return 0, fmt.Errorf("the first node has no block 1")
	}
	rpc := strings.TrimPrefix(first.RPC(), "http://")
	target := heightOf(first)
	join := func(c *node.Config) {
		c.Comet.P2P.PersistentPeers = p2p.IDAddressString(key.ID(), p2pAddr)
		c.Comet.P2P.AllowDuplicateIP = true
		c.Comet.StateSync.Enable = true
		c.Comet.StateSync.RPCServers = []string{rpc, rpc}
		c.Comet.StateSync.TrustHeight = 1
		c.Comet.StateSync.TrustHash = hex.EncodeToString(b1.Hash())
		c.Comet.StateSync.DiscoveryTime = 5 * time.Second
	}
	start := clock()
	c, err := node.Open(ctx, home, node.Options{Config: join, Clock: clock})
	if err != nil {
		return 0, err
	}
	defer c.Stop()
	err = waitFor(func() bool { return heightOf(c) >= target })
	return clock().Sub(start).Seconds(), err
}
