package web_test

import (
	"context"
	"fmt"
	"maps"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/keystore"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// TestOfficePages runs two offices' first elections on a real node — a
// town clerk (one seat, instant runoff) and a council with a hostile name
// (two seats, STV) — with candidacies, ranked ballots (one cast in a real
// Chromium, with the keyboard, when there is one) and a recall petition,
// and renders the offices, the elections and their counts round by round.
func TestOfficePages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	const council = `council<b>`
	c := apitest.StartWith(t, func(cons *core.Constitution) {
		office := func(name string, seats int) core.Office {
			return core.Office{Name: name, Seats: seats, Term: core.Duration{Duration: 30 * 24 * time.Hour},
				MaxConsecutiveTerms: 2, NominationPeriod: core.Duration{Duration: 20 * time.Second},
				VotingPeriod: core.Duration{Duration: 25 * time.Second}}
		}
		clerk := office("town clerk", 1)
		clerk.Powers = []string{core.PowerNotice}
		cons.Offices = []core.Office{clerk, office(council, 2)}
		cons.Recall.Petition.Num, cons.Recall.Petition.Den = 1, 2
	}, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	cara := apitest.NewMember(t, `Cara<script>alert(1)</script>`)
	dan := apitest.NewMember(t, "Dan")
	c.Do(t, ada, &tx.Vouch{Key: cara.Key[:], Name: cara.Name})
	c.Do(t, ada, &tx.Vouch{Key: dan.Key[:], Name: dan.Name})
	for _, m := range []*apitest.Member{ada, bram, cara} {
		c.Do(t, m, &tx.Candidacy{Election: 1})
		c.Do(t, m, &tx.Candidacy{Election: 2})
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
		if strings.Contains(body, "<script>alert") || strings.Contains(body, "council<b>") {
			t.Errorf("%s: a hostile name reached the page unescaped", path)
		}
	}
	t.Run("nominations", func(t *testing.T) {
		check(t, "/elections/1", 200, []string{"Election 1: <bdi>town clerk</bdi>", "nominations open", `<form class="sign" id="stand-form" data-kind="candidacy" data-election="1"`,
			"folkmoot candidate 1 --as &lt;you&gt;", `<ol id="candidates"><li><a href="/members/1?lang=en"><bdi>Ada</bdi> <span class="member-no">#1</span></a></li><li><a href="/members/2?lang=en"><bdi>Bram</bdi> <span class="member-no">#2</span></a></li><li><a href="/members/3?lang=en"><bdi>Cara&lt;script&gt;`},
			[]string{`id="rank-form"`})
		check(t, "/offices", 200, []string{`<h2 id="office-town_20clerk-h"><bdi>town clerk</bdi></h2>`, "council&lt;b&gt;", "No one holds this office now.",
			"at most 2 consecutive terms; no lifetime limit", "publish official notices", "30 days", "nominations 20s, voting 25s",
			`href="/elections/1?lang=en">Election 1: <bdi>town clerk</bdi></a>`, "voting opens "}, nil)
		check(t, "/elections", 200, []string{`<table id="elections">`, `href="/elections/2?lang=en"><bdi>council&lt;b&gt;</bdi></a>`}, nil)
	})

	waitFor(t, "voting opens", func() bool {
		e, err := c.Service.Election("2")
		return err == nil && e.Status == "voting"
	})
	check(t, "/elections/1", 200, []string{`<form class="sign" id="rank-form" data-kind="rank" data-election="1"`,
		`<label for="rank-3"><bdi>Cara&lt;script&gt;alert(1)&lt;/script&gt;</bdi> <span class="member-no">#3</span></label>`,
		`<select id="rank-3" name="rank_3"><option value="">not ranked</option><option value="1">1</option><option value="2">2</option><option value="3">3</option></select>`,
		"folkmoot elect 1 &lt;first&gt; &lt;second&gt; … --as &lt;you&gt;", "0 ballots; 4 members may vote"}, []string{`id="stand-form"`})

	// Dan ranks Bram first on the clerk, in the browser when there is one.
	rankedInBrowser := false
	if bin := chromium(); bin != "" {
		rankInBrowser(t, bin, srv.URL, dan)
		rankedInBrowser = true
		dan.Nonce += 2 // the browser signed Dan's ballot and delegation
		if g, err := c.Service.Delegations("4"); err != nil || len(g.Categories) != 1 || len(g.Categories[0].Chain) != 1 || g.Categories[0].Chain[0].Member != 2 {
			t.Errorf("Dan's delegations after delegating in the browser: %+v %v", g, err)
		}
	} else {
		t.Log("no chromium: Dan's ballot is cast from Go")
		c.Do(t, dan, &tx.Rank{Election: 1, Ranking: []uint32{2}})
	}
	c.Do(t, ada, &tx.Rank{Election: 1, Ranking: []uint32{1, 2}})
	c.Do(t, bram, &tx.Rank{Election: 1, Ranking: []uint32{2, 1}})
	c.Do(t, cara, &tx.Rank{Election: 1, Ranking: []uint32{3, 2}})
	c.Do(t, ada, &tx.Rank{Election: 2, Ranking: []uint32{1, 3}})
	c.Do(t, bram, &tx.Rank{Election: 2, Ranking: []uint32{2, 1}})
	c.Do(t, cara, &tx.Rank{Election: 2, Ranking: []uint32{3, 1}})
	c.Do(t, dan, &tx.Rank{Election: 2, Ranking: []uint32{1, 2}})
	if e, err := c.Service.Election("1"); err != nil || e.Ballots != 4 {
		t.Fatalf("election 1 after the ballots: %+v %v", e, err)
	}
	waitFor(t, "both elections decided", func() bool {
		e, err := c.Service.Election("2")
		return err == nil && e.Status == "decided"
	})
	clerk, err := c.Service.Election("1")
	if err != nil || len(clerk.Winners) != 1 || clerk.Winners[0].Member != 2 || len(clerk.Rounds) != 2 {
		t.Fatalf("clerk election: %+v %v", clerk, err)
	}
	c.Do(t, ada, &tx.Recall{Office: "town clerk", Member: 2})

	t.Run("decided", func(t *testing.T) {
		check(t, "/elections/1", 200, []string{`<span class="badge election-decided" id="election-status">decided</span>`,
			`Elected: <a href="/members/2?lang=en"><bdi>Bram</bdi> <span class="member-no">#2</span></a>.`, "The count, round by round", "instant-runoff voting: each round",
			`<th scope="col"><bdi>Cara&lt;script&gt;alert(1)&lt;/script&gt;</bdi> <span class="member-no">#3</span></th>`,
			// Round 1: Ada 1, Bram 2, Cara 1; a tie for last is broken by
			// order of candidacy; round 2 elects Bram with 3.
			`<tr><th scope="row">1</th><td>1</td><td>2</td><td>1</td><td>0</td><td>eliminated: <bdi>Cara&lt;script&gt;alert(1)&lt;/script&gt;</bdi> <span class="member-no">#3</span></td></tr>`,
			`<tr><th scope="row">2</th><td>1</td><td>3</td><td>—</td><td>0</td><td>elected: <bdi>Bram</bdi> <span class="member-no">#2</span></td></tr>`, "Ties broken", "4 ballots; 4 members may vote"},
			[]string{`id="rank-form"`})
		check(t, "/elections/2?lang=ca", 200, []string{"council&lt;b&gt;", "El recompte, etapa a etapa", "STV escocès",
			"primeres preferències", "Elegits:"}, nil)
		check(t, "/offices", 200, []string{`<a href="/members/2?lang=en"><bdi>Bram</bdi> <span class="member-no">#2</span></a>`, "Current term ends", "(29d 23h left)",
			`<form class="sign" id="recall-town_20clerk-2" data-kind="recall" data-office="town clerk" data-member="2"`,
			`Sign a petition to recall <bdi>Bram</bdi> <span class="member-no">#2</span>`, "folkmoot recall &#34;town clerk&#34; 2 --as &lt;you&gt;",
			`Petition 1 to recall <bdi>Bram</bdi> <span class="member-no">#2</span>`, "1 of 2 signatures", `<meter min="0" max="2" value="1"`,
			"Election 3: <bdi>town clerk</bdi>", "scheduled"}, nil)
		check(t, "/offices?lang=ca", 200, []string{"Càrrecs", "Peticions de revocació", "1 de 2 signatures"}, nil)
		check(t, "/elections/99", 404, []string{"There is no election 99."}, nil)
		check(t, "/elections/x", 400, []string{"An election number is a whole number"}, nil)
		check(t, "/", 200, []string{`<a href="/offices?lang=en">Offices</a>`, `<a href="/elections?lang=en">Elections</a>`}, nil)
	})

	// A second signature opens the recall ballot, a proposal that says
	// what it does.
	c.Do(t, cara, &tx.Recall{Office: "town clerk", Member: 2})
	t.Run("recall ballot", func(t *testing.T) {
		var clerk query.OfficeDetail
		getJSON(t, srv.URL+"/api/v1/offices/town%20clerk", &clerk)
		if len(clerk.Petitions) != 1 || clerk.Petitions[0].Status != "ballot" || clerk.Petitions[0].Proposal == 0 {
			t.Fatalf("clerk: %+v", clerk)
		}
		id := clerk.Petitions[0].Proposal
		check(t, "/offices", 200, []string{fmt.Sprintf("the recall ballot is open (proposal %d)", id)}, nil)
		check(t, fmt.Sprintf("/proposals/%d", id), 200, []string{`It recalls <bdi>Bram</bdi> <span class="member-no">#2</span> from the office of <bdi>town clerk</bdi>`, `href="/offices?lang=en#office-town_20clerk"`}, nil)
	})

	if bin := chromium(); bin != "" {
		screenshots(t, bin, srv.URL, map[string]string{"o5-offices": "/offices", "o6-irv": "/elections/1", "o7-stv": "/elections/2"})
	}

	t.Run("json", func(t *testing.T) {
		var e query.Election
		getJSON(t, srv.URL+"/api/v1/elections/2", &e)
		if e.Method != "stv" || len(e.Winners) != 2 || len(e.Rounds) == 0 || e.Rounds[0].Action != "first preferences" {
			t.Errorf("election 2: %+v", e)
		}
		var es []query.Election
		getJSON(t, srv.URL+"/api/v1/elections", &es)
		if len(es) < 3 || es[len(es)-1].ID != 1 {
			t.Errorf("elections: %+v", es)
		}
		var clerkJSON query.Election
		getJSON(t, srv.URL+"/api/v1/elections/1", &clerkJSON)
		if r := clerkJSON.Rounds; clerkJSON.Method != "irv" || len(r) != 2 || r[1].Elected[0].Member != 2 || r[1].Votes[1].Votes != "3" {
			t.Errorf("election 1: %+v", clerkJSON)
		}
		if rankedInBrowser {
			res, body := get(t, srv.URL+"/api/v1/elections/1")
			if res.StatusCode != 200 || !strings.Contains(body, `"ballots": 4`) {
				t.Errorf("the browser's ballot is not counted: %s", body)
			}
		}
	})
}

// rankInBrowser imports m's key into a real headless Chromium from a
// keystore backup, ranks candidate 2 first and candidate 3 second on
// election 1 with the keyboard alone, reviews and signs the ballot; then
// delegates m's vote on general matters to member 2 from 2's page.
func rankInBrowser(t *testing.T, bin, base string, m *apitest.Member) {
	t.Helper()
	file, err := keystore.ExportBackup(m.Priv, "dan", []byte("ranked choice"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, closeBrowser := browser(t, bin, 60*time.Second)
	defer closeBrowser()
	dir := artifacts(t)
	shot := func(name string) chromedp.Action[chromedp.Void] { return screenshot(dir, name) }
	poll := func(expr string) chromedp.Action[chromedp.Void] {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			for {
				ok, err := chromedp.Evaluate[bool](`(() => { try { return !!(`+expr+`); } catch (e) { return false; } })()`)(ctx, tg)
				if err == nil && ok {
					return nil
				}
				select {
				case <-ctx.Done():
					return fmt.Errorf("waiting for %s: %w", expr, ctx.Err())
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	if err := chromedp.Do(ctx,
		chromedp.Navigate(base+"/join"),
		chromedp.WaitVisible(css("#import-button")),
		chromedp.SetValue(css("#import-text"), string(file)),
		chromedp.SetValue(css("#import-pass"), "ranked choice"),
		chromedp.Click(css("#import-button")),
		poll(`document.querySelector("#pubkey").textContent === "`+m.Key.String()+`"`),
		chromedp.Navigate(base+"/elections/1"),
		chromedp.WaitVisible(css("#rank-form")),
		poll(`document.querySelector("[data-who]").textContent.includes("dan")`),
		// Two candidates given the same number are refused on the page.
		chromedp.Focus(css("#rank-2")), chromedp.KeyEvent("1"),
		chromedp.Focus(css("#rank-3")), chromedp.KeyEvent("1"),
		chromedp.Focus(css("#rank-button")), chromedp.KeyEvent(kb.Enter),
		poll(`document.querySelector("#rank-form .sign-status").getAttribute("data-done") === "error"`),
		chromedp.Focus(css("#rank-3")), chromedp.KeyEvent("2"),
		shot("o1-rank"),
		chromedp.Focus(css("#rank-button")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css("#review")),
		poll(`document.querySelector("#review-fields").textContent.includes("2,3")`),
		shot("o2-rank-review"),
		poll(`document.activeElement.id === "review-sign"`),
		chromedp.KeyEvent(kb.Enter),
		poll(`document.querySelector("#rank-form .sign-status").getAttribute("data-done") === "ok"`),
		shot("o3-ranked"),
		// Then Dan lets Bram vote for him on general matters, from Bram's page.
		chromedp.Navigate(base+"/members/2"),
		chromedp.WaitVisible(css("#delegate-form")),
		chromedp.SetValue(css("#delegate-category"), "general"),
		chromedp.Focus(css("#delegate-button")), chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css("#review")),
		poll(`document.querySelector("#review-fields").textContent.includes("delegate")`),
		poll(`document.activeElement.id === "review-sign"`),
		chromedp.KeyEvent(kb.Enter),
		poll(`document.querySelector("#deleg-general-h") !== null`),
		shot("o4-delegated"),
	); err != nil {
		status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`Array.from(document.querySelectorAll(".sign-status,#key-status")).map(e => e.textContent).join(" | ")`))
		t.Fatalf("rank in the browser: %v (page says: %s)", err, status)
	}
}

// screenshots saves a full-page screenshot of each path (by file name) as
// a real headless Chromium renders it.
func screenshots(t *testing.T, bin, base string, pages map[string]string) {
	t.Helper()
	ctx, closeBrowser := browser(t, bin, 60*time.Second)
	defer closeBrowser()
	dir := artifacts(t)
	for _, name := range slices.Sorted(maps.Keys(pages)) {
		err := chromedp.Do(ctx, chromedp.Navigate(base+pages[name]), chromedp.WaitVisible(chromedp.CSS("main")),
			screenshot(dir, name))
		if err != nil {
			t.Fatalf("screenshot of %s: %v", pages[name], err)
		}
	}
}
