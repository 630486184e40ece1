package node

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/folkmoot/folkmoot/internal/abci"
	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/store"
)

// Options say how Open runs the community of a home. The zero value runs
// it as "folkmoot start" does without flags.
type Options struct {
	// Log receives CometBFT's log at the config's log_level; nil logs
	// nothing.
	Log io.Writer
	// SiteLog receives the site's and the API's internal errors, which
	// clients never see; nil discards them.
	SiteLog *slog.Logger
	// SnapshotLog receives a line for each snapshot written, restarted
	// from, refused or fallen back from, and for state sync; nil sends
	// them to Log (if set).
	SnapshotLog *slog.Logger
	// Web says how to serve the site (see WebServing.Plan).
	Web WebServing
	// Config adjusts the home's configuration for this run only; the file
	// is not changed. Benchmarks use it to size the mempool.
	Config func(*Config)
	// Wrap, when set, wraps the application before CometBFT sees it; the
	// wrapper must pass every call on. Benchmarks use it to note when each
	// block is applied.
	Wrap func(abcitypes.Application) abcitypes.Application
	// SubmitRate and SubmitBurst limit transaction submissions to the API
	// per client address (see api.Options; 0 takes its defaults).
	SubmitRate, SubmitBurst int
	// BulkRate and BulkBurst limit bulk submissions (POST /api/v1/txs)
	// per client address, in transactions (see api.Options; 0 takes its
	// defaults).
	BulkRate, BulkBurst int
	// Clock times blocks for the metrics, paces the API's rate limiter and
	// dates the certificate-expiry warning; never a rule. Default time.Now.
	Clock func() time.Time
	// UnsafeTesting allows the test-only settings of the home's config
	// (folkmoot.unsafe_byzantine_proposer); without it Open refuses them.
	UnsafeTesting bool
}

// Community is a running community, assembled by Open: the CometBFT node,
// folkmoot's application, its SQLite projection, the API service and the
// web site, stopped together by Stop.
type Community struct {
	node    *Node
	app     *abci.App
	store   *store.Store
	client  *client.Client
	service *api.Service

	site, fingerprint, warning string

	stop     []func() error
	stopOnce sync.Once
	stopErr  error
}

// Open runs the community of home: it opens (or creates) the home's SQLite
// projection from its genesis, starts CometBFT in-process around the
// application (replaying what the application or the projection lacks,
// bounded by ctx), and serves the site and the JSON API as o.Web says, with
// the site relaying signed transactions through the node's own RPC. A site
// that may not be served so is refused before anything starts. The
// community runs until Stop.
//
// This is the one place a running community is assembled: "folkmoot
// start", the demo, the benchmarks and the test helpers all call it.
func Open(ctx context.Context, home string, o Options) (_ *Community, err error) {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if _, err := os.Stat(home); err != nil {
		return nil, fmt.Errorf("start: no node home at %s (create one with \"folkmoot init\")", home)
	}
	cfg, err := LoadConfig(home)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if o.Config != nil {
		o.Config(cfg)
	}
	if cfg.Folkmoot.UnsafeByzantineProposer && !o.UnsafeTesting {
		return nil, fmt.Errorf("start: %w: folkmoot.unsafe_byzantine_proposer is for tests only (start with --unsafe-testing)", ErrBadConfig)
	}
	plan, err := o.Web.Plan(home, cfg.Folkmoot.WebAddress, o.Clock())
	if err != nil {
		return nil, fmt.Errorf("start: web: %w", err)
	}
	reg := prometheus.NewRegistry()
	metrics, err := abci.NewPrometheusMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("start: metrics: %w", err)
	}
	c := &Community{warning: plan.Warning}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	if c.store, err = openProjection(home); err != nil {
		return nil, err
	}
	c.stop = append(c.stop, c.store.Close)
	snapPeriod, _ := cfg.Folkmoot.snapshotPeriod() // checked by LoadConfig
	snapLog := o.SnapshotLog
	if snapLog == nil && o.Log != nil {
		snapLog = slog.New(slog.NewTextHandler(o.Log, nil)).With("module", "snapshots")
	}
	c.app = abci.New(abci.Options{Sink: projection{c.store}, Metrics: metrics, Clock: o.Clock,
		Snapshots: abci.Snapshots{Dir: SnapshotDir(home), Interval: cfg.Folkmoot.SnapshotInterval, Period: snapPeriod,
			Keep: cfg.Folkmoot.SnapshotKeep, Log: snapLog}})
	c.stop = append(c.stop, c.app.Close)
	// The app starts from the newest snapshot the projection has caught
	// up with, so that replay hands the projection every block it lacks.
	held, _, err := c.store.Height()
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if _, err := c.app.LoadSnapshot(held); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	var app abcitypes.Application = c.app
	if cfg.Folkmoot.UnsafeByzantineProposer {
		app = byzantineProposer{app}
	}
	if o.Wrap != nil {
		app = o.Wrap(app)
	}
	startOpts := []StartOption{WithRegistry(reg), WithConcurrentApp()}
	if o.Config != nil {
		startOpts = append(startOpts, WithConfig(o.Config))
	}
	if c.node, err = Start(ctx, home, app, o.Log, startOpts...); err != nil {
		return nil, err
	}
	c.stop = append(c.stop, c.node.Stop)
	if c.client, err = client.New(c.node.RPCAddress()); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	// Bulk submissions go to the mempool in-process: one round trip
	// through the RPC per transaction is what they exist to avoid.
	comet := c.node.Comet()
	syncing := func() bool {
		r, ok := comet.MempoolReactor().(interface{ WaitSync() bool })
		return ok && r.WaitSync()
	}
	c.service = api.New(api.Options{App: c.app, Store: c.store, Node: c.client, Log: o.SiteLog,
		SubmitRate: o.SubmitRate, SubmitBurst: o.SubmitBurst, Clock: o.Clock,
		Mempool: comet.Mempool(), Syncing: syncing, BulkRate: o.BulkRate, BulkBurst: o.BulkBurst})
	if err := c.serveSite(plan, o.SiteLog); err != nil {
		return nil, err
	}
	return c, nil
}

