package core

import (
	"fmt"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// BeginBlock starts block height at blockTime: the block's own fact (height
// and time) is appended, then voting opens on every scheduled proposal whose
// opening time is at or before blockTime, in order of (opening time, id).
// Heights follow each other from 1; block times never go backwards.
func (s *State) BeginBlock(height int64, blockTime time.Time) (Result, error) {
	now := blockTime.UnixNano()
	if height != s.height+1 {
		return Result{}, fmt.Errorf("block %d cannot follow block %d", height, s.height)
	}
	if now < s.now {
		return Result{}, fmt.Errorf("block time %s is before the previous block's %s", formatTime(now), formatTime(s.now))
	}
	s.now, s.height = now, height
	leaf := factBlock(height, now)
	s.acc.Append(leaf)
	r := Result{Leaves: [][]byte{leaf}}
	s.openDue(&r)
	s.beginElections(&r)
	return r, nil
}

// EndBlock ends the block, one domain after the other: every open proposal
// whose closing time is at or before the block time is decided, in order of
// (closing time, id), and what a passed one decides takes effect at once (a
// law, a renewal, a repeal, an amendment, a recall); then the offices' terms
// and elections move on (elections.go); then every law whose sunset is at or
// before the block time leaves the register, in order of (sunset, law
// number). Decisions come first so that a renewal whose vote closed before
// the sunset saves its law even when both fall in the same block. Each
// decision and each change to the register or the rules is a fact of the
// accumulator. Every queue is an ordered index: a block in which nothing is
// due costs a comparison per queue, however many laws are in force. Last,
// every initiative whose window has passed without enough endorsements
// lapses, in order of (window end, id). The order is part of the protocol.
func (s *State) EndBlock() Result {
	var r Result
	s.closeDue(&r)
	s.decryptDue(&r)
	s.drawDue(&r)
	s.endOffices(&r)
	s.expireDue(&r)
	s.lapseInitiatives(&r)
	return r
}

// Apply applies one transaction at the current block's time. A rejected
// transaction changes nothing and its Result carries the code and sentence.
// The signature is checked unless it was already (see tx.VerifyBatch).
func (s *State) Apply(t *tx.Tx) Result {
	commit, err := s.check(t, 0)
	if err != nil {
		return Result{Code: err.Code, Log: err.Msg}
	}
	m := s.members[s.keys[t.Author].member-1]
	m.Nonce++
	s.record(func() { m.Nonce-- })
	leaf := TxLeaf(t.ID())
	s.acc.Append(leaf)
	r := Result{Leaves: [][]byte{leaf}}
	commit(&r)
	return r
}

// Check reports whether t would be accepted now, changing nothing. When
// nonce is not zero, it is the nonce t must carry instead of the one after
// the author's last committed transaction (a node's view of transactions
// still waiting for a block).
func (s *State) Check(t *tx.Tx, nonce uint64) *reject.Error {
	_, err := s.check(t, nonce)
	return err
}

// check validates t fully and returns the change to make.
func (s *State) check(t *tx.Tx, nonce uint64) (func(*Result), *reject.Error) {
	if t.ChainID != s.chainID {
		return nil, reject.Errorf(reject.WrongChain, "transaction rejected: it was signed for community %q, this is %q", t.ChainID, s.chainID)
	}
	if err := t.CheckSignature(); err != nil {
		return nil, err
	}
	m, err := s.author(t.Author)
	if err != nil {
		return nil, err
	}
	if nonce == 0 {
		nonce = m.Nonce + 1
	}
	if t.Nonce != nonce {
		return nil, reject.Errorf(reject.BadNonce, "transaction rejected: nonce %d is not the next for key %s, which expects %d", t.Nonce, t.Author.Short(), nonce)
	}
	h, ok := handlers[t.Kind]
	if !ok {
		return nil, reject.Errorf(reject.UnknownKind, "transaction rejected: kind %s is not handled", t.Kind)
	}
	return h(s, m, t.Body)
}

// handler checks a transaction's body for its author, m, changing nothing,
// and returns the change to make when it is accepted.
type handler func(s *State, m *Member, b tx.Body) (func(*Result), *reject.Error)

// handle makes a domain's handler for one body type a handler. A body that
// is not of that type is refused (tx.Decode makes the body from the kind, so
// that does not happen to a decoded transaction).
func handle[B tx.Body](f func(*State, *Member, B) (func(*Result), *reject.Error)) handler {
	return func(s *State, m *Member, b tx.Body) (func(*Result), *reject.Error) {
		body, ok := b.(B)
		if !ok {
			return nil, reject.Errorf(reject.UnknownKind, "transaction rejected: kind %s does not carry a %T", b.Kind(), b)
		}
		return f(s, m, body)
	}
}

// handlers is the one table from a transaction kind to the domain handler
// that applies it. It is never written after the package is initialised.
// Adding a kind means adding its body in tx, its handler in its domain's
// file, and one line here.
var handlers = map[tx.Kind]handler{
	// membership.go
	tx.KindVouch:  handle((*State).vouch),
	tx.KindLeave:  handle((*State).leave),
	tx.KindRotate: handle((*State).rotate),
	// proposals.go
	tx.KindPropose:   handle((*State).propose),
	tx.KindWithdraw:  handle((*State).withdraw),
	tx.KindComment:   handle((*State).comment),
	tx.KindEndorse:   handle((*State).endorse),
	tx.KindBallot:    handle((*State).ballot),
	tx.KindAmendText: handle((*State).amendText),
	// delegation.go
	tx.KindDelegate:   handle((*State).delegate),
	tx.KindUndelegate: handle((*State).undelegate),
	// elections.go, recall.go, powers.go
	tx.KindCandidacy:         handle((*State).candidacy),
	tx.KindWithdrawCandidacy: handle((*State).withdrawCandidacy),
	tx.KindRank:              handle((*State).rank),
	tx.KindRecall:            handle((*State).recall),
	tx.KindNotice:            handle((*State).notice),
	tx.KindPayment:           handle((*State).payment),
	// secret.go
	tx.KindTrusteeCommit:   handle((*State).trusteeCommit),
	tx.KindTrusteeShares:   handle((*State).trusteeShares),
	tx.KindTrusteeComplain: handle((*State).trusteeComplain),
	tx.KindTrusteeAnswer:   handle((*State).trusteeAnswer),
	tx.KindSecretBallot:    handle((*State).secretBallot),
	tx.KindTrusteeDecrypt:  handle((*State).trusteeDecrypt),
	// sortition.go
	tx.KindDraw:         handle((*State).callDraw),
	tx.KindVolunteer:    handle((*State).volunteer),
	tx.KindBeaconCommit: handle((*State).beaconCommit),
	tx.KindBeaconReveal: handle((*State).beaconReveal),
	tx.KindDeclare:      handle((*State).declare),
	tx.KindDrawLottery:  handle((*State).drawLottery),
}

func joinQuoted(xs []string) string {
	q := make([]string, len(xs))
	for i, x := range xs {
		q[i] = fmt.Sprintf("%q", x)
	}
	return strings.Join(q, ", ")
}

func fmtDuration(ns int64) string { return time.Duration(ns).String() }
