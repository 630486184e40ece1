package core

import (
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
	return s.ApplyDecoded(b.Height, b.Time, txs, errs)
}

// ApplyDecoded is ApplyBlock for transactions already decoded: errs[i],
// when not nil, is the decoding rejection of transaction i.
func (s *State) ApplyDecoded(height int64, blockTime time.Time, txs []*tx.Tx, errs []*reject.Error) (BlockResult, error) {
	var out BlockResult
	begin, err := s.BeginBlock(height, blockTime)
	if err != nil {
		return out, fmt.Errorf("begin block: %w", err)
	}
	out.Begin = begin
	out.Txs = make([]Result, len(txs))
	for i, t := range txs {
		if errs != nil && errs[i] != nil {
			out.Txs[i] = Result{Code: errs[i].Code, Log: errs[i].Msg}
			continue
		}
		out.Txs[i] = s.Apply(t)
	}
	out.End = s.EndBlock()
	out.Root = s.Root()
	return out, nil
}
