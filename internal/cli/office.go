package cli

import (
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// timeFormat is how the read commands print block times.
const timeFormat = core.TimeFormat

func newOfficeCmd(s *Streams) *cobra.Command {
	o := &cobra.Command{Use: "office", Short: "The community's offices: holders, elections, notices and payments"}
	var list readFlags
	lc := &cobra.Command{
		Use:     "list",
		Short:   "List the offices with their holders, term ends and next elections",
		Example: "  folkmoot office list\n  folkmoot office list --output json",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var os []query.Office
			if err := list.get(query.PathOffices, "", &os); err != nil {
				return err
			}
			if list.output == "json" {
				return writeJSON(s, os)
			}
			if len(os) == 0 {
				fmt.Fprintln(s.Out, "the constitution has no offices")
				return nil
			}
			w := tabwriter.NewWriter(s.Out, 0, 4, 2, ' ', 0)
			fmt.Fprintln(w, "OFFICE\tSEATS\tTERM\tHOLDERS\tTERM ENDS\tNEXT ELECTION")
			for _, of := range os {
				ends := "-"
				if of.TermEnds != nil {
					ends = of.TermEnds.Format(core.TableFormat)
				}
				fmt.Fprintf(w, "%s\t%d\t%s\t%s\t%s\t%s\n", of.Name, of.Seats, of.Term, holderNames(of.Holders), ends, nextElection(of.Elections))
			}
			return w.Flush()
		},
	}
	list.add(lc)

	var show readFlags
	sc := &cobra.Command{
		Use:     "show NAME",
		Short:   "Show an office: rules, holders, elections, petitions, notices and payments",
		Example: "  folkmoot office show clerk\n  folkmoot office show treasurer --output json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var d query.OfficeDetail
			if err := show.get(query.PathOffice, args[0], &d); err != nil {
				return err
			}
			if show.output == "json" {
				return writeJSON(s, d)
			}
			printOffice(s, d)
			return nil
		},
	}
	show.add(sc)

	var na actFlags
	var title, text, textFile string
	nc := &cobra.Command{
		Use:     "notice OFFICE --title TITLE --text TEXT",
		Short:   "Publish an official notice (a holder of an office with the power \"notice\")",
		Example: "  folkmoot office notice clerk --title \"Assembly\" --text \"Thursday at eight, in the hall.\" --as ada",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			var err error
			if text, err = textOrFile(text, textFile, "--text"); err != nil {
				return err
			}
			return na.act(s, &tx.Notice{Office: args[0], Title: title, Text: text})
		},
	}
	na.add(nc)
	nc.Flags().StringVar(&title, "title", "", "the notice's title")
	nc.Flags().StringVar(&text, "text", "", "the notice")
	nc.Flags().StringVar(&textFile, "text-file", "", "read the notice from a file")
	nc.MarkFlagRequired("title")

	var pa actFlags
	var budget, amount uint64
	var payee, memo string
	pc := &cobra.Command{
		Use:   "pay OFFICE --budget N --amount A --payee PAYEE",
		Short: "Record a payment within an approved budget (a holder of an office with the power \"payment\")",
		Long: `pay records a payment against budget proposal N: a proposal decided under
the "budget" rules, passed, that carried an amount (folkmoot propose --type
budget --amount). Amounts are in minor units (cents); the payments against
one budget may not add up to more than its amount.`,
		Example: "  folkmoot office pay treasurer --budget 4 --amount 12000 --payee \"Hall Builders\" --memo \"roof, first half\" --as chiara",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return pa.act(s, &tx.Payment{Office: args[0], Budget: budget, Amount: amount, Payee: payee, Memo: memo})
		},
	}
	pa.add(pc)
	pc.Flags().Uint64Var(&budget, "budget", 0, "the budget proposal's number")
	pc.Flags().Uint64Var(&amount, "amount", 0, "the amount, in minor units (cents)")
	pc.Flags().StringVar(&payee, "payee", "", "who is paid")
	pc.Flags().StringVar(&memo, "memo", "", "what for")
	for _, f := range []string{"budget", "amount", "payee"} {
		pc.MarkFlagRequired(f)
	}
	o.AddCommand(lc, sc, nc, pc)
	return o
}

