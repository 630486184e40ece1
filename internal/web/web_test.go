package web_test

import (
	"bufio"
	"context"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

func get(t *testing.T, url string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res, string(b)
}

var (
	inlineScript = regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`)
	handlerAttr  = regexp.MustCompile(`(?i)<[^>]+\son[a-z]+\s*=`)
	styleAttr    = regexp.MustCompile(`(?i)<[^>]+\sstyle\s*=`)
	// jsURL is a javascript: address in an attribute; the words may still
	// be shown as text, in the exact signed text of a proposal.
	jsURL = regexp.MustCompile(`(?i)<[^>]+=\s*["']?\s*javascript:`)
)

// TestPages renders every page from a real node, with script in a
// proposal's Markdown, its title and a member's name, in two languages.
func TestPages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	evil := apitest.NewMember(t, `Eve<img src=x onerror=alert(1)>`)
	c.Do(t, ada, &tx.Vouch{Key: evil.Key[:], Name: evil.Name})
	closes := time.Now().Add(time.Hour).Unix()
	c.Do(t, ada, &tx.Propose{Title: `Orchard <script>alert("t")</script>`, Category: "green spaces", Closes: closes,
		Body: "Twelve **fruit trees**.\n\n<script>alert('b')</script>\n\n[click](javascript:alert(1))\n\n<a href=\"x\" onclick=\"alert(2)\">x</a>"})
	c.Do(t, bram, &tx.Comment{Proposal: 1, Text: "<b>Apples</b>, please."})
	c.Do(t, evil, &tx.Comment{Proposal: 1, ReplyTo: 1, Text: "Plums."})
	c.Do(t, bram, &tx.Endorse{Proposal: 1})
	vote := c.Do(t, ada, &tx.Ballot{Proposal: 1, Choice: tx.Yes})

	site, err := web.New(web.Options{Service: c.Service, Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()

	pages := []struct {
		name, path string
		status     int
		want       []string
	}{
		{"home", "/", 200, []string{"<h1><bdi>Elm Street Test</bdi></h1>", "3 members", "Open proposals", `href="/proposals/1"`, "left", "Validators", "Nothing has been decided yet."}},
		{"home in Catalan", "/?lang=ca", 200, []string{`<html lang="ca">`, "3 membres", "Propostes obertes", "queden ", "Per aprovar-se: més de 1/2."}},
		{"proposals", "/proposals", 200, []string{`Orchard &lt;script&gt;`, `<label for="q">Search</label>`}},
		{"proposals search", "/proposals?q=fruit&status=open", 200, []string{`href="/proposals/1"`}},
		{"proposals search miss", "/proposals?q=bicycle", 200, []string{"No proposal matches."}},
		{"proposals category", "/proposals?category=general", 200, []string{"No proposal matches."}},
		{"proposals bad status", "/proposals?status=maybe", 400, []string{"Status must be", `role="alert"`}},
		{"proposal", "/proposals/1", 200, []string{"<strong>fruit trees</strong>", "&lt;b&gt;Apples&lt;/b&gt;", `class="depth-1"`,
			"Endorsed by", "<svg class=\"tally\"", `class="quorum"`, `class="threshold"`, "Yes 1", `data-live="/events/proposals/1?lang=en"`}},
		{"proposal forms", "/proposals/1", 200, []string{`<form class="sign" id="vote-form" data-kind="ballot" data-proposal="1"`,
			`<input type="radio" name="choice" value="abstain" id="choice-abstain">`, `<label for="comment-text">Your comment</label>`,
			"<option value=\"1\">1 · \u2068Bram\u2069 (#2)</option>", `id="endorse-button"`, "<noscript>", "Signing needs JavaScript",
			"folkmoot vote 1 yes --as &lt;you&gt;", "folkmoot endorse 1 --as &lt;you&gt;", `<script src="/static/sign.js" defer></script>`, `<dialog id="review"`}},
		{"join", "/join", 200, []string{`<label for="alias">`, `<output id="pubkey"`, `<label for="export-pass">Passphrase</label>`,
			`<label for="import-file">`, "folkmoot key new &lt;you&gt;", "folkmoot key import", `<img id="pubkey-qr" class="qr" alt="QR code of your public key"`}},
		{"join in Catalan", "/join?lang=ca", 200, []string{"Uneix-te a la comunitat", "Contrasenya", `<span data-k="f_choice">opció</span>`, `<span data-k="who">Signes com a %s`}},
		{"vouch", "/vouch", 200, []string{`<label for="vouch-key">`, `pattern="[0-9a-fA-F]{64}"`, "when 1 members have vouched", "folkmoot member vouch",
			`<div data-scan hidden`, `data-msg-found="Key read from the QR code.`, `<script src="/static/scan.js" defer></script>`}},
		{"new proposal", "/proposals/new", 200, []string{`<label for="propose-title">Title</label>`, `<option>green spaces</option>`,
			`name="voting_hours"`, `value="72"`, "folkmoot propose --as"}},
		{"proposal unknown", "/proposals/9", 404, []string{"There is no proposal 9."}},
		{"proposal bad id", "/proposals/abc", 400, []string{"A proposal number"}},
		{"members", "/members", 200, []string{`<a href="/members/1?lang=en"><bdi>Ada</bdi> <span class="member-no">#1</span></a>`, "founder", "Eve&lt;img src=x onerror=alert(1)&gt;"}},
		{"member", "/members/1", 200, []string{`<h1><bdi>Ada</bdi> <span class="member-no">#1</span></h1>`, "Member no. 1", ada.Key.String(), "founder",
			`<a href="/members/3?lang=en"><bdi>Eve&lt;img src=x onerror=alert(1)&gt;</bdi> <span class="member-no">#3</span></a>`, `href="/proposals/1"`}},
		{"member by key", "/members/" + evil.Key.String() + "?lang=ca", 200, []string{"Membre núm. 3", `<a href="/members/1?lang=ca"><bdi>Ada</bdi> <span class="member-no">#1</span></a>`, "Encara cap proposta."}},
		{"member unknown", "/members/99", 404, []string{"There is no member 99."}},
		{"member bad", "/members/someone", 400, []string{"64 hex digits"}},
		{"qr code", "/qr?text=" + ada.Key.String(), 200, []string{`<svg xmlns="http://www.w3.org/2000/svg"`, `<path fill="#000" d="M4 4h7`}},
		{"qr code refused", "/qr?text=hello", 400, []string{"Give one public key of 64 hex digits"}},
		{"constitution", "/constitution", 200, []string{"green spaces", "Ada"}},
		{"audit", "/audit/tx/" + vote.ID.String(), 200, []string{"folkmoot verify-proof proof.json --app-hash ", "folkmoot prove " + vote.ID.String(), "was accepted"}},
		{"audit unknown", "/audit/tx/" + strings.Repeat("0", 64), 404, []string{"is not in any block"}},
		{"no such page", "/nothing/here", 404, []string{"There is no page at /nothing/here."}},
	}
	for _, tc := range pages {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, srv.URL+tc.path)
			if res.StatusCode != tc.status {
				t.Fatalf("status %d, want %d:\n%s", res.StatusCode, tc.status, body)
			}
			if csp := res.Header.Get("Content-Security-Policy"); csp != web.CSP {
				t.Errorf("CSP %q", csp)
			}
			for _, w := range tc.want {
				if !strings.Contains(body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			for what, re := range map[string]*regexp.Regexp{"inline script": inlineScript, "event handler": handlerAttr, "style attribute": styleAttr} {
				if m := re.FindString(body); m != "" {
					t.Errorf("%s in page: %s", what, m)
				}
			}
			if jsURL.MatchString(body) || strings.Contains(body, "goroutine ") {
				t.Errorf("page carries javascript: or a trace")
			}
		})
	}

	t.Run("audit counts the hashes it lists", func(t *testing.T) {
		_, body := get(t, srv.URL+"/audit/tx/"+vote.ID.String())
		m := regexp.MustCompile(`Inclusion proof \((\d+) hashes\)`).FindStringSubmatch(body)
		list := regexp.MustCompile(`(?s)<ol class="hashes">(.*?)</ol>`).FindStringSubmatch(body)
		if m == nil || list == nil {
			t.Fatalf("no proof heading or list in:\n%s", body)
		}
		if n := strings.Count(list[1], "<li>"); strconv.Itoa(n) != m[1] {
			t.Errorf("heading says %s hashes, list has %d", m[1], n)
		}
	})

	t.Run("csp forbids inline script", func(t *testing.T) {
		for _, directive := range []string{"default-src 'none'", "script-src 'self' 'wasm-unsafe-eval';", "style-src 'self'", "frame-ancestors 'none'", "base-uri 'none'"} {
			if !strings.Contains(web.CSP, directive) {
				t.Errorf("CSP lacks %s", directive)
			}
		}
		if strings.Contains(web.CSP, "unsafe-inline") || strings.Contains(web.CSP, "'unsafe-eval'") {
			t.Error("CSP allows inline code")
		}
		res, _ := get(t, srv.URL+"/api/v1/status")
		if res.Header.Get("Content-Security-Policy") != web.CSP {
			t.Error("API answers lack the CSP")
		}
	})

	t.Run("static and gzip", func(t *testing.T) {
		res, body := get(t, srv.URL+"/static/live.js")
		if res.StatusCode != 200 || !strings.Contains(body, "EventSource") || res.Header.Get("Cache-Control") != "public, max-age=3600" {
			t.Fatalf("%d %v", res.StatusCode, res.Header)
		}
		req, _ := http.NewRequest("GET", srv.URL+"/proposals/1", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		tr := &http.Transport{DisableCompression: true}
		r2, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		r2.Body.Close()
		if r2.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("page not gzipped: %v", r2.Header)
		}
	})

	t.Run("feed", func(t *testing.T) {
		res, body := get(t, srv.URL+"/feed.atom")
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "application/atom+xml") {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
		var f struct {
			Title   string `xml:"title"`
			Entries []struct {
				Title string `xml:"title"`
			} `xml:"entry"`
		}
		if err := xml.Unmarshal([]byte(body), &f); err != nil || len(f.Entries) != 1 || !strings.HasPrefix(f.Entries[0].Title, "Orchard <script>") {
			t.Fatalf("%v %+v", err, f)
		}
	})

	t.Run("live tally", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		req, _ := http.NewRequestWithContext(ctx, "GET", srv.URL+"/events/proposals/1", nil)
		req.Header.Set("Accept-Encoding", "gzip")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		if ct := res.Header.Get("Content-Type"); ct != "text/event-stream" || res.Header.Get("Content-Encoding") != "" {
			t.Fatalf("content type %q, encoding %q", ct, res.Header.Get("Content-Encoding"))
		}
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		next := func() string {
			for sc.Scan() {
				if d, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
					return d
				}
			}
			t.Fatalf("stream ended: %v", sc.Err())
			return ""
		}
		if first := next(); !strings.Contains(first, "Yes 1 · No 0") {
			t.Fatalf("first event %s", first)
		}
		if _, err := c.Client.Submit(ctx, c.Sign(t, bram, &tx.Ballot{Proposal: 1, Choice: tx.No})); err != nil {
			t.Fatal(err)
		}
		if second := next(); !strings.Contains(second, "Yes 1 · No 1") {
			t.Fatalf("second event %s", second)
		}
	})

	t.Run("events for unknown proposal", func(t *testing.T) {
		res, body := get(t, srv.URL+"/events/proposals/42")
		if res.StatusCode != 404 || !strings.Contains(body, `"code": "not_found"`) {
			t.Fatalf("%d %s", res.StatusCode, body)
		}
	})
}

