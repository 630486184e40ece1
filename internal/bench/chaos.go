package bench

import (
	"context"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"time"
)

// ChaosOptions size the chaos run.
type ChaosOptions struct {
	// Binary is the folkmoot executable the nodes run.
	Binary string
	// Duration is how long perturbations go on (default 5 minutes); the
	// run then settles and makes its final checks.
	Duration time.Duration
	// Seed makes the choice of perturbations, targets and pauses
	// repeatable (the nodes' timing is not).
	Seed uint64
	// Workers is the number of concurrent ballot streams (default 4).
	Workers int
	// Kinds, when set, are run in this order, round and round, instead of
	// at random (the CI test runs each kind once).
	Kinds []string
	// Perturbations, when positive, ends the run after that many
	// perturbations, even before Duration.
	Perturbations int
	// MaxHold is the longest a perturbation lasts (default 8 s; the
	// shortest is 2 s).
	MaxHold time.Duration
	Dir     string
	// Progress, when set, receives a line per perturbation.
	Progress func(format string, args ...any)
}

// The kinds of perturbation.
const (
	PerturbKill      = "kill"      // SIGKILL, then restart (from the newest snapshot)
	PerturbPause     = "pause"     // SIGSTOP for a while, then SIGCONT
	PerturbPartition = "partition" // cut off from every peer for a while, then healed
	PerturbWipe      = "wipe"      // the full node killed, its data deleted, rejoined by state sync
)

// ChaosKinds are all the kinds of perturbation, in the order the CI test
// runs them.
var ChaosKinds = []string{PerturbKill, PerturbPause, PerturbPartition, PerturbWipe}

// ChaosFigures are the results of a chaos run. Divergences, LostTxs,
// DuplicateTxs, ProjectionMismatches and Unrecovered must all be 0.
type ChaosFigures struct {
	CPUs          int            `json:"cpus"`
	CPUModel      string         `json:"cpu_model"`
	Validators    int            `json:"validators"`
	FullNodes     int            `json:"full_nodes"`
	Minutes       float64        `json:"minutes"`
	Perturbations int            `json:"perturbations"`
	ByKind        map[string]int `json:"by_kind"`
	// Divergences counts heights at which a node's app hash differed from
	// another's or from a clean replay's.
	Divergences int `json:"divergences"`
	// LostTxs counts ballots a node reported committed that are not in the
	// record exactly once.
	LostTxs              int     `json:"lost_txs"`
	DuplicateTxs         int     `json:"duplicate_txs"`
	ProjectionsChecked   int     `json:"projections_checked"`
	ProjectionsSkipped   int     `json:"projections_skipped"`
	ProjectionMismatches int     `json:"projection_mismatches"`
	MaxRecoveryS         float64 `json:"max_recovery_s"`
	MeanRecoveryS        float64 `json:"mean_recovery_s"`
	// Unrecovered counts perturbed nodes that did not catch up within
	// two minutes.
	Unrecovered          int      `json:"unrecovered"`
	RestartsFromSnapshot int      `json:"restarts_from_snapshot"`
	StateSyncJoins       int      `json:"state_sync_joins"`
	AcceptedTxs          int      `json:"accepted_txs"`
	TimedOutTxs          int64    `json:"timed_out_txs"`
	RefusedTxs           int64    `json:"refused_txs"`
	Heights              int64    `json:"heights"`
	Problems             []string `json:"problems,omitempty"`
}

// OK reports whether the run found nothing wrong.
func (f ChaosFigures) OK() bool {
	return f.Divergences == 0 && f.LostTxs == 0 && f.DuplicateTxs == 0 && f.ProjectionMismatches == 0 && f.Unrecovered == 0
}

