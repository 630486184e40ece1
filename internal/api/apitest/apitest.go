// Package apitest starts a real single-validator community in-process for
// tests of the API and the pages, assembled by node.Open as "folkmoot
// start" assembles it: CometBFT, the app, the SQLite projection and an
// api.Service over them, with founders whose keys the test holds.
package apitest

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"net"
	"path/filepath"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/abci"
	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/store"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Member is a key the test signs with.
type Member struct {
	Name  string
	Priv  ed25519.PrivateKey
	Key   tx.PublicKey
	Nonce uint64
}

// NewMember makes a fresh key.
func NewMember(t testing.TB, name string) *Member {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	m := &Member{Name: name, Priv: priv}
	copy(m.Key[:], pub)
	return m
}

// Community is a running test community.
type Community struct {
	ChainID  string
	Founders []*Member
	App      *abci.App
	Store    *store.Store
	Client   *client.Client
	Service  *api.Service
	// Site is the address of the web site and API the node serves, as
	// "folkmoot start" serves them (http://127.0.0.1:port).
	Site string
}

// ChainID of every test community.
const ChainID = "apitest-chain"

// Start founds a community with the named founders (one vouch admits a
// newcomer; voting may last from 3 s) and runs it until the test ends.
func Start(t testing.TB, founders ...string) *Community {
	t.Helper()
	return StartWith(t, nil, founders...)
}

// StartWith is Start with the genesis constitution changed by edit (nil
// changes nothing) before the chain is made.
func StartWith(t testing.TB, edit func(c *core.Constitution), founders ...string) *Community {
	t.Helper()
	c := &Community{ChainID: ChainID}
	var fs []core.Founder
	for _, n := range founders {
		m := NewMember(t, n)
		c.Founders = append(c.Founders, m)
		fs = append(fs, core.Founder{Key: m.Key, Name: n})
	}
	cons := core.DefaultConstitution("Elm Street Test", fs)
	cons.VouchesRequired = 1
	cons.MinVoting.Duration = 3 * time.Second
	cons.Categories = []string{"general", "green spaces"}
	if edit != nil {
		edit(&cons)
	}
	appState, err := json.Marshal(core.Genesis{Constitution: cons})
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "home")
	addr := func() string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		return l.Addr().String()
	}
	if err := node.Init(home, node.HomeOptions{ChainID: ChainID, AppState: appState, LogLevel: "error", NoMetrics: true,
		TimeoutCommit: 200 * time.Millisecond, EmptyBlocksInterval: 500 * time.Millisecond,
		P2PAddress: "tcp://" + addr(), RPCAddress: "tcp://" + addr(), WebAddress: addr()}); err != nil {
		t.Fatal(err)
	}
	cm, err := node.Open(context.Background(), home, node.Options{SubmitRate: 6000, SubmitBurst: 1000})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cm.Stop() })
	c.App, c.Store, c.Client, c.Service, c.Site = cm.App(), cm.Store(), cm.Client(), cm.Service(), cm.Site()
	c.WaitHeight(t, 1)
	return c
}

// Sign signs body as m with m's next nonce.
func (c *Community) Sign(t testing.TB, m *Member, body tx.Body) []byte {
	t.Helper()
	m.Nonce++
	raw, err := tx.Sign(m.Priv, tx.Unsigned{ChainID: c.ChainID, Author: m.Key, Nonce: m.Nonce, Body: body})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// Do signs and submits body as m over RPC and waits until it is committed
// and projected; it fails the test unless the core accepted it.
func (c *Community) Do(t testing.TB, m *Member, body tx.Body) client.Committed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.Client.SubmitAndWait(ctx, c.Sign(t, m, body))
	if err != nil {
		t.Fatalf("%s by %s: %v", body.Kind(), m.Name, err)
	}
	if res.Code != reject.OK {
		t.Fatalf("%s by %s: rejected with code %d", body.Kind(), m.Name, res.Code)
	}
	c.WaitProjected(t, res.Height)
	return res
}

// WaitHeight waits until the app has committed height h.
func (c *Community) WaitHeight(t testing.TB, h int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for c.Service.Height() < h {
		if time.Now().After(deadline) {
			t.Fatalf("height %d not reached", h)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// WaitProjected waits until the projection holds height h.
func (c *Community) WaitProjected(t testing.TB, h int64) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got, _, err := c.Store.Height(); err == nil && got >= h {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("projection did not reach height %d", h)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CopyNonce returns a copy of m whose next transaction carries nonce n+1,
// for signing out-of-order transactions without disturbing m.
func CopyNonce(m *Member, n uint64) *Member {
	c := *m
	c.Nonce = n
	return &c
}