func holderNames(hs []query.Holder) string {
	if len(hs) == 0 {
		return "(vacant)"
	}
	var out []string
	for _, h := range hs {
		out = append(out, fmt.Sprintf("%s (%d)", h.Name, h.Member))
	}
	return strings.Join(out, ", ")
}

func nextElection(es []query.Election) string {
	if len(es) == 0 {
		return "-"
	}
	e := es[0]
	switch e.Status {
	case "scheduled":
		return fmt.Sprintf("%d: nominations open %s", e.ID, e.Opens.Format(core.TableFormat))
	case "nominating":
		return fmt.Sprintf("%d: nominations until %s", e.ID, e.VotingOpens.Format(core.TableFormat))
	}
	return fmt.Sprintf("%d: voting until %s", e.ID, e.Closes.Format(core.TableFormat))
}

func printOffice(s *Streams, d query.OfficeDetail) {
	fmt.Fprintf(s.Out, "Office %s: %d %s, terms of %s, chosen by %s\n", d.Name, d.Seats, plural(d.Seats, "seat", "seats"), d.Term, d.Selection)
	limits := "no term limits"
	if d.MaxConsecutiveTerms > 0 || d.MaxTerms > 0 {
		limits = fmt.Sprintf("at most %s in a row, %s in a lifetime", limit(d.MaxConsecutiveTerms), limit(d.MaxTerms))
	}
	powers := "none"
	if len(d.Powers) > 0 {
		powers = strings.Join(d.Powers, ", ")
	}
	fmt.Fprintf(s.Out, "limits    %s\npowers    %s\nelections nominations %s, voting %s\n", limits, powers, d.NominationPeriod, d.VotingPeriod)
	if len(d.Holders) == 0 {
		fmt.Fprintln(s.Out, "holders   (vacant)")
	}
	for _, h := range d.Holders {
		fmt.Fprintf(s.Out, "holder    %s (member %d), since %s, until %s\n", h.Name, h.Member, h.Since.Format(timeFormat), h.Until.Format(timeFormat))
	}
	for _, e := range d.Elections {
		fmt.Fprintf(s.Out, "upcoming  %s\n", electionLine(e))
	}
	for i := len(d.Past) - 1; i >= 0; i-- {
		fmt.Fprintf(s.Out, "past      %s\n", electionLine(d.Past[i]))
	}
	for _, p := range d.Petitions {
		fmt.Fprintf(s.Out, "petition  %d to recall %s: %d of %d signatures, %s\n", p.ID, p.Holder.Name, len(p.Signers), p.Needed, p.Status)
	}
	for _, n := range d.Notices {
		fmt.Fprintf(s.Out, "notice    %d by %s at %s: %s\n", n.ID, n.By.Name, n.Time.Format(timeFormat), n.Title)
	}
	for _, p := range d.Payments {
		fmt.Fprintf(s.Out, "payment   %d by %s: %d to %s under budget %d (%s)\n", p.ID, p.By.Name, p.Amount, p.Payee, p.Budget, p.Memo)
	}
}

