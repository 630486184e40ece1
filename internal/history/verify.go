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
	// OK is true only when the whole file was read and every claim in it
	// matches the recomputation.
	OK bool `json:"ok"`
	// Error says why the history did not verify, naming the height: the
	// first mismatch or the part of the file that could not be read.
	// Empty when OK.
	Error     string      `json:"error,omitempty"`
	ChainID   string      `json:"chain_id"`
	Community string      `json:"community"`
	Blocks    int64       `json:"blocks"`
	Txs       int64       `json:"transactions"`
	Accepted  int64       `json:"accepted"`
	Rejected  int64       `json:"rejected"`
	Members   uint64      `json:"members"`
	Proposals int         `json:"proposals"`
	Laws      int         `json:"laws_in_force"`
	Rules     int         `json:"rule_versions"`
	Decisions []core.Fact `json:"decisions"`
	// SecretBallots counts the accepted secret ballots, every one of whose
	// proofs the replay checked; Decryptions the accepted partial
	// decryptions, each proof checked; SecretTallies the secret votes
	// whose tally was decrypted (or not) in the record.
	SecretBallots int64          `json:"secret_ballots"`
	Decryptions   int64          `json:"partial_decryptions"`
	SecretTallies int64          `json:"secret_tallies"`
	Tallies       []core.Fact    `json:"tallies,omitempty"` // the secret tallies' facts
	Root          merkle.Hash    `json:"app_hash"`
	LastTime      time.Time      `json:"last_block_time"`
	Elapsed       time.Duration  `json:"-"`
	TxPerSec      float64        `json:"tx_per_s"`
	FirstError    *MismatchError `json:"first_mismatch,omitempty"`
	ReadError     *ReadError     `json:"read_error,omitempty"`
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
// claims. It reads nothing but r.
//
// It returns a summary with OK set, and a nil error, only when the whole
// file was read and every claim matches. Otherwise the summary says what
// was verified before the failure, its Error says why, and the error is a
// *ReadError (a part of the file that cannot be read, or a genesis that
// cannot be rebuilt) or a *MismatchError (a claim the recomputation
// contradicts).
func Verify(r io.Reader, opt Options) (Summary, error) {
	var sum Summary
	var start time.Time
	if opt.Clock != nil {
		start = opt.Clock()
	}
	var s *core.State
	fail := func(err error) (Summary, error) {
		sum.Error = err.Error()
		errors.As(err, &sum.FirstError)
		errors.As(err, &sum.ReadError)
		if s != nil {
			finish(&sum, s, opt, start)
		}
		return sum, err
	}
	hr, err := NewReader(r)
	if err != nil {
		return fail(err)
	}
	h := hr.Header()
	if s, err = core.New(h.ChainID, time.Unix(0, h.GenesisTime), h.AppState); err != nil {
		return fail(readError(0, fmt.Errorf("the genesis cannot be rebuilt: %w", err)))
	}
	sum.ChainID, sum.Community = h.ChainID, s.Constitution().Name
	if root := s.Root(); !bytes.Equal(root[:], h.GenesisRoot) {
		return fail(&MismatchError{Height: 0, Index: -1, What: fmt.Sprintf("genesis root is %s, the file claims %s", root, hex.EncodeToString(h.GenesisRoot))})
	}
	for {
		b, err := hr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fail(err)
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
				for _, e := range tr.Events {
					switch e.(type) {
					case core.SecretBallotCast:
						sum.SecretBallots++
					case core.TrusteeStep:
						if e.(core.TrusteeStep).Step == "decrypt" {
							sum.Decryptions++
						}
					}
				}
				sum.note(tr.Leaves)
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
		sum.note(res.End.Leaves)
		if !bytes.Equal(res.Root[:], b.AppHash) {
			return fail(&MismatchError{Height: b.Height, Index: -1, What: fmt.Sprintf("app hash is %s, the file claims %s", res.Root, hex.EncodeToString(b.AppHash))})
		}
		if opt.Progress != nil {
			opt.Progress(b.Height, sum.Txs)
		}
	}
	finish(&sum, s, opt, start)
	sum.OK = true
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

// note records the decisions and secret tallies among a result's facts.
func (sum *Summary) note(leaves [][]byte) {
	for _, leaf := range leaves {
		f, err := core.DecodeFact(leaf)
		if err != nil {
			continue
		}
		switch f.Type {
		case core.FactDecided:
			sum.Decisions = append(sum.Decisions, f)
		case core.FactSecretTally:
			sum.SecretTallies++
			sum.Tallies = append(sum.Tallies, f)
		}
	}
}
