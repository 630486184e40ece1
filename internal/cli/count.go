package cli

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/count/formats"
)

type countFlags struct {
	method, format, output, utility string
	seats                           int
	budget                          uint64
	explain, noAdd1, fill           bool
}

func newCountCmd(s *Streams) *cobra.Command {
	var f countFlags
	c := &cobra.Command{
		Use:   "count FILE",
		Short: "Count an election file (PrefLib, BLT, Pabulib) by a named method",
		Long: `Count an election file and print the winners and every round.

Formats (from the extension, or --format; a .gz suffix is decompressed):
  PrefLib .soc .soi .toc .toi, BLT .blt, Pabulib .pb

Methods:
  plurality, approval        highest scores win (--seats)
  irv                        instant-runoff, one seat
  schulze                    Condorcet-consistent, one winner and a full ranking
  stv                        Scottish STV (--seats, default from the BLT file)
  mes                        Method of Equal Shares (Pabulib), add-one completion
  greedy                     greedy utilitarian participatory budgeting

Ties the ballots cannot break are decided by ballot paper order; every tie is
reported.`,
		Example: `  folkmoot count --method stv ward.blt
  folkmoot count --method irv --explain burlington.toi
  folkmoot count --method mes --output json wieliczka.pb`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(f.output); err != nil {
				return err
			}
			return runCount(s, f, args[0])
		},
	}
	outputFlag(c, &f.output)
	c.Flags().StringVarP(&f.method, "method", "m", "", "irv, schulze, stv, approval, plurality, mes or greedy (default: mes for .pb, irv otherwise)")
	c.Flags().StringVar(&f.format, "format", "", "preflib, soc, soi, toc, toi, blt or pabulib (default: from the extension)")
	c.Flags().IntVar(&f.seats, "seats", 0, "seats to fill (stv, plurality, approval; default: from the file, or 1)")
	c.Flags().Uint64Var(&f.budget, "budget", 0, "budget for mes and greedy (default: the file's)")
	c.Flags().BoolVar(&f.explain, "explain", false, "print each round as an election official would publish it")
	c.Flags().StringVar(&f.utility, "utility", "cost", "mes utility: cost or approval")
	c.Flags().BoolVar(&f.noAdd1, "no-completion", false, "mes: skip the add-one completion")
	c.Flags().BoolVar(&f.fill, "fill", false, "mes: fund what is left greedily after MES")
	return c
}

func runCount(s *Streams, f countFlags, path string) error {
	format, _, err := formats.Detect(path, f.format)
	if err != nil {
		return err
	}
	if f.method == "" {
		f.method = "irv"
		if format == formats.Pabulib {
			f.method = "mes"
		}
	}
	pb := f.method == "mes" || f.method == "greedy"
	switch {
	case pb && format != formats.Pabulib:
		return fmt.Errorf("--method %s needs a Pabulib (.pb) file", f.method)
	case !pb && format == formats.Pabulib:
		return fmt.Errorf("--method %s needs ranked ballots (PrefLib or BLT); use mes or greedy for .pb", f.method)
	}
	r, err := formats.Open(path, f.format)
	if err != nil {
		return fmt.Errorf("count: %w", err)
	}
	defer r.Close()
	if r.Size > 32<<20 {
		// Report on stderr how much of a large file has been read.
		next := r.Size / 10
		r.Watch(func(read, size int64) {
			if read >= next {
				fmt.Fprintf(s.Err, "read %d of %d MiB\n", read>>20, size>>20)
				next += size / 10
			}
		})
	}
	if pb {
		e, err := r.Election()
		if err != nil {
			return fmt.Errorf("count: %s: %w", path, err)
		}
		if f.budget > 0 {
			e.Budget = f.budget
		}
		var res *count.PBResult
		if f.method == "mes" {
			res, err = count.MES(e, count.MESOptions{Utility: count.Utility(f.utility), Add1: !f.noAdd1, Fill: f.fill})
		} else {
			res, err = count.Greedy(e)
		}
		if err != nil {
			return err
		}
		return printPB(s, f, e, res)
	}
	p, err := r.Profile()
	if err != nil {
		return fmt.Errorf("count: %s: %w", path, err)
	}
	o := count.Options{Seats: f.seats}
	switch f.method {
	case "irv":
		res, err := count.IRV(p, o)
		if err != nil {
			return err
		}
		return printIRV(s, f, p, res)
	case "schulze":
		res, err := count.Schulze(p, o)
		if err != nil {
			return err
		}
		return printSchulze(s, f, p, res)
	case "stv":
		res, err := count.STV(p, o)
		if err != nil {
			return err
		}
		return printSTV(s, f, p, res)
	case "plurality", "approval":
		var res *count.TallyResult
		if f.method == "plurality" {
			res, err = count.Plurality(p, o)
		} else {
			res, err = count.Approval(p, o)
		}
		if err != nil {
			return err
		}
		return printTally(s, f, p, res)
	}
	return fmt.Errorf("unknown --method %q: use irv, schulze, stv, approval, plurality, mes or greedy", f.method)
}

