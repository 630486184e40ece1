package cli

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/store"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// buildBinary compiles cmd/folkmoot once for tests that run real processes.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "folkmoot")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/folkmoot/folkmoot/cmd/folkmoot")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build folkmoot: %v\n%s", err, out)
	}
	return bin
}

// TestCrashLoop kills a real node process with SIGKILL at random moments
// while members stream transactions at it and it writes a snapshot every
// 3 blocks, restarts it each time (from its newest usable snapshot), and
// finally checks that (1) its exported record verifies offline — the app
// hash at every height equals an uninterrupted replay — and (2) its SQLite
// projection is row for row the projection an uninterrupted replay of the
// same blocks writes.
func TestCrashLoop(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts a real node process")
	}
	bin := buildBinary(t)
	dir := t.TempDir()
	home := filepath.Join(dir, "node")
	members := make([]*coretest.Member, 8)
	var founders []string
	for i := range members {
		members[i] = coretest.NewMember(fmt.Sprintf("member %d", i))
		members[i].Chain = "crash-1"
		founders = append(founders, "--founder", fmt.Sprintf("member%d=%s", i, members[i].Key))
	}
	rpc, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	p2p, _ := freeAddr()
	args := append([]string{"init", "--home", home, "--chain-id", "crash-1", "--name", "Crashville",
		"--min-voting", "1s", "--timeout-commit", "200ms", "--empty-blocks", "500ms"}, founders...)
	if out, err := exec.Command(bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("init: %v\n%s", err, out)
	}
	// Loopback ports chosen now, written into the home's config.
	setPorts(t, home, p2p, rpc)
	setConfig(t, home, "snapshot_interval = 1000", "snapshot_interval = 3")
	url := "http://" + rpc
	cl, err := client.New(url)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	ctx := context.Background()
	var proposed bool
	fromSnapshot := 0
	for round := 0; round < 8; round++ {
		cmd := exec.Command(bin, "start", "--home", home)
		var logs bytes.Buffer
		cmd.Stdout, cmd.Stderr = &logs, &logs
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		waitNode(t, cl, cmd, &logs)
		// Resynchronise nonces with what the node committed.
		for _, m := range members {
			n, err := cl.NextNonce(ctx, m.Key)
			if err != nil {
				t.Fatalf("round %d: nonce: %v\n%s", round, err, logs.String())
			}
			m.Nonce = n - 1
		}
		if !proposed {
			closes := time.Now().Add(10 * time.Minute).Unix()
			if _, err := cl.SubmitAndWait(ctx, members[0].Sign(&tx.Propose{Title: "Keep the lights on", Category: "general", Closes: closes})); err != nil {
				t.Fatal(err)
			}
			proposed = true
		}
		deadline := time.Now().Add(time.Duration(300+rng.IntN(1200)) * time.Millisecond)
		sent := 0
		for time.Now().Before(deadline) {
			m := members[rng.IntN(len(members))]
			// Mostly comments, which are always valid; ballots are refused at
			// CheckTx when they repeat the committed choice.
			var body tx.Body = &tx.Comment{Proposal: 1, Text: fmt.Sprintf("round %d, message %d", round, sent)}
			if rng.IntN(4) == 0 {
				body = &tx.Ballot{Proposal: 1, Choice: tx.Choice(1 + rng.IntN(3))}
			}
			if _, err := cl.Submit(ctx, m.Sign(body)); err != nil {
				m.Nonce-- // refused (same ballot twice, say): the nonce is free again
			}
			sent++
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()
		if strings.Contains(logs.String(), "restarting from snapshot") {
			fromSnapshot++
		}
		t.Logf("round %d: sent %d transactions, killed", round, sent)
	}
	if fromSnapshot == 0 {
		t.Fatal("no restart was from a snapshot")
	}

	// Restart once more and let it run a little: it must come back.
	cmd := exec.Command(bin, "start", "--home", home)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	waitNode(t, cl, cmd, &logs)
	file := filepath.Join(dir, "history.fmh")
	if _, err := exportTo(ctx, cl, file, &Streams{Out: os.Stdout, Err: os.Stderr}); err != nil {
		t.Fatal(err)
	}
	cmd.Process.Signal(syscall.SIGTERM)
	cmd.Wait()

	if snaps, _ := filepath.Glob(filepath.Join(node.SnapshotDir(home), "*.snapshot")); len(snaps) == 0 {
		t.Fatal("the node wrote no snapshot")
	}

	// (1) The record verifies: every app hash equals a clean replay's.
	f, _ := os.Open(file)
	sum, err := history.Verify(f, history.Options{})
	f.Close()
	if err != nil {
		t.Fatalf("the crashed node's record does not verify: %v", err)
	}
	if sum.Accepted < 20 {
		t.Fatalf("only %d transactions were committed; the test proves little", sum.Accepted)
	}
	t.Logf("record: %d blocks, %d transactions", sum.Blocks, sum.Txs)

	// (2) The projection equals one written by an uninterrupted replay.
	clean := filepath.Join(dir, "clean.db")
	replayInto(t, file, clean, sum.Blocks)
	got := dumpDB(t, node.ProjectionPath(home), sum.Blocks)
	want := dumpDB(t, clean, sum.Blocks)
	if got != want {
		t.Fatalf("projection after crashes differs from a clean replay:\n%s", firstDiff(got, want))
	}
}

