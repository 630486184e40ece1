package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchSortitionCmd(s *Streams) *cobra.Command {
	var o bench.SortitionOptions
	var output string
	c := &cobra.Command{
		Use:   "sortition",
		Short: "Measure choosing by lot: LEXIMIN for a stratified panel, uniform and stratified draws",
		Example: `  folkmoot bench sortition --output json
  folkmoot bench sortition --volunteers 500 --seats 20`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			f, err := bench.Sortition(o)
			if err != nil {
				return fmt.Errorf("bench sortition: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine    %d CPUs, %s (load %.1f)\n", f.CPUs, f.CPUModel, f.LoadAvg1m)
			fmt.Fprintf(s.Out, "leximin    %.2f s (CPU %.2f s): %d seats from %d volunteers, 4 features, %d panel profiles, least chance %.4f (greedy: %.4f)\n",
				f.LeximinS, f.LeximinCPUS, f.LeximinSeats, f.LeximinVolunteers, f.LeximinPanels, f.LeximinMinChance, f.GreedyMinChance)
			fmt.Fprintf(s.Out, "draw       %.3f ms: %d of %d members, uniform; %.3f ms from the LEXIMIN lottery\n", f.DrawMS, f.DrawSeats, f.DrawMembers, f.StratifiedDrawMS)
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.Volunteers, "volunteers", 2000, "volunteers of the LEXIMIN instance")
	c.Flags().IntVar(&o.Seats, "seats", 40, "seats of the LEXIMIN panel")
	c.Flags().IntVar(&o.Members, "members", 100_000, "members of the uniform draw")
	c.Flags().IntVar(&o.Drawn, "drawn", 40, "members drawn uniformly")
	c.Flags().IntVar(&o.GreedyRuns, "greedy-runs", 2000, "runs estimating the greedy method's chances, for comparison")
	return c
}
