package web_test

import (
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// TestFeedLinksIgnoreHost asks for the Atom feed with a forged Host
// header, over plain HTTP and over TLS, and checks that every link starts
// with the site's configured address.
//
// The exploit (issue 10, finding 7): the feed built its links as
// "http://" + r.Host, so "curl -H 'Host: evil.example' https://site/feed.atom"
// (or a cache in front of the site keyed without the Host) handed readers
// links to http://evil.example/proposals/1, and a site served over HTTPS
// linked to itself over plain HTTP.
func TestFeedLinksIgnoreHost(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	c.Do(t, c.Founders[0], &tx.Propose{Title: "Orchard", Category: "green spaces", Closes: time.Now().Add(time.Hour).Unix()})

	for _, tc := range []struct {
		name, base string
		tls        bool
		want       []string
	}{
		{"https", "https://moot.example:8443", true,
			[]string{"https://moot.example:8443/feed.atom", "https://moot.example:8443/", "https://moot.example:8443/proposals/1"}},
		{"plain http, trailing slash", "http://127.0.0.1:8080/", false,
			[]string{"http://127.0.0.1:8080/feed.atom", "http://127.0.0.1:8080/", "http://127.0.0.1:8080/proposals/1"}},
		{"no address configured", "", true, []string{"/feed.atom", "/", "/proposals/1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site, err := web.New(web.Options{Service: c.Service, BaseURL: tc.base})
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewUnstartedServer(site.Handler())
			if tc.tls {
				srv.StartTLS()
			} else {
				srv.Start()
			}
			defer srv.Close()
			req, err := http.NewRequest("GET", srv.URL+"/feed.atom", nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Host = "evil.example"
			res, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, err := io.ReadAll(res.Body)
			res.Body.Close()
			if err != nil || res.StatusCode != http.StatusOK {
				t.Fatalf("%d %v %s", res.StatusCode, err, body)
			}
			var f struct {
				Links []struct {
					Href string `xml:"href,attr"`
				} `xml:"link"`
				Entries []struct {
					Link struct {
						Href string `xml:"href,attr"`
					} `xml:"link"`
				} `xml:"entry"`
			}
			if err := xml.Unmarshal(body, &f); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, l := range f.Links {
				got = append(got, l.Href)
			}
			for _, e := range f.Entries {
				got = append(got, e.Link.Href)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("links %q, want %q", got, tc.want)
			}
		})
	}
}
