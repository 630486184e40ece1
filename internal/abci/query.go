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
	var out any
	switch req.Path {
	case query.PathStatus:
		return out, a.View(func(s *core.State) error { out = query.StatusOf(s); return nil })
	case query.PathMembers:
		return out, a.View(func(s *core.State) error { out = query.Members(s, true); return nil })
	case query.PathMember:
		key, err := tx.ParsePublicKey(arg)
		if err != nil {
			return nil, err
		}
		return out, a.View(func(s *core.State) (err error) { out, err = query.MemberByKey(s, key); return err })
	case query.PathProposals:
		return out, a.View(func(s *core.State) error { out = query.Proposals(s, query.Filter{Status: arg}); return nil })
	case query.PathProposal:
		id, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("proposal number %q is not a number", arg)
		}
		return out, a.View(func(s *core.State) (err error) { out, err = query.ProposalByID(s, id); return err })
	case query.PathOffices:
		return out, a.View(func(s *core.State) error { out = query.Offices(s); return nil })
	case query.PathOffice:
		return out, a.View(func(s *core.State) (err error) { out, err = query.OfficeByName(s, arg); return err })
	case query.PathElections:
		return out, a.View(func(s *core.State) error { out = query.Elections(s, arg); return nil })
	case query.PathElection:
		id, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("election number %q is not a number", arg)
		}
		return out, a.View(func(s *core.State) (err error) { out, err = query.ElectionByID(s, id); return err })
	case query.PathLaws:
		return out, a.View(func(s *core.State) (err error) { out, err = query.Laws(s, arg); return err })
	case query.PathLaw:
		n, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("law number %q is not a number", arg)
		}
		return out, a.View(func(s *core.State) (err error) { out, err = query.LawByNumber(s, n); return err })
	case query.PathRules:
		return out, a.View(func(s *core.State) (err error) { out, err = query.Rules(s, arg); return err })
	case query.PathInitiatives:
		return out, a.View(func(s *core.State) error {
			out = query.Proposals(s, query.Filter{Status: arg, Initiatives: true})
			return nil
		})
	case query.PathTx:
		id, err := parseTxID(arg)
		if err != nil {
			return nil, err
		}
		return a.txStatus(id)
	case query.PathProof:
		id, err := parseTxID(arg)
		if err != nil {
			return nil, err
		}
		idx, ok := a.TxLeaf(id)
		if !ok {
			return nil, fmt.Errorf("transaction %s is not in any block of this node", id)
		}
		return a.proof(idx, req.Height)
	case query.PathLeaf:
		idx, err := strconv.ParseUint(arg, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("leaf index %q is not a number", arg)
		}
		return a.proof(idx, req.Height)
	}
	return nil, fmt.Errorf("unknown query path %q", req.Path)
}

func (a *App) proof(idx uint64, height int64) (query.Proof, error) {
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
	var id tx.ID
	k, err := tx.ParsePublicKey(s) // the same shape: 64 hex digits
	if err != nil {
		return id, fmt.Errorf("transaction id must be 64 hex digits")
	}
	copy(id[:], k[:])
	return id, nil
}

// txStatus says in which block a transaction is, and with which code.
func (a *App) txStatus(id tx.ID) (query.TxStatus, error) {
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

// LeafProof returns the inclusion proof of leaf index against the app hash
// after block height (the latest block when height is 0), checked before it
// is returned, with the leaf in words. It only reads.
func (a *App) LeafProof(index uint64, height int64) (query.Proof, error) {
	return a.proof(index, height)
}

// TxStatus says in which block a transaction is, the leaf recording it, and
// its code. It only reads.
func (a *App) TxStatus(id tx.ID) (query.TxStatus, error) { return a.txStatus(id) }
