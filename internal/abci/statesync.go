// This file serves the app's snapshots to joining nodes and restores a
// joining node from one (CometBFT's state sync). docs/state-sync.md
// describes the chunks and their hashes.

package abci

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// Restorer is told when the app has been restored by state sync, before
// the first block after the snapshot. A Sink that implements it can take
// the restored state as its starting point; a Sink that does not would be
// handed blocks it cannot follow.
type Restorer interface {
	Restored(c Committed) error
}

// restoring is a snapshot being applied, chunk by chunk.
type restoring struct {
	snap    *abcitypes.Snapshot
	appHash []byte // the chain's app hash at the snapshot's height, from the light client
	body    bytes.Buffer
	next    uint32 // the index of the next chunk
}

// ListSnapshots lists the snapshots this node serves, newest first. Their
// descriptions (hash and chunk hashes) are computed once per snapshot;
// snapshots that fail their checksum are left out.
func (a *App) ListSnapshots(_ context.Context, _ *abcitypes.ListSnapshotsRequest) (*abcitypes.ListSnapshotsResponse, error) {
	dir := a.opt.Snapshots.Dir
	res := &abcitypes.ListSnapshotsResponse{}
	if dir == "" {
		return res, nil
	}
	hs, err := snapshotHeights(dir)
	if err != nil {
		return nil, err
	}
	for _, h := range hs {
		s, err := a.describe(h)
		if err != nil {
			a.log("snapshot is not served", "height", h, "err", err)
			continue
		}
		res.Snapshots = append(res.Snapshots, s)
	}
	return res, nil
}

// describe returns the description of the snapshot at height.
func (a *App) describe(h int64) (*abcitypes.Snapshot, error) {
	a.listMu.Lock()
	defer a.listMu.Unlock()
	if s, ok := a.listed[h]; ok {
		return s, nil
	}
	b, err := readSnapshotFile(a.opt.Snapshots.Dir, h)
	if err != nil {
		return nil, err
	}
	s := describe(h, b, a.opt.Snapshots.ChunkSize)
	if a.listed == nil {
		a.listed = make(map[int64]*abcitypes.Snapshot)
	}
	a.listed[h] = s
	return s, nil
}

// describe describes a snapshot's body: its SHA-256, its chunks, and as
// metadata the SHA-256 of each chunk in order.
func describe(h int64, b []byte, chunkSize int) *abcitypes.Snapshot {
	sum := sha256.Sum256(b)
	s := &abcitypes.Snapshot{Height: uint64(h), Format: SnapshotFormat, Hash: sum[:]}
	for off := 0; off < len(b); off += chunkSize {
		c := sha256.Sum256(b[off:min(off+chunkSize, len(b))])
		s.Metadata = append(s.Metadata, c[:]...)
		s.Chunks++
	}
	return s
}

func (a *App) forgetListed(h int64) {
	a.listMu.Lock()
	defer a.listMu.Unlock()
	delete(a.listed, h)
}

// LoadSnapshotChunk returns a chunk of one of this node's snapshots.
func (a *App) LoadSnapshotChunk(_ context.Context, req *abcitypes.LoadSnapshotChunkRequest) (*abcitypes.LoadSnapshotChunkResponse, error) {
	if req.Format != SnapshotFormat || a.opt.Snapshots.Dir == "" {
		return &abcitypes.LoadSnapshotChunkResponse{}, nil
	}
	c, err := readChunk(a.opt.Snapshots.Dir, int64(req.Height), req.Chunk, a.opt.Snapshots.ChunkSize)
	if err != nil {
		a.log("cannot serve a snapshot chunk", "height", req.Height, "chunk", req.Chunk, "err", err)
		return &abcitypes.LoadSnapshotChunkResponse{}, nil
	}
	a.listMu.Lock()
	if a.served == nil {
		a.served = make(map[int64]bool)
	}
	a.served[int64(req.Height)] = true
	a.listMu.Unlock()
	return &abcitypes.LoadSnapshotChunkResponse{Chunk: c}, nil
}

