package cli

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// actFlags are shared by every command that signs and submits.
type actFlags struct {
	keys   keyFlags
	node   string
	noWait bool
	output string
}

func (a *actFlags) add(c *cobra.Command) {
	a.keys.add(c)
	nodeFlag(c, &a.node)
	c.Flags().BoolVar(&a.noWait, "no-wait", false, "return once the node accepts the transaction, without waiting for its block")
	outputFlag(c, &a.output)
}

// submitted is what an action command prints.
type submitted struct {
	TxID   string `json:"tx_id"`
	Kind   string `json:"kind"`
	Height int64  `json:"height,omitempty"`
	Code   uint32 `json:"code"`
	Log    string `json:"log,omitempty"`
}

// act signs body with the member's key (nonce from the node) and submits
// it; unless --no-wait, it waits for the block and reports the outcome.
func (a *actFlags) act(s *Streams, body tx.Body) error {
	if err := checkOutput(a.output); err != nil {
		return err
	}
	if rej := tx.Check(body); rej != nil {
		return rejected(rej.Code, rej.Msg)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	sg, err := a.signer(ctx, s)
	if err != nil {
		return err
	}
	return a.send(ctx, s, sg, body)
}

// signer holds what signing and submitting needs: the member's key, the
// node and the chain.
type signer struct {
	priv    ed25519.PrivateKey
	author  tx.PublicKey
	cl      *client.Client
	chainID string
}

// signer opens the member's key (asking for its passphrase once) and the
// node.
func (a *actFlags) signer(ctx context.Context, s *Streams) (*signer, error) {
	priv, err := a.keys.load(s)
	if err != nil {
		return nil, err
	}
	cl, err := client.New(a.node)
	if err != nil {
		return nil, err
	}
	sg := &signer{priv: priv, cl: cl}
	copy(sg.author[:], priv.Public().(ed25519.PublicKey))
	if sg.chainID, err = cl.ChainID(ctx); err != nil {
		return nil, err
	}
	return sg, nil
}

// send signs body, submits it and, unless --no-wait, waits for its block,
// printing the outcome.
func (a *actFlags) send(ctx context.Context, s *Streams, sg *signer, body tx.Body) error {
	nonce, err := sg.cl.NextNonce(ctx, sg.author)
	if err != nil {
		return fmt.Errorf("key %s (%s): %w", a.keys.alias, sg.author.Short(), err)
	}
	raw, err := tx.Sign(sg.priv, tx.Unsigned{ChainID: sg.chainID, Author: sg.author, Nonce: nonce, Body: body})
	if err != nil {
		return err
	}
	out := submitted{Kind: body.Kind().String()}
	id, err := sg.cl.Submit(ctx, raw)
	var rej *reject.Error
	if errors.As(err, &rej) {
		return rejected(rej.Code, rej.Msg)
	}
	if err != nil {
		return err
	}
	out.TxID = id.String()
	if !a.noWait {
		c, err := sg.cl.Wait(ctx, id)
		if err != nil {
			return err
		}
		out.Height, out.Code, out.Log = c.Height, uint32(c.Code), c.Log
		if c.Code != reject.OK {
			return rejected(c.Code, c.Log)
		}
	}
	if a.output == "json" {
		return writeJSON(s, out)
	}
	if out.Height > 0 {
		fmt.Fprintf(s.Out, "%s recorded in block %d\ntx %s\n", out.Kind, out.Height, out.TxID)
	} else {
		fmt.Fprintf(s.Out, "%s accepted by the node, waiting for a block\ntx %s\n", out.Kind, out.TxID)
	}
	return nil
}

func rejected(code reject.Code, msg string) error {
	return fmt.Errorf("rejected (code %d %s): %s", code, code, msg)
}

func parseProposal(s string) (uint64, error) {
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil || id == 0 {
		return 0, fmt.Errorf("proposal number %q is not a positive number", s)
	}
	return id, nil
}

func newVoteCmd(s *Streams) *cobra.Command {
	var a actFlags
	var secret bool
	c := &cobra.Command{
		Use:   "vote PROPOSAL yes|no|abstain|OPTION...",
		Short: "Cast (or change) your ballot on a proposal",
		Long: `vote signs and submits your ballot. You may vote again until voting
closes; the last ballot counts. On an open vote, who voted how is public.

On a secret vote (the proposal says so; --secret insists on it) your
device encrypts the ballot under the vote's key and proves it well formed;
who voted is public, how is not. Name the option you choose (its name or
number, from 1), or on an approval vote each option you approve. vote
prints the ballot's tracking code: the vote's page lists the tracking
code of every counted ballot, so you can check yours was counted.`,
		Example: "  folkmoot vote 3 yes --as ada\n  folkmoot vote 3 abstain --as ada --node http://10.0.0.5:26657\n  folkmoot vote 7 oak lime --as ada --secret",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposal(args[0])
			if err != nil {
				return err
			}
			if secret {
				return a.voteSecret(s, id, args[1:])
			}
			// A secret vote is cast as one; anything else goes to the node
			// as an open ballot, which refuses what it must (an unknown
			// proposal, a node that does not answer, a bad key).
			if p, err := a.proposal(id); err == nil && p.Secret != nil {
				return a.voteSecret(s, id, args[1:])
			}
			if len(args) != 2 {
				return fmt.Errorf("vote takes a proposal and one choice: yes, no or abstain")
			}
			choice, err := tx.ParseChoice(args[1])
			if err != nil {
				return err
			}
			return a.act(s, &tx.Ballot{Proposal: id, Choice: choice})
		},
	}
	a.add(c)
	c.Flags().BoolVar(&secret, "secret", false, "cast a secret ballot (refused if the vote is open)")
	return c
}

