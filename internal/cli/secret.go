package cli

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/keystore"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/trustee"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// secretFlags are propose's flags for a secret vote.
type secretFlags struct {
	secret    bool
	trustees  []uint
	threshold uint32
	options   []string
	approve   uint32
}

func (f *secretFlags) add(c *cobra.Command) {
	c.Flags().BoolVar(&f.secret, "secret", false, "put it to a secret ballot")
	c.Flags().UintSliceVar(&f.trustees, "trustees", nil, "with --secret: the trustees' member numbers, e.g. 1,2,3 (default: the constitution's trustee office)")
	c.Flags().Uint32Var(&f.threshold, "trustee-threshold", 0, "with --secret: how many trustees must decrypt (default: the constitution's, or more than half)")
	c.Flags().StringArrayVar(&f.options, "option", nil, "with --secret: an option of the question (repeat; default: yes/no/abstain)")
	c.Flags().Uint32Var(&f.approve, "approve", 0, "with --option: let members approve up to this many options (default: exactly one)")
}

func (f *secretFlags) apply(p *tx.Propose) error {
	if !f.secret {
		if len(f.trustees) != 0 || f.threshold != 0 || len(f.options) != 0 || f.approve != 0 {
			return fmt.Errorf("--trustees, --trustee-threshold, --option and --approve belong to a secret vote: add --secret")
		}
		return nil
	}
	p.Secret, p.Threshold, p.Options, p.Approve = true, f.threshold, f.options, f.approve
	for _, t := range f.trustees {
		p.Trustees = append(p.Trustees, uint32(t))
	}
	return nil
}

