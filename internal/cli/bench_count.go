package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchCountCmd(s *Streams) *cobra.Command {
	var o bench.CountOptions
	var output string
	c := &cobra.Command{
		Use:   "count",
		Short: "Measure the counting methods: IRV, Schulze, STV on synthetic ballots, MES on a real Pabulib instance",
		Example: `  folkmoot bench count --output json
  folkmoot bench count --irv-ballots 100000 --mes-file testdata/count/Poland_Lodz_2022.pb.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			f, err := bench.Count(o, time.Now)
			if err != nil {
				return fmt.Errorf("bench count: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine   %d CPUs\n", f.CPUs)
			fmt.Fprintf(s.Out, "irv       %.3f s  (%d ballots x 10 candidates, %d distinct; count alone %.3f s)\n", f.IRVS, f.IRVBallots, f.IRVDistinct, f.IRVCountS)
			fmt.Fprintf(s.Out, "schulze   %.3f s  (%d ballots x 20 candidates, %d distinct; count alone %.3f s)\n", f.SchulzeS, f.SchulzeBallots, f.SchulzeDistinct, f.SchulzeCountS)
			fmt.Fprintf(s.Out, "stv       %.3f s  (%d ballots x 30 candidates, 5 seats, %d distinct, %d stages; count alone %.3f s)\n", f.STVS, f.STVBallots, f.STVDistinct, f.STVStages, f.STVCountS)
			fmt.Fprintf(s.Out, "mes       %.3f s  (%s: %d voters, %d projects, %d add-one steps; reading %.3f s)\n", f.MESS, f.MESInstance, f.MESVoters, f.MESProjects, f.MESIncrements, f.MESReadS)
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.IRV, "irv-ballots", 1_000_000, "IRV ballots (10 candidates)")
	c.Flags().IntVar(&o.Schulze, "schulze-ballots", 1_000_000, "Schulze ballots (20 candidates)")
	c.Flags().IntVar(&o.STV, "stv-ballots", 100_000, "STV ballots (30 candidates, 5 seats)")
	c.Flags().StringVar(&o.MESFile, "mes-file", "testdata/count/Poland_Lodz_2022.pb.gz", "Pabulib instance for MES (.pb or .pb.gz)")
	return c
}
