package node

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// testLog is where test nodes log: nothing, unless FOLKMOOT_NODE_LOG=1.
func testLog() io.Writer {
	if os.Getenv("FOLKMOOT_NODE_LOG") != "" {
		return os.Stderr
	}
	return nil
}

// freePort returns a loopback port nobody listens on right now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// freeBase returns a base port such that the 10*n ports from it are free.
func freeBase(t *testing.T, n int) int {
	t.Helper()
	for range 100 {
		base := 20000 + 10*rand.IntN(3000)
		ok := true
		var ls []net.Listener
		for p := base; p < base+10*n; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				break
			}
			ls = append(ls, l)
		}
		for _, l := range ls {
			l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

// fastOptions are HomeOptions for tests: short commit and empty-block waits on
// free loopback ports.
func fastOptions(t *testing.T, chainID string) HomeOptions {
	t.Helper()
	return HomeOptions{
		ChainID:             chainID,
		AppState:            []byte(`{"founders":["ada","bo"]}`),
		TimeoutCommit:       50 * time.Millisecond,
		EmptyBlocksInterval: 300 * time.Millisecond,
		P2PAddress:          fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		RPCAddress:          fmt.Sprintf("tcp://127.0.0.1:%d", freePort(t)),
		MetricsAddress:      fmt.Sprintf("127.0.0.1:%d", freePort(t)),
		WebAddress:          fmt.Sprintf("127.0.0.1:%d", freePort(t)),
	}
}

// startNode starts home with app and stops it when the test ends.
func startNode(t *testing.T, home string, app abcitypes.Application, opts ...StartOption) *Node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	n, err := Start(ctx, home, app, testLog(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := n.Stop(); err != nil {
			t.Errorf("stop: %v", err)
		}
	})
	return n
}

func rpcClient(t testing.TB, n *Node) *rpchttp.HTTP {
	t.Helper()
	c, err := rpchttp.New(n.RPCAddress())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// waitHeight polls until the node's latest block is at least h.
func waitHeight(t *testing.T, c *rpchttp.HTTP, h int64) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		st, err := c.Status(ctx)
		if err == nil && st.SyncInfo.LatestBlockHeight >= h {
			return st.SyncInfo.LatestBlockHeight
		}
		select {
		case <-ctx.Done():
			t.Fatalf("height %d not reached: %v (last error %v)", h, ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// queryKV asks a kvstore node for key's value.
func queryKV(t *testing.T, c *rpchttp.HTTP, key string) string {
	t.Helper()
	res, err := c.ABCIQuery(context.Background(), "", []byte(key))
	if err != nil {
		t.Fatal(err)
	}
	return string(res.Response.Value)
}

var _ abcitypes.Application = (*kvstore.Application)(nil)

// waitCaughtUp polls until the node has left block sync: before that, a
// node with peers refuses broadcasts ("endpoint is closed while node is
// catching up").
func waitCaughtUp(t *testing.T, c *rpchttp.HTTP) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for {
		st, err := c.Status(ctx)
		if err == nil && !st.SyncInfo.CatchingUp {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("node still catching up: %v (last error %v)", ctx.Err(), err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// lockedBuffer is a log writer safe for the node's goroutines and the test.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
