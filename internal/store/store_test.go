package store

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

func TestMigrationsRunOnceAndAreRecorded(t *testing.T) {
	s, path := openTemp(t)
	first, err := s.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := fs.Glob(migrations, "migrations/*.sql")
	if len(first) != len(files) || first[0].Version != 1 || first[0].Name != "0001_init.sql" || first[0].Applied.IsZero() {
		t.Fatalf("migrations after first open: %+v", first)
	}
	s.Close()
	for range 2 {
		s, err = Open(path)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		again, err := s.Migrations()
		if err != nil {
			t.Fatal(err)
		}
		if len(again) != len(first) || !again[0].Applied.Equal(first[0].Applied) {
			t.Fatalf("migrations after reopening: %+v, first %+v", again, first)
		}
		s.Close()
	}
}

func TestOpenSetsPragmas(t *testing.T) {
	s, _ := openTemp(t)
	for _, c := range []struct {
		pragma string
		want   string
	}{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
		{"busy_timeout", "10000"},
	} {
		var got string
		if err := s.r.QueryRow(`PRAGMA ` + c.pragma).Scan(&got); err != nil || got != c.want {
			t.Errorf("PRAGMA %s = %q (%v), want %q", c.pragma, got, err, c.want)
		}
	}
	if _, err := s.r.Exec(`INSERT INTO meta (id, chain_id, genesis_time, app_state, community) VALUES (1, 'x', 0, x'', 'x')`); err == nil {
		t.Error("the read connection accepted a write")
	}
}

func TestInit(t *testing.T) {
	s, _ := openTemp(t)
	if _, _, err := s.Height(); !errors.Is(err, ErrNotInitialised) {
		t.Fatalf("height before init: %v", err)
	}
	alice, bob := coretest.NewMember("alice"), coretest.NewMember("bob")
	g := coretest.AppState(coretest.Genesis(alice, bob))
	st := coretest.NewState(alice, bob)
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, g); err != nil {
		t.Fatal(err)
	}
	h, hash, err := s.Height()
	root := st.Root()
	if err != nil || h != 0 || !bytes.Equal(hash, root[:]) {
		t.Fatalf("height after init: %d %x %v, want 0 %x", h, hash, err, root)
	}
	if got := leafRoot(t, s, 0); got != root {
		t.Fatalf("root of the genesis leaves %x, want %x", got, root)
	}
	meta, err := s.Meta()
	if err != nil || meta.ChainID != coretest.ChainID || !bytes.Equal(meta.AppState, g) ||
		!meta.GenesisTime.Equal(coretest.GenesisTime) || meta.Community != "Testville" {
		t.Fatalf("meta %+v %v", meta, err)
	}
	matchState(t, s, st)
	before := dump(t, s)
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, g); err != nil {
		t.Fatalf("init again with the same genesis: %v", err)
	}
	err = s.Init("elsewhere-1", coretest.GenesisTime, g)
	if err == nil || !strings.Contains(err.Error(), `holds community "testville-1"`) {
		t.Fatalf("init with another genesis: %v", err)
	}
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, []byte("{")); err == nil {
		t.Fatal("init with a corrupt genesis succeeded")
	}
	if dump(t, s) != before {
		t.Fatal("a refused init changed the database")
	}
}

func TestWriteBlockBeforeInit(t *testing.T) {
	s, _ := openTemp(t)
	sim := coretest.NewSim(1, 4)
	b, res := sim.Block(5)
	err := s.WriteBlock(record(sim.State, b, res))
	if !errors.Is(err, ErrNotInitialised) {
		t.Fatalf("write before init: %v", err)
	}
}

