package abci

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Query answers the ABCI query paths named in internal/query
// (query.PathStatus and the rest, each documented there) with JSON in
// Value.
//
// Proofs are against the app hash after the latest block, or after
// req.Height when given.
func (a *App) Query(_ context.Context, req *abcitypes.QueryRequest) (*abcitypes.QueryResponse, error) {
	v, err := a.query(req)
	if err != nil {
		return &abcitypes.QueryResponse{Code: 1, Log: err.Error(), Codespace: "folkmoot"}, nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return &abcitypes.QueryResponse{Code: 1, Log: "internal error encoding the answer"}, nil
	}
	var h int64
	_ = a.View(func(s *core.State) error { h = s.Height(); return nil })
	return &abcitypes.QueryResponse{Value: b, Height: h}, nil
}

func (a *App) query(req *abcitypes.QueryRequest) (any, error) {
	arg := strings.TrimSpace(string(req.Data))
	switch req.Path {
	case query.PathTx:
		id, err := parseTxID(arg)
		if err != nil {
			return nil, err
		}
		return a.TxStatus(id)
	case query.PathProof:
		id, err := parseTxID(arg)
		if err != nil {
			return nil, err
		}
		idx, ok := a.TxLeaf(id)
		if !ok {
			return nil, fmt.Errorf("transaction %s is not in any block of this node", id)
		}
		return a.LeafProof(idx, req.Height)
	case query.PathLeaf:
		idx, err := number("leaf index", arg)
		if err != nil {
			return nil, err
		}
		return a.LeafProof(idx, req.Height)
	}
	read, err := stateQuery(req.Path, arg)
	if err != nil {
		return nil, err
	}
	var out any
	err = a.View(func(s *core.State) (err error) { out, err = read(s); return err })
	return out, err
}

// stateQuery returns the reader that answers path, with its argument arg
// read, from the committed state alone.
func stateQuery(path, arg string) (func(*core.State) (any, error), error) {
	switch path {
	case query.PathStatus:
		return answer(query.StatusOf), nil
	case query.PathMembers:
		return answer(func(s *core.State) []query.Member { return query.Members(s, true) }), nil
	case query.PathMember:
		key, err := tx.ParsePublicKey(arg)
		if err != nil {
			return nil, err
		}
		return func(s *core.State) (any, error) { return query.MemberByKey(s, key) }, nil
	case query.PathProposals:
		return answer(func(s *core.State) []query.Proposal { return query.Proposals(s, query.Filter{Status: arg}) }), nil
	case query.PathProposal:
		return numbered("proposal number", arg, query.ProposalByID)
	case query.PathOffices:
		return answer(query.Offices), nil
	case query.PathOffice:
		return func(s *core.State) (any, error) { return query.OfficeByName(s, arg) }, nil
	case query.PathElections:
		return answer(func(s *core.State) []query.Election { return query.Elections(s, arg) }), nil
	case query.PathElection:
		return numbered("election number", arg, query.ElectionByID)
	case query.PathLaws:
		return func(s *core.State) (any, error) { return query.Laws(s, arg) }, nil
	case query.PathLaw:
		return numbered("law number", arg, query.LawByNumber)
	case query.PathRules:
		return func(s *core.State) (any, error) { return query.Rules(s, arg) }, nil
	case query.PathDraws:
		return answer(query.Draws), nil
	case query.PathDraw:
		return numbered("draw number", arg, query.DrawByID)
	case query.PathSecret:
		return numbered("proposal number", arg, query.SecretDetailByID)
	case query.PathInitiatives:
		return answer(func(s *core.State) []query.Proposal {
			return query.Proposals(s, query.Filter{Status: arg, Initiatives: true})
		}), nil
	}
	return nil, fmt.Errorf("unknown query path %q", path)
}

// answer adapts a reader that cannot fail.
func answer[V any](read func(*core.State) V) func(*core.State) (any, error) {
	return func(s *core.State) (any, error) { return read(s), nil }
}

// numbered reads arg as the number of what and hands it to read.
func numbered[V any](what, arg string, read func(*core.State, uint64) (V, error)) (func(*core.State) (any, error), error) {
	n, err := number(what, arg)
	if err != nil {
		return nil, err
	}
	return func(s *core.State) (any, error) { return read(s, n) }, nil
}

func number(what, arg string) (uint64, error) {
	n, err := strconv.ParseUint(arg, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("%s %q is not a number", what, arg)
	}
	return n, nil
}

// LeafProof returns the inclusion proof of leaf idx against the app hash
// after block height (the latest block when height is 0), checked before it
// is returned, with the leaf in words. It only reads.
func (a *App) LeafProof(idx uint64, height int64) (query.Proof, error) {
	if height <= 0 {
		_ = a.View(func(s *core.State) error { height = s.Height(); return nil })
	}
	p, root, err := a.Proof(idx, height)
	if err != nil {
		return query.Proof{}, err
	}
	leaf, err := a.leaf(idx)
	if err != nil {
		return query.Proof{}, err
	}
	if err := p.Verify(leaf, root); err != nil {
		return query.Proof{}, fmt.Errorf("internal error: %w", err)
	}
	q := query.Proof{Leaf: leaf, Height: height, AppHash: root, Proof: p}
	if f, err := core.DecodeFact(leaf); err == nil {
		q.Fact = f.String()
	}
	return q, nil
}

func parseTxID(s string) (tx.ID, error) {
	id, err := tx.ParseID(s)
	if err != nil {
		return id, fmt.Errorf("transaction id must be 64 hex digits")
	}
	return id, nil
}

// TxStatus says in which block a transaction is, the leaf recording it, and
// its code. It only reads.
func (a *App) TxStatus(id tx.ID) (query.TxStatus, error) {
	idx, ok := a.TxLeaf(id)
	if !ok {
		return query.TxStatus{}, fmt.Errorf("transaction %s is not in any block of this node", id)
	}
	h, _ := a.LeafHeight(idx)
	leaf, err := a.leaf(idx)
	if err != nil {
		return query.TxStatus{}, err
	}
	st := query.TxStatus{ID: id.String(), Height: h, Leaf: idx}
	if f, err := core.DecodeFact(leaf); err == nil && f.Type == core.FactRejected {
		st.Code = f.Code
	}
	return st, nil
}

// leaf returns the data of leaf idx.
func (a *App) leaf(idx uint64) ([]byte, error) {
	a.mu.RLock()
	defer a.mu.RUnlock()
	if idx >= uint64(len(a.leaves)) {
		return nil, fmt.Errorf("there is no leaf %d", idx)
	}
	return a.leaves[idx], nil
}
