package demo

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/sortition"
	"github.com/folkmoot/folkmoot/internal/trustee"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// SecretProposal is the demo's secret vote: which tree to plant in the
// square, decided by secret ballot with Ada, Bram and Chiara as trustees
// (2 of 3 decrypt).
const SecretProposal = 7

// secretOptions are the demo's secret question's options.
var secretOptions = []string{"oak", "lime", "cherry"}

// secretKeygen has the trustees make the secret vote's key: each commits,
// then deals the others their sealed shares. Their secrets stay in this
// process, as their keys do.
func (d *Community) secretKeygen(ctx context.Context, send func(string, ...Act) error, trustees []*Member) error {
	d.trustees = make(map[*Member]*trustee.Secret, len(trustees))
	var commits []Act
	recipients := map[int]string{}
	for i, m := range trustees {
		s, err := trustee.New(fmt.Sprintf("%s/proposal/%d", d.ChainID, SecretProposal), i+1, 2, len(trustees), rand.Reader)
		if err != nil {
			return fmt.Errorf("demo: trustee %s: %w", m.Name, err)
		}
		d.trustees[m] = s
		rcpt, err := s.Recipient()
		if err != nil {
			return err
		}
		cm, err := s.Commitments()
		if err != nil {
			return err
		}
		recipients[i+1] = rcpt
		commits = append(commits, Act{m, &tx.TrusteeCommit{Proposal: SecretProposal, Recipient: rcpt, Commitments: cm}})
	}
	if err := send("Trustees Ada, Bram and Chiara commit to their key parts", commits...); err != nil {
		return err
	}
	var deals []Act
	for i, m := range trustees {
		others := map[int]string{}
		for j, r := range recipients {
			if j != i+1 {
				others[j] = r
			}
		}
		sealed, err := d.trustees[m].Seal(others)
		if err != nil {
			return fmt.Errorf("demo: trustee %s seals: %w", m.Name, err)
		}
		var shares []tx.SealedShare
		for j := 1; j <= len(trustees); j++ {
			if b, ok := sealed[j]; ok {
				shares = append(shares, tx.SealedShare{To: uint32(j), Sealed: b})
			}
		}
		deals = append(deals, Act{m, &tx.TrusteeShares{Proposal: SecretProposal, Shares: shares}})
	}
	return send("… and deal each other shares, sealed with age", deals...)
}

