package node

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cockroachdb/pebble"
	dbm "github.com/cometbft/cometbft-db"
	"github.com/cometbft/cometbft/abci/example/kvstore"
	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/libs/log"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/folkmoot/folkmoot/internal/client"
)

func TestSingleNodeCommitsTx(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	if err := Init(home, fastOptions(t, "single-1")); err != nil {
		t.Fatal(err)
	}
	app := &recordingApp{Application: kvstore.NewInMemoryApplication()}
	n := startNode(t, home, app)
	c := rpcClient(t, n)
	if got := compactJSON(t, app.appState); got != `{"founders":["ada","bo"]}` {
		t.Fatalf("InitChain got app_state %q", got)
	}
	if app.chainID != "single-1" {
		t.Fatalf("InitChain got chain id %q", app.chainID)
	}

	res, err := c.BroadcastTxCommit(context.Background(), []byte("mayor=ada"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CheckTx.Code != 0 || res.TxResult.Code != 0 {
		t.Fatalf("tx rejected: check %d %q, finalize %d %q", res.CheckTx.Code, res.CheckTx.Log, res.TxResult.Code, res.TxResult.Log)
	}
	if res.Height < 1 {
		t.Fatalf("committed at height %d", res.Height)
	}
	if got := queryKV(t, c, "mayor"); got != "ada" {
		t.Fatalf("query mayor = %q, want ada", got)
	}
	blk, err := c.Block(context.Background(), &res.Height)
	if err != nil {
		t.Fatal(err)
	}
	if len(blk.Block.Txs) != 1 || !bytes.Equal(blk.Block.Txs[0], []byte("mayor=ada")) {
		t.Fatalf("block %d txs = %q", res.Height, blk.Block.Txs)
	}
	if got := n.ChainID(); got != "single-1" {
		t.Fatalf("chain id %q", got)
	}

	// An invalid kvstore transaction is refused at CheckTx; CometBFT v1
	// reports that as an RPC error whose text carries the code.
	for name, send := range map[string]func() error{
		"sync": func() error {
			_, err := c.BroadcastTxSync(context.Background(), []byte("no-separator"))
			return err
		},
		"commit": func() error {
			_, err := c.BroadcastTxCommit(context.Background(), []byte("also=bad=tx"))
			return err
		},
	} {
		err := send()
		r, ok := client.ParseRejection(err)
		if !ok || r.Code != kvstore.CodeTypeInvalidTxFormat {
			t.Errorf("%s: invalid tx gave %v, parsed %+v %v; want code %d", name, err, r, ok, kvstore.CodeTypeInvalidTxFormat)
		}
	}
}

func TestEmptyBlocksWithoutTraffic(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	if err := Init(home, fastOptions(t, "empty-1")); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, home, kvstore.NewInMemoryApplication())
	c := rpcClient(t, n)

	waitHeight(t, c, 4)
	var last time.Time
	for h := int64(1); h <= 4; h++ {
		blk, err := c.Block(context.Background(), &h)
		if err != nil {
			t.Fatal(err)
		}
		if len(blk.Block.Txs) != 0 {
			t.Fatalf("block %d has %d txs, want none", h, len(blk.Block.Txs))
		}
		if !blk.Block.Time.After(last) {
			t.Fatalf("block %d time %v not after %v", h, blk.Block.Time, last)
		}
		last = blk.Block.Time
	}
}

func TestRestartFromSameHome(t *testing.T) {
	tests := []struct {
		name string
		app  func(home string) *kvstore.Application
	}{
		// The in-memory app reports height 0 on Info after a restart, so
		// CometBFT's handshake calls InitChain and replays every block.
		{"app forgets, blocks replayed", func(string) *kvstore.Application { return kvstore.NewInMemoryApplication() }},
		// The persistent app reports its last height: nothing is replayed.
		{"app remembers", func(home string) *kvstore.Application {
			db, err := dbm.NewPebbleDBWithOpts("kvstore-app", filepath.Join(home, "data"), &pebble.Options{Logger: pebbleLogger{log.NewNopLogger()}})
			if err != nil {
				t.Fatal(err)
			}
			return kvstore.NewApplication(db)
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home := filepath.Join(t.TempDir(), "home")
			if err := Init(home, fastOptions(t, "restart-1")); err != nil {
				t.Fatal(err)
			}
			app := tc.app(home)
			n, err := Start(context.Background(), home, app, testLog())
			if err != nil {
				t.Fatal(err)
			}
			c := rpcClient(t, n)
			res, err := c.BroadcastTxCommit(context.Background(), []byte("clerk=bo"))
			if err != nil || res.TxResult.Code != 0 {
				n.Stop()
				t.Fatalf("broadcast: %v %+v", err, res)
			}
			before := waitHeight(t, c, res.Height+1)
			hashBefore := appHashAt(t, c, res.Height+1)
			if err := n.Stop(); err != nil {
				t.Fatal(err)
			}
			app.Close()

			app = tc.app(home)
			defer app.Close()
			n = startNode(t, home, app)
			c = rpcClient(t, n)
			waitHeight(t, c, before+2)
			if got := queryKV(t, c, "clerk"); got != "bo" {
				t.Fatalf("after restart clerk = %q, want bo", got)
			}
			if got := appHashAt(t, c, res.Height+1); !bytes.Equal(got, hashBefore) {
				t.Fatalf("app hash at %d changed across restart: %X then %X", res.Height+1, hashBefore, got)
			}
		})
	}
}

// TestMetricsServeCometAndOurs runs in a child process of its own: CometBFT
// registers its metrics in Prometheus's global registry, and only the first
// node of a process gets them.
func TestMetricsServeCometAndOurs(t *testing.T) {
	if os.Getenv("FOLKMOOT_NODE_METRICS_CHILD") == "" {
		cmd := exec.Command(os.Args[0], "-test.run=^TestMetricsServeCometAndOurs$", "-test.v")
		cmd.Env = append(os.Environ(), "FOLKMOOT_NODE_METRICS_CHILD=1")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "--- PASS: TestMetricsServeCometAndOurs") {
			t.Fatalf("child test: %v\n%s", err, out)
		}
		return
	}

	home := filepath.Join(t.TempDir(), "home")
	if err := Init(home, fastOptions(t, "metrics-1")); err != nil {
		t.Fatal(err)
	}
	reg := prometheus.NewRegistry()
	accepted := prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: "folkmoot", Name: "test_tx_accepted_total", Help: "Test counter.",
	})
	reg.MustRegister(accepted)
	accepted.Add(3)
	n := startNode(t, home, kvstore.NewInMemoryApplication(), WithRegistry(reg))
	if n.Registry() != reg {
		t.Fatal("Registry() is not the registry passed in")
	}
	waitHeight(t, rpcClient(t, n), 2)

	resp, err := http.Get("http://" + n.MetricsAddress() + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "folkmoot_test_tx_accepted_total 3\n") {
		t.Errorf("/metrics lacks our counter")
	}
	if !strings.Contains(string(body), "go_goroutines ") {
		t.Errorf("/metrics lacks the Go runtime metrics")
	}
	var height float64
	for line := range strings.Lines(string(body)) {
		if rest, ok := strings.CutPrefix(line, `cometbft_consensus_height{chain_id="metrics-1"} `); ok {
			height, _ = strconv.ParseFloat(strings.TrimSpace(rest), 64)
		}
	}
	if height < 1 {
		t.Errorf("/metrics has no CometBFT consensus height >= 1 for chain metrics-1:\n%.3000s", body)
	}

	// Issue 10, finding 11: the metrics listener answered every path
	// (GET /anything, GET /favicon.ico) with the metrics; only /metrics
	// serves them now.
	for _, tc := range []struct {
		method, path string
		status       int
	}{
		{"GET", "/metrics", 200},
		{"GET", "/", 404},
		{"GET", "/anything", 404},
		{"GET", "/metrics/more", 404},
		{"POST", "/metrics", 405},
	} {
		req, _ := http.NewRequest(tc.method, "http://"+n.MetricsAddress()+tc.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != tc.status {
			t.Errorf("%s %s: %d, want %d", tc.method, tc.path, res.StatusCode, tc.status)
		}
		if has := strings.Contains(string(b), "go_goroutines "); has != (tc.status == 200) {
			t.Errorf("%s %s: metrics in the answer: %v", tc.method, tc.path, has)
		}
	}
}

