package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

// quickSizes are the sizes of `bench ballot --quick`.
var quickSizes = map[string]int{"ballots": 400, "casts": 50, "tally-ballots": 10_000, "browser-runs": 5, "verify-runs": 1}

func newBenchBallotCmd(s *Streams) *cobra.Command {
	var o bench.BallotOptions
	var output string
	var quick bool
	c := &cobra.Command{
		Use:   "ballot",
		Short: "Measure secret ballots: cast, batched verification, tally, the core's apply rate",
		Long: `Measure the secret-ballot cryptography (5-choice single-choice ballots) on
this machine: a cast in Go and in Chromium, batched and one-by-one
verification on all CPUs, a 100,000-ballot tally by 3 of 5 trustees, and
secret ballots applied through the core under a key made by trustee
transactions. Without Chromium ($FOLKMOOT_CHROMIUM or chromium on the PATH)
browser_cast_ms is left out.`,
		Example: `  folkmoot bench ballot --output json
  folkmoot bench ballot --quick
  folkmoot bench ballot --ballots 4000 --block-size 500`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if quick {
				// Small sizes, except where a flag says otherwise.
				for name, v := range map[string]*int{"ballots": &o.Ballots, "casts": &o.Casts, "tally-ballots": &o.TallyBallots,
					"browser-runs": &o.BrowserRuns, "verify-runs": &o.VerifyRuns} {
					if !cmd.Flags().Changed(name) {
						*v = quickSizes[name]
					}
				}
			}
			switch o.Chromium {
			case "none":
				o.Chromium = ""
				fmt.Fprintln(s.Err, "note: --chromium none: browser_cast_ms not measured")
			case "":
				if o.Chromium = bench.Chromium(); o.Chromium == "" {
					fmt.Fprintln(s.Err, "note: no Chromium found ($FOLKMOOT_CHROMIUM or chromium on the PATH): browser_cast_ms not measured")
				}
			}
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			ctx, cancel := context.WithTimeout(cmd.Context(), 10*time.Minute)
			defer cancel()
			f, err := bench.Ballot(ctx, o, time.Now)
			if err != nil {
				return fmt.Errorf("bench ballot: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine            %d CPUs, %s, load average %.1f at the end\n", f.CPUs, f.CPUModel, f.LoadAvg)
			fmt.Fprintf(s.Out, "cast (Go)          %.2f ms per 5-choice ballot (CPU %.2f ms)\n", f.CastMs, f.CastCPUMs)
			if f.BrowserCastMs > 0 {
				fmt.Fprintf(s.Out, "cast (Chromium)    %.2f ms\n", f.BrowserCastMs)
			}
			fmt.Fprintf(s.Out, "verify, batched    %.0f ballots/s on %d goroutines (CPU %.0f µs per ballot, of which parsing %.0f)\n", f.VerifyPerS, f.Workers, f.VerifyCPUUs, f.ParseUs)
			fmt.Fprintf(s.Out, "verify, one by one %.0f ballots/s (CPU %.0f µs per ballot); batching: ×%.1f (by CPU time ×%.1f)\n", f.UnbatchedPerS, f.UnbatchedCPUUs, f.BatchSpeedup, f.BatchSpeedupCPU)
			fmt.Fprintf(s.Out, "group operations   %d scalar multiplications per ballot one by one, %d MSM terms batched; %.0f ns per term of a 64-term MSM\n", f.GroupOpsPerBallot, f.MSMTermsPerBallot, f.MSMTermNs)
			fmt.Fprintf(s.Out, "tally              %.2f s for %d ballots (CPU %.2f s); summing from stored bytes %.2f s (CPU %.2f s)\n", f.TallyS, f.TallyBallots, f.TallyCPUS, f.TallyFromBytesS, f.TallyFromBytesCPUS)
			fmt.Fprintf(s.Out, "core apply         %.0f secret ballots/s in blocks of %d (CPU %.0f µs per ballot)\n", f.CoreBlockPerS, f.BlockSize, f.CoreCPUUs)
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().BoolVar(&quick, "quick", false, "small sizes (400 ballots, a 10,000-ballot tally): a few times faster")
	c.Flags().IntVar(&o.Ballots, "ballots", 2000, "ballots verified and applied through the core")
	c.Flags().IntVar(&o.BlockSize, "block-size", 200, "secret-ballot transactions per block")
	c.Flags().IntVar(&o.Casts, "casts", 200, "ballots cast in Go for cast_ms")
	c.Flags().IntVar(&o.TallyBallots, "tally-ballots", 100_000, "ballots in the tally")
	c.Flags().IntVar(&o.Workers, "workers", 0, "goroutines that verify (0: all CPUs)")
	c.Flags().StringVar(&o.Chromium, "chromium", "", "Chromium binary for browser_cast_ms (default $FOLKMOOT_CHROMIUM or chromium on the PATH; none: skip it)")
	c.Flags().IntVar(&o.BrowserRuns, "browser-runs", 20, "casts timed in Chromium")
	c.Flags().IntVar(&o.VerifyRuns, "verify-runs", 3, "times each verification is measured (the best is kept)")
	return c
}
