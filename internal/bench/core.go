// Package bench measures folkmoot on the machine it runs on. Each function
// builds its own workload deterministically, runs it, and returns figures
// that `folkmoot bench` prints as JSON. Nothing here asserts a target: the
// figures go into BENCHMARKS.md.
package bench

import (
	"bytes"
	"fmt"
	"runtime"
	"time"

	"github.com/hdevalence/ed25519consensus"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// CoreOptions size the core benchmark.
type CoreOptions struct {
	Members   int // members who vote (default 10,000)
	Ballots   int // signed ballots applied (default 200,000)
	BlockSize int // transactions per block (default 5,000)
	// SkipMemory leaves out the heap measurement of a state with 100,000
	// members and 1,000,000 ballots (about ten seconds).
	SkipMemory bool
	Progress   func(format string, args ...any)
}

// CoreFigures are the results of the core benchmark.
type CoreFigures struct {
	CPUs                 int     `json:"cpus"`
	CPUModel             string  `json:"cpu_model"`
	Members              int     `json:"members"`
	Ballots              int     `json:"ballots"`
	BallotsPerS          float64 `json:"ballots_per_s"`
	SingleVerifyPerS     float64 `json:"single_verify_ballots_per_s"`
	BatchVerifyPerS      float64 `json:"batch_verify_per_s"`
	ApplyToVerifyRatio   float64 `json:"apply_to_batch_verify_ratio"`
	ReplayTxPerS         float64 `json:"replay_tx_per_s"`
	ReplayToVerifyRatio  float64 `json:"replay_to_batch_verify_ratio"`
	ProofNs              float64 `json:"proof_ns"`
	VerifyProofNs        float64 `json:"verify_proof_ns"`
	ProofBytes           int     `json:"proof_bytes"`
	HeapMBMembersBallots float64 `json:"heap_mb_100k_members_1m_ballots,omitempty"`
}

// ballotWorkload is a community with members and their signed ballots on
// several open proposals.
type ballotWorkload struct {
	appState []byte
	start    time.Time
	setup    [][]byte   // proposals, in block 1
	blocks   [][][]byte // ballots, in blocks
}

func newBallotWorkload(members, ballots, blockSize int, progress func(string, ...any)) ballotWorkload {
	ms := make([]*coretest.Member, members)
	for i := range ms {
		ms[i] = coretest.NewMember(fmt.Sprintf("voter %d", i))
	}
	g := coretest.Genesis(ms...)
	w := ballotWorkload{appState: coretest.AppState(g), start: coretest.GenesisTime}
	// One proposal per round of ballots, so each member votes once per
	// proposal (changing a ballot is a ballot too, but keep it simple).
	rounds := (ballots + members - 1) / members
	closes := w.start.Add(24 * time.Hour).Unix()
	for r := 0; r < rounds; r++ {
		w.setup = append(w.setup, ms[r%members].Sign(&tx.Propose{Title: fmt.Sprintf("Question %d", r+1), Body: "?", Category: "general", Closes: closes}))
	}
	var block [][]byte
	for i := 0; i < ballots; i++ {
		m := ms[i%members]
		block = append(block, m.Ballot(uint64(i/members+1), tx.Choice(1+i%3)))
		if len(block) == blockSize {
			w.blocks = append(w.blocks, block)
			block = nil
		}
		if progress != nil && (i+1)%100000 == 0 {
			progress("signed %d of %d ballots", i+1, ballots)
		}
	}
	if len(block) > 0 {
		w.blocks = append(w.blocks, block)
	}
	return w
}

func (w ballotWorkload) state() (*core.State, error) {
	s, err := core.New(coretest.ChainID, w.start, w.appState)
	if err != nil {
		return nil, err
	}
	if _, err := s.ApplyBlock(core.Block{Height: 1, Time: w.start.Add(time.Second), Txs: w.setup}, 0); err != nil {
		return nil, err
	}
	return s, nil
}

// Core runs the core benchmark.
func Core(o CoreOptions, clock func() time.Time) (CoreFigures, error) {
	if o.Members <= 0 {
		o.Members = 10000
	}
	if o.Ballots <= 0 {
		o.Ballots = 200000
	}
	if o.BlockSize <= 0 {
		o.BlockSize = 5000
	}
	say := o.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	f := CoreFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), Members: o.Members, Ballots: o.Ballots}
	say("signing %d ballots from %d members", o.Ballots, o.Members)
	w := newBallotWorkload(o.Members, o.Ballots, o.BlockSize, say)

	// Raw batch verification on all cores, the ceiling for the apply rate.
	say("raw batch ed25519 verification")
	var all []*tx.Tx
	for _, b := range w.blocks {
		for _, raw := range b {
			t, err := tx.Decode(raw)
			if err != nil {
				return f, err
			}
			all = append(all, t)
		}
	}
	f.BatchVerifyPerS = rate(len(all), clock, func() error { return rawBatchVerify(all) })

	apply := func(s *core.State, blocks [][][]byte, workers int) error {
		at := w.start.Add(time.Second)
		for i, b := range blocks {
			at = at.Add(time.Second)
			res, err := s.ApplyBlock(core.Block{Height: int64(i + 2), Time: at, Txs: b}, workers)
			if err != nil {
				return err
			}
			for j, r := range res.Txs {
				if r.Code != 0 {
					return fmt.Errorf("block %d tx %d rejected: %s", i+2, j, r.Log)
				}
			}
		}
		return nil
	}
	say("apply with batch verification")
	s, err := w.state()
	if err != nil {
		return f, err
	}
	var applyErr error
	f.BallotsPerS = rate(o.Ballots, clock, func() error { applyErr = apply(s, w.blocks, 0); return applyErr })
	if applyErr != nil {
		return f, applyErr
	}

	say("apply with one-by-one verification")
	s, _ = w.state()
	f.SingleVerifyPerS = rate(o.Ballots, clock, func() error {
		at := w.start.Add(time.Second)
		for i, b := range w.blocks {
			at = at.Add(time.Second)
			if _, err := s.BeginBlock(int64(i+2), at); err != nil {
				return err
			}
			for _, raw := range b {
				t, rerr := tx.Decode(raw)
				if rerr != nil {
					return rerr
				}
				if r := s.Apply(t); r.Code != 0 {
					return fmt.Errorf("%s", r.Log)
				}
			}
			s.EndBlock()
		}
		return nil
	})

	say("audit replay of the exported history")
	file, ntx, err := w.history()
	if err != nil {
		return f, err
	}
	var replayErr error
	f.ReplayTxPerS = rate(ntx, clock, func() error {
		_, replayErr = history.Verify(bytes.NewReader(file), history.Options{})
		return replayErr
	})
	if replayErr != nil {
		return f, fmt.Errorf("replay: %w", replayErr)
	}
	if f.BatchVerifyPerS > 0 {
		f.ApplyToVerifyRatio = f.BallotsPerS / f.BatchVerifyPerS
		f.ReplayToVerifyRatio = f.ReplayTxPerS / f.BatchVerifyPerS
	}

	say("inclusion proofs over 1,048,576 leaves")
	f.ProofNs, f.VerifyProofNs, f.ProofBytes = proofFigures(clock)
	if !o.SkipMemory {
		say("heap of a state with 100,000 members and 1,000,000 ballots")
		mb, err := StateHeapMB(100_000, 1_000_000)
		if err != nil {
			return f, fmt.Errorf("memory: %w", err)
		}
		f.HeapMBMembersBallots = mb
	}
	return f, nil
}

