package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/keystore"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/sortition"
	"github.com/folkmoot/folkmoot/internal/tx"
)

func newDrawCmd(s *Streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "draw",
		Short: "Draw members by lot: call a draw, volunteer, feed its beacon, show and re-run it",
		Long: `A draw picks members by lot, among volunteers or among all members. Its
randomness comes from the members themselves: each commits to a secret,
then reveals it (folkmoot draw beacon); the seed hashes every reveal and
the record's app hash past the deadline, so no one member, and no node,
chooses it. Anyone re-runs the draw from the record (folkmoot draw verify).
See docs/sortition.md.`,
	}
	c.AddCommand(newDrawNewCmd(s), newDrawVolunteerCmd(s), newDrawLotteryCmd(s), newDrawBeaconCmd(s), newDrawShowCmd(s), newDrawVerifyCmd(s))
	return c
}

func parseDraw(arg string) (uint64, error) {
	id, err := strconv.ParseUint(arg, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("draw number %q is not a positive number", arg)
	}
	return id, nil
}

func newDrawNewCmd(s *Streams) *cobra.Command {
	var a actFlags
	var title string
	var seats uint32
	var volunteerFor, commitFor, revealFor time.Duration
	var quotas []string
	c := &cobra.Command{
		Use:   "new",
		Short: "Call a draw of SEATS members by lot",
		Example: `  folkmoot draw new --as ada --title "Citizens' panel on the park" --seats 12 --volunteer-for 336h --commit-for 48h --reveal-for 24h
  folkmoot draw new --as ada --title "Auditors" --seats 2 --commit-for 24h --reveal-for 24h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if commitFor <= 0 || revealFor <= 0 {
				return fmt.Errorf("say how long members may commit and reveal: --commit-for 48h --reveal-for 24h")
			}
			start := time.Now().Add(5 * time.Second)
			b := &tx.Draw{Title: title, Seats: seats}
			if volunteerFor > 0 {
				start = start.Add(volunteerFor)
				b.Volunteers, b.VolunteerUntil = true, start.Unix()
			}
			for _, q := range quotas {
				qt, err := parseQuota(q)
				if err != nil {
					return err
				}
				b.Quotas = append(b.Quotas, qt)
			}
			b.CommitUntil = start.Add(commitFor).Unix()
			b.RevealUntil = start.Add(commitFor + revealFor).Unix()
			return a.act(s, b)
		},
	}
	a.add(c)
	c.Flags().StringVar(&title, "title", "", "what the draw is for")
	c.Flags().Uint32Var(&seats, "seats", 0, "how many members to draw")
	c.Flags().DurationVar(&volunteerFor, "volunteer-for", 0, "draw among volunteers, who may come forward for this long (default: among all members)")
	c.Flags().DurationVar(&commitFor, "commit-for", 0, "how long members may commit to their beacon secrets")
	c.Flags().DurationVar(&revealFor, "reveal-for", 0, "how long members may then reveal them")
	c.Flags().StringArrayVar(&quotas, "quota", nil, "stratify among volunteers: FEATURE=VALUE:MIN:MAX seats (repeat), e.g. street=Elm:1:2")
	return c
}

// parseQuota reads FEATURE=VALUE:MIN:MAX.
func parseQuota(q string) (tx.Quota, error) {
	bad := fmt.Errorf("--quota %q: write FEATURE=VALUE:MIN:MAX, e.g. street=Elm:1:2", q)
	f, rest, ok := strings.Cut(q, "=")
	if !ok {
		return tx.Quota{}, bad
	}
	parts := strings.Split(rest, ":")
	if len(parts) != 3 {
		return tx.Quota{}, bad
	}
	lo, err1 := strconv.ParseUint(parts[1], 10, 32)
	hi, err2 := strconv.ParseUint(parts[2], 10, 32)
	if err1 != nil || err2 != nil {
		return tx.Quota{}, bad
	}
	return tx.Quota{Feature: f, Value: parts[0], Min: uint32(lo), Max: uint32(hi)}, nil
}

func newDrawLotteryCmd(s *Streams) *cobra.Command {
	var a actFlags
	c := &cobra.Command{
		Use:   "lottery DRAW",
		Short: "Compute a stratified draw's LEXIMIN lottery here and publish it",
		Long: `lottery, run by the member who called a stratified draw once volunteering
has ended, computes the LEXIMIN lottery over the volunteers and the quotas
(Flanigan et al., Nature 2021: the fairest spread of chances that the
quotas allow) on this machine and publishes its panels and weights. Every
node checks they meet the quotas; anyone re-runs LEXIMIN to check they are
the fairest (folkmoot draw verify).`,
		Example: "  folkmoot draw lottery 2 --as ada",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseDraw(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
			defer cancel()
			sg, err := a.signer(ctx, s)
			if err != nil {
				return err
			}
			d, err := sg.cl.Draw(ctx, id)
			if err != nil {
				return err
			}
			if len(d.Quotas) == 0 {
				return fmt.Errorf("draw %d is not stratified", id)
			}
			start := time.Now()
			dist, err := sortition.Leximin(instanceOf(d))
			if err != nil {
				return fmt.Errorf("draw %d: %w", id, err)
			}
			fmt.Fprintf(s.Out, "LEXIMIN over %d volunteers: %d panels, least chance %.4f (%s)\n", len(d.Volunteers), len(dist.Panels), minChance(dist), time.Since(start).Round(time.Millisecond))
			return a.send(ctx, s, sg, &tx.DrawLottery{Draw: id, Panels: lotteryPanels(dist)})
		},
	}
	a.add(c)
	return c
}

// instanceOf is the stratified draw's instance, as the core builds it.
func instanceOf(d query.Draw) sortition.Instance {
	in := sortition.Instance{Seats: int(d.Seats)}
	for _, f := range d.Features {
		feat := sortition.Feature{Name: f}
		for _, q := range d.Quotas {
			if q.Feature == f {
				feat.Values = append(feat.Values, sortition.Quota{Value: q.Value, Min: int(q.Min), Max: int(q.Max)})
			}
		}
		in.Features = append(in.Features, feat)
	}
	pool := d.Pool
	if pool == nil {
		pool = d.Volunteers
	}
	for _, m := range pool {
		in.Volunteers = append(in.Volunteers, sortition.Volunteer{Member: m, Values: d.Values[m]})
	}
	return in
}

func lotteryPanels(d *sortition.Distribution) []tx.LotteryPanel {
	var out []tx.LotteryPanel
	for _, p := range d.Panels {
		lp := tx.LotteryPanel{Weight: p.Weight}
		for _, ts := range p.Seats {
			lp.Seats = append(lp.Seats, tx.TypeSeats{Type: uint32(ts.Type), Count: uint32(ts.Count)})
		}
		out = append(out, lp)
	}
	return out
}

func minChance(d *sortition.Distribution) float64 {
	m := 1.0
	for _, p := range d.Probabilities {
		m = min(m, p.Probability)
	}
	return m
}

func newDrawVolunteerCmd(s *Streams) *cobra.Command {
	var a actFlags
	c := &cobra.Command{
		Use:     "volunteer DRAW",
		Short:   "Put yourself forward for a draw among volunteers",
		Example: "  folkmoot draw volunteer 1 --as bram",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseDraw(args[0])
			if err != nil {
				return err
			}
			return a.act(s, &tx.Volunteer{Draw: id})
		},
	}
	a.add(c)
	return c
}

func newDrawBeaconCmd(s *Streams) *cobra.Command {
	var a actFlags
	var wait bool
	c := &cobra.Command{
		Use:   "beacon DRAW",
		Short: "Feed a draw's randomness: commit to a secret, then reveal it",
		Long: `beacon draws a 32-byte secret, keeps it sealed in your keystore and commits
to its hash while commitments are open; run again (or with --wait) once
reveals open, it reveals the secret. A member who commits and does not
reveal is named in the record and may not commit to the next draws.`,
		Example: "  folkmoot draw beacon 1 --as chiara --wait",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseDraw(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour)
			defer cancel()
			sg, err := a.signer(ctx, s)
			if err != nil {
				return err
			}
			me, err := sg.cl.Member(ctx, sg.author)
			if err != nil {
				return err
			}
			ks, err := keystore.Open(a.keys.home)
			if err != nil {
				return err
			}
			for {
				d, err := sg.cl.Draw(ctx, id)
				if err != nil {
					return err
				}
				if d.Status != "collecting" {
					fmt.Fprintf(s.Out, "draw %d is %s\n", id, d.Status)
					return nil
				}
				st, err := sg.cl.Status(ctx)
				if err != nil {
					return err
				}
				name := fmt.Sprintf("beacon-%s-%d-%d", sg.chainID, id, d.Round)
				_, committed := d.Commits[me.Number]
				_, revealed := d.Reveals[me.Number]
				switch {
				case revealed:
					fmt.Fprintf(s.Out, "draw %d: your secret is revealed; the draw is made at %s\n", id, d.RevealUntil.Format(time.RFC3339))
					return nil
				case !committed && !st.Time.Before(d.CommitFrom) && st.Time.Before(d.CommitUntil):
					secret := make([]byte, 32)
					if _, err := rand.Read(secret); err != nil {
						return err
					}
					if err := ks.SealSecret(a.keys.alias, name, sg.priv, secret); err != nil {
						return err
					}
					c := core.BeaconCommitment(id, d.Round, me.Number, secret)
					if err := a.send(ctx, s, sg, &tx.BeaconCommit{Draw: id, Commitment: c[:]}); err != nil {
						return err
					}
					continue
				case committed && !st.Time.Before(d.CommitUntil) && st.Time.Before(d.RevealUntil):
					secret, err := ks.OpenSecret(a.keys.alias, name, sg.priv)
					if err != nil {
						return fmt.Errorf("your secret for draw %d is not in this keystore: %w", id, err)
					}
					if err := a.send(ctx, s, sg, &tx.BeaconReveal{Draw: id, Secret: secret}); err != nil {
						return err
					}
					continue
				case !committed && !st.Time.Before(d.CommitUntil):
					return fmt.Errorf("commitments to draw %d closed at %s", id, d.CommitUntil.Format(time.RFC3339))
				}
				if !wait {
					fmt.Fprintf(s.Out, "draw %d: nothing to do now (commitments %s to %s, reveals until %s)\n", id,
						d.CommitFrom.Format(time.RFC3339), d.CommitUntil.Format(time.RFC3339), d.RevealUntil.Format(time.RFC3339))
					return nil
				}
				time.Sleep(500 * time.Millisecond)
			}
		},
	}
	a.add(c)
	c.Flags().BoolVar(&wait, "wait", false, "wait for the reveal window and reveal")
	return c
}

func newDrawShowCmd(s *Streams) *cobra.Command {
	var r readFlags
	c := &cobra.Command{
		Use:     "show DRAW",
		Short:   "Show a draw: its windows, volunteers, beacon and the members drawn",
		Example: "  folkmoot draw show 1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseDraw(args[0])
			if err != nil {
				return err
			}
			if err := checkOutput(r.output); err != nil {
				return err
			}
			cl, ctx, cancel, err := dial(r.node)
			if err != nil {
				return err
			}
			defer cancel()
			d, err := cl.Draw(ctx, id)
			if err != nil {
				return err
			}
			if r.output == "json" {
				return writeJSON(s, d)
			}
			printDraw(s, d)
			return nil
		},
	}
	r.add(c)
	return c
}

func printDraw(s *Streams, d query.Draw) {
	const tf = core.TimeFormat
	pool := "all members"
	if d.FromVolunteers {
		pool = fmt.Sprintf("volunteers (until %s): %s", d.VolunteerUntil.Format(tf), numbers(d.Volunteers))
	}
	fmt.Fprintf(s.Out, "Draw %d: %s\n%d seats among %s\n", d.ID, d.Title, d.Seats, pool)
	if len(d.Quotas) > 0 {
		var qs []string
		for _, q := range d.Quotas {
			qs = append(qs, fmt.Sprintf("%s=%s %d–%d", q.Feature, q.Value, q.Min, q.Max))
		}
		fmt.Fprintf(s.Out, "quotas    %s\n", strings.Join(qs, ", "))
		if d.Lottery == nil {
			fmt.Fprintf(s.Out, "lottery   not published yet\n")
		} else {
			var ps []string
			for _, p := range d.Probabilities {
				ps = append(ps, fmt.Sprintf("%d: %.3f", p.Member, p.Probability))
			}
			fmt.Fprintf(s.Out, "lottery   %d panel profiles; chances %s\n", len(d.Lottery), strings.Join(ps, ", "))
		}
	}
	fmt.Fprintf(s.Out, "beacon    commit %s → %s, reveal until %s (round %d)\n", d.CommitFrom.Format(tf), d.CommitUntil.Format(tf), d.RevealUntil.Format(tf), d.Round)
	fmt.Fprintf(s.Out, "          %d committed, %d revealed\n", len(d.Commits), len(d.Reveals))
	switch d.Status {
	case "drawn":
		var names []string
		for _, m := range d.Selected {
			names = append(names, fmt.Sprintf("%s (%d)", m.Name, m.Number))
		}
		fmt.Fprintf(s.Out, "drawn     %s\nseed      %s\n", strings.Join(names, ", "), d.Seed)
		if len(d.NonRevealers) > 0 {
			fmt.Fprintf(s.Out, "silent    members %s committed and did not reveal\n", numbers(d.NonRevealers))
		}
	case "failed":
		fmt.Fprintf(s.Out, "failed    %s\n", d.Why)
	default:
		fmt.Fprintf(s.Out, "status    %s\n", d.Status)
	}
}

func numbers(ns []uint32) string {
	if len(ns) == 0 {
		return "none"
	}
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.FormatUint(uint64(n), 10)
	}
	return strings.Join(s, ", ")
}

func newDrawVerifyCmd(s *Streams) *cobra.Command {
	var r readFlags
	c := &cobra.Command{
		Use:   "verify DRAW",
		Short: "Re-run a draw from what the record holds, on this machine",
		Long: `verify fetches the draw's commitments, reveals, root and pool and re-runs
it here: each reveal against its commitment, the seed from the reveals and
the root, and the seats from the seed. That the root is the record's app
hash at the deadline, and the pool its members or volunteers then, is what
"folkmoot verify" proves by replaying the whole record.`,
		Example: "  folkmoot draw verify 1",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseDraw(args[0])
			if err != nil {
				return err
			}
			cl, ctx, cancel, err := dial(r.node)
			if err != nil {
				return err
			}
			defer cancel()
			d, err := cl.Draw(ctx, id)
			if err != nil {
				return err
			}
			if d.Status != "drawn" {
				return fmt.Errorf("draw %d is %s, not drawn", id, d.Status)
			}
			got, err := rerunDraw(d)
			if err != nil {
				return fmt.Errorf("draw %d does NOT verify: %w", id, err)
			}
			fmt.Fprintf(s.Out, "draw %d verifies: %d reveals match their commitments, seed %s, drawn %s\n", id, len(d.Reveals), d.Seed, numbers(got))
			return nil
		},
	}
	r.add(c)
	return c
}

// rerunDraw re-runs a drawn draw from its published parts.
func rerunDraw(d query.Draw) ([]uint32, error) {
	reveals := map[uint32][32]byte{}
	for m, h := range d.Reveals {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != 32 {
			return nil, fmt.Errorf("reveal of member %d is not 32 bytes of hex", m)
		}
		c, err := hex.DecodeString(d.Commits[m])
		if err != nil || core.BeaconCommitment(d.ID, d.Round, m, b) != [32]byte(c) {
			return nil, fmt.Errorf("member %d's reveal does not match its commitment", m)
		}
		reveals[m] = [32]byte(b)
	}
	root, err := hex.DecodeString(d.Root)
	if err != nil || len(root) != 32 {
		return nil, errors.New("the root is not 32 bytes of hex")
	}
	seed := core.DrawSeed(d.ID, d.Round, reveals, [32]byte(root))
	if hex.EncodeToString(seed[:]) != d.Seed {
		return nil, fmt.Errorf("the reveals and root give the seed %x, the record says %s", seed, d.Seed)
	}
	var got []uint32
	if len(d.Quotas) == 0 {
		if got, err = sortition.Uniform(seed, d.Pool, int(d.Seats)); err != nil {
			return nil, err
		}
	} else {
		in := instanceOf(d)
		dist, err := sortition.Lottery(in, d.Lottery)
		if err != nil {
			return nil, fmt.Errorf("the published lottery: %w", err)
		}
		fair, err := sortition.Leximin(in)
		if err != nil {
			return nil, fmt.Errorf("LEXIMIN on this machine: %w", err)
		}
		if !slices.EqualFunc(fair.Panels, d.Lottery, func(a, b sortition.Panel) bool {
			return a.Weight == b.Weight && slices.Equal(a.Seats, b.Seats)
		}) {
			return nil, fmt.Errorf("the published lottery is not the LEXIMIN lottery this machine computes (least chance %.4f published, %.4f here)",
				minChance(dist), minChance(fair))
		}
		if got, err = dist.Draw(seed); err != nil {
			return nil, err
		}
	}
	var want []uint32
	for _, m := range d.Selected {
		want = append(want, m.Number)
	}
	if !slices.Equal(got, want) {
		return nil, fmt.Errorf("the seed draws %v, the record says %v", got, want)
	}
	return got, nil
}
