package node

import (
	"context"
	"fmt"

	abcitypes "github.com/cometbft/cometbft/abci/types"
)

// byzantineProposer is a test-only application wrapper that makes the
// node a faulty proposer: every block it proposes carries, after the
// transactions the application chose, one that does not decode and, when
// there is one to copy, a copy of a good one with its signature spoiled.
// It also accepts every proposal in ProcessProposal, its own included, so
// that it prevotes for its invalid blocks. Honest validators refuse such a
// block in ProcessProposal and prevote nil, so its round ends without a
// decision and the next proposer's block is decided.
//
// It is switched on only by folkmoot.unsafe_byzantine_proposer together
// with Options.UnsafeTesting ("folkmoot start --unsafe-testing"): the
// chaos tests (internal/bench/cluster.go) run one such validator.
type byzantineProposer struct{ abcitypes.Application }

func (b byzantineProposer) PrepareProposal(ctx context.Context, req *abcitypes.PrepareProposalRequest) (*abcitypes.PrepareProposalResponse, error) {
	res, err := b.Application.PrepareProposal(ctx, req)
	if err != nil {
		return res, err
	}
	txs := append([][]byte(nil), res.Txs...)
	txs = append(txs, []byte(fmt.Sprintf("byzantine garbage at height %d", req.Height)))
	if len(res.Txs) > 0 {
		// The signature is the last element of the envelope: flipping its
		// last byte keeps the transaction decodable but forged.
		forged := append([]byte(nil), res.Txs[0]...)
		forged[len(forged)-1] ^= 1
		txs = append(txs, forged)
	}
	return &abcitypes.PrepareProposalResponse{Txs: txs}, nil
}

func (b byzantineProposer) ProcessProposal(context.Context, *abcitypes.ProcessProposalRequest) (*abcitypes.ProcessProposalResponse, error) {
	return &abcitypes.ProcessProposalResponse{Status: abcitypes.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}