// history writes the workload as a history file.
func (w ballotWorkload) history() ([]byte, int, error) {
	s, err := core.New(coretest.ChainID, w.start, w.appState)
	if err != nil {
		return nil, 0, err
	}
	var buf bytes.Buffer
	root := s.Root()
	hw, err := history.NewWriter(&buf, history.Header{ChainID: coretest.ChainID, GenesisTime: w.start.UnixNano(), AppState: w.appState, GenesisRoot: root[:]})
	if err != nil {
		return nil, 0, err
	}
	blocks := append([][][]byte{w.setup}, w.blocks...)
	at, n := w.start, 0
	for i, b := range blocks {
		at = at.Add(time.Second)
		res, err := s.ApplyBlock(core.Block{Height: int64(i + 1), Time: at, Txs: b}, 0)
		if err != nil {
			return nil, 0, err
		}
		codes := make([]uint32, len(b))
		for j, r := range res.Txs {
			codes[j] = uint32(r.Code)
		}
		n += len(b)
		if err := hw.WriteBlock(history.Block{Height: int64(i + 1), Time: at.UnixNano(), Txs: b, Codes: codes, AppHash: res.Root[:]}); err != nil {
			return nil, 0, err
		}
	}
	if err := hw.Close(); err != nil {
		return nil, 0, err
	}
	return buf.Bytes(), n, nil
}

func rawBatchVerify(all []*tx.Tx) error {
	workers := runtime.NumCPU()
	errs := make(chan error, workers)
	per := (len(all) + workers - 1) / workers
	for wk := 0; wk < workers; wk++ {
		part := all[min(wk*per, len(all)):min((wk+1)*per, len(all))]
		go func() {
			for lo := 0; lo < len(part); lo += tx.BatchSize {
				chunk := part[lo:min(lo+tx.BatchSize, len(part))]
				v := ed25519consensus.NewPreallocatedBatchVerifier(len(chunk))
				for _, t := range chunk {
					v.Add(t.Author[:], t.SignBytes(), t.Signature())
				}
				if !v.Verify() {
					errs <- fmt.Errorf("batch failed")
					return
				}
			}
			errs <- nil
		}()
	}
	var first error
	for wk := 0; wk < workers; wk++ {
		if err := <-errs; err != nil && first == nil {
			first = err
		}
	}
	return first
}

func proofFigures(clock func() time.Time) (proveNs, verifyNs float64, size int) {
	var t merkle.Tree
	const n = 1 << 20
	for i := 0; i < n; i++ {
		t.Append([]byte(fmt.Sprint(i)))
	}
	root, _ := t.RootAt(n)
	const reps = 20000
	var p merkle.Proof
	start := clock()
	for i := 0; i < reps; i++ {
		p, _ = t.Prove(uint64(i*52), n)
	}
	proveNs = float64(clock().Sub(start).Nanoseconds()) / reps
	leaf := []byte(fmt.Sprint((reps - 1) * 52))
	start = clock()
	for i := 0; i < reps; i++ {
		if p.Verify(leaf, root) != nil {
			return 0, 0, 0
		}
	}
	verifyNs = float64(clock().Sub(start).Nanoseconds()) / reps
	return proveNs, verifyNs, 32 * (len(p.Path) + len(p.Peaks))
}

// rate runs fn once and returns n/seconds.
func rate(n int, clock func() time.Time, fn func() error) float64 {
	start := clock()
	if err := fn(); err != nil {
		return 0
	}
	return float64(n) / clock().Sub(start).Seconds()
}
