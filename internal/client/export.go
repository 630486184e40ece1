package client

import (
	"context"
	"fmt"
	"io"
	"sync"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/history"
)

// Export writes the node's whole record as a history file: the genesis and
// every committed block with its transactions, result codes and app hash,
// as the node reports them. Blocks are fetched over RPC a few at a time;
// progress, when set, is called with the height written and the last
// height. It returns the number of blocks written.
func (c *Client) Export(ctx context.Context, w io.Writer, progress func(height, last int64)) (int64, error) {
	gen, err := c.rpc.Genesis(ctx)
	if err != nil {
		return 0, c.unreachable(err)
	}
	g := gen.Genesis
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return 0, c.unreachable(err)
	}
	last := st.SyncInfo.LatestBlockHeight
	s, err := core.New(g.ChainID, g.GenesisTime, g.AppState)
	if err != nil {
		return 0, fmt.Errorf("export: the node's genesis: %w", err)
	}
	root := s.Root()
	hw, err := history.NewWriter(w, history.Header{ChainID: g.ChainID, GenesisTime: g.GenesisTime.UnixNano(),
		AppState: g.AppState, GenesisRoot: root[:]})
	if err != nil {
		return 0, err
	}
	type fetched struct {
		b   history.Block
		err error
	}
	const window = 8
	for lo := int64(1); lo <= last; lo += window {
		hi := min(lo+window-1, last)
		out := make([]fetched, hi-lo+1)
		var wg sync.WaitGroup
		for h := lo; h <= hi; h++ {
			wg.Add(1)
			go func(h int64) {
				defer wg.Done()
				b, err := c.block(ctx, h)
				out[h-lo] = fetched{b, err}
			}(h)
		}
		wg.Wait()
		for _, f := range out {
			if f.err != nil {
				return f.b.Height - 1, f.err
			}
			if err := hw.WriteBlock(f.b); err != nil {
				return f.b.Height - 1, err
			}
			if progress != nil {
				progress(f.b.Height, last)
			}
		}
	}
	return last, hw.Close()
}

func (c *Client) block(ctx context.Context, h int64) (history.Block, error) {
	b, err := c.rpc.Block(ctx, &h)
	if err != nil {
		return history.Block{Height: h}, fmt.Errorf("export block %d: %w", h, err)
	}
	r, err := c.rpc.BlockResults(ctx, &h)
	if err != nil {
		return history.Block{Height: h}, fmt.Errorf("export results of block %d: %w", h, err)
	}
	out := history.Block{Height: h, Time: b.Block.Time.UnixNano(), AppHash: r.AppHash}
	for i, t := range b.Block.Txs {
		out.Txs = append(out.Txs, t)
		if i < len(r.TxResults) {
			out.Codes = append(out.Codes, r.TxResults[i].Code)
		}
	}
	if len(out.Codes) != len(out.Txs) {
		return out, fmt.Errorf("export block %d: %d transactions but %d results", h, len(out.Txs), len(out.Codes))
	}
	return out, nil
}
