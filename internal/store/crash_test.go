package store

import (
	"bufio"
	"encoding/gob"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// The crash loop's child process writes a simulated history to the file
// named by this variable.
const crashEnv = "FOLKMOOT_STORE_CRASH_CHILD"

// crashHistoryEnv names the file holding the history the child replays.
const crashHistoryEnv = "FOLKMOOT_STORE_CRASH_HISTORY"

const (
	crashSeed     = 42
	crashFounders = 8
	crashBlocks   = 150 // a child that gets this far finishes; the parent starts a new file
	crashTxs      = 60
)

// history is a recorded community history: its genesis and blocks.
type history struct {
	AppState []byte
	Blocks   []core.Block
	SigOK    [][]bool // whether each transaction's signature is valid
}

// simHistory records a simulated history.
func simHistory(seed uint64, founders, blocks, txs int) history {
	sim := coretest.NewSim(seed, founders)
	h := history{AppState: sim.AppState}
	for range blocks {
		b, _ := sim.Block(txs)
		ok := make([]bool, len(b.Txs))
		for i, raw := range b.Txs {
			if t, err := tx.Decode(raw); err == nil {
				ok[i] = t.CheckSignature() == nil
			}
		}
		h.Blocks = append(h.Blocks, b)
		h.SigOK = append(h.SigOK, ok)
	}
	return h
}

// replay applies the history's blocks to a fresh state in order, calling
// fn after each. Signatures were checked when the history was made and
// their outcome recorded, so replay costs what the core and the projection
// cost, not the cryptography.
func (h history) replay(fn func(st *core.State, b core.Block, res core.BlockResult) error) error {
	st, err := core.New(coretest.ChainID, coretest.GenesisTime, h.AppState)
	if err != nil {
		return err
	}
	for n, b := range h.Blocks {
		txs := make([]*tx.Tx, len(b.Txs))
		errs := make([]*reject.Error, len(b.Txs))
		for i, raw := range b.Txs {
			if txs[i], errs[i] = tx.Decode(raw); txs[i] != nil {
				txs[i].MarkVerified(h.SigOK[n][i])
			}
		}
		res, err := st.ApplyDecoded(b.Height, b.Time, b.Txs, txs, errs)
		if err != nil {
			return err
		}
		if err := fn(st, b, res); err != nil {
			return err
		}
	}
	return nil
}

// crashChild replays the recorded history, handing every block to
// WriteBlock (those already stored are checked and skipped, as in a node's
// replay after a restart) and reports on stdout the height it resumed from
// and when it begins and ends writing each new block.
func crashChild(path, historyFile string) {
	fail := func(err error) {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	f, err := os.Open(historyFile)
	if err != nil {
		fail(err)
	}
	var h history
	if err := gob.NewDecoder(f).Decode(&h); err != nil {
		fail(err)
	}
	f.Close()
	s, err := Open(path)
	if err != nil {
		fail(err)
	}
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, h.AppState); err != nil {
		fail(err)
	}
	stored, _, err := s.Height()
	if err != nil {
		fail(err)
	}
	fmt.Fprintf(os.Stdout, "resume %d\n", stored)
	err = h.replay(func(st *core.State, b core.Block, res core.BlockResult) error {
		if b.Height > stored {
			fmt.Fprintf(os.Stdout, "begin %d\n", b.Height)
		}
		if err := s.WriteBlock(record(st, b, res)); err != nil {
			return err
		}
		if b.Height > stored {
			fmt.Fprintf(os.Stdout, "done %d\n", b.Height)
		}
		return nil
	})
	if err != nil {
		fail(err)
	}
	fmt.Fprintln(os.Stdout, "finished")
	s.Close()
}

// TestCrashLoop kills a real process writing blocks at random moments with
// SIGKILL, again and again, and checks after each kill that the database
// is intact, holds whole blocks only (the height is one the child had
// begun or finished), and, at the end, that every table is exactly what a
// clean run to the same height writes.
func TestCrashLoop(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		crashChild(path, os.Getenv(crashHistoryEnv))
		return
	}
	if testing.Short() {
		t.Skip("crash loop skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 0))
	t.Logf("kill timings from seed %d", seed)

	type observed struct {
		file   int
		height int64
		dump   string
	}
	hist := simHistory(crashSeed, crashFounders, crashBlocks, crashTxs)
	histFile := filepath.Join(t.TempDir(), "history.gob")
	f, err := os.Create(histFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := gob.NewEncoder(f).Encode(hist); err != nil {
		t.Fatal(err)
	}
	f.Close()

	var seen []observed
	file, kills, midWrite, finished := 0, 0, 0, 0
	var prev int64 // height stored in the current file before the run
	path := func() string { return filepath.Join(t.TempDir(), fmt.Sprintf("crash-%d.db", file)) }
	current := path()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		lastBegin, lastDone, done := runAndKill(t, current, histFile, rng)
		if done {
			finished++
			file++
			current = path()
			prev = 0
			continue
		}
		kills++
		s, err := Open(current)
		if err != nil {
			t.Fatalf("kill %d: reopen: %v", kills, err)
		}
		checkIntegrity(t, s)
		h, _, err := s.Height()
		if errors.Is(err, ErrNotInitialised) && prev == 0 && lastBegin == 0 {
			s.Close()
			continue // killed before the genesis was written
		}
		if err != nil {
			t.Fatalf("kill %d: height: %v", kills, err)
		}
		if h < max(prev, lastDone) || h > max(prev, lastBegin) {
			t.Fatalf("kill %d: stored height %d, but it was %d before the run, and the child had finished %d and begun %d",
				kills, h, prev, lastDone, lastBegin)
		}
		if lastBegin > lastDone && h == lastBegin-1 {
			midWrite++ // killed after beginning a block and before its commit
		}
		prev = h
		seen = append(seen, observed{file: file, height: h, dump: dump(t, s)})
		s.Close()
	}
	t.Logf("%d kills (%d between beginning a block and its commit), %d runs to the end, heights seen: %d", kills, midWrite, finished, len(seen))
	if kills < 10 || midWrite < 3 {
		t.Fatalf("only %d kills, %d inside a block write: the loop tested too little", kills, midWrite)
	}

	// One clean run, compared at every height a crashed database was seen at.
	want := map[int64]string{}
	var top int64
	for _, o := range seen {
		want[o.height] = ""
		top = max(top, o.height)
	}
	ref, _ := openTemp(t)
	if err := ref.Init(coretest.ChainID, coretest.GenesisTime, hist.AppState); err != nil {
		t.Fatal(err)
	}
	if _, ok := want[0]; ok {
		want[0] = dump(t, ref)
	}
	err = hist.replay(func(st *core.State, b core.Block, res core.BlockResult) error {
		if b.Height > top {
			return nil
		}
		if err := ref.WriteBlock(record(st, b, res)); err != nil {
			return err
		}
		if _, ok := want[b.Height]; ok {
			want[b.Height] = dump(t, ref)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range seen {
		if o.dump != want[o.height] {
			t.Fatalf("kill %d (file %d): the database at height %d differs from a clean run's:\n%s",
				i+1, o.file, o.height, firstDiff(o.dump, want[o.height]))
		}
	}
}

// runAndKill starts a child writing to path and kills it at a random
// moment: half the time a few hundred microseconds after it reports
// beginning a block (to land inside WriteBlock often), otherwise at a
// uniformly random time after it starts writing. It returns the last block
// the child began and the last it finished, and whether the child ran to
// the end before the kill.
func runAndKill(t *testing.T, path, histFile string, rng *rand.Rand) (lastBegin, lastDone int64, finished bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashLoop$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashEnv+"="+path, crashHistoryEnv+"="+histFile)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string, 1024)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			lines <- sc.Text()
		}
		io.Copy(io.Discard, out)
		close(lines)
	}()
	note := func(line string) {
		f := strings.Fields(line)
		if len(f) == 2 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			switch f[0] {
			case "begin":
				lastBegin = n
			case "done":
				lastDone = n
			}
		}
		if line == "finished" {
			finished = true
		}
	}
	afterBegin := rng.IntN(2) == 0
	skip := rng.IntN(30) // blocks to let pass before aiming
	var timer <-chan time.Time
	if !afterBegin {
		timer = time.After(time.Duration(rng.Int64N(int64(150 * time.Millisecond))))
	}
wait:
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				break wait // the child exited
			}
			note(line)
			if afterBegin && strings.HasPrefix(line, "begin ") {
				if skip--; skip < 0 {
					time.Sleep(time.Duration(rng.Int64N(int64(2 * time.Millisecond))))
					break wait
				}
			}
		case <-timer:
			break wait
		}
	}
	cmd.Process.Signal(syscall.SIGKILL)
	for line := range lines {
		note(line)
	}
	err = cmd.Wait()
	if finished {
		if err != nil {
			t.Fatalf("the child finished but exited with %v: %s", err, stderr.String())
		}
		return lastBegin, lastDone, true
	}
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("the child stopped by itself (%v): %s", err, stderr.String())
	}
	return lastBegin, lastDone, false
}

func firstDiff(a, b string) string {
	la, lb := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(la), len(lb)) {
		if la[i] != lb[i] {
			return fmt.Sprintf("line %d:\n  crashed: %s\n  clean:   %s", i+1, la[i], lb[i])
		}
	}
	return fmt.Sprintf("lengths differ: %d and %d lines", len(la), len(lb))
}
