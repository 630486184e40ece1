package bench

import (
	"os"
	"testing"
	"time"
)

// TestNodeSmall runs the whole node benchmark at a tiny size, the node in
// a process of its own, and checks that every figure is there and that
// every ballot, over RPC and in bulk, was taken. It asserts no timing.
func TestNodeSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts real nodes and a second process")
	}
	o := NodeOptions{Members: 300, Ballots: 1200, Workers: 4, BulkWorkers: 2, BulkSize: 250, Dir: t.TempDir(),
		Server: []string{os.Args[0]}, ServerEnv: []string{nodeServerEnv + "=1"}}
	f, err := Node(o, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", f)
	if f.RejectedAtRPC != 0 || f.RefusedInBulk != 0 {
		t.Errorf("%d refused over RPC, %d in bulk; want none", f.RejectedAtRPC, f.RefusedInBulk)
	}
	if f.BallotsPerS <= 0 || f.BulkPerS <= 0 || f.KVStorePerS <= 0 || f.RatioToKV <= 0 || f.BulkRatioToKV <= 0 {
		t.Errorf("missing throughput: %+v", f)
	}
	if f.CatchupS <= 0 || f.CatchupTxs != 1200+8 || f.Blocks < 1 {
		t.Errorf("catch-up %v s of %d transactions in %d blocks", f.CatchupS, f.CatchupTxs, f.Blocks)
	}
	if f.NodeCPUUs <= 0 || f.BulkNodeCPUUs <= 0 || f.KVNodeCPUUs <= 0 || f.BulkCPURatioToKV <= 0 {
		t.Errorf("missing CPU figures: %+v", f)
	}
	if f.RSSOf != "node process" || f.RSSMB <= 0 {
		t.Errorf("rss %v MiB of %q, want the node process's", f.RSSMB, f.RSSOf)
	}
}
