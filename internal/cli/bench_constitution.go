package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchConstitutionCmd(s *Streams) *cobra.Command {
	var o bench.ConstitutionOptions
	var output string
	c := &cobra.Command{
		Use:   "constitution",
		Short: "Measure the constitution's rules: a close with liquid delegation, an idle EndBlock with many laws and offices",
		Example: `  folkmoot bench constitution --output json
  folkmoot bench constitution --members 20000 --voters 6000 --delegations 10000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			f, err := bench.Constitution(o, time.Now)
			if err != nil {
				return fmt.Errorf("bench constitution: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine          %d CPUs, %s\n", f.CPUs, f.CPUModel)
			fmt.Fprintf(s.Out, "delegated close  %.1f ms: %d members, %d voting, %d delegating (cap %d): %d delegated votes, %d over the cap, %d in cycles\n",
				f.DelegatedCloseMs, f.Members, f.Voters, f.Delegations, f.MaxWeight, f.DelegatedVotes, f.Capped, f.Cyclic)
			fmt.Fprintf(s.Out, "idle EndBlock    %.2f µs with %d laws in force and %d offices (%d seats held, next elections scheduled)\n",
				f.IdleEndBlockUs, f.Laws, f.Offices, f.Holders)
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.Members, "members", 100000, "members")
	c.Flags().IntVar(&o.Voters, "voters", 30000, "members who vote directly")
	c.Flags().IntVar(&o.Delegations, "delegations", 50000, "members who delegate")
	c.Flags().Uint32Var(&o.MaxWeight, "max-weight", 50, "the constitution's cap on the votes one ballot carries")
	c.Flags().IntVar(&o.Laws, "laws", 10000, "laws in force for the idle EndBlock")
	c.Flags().IntVar(&o.Offices, "offices", 100, "offices with holders and scheduled elections for the idle EndBlock")
	return c
}
