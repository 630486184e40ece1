package api_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestSearchBoundedAndLimited searches a real node over HTTP.
//
// The exploit (issue 10, finding 4): GET /api/v1/proposals?q= with
// 21,000 one-letter words (a 42 KB URL) took 1.8 s over six proposals,
// holding a connection of the read pool every page needs; six clients
// doing it for 20 s made an ordinary proposal page take 16–21 s, and
// nothing limited how often a client could search. Now the query is
// bounded (400 with the bound in the sentence) and searches are limited
// per client (429).
func TestSearchBoundedAndLimited(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada")
	closes := time.Now().Add(time.Hour).Unix()
	c.Do(t, c.Founders[0], &tx.Propose{Title: "Plant oak trees", Body: "Twelve oaks on the green.", Category: "general", Closes: closes})
	now := time.Now()
	clock := func() time.Time { return now }
	serve := func(burst int, timeout time.Duration) *httptest.Server {
		svc := api.New(api.Options{App: c.App, Store: c.Store, Node: c.Client, SearchRate: 1, SearchBurst: burst, SearchTimeout: timeout, Clock: clock})
		srv := httptest.NewServer(svc.Handler())
		t.Cleanup(srv.Close)
		return srv
	}
	search := func(t *testing.T, srv *httptest.Server, q string) (int, string) {
		t.Helper()
		res, err := http.Get(srv.URL + "/api/v1/proposals?q=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	roomy := serve(100, 0)
	for _, tc := range []struct {
		name, q string
		status  int
		want    string
	}{
		{"a word", "oak", 200, `"title": "Plant oak trees"`},
		{"eight words", "plant oak trees twelve oaks on the green", 200, `"id": 1`},
		{"21,000 one-letter words", strings.Repeat("a ", 21000), 400, "A search is at most 200 bytes long; this one has 42000."},
		{"nine words", "plant oak trees twelve oaks on the green now", 400, "A search has at most 8 words; this one has 9."},
		{"a one-letter word", "oak a", 400, `Each word of a search needs at least 2 letters or digits; \"a\" is too short.`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := search(t, roomy, tc.q)
			if status != tc.status || !strings.Contains(body, tc.want) {
				t.Fatalf("%d %s; want %d with %q", status, body, tc.status, tc.want)
			}
		})
	}

	t.Run("cut off at the deadline", func(t *testing.T) {
		// A deadline already past when the search starts: 503.
		status, body := search(t, serve(100, time.Nanosecond), "oak")
		if status != 503 || !strings.Contains(body, `"code": "search_timeout"`) {
			t.Fatalf("%d %s", status, body)
		}
	})

	t.Run("rate limited per client", func(t *testing.T) {
		tight := serve(2, 0)
		for i, want := range []int{200, 200, 429, 429} {
			status, body := search(t, tight, "oak")
			if status != want {
				t.Fatalf("search %d: %d %s; want %d", i+1, status, body, want)
			}
			if status == 429 && !strings.Contains(body, "Too many searches from your address") {
				t.Fatalf("search %d: %s", i+1, body)
			}
		}
		// Lists without text are not searches, and refused searches cost
		// nothing.
		res, err := http.Get(tight.URL + "/api/v1/proposals?status=open")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("a list without text: %d", res.StatusCode)
		}
		if status, _ := search(t, tight, strings.Repeat("a ", 21000)); status != 400 {
			t.Fatalf("an oversized search when limited: %d, want 400", status)
		}
	})
}
