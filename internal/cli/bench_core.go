package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchCoreCmd(s *Streams) *cobra.Command {
	var o bench.CoreOptions
	var output string
	c := &cobra.Command{
		Use:   "core",
		Short: "Measure the pure core: apply rate with batch signature checks, replay, proofs",
		Example: `  folkmoot bench core --output json
  folkmoot bench core --ballots 20000 --members 2000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			f, err := bench.Core(o, time.Now)
			if err != nil {
				return fmt.Errorf("bench core: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine            %d CPUs, %s\n", f.CPUs, f.CPUModel)
			fmt.Fprintf(s.Out, "apply (batch sig)  %.0f ballots/s (%.0f%% of raw batch verification)\n", f.BallotsPerS, 100*f.ApplyToVerifyRatio)
			fmt.Fprintf(s.Out, "apply (single sig) %.0f ballots/s\n", f.SingleVerifyPerS)
			fmt.Fprintf(s.Out, "raw batch verify   %.0f signatures/s on all CPUs\n", f.BatchVerifyPerS)
			fmt.Fprintf(s.Out, "audit replay       %.0f tx/s (%.0f%% of raw batch verification)\n", f.ReplayTxPerS, 100*f.ReplayToVerifyRatio)
			fmt.Fprintf(s.Out, "inclusion proof    %.0f ns to make, %.0f ns to check, %d bytes\n", f.ProofNs, f.VerifyProofNs, f.ProofBytes)
			if f.HeapMBMembersBallots > 0 {
				fmt.Fprintf(s.Out, "state heap         %.0f MiB for 100,000 members and 1,000,000 ballots\n", f.HeapMBMembersBallots)
			}
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.Members, "members", 10000, "voting members")
	c.Flags().IntVar(&o.Ballots, "ballots", 200000, "signed ballots to apply")
	c.Flags().IntVar(&o.BlockSize, "block-size", 5000, "transactions per block")
	c.Flags().BoolVar(&o.SkipMemory, "skip-memory", false, "skip the heap measurement (100,000 members, 1,000,000 ballots)")
	return c
}
