package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
)

// nodeFlag adds --node to a command that talks to a node.
func nodeFlag(c *cobra.Command, dst *string) {
	c.Flags().StringVar(dst, "node", client.DefaultNode, "CometBFT RPC address of a folkmoot node")
}

func writeJSON(s *Streams, v any) error {
	enc := json.NewEncoder(s.Out)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func timeout() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), 30*time.Second)
}

// dial connects to the node at url for one read, bounded by timeout.
// Callers must call the returned cancel.
func dial(url string) (*client.Client, context.Context, context.CancelFunc, error) {
	cl, err := client.New(url)
	if err != nil {
		return nil, nil, nil, err
	}
	ctx, cancel := timeout()
	return cl, ctx, cancel, nil
}

// readFlags are the flags of a command that reads from a node.
type readFlags struct{ node, output string }

func (r *readFlags) add(c *cobra.Command) {
	nodeFlag(c, &r.node)
	outputFlag(c, &r.output)
}

// get asks the node's path with data into out.
func (r *readFlags) get(path, data string, out any) error {
	if err := checkOutput(r.output); err != nil {
		return err
	}
	cl, ctx, cancel, err := dial(r.node)
	if err != nil {
		return err
	}
	defer cancel()
	return cl.Query(ctx, path, data, out)
}

func newStatusCmd(s *Streams) *cobra.Command {
	var node, output string
	c := &cobra.Command{
		Use:     "status",
		Short:   "Show the community's state as a node sees it",
		Example: "  folkmoot status\n  folkmoot status --node http://10.0.0.5:26657 --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			cl, ctx, cancel, err := dial(node)
			if err != nil {
				return err
			}
			defer cancel()
			st, err := cl.Status(ctx)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(s, st)
			}
			c := st.Constitution
			fmt.Fprintf(s.Out, "community  %s (chain %s)\n", st.Community, st.ChainID)
			fmt.Fprintf(s.Out, "height     %d at %s\n", st.Height, st.Time.Format(core.TimeFormat))
			fmt.Fprintf(s.Out, "app hash   %s\n", st.AppHash)
			fmt.Fprintf(s.Out, "members    %d\n", st.Members)
			fmt.Fprintf(s.Out, "proposals  %d (%d open)\n", st.Proposals, st.OpenVotes)
			fmt.Fprintf(s.Out, "rules      %d vouches to join; quorum %s of members; pass with %s of yes+no; voting %s to %s\n",
				c.VouchesRequired, c.Quorum.QuorumWords(), c.Threshold.Words(), c.MinVoting, c.MaxVoting)
			return nil
		},
	}
	nodeFlag(c, &node)
	outputFlag(c, &output)
	return c
}

func newMembersCmd(s *Streams) *cobra.Command {
	var r readFlags
	c := &cobra.Command{
		Use:     "members",
		Short:   "List the current members",
		Example: "  folkmoot members\n  folkmoot members --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var ms []query.Member
			if err := r.get(query.PathMembers, "", &ms); err != nil {
				return err
			}
			if r.output == "json" {
				return writeJSON(s, ms)
			}
			w := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "#\tNAME\tKEY\tADMITTED\tVOUCHED BY")
			for _, m := range ms {
				by := make([]string, len(m.VouchedBy))
				for i, v := range m.VouchedBy {
					by[i] = strconv.FormatUint(uint64(v), 10)
				}
				vb := strings.Join(by, ",")
				if vb == "" {
					vb = "founder"
				}
				fmt.Fprintf(w, "%d\t%s\t%s\t%s\t%s\n", m.Number, m.Name, m.Key, m.Admitted.Format(core.TableFormat), vb)
			}
			return w.Flush()
		},
	}
	r.add(c)
	return c
}

func newShowCmd(s *Streams) *cobra.Command {
	show := &cobra.Command{Use: "show", Short: "Show one thing in detail"}
	var node, output string
	c := &cobra.Command{
		Use:     "proposal N",
		Short:   "Show a proposal: its text, running tally, and result once decided",
		Example: "  folkmoot show proposal 1\n  folkmoot show proposal 1 --output json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return fmt.Errorf("proposal number %q is not a positive number", args[0])
			}
			cl, ctx, cancel, err := dial(node)
			if err != nil {
				return err
			}
			defer cancel()
			p, err := cl.Proposal(ctx, id)
			if err != nil {
				return err
			}
			if output == "json" {
				return writeJSON(s, p)
			}
			printProposal(s, p)
			return nil
		},
	}
	nodeFlag(c, &node)
	outputFlag(c, &output)
	show.AddCommand(c, newShowElectionCmd(s))
	return show
}

