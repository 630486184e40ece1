package web_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// TestHTTPHardening checks the HTTP items of issue 10, finding 11 against
// a real node's site, served over plain HTTP and over HTTPS.
//
// The exploits: PUT /proposals answered 404 "There is no page", and
// DELETE /api/v1/status 404, with no Allow header; GET /static/ listed
// the embedded assets as a directory; HTTPS answers carried no
// Strict-Transport-Security, so a browser would try plain HTTP again.
func TestHTTPHardening(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada")
	site, err := web.New(web.Options{Service: c.Service, Poll: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	plain := httptest.NewServer(site.Handler())
	defer plain.Close()
	secure := httptest.NewTLSServer(site.Handler())
	defer secure.Close()

	for _, tc := range []struct {
		name, method, path string
		status             int
		allow              string // the Allow header wanted
		want               string // in the body
	}{
		{"page", "GET", "/proposals", 200, "", "<h1>"},
		{"page put", "PUT", "/proposals", 405, "GET, HEAD", "PUT is not allowed on /proposals; use GET or HEAD."},
		{"home post", "POST", "/", 405, "GET, HEAD", "POST is not allowed on /"},
		{"proposal delete", "DELETE", "/proposals/1", 405, "GET, HEAD", "DELETE is not allowed"},
		{"unknown method", "BREW", "/members", 405, "GET, HEAD", "BREW is not allowed"},
		{"unknown path post", "POST", "/nothing/here", 404, "", "There is no page at /nothing/here."},
		{"api get", "GET", "/api/v1/status", 200, "", `"members"`},
		{"api delete", "DELETE", "/api/v1/status", 405, "GET, HEAD", `"code": "method_not_allowed"`},
		{"api get tx", "GET", "/api/v1/tx", 405, "POST", `"code": "method_not_allowed"`},
		{"api unknown path", "POST", "/api/v1/nothing", 404, "", `"code": "not_found"`},
		{"static asset", "GET", "/static/live.js", 200, "", "EventSource"},
		{"static post", "POST", "/static/live.js", 405, "GET, HEAD", "not allowed"},
		{"static listing", "GET", "/static/", 404, "", "There is no page at /static/."},
		{"static missing", "GET", "/static/nothing.js", 404, "", "There is no page"},
	} {
		for _, srv := range []*httptest.Server{plain, secure} {
			https := srv == secure
			name := tc.name
			if https {
				name += " https"
			}
			t.Run(name, func(t *testing.T) {
				req, _ := http.NewRequest(tc.method, srv.URL+tc.path, nil)
				res, err := srv.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				b, _ := io.ReadAll(res.Body)
				res.Body.Close()
				body := string(b)
				if res.StatusCode != tc.status {
					t.Fatalf("status %d, want %d:\n%.500s", res.StatusCode, tc.status, body)
				}
				if got := res.Header.Get("Allow"); got != tc.allow {
					t.Errorf("Allow %q, want %q", got, tc.allow)
				}
				if !strings.Contains(body, tc.want) {
					t.Errorf("body lacks %q:\n%.500s", tc.want, body)
				}
				if strings.Contains(body, `<a href="live.js">`) || strings.Contains(body, "<pre>") {
					t.Errorf("a directory listing:\n%.500s", body)
				}
				hsts := res.Header.Get("Strict-Transport-Security")
				if want := map[bool]string{true: web.HSTS, false: ""}[https]; hsts != want {
					t.Errorf("Strict-Transport-Security %q, want %q", hsts, want)
				}
				if res.Header.Get("Content-Security-Policy") != web.CSP {
					t.Errorf("no CSP")
				}
			})
		}
	}
}

// TestSearchPageBounded: the proposals page refuses a search beyond the
// bounds with the sentence on the page and status 400.
//
// The exploit (issue 10, finding 4): /proposals?q= with 21,000 one-letter
// words (a 42 KB URL) took 1.8 s over six proposals, and six clients
// doing it made an ordinary proposal page take 16–21 s.
func TestSearchPageBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada")
	c.Do(t, c.Founders[0], &tx.Propose{Title: "Plant oak trees", Body: "Twelve oaks.", Category: "general", Closes: time.Now().Add(time.Hour).Unix()})
	site, err := web.New(web.Options{Service: c.Service})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	for _, tc := range []struct {
		name, q string
		status  int
		want    string
	}{
		{"a search", "oak", 200, `href="/proposals/1"`},
		{"21,000 one-letter words", strings.Repeat("a+", 21000), 400, "A search is at most 200 bytes long; this one has 42000."},
		{"nine words", "a1+b2+c3+d4+e5+f6+g7+h8+i9", 400, "A search has at most 8 words; this one has 9."},
		{"a one-letter word", "oak+a", 400, "Each word of a search needs at least 2 letters or digits; &#34;a&#34; is too short."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, body := get(t, srv.URL+"/proposals?q="+tc.q)
			if res.StatusCode != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d; want %d with %q in:\n%.2000s", res.StatusCode, tc.status, tc.want, body)
			}
		})
	}
}
