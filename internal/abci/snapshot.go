// This file writes the app's snapshots, restarts from them, and serves
// them to joining nodes by state sync (statesync.go). docs/state-sync.md
// describes the format.

package abci

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/fxamacker/cbor/v2"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// SnapshotFormat is the format of folkmoot's snapshots, as offered to
// CometBFT's state sync; a node refuses snapshots of other formats.
const SnapshotFormat = 1

// DefaultChunkSize is the size of every chunk of a snapshot but the last,
// unless Snapshots.ChunkSize says otherwise.
const DefaultChunkSize = 1 << 20

// Snapshots configure the app's snapshots. The zero value writes none.
type Snapshots struct {
	// Dir is where snapshots are kept, one file each.
	Dir string
	// Interval is how many blocks apart snapshots are taken: after every
	// block whose height is a multiple of it. 0 takes none (the app still
	// restarts from and serves those already in Dir).
	Interval int64
	// Period, when positive, also takes a snapshot once this much block
	// time has passed since the last one, so that a quiet community (few
	// blocks) still gets them.
	Period time.Duration
	// Keep is how many of the newest snapshots are kept (default 3).
	Keep int
	// ChunkSize is the size of the chunks state sync serves (default
	// DefaultChunkSize); tests make it small to have many chunks.
	ChunkSize int
	// Log receives a line for each snapshot written, loaded, refused or
	// fallen back from; nil discards them.
	Log *slog.Logger
}

// snapshotBody is what a snapshot holds: the core's state and what the app
// keeps beside it for proofs. The index of transactions is rebuilt from the
// leaves (core.LeafTx) and the proof tree by hashing them.
type snapshotBody struct {
	Format  uint32
	Height  int64
	AppHash []byte
	State   []byte   // core.State.MarshalBinary
	Heights []uint64 // Heights[h]: leaf count after block h; Heights[0] is the genesis
	Leaves  [][]byte // every leaf of the accumulator, from the genesis fact on
}

// snapshotEnc encodes snapshot bodies deterministically, so that every
// honest node writes the same bytes at the same height.
var snapshotEnc = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// snapshotDec reads snapshots with as many leaves as CBOR's decoder
// allows (2^31 - 1), far above the default.
var snapshotDec = func() cbor.DecMode {
	m, err := cbor.DecOptions{MaxArrayElements: 1<<31 - 1}.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// snapshotName is the file of the snapshot at height: the height in 20
// digits, so that names sort as heights.
func snapshotName(height int64) string { return fmt.Sprintf("%020d.snapshot", height) }

// snapshotHeights lists the heights of the snapshots in dir, newest first.
func snapshotHeights(dir string) ([]int64, error) {
	ents, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list snapshots: %w", err)
	}
	var hs []int64
	for _, e := range ents {
		name, ok := strings.CutSuffix(e.Name(), ".snapshot")
		if !ok || e.IsDir() {
			continue
		}
		if h, err := strconv.ParseInt(name, 10, 64); err == nil && h > 0 {
			hs = append(hs, h)
		}
	}
	slices.Sort(hs)
	slices.Reverse(hs)
	return hs, nil
}

// takeSnapshot captures the committed state at its height; the caller
// holds a.mu. The state is serialised now; the leaves and heights are
// captured as they are (they are only ever appended to), and encoded and
// written by write, which may run after the lock is released.
func (a *App) takeSnapshot() (write func() error, err error) {
	st, err := a.state.MarshalBinary()
	if err != nil {
		return nil, fmt.Errorf("snapshot: %w", err)
	}
	root := a.state.Root()
	body := snapshotBody{Format: SnapshotFormat, Height: a.state.Height(), AppHash: root[:], State: st,
		Heights: a.heights[:len(a.heights):len(a.heights)], Leaves: a.leaves[:len(a.leaves):len(a.leaves)]}
	return func() error {
		b, err := snapshotEnc.Marshal(body)
		if err != nil {
			return fmt.Errorf("snapshot at %d: encode: %w", body.Height, err)
		}
		if err := writeSnapshot(a.opt.Snapshots.Dir, body.Height, b); err != nil {
			return err
		}
		a.snapshotWritten(body.Height, len(b))
		return nil
	}, nil
}

