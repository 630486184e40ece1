package node

import (
	"bytes"
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cometbft/cometbft/abci/example/kvstore"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
)

// shortRounds makes a round whose proposer is down end quickly.
func shortRounds(c *Config) {
	c.Comet.Consensus.TimeoutPropose = 500 * time.Millisecond
	c.Comet.Consensus.TimeoutPrevote = 200 * time.Millisecond
	c.Comet.Consensus.TimeoutPrecommit = 200 * time.Millisecond
}

// TestFourValidatorsAgree runs a 4-validator testnet in this one process,
// on loopback ports: every node commits the same blocks and app hashes, a
// transaction sent to one is applied on all, and the chain goes on with one
// validator down, which catches up when it returns.
func TestFourValidatorsAgree(t *testing.T) {
	if testing.Short() {
		t.Skip("4-validator network")
	}
	homes, err := Testnet(t.TempDir(), 4, HomeOptions{
		ChainID:             "four-1",
		BasePort:            freeBase(t, 4),
		TimeoutCommit:       50 * time.Millisecond,
		EmptyBlocksInterval: 300 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	nodes := make([]*Node, 4)
	clients := make([]*rpchttp.HTTP, 4)
	for i, home := range homes {
		n, err := Start(context.Background(), home, kvstore.NewInMemoryApplication(), testLog(), WithConfig(shortRounds))
		if err != nil {
			t.Fatal(err)
		}
		nodes[i] = n
		clients[i] = rpcClient(t, n)
	}
	defer func() {
		for _, n := range nodes {
			if n != nil {
				n.Stop()
			}
		}
	}()

	for _, c := range clients {
		waitCaughtUp(t, c)
	}
	res, err := clients[0].BroadcastTxCommit(context.Background(), []byte("treasurer=cy"))
	if err != nil || res.TxResult.Code != 0 {
		t.Fatalf("broadcast to node0: %v %+v", err, res)
	}
	for i, c := range clients {
		waitHeight(t, c, res.Height+1)
		if got := queryKV(t, c, "treasurer"); got != "cy" {
			t.Fatalf("node%d: treasurer = %q, want cy", i, got)
		}
	}

	// One validator down: three of four still hold more than 2/3.
	top := waitHeight(t, clients[0], res.Height+1)
	if err := nodes[3].Stop(); err != nil {
		t.Fatal(err)
	}
	nodes[3] = nil
	res2, err := clients[1].BroadcastTxCommit(context.Background(), []byte("auditor=di"))
	if err != nil || res2.TxResult.Code != 0 {
		t.Fatalf("broadcast with node3 down: %v %+v", err, res2)
	}
	top = waitHeight(t, clients[0], max(top, res2.Height)+2)

	// It returns with an empty application: the handshake replays its own
	// blocks, block sync fetches the rest from its peers.
	n, err := Start(context.Background(), homes[3], kvstore.NewInMemoryApplication(), testLog(), WithConfig(shortRounds))
	if err != nil {
		t.Fatal(err)
	}
	nodes[3] = n
	clients[3] = rpcClient(t, n)
	final := waitHeight(t, clients[3], top+2)
	if got := queryKV(t, clients[3], "auditor"); got != "di" {
		t.Fatalf("node3 after catch-up: auditor = %q, want di", got)
	}

	for h := int64(1); h <= final; h++ {
		var want *blockSummary
		for i, c := range clients {
			waitHeight(t, c, h)
			got := summarize(t, c, h)
			if want == nil {
				want = &got
				continue
			}
			if !bytes.Equal(got.hash, want.hash) || !bytes.Equal(got.appHash, want.appHash) {
				t.Fatalf("height %d: node%d has block %X app hash %X, node0 has %X %X",
					h, i, got.hash, got.appHash, want.hash, want.appHash)
			}
		}
	}
	t.Logf("4 validators agreed on %d heights", final)
}

type blockSummary struct{ hash, appHash []byte }

func summarize(t *testing.T, c *rpchttp.HTTP, h int64) blockSummary {
	t.Helper()
	b, err := c.Block(context.Background(), &h)
	if err != nil {
		t.Fatal(fmt.Errorf("block %d: %w", h, err))
	}
	return blockSummary{hash: b.BlockID.Hash, appHash: b.Block.AppHash}
}
