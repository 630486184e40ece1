package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/node"
)

func newStartCmd(s *Streams) *cobra.Command {
	var home string
	var verbose, unsafeTesting bool
	var web node.WebServing
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
			fmt.Fprintf(s.Err, "starting node in %s (from its newest snapshot, replaying the blocks after it)…\n", home)
			c, err := node.Open(ctx, home, node.Options{Log: logw, Web: web, SiteLog: siteLog(),
				SnapshotLog:   slog.New(slog.NewTextHandler(s.Err, nil)).With("module", "snapshots"),
				UnsafeTesting: unsafeTesting})
			if err != nil {
				return err
			}
			defer c.Stop()
			n := c.Node()
			fmt.Fprintf(s.Out, "node running: chain %s\n  RPC      %s\n  metrics  http://%s/metrics\n  web      %s\n",
				n.ChainID(), c.RPC(), n.Config().Comet.Instrumentation.PrometheusListenAddr, c.Site())
			if c.Fingerprint() != "" {
				fmt.Fprintf(s.Out, "  certificate SHA-256 %s\n", c.Fingerprint())
			}
			if c.Warning() != "" {
				fmt.Fprintln(s.Err, c.Warning())
			}
			select {
			case <-ctx.Done():
				fmt.Fprintln(s.Err, "stopping…")
			case <-c.Done():
				return fmt.Errorf("the node stopped on its own")
			}
			return c.Stop()
		},
	}
	homeFlag(c, &home)
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "print CometBFT's log on stderr")
	// For the chaos tests only: allows the config's unsafe_* settings.
	c.Flags().BoolVar(&unsafeTesting, "unsafe-testing", false, "allow the test-only settings of the config (never in production)")
	c.Flags().MarkHidden("unsafe-testing")
	webFlags(c, &web)
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

// siteLog is where a node run from the command line logs the site's
// internal errors: warnings and worse, on stderr.
func siteLog() *slog.Logger {
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
}
