package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cometbft/cometbft/p2p"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/query"
)

// NodeOptions size the node benchmark.
type NodeOptions struct {
	Members int // default 10,000
	Ballots int // default 100,000 (and as many again for the bulk path)
	Workers int // concurrent RPC submitters, default 32
	// BulkWorkers post bulk submissions (POST /api/v1/txs) of BulkSize
	// ballots each, concurrently (defaults 4 and api.MaxBulkTxs).
	BulkWorkers, BulkSize int
	// Server, when set, is the command that runs the measured node in a
	// process of its own ("folkmoot bench node-server"; see ServeNode),
	// with ServerEnv added to its environment, so that rss_mb is the
	// node's alone. Without it the node runs in this process and rss_mb
	// includes the clients and the signed transactions.
	Server, ServerEnv []string
	// CPUProfile, when set, is where the node's CPU profile of the bulk
	// phase is written.
	CPUProfile string
	Dir        string
	Progress   func(format string, args ...any)
}

// NodeFigures are the results of the node benchmark.
type NodeFigures struct {
	CPUs          int     `json:"cpus"`
	CPUModel      string  `json:"cpu_model"`
	Members       int     `json:"members"`
	Ballots       int     `json:"ballots"`
	BallotsPerS   float64 `json:"ballots_per_s"`
	BulkPerS      float64 `json:"bulk_ballots_per_s"`
	KVStorePerS   float64 `json:"kvstore_per_s"`
	RatioToKV     float64 `json:"ratio_to_kvstore"`
	BulkRatioToKV float64 `json:"bulk_ratio_to_kvstore"`
	TxBytes       int     `json:"tx_bytes"`
	CatchupS      float64 `json:"catchup_s"`
	CatchupTxs    int     `json:"catchup_txs"`
	RSSMB         float64 `json:"rss_mb"`
	// NodeCPUUs and BulkNodeCPUUs are the CPU time the node's process
	// spent per ballot over RPC and in bulk (user and system; what the
	// neighbours of a shared machine change least). LoadAvg is the
	// one-minute load average at the start and at the end of the run.
	// KVNodeCPUUs is the same for kvstore's node, and BulkCPURatioToKV
	// the ratio kvstore's CPU per transaction to the bulk path's: what
	// bulk_ratio_to_kvstore would be if both had the cores to themselves
	// and were bound by them.
	NodeCPUUs        float64    `json:"node_cpu_us_per_ballot"`
	BulkNodeCPUUs    float64    `json:"bulk_node_cpu_us_per_ballot"`
	KVNodeCPUUs      float64    `json:"kvstore_node_cpu_us_per_tx"`
	BulkCPURatioToKV float64    `json:"bulk_cpu_ratio_to_kvstore"`
	LoadAvg          [2]float64 `json:"load_avg_1m"`
	RSSOf            string     `json:"rss_of"` // "node process", or "whole benchmark process" when the node ran in it
	Blocks           int64      `json:"blocks"`
	RejectedAtRPC    int64      `json:"rejected_at_rpc"`
	RefusedInBulk    int64      `json:"refused_in_bulk"`
}

// nodeTuning sizes the mempool and blocks for a burst of submissions.
func nodeTuning(c *node.Config) {
	c.Comet.Mempool.Size = 200_000
	c.Comet.Mempool.MaxTxsBytes = 1 << 30
	c.Comet.Mempool.CacheSize = 20_000
	c.Comet.RPC.MaxOpenConnections = 0
	c.Comet.RPC.MaxRequestBatchSize = 200
	c.Comet.RPC.MaxBodyBytes = 64 << 20
}