// proposal reads one proposal from the node.
func (a *actFlags) proposal(id uint64) (query.Proposal, error) {
	cl, err := client.New(a.node)
	if err != nil {
		return query.Proposal{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return cl.Proposal(ctx, id)
}

// votes reads a secret ballot's choices from args: yes, no or abstain on a
// yes/no vote; option names or numbers (from 1) on a question.
func votes(sec query.Secret, args []string) ([]int, error) {
	names := sec.Options
	if len(names) == 0 {
		names = []string{"yes", "no", "abstain"}
	}
	v := make([]int, len(names))
	for _, a := range args {
		i := slices.Index(names, a)
		if i < 0 && len(sec.Options) == 0 {
			if c, err := tx.ParseChoice(a); err == nil {
				i = int(c) - 1
			}
		}
		if n, err := strconv.Atoi(a); i < 0 && err == nil && n >= 1 && n <= len(names) {
			i = n - 1
		}
		if i < 0 {
			return nil, fmt.Errorf("%q is not one of the choices: %s (or their numbers, from 1)", a, strings.Join(names, ", "))
		}
		if v[i] == 1 {
			return nil, fmt.Errorf("%q is named twice", names[i])
		}
		v[i] = 1
	}
	n := len(args)
	switch {
	case sec.Approve == 0 && n != 1:
		return nil, fmt.Errorf("choose exactly one of: %s", strings.Join(names, ", "))
	case sec.Approve != 0 && n > int(sec.Approve):
		return nil, fmt.Errorf("you may approve at most %d options, not %d", sec.Approve, n)
	}
	return v, nil
}

// voteSecret encrypts and proves the member's ballot on secret vote id and
// submits it, printing its tracking code.
func (a *actFlags) voteSecret(s *Streams, id uint64, args []string) error {
	if err := checkOutput(a.output); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sg, err := a.signer(ctx, s)
	if err != nil {
		return err
	}
	d, err := sg.cl.Secret(ctx, id)
	if err != nil {
		return err
	}
	if d.Secret.Key == "" {
		if d.Secret.Cancelled != "" {
			return fmt.Errorf("the secret vote on proposal %d was cancelled: %s", id, d.Secret.Cancelled)
		}
		return fmt.Errorf("voting on proposal %d has not opened yet (it opens at %s, once the trustees have made its key)", id, d.Opens.Format(time.RFC3339))
	}
	v, err := votes(d.Secret, args)
	if err != nil {
		return err
	}
	bctx, race, err := secretContext(d, sg.author[:])
	if err != nil {
		return err
	}
	b, err := ballot.Cast(bctx, race, v, rand.Reader)
	if err != nil {
		return fmt.Errorf("encrypt the ballot: %w", err)
	}
	if err := a.send(ctx, s, sg, &tx.SecretBallot{Proposal: id, Ballot: b.Bytes()}); err != nil {
		return err
	}
	if a.output != "json" {
		fmt.Fprintf(s.Out, "tracking code %s\n(how you voted is secret; the vote's page lists this code once it is counted,\nand folkmoot prove TX proves the ballot's transaction is in the record against an app hash)\n", trackingCode(b.Bytes()))
	}
	return nil
}

func trackingCode(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// secretContext is the statement a ballot on d by voter is bound to.
func secretContext(d query.SecretDetail, voter []byte) (ballot.Context, ballot.Race, error) {
	eid, err := hex.DecodeString(d.ElectionID)
	if err != nil {
		return ballot.Context{}, ballot.Race{}, fmt.Errorf("election id from the node: %w", err)
	}
	key, err := hex.DecodeString(d.Secret.Key)
	if err != nil {
		return ballot.Context{}, ballot.Race{}, fmt.Errorf("election key from the node: %w", err)
	}
	race := ballot.SingleChoice(d.Secret.Choices)
	if d.Secret.Approve != 0 {
		race = ballot.Approval(d.Secret.Choices, int(d.Secret.Approve))
	}
	return ballot.Context{ElectionID: eid, ChainID: d.ChainID, PublicKey: key, VoterKey: voter}, race, nil
}

func newTrusteeCmd(s *Streams) *cobra.Command {
	c := &cobra.Command{
		Use:   "trustee",
		Short: "Hold a share of a secret vote's key: make the key, then decrypt the result",
		Long: `A secret vote names trustees. Before voting opens they make the vote's key
together (trustee keygen): each publishes commitments, then deals every
other trustee a share sealed to them, checks the shares dealt to it and
complains of a bad one, and answers complaints. No trustee ever holds the
whole key; each keeps its part sealed in its keystore (HOME/keys/sealed).
After voting closes, enough trustees publish partial decryptions of the
sum of the ballots (trustee decrypt), which reveals the counts and
nothing else.`,
	}
	c.AddCommand(newTrusteeKeygenCmd(s), newTrusteeDecryptCmd(s))
	return c
}

// trusteeSession is a trustee's view of one secret vote.
type trusteeSession struct {
	a      *actFlags
	s      *Streams
	sg     *signer
	id     uint64
	number int // trustee number, 1..n
	name   string
}

// trusteeSession opens the member's key (unless sg already holds it) and
// finds its trustee number on proposal id.
func (a *actFlags) trusteeSession(ctx context.Context, s *Streams, id uint64, sg *signer) (*trusteeSession, query.SecretDetail, error) {
	if sg == nil {
		var err error
		if sg, err = a.signer(ctx, s); err != nil {
			return nil, query.SecretDetail{}, err
		}
	}
	d, err := sg.cl.Secret(ctx, id)
	if err != nil {
		return nil, d, err
	}
	m, err := sg.cl.Member(ctx, sg.author)
	if err != nil {
		return nil, d, fmt.Errorf("key %s: %w", a.keys.alias, err)
	}
	i := slices.IndexFunc(d.Secret.Trustees, func(t query.Trustee) bool { return t.Member == m.Number })
	if i < 0 {
		return nil, d, fmt.Errorf("you (member %d) are not a trustee of proposal %d", m.Number, id)
	}
	ts := &trusteeSession{a: a, s: s, sg: sg, id: id, number: i + 1,
		name: fmt.Sprintf("trustee-%s-%d", d.ChainID, id)}
	return ts, d, nil
}

func (ts *trusteeSession) ks() (*keystore.Store, error) { return keystore.Open(ts.a.keys.home) }

// secret loads the trustee's secret, or makes and keeps a new one when
// create is set and there is none.
func (ts *trusteeSession) secret(d query.SecretDetail, create bool) (*trustee.Secret, error) {
	ks, err := ts.ks()
	if err != nil {
		return nil, err
	}
	data, err := ks.OpenSecret(ts.a.keys.alias, ts.name, ts.sg.priv)
	if err == nil {
		return trustee.Parse(data)
	}
	if !errors.Is(err, keystore.ErrNoSecret) || !create {
		return nil, err
	}
	sec, err := trustee.New(ts.name, ts.number, int(d.Secret.Threshold), len(d.Secret.Trustees), rand.Reader)
	if err != nil {
		return nil, err
	}
	data, err = json.Marshal(sec)
	if err != nil {
		return nil, err
	}
	if err := ks.SealSecret(ts.a.keys.alias, ts.name, ts.sg.priv, data); err != nil {
		return nil, err
	}
	return sec, nil
}

// step takes the key generation's next step that is due for this trustee,
// and reports whether it sent anything.
func (ts *trusteeSession) step(ctx context.Context, d query.SecretDetail, now time.Time) (bool, error) {
	me := d.Dealers[ts.number-1]
	sec := d.Secret
	if me.Recipient == "" {
		if !now.Before(sec.CommitBy) {
			return false, fmt.Errorf("the time to commit (until %s) has passed", sec.CommitBy.Format(time.RFC3339))
		}
		s, err := ts.secret(d, true)
		if err != nil {
			return false, err
		}
		rcpt, err := s.Recipient()
		if err != nil {
			return false, err
		}
		cm, err := s.Commitments()
		if err != nil {
			return false, err
		}
		fmt.Fprintf(ts.s.Out, "trustee %d: committing\n", ts.number)
		return true, ts.a.send(ctx, ts.s, ts.sg, &tx.TrusteeCommit{Proposal: ts.id, Recipient: rcpt, Commitments: cm})
	}
	s, err := ts.secret(d, false)
	if err != nil {
		return false, fmt.Errorf("trustee %d committed, but its secret is not in this keystore: %w", ts.number, err)
	}
	all := true
	recipients := map[int]string{}
	for k, o := range d.Dealers {
		if o.Recipient == "" {
			all = false
		} else if k+1 != ts.number {
			recipients[k+1] = o.Recipient
		}
	}
	if len(me.Shares) == 0 {
		if !all && now.Before(sec.CommitBy) {
			return false, nil // wait for the others' commitments
		}
		sealed, err := s.Seal(recipients)
		if err != nil {
			return false, err
		}
		var shares []tx.SealedShare
		for k := 1; k <= len(d.Dealers); k++ {
			if b, ok := sealed[k]; ok {
				shares = append(shares, tx.SealedShare{To: uint32(k), Sealed: b})
			}
		}
		fmt.Fprintf(ts.s.Out, "trustee %d: dealing %d shares\n", ts.number, len(shares))
		return true, ts.a.send(ctx, ts.s, ts.sg, &tx.TrusteeShares{Proposal: ts.id, Shares: shares})
	}
	for k, o := range d.Dealers {
		if k+1 == ts.number || len(o.Shares) == 0 || slices.ContainsFunc(o.Complaints, func(c query.Complaint) bool { return int(c.By) == ts.number }) {
			continue
		}
		if _, err := openShare(s, k+1, o, ts.number); err != nil && now.Before(sec.ComplainBy) {
			fmt.Fprintf(ts.s.Out, "trustee %d: the share from trustee %d is bad (%v); complaining\n", ts.number, k+1, err)
			return true, ts.a.send(ctx, ts.s, ts.sg, &tx.TrusteeComplain{Proposal: ts.id, Dealer: uint32(k + 1)})
		}
	}
	for _, c := range me.Complaints {
		if c.Answered {
			continue
		}
		share, err := s.Reveal(int(c.By))
		if err != nil {
			return false, err
		}
		fmt.Fprintf(ts.s.Out, "trustee %d: answering trustee %d's complaint\n", ts.number, c.By)
		return true, ts.a.send(ctx, ts.s, ts.sg, &tx.TrusteeAnswer{Proposal: ts.id, Complainer: c.By, Share: share})
	}
	return false, nil
}

// openShare returns the share dealer sealed to trustee number: the one it
// revealed in answer to a complaint, or the sealed one, opened and checked.
func openShare(s *trustee.Secret, dealer int, o query.DealerDetail, number int) ([]byte, error) {
	cm, err := hex.DecodeString(o.Commitments)
	if err != nil {
		return nil, fmt.Errorf("commitments of trustee %d: %w", dealer, err)
	}
	for _, c := range o.Complaints {
		if int(c.By) == number && c.Answered {
			return hex.DecodeString(c.Share)
		}
	}
	for _, sh := range o.Shares {
		if int(sh.To) == number {
			sealed, err := hex.DecodeString(sh.Sealed)
			if err != nil {
				return nil, err
			}
			return s.Open(dealer, cm, sealed)
		}
	}
	return nil, fmt.Errorf("trustee %d dealt no share to trustee %d", dealer, number)
}

func newTrusteeKeygenCmd(s *Streams) *cobra.Command {
	var a actFlags
	var wait bool
	c := &cobra.Command{
		Use:   "keygen PROPOSAL...",
		Short: "Take your next steps in making secret votes' keys",
		Long: `keygen takes whatever step of the key generation is due for you on each
proposal named: commit, deal your shares, complain of a bad share dealt to
you, answer a complaint against you. With --wait it goes on until voting
opens on each (or the vote is cancelled), stepping as the others do.`,
		Example: "  folkmoot trustee keygen 7 --as ada --wait\n  folkmoot trustee keygen 7 8 --as ada --wait",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour)
			defer cancel()
			type vote struct {
				ts *trusteeSession
				d  query.SecretDetail
			}
			var votes []*vote
			var sg *signer
			for _, arg := range args {
				id, err := parseProposal(arg)
				if err != nil {
					return err
				}
				ts, d, err := a.trusteeSession(ctx, s, id, sg)
				if err != nil {
					return err
				}
				sg = ts.sg
				votes = append(votes, &vote{ts, d})
			}
			for {
				pending, sent := 0, false
				for _, v := range votes {
					d := v.d
					if d.Status != "scheduled" {
						continue
					}
					pending++
					st, err := sg.cl.Status(ctx)
					if err != nil {
						return err
					}
					did, err := v.ts.step(ctx, d, st.Time)
					if err != nil {
						return fmt.Errorf("proposal %d: %w", d.Proposal, err)
					}
					sent = sent || did
				}
				if pending == 0 {
					break
				}
				if !wait && !sent {
					for _, v := range votes {
						fmt.Fprintf(s.Out, "proposal %d, trustee %d: nothing is due now; voting opens at %s\n", v.d.Proposal, v.ts.number, v.d.Opens.Format(time.RFC3339))
					}
					return nil
				}
				if !sent {
					time.Sleep(500 * time.Millisecond)
				}
				for _, v := range votes {
					var err error
					if v.d, err = sg.cl.Secret(ctx, v.d.Proposal); err != nil {
						return err
					}
				}
			}
			var failed []string
			for _, v := range votes {
				if v.d.Secret.Cancelled != "" {
					failed = append(failed, fmt.Sprintf("the secret vote on proposal %d was cancelled: %s", v.d.Proposal, v.d.Secret.Cancelled))
					continue
				}
				fmt.Fprintf(s.Out, "proposal %d: the key is made: %s (trustees %v qualified)\n", v.d.Proposal, v.d.Secret.Key, qualified(v.d.Secret))
			}
			if failed != nil {
				return errors.New(strings.Join(failed, "; "))
			}
			return nil
		},
	}
	a.add(c)
	c.Flags().BoolVar(&wait, "wait", false, "keep stepping until voting opens")
	return c
}

func qualified(s query.Secret) []uint32 {
	var out []uint32
	for _, t := range s.Trustees {
		if t.Qualified {
			out = append(out, t.Number)
		}
	}
	return out
}

func newTrusteeDecryptCmd(s *Streams) *cobra.Command {
	var a actFlags
	var wait bool
	c := &cobra.Command{
		Use:   "decrypt PROPOSAL",
		Short: "Publish your partial decryption of a closed secret vote's result",
		Long: `decrypt opens the shares dealt to you, makes your partial decryption of the
sum of the counted ballots with its proof, and publishes it. It reveals the
counts only together with the other trustees' (the threshold), and never
any one ballot. With --wait it first waits for voting to close.`,
		Example: "  folkmoot trustee decrypt 7 --as ada --wait",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposal(args[0])
			if err != nil {
				return err
			}
			ctx, cancel := context.WithTimeout(context.Background(), 24*time.Hour)
			defer cancel()
			ts, d, err := a.trusteeSession(ctx, s, id, nil)
			if err != nil {
				return err
			}
			for wait && (d.Status == "scheduled" || d.Status == "open") {
				time.Sleep(500 * time.Millisecond)
				if d, err = ts.sg.cl.Secret(ctx, id); err != nil {
					return err
				}
			}
			switch {
			case d.Status == "decided" && d.Secret.Counts != nil:
				fmt.Fprintf(s.Out, "proposal %d is already decrypted: counts %v\n", id, d.Secret.Counts)
				return nil
			case d.Status != "counting":
				return fmt.Errorf("proposal %d is %s, not awaiting decryption", id, d.Status)
			}
			sec, err := ts.secret(d, false)
			if err != nil {
				return fmt.Errorf("trustee %d's secret is not in this keystore: %w", ts.number, err)
			}
			shares := map[int][]byte{}
			for _, t := range d.Secret.Trustees {
				if !t.Qualified {
					continue
				}
				if int(t.Number) == ts.number {
					shares[ts.number] = nil
					continue
				}
				b, err := openShare(sec, int(t.Number), d.Dealers[t.Number-1], ts.number)
				if err != nil {
					return fmt.Errorf("the share from trustee %d: %w", t.Number, err)
				}
				shares[int(t.Number)] = b
			}
			bctx, _, err := secretContext(d, nil)
			if err != nil {
				return err
			}
			var agg []ballot.Ciphertext
			for i, h := range d.Aggregate {
				b, err := hex.DecodeString(h)
				if err == nil {
					var c ballot.Ciphertext
					if c, err = ballot.ParseAggregate(b); err == nil {
						agg = append(agg, c)
						continue
					}
				}
				return fmt.Errorf("aggregate ciphertext %d from the node: %v", i, err)
			}
			part, err := sec.Decrypt(bctx, shares, agg, rand.Reader)
			if err != nil {
				return err
			}
			fmt.Fprintf(s.Out, "trustee %d: publishing its partial decryption\n", ts.number)
			return a.send(ctx, s, ts.sg, &tx.TrusteeDecrypt{Proposal: id, Partial: part})
		},
	}
	a.add(c)
	c.Flags().BoolVar(&wait, "wait", false, "wait for voting to close first")
	return c
}