// TestInitiativePages shows a popular initiative while it gathers
// signatures (a progress bar, the sign form, no vote form) and after it
// qualifies, and the new-proposal form's measures, types and initiative
// box.
func TestInitiativePages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	c.Do(t, ada, &tx.Propose{Title: "Car-free Sundays", Category: "general", Measure: tx.Enact, Initiative: true})
	c.Do(t, bram, &tx.Propose{Title: "A bench by the pond", Category: "green spaces", Initiative: true})
	c.Do(t, ada, &tx.Endorse{Proposal: 2})

	site, err := web.New(web.Options{Service: c.Service})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()

	for _, tc := range []struct {
		name, path string
		want, not  []string
	}{
		{"gathering", "/proposals/1", []string{"Popular initiative", `<label for="init-progress">0 of 1 signatures</label>`,
			`<progress id="init-progress" max="1" value="0">0/1</progress>`, "It gathers signatures until ", "opens automatically for 14d",
			`<button type="submit" id="endorse-button">Sign this initiative</button>`, "folkmoot initiative sign 1 --as &lt;you&gt;",
			"It enacts a law"}, []string{`id="vote-form"`, `id="tally"`}},
		{"gathering in Catalan", "/proposals/1?lang=ca", []string{"Iniciativa popular", "0 de 1 signatures", "Signar aquesta iniciativa"}, nil},
		{"qualified", "/proposals/2", []string{"It reached its 1 signatures and voting opened automatically.", `id="vote-form"`, `id="tally"`,
			"Signed by", "popular initiative"}, []string{"init-progress"}},
		{"gathering list", "/proposals?status=gathering", []string{`href="/proposals/1"`, "0 of 1 signatures, until "}, []string{`href="/proposals/2"`}},
		{"home", "/", []string{"Initiatives gathering signatures", `href="/proposals/1"`}, nil},
		{"new proposal", "/proposals/new", []string{"Start as a popular initiative (voting opens when 1 members sign it)",
			`<option value="budget">budget</option>`, `<option value="amendment">amendment</option>`, `id="measure-law"`,
			`id="measure-renewal" disabled`, `name="sunset_days"`, `placeholder="1460"`, `name="rules"`, `name="amount"`,
			`data-hide-initiative`, "(no law is in force)"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, srv.URL+tc.path)
			if res.StatusCode != 200 {
				t.Fatalf("status %d:\n%s", res.StatusCode, body)
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
			if m := inlineScript.FindString(body); m != "" {
				t.Errorf("inline script: %s", m)
			}
		})
	}
}