// Node runs the node benchmark: signed ballots submitted over RPC to one
// folkmoot node and counted when committed; the same submission path
// against CometBFT's kvstore with transactions of the same size; a fresh
// node catching up the folkmoot chain from the first; and the first node's
// resident memory. The clock measures only.
func Node(o NodeOptions, clock func() time.Time) (NodeFigures, error) {
	if o.Members <= 0 {
		o.Members = 10_000
	}
	if o.Ballots <= 0 {
		o.Ballots = 100_000
	}
	if o.Workers <= 0 {
		o.Workers = 32
	}
	if o.BulkWorkers <= 0 {
		o.BulkWorkers = 4
	}
	if o.BulkSize <= 0 || o.BulkSize > api.MaxBulkTxs {
		o.BulkSize = api.MaxBulkTxs
	}
	say := o.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	f := NodeFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), Members: o.Members, Ballots: o.Ballots}
	f.LoadAvg[0] = loadAverage()
	dir, cleanup, err := workDir(o.Dir, "folkmoot-bench-node-")
	if err != nil {
		return f, err
	}
	defer cleanup()

	// Twice the ballots, on twice the questions: the first half over RPC,
	// the second in bulk, each member's nonces running on.
	say("signing %d ballots from %d members", 2*o.Ballots, o.Members)
	load := newBallotLoad("bench-1", o.Members, 2*o.Ballots, o.Workers)
	appState, proposals, rounds := load.appState, load.proposals, load.rounds
	streams := load.split(0, o.Ballots, o.Workers)
	bulks, err := bulkBodies(load.split(o.Ballots, 2*o.Ballots, o.BulkWorkers), o.BulkSize)
	if err != nil {
		return f, err
	}
	f.TxBytes = len(streams[0][0])

	// The folkmoot node, with its projection.
	say("starting a folkmoot node")
	home := filepath.Join(dir, "folkmoot")
	genesisTime := time.Now().UTC().Truncate(time.Second)
	p2pAddr := freeLoopback()
	if err := node.Init(home, node.HomeOptions{ChainID: "bench-1", AppState: appState, GenesisTime: genesisTime,
		TimeoutCommit: 100 * time.Millisecond, EmptyBlocksInterval: time.Second, LogLevel: "error", NoMetrics: true,
		P2PAddress: "tcp://" + p2pAddr, RPCAddress: "tcp://" + freeLoopback(), MetricsAddress: freeLoopback(), WebAddress: freeLoopback()}); err != nil {
		return f, err
	}
	ctx := context.Background()
	n, err := startBenchNode(ctx, home, o.Server, o.ServerEnv, clock)
	if err != nil {
		return f, err
	}
	defer n.stop()
	f.RSSOf = n.scope
	cl, err := client.New(n.rpc)
	if err != nil {
		return f, err
	}
	// The node is read through its RPC (abci_query), as any client reads
	// it: it may be in another process.
	tally := func() (props, ballots int) {
		var ps []query.Proposal
		if err := cl.Query(ctx, query.PathProposals, "", &ps); err != nil {
			return 0, 0
		}
		for _, p := range ps {
			ballots += int(p.Yes + p.No + p.Abstain)
		}
		return len(ps), ballots
	}
	counted := func() int { _, b := tally(); return b }
	if err := submitAll(n.rpc, [][][]byte{proposals}, nil); err != nil {
		return f, fmt.Errorf("proposals: %w", err)
	}
	if err := waitFor(func() bool { p, _ := tally(); return p == rounds }); err != nil {
		return f, fmt.Errorf("proposals: %w", err)
	}
	say("submitting %d ballots over RPC with %d workers", o.Ballots, o.Workers)
	var rejected atomic.Int64
	cpu0 := pidCPU(n.pid)
	start := clock()
	if err := submitAll(n.rpc, streams, &rejected); err != nil {
		return f, err
	}
	want := o.Ballots - int(rejected.Load())
	if err := waitFor(func() bool { return counted() >= want }); err != nil {
		return f, fmt.Errorf("ballots: %d of %d counted: %w", counted(), want, err)
	}
	f.BallotsPerS = float64(want) / clock().Sub(start).Seconds()
	f.NodeCPUUs = float64((pidCPU(n.pid) - cpu0).Microseconds()) / float64(want)
	f.RejectedAtRPC = rejected.Load()
	f.RSSMB = rssMB(n.pid)
	var st query.Status
	if err := cl.Query(ctx, query.PathStatus, "", &st); err != nil {
		return f, fmt.Errorf("status: %w", err)
	}
	f.Blocks = st.Height
	say("folkmoot: %.0f ballots/s, RSS %.0f MiB (%s)", f.BallotsPerS, f.RSSMB, f.RSSOf)

	// A new node catches up the whole chain from the first.
	say("a new node catches up %d blocks from the first", f.Blocks)
	f.CatchupTxs = o.Ballots + rounds
	if f.CatchupS, err = catchUp(ctx, dir, home, p2pAddr, f.Blocks, clock); err != nil {
		return f, fmt.Errorf("catch-up: %w", err)
	}
	say("caught up in %.1f s", f.CatchupS)

	// The second half of the ballots through the API's bulk intake.
	say("submitting %d ballots in bulks of %d with %d workers", o.Ballots, o.BulkSize, o.BulkWorkers)
	var bulkRefused atomic.Int64
	if o.CPUProfile != "" {
		if err := n.profile(o.CPUProfile); err != nil {
			return f, err
		}
	}
	cpu0 = pidCPU(n.pid)
	start = clock()
	if err := postBulks(n.site+api.Prefix+"/txs", bulks, &bulkRefused); err != nil {
		return f, fmt.Errorf("bulk: %w", err)
	}
	wantBulk := want + o.Ballots - int(bulkRefused.Load())
	if err := waitFor(func() bool { return counted() >= wantBulk }); err != nil {
		return f, fmt.Errorf("bulk: %d of %d counted: %w", counted(), wantBulk, err)
	}
	f.BulkPerS = float64(wantBulk-want) / clock().Sub(start).Seconds()
	f.BulkNodeCPUUs = float64((pidCPU(n.pid) - cpu0).Microseconds()) / float64(wantBulk-want)
	f.RefusedInBulk = bulkRefused.Load()
	say("folkmoot in bulk: %.0f ballots/s", f.BulkPerS)
	if o.CPUProfile != "" {
		if err := n.profile(""); err != nil {
			return f, err
		}
	}
	if err := n.stop(); err != nil {
		return f, err
	}

	// kvstore through the same path, same sizes, same workers.
	say("the same against CometBFT's kvstore")
	kvHome := filepath.Join(dir, "kvstore")
	if err := node.Init(kvHome, node.HomeOptions{ChainID: "kvstore", TimeoutCommit: 100 * time.Millisecond, EmptyBlocksInterval: time.Second,
		LogLevel: "error", NoMetrics: true, P2PAddress: "tcp://127.0.0.1:0", RPCAddress: "tcp://" + freeLoopback(),
		MetricsAddress: freeLoopback(), WebAddress: freeLoopback()}); err != nil {
		return f, fmt.Errorf("kvstore node: %w", err)
	}
	kv, err := startBenchNode(ctx, kvstoreKind+kvHome, o.Server, o.ServerEnv, clock)
	if err != nil {
		return f, err
	}
	defer kv.stop()
	kvStreams := make([][][]byte, o.Workers)
	for i := 0; i < o.Ballots; i++ {
		kvStreams[i%o.Workers] = append(kvStreams[i%o.Workers], kvstoreTx(uint64(i), f.TxBytes))
	}
	kvc, err := rpchttp.New(kv.rpc)
	if err != nil {
		return f, err
	}
	cpu0 = pidCPU(kv.pid)
	start = clock()
	if err := submitAll(kv.rpc, kvStreams, nil); err != nil {
		return f, fmt.Errorf("kvstore: %w", err)
	}
	err = waitFor(func() bool {
		r, err := kvc.ABCIInfo(ctx)
		if err != nil {
			return false
		}
		// kvstore reports the number of keys it holds in Info's data.
		return strings.Contains(r.Response.Data, fmt.Sprintf("\"size\":%d", o.Ballots))
	})
	if err != nil {
		return f, fmt.Errorf("kvstore: %w", err)
	}
	f.KVStorePerS = float64(o.Ballots) / clock().Sub(start).Seconds()
	f.KVNodeCPUUs = float64((pidCPU(kv.pid) - cpu0).Microseconds()) / float64(o.Ballots)
	if err := kv.stop(); err != nil {
		return f, err
	}
	if f.KVStorePerS > 0 {
		f.RatioToKV = f.BallotsPerS / f.KVStorePerS
		f.BulkRatioToKV = f.BulkPerS / f.KVStorePerS
	}
	if f.BulkNodeCPUUs > 0 {
		f.BulkCPURatioToKV = f.KVNodeCPUUs / f.BulkNodeCPUUs
	}
	say("kvstore: %.0f tx/s", f.KVStorePerS)
	f.LoadAvg[1] = loadAverage()
	return f, nil
}