// Stop stops the site, then the node, then writes what the projection
// still lacks and closes it. It is safe to call more than once; every
// call returns the first error.
func (c *Community) Stop() error {
	c.stopOnce.Do(func() {
		var errs []error
		for i := len(c.stop) - 1; i >= 0; i-- {
			if err := c.stop[i](); err != nil {
				errs = append(errs, err)
			}
		}
		if len(errs) > 0 {
			c.stopErr = errs[0]
		}
	})
	return c.stopErr
}

// Done is closed when the node has stopped, by Stop or by itself.
func (c *Community) Done() <-chan struct{} { return c.node.Done() }

// Node is the running CometBFT node.
func (c *Community) Node() *Node { return c.node }

// App is folkmoot's ABCI application.
func (c *Community) App() *abci.App { return c.app }

// Store is the SQLite projection the application writes every block to.
func (c *Community) Store() *store.Store { return c.store }

// Client talks to the node over its own RPC.
func (c *Community) Client() *client.Client { return c.client }

// Service is the read model and transaction relay behind the API and the
// pages.
func (c *Community) Service() *api.Service { return c.service }

// RPC is the URL of the node's CometBFT RPC, such as http://127.0.0.1:26657.
func (c *Community) RPC() string { return c.node.RPCAddress() }

// Site is the URL the site is served at (http:// or https://), or "" when
// the home has no web address.
func (c *Community) Site() string { return c.site }

// Fingerprint is the SHA-256 fingerprint of the site's certificate, ""
// when the site is plain HTTP.
func (c *Community) Fingerprint() string { return c.fingerprint }

// Warning is what the operator should know about how the site is served
// (plain HTTP off loopback, an expired certificate), or "".
func (c *Community) Warning() string { return c.warning }

// SnapshotDir is where a home keeps the application's snapshots.
func SnapshotDir(home string) string { return filepath.Join(home, "data", "snapshots") }

// ProjectionPath is where a home keeps its SQLite projection.
func ProjectionPath(home string) string { return filepath.Join(home, "data", "folkmoot.db") }

// openProjection opens (creating if needed) the home's SQLite projection,
// initialised with the home's genesis.
func openProjection(home string) (*store.Store, error) {
	gen, err := types.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		return nil, fmt.Errorf("start: read genesis of %s: %w", home, err)
	}
	// The projection keeps app_state as CometBFT serves it over RPC:
	// compact, whatever the indentation of genesis.json.
	var appState bytes.Buffer
	if err := json.Compact(&appState, gen.AppState); err != nil {
		return nil, fmt.Errorf("start: genesis app_state of %s: %w", home, err)
	}
	st, err := store.Open(ProjectionPath(home))
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	if err := st.Init(gen.ChainID, gen.GenesisTime, appState.Bytes()); err != nil {
		st.Close()
		return nil, fmt.Errorf("start: %w", err)
	}
	return st, nil
}

// projection is the SQLite projection as the application's sink: every
// committed block is written with its height, in one SQL transaction.
type projection struct{ st *store.Store }

// Commit writes the block c to the projection.
func (p projection) Commit(c abci.Committed) error {
	return p.st.WriteBlock(store.BlockRecord{Height: c.Height, Time: c.Time, Txs: c.Txs, Result: c.Result, State: c.State})
}

// Restored starts the projection of a node that joined by state sync from
// the state it was restored to.
func (p projection) Restored(c abci.Committed) error {
	return p.st.Restore(c.Height, c.Time, c.State)
}