// printSecret prints what show proposal says of a secret vote: the
// trustees and their steps, how many have voted, and the counts.
func printSecret(s *Streams, p query.Proposal) {
	sec := p.Secret
	question := "yes / no / abstain"
	if len(sec.Options) > 0 {
		question = "one of: " + strings.Join(sec.Options, ", ")
		if sec.Approve != 0 {
			question = fmt.Sprintf("approve up to %d of: %s", sec.Approve, strings.Join(sec.Options, ", "))
		}
	}
	fmt.Fprintf(s.Out, "secret    ballot (%s); %d of %d trustees decrypt\n", question, sec.Threshold, len(sec.Trustees))
	for _, t := range sec.Trustees {
		var steps []string
		for _, st := range []struct {
			done bool
			name string
		}{{t.Committed, "committed"}, {t.Dealt, "dealt"}, {t.Qualified, "qualified"}, {t.Decrypted, "decrypted"}} {
			if st.done {
				steps = append(steps, st.name)
			}
		}
		if t.Disqualified != "" {
			steps = append(steps, "disqualified: "+t.Disqualified)
		}
		fmt.Fprintf(s.Out, "trustee   %d: %s (member %d) %s\n", t.Number, t.Name, t.Member, strings.Join(steps, ", "))
	}
	if sec.Key != "" {
		fmt.Fprintf(s.Out, "key       %s\n", sec.Key)
	}
	if sec.Cancelled != "" {
		fmt.Fprintf(s.Out, "cancelled %s\n", sec.Cancelled)
	}
	fmt.Fprintf(s.Out, "ballots   %d of %d eligible have voted (how is secret)\n", sec.Ballots, p.Eligible)
	switch {
	case sec.NotDecrypted:
		fmt.Fprintf(s.Out, "counts    NOT DECRYPTED: too few trustees decrypted by the deadline\n")
	case sec.Counts != nil && len(sec.Options) > 0:
		var parts []string
		for i, o := range sec.Options {
			parts = append(parts, fmt.Sprintf("%s %d", o, sec.Counts[i]))
		}
		fmt.Fprintf(s.Out, "counts    %s\n", strings.Join(parts, ", "))
		if sec.Winner != nil {
			fmt.Fprintf(s.Out, "winner    %s\n", sec.Options[*sec.Winner])
		}
	case sec.DecryptBy != nil && sec.Counts == nil:
		fmt.Fprintf(s.Out, "counting  trustees may decrypt until %s\n", sec.DecryptBy.Format(core.TimeFormat))
	}
}