// writeSnapshot writes b as the snapshot at height, followed by its
// SHA-256, atomically: a temporary file, fsync, rename, fsync of the
// directory. A crash leaves the old set of snapshots or the new one.
func writeSnapshot(dir string, height int64, b []byte) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("snapshot at %d: %w", height, err)
	}
	f, err := os.CreateTemp(dir, ".snapshot-*")
	if err != nil {
		return fmt.Errorf("snapshot at %d: %w", height, err)
	}
	defer os.Remove(f.Name())
	sum := sha256.Sum256(b)
	_, err = f.Write(b)
	if err == nil {
		_, err = f.Write(sum[:])
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("snapshot at %d: write: %w", height, err)
	}
	if err := os.Rename(f.Name(), filepath.Join(dir, snapshotName(height))); err != nil {
		return fmt.Errorf("snapshot at %d: %w", height, err)
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("snapshot at %d: %w", height, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("snapshot at %d: sync directory: %w", height, err)
	}
	return nil
}

// snapshotWritten logs a snapshot and removes the oldest beyond Keep. A
// snapshot a peer fetched chunks of since the last snapshot was written is
// kept one snapshot longer, so that a node joining by state sync is not
// left without the snapshot it chose.
func (a *App) snapshotWritten(height int64, size int) {
	o := a.opt.Snapshots
	a.log("snapshot written", "height", height, "bytes", size)
	hs, err := snapshotHeights(o.Dir)
	if err != nil {
		a.log("cannot list snapshots to prune them", "err", err)
		return
	}
	a.listMu.Lock()
	served := a.served
	a.served = nil
	a.listMu.Unlock()
	for i, h := range hs {
		if i < o.Keep {
			continue
		}
		if served[h] {
			a.log("keeping a snapshot a peer is fetching", "height", h)
			continue
		}
		if err := os.Remove(filepath.Join(o.Dir, snapshotName(h))); err != nil {
			a.log("cannot remove an old snapshot", "height", h, "err", err)
		}
		a.forgetListed(h)
	}
}

func (a *App) log(msg string, args ...any) {
	if l := a.opt.Snapshots.Log; l != nil {
		l.Info(msg, args...)
	}
}

// readSnapshotFile reads the snapshot at height and checks its SHA-256,
// returning the body's bytes.
func readSnapshotFile(dir string, height int64) ([]byte, error) {
	b, err := os.ReadFile(filepath.Join(dir, snapshotName(height)))
	if err != nil {
		return nil, err
	}
	if len(b) < sha256.Size {
		return nil, errors.New("the file is shorter than its checksum")
	}
	body, sum := b[:len(b)-sha256.Size], b[len(b)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("its SHA-256 does not match its contents")
	}
	return body, nil
}

// restored is an app's memory rebuilt from a snapshot, checked whole.
type restored struct {
	state   *core.State
	tree    merkle.Tree
	leaves  [][]byte
	heights []uint64
	txLeaf  map[tx.ID]uint64
}

// decodeSnapshot rebuilds and checks the state and proof tree a snapshot's
// body holds. When want is set, the app hash must be it.
func decodeSnapshot(b []byte, height int64, want []byte) (*restored, error) {
	var body snapshotBody
	if err := snapshotDec.Unmarshal(b, &body); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	switch {
	case body.Format != SnapshotFormat:
		return nil, fmt.Errorf("format %d, this build reads %d", body.Format, SnapshotFormat)
	case body.Height != height:
		return nil, fmt.Errorf("it holds height %d", body.Height)
	case want != nil && !bytes.Equal(body.AppHash, want):
		return nil, fmt.Errorf("its app hash %X is not the chain's %X", body.AppHash, want)
	case int64(len(body.Heights)) != height+1:
		return nil, fmt.Errorf("it has leaf counts for %d blocks", len(body.Heights))
	}
	s, err := core.Restore(body.State)
	if err != nil {
		return nil, err
	}
	root := s.Root()
	if s.Height() != height || !bytes.Equal(root[:], body.AppHash) {
		return nil, fmt.Errorf("its state is at height %d with app hash %X", s.Height(), root[:])
	}
	if uint64(len(body.Leaves)) != s.Leaves() || body.Heights[height] != s.Leaves() {
		return nil, fmt.Errorf("it has %d leaves, its state %d", len(body.Leaves), s.Leaves())
	}
	r := &restored{state: s, leaves: body.Leaves, heights: body.Heights, txLeaf: make(map[tx.ID]uint64)}
	for i, l := range body.Leaves {
		r.tree.Append(l)
		if id, ok := core.LeafTx(l); ok {
			r.txLeaf[id] = uint64(i)
		}
	}
	for h := 1; h < len(body.Heights); h++ {
		if body.Heights[h] < body.Heights[h-1] {
			return nil, fmt.Errorf("the leaf count of block %d goes back", h)
		}
	}
	if got, _ := r.tree.RootAt(r.tree.Len()); got != root {
		return nil, errors.New("its leaves do not give its app hash")
	}
	if err := checkMembers(s, body.Leaves); err != nil {
		return nil, err
	}
	return r, nil
}

