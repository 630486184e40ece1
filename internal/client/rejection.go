package client

import (
	"regexp"
	"strconv"
)

// Rejection is an application's CheckTx refusal of a transaction, as
// CometBFT's RPC reports it.
type Rejection struct {
	Code      uint32
	Log       string
	Codespace string
}

// CometBFT v1.0's broadcast_tx_sync and broadcast_tx_commit do not return a
// refused transaction's code in their result: the mempool turns it into an
// error, and the RPC client sees only its text, ending in
// "is invalid: code=%d, data=%X, log='%s', codespace='%s'"
// (mempool.ErrInvalidTx).
var rejectionRE = regexp.MustCompile(`is invalid: code=(\d+), data=[0-9A-Fa-f]*, log='(.*)', codespace='([^']*)'`)

// ParseRejection finds the application's code and log in an error returned
// by the RPC client's BroadcastTxSync or BroadcastTxCommit. ok is false for
// any other error (a node that does not answer, a full mempool, ...).
func ParseRejection(err error) (r Rejection, ok bool) {
	if err == nil {
		return Rejection{}, false
	}
	m := rejectionRE.FindStringSubmatch(err.Error())
	if m == nil {
		return Rejection{}, false
	}
	code, perr := strconv.ParseUint(m[1], 10, 32)
	if perr != nil {
		return Rejection{}, false
	}
	return Rejection{Code: uint32(code), Log: m[2], Codespace: m[3]}, true
}
