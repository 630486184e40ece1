package abci

import (
	"bytes"
	"fmt"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// logBuffer collects an app's log lines.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// simChain is a random history from coretest.Sim, as blocks to hand to apps.
type simChain struct {
	appState []byte
	blocks   []core.Block
}

func newSimChain(seed uint64, blocks int) simChain {
	sim := coretest.NewOfficeSim(seed, 6)
	c := simChain{appState: sim.AppState}
	for range blocks {
		b, _ := sim.Block(4)
		c.blocks = append(c.blocks, b)
	}
	return c
}

// newApp starts an app at the chain's genesis.
func (c simChain) newApp(t *testing.T, snap Snapshots) *App {
	t.Helper()
	a := New(Options{Snapshots: snap})
	if _, err := a.InitChain(ctx, &abcitypes.InitChainRequest{ChainId: coretest.ChainID, Time: coretest.GenesisTime,
		AppStateBytes: c.appState, InitialHeight: 1}); err != nil {
		t.Fatal(err)
	}
	return a
}

// apply hands blocks from..to (heights, inclusive) to a, as CometBFT does.
func (c simChain) apply(t *testing.T, a *App, from, to int64) {
	t.Helper()
	for h := from; h <= to; h++ {
		b := c.blocks[h-1]
		if _, err := a.FinalizeBlock(ctx, &abcitypes.FinalizeBlockRequest{Txs: b.Txs, Height: b.Height, Time: b.Time}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Commit(ctx, &abcitypes.CommitRequest{}); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
}

// sameApp fails unless a and b hold the same state, the same height and
// app hash in Info, and answer the same for every transaction of the
// chain up to height and every proof.
func (c simChain) sameApp(t *testing.T, a, b *App, height int64) {
	t.Helper()
	ia, _ := a.Info(ctx, &abcitypes.InfoRequest{})
	ib, _ := b.Info(ctx, &abcitypes.InfoRequest{})
	if ia.LastBlockHeight != height || ib.LastBlockHeight != height || !bytes.Equal(ia.LastBlockAppHash, ib.LastBlockAppHash) {
		t.Fatalf("Info: %d %X against %d %X, want height %d", ia.LastBlockHeight, ia.LastBlockAppHash, ib.LastBlockHeight, ib.LastBlockAppHash, height)
	}
	var sa, sb []byte
	_ = a.View(func(s *core.State) (err error) { sa, err = s.MarshalBinary(); return err })
	_ = b.View(func(s *core.State) (err error) { sb, err = s.MarshalBinary(); return err })
	if !bytes.Equal(sa, sb) {
		t.Fatal("the states differ")
	}
	for _, blk := range c.blocks[:height] {
		for _, raw := range blk.Txs {
			id := txID(raw, nil)
			if d, err := tx.Decode(raw); err == nil {
				id = d.ID()
			}
			qa, ea := a.TxStatus(id)
			qb, eb := b.TxStatus(id)
			if qa != qb || fmt.Sprint(ea) != fmt.Sprint(eb) {
				t.Fatalf("tx %s: %+v %v against %+v %v", id, qa, ea, qb, eb)
			}
		}
	}
	for _, h := range []int64{1, height / 2, height} {
		for _, idx := range []uint64{0, 7, a.heights[h] - 1} {
			pa, ea := a.LeafProof(idx, h)
			pb, eb := b.LeafProof(idx, h)
			if ea != nil || eb != nil || !sameProof(pa, pb) {
				t.Fatalf("leaf %d at %d: %v %v", idx, h, ea, eb)
			}
		}
	}
}

func sameProof(a, b query.Proof) bool {
	return bytes.Equal(a.Leaf, b.Leaf) && a.Height == b.Height && a.AppHash == b.AppHash && a.Fact == b.Fact &&
		a.Proof.Index == b.Proof.Index && a.Proof.Size == b.Proof.Size && slices.Equal(a.Proof.Path, b.Proof.Path) && slices.Equal(a.Proof.Peaks, b.Proof.Peaks)
}

// TestSnapshotRestartEqualsReplay: for random histories, an app restored
// from a snapshot holds and answers exactly what an app that replayed the
// whole chain does, and goes on to the same states block by block as one
// that never stopped, from the newest snapshot or from an older one.
func TestSnapshotRestartEqualsReplay(t *testing.T) {
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			c := newSimChain(seed, 60)
			dir := t.TempDir()
			var log logBuffer
			snap := Snapshots{Dir: dir, Interval: 10, Keep: 3, Log: slog.New(slog.NewTextHandler(&log, nil))}
			never := c.newApp(t, snap)
			c.apply(t, never, 1, 40)
			hs, err := snapshotHeights(dir)
			if err != nil || !slices.Equal(hs, []int64{40, 30, 20}) {
				t.Fatalf("snapshots %v %v, want the last 3", hs, err)
			}

			replayed := c.newApp(t, Snapshots{})
			c.apply(t, replayed, 1, 40)
			restarted := New(Options{Snapshots: Snapshots{Dir: dir, Log: snap.Log}})
			if h, err := restarted.LoadSnapshot(math.MaxInt64); err != nil || h != 40 {
				t.Fatalf("LoadSnapshot = %d, %v", h, err)
			}
			c.sameApp(t, restarted, replayed, 40)

			// The projection holds only 34 blocks: the app starts from the
			// snapshot at 30 and replays the rest.
			older := New(Options{Snapshots: Snapshots{Dir: dir, Log: snap.Log}})
			if h, err := older.LoadSnapshot(34); err != nil || h != 30 {
				t.Fatalf("LoadSnapshot(34) = %d, %v", h, err)
			}
			c.apply(t, older, 31, 40)
			c.sameApp(t, older, never, 40)

			for h := int64(41); h <= 60; h++ {
				c.apply(t, never, h, h)
				c.apply(t, restarted, h, h)
				c.apply(t, older, h, h)
				c.sameApp(t, restarted, never, h)
				c.sameApp(t, older, never, h)
			}
		})
	}
}

