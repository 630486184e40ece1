package web_test

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// waitFor polls cond until it holds, for state that arrives with later
// blocks (a close, a sunset).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not after 60s", what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestConstitutionPages runs laws, an amendment and delegations on a real
// node, then renders the register of laws (now and at past dates), the
// rule history, the proposal pages' rules and delegated votes, and members'
// delegation graphs, with hostile titles and names, in two languages.
func TestConstitutionPages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	cara := apitest.NewMember(t, `Cara<script>alert(1)</script>`)
	c.Do(t, ada, &tx.Vouch{Key: cara.Key[:], Name: cara.Name})
	// Cara lets Bram vote for her on general matters, Bram lets Ada.
	c.Do(t, cara, &tx.Delegate{Category: "general", Member: 2})
	c.Do(t, bram, &tx.Delegate{Category: "general", Member: 1})
	closes := time.Now().Add(6 * time.Second).Unix()
	c.Do(t, ada, &tx.Propose{Title: `Quiet hours <script>alert("law")</script>`, Category: "general", Closes: closes,
		Measure: tx.Enact, Sunset: 24 * 3600})
	c.Do(t, ada, &tx.Propose{Title: "Dogs on leads", Category: "general", Closes: closes, Measure: tx.Enact, Sunset: 1})
	c.Do(t, ada, &tx.Propose{Title: "Half must vote", Category: "general", Closes: closes, Measure: tx.Amend, Rules: `{"quorum":"1/2"}`})
	for id := uint64(1); id <= 3; id++ {
		c.Do(t, ada, &tx.Ballot{Proposal: id, Choice: tx.Yes})
		c.Do(t, bram, &tx.Ballot{Proposal: id, Choice: tx.Yes})
	}
	waitFor(t, "law 2 expired", func() bool {
		l, err := c.Service.Law(2)
		return err == nil && l.Status == query.LawStatusExpired
	})
	for id := uint64(1); id <= 3; id++ {
		if p, err := c.Service.Proposal(id); err != nil || p.Result == nil || !p.Result.Passed {
			t.Fatalf("proposal %d: %+v %v", id, p.Result, err)
		}
	}
	later := time.Now().Add(time.Hour).Unix()
	c.Do(t, ada, &tx.Propose{Title: "Keep quiet hours", Category: "general", Closes: later, Measure: tx.Renew, Law: 1, Sunset: 7 * 24 * 3600})
	c.Do(t, ada, &tx.Propose{Title: "End quiet hours", Category: "general", Closes: later, Measure: tx.Repeal, Law: 1})

	site, err := web.New(web.Options{Service: c.Service})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	st, err := c.Service.Status(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	blockDay := st.Time.Format(time.DateOnly)
	yesterday := st.Time.AddDate(0, 0, -1).Format(time.DateOnly)

	pages := []struct {
		name, path string
		status     int
		want, not  []string
	}{
		{"laws", "/laws", 200, []string{"<h1>Register of laws</h1>", "In force (1)", `id="law-1"`,
			`Quiet hours &lt;script&gt;alert(&#34;law&#34;)&lt;/script&gt;`, `href="/proposals/1?lang=en">proposal 1</a>`,
			"Expired and repealed (1)", `<span class="badge law-expired">expired</span>`, "Dogs on leads",
			`<input type="date" id="at" name="at" value="" max="` + blockDay + `">`, `<label for="at">Laws in force on</label>`, "left</td>"},
			[]string{`id="laws-now"`}},
		{"laws in Catalan", "/laws?lang=ca", 200, []string{`<html lang="ca">`, "Registre de lleis", "En vigor (1)", "caducada"}, nil},
		// The end of the latest block's day is not past yet: the register
		// as it is now.
		{"laws today", "/laws?at=" + blockDay, 200, []string{"In force (1)", "after the latest block", `value="` + blockDay + `"`}, []string{`id="laws-now"`}},
		{"laws yesterday", "/laws?at=" + yesterday, 200, []string{"In force (0)", "No law was in force.", "Expired and repealed (0)"}, []string{`id="law-1"`}},
		{"laws a moment after the close", "/laws?at=" + lawTime(t, c, 1), 200, []string{"In force (2)", "Dogs on leads"}, nil},
		{"laws in the future", "/laws?at=2999-01-01", 400, []string{"2999-01-01 is later", `role="alert"`}, nil},
		{"laws bad date", "/laws?at=yesterday", 400, []string{"A date is written like 2026-03-01"}, nil},
		{"law", "/laws/1", 200, []string{"Law 1: <bdi>Quiet hours &lt;script&gt;", `class="badge law-in_force"`, "renewal must pass before the sunset"}, nil},
		{"law expired", "/laws/2", 200, []string{"Law 2: <bdi>Dogs on leads</bdi>", "Left the register"}, nil},
		{"law unknown", "/laws/99", 404, []string{"There is no law 99."}, nil},
		{"law bad number", "/laws/x", 400, []string{"A law number is a whole number"}, nil},
		{"constitution", "/constitution", 200, []string{"History of the rules", `id="v2"`, `id="v1"`, "Version 2", "amended by",
			`href="/proposals/3?lang=en">proposal 3</a>: <bdi>Half must vote</bdi>`, "<code>quorum</code>", "<code>&#34;1/3&#34;</code>",
			"<code>&#34;1/2&#34;</code>", "The founding constitution", "Decision types", "<td>amendment</td>", "at least 2/3",
			"Quorum: 1/2 of the members", "A law lasts 1460 days unless it says otherwise, and at most 3650 days."}, nil},
		{"constitution in Catalan", "/constitution?lang=ca", 200, []string{"Historial de les regles", "Versió 2", "La constitució fundacional"}, nil},
		{"law proposal", "/proposals/1", 200, []string{"Rules and effect", "<dd>ordinary</dd>", `href="/constitution?lang=en#v1">Version 1</a>`,
			"It enacts a law that lasts 1 day", `href="/laws/1?lang=en">It became law 1.</a>`,
			`<table id="delegated">`, "<th scope=\"row\">Yes</th><td>2</td><td>1</td><td>3</td>",
			// The chart draws the result, the delegated vote lighter.
			"Yes 3 · No 0 · Abstain 0 (delegated 1/0/0)", `fill="#6fbf86"`}, nil},
		{"amendment proposal", "/proposals/3", 200, []string{"<dd>amendment</dd>", "<dd>at least 2/3</dd>", "It amends the constitution",
			`<table class="changes" id="amendment">`, "<code>quorum</code>", "<summary>The new rules as written</summary>"}, nil},
		{"renewal proposal", "/proposals/4", 200, []string{"It renews", `href="/laws/1?lang=en">Law 1: <bdi>Quiet hours &lt;script&gt;`, "by 7 days.",
			`href="/constitution?lang=en#v2">Version 2</a>`, "<dd>at least 1/2</dd>", "Delegated votes are counted when voting closes"},
			[]string{`<table id="delegated">`}},
		{"repeal proposal in Catalan", "/proposals/5?lang=ca", 200, []string{"Deroga la", "Llei 1: <bdi>Quiet hours"}, nil},
		{"member delegated to", "/members/1", 200, []string{`<h1><bdi>Ada</bdi> <span class="member-no">#1</span></h1>`, "Category: <bdi>general</bdi>", "2 members delegate to them",
			`<a href="/members/2?lang=en"><bdi>Bram</bdi> <span class="member-no">#2</span></a> <span class="meta">(depth 1)</span><ul class="delegators"><li><a href="/members/3?lang=en"><bdi>Cara&lt;script&gt;alert(1)&lt;/script&gt;</bdi> <span class="member-no">#3</span></a> <span class="meta">(depth 2)</span>`,
			"They delegate to nobody on this category.", `<svg class="graph" role="img" aria-labelledby="graph-general-title"`,
			"3 · \u2068Cara&lt;script&gt;al", "folkmoot delegate --category &lt;category&gt; --to 1 --as &lt;you&gt;",
			`<form class="sign" id="delegate-form" data-kind="delegate" data-member="1"`, `<label for="delegate-category">Let <bdi>Ada</bdi> <span class="member-no">#1</span> vote for me on</label>`,
			`<option>green spaces</option>`, `<form class="sign" id="undelegate-form" data-kind="undelegate"`}, nil},
		{"member delegating", "/members/3", 200, []string{`<ol class="chain-hops"><li><a href="/members/2?lang=en"><bdi>Bram</bdi> <span class="member-no">#2</span></a></li><li><a href="/members/1?lang=en"><bdi>Ada</bdi> <span class="member-no">#1</span></a></li></ol>`,
			"Nobody delegates to them on this category.", `<dt>Vouched for by</dt><dd><a href="/members/1?lang=en"><bdi>Ada</bdi> <span class="member-no">#1</span></a></dd>`}, nil},
		{"member in Catalan", "/members/2?lang=ca", 200, []string{"Delegacions", "Categoria: <bdi>general</bdi>", "(profunditat 1)"}, nil},
		{"member unknown", "/members/99", 404, []string{"There is no member 99."}, nil},
		{"member bad number", "/members/abc", 400, []string{"Give a member number or a key of 64 hex digits."}, nil},
		{"members link", "/members", 200, []string{`<a href="/members/3?lang=en"><bdi>Cara&lt;script&gt;`}, nil},
		{"nav", "/", 200, []string{`<a href="/laws?lang=en">Laws</a>`}, nil},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, srv.URL+tc.path)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d:\n%s", res.StatusCode, tc.status, body)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for _, w := range tc.not {
				if strings.Contains(body, w) {
					t.Errorf("page has %q", w)
				}
			}
			for what, re := range map[string]*regexp.Regexp{"inline script": inlineScript, "event handler": handlerAttr, "style attribute": styleAttr} {
				if m := re.FindString(body); m != "" {
					t.Errorf("%s in page: %s", what, m)
				}
			}
			if strings.Contains(body, "<script>alert") {
				t.Error("a hostile title or name reached the page unescaped")
			}
		})
	}

	t.Run("browser", func(t *testing.T) {
		bin := chromium()
		if bin == "" {
			t.Skip("no chromium binary found (apt-get install chromium, or set FOLKMOOT_CHROMIUM)")
		}
		browseConstitution(t, bin, srv.URL, yesterday)
	})

	t.Run("json", func(t *testing.T) {
		var reg query.LawRegister
		getJSON(t, srv.URL+"/api/v1/laws", &reg)
		if len(reg.InForce) != 1 || reg.InForce[0].Number != 1 || len(reg.Ended) != 1 || reg.Ended[0].Status != "expired" {
			t.Errorf("laws: %+v", reg)
		}
		getJSON(t, srv.URL+"/api/v1/laws?at="+yesterday, &reg)
		if !reg.Past || len(reg.InForce) != 0 {
			t.Errorf("laws yesterday: %+v", reg)
		}
		var l query.LawEntry
		getJSON(t, srv.URL+"/api/v1/laws/2", &l)
		if l.Title != "Dogs on leads" || l.Ended == nil {
			t.Errorf("law 2: %+v", l)
		}
		var hist []query.RuleVersionEntry
		getJSON(t, srv.URL+"/api/v1/rules", &hist)
		if len(hist) != 2 || hist[0].Proposal != 3 || len(hist[0].Changes) != 1 || hist[0].Changes[0].Key != "quorum" {
			t.Errorf("rules: %+v", hist)
		}
		var g query.DelegationGraph
		getJSON(t, srv.URL+"/api/v1/members/1/delegations", &g)
		if len(g.Categories) != 1 || g.Categories[0].Total != 2 || g.Categories[0].Delegators[0].Delegators[0].Member != 3 {
			t.Errorf("delegations of 1: %+v", g)
		}
		var p struct {
			Rules  query.ProposalRules `json:"rules"`
			Result query.Result        `json:"result"`
		}
		getJSON(t, srv.URL+"/api/v1/proposals/1", &p)
		if p.Rules.Enacted != 1 || p.Rules.Measure != "law" || p.Result.Delegated == nil || p.Result.Delegated.Yes != 1 {
			t.Errorf("proposal 1: %+v", p)
		}
		res, body := get(t, srv.URL+"/api/v1/members/9/delegations")
		if res.StatusCode != 404 || !strings.Contains(body, "There is no member 9.") {
			t.Errorf("unknown member: %d %s", res.StatusCode, body)
		}
	})
}

