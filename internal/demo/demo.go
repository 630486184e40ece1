// Package demo is the script of the demo community "Elm Street Commons":
// five members, six proposals in every state, an election, run on a real
// single-validator node assembled by node.Open. "folkmoot demo" prints it;
// the browser tests drive its site.
package demo

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"sync"
	"time"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/trustee"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Member is a member of the demo community whose key lives only in
// this process.
type Member struct {
	Name  string
	Priv  ed25519.PrivateKey
	Key   tx.PublicKey
	nonce uint64
}

func newMember(name string) (*Member, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo key for %s: %w", name, err)
	}
	m := &Member{Name: name, Priv: priv}
	copy(m.Key[:], pub)
	return m, nil
}

// Options configure Start.
type Options struct {
	// Home is the node's home; "" makes a new temporary directory.
	Home string
	// Voting is how long the votes on proposals 1 and 2 stay open (the
	// constitution's least is 5 s; the demo adds 2 s for the proposals'
	// own block).
	Voting time.Duration
	// Out receives the demo's story as it happens; nil discards it.
	Out io.Writer
	// SiteLog receives the site's internal errors; nil discards them.
	SiteLog *slog.Logger
}

// Community is the running demo community "Elm Street Commons": a
// single-validator node serving the web site, five members (Ada, Bram and
// Chiara founded it; Dmitri and Esi were vouched in) and six proposals,
// one in each state once the first two votes close: 1 passes and becomes
// law 1, 2 fails, 3 stays open with comments, an endorsement and ballots,
// 4 was withdrawn, 5 is scheduled to open in two days (its author amended
// its text) and 6 is a popular initiative gathering signatures (1 of the 3
// it needs).
type Community struct {
	Home    string
	ChainID string
	// Site is the web site's URL (http://127.0.0.1:port).
	Site string
	// RPC is the node's CometBFT RPC URL.
	RPC string
	// Metrics is the host:port serving the node's Prometheus /metrics.
	Metrics string
	Client  *client.Client
	// Members are Ada, Bram, Chiara, Dmitri and Esi, in that order.
	Members []*Member
	// Closes is when voting on proposals 1 and 2 closes.
	Closes       time.Time
	Constitution core.Constitution

	c *node.Community
	// trustees are the secret vote's trustees' secrets (see secret.go).
	trustees map[*Member]*trustee.Secret
	mu       sync.Mutex // orders signing and submission, so nonces arrive in order
}

