package node

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestByzantineProposerNeedsUnsafeTesting: the test-only setting is not
// written into new homes, and a home that has it is refused, before
// anything in it is touched, unless the caller allows testing settings.
func TestByzantineProposerNeedsUnsafeTesting(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	if err := Init(home, fastOptions(t, "byz-1")); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(home, "config", "config.toml"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "unsafe_byzantine") {
		t.Fatal("a new home's config mentions the unsafe setting")
	}
	c, err := LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	c.Folkmoot.UnsafeByzantineProposer = true
	if err := WriteConfig(home, c); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), home, Options{})
	if !errors.Is(err, ErrBadConfig) || !strings.Contains(err.Error(), "unsafe_byzantine_proposer is for tests only") {
		t.Fatalf("Open: %v", err)
	}
	if _, err := os.Stat(ProjectionPath(home)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the refused home has a projection: %v", err)
	}
}

type echoProposer struct{ abcitypes.BaseApplication }

func (echoProposer) PrepareProposal(_ context.Context, req *abcitypes.PrepareProposalRequest) (*abcitypes.PrepareProposalResponse, error) {
	return &abcitypes.PrepareProposalResponse{Txs: req.Txs}, nil
}

// TestByzantineProposerSpoilsProposals: after the transactions the app
// chose, a proposal carries one that does not decode and a forged copy of
// the first, which decodes but whose signature fails; and it accepts any
// proposal.
func TestByzantineProposerSpoilsProposals(t *testing.T) {
	good := coretest.NewMember("ada").Ballot(1, tx.Yes)
	res, err := byzantineProposer{echoProposer{}}.PrepareProposal(context.Background(),
		&abcitypes.PrepareProposalRequest{Height: 7, Txs: [][]byte{good}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Txs) != 3 || string(res.Txs[0]) != string(good) {
		t.Fatalf("proposal of %d transactions", len(res.Txs))
	}
	if _, rerr := tx.Decode(res.Txs[1]); rerr == nil {
		t.Fatal("the garbage decodes")
	}
	forged, rerr := tx.Decode(res.Txs[2])
	if rerr != nil {
		t.Fatalf("the forged copy does not decode: %v", rerr)
	}
	if forged.CheckSignature() == nil {
		t.Fatal("the forged copy's signature holds")
	}
	if string(good) == string(res.Txs[2]) {
		t.Fatal("the good transaction was changed in place")
	}
	// It votes for its own spoiled proposal.
	pr, err := byzantineProposer{echoProposer{}}.ProcessProposal(context.Background(), &abcitypes.ProcessProposalRequest{Height: 7, Txs: res.Txs})
	if err != nil || pr.Status != abcitypes.PROCESS_PROPOSAL_STATUS_ACCEPT {
		t.Fatalf("ProcessProposal: %v %v", pr, err)
	}
}