// OfferSnapshot accepts a snapshot of this format whose description is
// well formed, on a node with no state yet; req.AppHash is the chain's app
// hash at its height, which the restored state must give.
func (a *App) OfferSnapshot(_ context.Context, req *abcitypes.OfferSnapshotRequest) (*abcitypes.OfferSnapshotResponse, error) {
	s := req.Snapshot
	result := func(r abcitypes.OfferSnapshotResult) (*abcitypes.OfferSnapshotResponse, error) {
		return &abcitypes.OfferSnapshotResponse{Result: r}, nil
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.state != nil:
		return result(abcitypes.OFFER_SNAPSHOT_RESULT_ABORT)
	case s == nil:
		return result(abcitypes.OFFER_SNAPSHOT_RESULT_REJECT)
	case s.Format != SnapshotFormat:
		return result(abcitypes.OFFER_SNAPSHOT_RESULT_REJECT_FORMAT)
	case s.Height == 0 || s.Chunks == 0 || len(s.Hash) != sha256.Size ||
		len(s.Metadata) != sha256.Size*int(s.Chunks) || len(req.AppHash) != sha256.Size:
		a.log("refused a malformed snapshot", "height", s.Height, "chunks", s.Chunks)
		return result(abcitypes.OFFER_SNAPSHOT_RESULT_REJECT)
	}
	a.restoring = &restoring{snap: s, appHash: req.AppHash}
	a.log("restoring from a snapshot", "height", s.Height, "chunks", s.Chunks)
	return result(abcitypes.OFFER_SNAPSHOT_RESULT_ACCEPT)
}

// ApplySnapshotChunk takes the chunks of the accepted snapshot in order.
// A chunk whose SHA-256 is not the one the snapshot's metadata lists is
// refused: CometBFT refetches it (from another peer: its sender is
// rejected). When the last chunk arrives, the whole must have the
// snapshot's hash and restore to a state and leaves giving the chain's app
// hash at that height; otherwise the snapshot is rejected and CometBFT
// tries another.
func (a *App) ApplySnapshotChunk(_ context.Context, req *abcitypes.ApplySnapshotChunkRequest) (*abcitypes.ApplySnapshotChunkResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	r := a.restoring
	if r == nil {
		return &abcitypes.ApplySnapshotChunkResponse{Result: abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_ABORT}, nil
	}
	if req.Index != r.next {
		// Chunks are applied in order; one out of order is refetched.
		return &abcitypes.ApplySnapshotChunkResponse{Result: abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_RETRY,
			RefetchChunks: []uint32{req.Index}}, nil
	}
	sum := sha256.Sum256(req.Chunk)
	want := r.snap.Metadata[sha256.Size*int(req.Index) : sha256.Size*int(req.Index+1)]
	if !bytes.Equal(sum[:], want) {
		a.log("refused a bad snapshot chunk; fetching it again", "height", r.snap.Height, "chunk", req.Index, "sender", req.Sender)
		return &abcitypes.ApplySnapshotChunkResponse{Result: abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_RETRY,
			RefetchChunks: []uint32{req.Index}, RejectSenders: []string{req.Sender}}, nil
	}
	r.body.Write(req.Chunk)
	r.next++
	if r.next < r.snap.Chunks {
		return &abcitypes.ApplySnapshotChunkResponse{Result: abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT}, nil
	}
	a.restoring = nil
	h := int64(r.snap.Height)
	b := r.body.Bytes()
	whole := sha256.Sum256(b)
	var st *restored
	err := fmt.Errorf("its hash is %X, not %X", whole[:], r.snap.Hash)
	if bytes.Equal(whole[:], r.snap.Hash) {
		st, err = decodeSnapshot(b, h, r.appHash)
	}
	if err != nil {
		a.log("refused a snapshot", "height", h, "err", err)
		return &abcitypes.ApplySnapshotChunkResponse{Result: abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_REJECT_SNAPSHOT}, nil
	}
	if rs, ok := a.opt.Sink.(Restorer); ok {
		// The Sink reads the state before anything changes it.
		if err := rs.Restored(Committed{Height: h, Time: st.state.Time(), State: st.state, LeafStart: st.state.Leaves()}); err != nil {
			return nil, fmt.Errorf("state sync to %d: %w", h, err)
		}
	}
	a.install(st)
	a.written.Store(h)
	if a.opt.Snapshots.Dir != "" {
		// Keep it: this node can serve it in turn, and restart from it.
		if err := writeSnapshot(a.opt.Snapshots.Dir, h, b); err != nil {
			a.log("cannot keep the snapshot restored", "err", err)
		}
	}
	a.log("restored from a snapshot", "height", h, "app_hash", fmt.Sprintf("%X", r.appHash))
	return &abcitypes.ApplySnapshotChunkResponse{Result: abcitypes.APPLY_SNAPSHOT_CHUNK_RESULT_ACCEPT}, nil
}
