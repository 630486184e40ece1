package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/cometbft/cometbft/types"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/abci"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/store"
)

// running is a started community node: CometBFT, the app and the
// projection, wired together.
type running struct {
	node  *node.Node
	app   *abci.App
	store *store.Store
	site  string // the web site's URL, once serving
	// fingerprint is the SHA-256 fingerprint of the site's certificate
	// ("" when it is plain HTTP); warning what the operator should know.
	fingerprint, warning string
	stop                 []func() error
}

// Stop stops everything in reverse order of starting.
func (r *running) Stop() error {
	var first error
	for i := len(r.stop) - 1; i >= 0; i-- {
		if err := r.stop[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// RPC returns the node's CometBFT RPC address as an http:// URL.
func (r *running) RPC() string {
	return httpURL(r.node.Config().Comet.RPC.ListenAddress)
}

func httpURL(listen string) string {
	const p = "tcp://"
	if len(listen) > len(p) && listen[:len(p)] == p {
		return "http://" + listen[len(p):]
	}
	return listen
}

// startNode wires and starts the node in home, its site served as the
// home's config says. logw receives CometBFT's log.
func startNode(ctx context.Context, home string, logw io.Writer) (*running, error) {
	return startNodeWeb(ctx, home, logw, webServing{})
}

// startNodeWeb is startNode with the site served as web says. A site that
// may not be served so is refused before anything starts.
func startNodeWeb(ctx context.Context, home string, logw io.Writer, web webServing) (*running, error) {
	if _, err := os.Stat(home); err != nil {
		return nil, fmt.Errorf("start: no node home at %s (create one with \"folkmoot init\")", home)
	}
	cfg, err := node.LoadConfig(home)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	plan, err := web.plan(home, cfg.Folkmoot.WebAddress)
	if err != nil {
		return nil, fmt.Errorf("start: web: %w", err)
	}
	reg := prometheus.NewRegistry()
	metrics, err := abci.NewPrometheusMetrics(reg)
	if err != nil {
		return nil, fmt.Errorf("start: metrics: %w", err)
	}
	r := &running{warning: plan.warning}
	sink, err := openSink(home)
	if err != nil {
		return nil, err
	}
	r.store = sink.st
	r.stop = append(r.stop, sink.st.Close)
	r.app = abci.New(abci.Options{Sink: sink, Metrics: metrics, Clock: time.Now})
	r.stop = append(r.stop, r.app.Flush)
	n, err := node.Start(ctx, home, r.app, logw, node.WithRegistry(reg), node.WithConcurrentApp())
	if err != nil {
		r.Stop()
		return nil, err
	}
	r.node = n
	r.stop = append(r.stop, n.Stop)
	if err := r.serveSite(plan); err != nil {
		r.Stop()
		return nil, err
	}
	return r, nil
}

func newStartCmd(s *Streams) *cobra.Command {
	var home string
	var verbose bool
	var web webServing
	c := &cobra.Command{
		Use:   "start",
		Short: "Run the community node in this home until interrupted",
		Long: `start runs the node: CometBFT in-process with folkmoot's state machine,
the SQLite projection, and the Prometheus metrics. On start it replays the
blocks it holds to rebuild its state; a node killed at any moment restarts
to exactly where it was. Stop it with Ctrl-C.

The site is plain HTTP on loopback (the default 127.0.0.1:8080). Anywhere
else it is HTTPS, since browsers sign only in a secure context: with
--tls-cert/--tls-key, or the self-signed certificate init made, whose
SHA-256 fingerprint start prints and the site's footer shows so members
can compare it with their browser's. Plain HTTP off loopback is refused
unless --insecure-http is given.`,
		Example: `  folkmoot start
  folkmoot start --home ./testnet/node0 --verbose
  folkmoot start --web-addr 0.0.0.0:8443
  folkmoot start --web-addr 0.0.0.0:443 --tls-cert /etc/folkmoot/cert.pem --tls-key /etc/folkmoot/key.pem`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			var logw io.Writer
			if verbose {
				logw = s.Err
			}
			if _, err := os.Stat(home); err != nil {
				return fmt.Errorf("start: no node home at %s (create one with \"folkmoot init\")", home)
			}
			fmt.Fprintf(s.Err, "starting node in %s (replaying stored blocks)…\n", home)
			r, err := startNodeWeb(ctx, home, logw, web)
			if err != nil {
				return err
			}
			defer r.Stop()
			cfg := r.node.Config()
			fmt.Fprintf(s.Out, "node running: chain %s\n  RPC      %s\n  metrics  http://%s/metrics\n  web      %s\n",
				r.node.ChainID(), r.RPC(), cfg.Comet.Instrumentation.PrometheusListenAddr, r.site)
			if r.fingerprint != "" {
				fmt.Fprintf(s.Out, "  certificate SHA-256 %s\n", r.fingerprint)
			}
			if r.warning != "" {
				fmt.Fprintln(s.Err, r.warning)
			}
			select {
			case <-ctx.Done():
				fmt.Fprintln(s.Err, "stopping…")
			case <-r.node.Done():
				return fmt.Errorf("the node stopped on its own")
			}
			return r.Stop()
		},
	}
	homeFlag(c, &home)
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "print CometBFT's log on stderr")
	web.add(c)
	return c
}

func newTestnetCmd(s *Streams) *cobra.Command {
	var dir, chainID string
	var n, basePort int
	var cf constitutionFlags
	var timing nodeTiming
	c := &cobra.Command{
		Use:   "testnet",
		Short: "Write N validator homes wired as peers on 127.0.0.1 (like cometbft testnet)",
		Example: `  folkmoot testnet --validators 4 --dir ./testnet --name Testville --founder alice=$(folkmoot key show alice --key-only)
  for i in 0 1 2 3; do folkmoot start --home ./testnet/node$i & done`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			appState, cons, err := cf.build()
			if err != nil {
				return fmt.Errorf("testnet: %w", err)
			}
			if chainID == "" {
				chainID = chainIDFor(cons.Name)
			}
			homes, err := node.Testnet(dir, n, node.HomeOptions{ChainID: chainID, AppState: appState, BasePort: basePort,
				TimeoutCommit: timing.timeoutCommit, EmptyBlocksInterval: timing.emptyBlocks, LogLevel: "error"})
			if err != nil {
				return err
			}
			for i, h := range homes {
				fmt.Fprintf(s.Out, "validator %d: %s (RPC http://127.0.0.1:%d)\n", i, h, basePortOr(basePort)+10*i+1)
			}
			return nil
		},
	}
	c.Flags().StringVar(&dir, "dir", "./testnet", "directory for the homes node0, node1, …")
	c.Flags().IntVar(&n, "validators", 4, "number of validators")
	c.Flags().IntVar(&basePort, "base-port", node.DefaultBasePort, "node i uses ports base+10i (p2p), +1 (RPC), +2 (metrics), +3 (web)")
	c.Flags().StringVar(&chainID, "chain-id", "", "chain id (default: from the name)")
	cf.add(c)
	timing.add(c)
	return c
}