func printProposal(s *Streams, p query.Proposal) {
	const tf = core.TimeFormat
	fmt.Fprintf(s.Out, "Proposal %d: %s\n", p.ID, p.Title)
	if p.Category == "" { // a recall ballot, opened by a petition
		fmt.Fprintf(s.Out, "%s ballot, petition started by %s (member %d), %s\n", p.Type, p.AuthorName, p.Author, p.Status)
	} else {
		fmt.Fprintf(s.Out, "by %s (member %d), category %s, %s\n", p.AuthorName, p.Author, p.Category, p.Status)
	}
	if in := p.Initiative; in != nil {
		fmt.Fprintf(s.Out, "initiative: %d of %d signatures needed; %s\n", in.Endorsements, in.Needed, initiativeWhen(p))
	}
	if p.Initiative == nil || p.Initiative.Qualified {
		fmt.Fprintf(s.Out, "voting %s → %s\n", p.Opens.Format(tf), p.Closes.Format(tf))
	}
	if p.Measure != "" && p.Measure != "resolution" {
		m := p.Measure
		if p.Law != 0 {
			m += fmt.Sprintf(" of law %d", p.Law)
		}
		fmt.Fprintf(s.Out, "measure %s, decided as %s\n", m, p.Type)
	}
	if p.Body != "" {
		fmt.Fprintf(s.Out, "\n%s\n\n", p.Body)
	}
	if p.Secret != nil {
		printSecret(s, p)
	} else {
		fmt.Fprintf(s.Out, "tally     %d yes, %d no, %d abstain of %d eligible\n", p.Yes, p.No, p.Abstain, p.Eligible)
	}
	fmt.Fprintf(s.Out, "rules     quorum %s of members, pass with %s of yes+no\n", p.Quorum, p.Threshold)
	fmt.Fprintf(s.Out, "support   %d endorsements, %d comments\n", p.Endorsements, p.Comments)
	if p.Amount > 0 {
		fmt.Fprintf(s.Out, "budget    %d, of which %d paid\n", p.Amount, p.Spent)
	}
	fmt.Fprintf(s.Out, "result    %s\n", resultLine(p))
	if p.Result != nil && p.Result.Delegated != nil {
		d := p.Result.Delegated
		fmt.Fprintf(s.Out, "delegated %d yes, %d no, %d abstain of the result carried by delegation; not counted: %d over the weight cap, %d in cycles\n",
			d.Yes, d.No, d.Abstain, d.Capped, d.Cyclic)
	}
}

// resultLine says where a proposal stands in one line.
func resultLine(p query.Proposal) string {
	r := p.Result
	switch {
	case p.Initiative != nil && !p.Initiative.Qualified:
		return fmt.Sprintf("%s: no vote (%d of %d signatures)", p.Status, p.Initiative.Endorsements, p.Initiative.Needed)
	case r == nil && p.Status == "withdrawn":
		return "withdrawn by its author before voting opened"
	case r == nil && p.Status == "scheduled":
		return fmt.Sprintf("scheduled: voting opens %s, closes %s",
			p.Opens.UTC().Format(core.MinuteFormat), p.Closes.UTC().Format(core.MinuteFormat))
	}
	if r == nil {
		return fmt.Sprintf("%s: %d yes, %d no, %d abstain so far of %d eligible; closes %s",
			p.Status, p.Yes, p.No, p.Abstain, p.Eligible, p.Closes.Format(core.MinuteFormat))
	}
	verdict := "FAILED"
	if r.Passed {
		verdict = "PASSED"
	}
	q := "quorum reached"
	if !r.QuorumReached {
		q = "quorum NOT reached"
	}
	if sec := p.Secret; sec != nil && len(sec.Options) > 0 {
		w := "no single option has the most votes"
		if sec.NotDecrypted {
			w = "not decrypted"
		} else if sec.Winner != nil {
			w = "chosen: " + sec.Options[*sec.Winner]
		}
		if sec.Counts != nil {
			var parts []string
			for i, o := range sec.Options {
				parts = append(parts, fmt.Sprintf("%s %d", o, sec.Counts[i]))
			}
			w += " (" + strings.Join(parts, ", ") + ")"
		}
		return fmt.Sprintf("%s — %s; turnout %d of %d (%s, needs %s)", verdict, w, r.Turnout, r.Eligible, q, p.Quorum)
	}
	return fmt.Sprintf("%s — %d yes, %d no, %d abstain; turnout %d of %d (%s, needs %s); pass needs %s of yes+no",
		verdict, r.Yes, r.No, r.Abstain, r.Turnout, r.Eligible, q, p.Quorum, p.Threshold)
}
