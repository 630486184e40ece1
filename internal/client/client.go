// Package client talks to a folkmoot node through CometBFT's RPC: it
// submits signed transactions, waits for them to be committed, and reads
// the community's state with ABCI queries.
package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// DefaultNode is the RPC address of a node on this machine.
const DefaultNode = "http://127.0.0.1:26657"

// Client is a connection to one node.
type Client struct {
	url string
	rpc *rpchttp.HTTP
}

// New returns a client for the node at url (http://host:port).
func New(url string) (*Client, error) {
	c, err := rpchttp.NewWithTimeout(url, 15)
	if err != nil {
		return nil, fmt.Errorf("node address %q: %w", url, err)
	}
	return &Client{url: url, rpc: c}, nil
}

func (c *Client) unreachable(err error) error {
	return fmt.Errorf("the node at %s does not answer (is \"folkmoot start\" running?): %w", c.url, err)
}

// Query runs an ABCI query and decodes its JSON answer into out.
func (c *Client) Query(ctx context.Context, path, data string, out any) error {
	res, err := c.rpc.ABCIQuery(ctx, path, []byte(data))
	if err != nil {
		return c.unreachable(err)
	}
	if res.Response.Code != 0 {
		return errors.New(res.Response.Log)
	}
	if err := json.Unmarshal(res.Response.Value, out); err != nil {
		return fmt.Errorf("query %s: the node's answer is not what this client expects: %w", path, err)
	}
	return nil
}

// Status returns the community's summary.
func (c *Client) Status(ctx context.Context) (query.Status, error) {
	var s query.Status
	return s, c.Query(ctx, query.PathStatus, "", &s)
}

// ChainID returns the community's chain id.
func (c *Client) ChainID(ctx context.Context) (string, error) {
	s, err := c.Status(ctx)
	return s.ChainID, err
}

// NextNonce returns the nonce the key's next transaction must carry.
func (c *Client) NextNonce(ctx context.Context, key tx.PublicKey) (uint64, error) {
	var m query.Member
	if err := c.Query(ctx, query.PathMember, key.String(), &m); err != nil {
		return 0, err
	}
	return m.NextNonce, nil
}

// Member returns the current member holding key.
func (c *Client) Member(ctx context.Context, key tx.PublicKey) (query.Member, error) {
	var m query.Member
	return m, c.Query(ctx, query.PathMember, key.String(), &m)
}

// Proposal returns one proposal.
func (c *Client) Proposal(ctx context.Context, id uint64) (query.Proposal, error) {
	var p query.Proposal
	return p, c.Query(ctx, query.PathProposal, strconv.FormatUint(id, 10), &p)
}

// Secret returns everything public about a secret vote.
func (c *Client) Secret(ctx context.Context, id uint64) (query.SecretDetail, error) {
	var d query.SecretDetail
	return d, c.Query(ctx, query.PathSecret, strconv.FormatUint(id, 10), &d)
}

// Draw returns one draw by lot.
func (c *Client) Draw(ctx context.Context, id uint64) (query.Draw, error) {
	var d query.Draw
	return d, c.Query(ctx, query.PathDraw, strconv.FormatUint(id, 10), &d)
}

// Committed is a transaction's fate in a block.
type Committed struct {
	ID     tx.ID
	Height int64
	Code   reject.Code
	Log    string
}

// Submit sends a signed transaction. A transaction the node refuses at
// CheckTx returns a *reject.Error with its code and sentence.
func (c *Client) Submit(ctx context.Context, raw []byte) (tx.ID, error) {
	res, err := c.rpc.BroadcastTxSync(ctx, raw)
	if r, ok := ParseRejection(err); ok {
		return tx.ID{}, &reject.Error{Code: reject.Code(r.Code), Msg: r.Log}
	}
	if err != nil {
		return tx.ID{}, c.unreachable(err)
	}
	if res.Code != 0 {
		return tx.ID{}, &reject.Error{Code: reject.Code(res.Code), Msg: res.Log}
	}
	var id tx.ID
	copy(id[:], res.Hash)
	return id, nil
}

// Wait polls until the transaction is in a block, or ctx ends.
func (c *Client) Wait(ctx context.Context, id tx.ID) (Committed, error) {
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		var st query.TxStatus
		if err := c.Query(ctx, query.PathTx, id.String(), &st); err == nil {
			return Committed{ID: id, Height: st.Height, Code: reject.Code(st.Code)}, nil
		}
		select {
		case <-ctx.Done():
			return Committed{ID: id}, fmt.Errorf("transaction %s was accepted by the node but is not in a block yet: %w", id, ctx.Err())
		case <-tick.C:
		}
	}
}

// SubmitAndWait submits and waits for the transaction's block.
func (c *Client) SubmitAndWait(ctx context.Context, raw []byte) (Committed, error) {
	id, err := c.Submit(ctx, raw)
	if err != nil {
		return Committed{}, err
	}
	return c.Wait(ctx, id)
}

// Validators returns the number of validators at the latest height.
func (c *Client) Validators(ctx context.Context) (int, error) {
	r, err := c.rpc.Validators(ctx, nil, nil, nil)
	if err != nil {
		return 0, c.unreachable(err)
	}
	return r.Total, nil
}
