package cli

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// This file holds the commands for laws, the rule history and popular
// initiatives, and the flags with which propose says what a proposal does.

// measureFlags say what a proposal does if it passes, and under which
// decision type it is decided.
type measureFlags struct {
	typ, measure, rulesFile string
	law                     uint64
	sunset                  time.Duration
}

func (f *measureFlags) add(c *cobra.Command) {
	c.Flags().StringVar(&f.typ, "type", "", "decision type (ordinary, budget, amendment or one the constitution defines); default: the category's, or ordinary")
	c.Flags().StringVar(&f.measure, "measure", "resolution", "what passing does: resolution, law, renewal, repeal or amendment")
	c.Flags().Uint64Var(&f.law, "law", 0, "the law a renewal or repeal is about")
	c.Flags().DurationVar(&f.sunset, "sunset", 0, "how long a law lives, or a renewal extends it (default: the constitution's)")
	c.Flags().StringVar(&f.rulesFile, "rules-file", "", "an amendment's new rules: a JSON file with the constitution keys it changes")
}

// apply fills p's type and measure from the flags.
func (f *measureFlags) apply(p *tx.Propose) error {
	m, err := tx.ParseMeasure(f.measure)
	if err != nil {
		return fmt.Errorf("--measure: %w", err)
	}
	p.Type, p.Measure, p.Law = f.typ, m, f.law
	if f.sunset != 0 {
		if f.sunset < time.Second || f.sunset%time.Second != 0 {
			return fmt.Errorf("--sunset must be a whole number of seconds, such as 8760h, not %s", f.sunset)
		}
		p.Sunset = int64(f.sunset / time.Second)
	}
	if f.rulesFile != "" {
		b, err := os.ReadFile(f.rulesFile)
		if err != nil {
			return fmt.Errorf("--rules-file: %w", err)
		}
		p.Rules = strings.TrimSpace(string(b))
	}
	return nil
}

func newLawCmd(s *Streams) *cobra.Command {
	law := &cobra.Command{Use: "law", Short: "The register of laws: list, show, renew, repeal"}

	var list readFlags
	var at string
	lc := &cobra.Command{
		Use:   "list",
		Short: "List the laws in force, now or at a past time, with their sunsets",
		Example: `  folkmoot law list
  folkmoot law list --at 2027-06-01T12:00:00Z --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ls []query.LawEntry
			if err := list.get(query.PathLaws, at, &ls); err != nil {
				return err
			}
			if list.output == "json" {
				return writeJSON(s, ls)
			}
			if len(ls) == 0 {
				fmt.Fprintln(s.Out, "no laws in force")
				return nil
			}
			w := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "#\tTITLE\tENACTED\tEXPIRES\tRENEWALS")
			for _, l := range ls {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d\n", l.Number, l.Title, l.Enacted.Format(timeFormat), l.Expires.Format(timeFormat), len(l.Renewals))
			}
			return w.Flush()
		},
	}
	list.add(lc)
	lc.Flags().StringVar(&at, "at", "", "a past time (RFC 3339): the laws in force then")

	var show readFlags
	sc := &cobra.Command{
		Use:     "show N",
		Short:   "Show a law and its history: enacted, renewed, repealed or expired",
		Example: "  folkmoot law show 2",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseLaw(args[0])
			if err != nil {
				return err
			}
			var d query.LawDetail
			if err := show.get(query.PathLaw, strconv.FormatUint(n, 10), &d); err != nil {
				return err
			}
			if show.output == "json" {
				return writeJSON(s, d)
			}
			fmt.Fprintf(s.Out, "Law %d: %s\n%s; sunset %s\n\n", d.Number, d.Title, strings.ReplaceAll(d.Status, "_", " "), d.Expires.Format(timeFormat))
			for _, e := range d.History {
				line := fmt.Sprintf("%s  %s", e.Time.Format(timeFormat), e.What)
				if e.Proposal != 0 {
					line += fmt.Sprintf(" by proposal %d", e.Proposal)
				}
				if !e.Expires.IsZero() && (e.What == "enacted" || e.What == "renewed") {
					line += ", to expire " + e.Expires.Format(timeFormat)
				}
				fmt.Fprintln(s.Out, line)
			}
			return nil
		},
	}
	show.add(sc)

	law.AddCommand(lc, sc, newLawMeasureCmd(s, tx.Renew), newLawMeasureCmd(s, tx.Repeal))
	return law
}

// newLawMeasureCmd is "law renew" or "law repeal": a proposal with that
// measure, voting from now.
func newLawMeasureCmd(s *Streams, m tx.Measure) *cobra.Command {
	var a actFlags
	var title, body, category string
	var voting, sunset time.Duration
	verb := map[tx.Measure]string{tx.Renew: "renew", tx.Repeal: "repeal"}[m]
	c := &cobra.Command{
		Use:   verb + " N --title TITLE",
		Short: "Propose to " + verb + " law N (a proposal; it takes effect if it passes)",
		Long: `This proposes to ` + verb + ` a law in force, voting from now for --voting.
A renewal must close before the law's sunset and extends it by --sunset
(the constitution's default when absent) from its current sunset.`,
		Example: fmt.Sprintf("  folkmoot law %s 2 --title \"Keep the quiet hours\" --voting 168h --as ada", verb),
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			n, err := parseLaw(args[0])
			if err != nil {
				return err
			}
			p := &tx.Propose{Title: title, Body: body, Category: category, Measure: m, Law: n,
				Closes: time.Now().Add(voting + 5*time.Second).Unix()}
			if sunset != 0 {
				if sunset < time.Second || sunset%time.Second != 0 {
					return fmt.Errorf("--sunset must be a whole number of seconds, such as 8760h, not %s", sunset)
				}
				p.Sunset = int64(sunset / time.Second)
			}
			return a.act(s, p)
		},
	}
	a.add(c)
	c.Flags().StringVar(&title, "title", "", "title of the proposal")
	c.Flags().StringVar(&body, "body", "", "text in Markdown")
	c.Flags().StringVar(&category, "category", "general", "one of the constitution's categories")
	c.Flags().DurationVar(&voting, "voting", 7*24*time.Hour, "how long voting lasts")
	if m == tx.Renew {
		c.Flags().DurationVar(&sunset, "sunset", 0, "how much longer the law lives (default: the constitution's)")
	}
	c.MarkFlagRequired("title")
	return c
}