func newEndorseCmd(s *Streams) *cobra.Command {
	var a actFlags
	c := &cobra.Command{
		Use:     "endorse PROPOSAL",
		Short:   "Endorse a proposal (public support, before or during the vote)",
		Example: "  folkmoot endorse 3 --as bram",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposal(args[0])
			if err != nil {
				return err
			}
			return a.act(s, &tx.Endorse{Proposal: id})
		},
	}
	a.add(c)
	return c
}

func newCommentCmd(s *Streams) *cobra.Command {
	var a actFlags
	var text, file string
	var replyTo uint64
	c := &cobra.Command{
		Use:     "comment PROPOSAL",
		Short:   "Comment on a proposal, or reply to a comment",
		Example: "  folkmoot comment 3 --as chiara --text \"Which trees?\"\n  folkmoot comment 3 --as ada --reply-to 12 --text \"Apples.\"",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposal(args[0])
			if err != nil {
				return err
			}
			if text, err = textOrFile(text, file, "--text"); err != nil {
				return err
			}
			return a.act(s, &tx.Comment{Proposal: id, ReplyTo: replyTo, Text: text})
		},
	}
	a.add(c)
	c.Flags().StringVar(&text, "text", "", "the comment")
	c.Flags().StringVar(&file, "text-file", "", "read the comment from a file")
	c.Flags().Uint64Var(&replyTo, "reply-to", 0, "comment number being answered")
	return c
}

func textOrFile(text, file, flag string) (string, error) {
	if file == "" {
		return text, nil
	}
	if text != "" {
		return "", fmt.Errorf("give %s or %s-file, not both", flag, flag)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, err)
	}
	return string(b), nil
}

