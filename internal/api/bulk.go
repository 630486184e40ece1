package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	abcicli "github.com/cometbft/cometbft/abci/client"
	"github.com/cometbft/cometbft/mempool"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/types"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Bounds of one bulk submission (POST /api/v1/txs): at most MaxBulkTxs
// transactions in a body of at most MaxBulkBytes (4 MiB: a thousand
// transactions of 3 KiB each in base64 with room for the JSON). A larger
// request is refused whole with 413.
const (
	MaxBulkTxs   = 1000
	MaxBulkBytes = 4 << 20
)

// Mempool is CometBFT's mempool in the same process
// (*mempool.CListMempool implements it). The bulk intake hands it each
// transaction directly, as the RPC's broadcast_tx_sync does, without an
// HTTP and JSON-RPC round trip per transaction.
type Mempool interface {
	CheckTx(t types.Tx, sender p2p.ID) (*abcicli.ReqRes, error)
}

// BulkItem is the outcome of one transaction of a bulk submission: its id
// (the SHA-256 of its bytes) and exactly one of Accepted (what POST
// /api/v1/tx answers with 202) or Error (what it answers with Status).
type BulkItem struct {
	ID       string     `json:"id"`
	Status   int        `json:"status"`
	Accepted *Submitted `json:"accepted,omitempty"`
	Error    *Error     `json:"error,omitempty"`
}

// BulkSubmitted answers a bulk submission: one result per transaction, in
// the order sent, and how many were accepted and refused. Partial
// acceptance is normal: each transaction stands on its own.
type BulkSubmitted struct {
	Accepted int        `json:"accepted"`
	Refused  int        `json:"refused"`
	Results  []BulkItem `json:"results"`
}