// TestProjectionFollowsTheCore writes a long simulated history and checks
// after every block that the projection shows exactly the core's state,
// every transaction with its code, and leaves that rebuild the app hash.
func TestProjectionFollowsTheCore(t *testing.T) {
	x := newSimStore(t, 7, 6)
	var accepted, rejected int
	for range 120 {
		b, res := x.block(25)
		matchState(t, x.s, x.sim.State)
		for i, raw := range b.Txs {
			id := tx.ID(sha256sum(raw))
			got, err := x.s.txRow(id)
			if err != nil {
				t.Fatalf("block %d tx %d: %v", b.Height, i, err)
			}
			if rec, err := x.s.Tx(id); err != nil || rec.Height != got.Height || rec.Code != uint32(got.Code) || rec.Leaf != got.Leaf {
				t.Fatalf("block %d tx %d: record %+v %v, row %+v", b.Height, i, rec, err, got)
			}
			r := res.Txs[i]
			if r.Code == reject.OK {
				accepted++
				if got.Height != b.Height || got.Index != i || got.Code != reject.OK || !bytes.Equal(got.Raw, raw) {
					t.Fatalf("block %d tx %d: projected %+v", b.Height, i, got)
				}
				leaf, err := x.s.Leaf(got.Leaf)
				if err != nil || !bytes.Equal(leaf.Data, core.TxLeaf(id)) || leaf.Height != b.Height {
					t.Fatalf("block %d tx %d: leaf %+v %v", b.Height, i, leaf, err)
				}
			} else {
				rejected++
				if got.Code == reject.OK {
					t.Fatalf("block %d tx %d: rejected with %d, projected as accepted", b.Height, i, r.Code)
				}
			}
		}
		if got := leafRoot(t, x.s, b.Height); got != res.Root {
			t.Fatalf("block %d: stored leaves give root %x, app hash is %x", b.Height, got, res.Root)
		}
	}
	if accepted < 1000 || rejected == 0 {
		t.Fatalf("the simulation was too tame: %d accepted, %d rejected", accepted, rejected)
	}
	checkIntegrity(t, x.s)
	t.Logf("%d accepted, %d rejected, %d proposals, %d members", accepted, rejected,
		len(x.sim.State.Proposals()), len(x.sim.State.Members()))
}

func TestReopenKeepsData(t *testing.T) {
	x := newSimStore(t, 3, 5)
	for range 20 {
		x.block(20)
	}
	before := dump(t, x.s)
	path := x.s.path
	x.s.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if after := dump(t, s); after != before {
		t.Fatal("reopening changed the data")
	}
	matchState(t, s, x.sim.State)
	// Writing goes on where it stopped.
	x.s = s
	x.block(20)
	matchState(t, s, x.sim.State)
}

func TestWriteBlockIdempotenceAndRefusals(t *testing.T) {
	x := newSimStore(t, 11, 5)
	var recs []BlockRecord
	for range 10 {
		b, res := x.block(20)
		recs = append(recs, record(x.sim.State, b, res))
	}
	before := dump(t, x.s)

	for _, c := range []struct {
		name string
		rec  func() BlockRecord
		want string // "" for success
	}{
		{"replay of the last block", func() BlockRecord { return recs[9] }, ""},
		{"replay of an old block", func() BlockRecord { return recs[2] }, ""},
		{"old block with another app hash", func() BlockRecord {
			r := recs[4]
			r.Result.Root[0] ^= 1
			return r
		}, "app hash"},
		{"a gap", func() BlockRecord {
			r := recs[9]
			r.Height = 12
			return r
		}, "holds blocks up to 10; block 12 cannot follow"},
		{"next block with a stale state", func() BlockRecord {
			r := recs[9]
			r.Height = 11
			return r
		}, "state is at height 10"},
		{"next block without a state", func() BlockRecord { return BlockRecord{Height: 11} }, "no state"},
		{"results that do not match the transactions", func() BlockRecord {
			r := recs[9]
			r.Height = 11
			r.Txs = r.Txs[1:]
			return r
		}, "results"},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := x.s.WriteBlock(c.rec())
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Fatalf("error %v, want one containing %q", err, c.want)
			}
			if dump(t, x.s) != before {
				t.Fatal("the database changed")
			}
		})
	}
	h, _, _ := x.s.Height()
	if h != 10 {
		t.Fatalf("height %d after refusals", h)
	}
}