// checkMembers compares the state's members with those the leaves record
// (admissions, departures and key rotations, in order): the app hash
// covers the leaves, not the state, so a snapshot served by a peer is held
// to the history for the part that decides who may act.
func checkMembers(s *core.State, leaves [][]byte) error {
	type recorded struct {
		key  tx.PublicKey
		name string
		left bool
	}
	var ms []recorded
	for i, l := range leaves {
		// A fact is a CBOR array whose first element is its type; these
		// three types are one-byte integers.
		if len(l) < 2 || l[0] < 0x80 || l[0] > 0x97 {
			continue
		}
		switch core.FactType(l[1]) {
		case core.FactAdmitted, core.FactLeft, core.FactRotated:
		default:
			continue
		}
		f, err := core.DecodeFact(l)
		if err != nil {
			return fmt.Errorf("leaf %d: %w", i, err)
		}
		n := int(f.Member)
		switch {
		case f.Type == core.FactAdmitted && n == len(ms)+1 && f.Key != nil:
			ms = append(ms, recorded{key: *f.Key, name: f.Name})
		case f.Type == core.FactLeft && n >= 1 && n <= len(ms):
			ms[n-1].left = true
		case f.Type == core.FactRotated && n >= 1 && n <= len(ms) && f.NewKey != nil:
			ms[n-1].key = *f.NewKey
		default:
			return fmt.Errorf("leaf %d records member %d out of order", i, n)
		}
	}
	have := s.Members()
	if len(have) != len(ms) {
		return fmt.Errorf("its state has %d members, its leaves record %d", len(have), len(ms))
	}
	for i, m := range have {
		if r := ms[i]; m.Key != r.key || m.Name != r.name || m.Left != r.left {
			return fmt.Errorf("its state's member %d is not the one its leaves record", i+1)
		}
	}
	return nil
}

// install makes r the app's state; the caller holds a.mu.
func (a *App) install(r *restored) {
	a.state, a.tree, a.leaves, a.heights, a.txLeaf = r.state, r.tree, r.leaves, r.heights, r.txLeaf
	a.staged = nil
}

// LoadSnapshot restores the app from the newest snapshot in the
// configured directory whose height is at most maxHeight (the height the
// node's projection holds, so that replay gives the projection every block
// it lacks), before the node starts. A snapshot that cannot be read, whose
// checksum fails or whose state and leaves do not give its app hash is
// skipped, with a log line, for the one before it; with none left the app
// starts empty and CometBFT replays from the genesis. It returns the
// height restored (0 for none).
func (a *App) LoadSnapshot(maxHeight int64) (int64, error) {
	dir := a.opt.Snapshots.Dir
	if dir == "" {
		return 0, nil
	}
	// A crash while writing leaves a temporary file; it is never read.
	if tmps, err := filepath.Glob(filepath.Join(dir, ".snapshot-*")); err == nil {
		for _, t := range tmps {
			os.Remove(t)
		}
	}
	hs, err := snapshotHeights(dir)
	if err != nil {
		return 0, err
	}
	for _, h := range hs {
		if h > maxHeight {
			a.log("snapshot is ahead of the projection; using an older one", "height", h, "projection", maxHeight)
			continue
		}
		b, err := readSnapshotFile(dir, h)
		var r *restored
		if err == nil {
			r, err = decodeSnapshot(b, h, nil)
		}
		if err != nil {
			a.log("snapshot is unusable; falling back to the one before", "height", h, "err", err)
			continue
		}
		a.mu.Lock()
		a.install(r)
		a.mu.Unlock()
		a.written.Store(h)
		a.log("restarting from snapshot", "height", h, "app_hash", fmt.Sprintf("%X", r.state.Root()))
		return h, nil
	}
	if len(hs) > 0 {
		a.log("no usable snapshot; replaying from the genesis")
	}
	return 0, nil
}

// readChunk reads chunk i of the snapshot at height (its body, without
// the trailing checksum).
func readChunk(dir string, height int64, i uint32, chunkSize int) ([]byte, error) {
	f, err := os.Open(filepath.Join(dir, snapshotName(height)))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := fi.Size() - sha256.Size
	off := int64(i) * int64(chunkSize)
	if off >= size {
		return nil, fmt.Errorf("snapshot at %d has no chunk %d", height, i)
	}
	buf := make([]byte, min(int64(chunkSize), size-off))
	if _, err := f.ReadAt(buf, off); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf, nil
}