// submitAll sends each stream's transactions in order from its own
// goroutine with broadcast_tx_sync, batchSize requests per HTTP round trip
// (JSON-RPC batches, as a busy client or a relay would). A batch with a
// refused transaction is counted in rejected when it is not nil (the
// benchmark then counts what was committed), and is an error otherwise.
func submitAll(url string, streams [][][]byte, rejected *atomic.Int64) error {
	const batchSize = 100
	var wg sync.WaitGroup
	errs := make(chan error, len(streams))
	for _, s := range streams {
		wg.Add(1)
		go func(s [][]byte) {
			defer wg.Done()
			c, err := rpchttp.New(url)
			if err != nil {
				errs <- err
				return
			}
			for lo := 0; lo < len(s); lo += batchSize {
				b := c.NewBatch()
				for _, raw := range s[lo:min(lo+batchSize, len(s))] {
					if _, err := b.BroadcastTxSync(context.Background(), raw); err != nil {
						errs <- err
						return
					}
				}
				res, err := b.Send(context.Background())
				if err != nil {
					// A refused transaction makes the whole batch's
					// decoding fail; the benchmark's transactions are all
					// valid, so any error is the harness's to report.
					errs <- err
					return
				}
				for _, r := range res {
					if r, ok := r.(*ctypes.ResultBroadcastTx); ok && r.Code != 0 {
						if rejected == nil {
							errs <- fmt.Errorf("refused: %s", r.Log)
							return
						}
						rejected.Add(1)
					}
				}
			}
		}(s)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// bulkBodies cuts each stream into bulk submissions of at most size
// transactions, encoded as POST /api/v1/txs takes them, before any clock
// starts.
func bulkBodies(streams [][][]byte, size int) ([][][]byte, error) {
	out := make([][][]byte, len(streams))
	for i, s := range streams {
		for lo := 0; lo < len(s); lo += size {
			items := make([]string, 0, size)
			for _, raw := range s[lo:min(lo+size, len(s))] {
				items = append(items, base64.StdEncoding.EncodeToString(raw))
			}
			b, err := json.Marshal(map[string][]string{"txs": items})
			if err != nil {
				return nil, fmt.Errorf("encode a bulk: %w", err)
			}
			out[i] = append(out[i], b)
		}
	}
	return out, nil
}

// postBulks posts each stream's bulk submissions in order from its own
// goroutine and kept-alive connection, and adds the transactions refused
// to refused (the benchmark then counts what was committed).
func postBulks(url string, streams [][][]byte, refused *atomic.Int64) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(streams))
	for _, s := range streams {
		wg.Add(1)
		go func(s [][]byte) {
			defer wg.Done()
			hc := &http.Client{Timeout: 5 * time.Minute}
			for _, body := range s {
				res, err := hc.Post(url, "application/json", bytes.NewReader(body))
				if err != nil {
					errs <- err
					return
				}
				var out api.BulkSubmitted
				err = json.NewDecoder(res.Body).Decode(&out)
				res.Body.Close()
				if err != nil || res.StatusCode != http.StatusOK {
					errs <- fmt.Errorf("POST %s: %s (%v)", url, res.Status, err)
					return
				}
				refused.Add(int64(out.Refused))
			}
		}(s)
	}
	wg.Wait()
	close(errs)
	return <-errs
}

