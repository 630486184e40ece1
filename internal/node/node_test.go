package node

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/cometbft/cometbft/abci/example/kvstore"
)

func TestSingleNodeCommitsTx(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	if err := Init(home, fastOptions(t, "single-1")); err != nil {
		t.Fatal(err)
	}
	n := startNode(t, home, kvstore.NewInMemoryApplication())
	c := rpcClient(t, n)

	res, err := c.BroadcastTxCommit(context.Background(), []byte("mayor=ada"))
	if err != nil {
		t.Fatal(err)
	}
	if res.CheckTx.Code != 0 || res.TxResult.Code != 0 {
		t.Fatalf("tx rejected: check %d %q, finalize %d %q", res.CheckTx.Code, res.CheckTx.Log, res.TxResult.Code, res.TxResult.Log)
	}
	if res.Height < 1 {
		t.Fatalf("committed at height %d", res.Height)
	}
	if got := queryKV(t, c, "mayor"); got != "ada" {
		t.Fatalf("query mayor = %q, want ada", got)
	}
	blk, err := c.Block(context.Background(), &res.Height)
	if err != nil {
		t.Fatal(err)
	}
	if len(blk.Block.Txs) != 1 || !bytes.Equal(blk.Block.Txs[0], []byte("mayor=ada")) {
		t.Fatalf("block %d txs = %q", res.Height, blk.Block.Txs)
	}
	if got := n.ChainID(); got != "single-1" {
		t.Fatalf("chain id %q", got)
	}
}
