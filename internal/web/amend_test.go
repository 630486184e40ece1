package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/query"
)

// TestTextAmendmentsPage renders a proposal whose author amended it: each
// change as a diff, and the form to amend it only while that is allowed.
func TestTextAmendmentsPage(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 2, 23, 11, 31, 0, 0, time.UTC)
	changes := []query.TextAmendment{
		{Revision: 1, Height: 4, Time: at, Author: 1, OldTitle: "Swings", OldBody: "Two swings.\nBy the oak.", Title: "Swings and a slide",
			Body: "Two swings.\nBy the oak."},
		{Revision: 2, Height: 5, Time: at, Author: 1, OldTitle: "Swings and a slide", OldBody: "Two swings.\nBy the oak.",
			Title: "Swings and a slide", Body: "Two swings.\nBy the <pond>."},
	}
	for _, tc := range []struct {
		name, status string
		endorsed     bool
		want, not    []string
	}{
		{"scheduled", "scheduled", false, []string{
			`<h2 id="amend-h">Changes to the text</h2>`, `<li id="revision-1">`, "Revision 1",
			`Title: <del><bdi>Swings</bdi></del> → <ins><bdi>Swings and a slide</bdi></ins>`,
			"<pre class=\"diff\">  Two swings.\n<del>- By the oak.</del>\n<ins>+ By the &lt;pond&gt;.</ins>\n</pre>",
			`id="amend-form" data-kind="amend-text" data-proposal="8"`, `maxlength="200" value="Swings and a slide"`,
			"folkmoot propose amend 8"}, nil},
		{"decided", "decided", false, []string{"Changes to the text", "Revision 2"}, []string{`id="amend-form"`}},
		{"gathering", "gathering", false, []string{`id="amend-form"`}, nil},
		{"endorsed initiative", "gathering", true, nil, []string{`id="amend-form"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := query.ProposalDetail{Proposal: query.Proposal{ID: 8, Title: "Swings and a slide", Body: "Two swings.\nBy the <pond>.", AuthorName: "Ada",
				Category: "general", Status: tc.status, Measure: "resolution", Type: "ordinary"}, TextAmendments: changes}
			if tc.status == "gathering" {
				p.Initiative = &query.Initiative{Needed: 5, WindowEnd: at, VotingPeriod: "336h0m0s"}
			}
			if tc.endorsed {
				p.Endorsements = []query.Endorsement{{Member: 2, Name: "Bram"}}
			}
			var buf bytes.Buffer
			if err := s.pages["en"].ExecuteTemplate(&buf, "proposal.html", view{Lang: "en", Langs: []string{"en"}, Data: proposalData{P: p}}); err != nil {
				t.Fatal(err)
			}
			body := buf.String()
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
		})
	}
	// A proposal never amended has no such section.
	var buf bytes.Buffer
	p := query.ProposalDetail{Proposal: query.Proposal{ID: 9, Title: "T", Status: "decided", Measure: "resolution"}}
	if err := s.pages["en"].ExecuteTemplate(&buf, "proposal.html", view{Lang: "en", Langs: []string{"en"}, Data: proposalData{P: p}}); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "text-amendments") {
		t.Error("an unamended proposal shows a section of changes")
	}
}