// Member returns the demo member with that name, or nil.
func (d *Community) Member(name string) *Member {
	for _, m := range d.Members {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// Stop stops the node and its web site.
func (d *Community) Stop() error { return d.c.Stop() }

// Done is closed when the node stops by itself.
func (d *Community) Done() <-chan struct{} { return d.c.Done() }

// Act is one transaction of the demo: a member and what they sign.
type Act struct {
	By   *Member
	Body tx.Body
}

// Do signs each act with its member's key, submits them in order, and
// waits until all are committed; it returns the highest block, or the
// first refusal with its sentence.
func (d *Community) Do(ctx context.Context, acts ...Act) (int64, error) {
	ids := make([]tx.ID, 0, len(acts))
	d.mu.Lock()
	for _, a := range acts {
		a.By.nonce++
		raw, err := tx.Sign(a.By.Priv, tx.Unsigned{ChainID: d.ChainID, Author: a.By.Key, Nonce: a.By.nonce, Body: a.Body})
		if err != nil {
			a.By.nonce--
			d.mu.Unlock()
			return 0, fmt.Errorf("demo: sign %s's %T: %w", a.By.Name, a.Body, err)
		}
		id, err := d.Client.Submit(ctx, raw)
		if err != nil {
			a.By.nonce--
			d.mu.Unlock()
			return 0, fmt.Errorf("demo: %T by %s: %w", a.Body, a.By.Name, err)
		}
		ids = append(ids, id)
	}
	d.mu.Unlock()
	var height int64
	for _, id := range ids {
		c, err := d.Client.Wait(ctx, id)
		if err != nil {
			return 0, fmt.Errorf("demo: wait for %s: %w", id, err)
		}
		if c.Code != reject.OK {
			return 0, fmt.Errorf("demo: rejected: %s", c.Log)
		}
		height = max(height, c.Height)
	}
	return height, nil
}

// Start founds the demo community in a new node, starts it with its
// web site, and records the demo's story: vouches, five proposals,
// comments, endorsements, ballots and a withdrawal. It returns once all
// are committed; votes on proposals 1 and 2 close at Closes. The caller
// stops the demo.
func Start(ctx context.Context, o Options) (_ *Community, err error) {
	out := o.Out
	if out == nil {
		out = io.Discard
	}
	say := func(format string, a ...any) { fmt.Fprintf(out, format+"\n", a...) }
	if o.Home == "" {
		dir, err := os.MkdirTemp("", "folkmoot-demo-")
		if err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
		o.Home = dir
	}
	if o.Voting <= 0 {
		o.Voting = 20 * time.Second
	}
	names := []string{"Ada", "Bram", "Chiara", "Dmitri", "Esi"}
	ms := make([]*Member, len(names))
	for i, n := range names {
		if ms[i], err = newMember(n); err != nil {
			return nil, err
		}
	}
	ada, bram, chiara, dmitri, esi := ms[0], ms[1], ms[2], ms[3], ms[4]

	cons := core.DefaultConstitution("Elm Street Commons", []core.Founder{
		{Key: ada.Key, Name: ada.Name}, {Key: bram.Key, Name: bram.Name}, {Key: chiara.Key, Name: chiara.Name}})
	cons.MinVoting.Duration = 5 * time.Second
	cons.Categories = []string{"general", "green spaces", "budget", "streets"}
	// Three of the five members must sign an initiative: the demo's
	// drinking-fountain initiative, with one signature, keeps gathering.
	cons.Initiative.Threshold.Num, cons.Initiative.Threshold.Den = 3, 5
	// Secret votes: the trustees have 8 s to make a key, and a minute to
	// decrypt once voting closes.
	cons.Secret.KeyPeriod.Duration, cons.Secret.DecryptPeriod.Duration = 8*time.Second, time.Minute
	// One office, whose first election runs during the demo: nominations
	// from genesis for nomination, then voting as long as the votes on
	// proposals 1 and 2.
	cons.Offices = []core.Office{{Name: "tree warden", Seats: 1, Term: core.Duration{Duration: 365 * 24 * time.Hour},
		MaxConsecutiveTerms: 2, MaxTerms: 4, NominationPeriod: core.Duration{Duration: nomination},
		VotingPeriod: core.Duration{Duration: o.Voting}, Powers: []string{core.PowerNotice}}}
	appState, err := json.Marshal(core.Genesis{Constitution: cons})
	if err != nil {
		return nil, fmt.Errorf("demo: genesis: %w", err)
	}
	var addrs [4]string
	for i := range addrs {
		if addrs[i], err = node.FreeLoopbackAddr(); err != nil {
			return nil, fmt.Errorf("demo: %w", err)
		}
	}
	const chainID = "elm-street-demo"
	err = node.Init(o.Home, node.HomeOptions{ChainID: chainID, AppState: appState, LogLevel: "error",
		TimeoutCommit: 300 * time.Millisecond, EmptyBlocksInterval: time.Second,
		P2PAddress: "tcp://" + addrs[0], RPCAddress: "tcp://" + addrs[1], MetricsAddress: addrs[2], WebAddress: addrs[3]})
	if errors.Is(err, node.ErrHomeExists) {
		return nil, fmt.Errorf("demo: %s already holds a node; give an empty --home or none", o.Home)
	}
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	say("Founding %q (chain %s) with %s, %s and %s", cons.Name, chainID, ada.Name, bram.Name, chiara.Name)
	say("  home: %s", o.Home)
	c, err := node.Open(ctx, o.Home, node.Options{SiteLog: o.SiteLog})
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			c.Stop()
		}
	}()
	d := &Community{Home: o.Home, ChainID: chainID, Site: c.Site(), RPC: c.RPC(), Client: c.Client(), Members: ms, Constitution: cons, c: c,
		Metrics: c.Node().Config().Comet.Instrumentation.PrometheusListenAddr}
	say("  node: %s", d.RPC)
	say("  web:  %s", d.Site)

	send := func(what string, acts ...Act) error {
		h, err := d.Do(ctx, acts...)
		if err != nil {
			return fmt.Errorf("%s: %w", what, err)
		}
		say("  %-58s block %d", what, h)
		return nil
	}
	vouch := func(by, who *Member) Act {
		return Act{by, &tx.Vouch{Key: who.Key[:], Name: who.Name}}
	}
	say("\nElection 1, tree warden (nominations close %s after genesis):", nomination)
	if err := send("Ada, Bram and Chiara stand",
		Act{ada, &tx.Candidacy{Election: 1}}, Act{bram, &tx.Candidacy{Election: 1}}, Act{chiara, &tx.Candidacy{Election: 1}}); err != nil {
		return nil, err
	}
	say("\nMembership (the constitution asks for %d vouches):", cons.VouchesRequired)
	if err := send("Ada and Bram vouch for Dmitri; Ada and Chiara for Esi", vouch(ada, dmitri), vouch(bram, dmitri), vouch(ada, esi), vouch(chiara, esi)); err != nil {
		return nil, err
	}
	st, err := d.Client.Status(ctx)
	if err != nil {
		return nil, fmt.Errorf("demo: %w", err)
	}
	say("  members now: %d", st.Members)

	now := time.Now()
	d.Closes = now.Add(o.Voting + 2*time.Second).Truncate(time.Second)
	closes := d.Closes.Unix()
	week := now.Add(7 * 24 * time.Hour).Unix()
	soon, after := now.Add(2*24*time.Hour).Unix(), now.Add(9*24*time.Hour).Unix()
	// The secret vote opens once its trustees have had the key period, and
	// closes with 1 and 2 (or after the least voting period).
	secretOpens := now.Add(11 * time.Second).Truncate(time.Second)
	secretCloses := max(closes, secretOpens.Add(cons.MinVoting.Duration+time.Second).Unix())
	// The citizens' panel is drawn from volunteers by lot: volunteering,
	// then the beacon's commitments and reveals, 5 s each.
	panelVolunteers := now.Add(5 * time.Second)
	say("\nProposals:")
	if err := send("1 \"Plant a community orchard\" (a law), 2 \"Bench into parking\", 3 …",
		Act{ada, &tx.Propose{Title: "Plant a community orchard on the empty lot", Category: "green spaces", Closes: closes,
			Measure: tx.Enact,
			Body: "The lot at the corner of Elm and 3rd has been empty for years.\n\n" +
				"**Proposal:** plant twelve fruit trees there this autumn and share the harvest.\n\n" +
				"- cost: about 600 in saplings, from the garden budget\n- volunteers: the gardening group"}},
		Act{bram, &tx.Propose{Title: "Turn the reading bench into two parking spaces", Category: "streets", Closes: closes,
			Body: "Parking is short on Elm Street. The bench by the library could make room for two cars."}},
		Act{chiara, &tx.Propose{Title: "Hold a monthly repair café in the community hall", Category: "general", Closes: week,
			Body: "Bring broken things, fix them together, keep them out of the bin. First Saturday of each month."}},
		Act{dmitri, &tx.Propose{Title: "Paint the bus shelter bright orange", Category: "streets", Opens: soon, Closes: after,
			Body: "So that nobody misses the bus on a grey morning."}},
		Act{esi, &tx.Propose{Title: "Close Elm Street to cars on summer Sundays", Category: "streets", Opens: soon, Closes: after,
			Body: "From June to August, 10:00 to 18:00: children play, neighbours meet, the street is ours.\n\n" +
				"Deliveries and emergencies still pass."}},
		Act{esi, &tx.Propose{Title: "Put a drinking fountain in the square", Category: "general", Initiative: true,
			Body: "A popular initiative: when three of us sign it, it goes to a vote.\n\n" +
				"The square gets hot in summer and the nearest tap is in the hall, which is often closed."}},
		Act{chiara, &tx.Propose{Title: "Which tree for the square?", Category: "green spaces", Opens: secretOpens.Unix(), Closes: secretCloses,
			Secret: true, Options: secretOptions, Trustees: []uint32{1, 2, 3}, Threshold: 2,
			Body: "One tree in the middle of the square, chosen by secret ballot.\n\nAda, Bram and Chiara hold the key in shares; any two of them decrypt the result, and no one ever sees a single ballot."}},
	); err != nil {
		return nil, err
	}
	say("\nA draw by lot:")
	street := func(m *Member, s string) Act {
		return Act{m, &tx.Declare{Attributes: []tx.Attribute{{Name: "street", Value: s}}}}
	}
	if err := send("Members declare their street (Ada, Bram, Chiara: Elm; Dmitri, Esi: Oak)",
		street(ada, "Elm"), street(bram, "Elm"), street(chiara, "Elm"), street(dmitri, "Oak"), street(esi, "Oak")); err != nil {
		return nil, err
	}
	if err := send("Esi calls draw 1: a citizens' panel of 2, one per street",
		Act{esi, &tx.Draw{Title: "Citizens' panel on the square", Seats: 2, Volunteers: true, VolunteerUntil: panelVolunteers.Unix(),
			CommitUntil: panelVolunteers.Add(5 * time.Second).Unix(), RevealUntil: panelVolunteers.Add(10 * time.Second).Unix(),
			Quotas: []tx.Quota{{Feature: "street", Value: "Elm", Min: 1, Max: 1}, {Feature: "street", Value: "Oak", Min: 1, Max: 1}}}},
	); err != nil {
		return nil, err
	}
	if err := send("Ada, Bram, Dmitri and Esi volunteer",
		Act{ada, &tx.Volunteer{Draw: PanelDraw}}, Act{bram, &tx.Volunteer{Draw: PanelDraw}},
		Act{dmitri, &tx.Volunteer{Draw: PanelDraw}}, Act{esi, &tx.Volunteer{Draw: PanelDraw}}); err != nil {
		return nil, err
	}
	say("\nSecret vote on 7 (the key is made before voting opens):")
	if err := d.secretKeygen(ctx, send, []*Member{ada, bram, chiara}); err != nil {
		return nil, err
	}
	say("\nDiscussion:")
	if err := send("Dmitri and Chiara comment; Esi and Bram endorse; Chiara signs 6",
		Act{dmitri, &tx.Comment{Proposal: 1, Text: "Which trees? Apples and plums would suit the soil."}},
		Act{esi, &tx.Endorse{Proposal: 1}}, Act{bram, &tx.Endorse{Proposal: 3}},
		Act{chiara, &tx.Comment{Proposal: 2, Text: "The bench is the only shade on the street."}},
		Act{ada, &tx.Endorse{Proposal: 5}},
		Act{bram, &tx.Comment{Proposal: 5, Text: "Could it start at 11, after the market van?"}},
		Act{chiara, &tx.Endorse{Proposal: 6}},
	); err != nil {
		return nil, err
	}
	if err := send("Ada replies to Dmitri; Dmitri withdraws 4; Esi amends 5 (from 11:00)",
		Act{ada, &tx.Comment{Proposal: 1, ReplyTo: 1, Text: "Apples, plums and two pears, if the nursery has them."}},
		Act{dmitri, &tx.Withdraw{Proposal: 4}},
		// Voting on 5 has not opened: its author may still fix the text,
		// and the page shows every change as a diff.
		Act{esi, &tx.AmendText{Proposal: 5, Title: "Close Elm Street to cars on summer Sundays",
			Body: "From June to August, 11:00 to 18:00 (after the market van): children play, neighbours meet, the street is ours.\n\n" +
				"Deliveries and emergencies still pass."}},
	); err != nil {
		return nil, err
	}
	ballot := func(m *Member, p uint64, c tx.Choice) Act {
		return Act{m, &tx.Ballot{Proposal: p, Choice: c}}
	}
	say("\nVoting (open ballots; the last ballot of a member counts):")
	if err := send("5 ballots on 1, 4 on 2, 2 on 3",
		ballot(ada, 1, tx.Yes), ballot(bram, 1, tx.Yes), ballot(chiara, 1, tx.No), ballot(dmitri, 1, tx.Yes), ballot(esi, 1, tx.Abstain),
		ballot(ada, 2, tx.No), ballot(bram, 2, tx.Yes), ballot(chiara, 2, tx.No), ballot(dmitri, 2, tx.No),
		ballot(ada, 3, tx.Yes), ballot(esi, 3, tx.Yes),
	); err != nil {
		return nil, err
	}
	if err := send("Chiara changes her ballot on 1 from no to yes", ballot(chiara, 1, tx.Yes)); err != nil {
		return nil, err
	}
	say("\nThe panel's lottery and randomness (LEXIMIN, then commit and reveal):")
	if err := d.panelBeacon(ctx, send); err != nil {
		return nil, err
	}
	if err := d.waitElection(ctx, 1, "voting"); err != nil {
		return nil, err
	}
	rank := func(m *Member, ranking ...uint32) Act {
		return Act{m, &tx.Rank{Election: 1, Ranking: ranking}}
	}
	if err := send("5 ranked ballots for tree warden",
		rank(ada, 1, 3), rank(bram, 2, 1), rank(chiara, 3, 1), rank(dmitri, 2, 3), rank(esi, 1, 2)); err != nil {
		return nil, err
	}
	say("\nSecret voting on 7 (encrypted in the voter's device, each with its proofs):")
	if err := d.secretVote(ctx, send); err != nil {
		return nil, err
	}
	return d, nil
}

// nomination is how long the demo's first election takes candidacies,
// from genesis: long enough for a loaded machine to start the node.
const nomination = 15 * time.Second

// waitElection waits until election id has status (nominating, voting or
// decided).
func (d *Community) waitElection(ctx context.Context, id uint64, status string) error {
	for {
		var e query.Election
		if err := d.Client.Query(ctx, query.PathElection, strconv.FormatUint(id, 10), &e); err != nil {
			return fmt.Errorf("demo: election %d: %w", id, err)
		}
		if e.Status == status {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("demo: waiting for election %d to be %s: %w", id, status, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// WaitDecided waits until the votes on proposals 1, 2 and the secret
// vote (see Tally) and election 1 are decided.
func (d *Community) WaitDecided(ctx context.Context) error {
	for _, id := range []uint64{1, 2, SecretProposal} {
		for {
			p, err := d.Client.Proposal(ctx, id)
			if err != nil {
				return err
			}
			if p.Result != nil {
				break
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(250 * time.Millisecond):
			}
		}
	}
	if err := d.waitElection(ctx, 1, "decided"); err != nil {
		return err
	}
	for {
		dr, err := d.Client.Draw(ctx, PanelDraw)
		if err != nil {
			return err
		}
		if dr.Status != "collecting" {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}