// Chaos runs 4 validators and a full node as separate processes on
// loopback, under a steady load of ballots, and perturbs one node at a
// time: SIGKILL and restart (from its newest snapshot; snapshots every 10
// blocks), SIGSTOP then SIGCONT, a network partition (its peer
// connections cut and refused) and, for the full node, a wipe and a
// rejoin by state sync. Each perturbation lasts 2 to 8 seconds; after it
// the node must catch up with the others, and the invariants of Checker
// are checked; then again at the end, with every node stopped and every
// projection compared with a clean replay. The clock measures only.
func Chaos(o ChaosOptions, clock func() time.Time) (ChaosFigures, error) {
	if o.Duration <= 0 {
		o.Duration = 5 * time.Minute
	}
	if o.MaxHold < 2*time.Second {
		o.MaxHold = 8 * time.Second
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	say := o.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	f := ChaosFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), Validators: 4, FullNodes: 1, ByKind: map[string]int{}}
	dir, cleanup, err := workDir(o.Dir, "folkmoot-bench-chaos-")
	if err != nil {
		return f, err
	}
	defer cleanup()
	c, err := NewCluster(ClusterOptions{Binary: o.Binary, Dir: dir, Validators: 4, FullNode: true})
	if err != nil {
		return f, err
	}
	defer c.Close()
	full := 4
	ctx := context.Background()
	if err := c.StartAll(); err != nil {
		return f, err
	}
	for i := range c.Nodes {
		if err := c.WaitHeight(ctx, i, 2, 90*time.Second); err != nil {
			return f, fmt.Errorf("%w\n%s", err, tail(c.Log(i)))
		}
	}
	load, err := StartBallotLoad(ctx, c, o.Workers, o.Seed)
	if err != nil {
		return f, fmt.Errorf("start the load: %w", err)
	}
	// Every node has a snapshot (taken every 10 blocks) before the first
	// perturbation, so that a killed node restarts from one.
	for i := range c.Nodes {
		if err := c.WaitHeight(ctx, i, 12, 90*time.Second); err != nil {
			return f, fmt.Errorf("%w\n%s", err, tail(c.Log(i)))
		}
	}
	k := NewChecker(c, dir)
	defer k.Close()
	rng := rand.New(rand.NewPCG(o.Seed, 42))
	start := clock()
	var recoveries float64
	check := func() error {
		k.Hashes(ctx)
		if err := k.Record(ctx); err != nil {
			return err
		}
		f.LostTxs = k.Lost(load.Accepted())
		return nil
	}
	for n := 0; clock().Sub(start) < o.Duration && (o.Perturbations <= 0 || n < o.Perturbations); n++ {
		kind := ChaosKinds[rng.IntN(len(ChaosKinds))]
		if len(o.Kinds) > 0 {
			kind = o.Kinds[n%len(o.Kinds)]
		}
		target := rng.IntN(len(c.Nodes))
		if kind == PerturbWipe {
			target = full
		}
		hold := 2*time.Second + time.Duration(rng.Int64N(int64(o.MaxHold-2*time.Second)+1))
		name := c.Nodes[target].Name
		before := c.Log(target)
		snapshotRestarts := strings.Count(before, "restarting from snapshot")
		stateSyncs := strings.Count(before, "restored from a snapshot")
		switch kind {
		case PerturbKill:
			c.Kill(target)
			time.Sleep(hold)
			// Dead, its projection holds still: compare it now.
			if _, err := k.Projection(ctx, target); err != nil {
				return f, err
			}
			if err := c.Start(target); err != nil {
				return f, err
			}
		case PerturbPause:
			c.Pause(target, true)
			time.Sleep(hold)
			c.Pause(target, false)
		case PerturbPartition:
			c.Partition(target, true)
			time.Sleep(hold)
			c.Partition(target, false)
		case PerturbWipe:
			c.Kill(target)
			if _, err := k.Projection(ctx, target); err != nil {
				return f, err
			}
			if err := c.Wipe(ctx, target); err != nil {
				return f, err
			}
			k.Forget(target)
			if err := c.Start(target); err != nil {
				return f, err
			}
		}
		healed := clock()
		// Caught up: at the height the others had when it was healed.
		var want int64
		for i := range c.Nodes {
			if i != target {
				h, _ := c.Height(ctx, i)
				want = max(want, h)
			}
		}
		err := c.WaitHeight(ctx, target, want, 2*time.Minute)
		took := clock().Sub(healed).Seconds()
		f.Perturbations++
		f.ByKind[kind]++
		if err != nil {
			f.Unrecovered++
			k.problem("%s after %s: %v", name, kind, err)
		} else {
			recoveries += took
			f.MaxRecoveryS = max(f.MaxRecoveryS, took)
		}
		if kind == PerturbKill && strings.Count(c.Log(target), "restarting from snapshot") > snapshotRestarts {
			f.RestartsFromSnapshot++
		}
		if kind == PerturbWipe && strings.Count(c.Log(target), "restored from a snapshot") > stateSyncs {
			f.StateSyncJoins++
		}
		if err := check(); err != nil {
			return f, err
		}
		say("%3d %-9s %-10s held %4.1f s, caught up in %5.1f s; divergences %d, lost %d",
			f.Perturbations, kind, name, hold.Seconds(), took, k.Divergences, f.LostTxs)
		time.Sleep(time.Duration(1000+rng.IntN(3000)) * time.Millisecond)
	}

	// Settle: the load stops, every node catches up, and the last checks
	// are made, with every projection compared once the nodes are stopped.
	load.Stop()
	var top int64
	for i := range c.Nodes {
		h, _ := c.Height(ctx, i)
		top = max(top, h)
	}
	for i := range c.Nodes {
		if err := c.WaitHeight(ctx, i, top+2, 2*time.Minute); err != nil {
			f.Unrecovered++
			k.problem("at the end: %v", err)
		}
	}
	// Every node cut off from the others: the chain halts with every node
	// still answering, so that the record is fetched to its last block.
	for i := range c.Nodes {
		c.Partition(i, true)
	}
	time.Sleep(2 * time.Second)
	if err := check(); err != nil {
		return f, err
	}
	c.StopAll()
	// Compare the projections from the lowest height up: the clean replay
	// only moves forward.
	order := make([]int, len(c.Nodes))
	heights := make([]int64, len(c.Nodes))
	for i := range order {
		order[i] = i
		heights[i] = projectionHeight(c, i)
	}
	sort.Slice(order, func(a, b int) bool { return heights[order[a]] < heights[order[b]] })
	for _, i := range order {
		if _, err := k.Projection(ctx, i); err != nil {
			return f, err
		}
	}
	f.Minutes = clock().Sub(start).Minutes()
	f.Divergences = k.Divergences
	f.DuplicateTxs = k.Duplicates
	f.ProjectionsChecked = k.ProjectionsChecked
	f.ProjectionsSkipped = k.ProjectionsSkipped
	f.ProjectionMismatches = k.ProjectionMismatches
	f.AcceptedTxs = len(load.Accepted())
	f.TimedOutTxs = load.TimedOut.Load()
	f.RefusedTxs = load.Refused.Load()
	f.Heights = k.scanned
	if ok := f.Perturbations - f.Unrecovered; ok > 0 {
		f.MeanRecoveryS = recoveries / float64(ok)
	}
	f.Problems = k.Problems
	return f, nil
}

// tail returns the last lines of a log.
func tail(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(0, len(lines)-30):], "\n")
}