// appHashAt is the app hash in the header of block h: the application's
// state after block h-1.
func appHashAt(t *testing.T, c *rpchttp.HTTP, h int64) []byte {
	t.Helper()
	blk, err := c.Block(context.Background(), &h)
	if err != nil {
		t.Fatal(err)
	}
	return blk.Block.AppHash
}

// recordingApp is kvstore remembering what InitChain was given.
type recordingApp struct {
	*kvstore.Application
	appState []byte
	chainID  string
}

func (a *recordingApp) InitChain(ctx context.Context, req *abcitypes.InitChainRequest) (*abcitypes.InitChainResponse, error) {
	a.appState, a.chainID = req.AppStateBytes, req.ChainId
	return a.Application.InitChain(ctx, req)
}

func TestLogsGoToTheGivenWriter(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	o := fastOptions(t, "logs-1")
	o.LogLevel = "consensus:info,*:error"
	if err := Init(home, o); err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	n, err := Start(context.Background(), home, kvstore.NewInMemoryApplication(), &logs)
	if err != nil {
		t.Fatal(err)
	}
	waitHeight(t, rpcClient(t, n), 2)
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	out := logs.String()
	if !strings.Contains(out, "module=consensus") || !strings.Contains(out, "Finalizing commit of block") {
		t.Errorf("consensus log lines missing from:\n%s", out)
	}
	for line := range strings.Lines(out) {
		if strings.HasPrefix(line, "I[") && !strings.Contains(line, "module=consensus") {
			t.Errorf("info line outside consensus despite log level: %s", line)
		}
	}
}