// waitFor polls cond until it holds, for at most ten minutes.
func waitFor(cond func() bool) error {
	deadline := time.Now().Add(10 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			return fmt.Errorf("gave up waiting after ten minutes")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return nil
}

// pidCPU returns the CPU time (user and system) process pid has used, or
// 0 where /proc cannot tell.
func pidCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The fields after the command name (which may hold spaces): state is
	// the first, utime and stime the 12th and 13th, in ticks of 1/100 s
	// (USER_HZ on Linux).
	_, rest, ok := bytes.Cut(b, []byte(") "))
	if !ok {
		return 0
	}
	fs := strings.Fields(string(rest))
	if len(fs) < 13 {
		return 0
	}
	ut, _ := strconv.ParseInt(fs[11], 10, 64)
	st, _ := strconv.ParseInt(fs[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// rssMB returns the resident set size of process pid in MiB (0 where
// /proc cannot tell).
func rssMB(pid int) float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 64)
			return kb / 1024
		}
	}
	return 0
}

// catchUp starts a second, non-validating node with the first node's
// genesis, peered to it, and returns the seconds until its state reaches
// height target.
func catchUp(ctx context.Context, dir, first, p2pAddr string, target int64, clock func() time.Time) (float64, error) {
	home := filepath.Join(dir, "follower")
	if err := node.Init(home, node.HomeOptions{ChainID: "bench-1", LogLevel: "error", NoMetrics: true,
		P2PAddress: "tcp://" + freeLoopback(), RPCAddress: "tcp://" + freeLoopback(), MetricsAddress: freeLoopback(), WebAddress: freeLoopback()}); err != nil {
		return 0, err
	}
	gen, err := os.ReadFile(filepath.Join(first, "config", "genesis.json"))
	if err != nil {
		return 0, err
	}
	if err := os.WriteFile(filepath.Join(home, "config", "genesis.json"), gen, 0o600); err != nil {
		return 0, err
	}
	key, err := p2p.LoadNodeKey(filepath.Join(first, "config", "node_key.json"))
	if err != nil {
		return 0, err
	}
	cfg, err := node.LoadConfig(home)
	if err != nil {
		return 0, err
	}
	cfg.Comet.P2P.PersistentPeers = p2p.IDAddressString(key.ID(), p2pAddr)
	cfg.Comet.P2P.AllowDuplicateIP = true
	if err := node.WriteConfig(home, cfg); err != nil {
		return 0, err
	}
	start := clock()
	c, err := node.Open(ctx, home, node.Options{Clock: clock})
	if err != nil {
		return 0, err
	}
	defer c.Stop()
	err = waitFor(func() bool {
		var h int64
		c.App().View(func(s *core.State) error { h = s.Height(); return nil })
		return h >= target
	})
	return clock().Sub(start).Seconds(), err
}