func waitNode(t *testing.T, cl *client.Client, cmd *exec.Cmd, logs *bytes.Buffer) {
	t.Helper()
	for i := 0; i < 300; i++ {
		if st, err := cl.Status(context.Background()); err == nil && st.Height > 0 {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	t.Fatalf("node did not come up:\n%s", logs.String())
}

// setPorts points the home's p2p and RPC at the given loopback addresses
// and frees the other default ports.
func setPorts(t *testing.T, home, p2p, rpc string) {
	t.Helper()
	path := filepath.Join(home, "config", "config.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	metrics, _ := freeAddr()
	web, _ := freeAddr()
	s := string(b)
	s = strings.Replace(s, `laddr = "tcp://127.0.0.1:26657"`, `laddr = "tcp://`+rpc+`"`, 1)
	s = strings.Replace(s, `laddr = "tcp://127.0.0.1:26656"`, `laddr = "tcp://`+p2p+`"`, 1)
	s = strings.Replace(s, `prometheus_listen_addr = "127.0.0.1:26660"`, `prometheus_listen_addr = "`+metrics+`"`, 1)
	s = strings.Replace(s, `web_address = "127.0.0.1:8080"`, `web_address = "`+web+`"`, 1)
	if !strings.Contains(s, rpc) || !strings.Contains(s, p2p) {
		t.Fatalf("could not set ports in %s", path)
	}
	if err := os.WriteFile(path, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
}

// setConfig replaces old with new in the home's config.toml.
func setConfig(t *testing.T, home, old, new string) {
	t.Helper()
	path := filepath.Join(home, "config", "config.toml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", path, old)
	}
	if err := os.WriteFile(path, bytes.Replace(b, []byte(old), []byte(new), 1), 0o600); err != nil {
		t.Fatal(err)
	}
}

// replayInto applies a history's blocks to a fresh state and projection,
// with no interruption, up to height last.
func replayInto(t *testing.T, file, db string, last int64) {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := history.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	h := r.Header()
	s, err := core.New(h.ChainID, time.Unix(0, h.GenesisTime), h.AppState)
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(db)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Init(h.ChainID, time.Unix(0, h.GenesisTime).UTC(), h.AppState); err != nil {
		t.Fatal(err)
	}
	for {
		b, err := r.Next()
		if err != nil || b.Height > last {
			break
		}
		at := time.Unix(0, b.Time).UTC()
		res, err := s.ApplyBlock(core.Block{Height: b.Height, Time: at, Txs: b.Txs}, 0)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.WriteBlock(store.BlockRecord{Height: b.Height, Time: at, Txs: b.Txs, Result: res, State: s}); err != nil {
			t.Fatal(err)
		}
	}
}

// dumpDB renders every projection table up to height last as sorted text.
func dumpDB(t *testing.T, path string, last int64) string {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name != 'migrations' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var out strings.Builder
	for _, tb := range tables {
		q := "SELECT * FROM " + tb
		if tb == "blocks" || tb == "txs" || tb == "leaves" {
			q += fmt.Sprintf(" WHERE height <= %d", last)
		}
		rs, err := db.Query(q)
		if err != nil {
			t.Fatalf("%s: %v", tb, err)
		}
		cols, _ := rs.Columns()
		var lines []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rs.Scan(ptrs...)
			lines = append(lines, fmt.Sprintf("%v", vals))
		}
		rs.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "== %s (%d rows)\n%s\n", tb, len(lines), strings.Join(lines, "\n"))
	}
	return out.String()
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  crashed: %.300s\n  clean:   %.300s", i, al[i], bl[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d vs %d lines", len(al), len(bl))
}
