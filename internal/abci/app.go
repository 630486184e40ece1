// Package abci adapts folkmoot's pure core to CometBFT's ABCI 2.0. It is
// deliberately thin: it decodes, hands transactions to the core with the
// block's time, keeps the Merkle tree for proofs, and passes each committed
// block to a Sink (the SQLite projection). Every rule lives in the core.
//
// The core's state lives in memory. Every Snapshots.Interval blocks the
// app writes it, with the leaves it keeps for proofs, to a snapshot
// (snapshot.go). On start the node restores the newest usable snapshot
// (LoadSnapshot) and Info reports its height, so CometBFT's handshake
// replays only the later blocks through FinalizeBlock and Commit; with no
// snapshot Info reports height 0, and CometBFT calls InitChain and replays
// every stored block. The Sink skips heights it already holds after
// checking their app hash. A node killed at any instant therefore restarts
// to exactly the state of one that never stopped. The same snapshots are
// served to joining nodes by state sync (statesync.go).
package abci

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Version is reported to CometBFT in Info.
const Version = "folkmoot/0.1"

// AppVersion is the protocol version of the state machine.
const AppVersion = 1

// Committed is what one committed block changed, handed to the Sink.
type Committed struct {
	Height    int64
	Time      time.Time
	Txs       [][]byte
	Result    core.BlockResult
	State     *core.State // read-only; valid during the Sink call
	LeafStart uint64      // index of the block's first accumulator leaf
}

// Sink receives every committed block, in height order, and must persist it
// atomically. Replayed blocks arrive again after a restart: the Sink must
// treat a height it already holds as a no-op (after checking its app hash).
type Sink interface {
	Commit(c Committed) error
}

// Metrics receives the app's own measurements; nil disables them.
type Metrics interface {
	TxResult(code reject.Code)
	OpenProposals(n int)
	BlockApplied(d time.Duration, txs int)
}

// Options configure an App.
type Options struct {
	Sink    Sink
	Metrics Metrics
	// Clock measures block apply time for metrics only; never for rules.
	Clock func() time.Time
	// Workers verify signatures in parallel; 0 means all CPUs.
	Workers int
	// TxCacheSize bounds the cache of decoded, verified transactions
	// (default 100,000; entries leave when their transaction is committed).
	TxCacheSize int
	// Snapshots say where and how often to write snapshots.
	Snapshots Snapshots
}

// App is folkmoot's ABCI application.
type App struct {
	abcitypes.BaseApplication

	mu      sync.RWMutex
	opt     Options
	state   *core.State
	tree    merkle.Tree
	leaves  [][]byte // leaf data, by index, for proofs
	heights []uint64 // heights[h] = leaf count after block h (heights[0]: genesis)
	staged  *Committed
	// lastSnap is the block time of the last snapshot taken, or of the
	// first block this process committed (see snapshotDue).
	lastSnap time.Time

	txLeaf  map[tx.ID]uint64 // leaf index recording each transaction in a block
	sinkMu  sync.Mutex
	writing chan error   // the Sink write in flight, if any
	written atomic.Int64 // height of the last block the Sink wrote

	pendMu  sync.Mutex
	pending map[tx.PublicKey]uint64 // last nonce accepted by CheckTx, per author
	cache   *txCache
	combine combiner

	snapMu      sync.Mutex
	snapWriting chan struct{} // closed when the snapshot being written is on disk
	listMu      sync.Mutex
	listed      map[int64]*abcitypes.Snapshot // descriptions of the snapshots served, by height
	served      map[int64]bool                // heights of snapshots peers fetched chunks of since the last was written
	restoring   *restoring                    // the snapshot state sync is applying
}

var _ abcitypes.Application = (*App)(nil)

// New returns an app with no state; InitChain creates it.
func New(opt Options) *App {
	if opt.TxCacheSize <= 0 {
		opt.TxCacheSize = 100_000
	}
	if opt.Clock == nil {
		opt.Clock = func() time.Time { return time.Time{} }
	}
	if opt.Snapshots.Keep <= 0 {
		opt.Snapshots.Keep = 3
	}
	if opt.Snapshots.ChunkSize <= 0 {
		opt.Snapshots.ChunkSize = DefaultChunkSize
	}
	return &App{opt: opt, pending: make(map[tx.PublicKey]uint64), cache: newTxCache(opt.TxCacheSize)}
}

