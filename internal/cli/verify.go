package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/history"
)

func newVerifyCmd(s *Streams) *cobra.Command {
	var output, node string
	var workers int
	c := &cobra.Command{
		Use:   "verify FILE | --node URL",
		Short: "Replay an exported history offline and check every result and app hash",
		Long: `verify reads a history file (written by "folkmoot export"), rebuilds the
community from its genesis, checks every signature, re-applies every
transaction and recomputes every decision and the app hash after every
block. It reads nothing but the file.

It prints "result OK" and exits 0 only when the whole file was read and
every claim in it matches. Otherwise it prints "result FAILED:" with the
height of the first mismatch or of the part of the file it could not read
(a missing block, a file cut short, an altered or oversized item), and exits
non-zero. With --output json the summary has "ok" (true or false) and, on
failure, "error".

With --node, verify streams the history from a node's RPC instead of a
file and replays it as it arrives, writing nothing: the audit of a node
that joined by state sync (which trusted its snapshot's app hash) or of a
community as a whole, from any node that keeps every block.`,
		Example: `  folkmoot verify history.fmh
  folkmoot verify history.fmh --output json
  folkmoot verify --node http://10.0.0.5:26657`,
		Args: func(cmd *cobra.Command, args []string) error {
			if (node == "") == (len(args) == 0) || len(args) > 1 {
				return fmt.Errorf("give a history file or --node URL, exactly one")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			var in io.Reader
			if node != "" {
				cl, err := client.New(node)
				if err != nil {
					return err
				}
				// No deadline: a long record streams for as long as it takes.
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				pr, pw := io.Pipe()
				defer pr.Close()
				go func() {
					_, err := cl.Export(ctx, pw, func(int64, int64) {})
					pw.CloseWithError(err)
				}()
				in = pr
			} else {
				f, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("open history: %w", err)
				}
				defer f.Close()
				in = f
			}
			last := time.Now()
			sum, verr := history.Verify(in, history.Options{
				Workers: workers,
				Clock:   time.Now,
				Progress: func(height, txs int64) {
					if time.Since(last) > 2*time.Second {
						last = time.Now()
						fmt.Fprintf(s.Err, "verified %d blocks, %d transactions\n", height, txs)
					}
				},
			})
			if output == "json" {
				enc := json.NewEncoder(s.Out)
				enc.SetIndent("", "  ")
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else {
				printSummary(s, sum)
			}
			if verr != nil {
				return fmt.Errorf("verify: %w", verr)
			}
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&workers, "workers", 0, "goroutines verifying signatures (0: all CPUs)")
	c.Flags().StringVar(&node, "node", "", "stream the history from this node's RPC instead of a file")
	return c
}

// printSummary prints what verify found; its last line is "result OK: …"
// only when the whole file was read and every claim matched.
func printSummary(s *Streams, sum history.Summary) {
	if sum.ChainID == "" {
		// Not even the header could be read: there is nothing to sum up.
		fmt.Fprintf(s.Out, "result      FAILED: %s\n", sum.Error)
		return
	}
	fmt.Fprintf(s.Out, "community   %s (%s)\n", sum.Community, sum.ChainID)
	fmt.Fprintf(s.Out, "blocks      %d, last at %s\n", sum.Blocks, sum.LastTime.Format(core.TimeFormat))
	fmt.Fprintf(s.Out, "txs         %d (%d accepted, %d rejected), all signatures checked\n", sum.Txs, sum.Accepted, sum.Rejected)
	fmt.Fprintf(s.Out, "members     %d\n", sum.Members)
	fmt.Fprintf(s.Out, "proposals   %d, %d decided\n", sum.Proposals, len(sum.Decisions))
	for _, d := range sum.Decisions {
		fmt.Fprintf(s.Out, "  %s\n", d)
	}
	if sum.SecretBallots > 0 || sum.SecretTallies > 0 {
		fmt.Fprintf(s.Out, "secret      %d ballots and %d partial decryptions, every proof checked; %d tallies\n", sum.SecretBallots, sum.Decryptions, sum.SecretTallies)
		for _, t := range sum.Tallies {
			fmt.Fprintf(s.Out, "  %s\n", t)
		}
	}
	fmt.Fprintf(s.Out, "app hash    %s\n", sum.Root)
	if sum.TxPerSec > 0 {
		fmt.Fprintf(s.Out, "speed       %.0f tx/s\n", sum.TxPerSec)
	}
	if sum.OK {
		fmt.Fprintln(s.Out, "result      OK: every result and app hash matches the record")
	} else {
		fmt.Fprintf(s.Out, "result      FAILED: %s\n", sum.Error)
	}
}
