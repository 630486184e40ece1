package core

import (
	"crypto/sha256"
	"fmt"
	"time"

	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Block is an ordered list of signed transactions with the block's time.
type Block struct {
	Height int64
	Time   time.Time
	Txs    [][]byte
}

// BlockResult is the outcome of a block.
type BlockResult struct {
	Begin Result      // voting opened by time
	Txs   []Result    // one per transaction, in order
	End   Result      // proposals decided by time
	Root  merkle.Hash // accumulator root after the block: the app hash
}

// ApplyBlock decodes the block's transactions and verifies their signatures
// in batches on up to workers goroutines (all CPUs when workers <= 0), then
// runs BeginBlock, Apply for each transaction, and EndBlock. Transactions
// that fail are recorded with their code and change nothing.
func (s *State) ApplyBlock(b Block, workers int) (BlockResult, error) {
	txs, errs := tx.DecodeBatch(b.Txs, workers)
	return s.ApplyDecoded(b.Height, b.Time, b.Txs, txs, errs)
}

// Rejected records that a transaction included in the current block was
// rejected: the state is unchanged but for one accumulator leaf, so that
// the root commits to every byte of every block. The result carries the
// rejection and that leaf.
func (s *State) Rejected(id tx.ID, err *reject.Error) Result {
	leaf := factRejected(id, err.Code)
	s.acc.Append(leaf)
	return Result{Code: err.Code, Log: err.Msg, Leaves: [][]byte{leaf}}
}

// ApplyDecoded is ApplyBlock for transactions already decoded from raws:
// errs[i], when not nil, is the decoding rejection of raws[i].
func (s *State) ApplyDecoded(height int64, blockTime time.Time, raws [][]byte, txs []*tx.Tx, errs []*reject.Error) (BlockResult, error) {
	var out BlockResult
	begin, err := s.BeginBlock(height, blockTime)
	if err != nil {
		return out, fmt.Errorf("begin block: %w", err)
	}
	out.Begin = begin
	s.CheckSecretProofs(txs, 0)
	out.Txs = make([]Result, len(txs))
	for i, t := range txs {
		if errs != nil && errs[i] != nil {
			out.Txs[i] = s.Rejected(sha256.Sum256(raws[i]), errs[i])
			continue
		}
		out.Txs[i] = s.Apply(t)
		if out.Txs[i].Code != reject.OK {
			out.Txs[i] = s.Rejected(t.ID(), &reject.Error{Code: out.Txs[i].Code, Msg: out.Txs[i].Log})
		}
	}
	out.End = s.EndBlock()
	out.Root = s.Root()
	return out, nil
}