func limit(n int) string {
	if n == 0 {
		return "any number"
	}
	return fmt.Sprintf("%d %s", n, plural(n, "term", "terms"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func personList(ps []query.Person) string {
	if len(ps) == 0 {
		return "none"
	}
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("%s (%d)", p.Name, p.Member))
	}
	return strings.Join(out, ", ")
}

func electionLine(e query.Election) string {
	kind := "election"
	if e.ByElection {
		kind = "by-election"
	}
	switch e.Status {
	case "decided":
		return fmt.Sprintf("%s %d, decided %s: elected %s", kind, e.ID, e.Closes.Format(timeFormat), personList(e.Winners))
	case "cancelled":
		return fmt.Sprintf("%s %d, cancelled", kind, e.ID)
	}
	return fmt.Sprintf("%s %d, %s: nominations %s, voting %s to %s; candidates %s", kind, e.ID, e.Status,
		e.Opens.Format(timeFormat), e.VotingOpens.Format(timeFormat), e.Closes.Format(timeFormat), personList(e.Candidates))
}

func parseElection(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("election number %q is not a positive number", s)
	}
	return id, nil
}

func newCandidateCmd(s *Streams) *cobra.Command {
	var a actFlags
	var withdraw bool
	c := &cobra.Command{
		Use:   "candidate ELECTION",
		Short: "Stand for an election during its nominations (or withdraw with --withdraw)",
		Long: `candidate puts you forward in an election while its nominations are open.
The constitution's term limits apply: a candidacy that would exceed them is
refused with the sentence saying which.`,
		Example: "  folkmoot candidate 3 --as ada\n  folkmoot candidate 3 --withdraw --as ada",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseElection(args[0])
			if err != nil {
				return err
			}
			if withdraw {
				return a.act(s, &tx.WithdrawCandidacy{Election: id})
			}
			return a.act(s, &tx.Candidacy{Election: id})
		},
	}
	a.add(c)
	c.Flags().BoolVar(&withdraw, "withdraw", false, "withdraw your candidacy instead")
	return c
}

// resolveCandidates turns member numbers or candidates' names into member
// numbers, using the election's list of candidates for names.
func resolveCandidates(e query.Election, args []string) ([]uint32, error) {
	out := make([]uint32, 0, len(args))
	for _, a := range args {
		if n, err := strconv.ParseUint(a, 10, 32); err == nil {
			out = append(out, uint32(n))
			continue
		}
		var found []uint32
		for _, c := range e.Candidates {
			if strings.EqualFold(c.Name, a) {
				found = append(found, c.Member)
			}
		}
		switch len(found) {
		case 0:
			return nil, fmt.Errorf("%q does not stand in election %d (candidates: %s)", a, e.ID, personList(e.Candidates))
		case 1:
			out = append(out, found[0])
		default:
			return nil, fmt.Errorf("%q names %d candidates in election %d; use member numbers", a, len(found), e.ID)
		}
	}
	return out, nil
}

func newElectCmd(s *Streams) *cobra.Command {
	var a actFlags
	c := &cobra.Command{
		Use:   "elect ELECTION CANDIDATE...",
		Short: "Cast (or replace) your ranked ballot in an election",
		Long: `elect ranks candidates, most preferred first, by member number or name.
You may vote again until voting closes; the last ballot counts. One seat is
counted by instant-runoff voting, several by STV; ties the ballots cannot
break go to the candidate who stood first.`,
		Example: "  folkmoot elect 3 7 3 12 --as ada\n  folkmoot elect 3 Chiara Bram --as ada",
		Args:    cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseElection(args[0])
			if err != nil {
				return err
			}
			cl, ctx, cancel, err := dial(a.node)
			if err != nil {
				return err
			}
			var e query.Election
			err = cl.Query(ctx, query.PathElection, args[0], &e)
			cancel()
			if err != nil {
				return err
			}
			ranking, err := resolveCandidates(e, args[1:])
			if err != nil {
				return err
			}
			return a.act(s, &tx.Rank{Election: id, Ranking: ranking})
		},
	}
	a.add(c)
	return c
}