// ParseBulk reads the body of a bulk submission, JSON {"txs": ["<base64>",
// …]}: between 1 and MaxBulkTxs transactions, each standard or URL-safe
// base64, padded or not. Anything else is an *Error (400, or 413 beyond
// MaxBulkTxs) naming the first fault; nothing is submitted then.
func ParseBulk(body []byte) ([][]byte, error) {
	var v struct {
		Txs []json.RawMessage `json:"txs"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&v); err != nil {
		return nil, BadRequest(`The body must be JSON {"txs": ["<base64>", …]}: %s.`, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, BadRequest(`The body must be one JSON object {"txs": ["<base64>", …]}, with nothing after it.`)
	}
	if len(v.Txs) == 0 {
		return nil, BadRequest(`The body holds no transactions: send {"txs": ["<base64>", …]} with 1 to %d of them.`, MaxBulkTxs)
	}
	if len(v.Txs) > MaxBulkTxs {
		return nil, errorf(http.StatusRequestEntityTooLarge, "too_many",
			"A bulk submission holds at most %d transactions; this one has %d.", MaxBulkTxs, len(v.Txs))
	}
	raws := make([][]byte, len(v.Txs))
	for i, item := range v.Txs {
		var text string
		if err := json.Unmarshal(item, &text); err != nil {
			return nil, BadRequest("Transaction %d of the list is not a string of base64.", i+1)
		}
		b, ok := decodeBase64(text)
		if !ok {
			return nil, BadRequest("Transaction %d of the list is not base64.", i+1)
		}
		if len(b) == 0 {
			return nil, BadRequest("Transaction %d of the list is empty.", i+1)
		}
		raws[i] = b
	}
	return raws, nil
}

// SubmitBulk checks many signed transactions at once and hands those that
// pass to the mempool, in the order given. Signatures are verified in
// batches (tx.DecodeBatch) and the app is told (abci.App.Verified), so
// CheckTx does not verify them again; CheckTx then judges each against
// the committed state and the transactions admitted before it (the same
// author's earlier nonces included). The request as a whole is refused
// only when the client is over its rate (429; counted in transactions)
// or the node cannot take transactions (503); otherwise every transaction
// gets its own result.
func (s *Service) SubmitBulk(ctx context.Context, client string, raws [][]byte) (BulkSubmitted, error) {
	if !s.bulkLimit.allowN(client, len(raws)) {
		return BulkSubmitted{}, errorf(http.StatusTooManyRequests, "rate_limited",
			"Too many transactions from your address: this node takes %d a minute in bulk (bursts of %d); wait and try again.",
			s.bulkRate, s.bulkBurst)
	}
	if s.mempool == nil || s.app == nil {
		return BulkSubmitted{}, errorf(http.StatusServiceUnavailable, "no_node", "This server relays no transactions.")
	}
	if s.syncing != nil && s.syncing() {
		return BulkSubmitted{}, errorf(http.StatusServiceUnavailable, "catching_up",
			"The node is still catching up with the chain and takes no transactions yet; try again later.")
	}
	select {
	case s.bulkSlots <- struct{}{}:
		defer func() { <-s.bulkSlots }()
	case <-ctx.Done():
		return BulkSubmitted{}, errorf(http.StatusServiceUnavailable, "busy", "The node is busy with other bulk submissions; try again.")
	}
	txs, errs := tx.DecodeBatch(raws, 0)
	s.app.Verified(txs)
	out := BulkSubmitted{Results: make([]BulkItem, len(raws))}
	for i, raw := range raws {
		item := BulkItem{ID: tx.ID(sha256.Sum256(raw)).String()}
		var e *Error
		if len(raw) > tx.MaxTxBytes {
			e = tooLarge(len(raw))
		} else if errs[i] != nil {
			e = rejected(errs[i])
		} else if rerr := txs[i].CheckSignature(); rerr != nil {
			e = rejected(rerr)
		} else {
			e = s.admit(raw)
		}
		if e != nil {
			item.Error = e
			item.Status = item.Error.Status
			out.Refused++
		} else {
			item.Accepted = &Submitted{ID: item.ID, Code: 0, CodeName: reject.OK.String(), Message: acceptedMsg}
			item.Status = http.StatusAccepted
			out.Accepted++
		}
		out.Results[i] = item
	}
	return out, nil
}

// acceptedMsg is the sentence of a transaction the mempool took.
const acceptedMsg = "Accepted into the mempool; it will be in the next block."

// admit hands one transaction to the mempool and waits for CheckTx's
// verdict: nil, or the *Error POST /api/v1/tx would answer with.
func (s *Service) admit(raw []byte) *Error {
	rr, err := s.mempool.CheckTx(raw, "")
	if err != nil {
		return s.mempoolError(err)
	}
	rr.Wait()
	res := rr.Response.GetCheckTx()
	if res == nil {
		return s.mempoolError(fmt.Errorf("the mempool answered %T, not CheckTx", rr.Response.GetValue()))
	}
	if res.Code != 0 {
		return rejected(&reject.Error{Code: reject.Code(res.Code), Msg: res.Log})
	}
	if err := rr.Error(); err != nil {
		return s.mempoolError(err)
	}
	return nil
}

// mempoolError words a refusal of CometBFT's mempool itself (not of
// CheckTx) for the client; anything unexpected is logged and reported as
// a relay failure, as POST /api/v1/tx reports it.
func (s *Service) mempoolError(err error) *Error {
	var full mempool.ErrMempoolIsFull
	switch {
	case errors.Is(err, mempool.ErrTxInCache), errors.Is(err, mempool.ErrTxInMempool):
		return errorf(http.StatusConflict, "duplicate", "This exact transaction was already submitted; it is counted once.")
	case errors.As(err, &full):
		return errorf(http.StatusServiceUnavailable, "mempool_full", "The node's mempool is full; try again after the next block.")
	}
	s.log.Error("relay transaction", "err", err)
	return errorf(http.StatusBadGateway, "relay_failed", "The node did not take the transaction; try again.")
}

func (s *Service) serveBulk(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBulkBytes))
	if err != nil {
		s.writeErr(w, bodyError(err, "The request body could not be read: %s."))
		return
	}
	raws, err := ParseBulk(body)
	if err != nil {
		s.writeErr(w, err)
		return
	}
	res, err := s.SubmitBulk(r.Context(), ClientAddr(r), raws)
	if err != nil {
		s.writeErr(w, err)
		return
	}
	// Compact, unlike the other answers: a thousand results indented
	// cost the node more than they help a reader.
	b, err := json.Marshal(res)
	if err != nil {
		s.writeErr(w, fmt.Errorf("encode bulk results: %w", err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(append(b, '\n'))
}
