package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchChaosCmd(s *Streams) *cobra.Command {
	var o bench.ChaosOptions
	var output string
	var minutes float64
	c := &cobra.Command{
		Use:   "chaos",
		Short: "Perturb a 4-validator testnet of real processes under load and check that nothing diverges or is lost",
		Long: `bench chaos runs 4 validators and a full node, each a "folkmoot start"
process on 127.0.0.1, under a steady load of ballots, and for --minutes
perturbs one node at a time: SIGKILL and restart from its newest
snapshot, SIGSTOP then SIGCONT, a network partition (its peer connections
go through proxies that cut them), and a wipe of the full node, which
rejoins by state sync. After each perturbation, and at the end, it checks
that every node has the same app hash at every height (and a clean replay
too), that every ballot a node reported committed is in the record exactly
once, and that every stopped node's projection equals a clean replay's.

It reports perturbations, divergences, lost_txs (both must be 0) and
max_recovery_s (the longest a perturbed node took to catch up), and fails
if any invariant was broken.`,
		Example: `  folkmoot bench chaos --minutes 5 --output json
  folkmoot bench chaos --minutes 30 --seed 7`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			if o.Binary == "" {
				exe, err := os.Executable()
				if err != nil {
					return fmt.Errorf("bench chaos: %w", err)
				}
				o.Binary = exe
			}
			o.Duration = time.Duration(minutes * float64(time.Minute))
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			f, err := bench.Chaos(o, time.Now)
			if err != nil {
				return fmt.Errorf("bench chaos: %w", err)
			}
			if output == "json" {
				if err := json.NewEncoder(s.Out).Encode(f); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(s.Out, "machine        %d CPUs, %s\n", f.CPUs, f.CPUModel)
				fmt.Fprintf(s.Out, "run            %.1f min, %d validators and %d full node, %d heights, %d ballots accepted\n", f.Minutes, f.Validators, f.FullNodes, f.Heights, f.AcceptedTxs)
				fmt.Fprintf(s.Out, "perturbations  %d %v\n", f.Perturbations, f.ByKind)
				fmt.Fprintf(s.Out, "divergences    %d\n", f.Divergences)
				fmt.Fprintf(s.Out, "lost txs       %d (duplicates %d)\n", f.LostTxs, f.DuplicateTxs)
				fmt.Fprintf(s.Out, "projections    %d compared with a clean replay, %d differ\n", f.ProjectionsChecked, f.ProjectionMismatches)
				fmt.Fprintf(s.Out, "recovery       max %.1f s, mean %.1f s, %d not recovered\n", f.MaxRecoveryS, f.MeanRecoveryS, f.Unrecovered)
				for _, p := range f.Problems {
					fmt.Fprintf(s.Out, "problem        %s\n", p)
				}
			}
			if !f.OK() {
				return errors.New("bench chaos: an invariant was broken (see problems)")
			}
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().Float64Var(&minutes, "minutes", 5, "how long to perturb the testnet")
	c.Flags().Uint64Var(&o.Seed, "seed", 1, "seed of the perturbations' choice, targets and durations")
	c.Flags().IntVar(&o.Workers, "workers", 4, "concurrent ballot streams")
	c.Flags().StringVar(&o.Binary, "binary", "", "folkmoot executable the nodes run (default: this one)")
	c.Flags().StringVar(&o.Dir, "dir", "", "keep the homes and logs here (default: a temporary directory, removed)")
	return c
}
