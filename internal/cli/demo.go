package cli

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/demo"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/query"
)

type demoOptions struct {
	home   string
	once   bool
	window time.Duration
}

func newDemoCmd(s *Streams) *cobra.Command {
	var o demoOptions
	c := &cobra.Command{
		Use:   "demo",
		Short: "Start a small demo community and watch it decide (nothing else to install)",
		Long: `demo founds a throwaway neighbourhood community with five members on a
single-validator node, admits two of them by vouches, puts five proposals
before it (two to a vote that closes during the demo, one open for a week,
one withdrawn, one scheduled), comments, endorses, casts ballots, waits for
the votes to close, prints the decided results, exports the whole record
and verifies it offline. Then it keeps the node and its web site running
until Ctrl-C (or exits with --once).`,
		Example: `  go run ./cmd/folkmoot demo
  folkmoot demo --once --home /tmp/demo`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
			defer cancel()
			return runDemo(ctx, s, o)
		},
	}
	c.Flags().StringVar(&o.home, "home", "", "home for the demo node (default: a new temporary directory)")
	c.Flags().BoolVar(&o.once, "once", false, "exit after printing the results instead of running on")
	c.Flags().DurationVar(&o.window, "voting", 20*time.Second, "voting window of the demo proposals that close during the demo")
	return c
}

func runDemo(ctx context.Context, s *Streams, o demoOptions) error {
	say := func(format string, a ...any) { fmt.Fprintf(s.Out, format+"\n", a...) }
	start := time.Now()
	d, err := demo.Start(ctx, demo.Options{Home: o.home, Voting: o.window, Out: s.Out, SiteLog: siteLog()})
	if err != nil {
		return err
	}
	defer d.Stop()
	cl := d.Client

	say("\nWaiting for voting on 1, 2 and 7 to close at %s (block time), and for the tree warden's election…", d.Closes.UTC().Format("15:04:05 UTC"))
	if err := d.Tally(ctx, say); err != nil {
		return err
	}
	if err := d.WaitDecided(ctx); err != nil {
		return err
	}
	say("\nResults:")
	for id := uint64(1); id <= demo.SecretProposal; id++ {
		p, err := cl.Proposal(ctx, id)
		if err != nil {
			return err
		}
		say("  %d. %s", p.ID, p.Title)
		say("     %s", resultLine(p))
	}
	var e query.Election
	if err := cl.Query(ctx, query.PathElection, "1", &e); err != nil {
		return err
	}
	winners := make([]string, len(e.Winners))
	for i, w := range e.Winners {
		winners[i] = w.Name
	}
	say("  Election 1, %s: %s elected after %d rounds", e.Office, strings.Join(winners, ", "), len(e.Rounds))
	dr, err := cl.Draw(ctx, demo.PanelDraw)
	if err != nil {
		return err
	}
	var drawn []string
	for _, m := range dr.Selected {
		drawn = append(drawn, m.Name)
	}
	say("  Draw 1, %s: %s drawn by stratified lot from %d volunteers (%d reveals; did not reveal: member %s)", dr.Title, strings.Join(drawn, " and "),
		len(dr.Pool), len(dr.Reveals), numbers(dr.NonRevealers))

	say("\nAudit: exporting the whole record and replaying it offline…")
	file := filepath.Join(d.Home, "history.fmh")
	if _, err := exportTo(ctx, cl, file, s); err != nil {
		return err
	}
	f, err := os.Open(file)
	if err != nil {
		return err
	}
	sum, verr := history.Verify(f, history.Options{Clock: time.Now})
	f.Close()
	printSummary(s, sum)
	if verr != nil {
		return fmt.Errorf("demo: the record does not verify: %w", verr)
	}
	say("\nCheck it yourself:  folkmoot verify %s", file)
	say("Ask the node:       folkmoot show proposal 1 --node %s", d.RPC)
	say("Re-run the draw:    folkmoot draw verify 1 --node %s", d.RPC)
	say("Metrics:            http://%s/metrics", d.Metrics)
	say("Open the site:      %s", d.Site)
	say("Demo ready in %.0f s.", time.Since(start).Seconds())
	if o.once {
		return nil
	}
	say("\nThe community keeps running; proposal 3 is still open and 5 opens in two days. Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
	case <-d.Done():
	}
	return nil
}