func newProposeCmd(s *Streams) *cobra.Command {
	var a actFlags
	var mf measureFlags
	var title, body, bodyFile, category, opens, closes string
	var voting time.Duration
	var initiative bool
	var amount uint64
	var sf secretFlags
	c := &cobra.Command{
		Use:   "propose",
		Short: "Put a proposal to the community",
		Long: `propose records a proposal. Voting opens when it is recorded, or at --opens;
it closes after --voting, or at --closes. The constitution bounds both.
The body is Markdown. --measure says what passing does: a resolution (the
default) changes nothing in the record; a law enters the register of laws
until its --sunset; a renewal or repeal acts on --law N; an amendment
changes the constitution with --rules-file. --initiative makes it a
popular initiative, with no voting times: voting opens when enough members
sign it (see folkmoot initiative).

--secret puts it to a secret ballot: --trustees names the members who will
hold the vote's key in shares (default: the constitution's trustee office)
and --trustee-threshold how many must decrypt the result. Voting must open
at least the constitution's key period later (--opens), so the trustees
can make the key (folkmoot trustee keygen). --option (repeated) makes it a
question with options instead of yes/no/abstain; --approve K lets members
approve up to K of them.`,
		Example: `  folkmoot propose --as ada --title "Plant an orchard" --body-file orchard.md --voting 72h
  folkmoot propose --as ada --title "Budget 2027" --category budget \
      --opens 2026-12-01T09:00:00Z --closes 2026-12-08T18:00:00Z
  folkmoot propose --as ada --title "Quiet hours" --measure law --sunset 17520h --voting 168h
  folkmoot propose --as ada --title "Two-thirds for budgets" --measure amendment --rules-file rules.json --voting 336h
  folkmoot propose --as ada --title "Repair the hall roof" --type budget --amount 1200000 --voting 168h
  folkmoot propose --as ada --title "Which trees?" --secret --trustees 1,2,3 \
      --option oak --option lime --option ash --approve 2 --opens 2026-12-02T09:00:00Z --voting 72h`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if body, err = textOrFile(body, bodyFile, "--body"); err != nil {
				return err
			}
			p := &tx.Propose{Title: title, Body: body, Category: category, Initiative: initiative, Amount: amount}
			if err := mf.apply(p); err != nil {
				return err
			}
			if err := sf.apply(p); err != nil {
				return err
			}
			start := time.Now()
			if opens != "" {
				t, err := time.Parse(time.RFC3339, opens)
				if err != nil {
					return fmt.Errorf("--opens: write it like 2026-12-01T09:00:00Z: %w", err)
				}
				p.Opens, start = t.Unix(), t
			}
			switch {
			case closes != "":
				t, err := time.Parse(time.RFC3339, closes)
				if err != nil {
					return fmt.Errorf("--closes: write it like 2026-12-08T18:00:00Z: %w", err)
				}
				p.Closes = t.Unix()
			case voting > 0:
				// A little slack so the window still fits the constitution
				// when the block comes a few seconds after now.
				p.Closes = start.Add(voting + 5*time.Second).Unix()
			case !initiative:
				return fmt.Errorf("say when voting closes: --voting 72h or --closes TIME")
			}
			// An initiative has no voting times: tx.Check refuses any given.
			return a.act(s, p)
		},
	}
	a.add(c)
	c.AddCommand(newProposeAmendCmd(s))
	c.Flags().StringVar(&title, "title", "", fmt.Sprintf("title (at most %d characters)", tx.MaxTitle))
	c.Flags().StringVar(&body, "body", "", "text in Markdown")
	c.Flags().StringVar(&bodyFile, "body-file", "", "read the Markdown text from a file")
	c.Flags().StringVar(&category, "category", "general", "one of the constitution's categories")
	c.Flags().StringVar(&opens, "opens", "", "when voting opens (RFC 3339); default: when recorded")
	c.Flags().StringVar(&closes, "closes", "", "when voting closes (RFC 3339)")
	c.Flags().DurationVar(&voting, "voting", 0, "how long voting lasts, from its opening")
	c.Flags().BoolVar(&initiative, "initiative", false, "start a popular initiative: voting opens when enough members sign it")
	mf.add(c)
	c.Flags().Uint64Var(&amount, "amount", 0, "for --type budget: the amount it allows to be spent, in minor units (cents)")
	sf.add(c)
	return c
}

func newWithdrawCmd(s *Streams) *cobra.Command {
	var a actFlags
	c := &cobra.Command{
		Use:     "withdraw PROPOSAL",
		Short:   "Withdraw your own proposal before voting opens",
		Example: "  folkmoot withdraw 4 --as ada",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseProposal(args[0])
			if err != nil {
				return err
			}
			return a.act(s, &tx.Withdraw{Proposal: id})
		},
	}
	a.add(c)
	return c
}

