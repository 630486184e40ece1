package testnet

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// TestFourValidatorsSecretVote runs a secret referendum and a secret
// approval vote through the CLI on a testnet of four validator processes:
// each trustee and voter talks to a different node, every node reaches the
// same app hash at every height, and the exported record verifies with
// every proof re-checked.
func TestFourValidatorsSecretVote(t *testing.T) {
	if testing.Short() {
		t.Skip("runs four node processes")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	base := freeBase(t)
	keys := filepath.Join(dir, "keys-home")
	for _, k := range []string{"ada", "bram", "chiara"} {
		mustRun(t, "key", "new", k, "--home", keys, "--insecure-unencrypted")
	}
	keyOf := func(alias string) string {
		return strings.TrimSpace(mustRun(t, "key", "show", alias, "--key-only", "--home", keys))
	}
	rules := filepath.Join(dir, "constitution.toml")
	if err := os.WriteFile(rules, []byte("max_voting_period = \"720h\"\nmax_lead_time = \"720h\"\ncategories = [\"general\"]\n"+
		"[secret]\nkey_period = \"12s\"\ndecrypt_period = \"60s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "testnet", "--validators", "4", "--dir", dir, "--base-port", fmt.Sprint(base), "--constitution", rules,
		"--chain-id", "quad-2", "--name", "Quadville", "--min-voting", "2s", "--vouches", "2", "--quorum", "1/3", "--threshold", "1/2",
		"--timeout-commit", "300ms", "--empty-blocks", "1s",
		"--founder", "Ada="+keyOf("ada"), "--founder", "Bram="+keyOf("bram"), "--founder", "Chiara="+keyOf("chiara")).CombinedOutput()
	if err != nil {
		t.Fatalf("testnet: %v\n%s", err, out)
	}
	ctx := context.Background()
	procs := make([]*proc, 4)
	urls := make([]string, 4)
	rpcs := make([]*rpchttp.HTTP, 4)
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
		urls[i] = fmt.Sprintf("http://127.0.0.1:%d", base+10*i+1)
		if rpcs[i], err = rpchttp.New(urls[i]); err != nil {
			t.Fatal(err)
		}
		p := &proc{cmd: exec.Command(bin, "start", "--home", filepath.Join(dir, fmt.Sprintf("node%d", i)))}
		p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
		if err := p.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		procs[i] = p
	}
	height := func(i int) int64 {
		st, err := rpcs[i].Status(ctx)
		if err != nil {
			return 0
		}
		return st.SyncInfo.LatestBlockHeight
	}
	waitHeight := func(i int, h int64) {
		t.Helper()
		deadline := time.Now().Add(60 * time.Second)
		for height(i) < h {
			if time.Now().After(deadline) {
				t.Fatalf("node%d stuck at height %d, wanted %d", i, height(i), h)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}
	for i := range procs {
		waitHeight(i, 2)
	}
	as := func(alias string, node int, args ...string) []string {
		return append(args, "--as", alias, "--home", keys, "--node", urls[node])
	}

	opens := time.Now().Add(24 * time.Second).UTC().Format(time.RFC3339)
	mustRun(t, as("ada", 0, "propose", "--title", "Build the footbridge", "--secret", "--trustees", "1,2,3", "--trustee-threshold", "2",
		"--opens", opens, "--voting", "8s")...)
	mustRun(t, as("ada", 0, "propose", "--title", "Which trees?", "--secret", "--trustees", "1,2,3", "--trustee-threshold", "2",
		"--option", "oak", "--option", "lime", "--option", "ash", "--approve", "2", "--opens", opens, "--voting", "8s")...)
	var wg sync.WaitGroup
	for i, who := range []string{"ada", "bram", "chiara"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out := mustRun(t, as(who, i+1, "trustee", "keygen", "1", "2", "--wait")...); strings.Count(out, "the key is made") != 2 {
				t.Errorf("%s keygen: %s", who, out)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	mustRun(t, as("ada", 0, "vote", "1", "yes")...)
	mustRun(t, as("bram", 1, "vote", "1", "no")...)
	mustRun(t, as("chiara", 2, "vote", "1", "yes")...)
	mustRun(t, as("ada", 3, "vote", "2", "oak", "lime")...)
	mustRun(t, as("bram", 2, "vote", "2", "lime")...)
	mustRun(t, as("chiara", 1, "vote", "2", "ash", "lime")...)
	for i, who := range []string{"bram", "chiara"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mustRun(t, as(who, 3*i, "trustee", "decrypt", "1", "--wait")...)
			mustRun(t, as(who, 3*i, "trustee", "decrypt", "2", "--wait")...)
		}()
	}
	wg.Wait()
	if out := waitFor(t, urls[3], "1", "PASSED"); !strings.Contains(out, "PASSED — 2 yes, 1 no, 0 abstain; turnout 3 of 3") {
		t.Fatalf("proposal 1 on node3:\n%s", out)
	}
	if out := waitFor(t, urls[1], "2", "PASSED"); !strings.Contains(out, "PASSED — chosen: lime (oak 1, lime 3, ash 1); turnout 3 of 3") {
		t.Fatalf("proposal 2 on node1:\n%s", out)
	}

	h := height(0)
	for i := range procs {
		waitHeight(i, h)
	}
	for k := int64(1); k <= h; k++ {
		want, err := appHashAt(ctx, rpcs[0], k)
		if err != nil {
			t.Fatal(err)
		}
		for i := 1; i < 4; i++ {
			got, err := appHashAt(ctx, rpcs[i], k)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("node0 and node%d disagree at height %d", i, k)
			}
		}
	}
	file := filepath.Join(dir, "history.fmh")
	mustRun(t, "export", "--node", urls[2], "--out", file)
	vout := mustRun(t, "verify", file)
	for _, want := range []string{"secret      6 ballots and 4 partial decryptions, every proof checked; 2 tallies",
		"result      OK: every result and app hash matches the record"} {
		if !strings.Contains(vout, want) {
			t.Fatalf("verify lacks %q:\n%s", want, vout)
		}
	}
}