// TestSnapshotsAreDeterministic: two apps that applied the same chain
// write byte-identical snapshots.
func TestSnapshotsAreDeterministic(t *testing.T) {
	c := newSimChain(7, 20)
	d1, d2 := t.TempDir(), t.TempDir()
	a := c.newApp(t, Snapshots{Dir: d1, Interval: 10})
	c.apply(t, a, 1, 20)
	b := c.newApp(t, Snapshots{Dir: d2, Interval: 10})
	c.apply(t, b, 1, 10)
	// b restarts from its snapshot at 10 before taking the one at 20.
	b = New(Options{Snapshots: Snapshots{Dir: d2, Interval: 10}})
	if h, err := b.LoadSnapshot(math.MaxInt64); err != nil || h != 10 {
		t.Fatalf("LoadSnapshot = %d, %v", h, err)
	}
	c.apply(t, b, 11, 20)
	for _, h := range []int64{10, 20} {
		x, err1 := os.ReadFile(filepath.Join(d1, snapshotName(h)))
		y, err2 := os.ReadFile(filepath.Join(d2, snapshotName(h)))
		if err1 != nil || err2 != nil || !bytes.Equal(x, y) {
			t.Fatalf("snapshot at %d differs between nodes (%v %v)", h, err1, err2)
		}
	}
}

