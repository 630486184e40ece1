package bench

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/folkmoot/folkmoot/internal/node"
)

// BenchmarkKVStoreRPC measures CometBFT's kvstore example application end
// to end through one in-process node: b.N transactions of 200 bytes
// submitted with broadcast_tx_sync by 8 concurrent clients, one per HTTP
// request or in JSON-RPC batches, counted when the application has
// committed them all. It is the baseline `folkmoot bench node` compares
// folkmoot's application with.
func BenchmarkKVStoreRPC(b *testing.B) {
	for _, batch := range []int{1, 100} {
		b.Run("batch="+strconv.Itoa(batch), func(b *testing.B) { benchKVStore(b, batch) })
	}
}

func benchKVStore(b *testing.B, batch int) {
	o := node.HomeOptions{
		ChainID:             "bench-kv",
		TimeoutCommit:       10 * time.Millisecond,
		EmptyBlocksInterval: time.Second,
		NoMetrics:           true,
	}
	o.P2PAddress = "tcp://" + freeLoopback()
	o.RPCAddress = "tcp://" + freeLoopback()
	n, err := startKVStore(context.Background(), b.TempDir(), o, nil, node.WithConfig(func(c *node.Config) {
		c.Comet.Mempool.Size = max(b.N+1000, 5000)
		c.Comet.Mempool.CacheSize = max(b.N+1000, 10000)
		c.Comet.Mempool.MaxTxsBytes = 1 << 30
		c.Comet.RPC.MaxRequestBatchSize = batch
		c.Comet.RPC.MaxBodyBytes = max(c.Comet.RPC.MaxBodyBytes, int64(batch)*1024)
	}))
	if err != nil {
		b.Fatal(err)
	}
	defer n.Stop()
	c := rpcClient(b, n)
	ctx := context.Background()
	base := kvSize(b, n)

	b.ResetTimer()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				first := next.Add(int64(batch)) - int64(batch)
				if first >= int64(b.N) {
					return
				}
				last := min(first+int64(batch), int64(b.N))
				if err := submit(ctx, c, first, last); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	for kvSize(b, n) < base+int64(b.N) {
		time.Sleep(10 * time.Millisecond)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tx/s")
}

// kvSize is the number of keys the kvstore application has committed.
func kvSize(b *testing.B, n *node.Node) int64 {
	res, err := rpcClient(b, n).ABCIInfo(context.Background())
	if err != nil {
		b.Fatal(err)
	}
	var info struct{ Size int64 }
	if err := json.Unmarshal([]byte(res.Response.Data), &info); err != nil {
		b.Fatal(err)
	}
	return info.Size
}

// submit sends transactions first..last-1 in one JSON-RPC batch, again
// while the mempool is full.
func submit(ctx context.Context, c *rpchttp.HTTP, first, last int64) error {
	for {
		bc := c.NewBatch()
		for i := first; i < last; i++ {
			if _, err := bc.BroadcastTxSync(ctx, kvstoreTx(uint64(i), 200)); err != nil {
				return err
			}
		}
		_, err := bc.Send(ctx)
		if err == nil {
			return nil
		}
		if !strings.Contains(err.Error(), "mempool is full") {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestStartKVStoreHelper starts the kvstore node the node benchmark
// compares with and commits one transaction of the benchmark's size.
func TestStartKVStoreHelper(t *testing.T) {
	o := node.HomeOptions{TimeoutCommit: 50 * time.Millisecond, EmptyBlocksInterval: 300 * time.Millisecond, NoMetrics: true,
		P2PAddress: "tcp://" + freeLoopback(), RPCAddress: "tcp://" + freeLoopback(), WebAddress: freeLoopback()}
	n, err := startKVStore(context.Background(), t.TempDir(), o, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer n.Stop()
	if n.ChainID() != "kvstore" {
		t.Fatalf("chain id %q", n.ChainID())
	}
	tx := kvstoreTx(42, 200)
	if len(tx) != 200 {
		t.Fatalf("tx is %d bytes, want 200", len(tx))
	}
	c := rpcClient(t, n)
	res, err := c.BroadcastTxCommit(context.Background(), tx)
	if err != nil || res.CheckTx.Code != 0 || res.TxResult.Code != 0 {
		t.Fatalf("broadcast: %v %+v", err, res)
	}
	q, err := c.ABCIQuery(context.Background(), "", []byte("k42"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(q.Response.Value); got != strings.Repeat("v", 196) {
		t.Fatalf("k42 = %q", got)
	}
}

// rpcClient connects to n's RPC.
func rpcClient(t testing.TB, n *node.Node) *rpchttp.HTTP {
	t.Helper()
	c, err := rpchttp.New(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	return c
}
