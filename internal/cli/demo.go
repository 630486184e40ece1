package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/client"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// demoMember is a demo member whose key lives only in this process.
type demoMember struct {
	name  string
	priv  ed25519.PrivateKey
	key   tx.PublicKey
	nonce uint64
}

func newDemoMember(name string) (*demoMember, error) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("demo key for %s: %w", name, err)
	}
	m := &demoMember{name: name, priv: priv}
	copy(m.key[:], pub)
	return m, nil
}

func (m *demoMember) sign(chainID string, body tx.Body) ([]byte, error) {
	m.nonce++
	return tx.Sign(m.priv, tx.Unsigned{ChainID: chainID, Author: m.key, Nonce: m.nonce, Body: body})
}

// freeAddr returns a free 127.0.0.1 port as host:port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

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
single-validator node, admits two of them by vouches, puts three proposals
to a vote, casts ballots, waits for the votes to close, prints the decided
results, exports the whole record and verifies it offline. Then it keeps the
node running until Ctrl-C (or exits with --once).`,
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
	c.Flags().DurationVar(&o.window, "voting", 20*time.Second, "voting window of the demo proposals")
	return c
}

func runDemo(ctx context.Context, s *Streams, o demoOptions) error {
	say := func(format string, a ...any) { fmt.Fprintf(s.Out, format+"\n", a...) }
	start := time.Now()
	if o.home == "" {
		d, err := os.MkdirTemp("", "folkmoot-demo-")
		if err != nil {
			return fmt.Errorf("demo: %w", err)
		}
		o.home = d
	}
	names := []string{"Ada", "Bram", "Chiara", "Dmitri", "Esi"}
	ms := make([]*demoMember, len(names))
	for i, n := range names {
		m, err := newDemoMember(n)
		if err != nil {
			return err
		}
		ms[i] = m
	}
	ada, bram, chiara, dmitri, esi := ms[0], ms[1], ms[2], ms[3], ms[4]

	cons := core.DefaultConstitution("Elm Street Commons", []core.Founder{
		{Key: ada.key, Name: ada.name}, {Key: bram.key, Name: bram.name}, {Key: chiara.key, Name: chiara.name}})
	cons.MinVoting.Duration = 5 * time.Second
	cons.Categories = []string{"general", "green spaces", "budget", "streets"}
	appState, err := json.Marshal(core.Genesis{Constitution: cons})
	if err != nil {
		return err
	}
	var addrs [4]string
	for i := range addrs {
		if addrs[i], err = freeAddr(); err != nil {
			return fmt.Errorf("demo: find a free port: %w", err)
		}
	}
	const chainID = "elm-street-demo"
	err = node.Init(o.home, node.Options{ChainID: chainID, AppState: appState, LogLevel: "error",
		TimeoutCommit: 300 * time.Millisecond, EmptyBlocksInterval: time.Second,
		P2PAddress: "tcp://" + addrs[0], RPCAddress: "tcp://" + addrs[1], MetricsAddress: addrs[2], WebAddress: addrs[3]})
	if err != nil && !errors.Is(err, node.ErrHomeExists) {
		return fmt.Errorf("demo: %w", err)
	}
	if errors.Is(err, node.ErrHomeExists) {
		return fmt.Errorf("demo: %s already holds a node; give an empty --home or none", o.home)
	}
	say("Founding %q (chain %s) with %s, %s and %s", cons.Name, chainID, ada.name, bram.name, chiara.name)
	say("  home: %s", o.home)
	r, err := startNode(ctx, o.home, nil)
	if err != nil {
		return err
	}
	defer r.Stop()
	cl, err := client.New(r.RPC())
	if err != nil {
		return err
	}
	say("  node: %s", r.RPC())
	say("  web:  %s", r.site)

	send := func(what string, items ...struct {
		m    *demoMember
		body tx.Body
	}) error {
		var ids []tx.ID
		for _, it := range items {
			raw, err := it.m.sign(chainID, it.body)
			if err != nil {
				return err
			}
			id, err := cl.Submit(ctx, raw)
			if err != nil {
				return fmt.Errorf("demo: %s by %s: %w", what, it.m.name, err)
			}
			ids = append(ids, id)
		}
		var height int64
		for _, id := range ids {
			c, err := cl.Wait(ctx, id)
			if err != nil {
				return err
			}
			if c.Code != reject.OK {
				return fmt.Errorf("demo: %s rejected: %s", what, c.Log)
			}
			height = max(height, c.Height)
		}
		say("  %-58s block %d", what, height)
		return nil
	}
	type act = struct {
		m    *demoMember
		body tx.Body
	}
	vouch := func(by, who *demoMember) act {
		return act{by, &tx.Vouch{Key: who.key[:], Name: who.name}}
	}
	say("\nMembership (the constitution asks for %d vouches):", cons.VouchesRequired)
	if err := send("Ada and Bram vouch for Dmitri; Ada and Chiara for Esi", vouch(ada, dmitri), vouch(bram, dmitri), vouch(ada, esi), vouch(chiara, esi)); err != nil {
		return err
	}
	st, err := cl.Status(ctx)
	if err != nil {
		return err
	}
	say("  members now: %d", st.Members)

	closes := time.Now().Add(o.window + 2*time.Second).Unix()
	later := time.Now().Add(7 * 24 * time.Hour).Unix()
	say("\nProposals:")
	if err := send("1 \"Plant a community orchard\", 2 \"Bench into parking\", 3 …",
		act{ada, &tx.Propose{Title: "Plant a community orchard on the empty lot", Category: "green spaces", Closes: closes,
			Body: "The lot at the corner of Elm and 3rd has been empty for years.\n\n" +
				"**Proposal:** plant twelve fruit trees there this autumn and share the harvest.\n\n" +
				"- cost: about 600 in saplings, from the garden budget\n- volunteers: the gardening group"}},
		act{bram, &tx.Propose{Title: "Turn the reading bench into two parking spaces", Category: "streets", Closes: closes,
			Body: "Parking is short on Elm Street. The bench by the library could make room for two cars."}},
		act{chiara, &tx.Propose{Title: "Hold a monthly repair café in the community hall", Category: "general", Closes: later,
			Body: "Bring broken things, fix them together, keep them out of the bin. First Saturday of each month."}},
	); err != nil {
		return err
	}
	say("\nDiscussion:")
	if err := send("Dmitri and Chiara comment; Esi and Bram endorse",
		act{dmitri, &tx.Comment{Proposal: 1, Text: "Which trees? Apples and plums would suit the soil."}},
		act{esi, &tx.Endorse{Proposal: 1}}, act{bram, &tx.Endorse{Proposal: 3}},
		act{chiara, &tx.Comment{Proposal: 2, Text: "The bench is the only shade on the street."}},
	); err != nil {
		return err
	}
	if err := send("Ada replies to Dmitri",
		act{ada, &tx.Comment{Proposal: 1, ReplyTo: 1, Text: "Apples, plums and two pears, if the nursery has them."}},
	); err != nil {
		return err
	}
	ballot := func(m *demoMember, p uint64, c tx.Choice) act { return act{m, &tx.Ballot{Proposal: p, Choice: c}} }
	say("\nVoting (open ballots; the last ballot of a member counts):")
	if err := send("5 ballots on 1, 4 on 2, 2 on 3",
		ballot(ada, 1, tx.Yes), ballot(bram, 1, tx.Yes), ballot(chiara, 1, tx.No), ballot(dmitri, 1, tx.Yes), ballot(esi, 1, tx.Abstain),
		ballot(ada, 2, tx.No), ballot(bram, 2, tx.Yes), ballot(chiara, 2, tx.No), ballot(dmitri, 2, tx.No),
		ballot(ada, 3, tx.Yes), ballot(esi, 3, tx.Yes),
	); err != nil {
		return err
	}
	if err := send("Chiara changes her ballot on 1 from no to yes", ballot(chiara, 1, tx.Yes)); err != nil {
		return err
	}

	say("\nWaiting for voting on 1 and 2 to close at %s (block time)…", time.Unix(closes, 0).UTC().Format("15:04:05 UTC"))
	for {
		p1, err := cl.Proposal(ctx, 1)
		if err != nil {
			return err
		}
		p2, err := cl.Proposal(ctx, 2)
		if err != nil {
			return err
		}
		if p1.Result != nil && p2.Result != nil {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Second):
		}
	}
	say("\nResults:")
	for id := uint64(1); id <= 3; id++ {
		p, err := cl.Proposal(ctx, id)
		if err != nil {
			return err
		}
		say("  %d. %s", p.ID, p.Title)
		say("     %s", resultLine(p))
	}

	say("\nAudit: exporting the whole record and replaying it offline…")
	file := filepath.Join(o.home, "history.fmh")
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
	say("Ask the node:       folkmoot show proposal 1 --node %s", r.RPC())
	cfg := r.node.Config()
	say("Metrics:            http://%s/metrics", cfg.Comet.Instrumentation.PrometheusListenAddr)
	say("Open the site:      %s", r.site)
	say("Demo ready in %.0f s.", time.Since(start).Seconds())
	if o.once {
		return nil
	}
	say("\nThe community keeps running; proposal 3 is still open. Press Ctrl-C to stop.")
	select {
	case <-ctx.Done():
	case <-r.node.Done():
	}
	return nil
}