func newMemberCmd(s *Streams) *cobra.Command {
	m := &cobra.Command{Use: "member", Short: "Vouch for newcomers, leave, or move to a new key"}
	var vouch actFlags
	var name string
	vc := &cobra.Command{
		Use:   "vouch PUBLIC_KEY --name NAME",
		Short: "Vouch for a key to become a member",
		Long: `vouch records that you know the holder of PUBLIC_KEY as NAME. The key is
admitted when the constitution's number of distinct current members have
vouched for it under the same name.`,
		Example: "  folkmoot member vouch 6f1c…9a --name \"Chiara Rossi\" --as ada",
		Args:    cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			k, err := tx.ParsePublicKey(args[0])
			if err != nil {
				return err
			}
			return vouch.act(s, &tx.Vouch{Key: k[:], Name: name})
		},
	}
	vouch.add(vc)
	vc.Flags().StringVar(&name, "name", "", "the newcomer's display name")
	vc.MarkFlagRequired("name")

	var leave actFlags
	lc := &cobra.Command{
		Use:     "leave",
		Short:   "Leave the community (your key can no longer act)",
		Example: "  folkmoot member leave --as dmitri",
		Args:    cobra.NoArgs,
		RunE:    func(cmd *cobra.Command, _ []string) error { return leave.act(s, &tx.Leave{}) },
	}
	leave.add(lc)

	var rot actFlags
	var to string
	rc := &cobra.Command{
		Use:   "rotate --to NEW_ALIAS",
		Short: "Hand your membership over to a new key from your keystore",
		Long: `rotate moves your membership (number, name, ballots) to another key of
your keystore, which signs its acceptance. From the block that records it
the old key is dead.`,
		Example: "  folkmoot key new ada-2026 && folkmoot member rotate --as ada --to ada-2026",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			next := rot.keys
			next.alias = to
			newPriv, err := next.load(s)
			if err != nil {
				return err
			}
			oldPriv, err := rot.keys.load(s)
			if err != nil {
				return err
			}
			cl, err := client.New(rot.node)
			if err != nil {
				return err
			}
			ctx, cancel := timeout()
			defer cancel()
			chainID, err := cl.ChainID(ctx)
			if err != nil {
				return err
			}
			var oldKey, newKey tx.PublicKey
			copy(oldKey[:], oldPriv.Public().(ed25519.PublicKey))
			copy(newKey[:], newPriv.Public().(ed25519.PublicKey))
			proof := ed25519.Sign(newPriv, tx.RotationMessage(chainID, oldKey, newKey))
			return rot.act(s, &tx.Rotate{NewKey: newKey[:], Proof: proof})
		},
	}
	rot.add(rc)
	rc.Flags().StringVar(&to, "to", "", "alias of the new key in your keystore")
	rc.MarkFlagRequired("to")
	m.AddCommand(vc, lc, rc)
	return m
}

// delegateTarget reads --to: a member's public key (64 hex digits) or
// member number.
func delegateTarget(to string) (*tx.Delegate, error) {
	if n, err := strconv.ParseUint(to, 10, 32); err == nil && len(to) < 64 {
		if n == 0 {
			return nil, fmt.Errorf("--to: member numbers start at 1")
		}
		return &tx.Delegate{Member: uint32(n)}, nil
	}
	k, err := tx.ParsePublicKey(to)
	if err != nil {
		return nil, fmt.Errorf("--to: give a member number or a public key: %w", err)
	}
	return &tx.Delegate{To: k[:]}, nil
}

func newDelegateCmd(s *Streams) *cobra.Command {
	var a actFlags
	var category, to string
	c := &cobra.Command{
		Use:   "delegate --category CATEGORY --to KEY|NUMBER",
		Short: "Delegate your vote on a category of proposals to another member",
		Long: `delegate lets another current member vote for you on every proposal of a
category you do not vote on yourself. Your own ballot always overrides it;
delegation is transitive (your delegate's delegate counts, and so on); a
chain that runs into a cycle, or ends at someone who did not vote, counts
as not voting; the constitution may cap the votes one ballot carries or
switch delegation off. A new delegation on the same category replaces the
old one. Who delegated to whom is public.`,
		Example: "  folkmoot delegate --category budget --to 3 --as ada\n  folkmoot delegate --category general --to 6f1c…9a --as ada",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			d, err := delegateTarget(to)
			if err != nil {
				return err
			}
			d.Category = category
			return a.act(s, d)
		},
	}
	a.add(c)
	c.Flags().StringVar(&category, "category", "", "one of the constitution's categories")
	c.Flags().StringVar(&to, "to", "", "the delegate: a member number or public key")
	c.MarkFlagRequired("category")
	c.MarkFlagRequired("to")
	return c
}

func newUndelegateCmd(s *Streams) *cobra.Command {
	var a actFlags
	var category string
	c := &cobra.Command{
		Use:   "undelegate --category CATEGORY",
		Short: "Withdraw your delegation on a category",
		Long: `undelegate withdraws your delegation on a category from the block that
records it: proposals closing after it count only your own ballot.`,
		Example: "  folkmoot undelegate --category budget --as ada",
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.act(s, &tx.Undelegate{Category: category})
		},
	}
	a.add(c)
	c.Flags().StringVar(&category, "category", "", "the category whose delegation to withdraw")
	c.MarkFlagRequired("category")
	return c
}