func parseLaw(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, fmt.Errorf("law number %q is not a positive number", s)
	}
	return n, nil
}

func newRulesCmd(s *Streams) *cobra.Command {
	var r readFlags
	var proposal uint64
	var height int64
	c := &cobra.Command{
		Use:   "rules",
		Short: "Show the rule history, or the rules that applied to a proposal or at a height",
		Long: `rules lists every version of the constitution with the block and the
amendment that made it. --proposal N shows the version that applied to
proposal N (the one in force when it was made); --height H the version in
force after block H.`,
		Example: "  folkmoot rules\n  folkmoot rules --proposal 17\n  folkmoot rules --height 1200 --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q := ""
			switch {
			case proposal != 0 && height != 0:
				return fmt.Errorf("give --proposal or --height, not both")
			case proposal != 0:
				q = "proposal=" + strconv.FormatUint(proposal, 10)
			case cmd.Flags().Changed("height"):
				q = "height=" + strconv.FormatInt(height, 10)
			}
			var vs []query.RuleVersionEntry
			if err := r.get(query.PathRules, q, &vs); err != nil {
				return err
			}
			if r.output == "json" {
				return writeJSON(s, vs)
			}
			for i, v := range vs {
				if i > 0 {
					fmt.Fprintln(s.Out)
				}
				printRules(s, v)
			}
			return nil
		},
	}
	r.add(c)
	c.Flags().Uint64Var(&proposal, "proposal", 0, "the proposal whose rules to show")
	c.Flags().Int64Var(&height, "height", 0, "the block height at which to show the rules in force")
	return c
}

func printRules(s *Streams, v query.RuleVersionEntry) {
	c := v.Constitution
	if v.Proposal == 0 {
		fmt.Fprintf(s.Out, "version %d: the genesis constitution (%s)\n", v.Version, v.Time.Format(timeFormat))
	} else {
		fmt.Fprintf(s.Out, "version %d: amended by proposal %d in block %d (%s)\n", v.Version, v.Proposal, v.Height, v.Time.Format(timeFormat))
	}
	for _, name := range c.TypeNames() {
		d, _ := c.DecisionType(name)
		fmt.Fprintf(s.Out, "  %-10s quorum %s of members, pass with %s of yes+no\n", name, d.Quorum.QuorumWords(), d.Threshold.Words())
	}
	for _, b := range c.CategoryTypes {
		fmt.Fprintf(s.Out, "  category %q is decided as %s\n", b.Category, b.Type)
	}
	fmt.Fprintf(s.Out, "  voting %s to %s; %d vouches to join\n", c.MinVoting, c.MaxVoting, c.VouchesRequired)
	fmt.Fprintf(s.Out, "  laws live %s by default, at most %s\n", c.DefaultSunset, c.MaxSunset)
	thr, window, voting := c.InitiativeRules()
	fmt.Fprintf(s.Out, "  initiatives need %s of members within %s, then vote for %s\n", thr, window, voting)
	switch {
	case c.Delegation.Off:
		fmt.Fprintln(s.Out, "  delegation is off")
	case c.Delegation.MaxWeight != 0:
		fmt.Fprintf(s.Out, "  delegation on; one ballot carries at most %d votes\n", c.Delegation.MaxWeight)
	default:
		fmt.Fprintln(s.Out, "  delegation on, no cap")
	}
}

