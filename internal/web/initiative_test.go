package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/query"
)

// TestInitiativeStates renders an initiative's page in the states a
// real node reaches only after its window (lapsed) as well as while it
// gathers: the sentence for each, the sign form only while it gathers,
// and never a vote form or a tally.
func TestInitiativeStates(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	end := time.Date(2027, 2, 23, 11, 31, 0, 0, time.UTC)
	for _, tc := range []struct {
		name, status string
		in           query.Initiative
		want, not    []string
	}{
		{"gathering", "gathering", query.Initiative{Endorsements: 2, Needed: 5, WindowEnd: end, VotingPeriod: "336h0m0s"},
			[]string{`<progress id="init-progress" max="5" value="2">2/5</progress>`, "2 of 5 signatures",
				"It gathers signatures until 2027-02-23 11:31 UTC. When enough members sign it, voting opens automatically for 14d.",
				"Sign this initiative", `data-kind="endorse"`, "gathering signatures"},
			[]string{`id="vote-form"`, `id="tally"`, "lapsed"}},
		{"lapsed", "lapsed", query.Initiative{Endorsements: 2, Needed: 5, WindowEnd: end, VotingPeriod: "336h0m0s"},
			[]string{"It lapsed with 2 of the 5 signatures it needed when its window closed on 2027-02-23 11:31 UTC.", "status-lapsed"},
			[]string{`id="vote-form"`, `id="tally"`, `id="endorse-form"`, "<progress"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in := tc.in
			p := query.ProposalDetail{Proposal: query.Proposal{ID: 8, Title: "Swings", AuthorName: "Ada", Category: "general",
				Status: tc.status, Measure: "resolution", Type: "ordinary", Initiative: &in}}
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
}
