package web_test

import (
	"html"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// TestNamesIsolatedAndNumbered shows members' names and proposals' titles
// written right to left, and two members with one name, on every page
// that names them, and checks that each is isolated in <bdi> (or, where no
// element may go, between U+2068 and U+2069) and each name carries its
// member number.
//
// The exploit (issue 10, finding 6): names and titles were shown raw, so
// a name that runs right to left (or, before the core refused them, one
// holding U+202E, where "\u202egnp.exe" reads "exe.png") reordered the
// sentence around it ("Proposed by <name> on <date>"); and, names not
// being unique, a second "Ada" vouched in could comment and endorse as
// if she were member 1, with nothing on the page to tell them apart.
func TestNamesIsolatedAndNumbered(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	twin := apitest.NewMember(t, "Ada")
	rtl := apitest.NewMember(t, "سارة 2")
	c.Do(t, ada, &tx.Vouch{Key: twin.Key[:], Name: twin.Name})
	c.Do(t, bram, &tx.Vouch{Key: rtl.Key[:], Name: rtl.Name})
	const title = "ميزانية الحديقة 2027"
	c.Do(t, twin, &tx.Propose{Title: title, Category: "green spaces", Closes: time.Now().Add(time.Hour).Unix(), Body: "Trees."})
	c.Do(t, rtl, &tx.Comment{Proposal: 1, Text: "نعم"})
	c.Do(t, twin, &tx.Comment{Proposal: 1, ReplyTo: 1, Text: "Thanks."})
	c.Do(t, ada, &tx.Endorse{Proposal: 1})
	c.Do(t, twin, &tx.Endorse{Proposal: 1})

	site, err := web.New(web.Options{Service: c.Service})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()

	badge := func(name, n string) string {
		return "<bdi>" + html.EscapeString(name) + `</bdi> <span class="member-no">#` + n + "</span>"
	}
	for _, tc := range []struct {
		name, path string
		want       []string
	}{
		{"proposal", "/proposals/1", []string{"<h1><bdi>" + title + "</bdi></h1>", "Proposed by " + badge("Ada", "3") + " on ",
			"<strong>" + badge(rtl.Name, "4") + "</strong>", "<strong>" + badge("Ada", "3") + "</strong>",
			"<li>" + badge("Ada", "1") + "</li><li>" + badge("Ada", "3") + "</li>",
			`<option value="1">1 · ` + "\u2068" + rtl.Name + "\u2069 (#4)</option>"}},
		{"proposal in Catalan", "/proposals/1?lang=ca", []string{"Proposada per " + badge("Ada", "3") + " el "}},
		{"home", "/", []string{`<a href="/proposals/1"><bdi>` + title + "</bdi></a>"}},
		{"members", "/members", []string{badge("Ada", "1"), badge("Ada", "3"), badge(rtl.Name, "4"), "<td>" + badge("Bram", "2") + "</td>"}},
		{"member", "/members/3", []string{"<h1>" + badge("Ada", "3") + "</h1>", ">" + badge("Ada", "1") + "</a></dd>", "<bdi>" + title + "</bdi>"}},
		{"feed", "/feed.atom", []string{"<name>Ada (#3)</name>"}},
		{"constitution", "/constitution", []string{"<li>" + badge("Ada", "1") + " <code>", "<li>" + badge("Bram", "2") + " <code>"}},
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
			if !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
				return // a feed is data: its reader lays the text out
			}
			for _, text := range []string{rtl.Name, title} {
				for rest := body; ; {
					i := strings.Index(rest, text)
					if i < 0 {
						break
					}
					if before := rest[:i]; !strings.HasSuffix(before, "<bdi>") && !strings.HasSuffix(before, "\u2068") {
						t.Errorf("%q shown without isolation: …%s", text, rest[max(0, i-60):i+len(text)])
					}
					rest = rest[i+len(text):]
				}
			}
		})
	}
}
