package history

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/reject"
)

// Summary is what a verification found.
type Summary struct {
	ChainID    string         `json:"chain_id"`
	Community  string         `json:"community"`
	Blocks     int64          `json:"blocks"`
	Txs        int64          `json:"transactions"`
	Accepted   int64          `json:"accepted"`
	Rejected   int64          `json:"rejected"`
	Members    uint64         `json:"members"`
	Proposals  int            `json:"proposals"`
	Laws       int            `json:"laws_in_force"`
	Rules      int            `json:"rule_versions"`
	Decisions  []core.Fact    `json:"decisions"`
	Root       merkle.Hash    `json:"app_hash"`
	LastTime   time.Time      `json:"last_block_time"`
	Elapsed    time.Duration  `json:"-"`
	TxPerSec   float64        `json:"tx_per_s"`
	FirstError *MismatchError `json:"first_mismatch,omitempty"`
}

// MismatchError names the first place where the history's claims and the
// recomputation differ.
type MismatchError struct {
	Height int64  `json:"height"`
	Index  int    `json:"index"` // transaction index, or -1 for the block
	What   string `json:"what"`
}

func (e *MismatchError) Error() string {
	if e.Index >= 0 {
		return fmt.Sprintf("mismatch at height %d, transaction %d: %s", e.Height, e.Index, e.What)
	}
	return fmt.Sprintf("mismatch at height %d: %s", e.Height, e.What)
}

// Options tune Verify.
type Options struct {
	// Workers verify signatures in parallel; 0 means all CPUs.
	Workers int
	// Progress, when set, is called after each block with the height and
	// transactions so far.
	Progress func(height, txs int64)
	// Clock measures elapsed time for the summary's speed; it is not part
	// of verification. Nil leaves the speed out.
	Clock func() time.Time
}

// Verify replays a history file through the core: it rebuilds the genesis,
// applies every block with batch signature verification, and compares each
// transaction's result code and each block's app hash with the file's
// claims. It reads nothing but r. A corrupt file is an error; a history
// whose claims do not match the recomputation returns the summary so far
// and a *MismatchError.
func Verify(r io.Reader, opt Options) (Summary, error) {
	var sum Summary
	var start time.Time
	if opt.Clock != nil {
		start = opt.Clock()
	}
	hr, err := NewReader(r)
	if err != nil {
		return sum, err
	}
	h := hr.Header()
	s, err := core.New(h.ChainID, time.Unix(0, h.GenesisTime), h.AppState)
	if err != nil {
		return sum, fmt.Errorf("history genesis: %w", err)
	}
	sum.ChainID, sum.Community = h.ChainID, s.Constitution().Name
	fail := func(e *MismatchError) (Summary, error) {
		sum.FirstError = e
		finish(&sum, s, opt, start)
		return sum, e
	}
	if root := s.Root(); !bytes.Equal(root[:], h.GenesisRoot) {
		return fail(&MismatchError{Height: 0, Index: -1, What: fmt.Sprintf("genesis root is %s, the file claims %s", root, hex.EncodeToString(h.GenesisRoot))})
	}
	for {
		b, err := hr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			finish(&sum, s, opt, start)
			return sum, err
		}
		res, err := s.ApplyBlock(core.Block{Height: b.Height, Time: time.Unix(0, b.Time), Txs: b.Txs}, opt.Workers)
		if err != nil {
			return fail(&MismatchError{Height: b.Height, Index: -1, What: err.Error()})
		}
		sum.Blocks++
		for i, tr := range res.Txs {
			sum.Txs++
			if tr.Code == reject.OK {
				sum.Accepted++
			} else {
				sum.Rejected++
			}
			if uint32(tr.Code) != b.Codes[i] {
				what := fmt.Sprintf("the file claims code %d, the replay gives %d", b.Codes[i], tr.Code)
				if tr.Code != reject.OK {
					what += " (" + tr.Log + ")"
				}
				return fail(&MismatchError{Height: b.Height, Index: i, What: what})
			}
		}
		for _, leaf := range res.End.Leaves {
			if f, err := core.DecodeFact(leaf); err == nil && f.Type == core.FactDecided {
				sum.Decisions = append(sum.Decisions, f)
			}
		}
		if !bytes.Equal(res.Root[:], b.AppHash) {
			return fail(&MismatchError{Height: b.Height, Index: -1, What: fmt.Sprintf("app hash is %s, the file claims %s", res.Root, hex.EncodeToString(b.AppHash))})
		}
		if opt.Progress != nil {
			opt.Progress(b.Height, sum.Txs)
		}
	}
	finish(&sum, s, opt, start)
	return sum, nil
}

func finish(sum *Summary, s *core.State, opt Options, start time.Time) {
	sum.Root = s.Root()
	sum.Members = s.MemberCount()
	sum.Proposals = len(s.Proposals())
	sum.Laws = s.LawsInForceCount()
	sum.Rules = len(s.RuleHistory())
	sum.LastTime = s.Time()
	if opt.Clock != nil {
		sum.Elapsed = opt.Clock().Sub(start)
		if sec := sum.Elapsed.Seconds(); sec > 0 {
			sum.TxPerSec = float64(sum.Txs) / sec
		}
	}
}