// TestFailedBlockLeavesNothing makes a block fail halfway (a transaction
// whose event the schema refuses) and checks that none of it was stored.
func TestFailedBlockLeavesNothing(t *testing.T) {
	w := newWorld(t)
	before := dump(t, w.s)
	w.now = w.now.Add(time.Second)
	a := w.m["alice"]
	b := core.Block{Height: 1, Time: w.now, Txs: [][]byte{
		a.Sign(&tx.Propose{Title: "Benches", Body: "Two benches.", Category: "general", Closes: w.now.Add(time.Hour).Unix()}),
		w.m["bob"].Sign(&tx.Endorse{Proposal: 1}),
	}}
	res, err := w.st.ApplyBlock(b, 1)
	if err != nil {
		t.Fatal(err)
	}
	// An endorsement by a member the projection has never heard of breaks a
	// foreign key after the block, proposal and leaves were written.
	res.Txs[1].Events = []core.Event{core.Endorsed{Proposal: 1, Member: 99}}
	err = w.s.WriteBlock(record(w.st, b, res))
	if err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("write of a broken block: %v", err)
	}
	if dump(t, w.s) != before {
		t.Fatal("a failed block left rows behind")
	}
	if h, _, _ := w.s.Height(); h != 0 {
		t.Fatalf("height %d after a failed block", h)
	}
}

func sha256sum(b []byte) [32]byte { return tx.ID(sha256Sum(b)) }

func TestOpenRefusals(t *testing.T) {
	dir := t.TempDir()
	notDB := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notDB, bytes.Repeat([]byte("not a database\n"), 100), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(notDB); err == nil || !strings.Contains(err.Error(), "open projection "+notDB) {
		t.Fatalf("open of a text file: %v", err)
	}
	if _, err := Open(filepath.Join(dir, "missing", "dir", "p.db")); err == nil {
		t.Fatal("open in a missing directory succeeded")
	}
	s, path := openTemp(t)
	if _, err := s.w.Exec(`INSERT INTO migrations (version, name, applied) VALUES (99, '0099_future.sql', 0)`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	known := fmt.Sprintf("version 99, newer than this program knows (%d)", latestMigration(t))
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), known) {
		t.Fatalf("open of a newer schema: %v", err)
	}
}

// TestReadersSeeWholeBlocks reads while blocks are written: every read
// sees a whole block (its leaves rebuild its app hash; its transactions
// are all there), never part of one.
func TestReadersSeeWholeBlocks(t *testing.T) {
	x := newSimStore(t, 5, 6)
	stop := make(chan struct{})
	errs := make(chan error, 1)
	go func() {
		defer close(errs)
		for {
			select {
			case <-stop:
				return
			default:
			}
			blocks, err := x.s.Blocks(0, 1<<40)
			if err != nil {
				errs <- err
				return
			}
			top := blocks[len(blocks)-1]
			txs, err := x.s.Txs(top.Height, top.Height)
			if err != nil {
				errs <- err
				return
			}
			if len(txs) < len(top.Txs) {
				errs <- fmt.Errorf("block %d: %d transactions read after the block showed %d", top.Height, len(txs), len(top.Txs))
				return
			}
			n, err := x.s.LeafCount(top.Height)
			if err != nil || n != top.LeafCount {
				errs <- fmt.Errorf("block %d: leaf count %d %v, block says %d", top.Height, n, err, top.LeafCount)
				return
			}
		}
	}()
	for range 40 {
		x.block(30)
	}
	close(stop)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	checkIntegrity(t, x.s)
}

func TestOpenOddPath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "a?b#c%d.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at %s: %v", path, err)
	}
}
