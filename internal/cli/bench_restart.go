package cli

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/bench"
)

func newBenchRestartCmd(s *Streams) *cobra.Command {
	var o bench.RestartOptions
	var output string
	c := &cobra.Command{
		Use:   "restart",
		Short: "Measure a node's restart from a snapshot against a full replay, and a join by state sync",
		Long: `bench restart starts a folkmoot node in a temporary directory, makes a
record of --ballots signed ballots submitted over RPC (a snapshot every
--interval blocks), stops it, and times its restart from the newest
snapshot (restart_s) and, with the snapshots moved away, its restart by
replaying every block (full_replay_s); then a new node joins it by state
sync (statesync_join_s, which includes CometBFT's 5 s of snapshot
discovery).`,
		Example: `  folkmoot bench restart --output json
  folkmoot bench restart --ballots 100000 --members 5000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			o.Progress = func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) }
			f, err := bench.Restart(o, time.Now)
			if err != nil {
				return fmt.Errorf("bench restart: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine        %d CPUs, %s\n", f.CPUs, f.CPUModel)
			fmt.Fprintf(s.Out, "record         %d transactions in %d blocks, %d members; snapshot at %d (%.0f MiB)\n", f.Txs, f.Blocks, f.Members, f.SnapshotHeight, f.SnapshotMB)
			fmt.Fprintf(s.Out, "restart        %.2f s from the snapshot\n", f.RestartS)
			fmt.Fprintf(s.Out, "full replay    %.2f s\n", f.FullReplayS)
			if f.StatesyncJoinS > 0 {
				fmt.Fprintf(s.Out, "state sync     %.1f s for a new node to join\n", f.StatesyncJoinS)
			}
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.Members, "members", 10000, "voting members")
	c.Flags().IntVar(&o.Ballots, "ballots", 1000000, "ballots in the record")
	c.Flags().IntVar(&o.Workers, "workers", 32, "concurrent RPC clients")
	c.Flags().Int64Var(&o.Interval, "interval", 20, "blocks between snapshots while the record is made")
	c.Flags().BoolVar(&o.NoStateSync, "no-state-sync", false, "skip the state-sync join")
	return c
}
