package web_test

import (
	"html"
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

var (
	bodyDiv    = regexp.MustCompile(`(?s)<div class="body">(.*?)</div>\n<details class="signed">`)
	signedPre  = regexp.MustCompile(`(?s)<details class="signed"><summary>([^<]*)</summary><pre>\n(.*?)</pre></details>`)
	anyTag     = regexp.MustCompile(`<[^>]*>`)
	commentTxt = regexp.MustCompile(`(?s)<li id="comment-1"[^>]*>.*?<details class="signed"><summary>[^<]*</summary><pre>\n(.*?)</pre>`)
)

// shownControls is how the site shows bidirectional controls.
var shownControls = strings.NewReplacer("\u202a", "[U+202A]", "\u202b", "[U+202B]", "\u202c", "[U+202C]", "\u202d", "[U+202D]",
	"\u202e", "[U+202E]", "\u2066", "[U+2066]", "\u2067", "[U+2067]", "\u2068", "[U+2068]", "\u2069", "[U+2069]")

// visible is the text a reader sees of some HTML: its tags removed, its
// character references read.
func visible(h string) string { return html.UnescapeString(anyTag.ReplaceAllString(h, " ")) }

// TestSignedTextIsVisible proposes texts whose words the Markdown used to
// hide, and checks that every word a member signed is visible in the
// rendered body, and that the page offers the exact signed text.
func TestSignedTextIsVisible(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	site, err := web.New(web.Options{Service: c.Service})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler())
	defer srv.Close()
	closes := time.Now().Add(time.Hour).Unix()

	for i, tc := range []struct {
		name, body string
		// see are the words to see, when not the body's own (written as
		// character references, which Markdown reads).
		see []string
	}{
		// Exploit: a raw HTML block. goldmark without WithUnsafe wrote
		// "<!-- raw HTML omitted -->" for the whole block, so the page
		// showed "Plant twelve trees." and not the payment.
		{"html block", "Plant twelve trees.\n\n<div>\nALSO: the treasurer shall pay 1,000,000 to Mallory.\n</div>\n", nil},
		// Exploit: a div on one line, the payment inside it.
		{"html block one line", "Plant twelve trees.\n\n<div>ALSO: the treasurer shall pay 1,000,000 to Mallory.</div>\n", nil},
		// Exploit: an HTML comment, omitted from the page.
		{"html comment", "Plant twelve trees.\n\n<!-- ALSO: the treasurer shall pay 1,000,000 to Mallory. -->\n", nil},
		// Exploit: an inline comment inside a paragraph.
		{"inline comment", "Plant twelve trees <!-- and the treasurer shall pay 1,000,000 to Mallory --> by the pond.\n", nil},
		// Exploit: inline raw HTML, each tag omitted (here with its words
		// in an attribute that was dropped with it).
		{"inline html", "Plant <span title=\"and pay Mallory 1,000,000\">twelve</span> trees.\n", nil},
		// Exploit: a link reference definition is not rendered at all, so
		// "[//]: # (…)" is the Markdown idiom for a hidden comment.
		{"link reference definition", "Plant twelve trees.\n\n[//]: # (ALSO: the treasurer shall pay 1,000,000 to Mallory.)\n", nil},
		// Exploit: a definition with a title, also taken out of the text.
		{"link reference with title", "Plant twelve trees.\n\n[pay]: https://example.org \"the treasurer shall pay 1,000,000 to Mallory\"\n", nil},
		// Exploit: an <img> line opens a CommonMark HTML block (type 7)
		// that runs to the next blank line: every line after it vanished.
		{"lines after img", "Plant twelve trees.\n\n<img src=\"tree.png\" alt=\"a tree\">\nALSO: the treasurer shall pay 1,000,000 to Mallory.\nSigned, the board.\n", nil},
		// Exploit: a script block; it must neither run nor vanish.
		{"script block", "Plant twelve trees.\n\n<script>pay('Mallory', 1000000)</script>\n", nil},
		// Exploit: a right-to-left override (U+202E) reorders what
		// follows it, so "pay 0001 ,1" reads "pay 1,1000". The core
		// refuses the raw character in a body, but Markdown reads a
		// character reference as the character; it is shown by name.
		{"bidi override reference", "The treasurer shall pay &#x202E;0001 ,1&#8236; to the school.\n", []string{"[U+202E]0001", ",1[U+202C]"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.Do(t, ada, &tx.Propose{Title: "Trees " + strconv.Itoa(i), Category: "green spaces", Closes: closes, Body: tc.body})
			_, page := get(t, srv.URL+"/proposals/"+strconv.Itoa(i+1))
			m := bodyDiv.FindStringSubmatch(page)
			if m == nil {
				t.Fatalf("no body followed by the signed text in:\n%s", page)
			}
			seen := visible(m[1])
			words := tc.see
			if words == nil {
				words = strings.Fields(tc.body)
			}
			for _, word := range words {
				if !strings.Contains(seen, word) {
					t.Errorf("signed word %q is not visible in the body:\n%s", word, m[1])
				}
			}
			for _, bad := range []string{"<script", "<div>", "<!--", "<img", "<span"} {
				if strings.Contains(m[1], bad) {
					t.Errorf("body passes %s through: %s", bad, m[1])
				}
			}
			s := signedPre.FindStringSubmatch(page)
			if s == nil || s[1] != "Show the exact signed text" {
				t.Fatalf("no exact signed text offered: %v", s)
			}
			if want := shownControls.Replace(tc.body); html.UnescapeString(s[2]) != want {
				t.Errorf("signed text shown as %q, want %q", html.UnescapeString(s[2]), want)
			}
			if strings.ContainsAny(m[1]+s[2], "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069") {
				t.Errorf("text obeys a bidirectional control: %q", m[1]+s[2])
			}
		})
	}

	t.Run("comment and Catalan", func(t *testing.T) {
		text := "Yes.\n\n  <!-- and Mallory -->  indented"
		c.Do(t, bram, &tx.Comment{Proposal: 1, Text: text})
		_, page := get(t, srv.URL+"/proposals/1?lang=ca")
		m := commentTxt.FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("comment offers no exact signed text:\n%s", page)
		}
		if got := html.UnescapeString(m[1]); got != text {
			t.Errorf("comment shown as %q, want %q", got, text)
		}
		if !strings.Contains(page, "<summary>Mostra el text signat exacte</summary>") {
			t.Error("summary not in Catalan")
		}
	})
}