func newInitiativeCmd(s *Streams) *cobra.Command {
	ini := &cobra.Command{
		Use:   "initiative",
		Short: "Popular initiatives: start one, sign one, list them",
		Long: `An initiative is a proposal that any member may start and that goes to a
vote, without anyone's leave, once enough members sign it (endorse it)
within the constitution's window. Voting opens in the block of the
signature that reaches the threshold and lasts the constitution's
initiative voting period.`,
	}

	var a actFlags
	var mf measureFlags
	var title, body, bodyFile, category string
	start := &cobra.Command{
		Use:   "start --title TITLE",
		Short: "Start a popular initiative",
		Example: `  folkmoot initiative start --as ada --title "Car-free Sundays" --measure law --sunset 8760h
  folkmoot initiative start --as ada --title "Lower the quorum" --measure amendment --rules-file quorum.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if body, err = textOrFile(body, bodyFile, "--body"); err != nil {
				return err
			}
			p := &tx.Propose{Title: title, Body: body, Category: category, Initiative: true}
			if err := mf.apply(p); err != nil {
				return err
			}
			return a.act(s, p)
		},
	}
	a.add(start)
	mf.add(start)
	start.Flags().StringVar(&title, "title", "", fmt.Sprintf("title (at most %d characters)", tx.MaxTitle))
	start.Flags().StringVar(&body, "body", "", "text in Markdown")
	start.Flags().StringVar(&bodyFile, "body-file", "", "read the Markdown text from a file")
	start.Flags().StringVar(&category, "category", "general", "one of the constitution's categories")
	start.MarkFlagRequired("title")

	var sa actFlags
	sign := &cobra.Command{
		Use:     "sign ID",
		Short:   "Sign (endorse) an initiative",
		Example: "  folkmoot initiative sign 7 --as bram",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposal(args[0])
			if err != nil {
				return err
			}
			return sa.act(s, &tx.Endorse{Proposal: id})
		},
	}
	sa.add(sign)

	var r readFlags
	var status string
	list := &cobra.Command{
		Use:     "list",
		Short:   "List initiatives: status, signatures against the threshold, window end",
		Example: "  folkmoot initiative list\n  folkmoot initiative list --status gathering --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ps []query.Proposal
			if err := r.get(query.PathInitiatives, status, &ps); err != nil {
				return err
			}
			if r.output == "json" {
				return writeJSON(s, ps)
			}
			if len(ps) == 0 {
				fmt.Fprintln(s.Out, "no initiatives")
				return nil
			}
			w := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "#\tTITLE\tMEASURE\tSTATUS\tSIGNED\tWHEN")
			for _, p := range ps {
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%d/%d\t%s\n", p.ID, p.Title, p.Measure, p.Status, p.Initiative.Endorsements, p.Initiative.Needed, initiativeWhen(p))
			}
			return w.Flush()
		},
	}
	r.add(list)
	list.Flags().StringVar(&status, "status", "", "only initiatives in this stage: gathering, open, decided, lapsed or withdrawn")

	ini.AddCommand(start, sign, list)
	return ini
}

// initiativeWhen says what an initiative waits for, in a few words.
func initiativeWhen(p query.Proposal) string {
	switch p.Status {
	case core.Gathering.String():
		return "gathers until " + p.Initiative.WindowEnd.Format(timeFormat)
	case core.Lapsed.String():
		return "lapsed at " + p.Initiative.WindowEnd.Format(timeFormat)
	case core.Open.String():
		return "voting closes " + p.Closes.Format(timeFormat)
	case core.Decided.String():
		if p.Result != nil && p.Result.Passed {
			return "passed at " + p.Closes.Format(timeFormat)
		}
		return "failed at " + p.Closes.Format(timeFormat)
	}
	return ""
}