// countJSON is the JSON shape every method shares: winners by name in order
// of election, beside the method's own result.
type countJSON struct {
	Method     string    `json:"method"`
	Title      string    `json:"title,omitempty"`
	Voters     uint64    `json:"voters"`
	Candidates []string  `json:"candidates"`
	Winners    []string  `json:"winners"`
	Ties       []tieJSON `json:"ties"`
	Result     any       `json:"result"`
}

type tieJSON struct {
	count.Tie
	AmongNames []string `json:"among_names"`
	ChosenName string   `json:"chosen_name"`
}

func tiesJSON(names []string, ts []count.Tie) []tieJSON {
	out := make([]tieJSON, 0, len(ts))
	for _, t := range ts {
		j := tieJSON{Tie: t, ChosenName: names[t.Chosen]}
		for _, c := range t.Among {
			j.AmongNames = append(j.AmongNames, names[c])
		}
		out = append(out, j)
	}
	return out
}

func emit(s *Streams, v countJSON) error {
	enc := json.NewEncoder(s.Out)
	return enc.Encode(v)
}

func printTies(s *Streams, names []string, ts []count.Tie) {
	for _, t := range ts {
		var among []string
		for _, c := range t.Among {
			among = append(among, names[c])
		}
		fmt.Fprintf(s.Out, "tie in round %d (%s) between %s: %s chosen by %s\n", t.Round, t.Purpose, strings.Join(among, ", "), names[t.Chosen], t.By)
	}
}

func printIRV(s *Streams, f countFlags, p *count.Profile, r *count.IRVResult) error {
	if f.output == "json" {
		return emit(s, countJSON{Method: "irv", Title: p.Title, Voters: p.Voters(), Candidates: p.Candidates,
			Winners: []string{p.Candidates[r.Winner]}, Ties: tiesJSON(p.Candidates, r.Ties), Result: r})
	}
	fmt.Fprintf(s.Out, "instant-runoff: %s, %d voters, %d candidates\n", orUntitled(p.Title), p.Voters(), len(p.Candidates))
	out := map[int]bool{}
	for i, rd := range r.Rounds {
		if f.explain {
			fmt.Fprintf(s.Out, "\nRound %d\n", i+1)
			for c, name := range p.Candidates {
				if !out[c] && !isWithdrawn(p, c) {
					fmt.Fprintf(s.Out, "  %-32s %10d\n", name, rd.Votes[c])
				}
			}
			fmt.Fprintf(s.Out, "  %-32s %10d\n", "exhausted", rd.Exhausted)
			if rd.Ambiguous > 0 {
				fmt.Fprintf(s.Out, "  %-32s %10d\n", "ambiguous (tied ranks)", rd.Ambiguous)
			}
		}
		if rd.Eliminated >= 0 {
			fmt.Fprintf(s.Out, "round %d: %s eliminated with %d votes\n", i+1, p.Candidates[rd.Eliminated], rd.Votes[rd.Eliminated])
			out[rd.Eliminated] = true
		} else {
			how := "the last candidate left"
			if r.Majority {
				how = "a majority of continuing votes"
			}
			fmt.Fprintf(s.Out, "round %d: %s elected with %d votes, %s\n", i+1, p.Candidates[r.Winner], rd.Votes[r.Winner], how)
		}
	}
	printTies(s, p.Candidates, r.Ties)
	fmt.Fprintf(s.Out, "winner: %s\n", p.Candidates[r.Winner])
	return nil
}

func printSchulze(s *Streams, f countFlags, p *count.Profile, r *count.SchulzeResult) error {
	if f.output == "json" {
		return emit(s, countJSON{Method: "schulze", Title: p.Title, Voters: p.Voters(), Candidates: p.Candidates,
			Winners: []string{p.Candidates[r.Winner]}, Ties: tiesJSON(p.Candidates, r.Ties), Result: r})
	}
	fmt.Fprintf(s.Out, "Schulze: %s, %d voters, %d candidates\n", orUntitled(p.Title), p.Voters(), len(p.Candidates))
	if f.explain {
		fmt.Fprintln(s.Out, "\npairwise preferences d[row][column]:")
		printMatrix(s, p, r.Pairwise)
		fmt.Fprintln(s.Out, "\nstrongest paths p[row][column]:")
		printMatrix(s, p, r.Strongest)
		fmt.Fprintln(s.Out)
	}
	if r.Condorcet >= 0 {
		fmt.Fprintf(s.Out, "Condorcet winner: %s\n", p.Candidates[r.Condorcet])
	} else {
		fmt.Fprintln(s.Out, "no Condorcet winner")
	}
	fmt.Fprintf(s.Out, "ranking: %s\n", strings.Join(p.Names(r.Ranking), " > "))
	printTies(s, p.Candidates, r.Ties)
	fmt.Fprintf(s.Out, "winner: %s\n", p.Candidates[r.Winner])
	return nil
}

func printMatrix(s *Streams, p *count.Profile, m [][]uint64) {
	for a, row := range m {
		fmt.Fprintf(s.Out, "  %2d %-24.24s", a+1, p.Candidates[a])
		for b, v := range row {
			if a == b {
				fmt.Fprintf(s.Out, " %8s", "-")
			} else {
				fmt.Fprintf(s.Out, " %8d", v)
			}
		}
		fmt.Fprintln(s.Out)
	}
}