// lawTime is the time law n was enacted, in RFC 3339, for asking the
// register about that moment.
func lawTime(t *testing.T, c *apitest.Community, n uint64) string {
	t.Helper()
	l, err := c.Service.Law(n)
	if err != nil {
		t.Fatal(err)
	}
	return l.Enacted.Format(time.RFC3339Nano)
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	res, body := get(t, url)
	if res.StatusCode != 200 {
		t.Fatalf("%s: %d %s", url, res.StatusCode, body)
	}
	if err := json.Unmarshal([]byte(body), v); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
}

// browseConstitution opens the constitution pages in a real headless
// Chromium: the register, a past date chosen with the date picker and the
// keyboard (a plain GET form, no script), a member's delegation graph, the
// rule history and a law's proposal; each page is saved as a screenshot.
func browseConstitution(t *testing.T, bin, base, yesterday string) {
	ctx, closeBrowser := browser(t, bin, 60*time.Second)
	defer closeBrowser()
	dir := artifacts(t)
	shot := func(name string) chromedp.Action[chromedp.Void] { return screenshot(dir, name) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector(`+quote(sel)+`).textContent`))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }

	run("register", chromedp.Navigate(base+"/laws"), chromedp.WaitVisible(css("#laws-in-force")), shot("c1-laws"))
	if got := text("#laws-in-force"); !strings.Contains(got, "Quiet hours <script>") {
		t.Errorf("register shows %q", got)
	}
	run("past date",
		chromedp.SetValue(css("#at"), yesterday),
		chromedp.Focus(css("main form button")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css("#laws-now")),
		shot("c2-laws-past"))
	if got := text("#laws-when"); !strings.Contains(got, yesterday) {
		t.Errorf("after picking %s the page says %q", yesterday, got)
	}
	if got := text("#in-force-h"); !strings.Contains(got, "(0)") {
		t.Errorf("laws in force yesterday: %q", got)
	}
	run("member", chromedp.Navigate(base+"/members/1"), chromedp.WaitVisible(css("svg.graph")), shot("c3-member"))
	if got := text("ul.delegators"); !strings.Contains(got, "Bram") || !strings.Contains(got, "Cara<script>") {
		t.Errorf("delegators list %q", got)
	}
	run("constitution", chromedp.Navigate(base+"/constitution"), chromedp.WaitVisible(css("#v2")), shot("c4-constitution"))
	run("proposal", chromedp.Navigate(base+"/proposals/1"), chromedp.WaitVisible(css("#delegated")), shot("c5-law-proposal"))
}
