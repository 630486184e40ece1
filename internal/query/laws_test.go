package query_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// community applies blocks to a fixture community of three founders.
type community struct {
	t   *testing.T
	s   *core.State
	now time.Time
	m   []*coretest.Member
}

func (c *community) block(d time.Duration, txs ...[]byte) {
	c.t.Helper()
	c.now = c.now.Add(d)
	r, err := c.s.ApplyBlock(core.Block{Height: c.s.Height() + 1, Time: c.now, Txs: txs}, 1)
	if err != nil {
		c.t.Fatal(err)
	}
	for i, tr := range r.Txs {
		if tr.Code != reject.OK {
			c.t.Fatalf("tx %d: %d %s", i, tr.Code, tr.Log)
		}
	}
}

// pass proposes p and has everyone vote yes; it returns after the close.
func (c *community) pass(p tx.Propose) uint64 {
	c.t.Helper()
	p.Category, p.Closes = "general", c.now.Add(time.Hour).Unix()
	c.block(time.Second, c.m[0].Sign(&p))
	id := uint64(len(c.s.Proposals()))
	c.block(time.Second, c.m[0].Ballot(id, tx.Yes), c.m[1].Ballot(id, tx.Yes), c.m[2].Ballot(id, tx.Yes))
	c.block(time.Hour)
	return id
}

func TestLawsRulesInitiatives(t *testing.T) {
	c := &community{t: t, now: coretest.GenesisTime,
		m: []*coretest.Member{coretest.NewMember("a"), coretest.NewMember("b"), coretest.NewMember("c")}}
	c.s = coretest.NewState(c.m...)
	day := 24 * time.Hour
	c.pass(tx.Propose{Title: "Quiet hours", Measure: tx.Enact, Sunset: int64(10 * day / time.Second)})
	enacted := c.now
	renewal := c.pass(tx.Propose{Title: "Keep them", Measure: tx.Renew, Law: 1, Sunset: int64(10 * day / time.Second)})
	c.pass(tx.Propose{Title: "Dog park", Measure: tx.Enact})
	repeal := c.pass(tx.Propose{Title: "No dog park", Measure: tx.Repeal, Law: 2})
	amend := c.pass(tx.Propose{Title: "Half", Measure: tx.Amend, Rules: `{"quorum": "1/2"}`})
	c.block(30 * day)
	c.block(time.Second, c.m[1].Sign(&tx.Propose{Title: "Car-free Sundays", Category: "general", Initiative: true}))

	now, err := query.Laws(c.s, "")
	if err != nil || len(now) != 0 {
		t.Fatalf("laws now: %+v %v", now, err)
	}
	then, err := query.Laws(c.s, enacted.Add(time.Minute).Format(time.RFC3339))
	if err != nil || len(then) != 1 || then[0].Title != "Quiet hours" || then[0].Status != "expired" || then[0].Ended == nil {
		t.Fatalf("laws then: %+v %v", then, err)
	}
	if _, err := query.Laws(c.s, "June"); err == nil || !strings.Contains(err.Error(), "write it like") {
		t.Fatalf("bad time: %v", err)
	}
	for _, tt := range []struct {
		n    uint64
		what []string
	}{{1, []string{"enacted", "renewed", "expired"}}, {2, []string{"enacted", "repealed"}}} {
		d, err := query.LawByNumber(c.s, tt.n)
		if err != nil || len(d.History) != len(tt.what) {
			t.Fatalf("law %d: %+v %v", tt.n, d, err)
		}
		for i, e := range d.History {
			if e.What != tt.what[i] {
				t.Fatalf("law %d history %+v, want %v", tt.n, d.History, tt.what)
			}
		}
	}
	d, _ := query.LawByNumber(c.s, 1)
	if d.History[1].Proposal != renewal || !d.History[1].Expires.Equal(d.Expires) || d.Expires.Sub(d.Enacted) != 20*day {
		t.Fatalf("renewal step %+v of %+v", d.History[1], d.LawEntry)
	}
	if d2, _ := query.LawByNumber(c.s, 2); d2.RepealedBy != repeal || d2.History[1].Proposal != repeal {
		t.Fatalf("repeal: %+v", d2)
	}
	if _, err := query.LawByNumber(c.s, 3); err == nil || err.Error() != "there is no law 3" {
		t.Fatalf("unknown law: %v", err)
	}

	all, err := query.Rules(c.s, "")
	if err != nil || len(all) != 2 || all[1].Proposal != amend || all[1].Constitution.Quorum.String() != "1/2" {
		t.Fatalf("rule history %+v %v", all, err)
	}
	for _, tt := range []struct {
		q       string
		version uint32
		err     string
	}{
		{"proposal=1", 1, ""}, {"proposal=" + itoa(amend+1), 2, ""}, {"height=0", 1, ""}, {"height=" + itoa(uint64(all[1].Height)), 2, ""},
		{"proposal=99", 0, "there is no proposal 99"}, {"height=99999", 0, "after the last block"}, {"who=1", 0, "ask for the rules with"},
	} {
		vs, err := query.Rules(c.s, tt.q)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Fatalf("%s: %v, want %q", tt.q, err, tt.err)
			}
			continue
		}
		if err != nil || len(vs) != 1 || vs[0].Version != tt.version {
			t.Fatalf("%s: %+v %v, want version %d", tt.q, vs, err, tt.version)
		}
	}

	ins := query.Proposals(c.s, query.Filter{Initiatives: true})
	if len(ins) != 1 || ins[0].Status != "gathering" || ins[0].Initiative == nil || ins[0].Initiative.Needed != 1 ||
		ins[0].Initiative.Qualified || ins[0].Initiative.VotingPeriod != "336h0m0s" {
		t.Fatalf("initiatives %+v", ins)
	}
	if got := query.Proposals(c.s, query.Filter{Status: "open", Initiatives: true}); len(got) != 0 {
		t.Fatalf("open initiatives %+v", got)
	}
}

func itoa(n uint64) string { return strconv.FormatUint(n, 10) }