// TestCorruptSnapshotFallsBack: a snapshot whose bytes changed, or that is
// cut short, or whose checksum is right but whose state does not give its
// app hash, is skipped with a log line for the one before; with none left
// the app starts empty (CometBFT then replays from the genesis).
func TestCorruptSnapshotFallsBack(t *testing.T) {
	c := newSimChain(4, 40)
	dir := t.TempDir()
	a := c.newApp(t, Snapshots{Dir: dir, Interval: 10, Keep: 4})
	c.apply(t, a, 1, 40)

	path := func(h int64) string { return filepath.Join(dir, snapshotName(h)) }
	flip := func(h int64, at int) {
		b, err := os.ReadFile(path(h))
		if err != nil {
			t.Fatal(err)
		}
		b[at%len(b)] ^= 0x40
		if err := os.WriteFile(path(h), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	load := func(want int64, logged string) {
		t.Helper()
		var log logBuffer
		r := New(Options{Snapshots: Snapshots{Dir: dir, Log: slog.New(slog.NewTextHandler(&log, nil))}})
		h, err := r.LoadSnapshot(math.MaxInt64)
		if err != nil || h != want {
			t.Fatalf("LoadSnapshot = %d, %v; want %d", h, err, want)
		}
		if !strings.Contains(log.String(), logged) {
			t.Fatalf("log %q does not say %q", log.String(), logged)
		}
		info, _ := r.Info(ctx, &abcitypes.InfoRequest{})
		if info.LastBlockHeight != want {
			t.Fatalf("Info height %d, want %d", info.LastBlockHeight, want)
		}
	}

	// A crash while writing left a temporary file: it is removed.
	tmp := filepath.Join(dir, ".snapshot-123")
	if err := os.WriteFile(tmp, []byte("half"), 0o600); err != nil {
		t.Fatal(err)
	}
	load(40, "restarting from snapshot")
	if _, err := os.Stat(tmp); !os.IsNotExist(err) {
		t.Fatalf("the temporary file is still there: %v", err)
	}

	flip(40, 1000)
	load(30, "height=40 err=\"its SHA-256 does not match its contents\"")

	// Bodies changed and given a checksum that matches.
	forge := func(h int64, change func(*snapshotBody)) {
		t.Helper()
		b, err := readSnapshotFile(dir, h)
		if err != nil {
			t.Fatal(err)
		}
		var body snapshotBody
		if err := snapshotDec.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		change(&body)
		nb, err := snapshotEnc.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		if err := writeSnapshot(dir, h, nb); err != nil {
			t.Fatal(err)
		}
	}
	// A member renamed in the state, with the accumulator and leaves
	// intact: the app hash does not cover it, the leaves do.
	forge(30, func(b *snapshotBody) {
		s, err := core.Restore(b.State)
		if err != nil {
			t.Fatal(err)
		}
		s.Members()[0].Name = "mallory"
		if b.State, err = s.MarshalBinary(); err != nil {
			t.Fatal(err)
		}
	})
	load(20, "height=30 err=\"its state's member 1 is not the one its leaves record\"")
	// An app hash that the state does not give.
	forge(20, func(b *snapshotBody) { b.AppHash[0] ^= 1 })
	load(10, "height=20 err=\"its state is at height 20 with app hash")

	if err := os.Truncate(path(10), 20); err != nil {
		t.Fatal(err)
	}
	load(0, "no usable snapshot; replaying from the genesis")
}

// TestStateSyncChunks restores a new app from another's snapshot chunk by
// chunk, as CometBFT's state sync does: a bad chunk is refused and
// refetched from another sender, a snapshot that does not give the chain's
// app hash is rejected, and the restored app answers as the original.
func TestStateSyncChunks(t *testing.T) {
	c := newSimChain(5, 20)
	serving := c.newApp(t, Snapshots{Dir: t.TempDir(), Interval: 20, ChunkSize: 4096})
	c.apply(t, serving, 1, 20)
	list, err := serving.ListSnapshots(ctx, &abcitypes.ListSnapshotsRequest{})
	if err != nil || len(list.Snapshots) != 1 {
		t.Fatalf("ListSnapshots: %v %v", list, err)
	}
	snap := list.Snapshots[0]
	if snap.Height != 20 || snap.Chunks < 3 {
		t.Fatalf("snapshot %+v: want height 20 in several chunks", snap)
	}
	info, _ := serving.Info(ctx, &abcitypes.InfoRequest{})
	chunk := func(i uint32) []byte {
		r, err := serving.LoadSnapshotChunk(ctx, &abcitypes.LoadSnapshotChunkRequest{Height: 20, Format: SnapshotFormat, Chunk: i})
		if err != nil || len(r.Chunk) == 0 {
			t.Fatalf("chunk %d: %v", i, err)
		}
		return r.Chunk
	}
	apply := func(a *App, i uint32, b []byte, sender string) *abcitypes.ApplySnapshotChunkResponse {
		r, err := a.ApplySnapshotChunk(ctx, &abcitypes.ApplySnapshotChunkRequest{Index: i, Chunk: b, Sender: sender})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	offer := func(a *App, appHash []byte) abcitypes.OfferSnapshotResult {
		r, err := a.OfferSnapshot(ctx, &abcitypes.OfferSnapshotRequest{Snapshot: snap, AppHash: appHash})
		if err != nil {
			t.Fatal(err)
		}
		return r.Result
	}

	other := *snap
	other.Format = 2
	joining := New(Options{})
	if r, _ := joining.OfferSnapshot(ctx, &abcitypes.OfferSnapshotRequest{Snapshot: &other, AppHash: info.LastBlockAppHash}); r.Result != abcitypes.OFFER_SNAPSHOT_RESULT_REJECT_FORMAT {
		t.Fatalf("offer of format 2: %v", r.Result)
	}
	if r := offer(joining, info.LastBlockAppHash); r != abcitypes.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	for i := range snap.Chunks {
		b := chunk(i)
		if i == 1 {
			bad := slices.Clone(b)
			bad[0] ^= 1
			r := apply(joining, i, bad, "liar")
			if r.Result != abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_RETRY || !slices.Equal(r.RefetchChunks, []uint32{1}) || !slices.Equal(r.RejectSenders, []string{"liar"}) {
				t.Fatalf("bad chunk: %+v", r)
			}
		}
		if r := apply(joining, i, b, "honest"); r.Result != abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT {
			t.Fatalf("chunk %d: %+v", i, r)
		}
	}
	c.sameApp(t, joining, serving, 20)

	// The chain's app hash at 20 is not the snapshot's: rejected whole.
	wrong := slices.Clone(info.LastBlockAppHash)
	wrong[0] ^= 1
	fooled := New(Options{})
	if r := offer(fooled, wrong); r != abcitypes.OFFER_SNAPSHOT_RESULT_ACCEPT {
		t.Fatalf("offer: %v", r)
	}
	var last *abcitypes.ApplySnapshotChunkResponse
	for i := range snap.Chunks {
		last = apply(fooled, i, chunk(i), "peer")
	}
	if last.Result != abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT {
		t.Fatalf("snapshot with another app hash: %+v", last)
	}
	if i, _ := fooled.Info(ctx, &abcitypes.InfoRequest{}); i.LastBlockHeight != 0 {
		t.Fatalf("a rejected snapshot left height %d", i.LastBlockHeight)
	}
}

// TestServedSnapshotOutlivesPruning: a snapshot a peer fetched chunks of
// is kept one snapshot longer than Keep says, then pruned.
func TestServedSnapshotOutlivesPruning(t *testing.T) {
	c := newSimChain(6, 40)
	dir := t.TempDir()
	a := c.newApp(t, Snapshots{Dir: dir, Interval: 10, Keep: 2})
	c.apply(t, a, 1, 20)
	if _, err := a.LoadSnapshotChunk(ctx, &abcitypes.LoadSnapshotChunkRequest{Height: 10, Format: SnapshotFormat, Chunk: 0}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		to   int64
		want []int64
	}{{30, []int64{30, 20, 10}}, {40, []int64{40, 30}}} {
		c.apply(t, a, step.to-9, step.to)
		if hs, err := snapshotHeights(dir); err != nil || !slices.Equal(hs, step.want) {
			t.Fatalf("after %d: snapshots %v (%v), want %v", step.to, hs, err, step.want)
		}
	}
}