// Info reports the last block the app holds: after a restart, that of the
// snapshot it was restored from (none without one), and CometBFT replays
// the blocks after it.
func (a *App) Info(_ context.Context, _ *abcitypes.InfoRequest) (*abcitypes.InfoResponse, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	res := &abcitypes.InfoResponse{Version: Version, AppVersion: AppVersion}
	if a.state != nil && a.state.Height() > 0 {
		root := a.state.Root()
		res.LastBlockHeight = a.state.Height()
		res.LastBlockAppHash = root[:]
	}
	return res, nil
}

// InitChain builds the genesis state from the app_state in genesis.json.
func (a *App) InitChain(_ context.Context, req *abcitypes.InitChainRequest) (*abcitypes.InitChainResponse, error) {
	if err := a.Flush(); err != nil {
		return nil, err
	}
	if req.InitialHeight > 1 {
		return nil, fmt.Errorf("init chain: initial_height %d is not supported; folkmoot chains start at 1", req.InitialHeight)
	}
	for i, v := range req.Validators {
		if v.PubKeyType != "ed25519" {
			continue
		}
		if err := tx.CheckKey("the key", v.PubKeyBytes); err != nil {
			return nil, fmt.Errorf("init chain %s: genesis validator %d: %s", req.ChainId, i, err.Msg)
		}
	}
	s, err := core.New(req.ChainId, req.Time, req.AppStateBytes)
	if err != nil {
		return nil, fmt.Errorf("init chain %s: %w", req.ChainId, err)
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.state = s
	a.tree, a.leaves = merkle.Tree{}, nil
	a.heights = []uint64{s.Leaves()}
	a.txLeaf = make(map[tx.ID]uint64)
	for _, leaf := range s.GenesisLeaves() {
		a.appendLeaf(leaf)
	}
	root := s.Root()
	if got, _ := a.tree.RootAt(a.tree.Len()); got != root {
		return nil, errors.New("init chain: the proof tree disagrees with the state at genesis")
	}
	return &abcitypes.InitChainResponse{AppHash: root[:]}, nil
}

// CheckTx admits a transaction to the mempool if the core would accept it
// on the committed state, given the transactions this node already admitted
// from the same author (so a member can send several in a row).
func (a *App) CheckTx(_ context.Context, req *abcitypes.CheckTxRequest) (*abcitypes.CheckTxResponse, error) {
	t, cached, rerr := a.cache.decode(req.Tx)
	if rerr != nil {
		return checkTxResponse(rerr), nil
	}
	if !cached {
		// Signatures are checked before taking the state lock, so that with
		// a concurrent ABCI connection (node.WithConcurrentApp) CheckTx
		// calls verify together (see combiner) beside block execution.
		a.combine.verify(t)
		if err := t.CheckSignature(); err != nil {
			return checkTxResponse(err), nil
		}
		a.cache.put(t)
	}
	// The state is only read here; pending nonces have their own lock,
	// held across the check so two transactions of one author cannot both
	// take the same nonce.
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.state == nil {
		return &abcitypes.CheckTxResponse{Code: uint32(reject.Malformed), Log: "the node is starting"}, nil
	}
	a.pendMu.Lock()
	defer a.pendMu.Unlock()
	var nonce uint64
	if last, ok := a.pending[t.Author]; ok {
		nonce = last + 1
	}
	if err := a.state.Check(t, nonce); err != nil {
		return checkTxResponse(err), nil
	}
	a.pending[t.Author] = t.Nonce
	return &abcitypes.CheckTxResponse{Code: 0}, nil
}

// Verified remembers transactions whose signatures the caller has
// already checked (tx.DecodeBatch, as the API's bulk intake does), so that
// CheckTx finds them in the cache and does not verify them again. Those
// whose signature fails are left out (a transaction not checked yet is
// checked here, singly): CheckTx refuses them as usual.
func (a *App) Verified(txs []*tx.Tx) {
	for _, t := range txs {
		if t != nil && t.CheckSignature() == nil {
			a.cache.put(t)
		}
	}
}

func checkTxResponse(err *reject.Error) *abcitypes.CheckTxResponse {
	return &abcitypes.CheckTxResponse{Code: uint32(err.Code), Log: err.Msg, Codespace: "folkmoot"}
}

// PrepareProposal keeps, in mempool order, the transactions that the core
// accepts when the block is applied in sequence, within the size limit.
func (a *App) PrepareProposal(_ context.Context, req *abcitypes.PrepareProposalRequest) (*abcitypes.PrepareProposalResponse, error) {
	var keep [][]byte
	err := a.tentatively(req.Txs, func(txs []*tx.Tx, errs []*reject.Error) error {
		if _, err := a.state.BeginBlock(req.Height, req.Time); err != nil {
			return fmt.Errorf("prepare proposal %d: %w", req.Height, err)
		}
		var size int64
		for i, t := range txs {
			if errs[i] != nil {
				continue
			}
			n := int64(len(req.Txs[i])) + 8 // protobuf framing overhead, bounded
			if size+n > req.MaxTxBytes {
				break
			}
			if r := a.state.Apply(t); r.Code != reject.OK {
				continue
			}
			keep = append(keep, req.Txs[i])
			size += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &abcitypes.PrepareProposalResponse{Txs: keep}, nil
}

// tentatively decodes a proposed block's transactions and hands them to
// try on the committed state, which is reverted afterwards whatever try
// did: proposing and checking a block change nothing.
func (a *App) tentatively(raw [][]byte, try func(txs []*tx.Tx, errs []*reject.Error) error) error {
	if err := a.Flush(); err != nil {
		return err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	txs, errs := a.decode(raw)
	a.state.Checkpoint()
	defer a.state.Revert()
	return try(txs, errs)
}

// ProcessProposal rejects a proposed block if any of its transactions would
// be rejected by the core: an honest proposer never includes one.
func (a *App) ProcessProposal(_ context.Context, req *abcitypes.ProcessProposalRequest) (*abcitypes.ProcessProposalResponse, error) {
	accept := false
	err := a.tentatively(req.Txs, func(txs []*tx.Tx, errs []*reject.Error) error {
		res, err := a.state.ApplyDecoded(req.Height, req.Time, req.Txs, txs, errs)
		if err != nil {
			return nil // a block that cannot follow is refused, not an error of this node
		}
		for _, r := range res.Txs {
			if r.Code != reject.OK {
				return nil
			}
		}
		accept = true
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !accept {
		return &abcitypes.ProcessProposalResponse{Status: abcitypes.PROCESS_PROPOSAL_STATUS_REJECT}, nil
	}
	return &abcitypes.ProcessProposalResponse{Status: abcitypes.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}

// FinalizeBlock applies the decided block: signatures verified in batches
// (skipping those this node verified before), then the core with the
// block's time, including the proposals that close by time.
func (a *App) FinalizeBlock(_ context.Context, req *abcitypes.FinalizeBlockRequest) (*abcitypes.FinalizeBlockResponse, error) {
	if err := a.Flush(); err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	start := a.opt.Clock()
	txs, errs := a.decode(req.Txs)
	leafStart := a.state.Leaves()
	res, err := a.state.ApplyDecoded(req.Height, req.Time, req.Txs, txs, errs)
	if err != nil {
		return nil, fmt.Errorf("finalize block %d: %w", req.Height, err)
	}
	for _, l := range res.Begin.Leaves {
		a.appendLeaf(l)
	}
	out := &abcitypes.FinalizeBlockResponse{AppHash: res.Root[:], TxResults: make([]*abcitypes.ExecTxResult, len(res.Txs))}
	for i, r := range res.Txs {
		for j, l := range r.Leaves {
			idx := a.appendLeaf(l)
			if j == 0 {
				a.txLeaf[txID(req.Txs[i], txs[i])] = idx
			}
		}
		out.TxResults[i] = &abcitypes.ExecTxResult{Code: uint32(r.Code), Log: r.Log, Codespace: codespace(r.Code), Events: events(r.Events)}
		if a.opt.Metrics != nil {
			a.opt.Metrics.TxResult(r.Code)
		}
		if txs[i] != nil {
			a.cache.forget(txs[i].ID())
		}
	}
	for _, l := range res.End.Leaves {
		a.appendLeaf(l)
	}
	out.Events = append(events(res.Begin.Events), events(res.End.Events)...)
	out.Events = append(out.Events, misbehaviorEvents(req.Misbehavior)...)
	if got, _ := a.tree.RootAt(a.tree.Len()); got != res.Root {
		return nil, fmt.Errorf("finalize block %d: the proof tree disagrees with the state", req.Height)
	}
	a.heights = append(a.heights, a.tree.Len())
	a.staged = &Committed{Height: req.Height, Time: req.Time, Txs: req.Txs, Result: res, State: a.state, LeafStart: leafStart}
	if a.opt.Metrics != nil {
		a.opt.Metrics.BlockApplied(a.opt.Clock().Sub(start), len(req.Txs))
	}
	return out, nil
}

// Commit closes the block: it resets the mempool's view of pending nonces
// (CometBFT rechecks the mempool after this) and hands the block to the
// Sink in the background, so that the projection is written while CometBFT
// takes new transactions (it holds the mempool locked during Commit). The
// next PrepareProposal, ProcessProposal or FinalizeBlock waits for the write
// before touching the state, and fails if it failed. A node killed before
// the write finishes loses nothing: on restart the block is replayed and
// written then.
func (a *App) Commit(_ context.Context, _ *abcitypes.CommitRequest) (*abcitypes.CommitResponse, error) {
	a.mu.Lock()
	staged := a.staged
	a.staged = nil
	if staged != nil && a.snapshotDue(staged) {
		a.snapshot()
		a.lastSnap = staged.Time
	}
	a.pendMu.Lock()
	clear(a.pending)
	a.pendMu.Unlock()
	if a.opt.Metrics != nil && a.state != nil {
		open := 0
		for _, p := range a.state.Proposals() {
			if p.Status == core.Open {
				open++
			}
		}
		a.opt.Metrics.OpenProposals(open)
	}
	a.mu.Unlock()
	if staged == nil {
		return nil, errors.New("commit without a finalized block")
	}
	if a.opt.Sink != nil {
		done := make(chan error, 1)
		a.sinkMu.Lock()
		a.writing = done
		a.sinkMu.Unlock()
		go func() {
			// The Sink reads the state; the shared lock keeps writers out
			// (they wait for this write first in any case).
			a.mu.RLock()
			err := a.opt.Sink.Commit(*staged)
			a.mu.RUnlock()
			if err != nil {
				err = fmt.Errorf("commit block %d to the projection: %w", staged.Height, err)
			} else {
				a.written.Store(staged.Height)
			}
			done <- err
		}()
	}
	// Keep every block: a node with no usable snapshot rebuilds its state
	// by replay, and peers catch up from them.
	return &abcitypes.CommitResponse{RetainHeight: 0}, nil
}

// Written returns the height of the last block the Sink has written (0
// before the first, and always without a Sink). Readers that combine the
// state with the projection know from it whether the projection has
// caught up with the state they see.
func (a *App) Written() int64 { return a.written.Load() }

// snapshot takes a snapshot of the committed state and writes it in the
// background (after the one before, if it is still being written); the
// caller holds a.mu. A snapshot that cannot be written is logged and
// skipped: the node goes on, and restarts from an older one.
func (a *App) snapshot() {
	a.waitSnapshot()
	write, err := a.takeSnapshot()
	if err != nil {
		a.log("cannot take a snapshot", "err", err)
		return
	}
	done := make(chan struct{})
	a.snapMu.Lock()
	a.snapWriting = done
	a.snapMu.Unlock()
	go func() {
		defer close(done)
		if err := write(); err != nil {
			a.log("cannot write a snapshot", "err", err)
		}
	}()
}

// waitSnapshot waits until the snapshot being written, if any, is on disk.
func (a *App) waitSnapshot() {
	a.snapMu.Lock()
	done := a.snapWriting
	a.snapMu.Unlock()
	if done != nil {
		<-done
	}
}

// Close waits until the snapshot being written is on disk and the last
// committed block is in the Sink, and returns the Sink's error, if any.
// Call it after stopping the node, before closing the Sink.
func (a *App) Close() error {
	a.waitSnapshot()
	return a.Flush()
}

// Flush waits until the last committed block is in the Sink and returns
// the Sink's error, if any.
func (a *App) Flush() error {
	a.sinkMu.Lock()
	done := a.writing
	a.writing = nil
	a.sinkMu.Unlock()
	if done == nil {
		return nil
	}
	return <-done
}

// decode decodes a block's transactions, reusing those this node decoded
// and verified in CheckTx, and batch-verifies the signatures of the rest.
func (a *App) decode(raws [][]byte) ([]*tx.Tx, []*reject.Error) {
	txs := make([]*tx.Tx, len(raws))
	errs := make([]*reject.Error, len(raws))
	var fresh []*tx.Tx
	for i, raw := range raws {
		t, cached, err := a.cache.decode(raw)
		txs[i], errs[i] = t, err
		if t != nil && !cached {
			fresh = append(fresh, t)
		}
	}
	tx.VerifyBatch(fresh, a.opt.Workers)
	for _, t := range fresh {
		if t.CheckSignature() == nil {
			a.cache.put(t)
		}
	}
	return txs, errs
}

func (a *App) appendLeaf(data []byte) uint64 {
	a.leaves = append(a.leaves, data)
	return a.tree.Append(data)
}

func txID(raw []byte, t *tx.Tx) tx.ID {
	if t != nil {
		return t.ID()
	}
	return sha256.Sum256(raw)
}

func codespace(c reject.Code) string {
	if c == reject.OK {
		return ""
	}
	return "folkmoot"
}

// View runs fn with the committed state under a read lock. fn must not keep
// or modify what it is given.
func (a *App) View(fn func(s *core.State) error) error {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if a.state == nil {
		return errors.New("the node is still starting")
	}
	return fn(a.state)
}

// Proof returns the inclusion proof of leaf index against the app hash
// after block height, and that app hash.
func (a *App) Proof(index uint64, height int64) (merkle.Proof, merkle.Hash, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if height <= 0 || height >= int64(len(a.heights)) {
		return merkle.Proof{}, merkle.Hash{}, fmt.Errorf("no block %d yet", height)
	}
	size := a.heights[height]
	p, err := a.tree.Prove(index, size)
	if err != nil {
		return p, merkle.Hash{}, err
	}
	root, err := a.tree.RootAt(size)
	return p, root, err
}

// TxLeaf returns the index of the leaf recording a transaction in a block.
func (a *App) TxLeaf(id tx.ID) (uint64, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	i, ok := a.txLeaf[id]
	return i, ok
}

// LeafHeight returns the height of the block that appended leaf index.
func (a *App) LeafHeight(index uint64) (int64, bool) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	lo, hi := 0, len(a.heights)
	for lo < hi {
		mid := (lo + hi) / 2
		if a.heights[mid] > index {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	if lo >= len(a.heights) {
		return 0, false
	}
	return int64(lo), true
}

// snapshotDue reports whether a snapshot is due after block b: its height
// is a multiple of Snapshots.Interval, or Snapshots.Period of block time
// has passed since the last one this process took (or since the first
// block it committed).
func (a *App) snapshotDue(b *Committed) bool {
	o := a.opt.Snapshots
	if o.Dir == "" {
		return false
	}
	if o.Interval > 0 && b.Height%o.Interval == 0 {
		return true
	}
	if o.Period <= 0 {
		return false
	}
	if a.lastSnap.IsZero() {
		a.lastSnap = b.Time
		return false
	}
	return b.Time.Sub(a.lastSnap) >= o.Period
}