func printSTV(s *Streams, f countFlags, p *count.Profile, r *count.STVResult) error {
	if f.output == "json" {
		return emit(s, countJSON{Method: "stv", Title: p.Title, Voters: p.Voters(), Candidates: p.Candidates,
			Winners: p.Names(r.Winners), Ties: tiesJSON(p.Candidates, r.Ties), Result: r})
	}
	fmt.Fprintf(s.Out, "%s\n%s: %d seats, %d valid ballots, %d invalid, quota %s\n", r.Rule, orUntitled(p.Title), r.Seats, r.Valid, r.Invalid, r.Quota)
	gone := map[int]bool{}
	for i, st := range r.Stages {
		what := st.Action
		switch st.Action {
		case "surplus":
			what = fmt.Sprintf("transfer of %s's surplus at %s", p.Candidates[st.Candidate], st.TransferValue)
		case "exclusion":
			what = fmt.Sprintf("exclusion of %s", p.Candidates[st.Candidate])
		}
		fmt.Fprintf(s.Out, "stage %d: %s", i+1, what)
		if len(st.Elected) > 0 {
			fmt.Fprintf(s.Out, "; elected %s", strings.Join(p.Names(st.Elected), ", "))
		}
		fmt.Fprintln(s.Out)
		if f.explain {
			for c, name := range p.Candidates {
				if !gone[c] && !isWithdrawn(p, c) {
					fmt.Fprintf(s.Out, "  %-32s %16s\n", name, st.Votes[c])
				}
			}
			fmt.Fprintf(s.Out, "  %-32s %16s\n  %-32s %16s\n", "non-transferable", st.NonTransferable, "lost to fractions", st.Fractions)
		}
		if st.Action == "exclusion" {
			gone[st.Candidate] = true
		}
	}
	printTies(s, p.Candidates, r.Ties)
	fmt.Fprintf(s.Out, "elected: %s\n", strings.Join(p.Names(r.Winners), ", "))
	return nil
}

func printTally(s *Streams, f countFlags, p *count.Profile, r *count.TallyResult) error {
	if f.output == "json" {
		return emit(s, countJSON{Method: r.Method, Title: p.Title, Voters: p.Voters(), Candidates: p.Candidates,
			Winners: p.Names(r.Winners), Ties: tiesJSON(p.Candidates, r.Ties), Result: r})
	}
	fmt.Fprintf(s.Out, "%s: %s, %d voters\n", r.Method, orUntitled(p.Title), p.Voters())
	for c, name := range p.Candidates {
		fmt.Fprintf(s.Out, "  %-32s %10d\n", name, r.Votes[c])
	}
	fmt.Fprintf(s.Out, "  %-32s %10d\n", "blank", r.Blank)
	printTies(s, p.Candidates, r.Ties)
	fmt.Fprintf(s.Out, "elected: %s\n", strings.Join(p.Names(r.Winners), ", "))
	return nil
}

func printPB(s *Streams, f countFlags, e *count.PBElection, r *count.PBResult) error {
	ids := make([]string, len(e.Projects))
	for i, p := range e.Projects {
		ids[i] = p.ID
	}
	var winners []string
	for _, j := range r.Winners {
		winners = append(winners, ids[j])
	}
	if f.output == "json" {
		return emit(s, countJSON{Method: r.Method, Title: e.Title, Voters: e.NumVoters(), Candidates: ids,
			Winners: winners, Ties: tiesJSON(ids, r.Ties), Result: struct {
				*count.PBResult
				Projects []count.Project `json:"projects"`
			}{r, e.Projects}})
	}
	fmt.Fprintf(s.Out, "%s: %s, %d voters, %d projects, budget %d\n", r.Method, orUntitled(e.Title), e.NumVoters(), len(e.Projects), r.Budget)
	if r.Increments > 0 {
		fmt.Fprintf(s.Out, "add-one completion: every voter's budget raised by %d\n", r.Increments)
	}
	for i, rd := range r.Rounds {
		p := e.Projects[rd.Project]
		line := fmt.Sprintf("%3d. %-12s cost %12d  %s %d", i+1, p.ID, p.Cost, map[string]string{"mes": "payers", "greedy": "score"}[rd.Phase], rd.Score)
		if rd.Rho != "" && f.explain {
			line += "  rho " + rd.Rho
		}
		if f.explain && p.Name != "" {
			line += "  " + p.Name
		}
		fmt.Fprintln(s.Out, line)
	}
	printTies(s, ids, r.Ties)
	fmt.Fprintf(s.Out, "funded %d projects for %d of %d\n", len(r.Winners), r.Cost, r.Budget)
	return nil
}

func isWithdrawn(p *count.Profile, c int) bool {
	for _, w := range p.Withdrawn {
		if w == c {
			return true
		}
	}
	return false
}

func orUntitled(t string) string {
	if t == "" {
		return "untitled election"
	}
	return t
}
