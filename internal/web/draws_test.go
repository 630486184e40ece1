package web_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// TestDrawPages runs draws by lot on a real node — a uniform draw among
// all members with a hostile title, drawn; a draw among volunteers that
// fails for want of any; one still taking volunteers; and the draw that
// fills an office filled by lot — and renders the list, each draw's page,
// the offices and the election that link to them, and the bad inputs.
func TestDrawPages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	const title = `Auditors <b>of</b> the accounts`
	c := apitest.StartWith(t, func(cons *core.Constitution) {
		cons.Offices = []core.Office{{Name: "jury", Seats: 1, Term: core.Duration{Duration: 30 * 24 * time.Hour},
			Selection: core.SelectionSortition, NominationPeriod: core.Duration{Duration: 8 * time.Second},
			VotingPeriod: core.Duration{Duration: time.Hour}}}
	}, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	c.Do(t, ada, &tx.Candidacy{Election: 1})
	c.Do(t, bram, &tx.Candidacy{Election: 1})
	now := time.Now()
	c.Do(t, ada, &tx.Draw{Title: title, Seats: 1, CommitUntil: now.Add(4 * time.Second).Unix(), RevealUntil: now.Add(7 * time.Second).Unix()})
	c.Do(t, bram, &tx.Draw{Title: "Nobody comes", Seats: 1, Volunteers: true, VolunteerUntil: now.Add(2 * time.Second).Unix(),
		CommitUntil: now.Add(3 * time.Second).Unix(), RevealUntil: now.Add(4 * time.Second).Unix()})
	c.Do(t, ada, &tx.Draw{Title: "Garden panel", Seats: 1, Volunteers: true, VolunteerUntil: now.Add(time.Hour).Unix(),
		CommitUntil: now.Add(2 * time.Hour).Unix(), RevealUntil: now.Add(3 * time.Hour).Unix()})
	c.Do(t, bram, &tx.Volunteer{Draw: 3})
	secrets := map[*apitest.Member][]byte{ada: make([]byte, 32), bram: make([]byte, 32)}
	for m, s := range secrets {
		rand.Read(s)
		n := uint32(1)
		if m == bram {
			n = 2
		}
		cm := core.BeaconCommitment(1, 0, n, s)
		c.Do(t, m, &tx.BeaconCommit{Draw: 1, Commitment: cm[:]})
	}
	waitDraw := func(id uint64, ok func(query.Draw) bool) query.Draw {
		t.Helper()
		for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(200 * time.Millisecond) {
			d, err := c.Service.Draw(id)
			if err != nil {
				t.Fatal(err)
			}
			if ok(d) {
				return d
			}
			if time.Now().After(deadline) {
				t.Fatalf("draw %d: %+v", id, d)
			}
		}
	}
	waitDraw(1, func(d query.Draw) bool {
		st, err := c.Service.Status(context.Background())
		return err == nil && !st.Time.Before(d.CommitUntil)
	})
	c.Do(t, ada, &tx.BeaconReveal{Draw: 1, Secret: secrets[ada]}) // Bram does not reveal
	drawn := waitDraw(1, func(d query.Draw) bool { return d.Status != "collecting" })
	if drawn.Status != "drawn" || len(drawn.Selected) != 1 {
		t.Fatalf("draw 1 %+v", drawn)
	}
	waitDraw(2, func(d query.Draw) bool { return d.Status == "failed" })
	var jury query.Draw
	for deadline := time.Now().Add(30 * time.Second); jury.ID == 0; time.Sleep(200 * time.Millisecond) {
		ds, err := c.Service.Draws()
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			if d.Office == "jury" {
				jury = d
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no draw for the jury: %+v", ds)
		}
	}

	site, err := web.New(web.Options{Service: c.Service})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	check := func(t *testing.T, path string, status int, want, not []string) {
		t.Helper()
		res, body := get(t, srv.URL+path)
		if res.StatusCode != status {
			t.Fatalf("%s: status %d, want %d:\n%s", path, res.StatusCode, status, body)
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q", path, w)
			}
		}
		for _, w := range not {
			if strings.Contains(body, w) {
				t.Errorf("%s has %q", path, w)
			}
		}
		for what, re := range map[string]*regexp.Regexp{"inline script": inlineScript, "event handler": handlerAttr, "style attribute": styleAttr} {
			if m := re.FindString(body); m != "" {
				t.Errorf("%s: %s in page: %s", path, what, m)
			}
		}
	}
	sel := drawn.Selected[0]
	hostile := `<bdi>Auditors &lt;b&gt;of&lt;/b&gt; the accounts</bdi>`
	check(t, "/draws", 200, []string{`href="/draws?lang=en" aria-current="page"`, hostile, `<bdi>Nobody comes</bdi>`, `<bdi>Garden panel</bdi>`,
		"all members", "volunteers (1)", "for <bdi>jury</bdi>", `badge draw-drawn">drawn`, `badge draw-failed">failed`,
		fmt.Sprintf(`<bdi>%s</bdi> <span class="member-no">#%d</span>`, sel.Name, sel.Number), `href="/api/v1/draws"`}, []string{"<b>of</b>"})
	check(t, "/draws/1", 200, []string{"Draw 1: " + hostile, `<a href="/members/1?lang=en"><bdi>Ada</bdi> <span class="member-no">#1</span></a></dd>`, "A uniform draw among all members", `id="drawn"`,
		fmt.Sprintf(`<bdi>%s</bdi> <span class="member-no">#%d</span>`, sel.Name, sel.Number),
		"This node re-ran the draw from its record and got the same members.",
		`<code id="draw-seed">` + drawn.Seed + `</code>`, `<code id="draw-root">` + drawn.Root + `</code>`,
		`id="committed"`, `<li data-member="2"><bdi>Bram</bdi> <span class="member-no">#2</span></li>`,
		`id="silent"`, "Committed and did not reveal",
		"Re-run it yourself", "folkmoot draw verify 1 --node http://NODE:26657", `href="/api/v1/draws/1"`},
		[]string{"<b>of</b>", `id="draw-act"`, "draw.js"})
	check(t, "/draws/2", 200, []string{"The draw failed", `id="draw-why"`, "A uniform draw among volunteers", "No one has volunteered yet."}, []string{`id="drawn"`})
	check(t, "/draws/3", 200, []string{`id="volunteer-form" data-kind="volunteer" data-draw="3"`, "Volunteer", "folkmoot draw volunteer 3 --as &lt;you&gt;",
		`<ul id="pool" class="inline"><li><a href="/members/2?lang=en"><bdi>Bram</bdi> <span class="member-no">#2</span></a></li></ul>`,
		"/static/draw.js"}, []string{`id="beacon-form"`})
	check(t, fmt.Sprintf("/draws/%d", jury.ID), 200, []string{`id="draw-office"`, "an office filled by lot", fmt.Sprintf(`href="/elections/%d?lang=en"`, jury.Election),
		`id="beacon-form"`, `data-phase="commit"`, "Feed the beacon", fmt.Sprintf("folkmoot draw beacon %d --as &lt;you&gt;", jury.ID)}, []string{`id="volunteer-form"`})
	check(t, fmt.Sprintf("/draws/%d?lang=ca", jury.ID), 200, []string{"Alimenta la balisa", "Refés-lo tu mateix"}, nil)
	check(t, "/offices", 200, []string{"draw by lot among the candidates", `<a href="/draws?lang=en">The draws by lot</a>`}, nil)
	check(t, fmt.Sprintf("/elections/%d", jury.Election), 200, []string{`id="election-draw"`, fmt.Sprintf(`href="/draws/%d?lang=en">draw %d</a>`, jury.ID, jury.ID)},
		[]string{`id="rank-form"`})
	check(t, "/draws/99", 404, []string{"There is no draw 99."}, nil)
	check(t, "/draws/0", 400, []string{"A draw number is a whole number from 1"}, nil)
	check(t, "/draws/first", 400, []string{"A draw number is a whole number from 1, not &#34;first&#34;"}, nil)
}