// secretDetail waits until the secret vote has status and returns it.
func (d *Community) secretDetail(ctx context.Context, status string) (query.SecretDetail, error) {
	for {
		sd, err := d.Client.Secret(ctx, SecretProposal)
		if err != nil {
			return sd, fmt.Errorf("demo: secret vote: %w", err)
		}
		if sd.Status == status {
			return sd, nil
		}
		if sd.Status == "cancelled" || sd.Status == "decided" {
			return sd, fmt.Errorf("demo: the secret vote is %s (%s), not %s", sd.Status, sd.Secret.Cancelled, status)
		}
		select {
		case <-ctx.Done():
			return sd, fmt.Errorf("demo: waiting for the secret vote to be %s: %w", status, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// secretBallot encrypts m's choice (an option's index) on the secret vote.
func secretBallot(sd query.SecretDetail, m *Member, choice int) (Act, error) {
	eid, _ := hex.DecodeString(sd.ElectionID)
	key, err := hex.DecodeString(sd.Secret.Key)
	if err != nil {
		return Act{}, fmt.Errorf("demo: election key: %w", err)
	}
	votes := make([]int, sd.Secret.Choices)
	votes[choice] = 1
	b, err := ballot.Cast(ballot.Context{ElectionID: eid, ChainID: sd.ChainID, PublicKey: key, VoterKey: m.Key[:]},
		ballot.SingleChoice(sd.Secret.Choices), votes, rand.Reader)
	if err != nil {
		return Act{}, fmt.Errorf("demo: %s's secret ballot: %w", m.Name, err)
	}
	return Act{m, &tx.SecretBallot{Proposal: SecretProposal, Ballot: b.Bytes()}}, nil
}

// secretVote casts the members' secret ballots once voting opens.
func (d *Community) secretVote(ctx context.Context, send func(string, ...Act) error) error {
	sd, err := d.secretDetail(ctx, "open")
	if err != nil {
		return err
	}
	var acts []Act
	for i, choice := range []int{0, 1, 0, 2, 1} { // oak, lime, oak, cherry, lime
		a, err := secretBallot(sd, d.Members[i], choice)
		if err != nil {
			return err
		}
		acts = append(acts, a)
	}
	if err := send(fmt.Sprintf("5 secret ballots on %d (who voted is public, how is not)", SecretProposal), acts...); err != nil {
		return err
	}
	// Esi changes her mind: her last ballot replaces the first.
	a, err := secretBallot(sd, d.Members[4], 0)
	if err != nil {
		return err
	}
	return send("Esi casts a new secret ballot; only her last one counts", a)
}

// Tally waits for the secret vote to close and has two of its three
// trustees, Bram and Chiara, publish their partial decryptions with their
// proofs; the second decides the vote.
func (d *Community) Tally(ctx context.Context, out func(format string, a ...any)) error {
	sd, err := d.secretDetail(ctx, "counting")
	if err != nil {
		return err
	}
	var agg []ballot.Ciphertext
	for _, h := range sd.Aggregate {
		b, _ := hex.DecodeString(h)
		c, err := ballot.ParseAggregate(b)
		if err != nil {
			return fmt.Errorf("demo: aggregate: %w", err)
		}
		agg = append(agg, c)
	}
	eid, _ := hex.DecodeString(sd.ElectionID)
	key, _ := hex.DecodeString(sd.Secret.Key)
	bctx := ballot.Context{ElectionID: eid, ChainID: sd.ChainID, PublicKey: key}
	var acts []Act
	for _, m := range d.Members[1:3] {
		s := d.trustees[m]
		shares := map[int][]byte{}
		for _, t := range sd.Secret.Trustees {
			if !t.Qualified {
				continue
			}
			if int(t.Number) == s.Index {
				shares[s.Index] = nil
				continue
			}
			dealer := sd.Dealers[t.Number-1]
			for _, sh := range dealer.Shares {
				if int(sh.To) != s.Index {
					continue
				}
				sealed, _ := hex.DecodeString(sh.Sealed)
				cm, _ := hex.DecodeString(dealer.Commitments)
				plain, err := s.Open(int(t.Number), cm, sealed)
				if err != nil {
					return fmt.Errorf("demo: %s opens the share of trustee %d: %w", m.Name, t.Number, err)
				}
				shares[int(t.Number)] = plain
			}
		}
		part, err := s.Decrypt(bctx, shares, agg, rand.Reader)
		if err != nil {
			return fmt.Errorf("demo: %s decrypts: %w", m.Name, err)
		}
		acts = append(acts, Act{m, &tx.TrusteeDecrypt{Proposal: SecretProposal, Partial: part}})
	}
	h, err := d.Do(ctx, acts...)
	if err != nil {
		return fmt.Errorf("trustees decrypt: %w", err)
	}
	out("  %-58s block %d", "Trustees Bram and Chiara decrypt the sum of the ballots", h)
	return nil
}

// PanelDraw is the demo's draw by lot: a citizens' panel of two among
// volunteers.
const PanelDraw = 1

// waitBlockTime waits until the chain's last block is at or after at.
func (d *Community) waitBlockTime(ctx context.Context, at time.Time) error {
	for {
		st, err := d.Client.Status(ctx)
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		if !st.Time.Before(at) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: waiting for block time %s: %w", at.Format(time.RFC3339), ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// panelBeacon feeds the panel draw's beacon: the five members commit to
// secrets, and all but Dmitri reveal them (he is named for it).
func (d *Community) panelBeacon(ctx context.Context, send func(string, ...Act) error) error {
	dr, err := d.Client.Draw(ctx, PanelDraw)
	if err != nil {
		return fmt.Errorf("demo: draw %d: %w", PanelDraw, err)
	}
	if err := d.waitBlockTime(ctx, dr.CommitFrom); err != nil {
		return err
	}
	if dr, err = d.Client.Draw(ctx, PanelDraw); err != nil {
		return fmt.Errorf("demo: draw %d: %w", PanelDraw, err)
	}
	in := sortition.Instance{Seats: int(dr.Seats), Features: []sortition.Feature{{Name: "street",
		Values: []sortition.Quota{{Value: "Elm", Min: 1, Max: 1}, {Value: "Oak", Min: 1, Max: 1}}}}}
	for _, m := range dr.Volunteers {
		in.Volunteers = append(in.Volunteers, sortition.Volunteer{Member: m, Values: dr.Values[m]})
	}
	dist, err := sortition.Leximin(in)
	if err != nil {
		return fmt.Errorf("demo: the panel's lottery: %w", err)
	}
	var panels []tx.LotteryPanel
	for _, p := range dist.Panels {
		lp := tx.LotteryPanel{Weight: p.Weight}
		for _, ts := range p.Seats {
			lp.Seats = append(lp.Seats, tx.TypeSeats{Type: uint32(ts.Type), Count: uint32(ts.Count)})
		}
		panels = append(panels, lp)
	}
	if err := send("Esi publishes the LEXIMIN lottery (every volunteer: 1 chance in 2)",
		Act{d.Members[4], &tx.DrawLottery{Draw: PanelDraw, Panels: panels}}); err != nil {
		return err
	}
	secrets := make([][]byte, len(d.Members))
	var commits []Act
	for i, m := range d.Members {
		secrets[i] = make([]byte, 32)
		if _, err := rand.Read(secrets[i]); err != nil {
			return err
		}
		c := core.BeaconCommitment(PanelDraw, 0, uint32(i+1), secrets[i])
		commits = append(commits, Act{m, &tx.BeaconCommit{Draw: PanelDraw, Commitment: c[:]}})
	}
	if err := send("All five commit to secrets for the panel's beacon", commits...); err != nil {
		return err
	}
	if err := d.waitBlockTime(ctx, dr.CommitUntil); err != nil {
		return err
	}
	var reveals []Act
	for i, m := range d.Members {
		if m.Name != "Dmitri" {
			reveals = append(reveals, Act{m, &tx.BeaconReveal{Draw: PanelDraw, Secret: secrets[i]}})
		}
	}
	return send("… and reveal them (Dmitri forgets, and is named)", reveals...)
}
