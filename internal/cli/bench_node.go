package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchNodeCmd(s *Streams) *cobra.Command {
	var o bench.NodeOptions
	var output string
	var inProcess bool
	c := &cobra.Command{
		Use:   "node",
		Short: "Measure a node end to end: ballots over RPC and in bulk, kvstore on the same path, catch-up, memory",
		Long: `bench node starts a folkmoot node in a temporary directory, submits signed
ballots over CometBFT's RPC (JSON-RPC batches of 100 from --workers
clients) and measures until every ballot is counted in a committed block
(ballots_per_s); starts a second node that catches up the whole chain from
the first (catchup_s); submits as many ballots again through the API's bulk
intake, POST /api/v1/txs (--bulk-size ballots a request from --bulk-workers
clients), measured the same way (bulk_ballots_per_s); runs the RPC
submission against CometBFT's kvstore example app with transactions of the
same size (kvstore_per_s); and reports the resident memory (rss_mb) of the
folkmoot node's process and the CPU time each node's process spent per
transaction. Each node runs in a process of its own (this program, "bench
node serve") unless --in-process.`,
		Example: `  folkmoot bench node --output json
  folkmoot bench node --ballots 20000 --members 2000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if !inProcess {
				exe, err := os.Executable()
				if err != nil {
					return fmt.Errorf("bench node: find this program to run the node: %w", err)
				}
				o.Server = []string{exe, "bench", "node", "serve"}
			}
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			f, err := bench.Node(o, time.Now)
			if err != nil {
				return fmt.Errorf("bench node: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine        %d CPUs, %s\n", f.CPUs, f.CPUModel)
			fmt.Fprintf(s.Out, "folkmoot       %.0f ballots/s end to end (%d ballots, %d members, %d-byte txs, %d blocks)\n", f.BallotsPerS, f.Ballots, f.Members, f.TxBytes, f.Blocks)
			fmt.Fprintf(s.Out, "folkmoot bulk  %.0f ballots/s end to end through POST /api/v1/txs\n", f.BulkPerS)
			fmt.Fprintf(s.Out, "kvstore        %.0f tx/s on the RPC path (ratio %.2f; bulk %.2f)\n", f.KVStorePerS, f.RatioToKV, f.BulkRatioToKV)
			fmt.Fprintf(s.Out, "node CPU       %.0f µs a ballot over RPC, %.0f in bulk, %.0f a kvstore tx (kvstore ÷ bulk %.2f)\n", f.NodeCPUUs, f.BulkNodeCPUUs, f.KVNodeCPUUs, f.BulkCPURatioToKV)
			fmt.Fprintf(s.Out, "catch-up       %.1f s for %d transactions\n", f.CatchupS, f.CatchupTxs)
			fmt.Fprintf(s.Out, "resident       %.0f MiB (%s)\n", f.RSSMB, f.RSSOf)
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.Members, "members", 10000, "voting members")
	c.Flags().IntVar(&o.Ballots, "ballots", 100000, "ballots to submit")
	c.Flags().IntVar(&o.Workers, "workers", 32, "concurrent RPC clients")
	c.Flags().IntVar(&o.BulkWorkers, "bulk-workers", 4, "concurrent bulk clients")
	c.Flags().IntVar(&o.BulkSize, "bulk-size", api.MaxBulkTxs, "ballots in one bulk submission")
	c.Flags().StringVar(&o.CPUProfile, "cpuprofile", "", "write the node's CPU profile of the bulk phase to this file")
	c.Flags().BoolVar(&inProcess, "in-process", false, "run the node in this process (rss_mb then includes the clients)")
	c.AddCommand(newBenchNodeServeCmd(s))
	return c
}

// newBenchNodeServeCmd is the node of "bench node", run as a process of
// its own so that its memory is measured alone: the home directory in on
// stdin, "ready RPC SITE" out on stdout, stopped when stdin ends.
func newBenchNodeServeCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:    "serve",
		Short:  "The node of bench node (reads its home directory on stdin)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.ServeNode(s.In, s.Out)
		},
	}
}