func basePortOr(p int) int {
	if p == 0 {
		return node.DefaultBasePort
	}
	return p
}

// projectionPath is where a home keeps its SQLite projection.
func projectionPath(home string) string { return filepath.Join(home, "data", "folkmoot.db") }

// openSink opens (creating if needed) the home's SQLite projection,
// initialised with the home's genesis.
func openSink(home string) (storeSink, error) {
	gen, err := types.GenesisDocFromFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		return storeSink{}, fmt.Errorf("start: read genesis of %s: %w", home, err)
	}
	// The projection keeps app_state as CometBFT serves it over RPC:
	// compact, whatever the indentation of genesis.json.
	var appState bytes.Buffer
	if err := json.Compact(&appState, gen.AppState); err != nil {
		return storeSink{}, fmt.Errorf("start: genesis app_state of %s: %w", home, err)
	}
	st, err := store.Open(projectionPath(home))
	if err != nil {
		return storeSink{}, fmt.Errorf("start: %w", err)
	}
	if err := st.Init(gen.ChainID, gen.GenesisTime, appState.Bytes()); err != nil {
		st.Close()
		return storeSink{}, fmt.Errorf("start: %w", err)
	}
	return storeSink{st}, nil
}

// storeSink writes committed blocks to the projection.
type storeSink struct{ st *store.Store }

func (s storeSink) Commit(c abci.Committed) error {
	return s.st.WriteBlock(store.BlockRecord{Height: c.Height, Time: c.Time, Txs: c.Txs, Result: c.Result, State: c.State})
}
