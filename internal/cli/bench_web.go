package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchWebCmd(s *Streams) *cobra.Command {
	var o bench.WebOptions
	var output string
	c := &cobra.Command{
		Use:   "web",
		Short: "Measure the web site: a proposal page with many ballots under load, and the live tally",
		Long: `bench web founds a community on a single-validator node in a temporary
directory (real CometBFT, real SQLite projection) with one open proposal
carrying --ballots ballots, every one signed by its own member and
committed through the node; serves the site on loopback as "folkmoot
start" does; then starts a second folkmoot process whose --clients
clients fetch the proposal page for --duration (after a short warm-up that
is not counted), while a client subscribed to the live tally times each
of --samples ballots from the commit of its block to the event arriving.
It prints p50/p99 latency, requests per second, errors, the setup time
and the live-tally delay (median and longest).`,
		Example: `  folkmoot bench web --output json
  folkmoot bench web --ballots 5000 --clients 20 --duration 5s`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			exe, err := os.Executable()
			if err != nil {
				return fmt.Errorf("bench web: find this program to run the load client: %w", err)
			}
			o.Client = []string{exe, "bench", "web-client"}
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			f, err := bench.Web(o, time.Now)
			if err != nil {
				return fmt.Errorf("bench web: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine        %d CPUs, %s\n", f.CPUs, f.CPUModel)
			fmt.Fprintf(s.Out, "setup          %.1f s (%d ballots signed, submitted and committed)\n", f.SetupS, f.Ballots)
			fmt.Fprintf(s.Out, "%-14s p50 %.1f ms, p99 %.1f ms, max %.1f ms (%d clients, %d bytes)\n", f.Path, f.P50Ms, f.P99Ms, f.MaxMs, f.Clients, f.PageBytes)
			fmt.Fprintf(s.Out, "throughput     %.0f requests/s, %d requests, %d errors\n", f.RequestsPerS, f.Requests, f.Errors)
			fmt.Fprintf(s.Out, "server CPU     %.1f s, %.0f µs per request (load average %.1f at the end)\n", f.ServerCPUS, f.ServerCPUUsPerRequest, f.LoadAvg)
			fmt.Fprintf(s.Out, "live tally     %.0f ms median, %.0f ms longest after the block's commit (%d samples)\n", f.TallyUpdateMs, f.TallyUpdateMaxMs, len(f.TallySamplesMs))
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.Ballots, "ballots", 100000, "ballots on the proposal (one member each)")
	c.Flags().IntVar(&o.Clients, "clients", 100, "concurrent HTTP clients")
	c.Flags().DurationVar(&o.Duration, "duration", 20*time.Second, "how long the clients load the page")
	c.Flags().IntVar(&o.Samples, "samples", 10, "live-tally samples")
	c.Flags().StringVar(&o.CPUProfile, "cpuprofile", "", "write the server's CPU profile of the load phase to this file")
	return c
}

// newBenchWebClientCmd is the load client of "bench web", run as a second
// process: a bench.WebLoadSpec in on stdin, bench.WebLoadFigures out on
// stdout.
func newBenchWebClientCmd(s *Streams) *cobra.Command {
	return &cobra.Command{
		Use:    "web-client",
		Short:  "The load client of bench web (reads its spec as JSON on stdin)",
		Hidden: true,
		Args:   cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return bench.ServeWebLoad(s.In, s.Out, time.Now)
		},
	}
}