func newRecallCmd(s *Streams) *cobra.Command {
	var a actFlags
	c := &cobra.Command{
		Use:   "recall OFFICE MEMBER",
		Short: "Sign (or start) a petition to recall a holder from an office",
		Long: `recall signs the petition against MEMBER's seat in OFFICE (a member number,
or the holder's name); the first signature opens it for the constitution's
petition window. When enough current members have signed, a recall ballot
opens at once as a proposal; if it passes, the seat is vacated and a
by-election opens.`,
		Example: "  folkmoot recall treasurer 4 --as bram\n  folkmoot recall clerk Ada --as bram",
		Args:    cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			member, err := strconv.ParseUint(args[1], 10, 32)
			if err != nil {
				cl, ctx, cancel, derr := dial(a.node)
				if derr != nil {
					return derr
				}
				var d query.OfficeDetail
				err = cl.Query(ctx, query.PathOffice, args[0], &d)
				cancel()
				if err != nil {
					return err
				}
				member = 0
				for _, h := range d.Holders {
					if strings.EqualFold(h.Name, args[1]) {
						member = uint64(h.Member)
					}
				}
				if member == 0 {
					return fmt.Errorf("%q holds no seat as %s (holders: %s)", args[1], args[0], holderNames(d.Holders))
				}
			}
			return a.act(s, &tx.Recall{Office: args[0], Member: uint32(member)})
		},
	}
	a.add(c)
	return c
}

func newShowElectionCmd(s *Streams) *cobra.Command {
	var r readFlags
	c := &cobra.Command{
		Use:     "election N",
		Short:   "Show an election: candidates, status, and the round-by-round count once decided",
		Example: "  folkmoot show election 1\n  folkmoot show election 1 --output json",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if _, err := parseElection(args[0]); err != nil {
				return err
			}
			var e query.Election
			if err := r.get(query.PathElection, args[0], &e); err != nil {
				return err
			}
			if r.output == "json" {
				return writeJSON(s, e)
			}
			printElection(s, e)
			return nil
		},
	}
	r.add(c)
	return c
}

func printElection(s *Streams, e query.Election) {
	kind := "Election"
	if e.ByElection {
		kind = "By-election"
	}
	fmt.Fprintf(s.Out, "%s %d: %s, %d %s, %s\n", kind, e.ID, e.Office, e.Seats, plural(e.Seats, "seat", "seats"), e.Status)
	fmt.Fprintf(s.Out, "nominations %s → %s\nvoting      %s → %s\nterm until  %s\n", e.Opens.Format(timeFormat), e.VotingOpens.Format(timeFormat),
		e.VotingOpens.Format(timeFormat), e.Closes.Format(timeFormat), e.TermEnds.Format(timeFormat))
	fmt.Fprintf(s.Out, "candidates  %s\nballots     %d", personList(e.Candidates), e.Ballots)
	if e.Eligible > 0 {
		fmt.Fprintf(s.Out, " of %d eligible", e.Eligible)
	}
	fmt.Fprintln(s.Out)
	if e.Status != "decided" {
		return
	}
	fmt.Fprintf(s.Out, "ELECTED     %s\n", personList(e.Winners))
	if len(e.Excluded) > 0 {
		fmt.Fprintf(s.Out, "not counted %s (left, or already holding a seat)\n", personList(e.Excluded))
	}
	if e.Method != "" {
		fmt.Fprintf(s.Out, "count       %s\n", strings.ToUpper(e.Method))
	}
	for _, r := range e.Rounds {
		var vs []string
		for _, v := range r.Votes {
			vs = append(vs, fmt.Sprintf("%s %s", v.Name, v.Votes))
		}
		line := fmt.Sprintf("  %d %s: %s; exhausted %s", r.Number, r.Action, strings.Join(vs, ", "), r.Exhausted)
		if r.Eliminated != nil {
			line += "; excluded " + r.Eliminated.Name
		}
		if len(r.Elected) > 0 {
			line += "; elected " + personList(r.Elected)
		}
		fmt.Fprintln(s.Out, line)
	}
	for _, t := range e.Ties {
		fmt.Fprintf(s.Out, "  tie %s\n", t)
	}
}
