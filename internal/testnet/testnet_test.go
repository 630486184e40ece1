package testnet

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// freeBase finds a base port with the 40 ports a 4-node testnet uses free.
func freeBase(t *testing.T) int {
	t.Helper()
	// Below Linux's ephemeral range (32768–60999), where outgoing connections
	// of other tests could take a port before a node binds it.
	for base := 20000 + int(time.Now().UnixNano()%110)*100; base < 32000; base += 100 {
		ok := true
		for p := base; p < base+40 && ok; p++ {
			l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", p))
			if err != nil {
				ok = false
				continue
			}
			l.Close()
		}
		if ok {
			return base
		}
	}
	t.Fatal("no free port range")
	return 0
}

type proc struct {
	cmd  *exec.Cmd
	logs bytes.Buffer
}

// TestFourValidators runs "folkmoot testnet --validators 4" as four real
// processes on loopback and checks agreement, fault tolerance, catch-up and
// that losing two of four halts the chain without a fork.
func TestFourValidators(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	base := freeBase(t)
	alice, bob, carol := coretest.NewMember("alice"), coretest.NewMember("bob"), coretest.NewMember("carol")
	for _, m := range []*coretest.Member{alice, bob, carol} {
		m.Chain = "quad-1"
	}
	out, err := exec.Command(bin, "testnet", "--validators", "4", "--dir", dir, "--base-port", fmt.Sprint(base),
		"--chain-id", "quad-1", "--name", "Quadville", "--min-voting", "2s",
		"--timeout-commit", "300ms", "--empty-blocks", "1s",
		"--founder", "alice="+alice.Key.String(), "--founder", "bob="+bob.Key.String(), "--founder", "carol="+carol.Key.String()).CombinedOutput()
	if err != nil {
		t.Fatalf("testnet: %v\n%s", err, out)
	}
	ctx := context.Background()
	procs := make([]*proc, 4)
	clients := make([]*client.Client, 4)
	rpcs := make([]*rpchttp.HTTP, 4) // for what only this test reads: heights and app hashes
	start := func(i int) {
		p := &proc{cmd: exec.Command(bin, "start", "--home", filepath.Join(dir, fmt.Sprintf("node%d", i)))}
		p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = p
	}
	kill := func(i int) {
		procs[i].cmd.Process.Signal(syscall.SIGKILL)
		procs[i].cmd.Wait()
		procs[i] = nil
	}
	defer func() {
		for i, p := range procs {
			if p != nil {
				p.cmd.Process.Signal(syscall.SIGKILL)
				p.cmd.Wait()
				if t.Failed() {
					t.Logf("node%d log:\n%s", i, p.logs.String())
				}
			}
		}
	}()
	for i := range procs {
		url := fmt.Sprintf("http://127.0.0.1:%d", base+10*i+1)
		clients[i], _ = client.New(url)
		if rpcs[i], err = rpchttp.New(url); err != nil {
			t.Fatal(err)
		}
		start(i)
	}
	height := func(i int) int64 {
		st, err := rpcs[i].Status(ctx)
		if err != nil {
			return 0
		}
		return st.SyncInfo.LatestBlockHeight
	}
	waitHeight := func(i int, h int64, within time.Duration) {
		t.Helper()
		deadline := time.Now().Add(within)
		for height(i) < h {
			if time.Now().After(deadline) {
				t.Fatalf("node%d stuck at height %d, wanted %d", i, height(i), h)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	// appHash asks node i for the app hash of height h. CometBFT stores a
	// block (and reports its height) a moment before it stores the block's
	// results, so a missing result is asked for again for a while.
	appHash := func(i int, h int64) ([]byte, error) {
		deadline := time.Now().Add(10 * time.Second)
		for {
			b, err := appHashAt(ctx, rpcs[i], h)
			if err == nil || time.Now().After(deadline) || !strings.Contains(err.Error(), "could not find results") {
				return b, err
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	sameHashes := func(nodes []int, upto int64) {
		t.Helper()
		for h := int64(1); h <= upto; h++ {
			want, err := appHash(nodes[0], h)
			if err != nil {
				t.Fatal(err)
			}
			for _, i := range nodes[1:] {
				got, err := appHash(i, h)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(got, want) {
					t.Fatalf("node%d and node%d disagree at height %d", nodes[0], i, h)
				}
			}
		}
	}
	for i := range procs {
		waitHeight(i, 2, 60*time.Second)
	}

	// Transactions sent to node 0 are decided identically everywhere.
	closes := time.Now().Add(4 * time.Second).Unix()
	if c, err := clients[0].SubmitAndWait(ctx, alice.Sign(&tx.Propose{Title: "Share the ladder", Category: "general", Closes: closes})); err != nil || c.Code != 0 {
		t.Fatalf("propose: %v %+v", err, c)
	}
	for _, m := range []*coretest.Member{alice, bob, carol} {
		if _, err := clients[0].Submit(ctx, m.Ballot(1, tx.Yes)); err != nil {
			t.Fatal(err)
		}
	}
	for {
		p, err := clients[3].Proposal(ctx, 1)
		if err == nil && p.Result != nil {
			if !p.Result.Passed || p.Result.Yes != 3 {
				t.Fatalf("result on node3: %+v", p.Result)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	h := height(0)
	for i := range procs {
		waitHeight(i, h, 10*time.Second)
	}
	sameHashes([]int{0, 1, 2, 3}, h)

	// One validator down: three of four still decide.
	kill(3)
	h = height(0)
	waitHeight(0, h+3, 20*time.Second)
	// It comes back and catches up to the same app hashes.
	start(3)
	h = height(0)
	waitHeight(3, h, 60*time.Second)
	sameHashes([]int{0, 3}, h)

	// Two down: no two-thirds, the chain halts, and the survivors agree.
	kill(2)
	kill(3)
	time.Sleep(2 * time.Second)
	stuck := height(0)
	time.Sleep(4 * time.Second)
	if height(0) > stuck+1 {
		t.Fatalf("the chain went on from %d to %d with two of four validators down", stuck, height(0))
	}
	if height(1) > height(0)+1 || height(0) > height(1)+1 {
		t.Fatalf("survivors at heights %d and %d", height(0), height(1))
	}
	sameHashes([]int{0, 1}, min(height(0), height(1)))
	// One returns: three of four, and the chain resumes.
	start(2)
	waitHeight(0, stuck+3, 60*time.Second)
	waitHeight(2, stuck+3, 60*time.Second)
	sameHashes([]int{0, 1, 2}, stuck+3)
}

// appHashAt returns the app hash a node computed for block height (the one
// the header of height+1 carries).
func appHashAt(ctx context.Context, rpc *rpchttp.HTTP, height int64) ([]byte, error) {
	r, err := rpc.BlockResults(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("results of block %d: %w", height, err)
	}
	return r.AppHash, nil
}
