package web

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/query"
)

// TestSecretStates renders a secret vote's part of the proposal page in
// each state a real node reaches only after its windows (cancelled, not
// decrypted, counting, decided with a winner, a trustee disqualified):
// the sentence for each, names isolated with their member numbers, no
// ballot form and never the public tally (the open vote's page is
// TestBrowserSecretVote's).
func TestSecretStates(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2027, 2, 23, 11, 31, 0, 0, time.UTC)
	winner := 1
	trustees := []query.Trustee{
		{Number: 1, Member: 1, Name: "Ada", Committed: true, Dealt: true, Qualified: true, Decrypted: true},
		{Number: 2, Member: 4, Name: "Dmitri\u202e", Committed: true, Disqualified: "dealt no share by the deadline"},
	}
	for _, tc := range []struct {
		name, status string
		sec          query.Secret
		want, not    []string
	}{
		{"cancelled", "cancelled", query.Secret{Cancelled: "only 1 trustee qualified; 2 are needed"},
			[]string{"Cancelled:</strong> only 1 trustee qualified; 2 are needed", "disqualified: dealt no share by the deadline",
				"<bdi>Dmitri\u202e</bdi> <span class=\"member-no\">#4</span>"},
			[]string{`id="secret-form"`, `id="tally"`, `id="vote-form"`, `id="secret-counts"`}},
		{"not decrypted", "decided", query.Secret{NotDecrypted: true, Ballots: 2},
			[]string{"Not decrypted: too few trustees", "2 of 5 members who may vote have voted (how is secret)."},
			[]string{`id="secret-counts"`, `id="tally"`}},
		{"counting", "counting", query.Secret{Ballots: 2, DecryptBy: &at},
			[]string{"The trustees are decrypting the sum of the ballots, until 2027-02-23 11:31 UTC.", "Trustees decrypt by"},
			[]string{`id="secret-counts"`, `id="secret-form"`}},
		{"decided", "decided", query.Secret{Options: []string{"oak", "lime <i>"}, Approve: 2, Counts: []uint64{1, 2}, Winner: &winner, Ballots: 2},
			[]string{"Approve up to 2 of these options:", "<li><bdi>lime &lt;i&gt;</bdi></li>", `<tr class="winner"><th scope="row"><bdi>lime &lt;i&gt;</bdi></th><td>2</td>`,
				"Chosen: <bdi>lime &lt;i&gt;</bdi>.", "Approvals",
				`<tr data-member="2"><td><bdi>Bram</bdi> <span class="member-no">#2</span></td><td><code class="tracking">c0ffee</code></td><td>9</td></tr>`},
			[]string{`id="secret-form"`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sec := tc.sec
			sec.Trustees, sec.Threshold, sec.Choices = trustees, 2, max(3, len(sec.Options))
			p := query.ProposalDetail{Proposal: query.Proposal{ID: 8, Title: "Trees", AuthorName: "Ada", Category: "general",
				Status: tc.status, Measure: "resolution", Type: "ordinary", Eligible: 5, Secret: &sec}}
			sv := &secretView{D: query.SecretDetail{Proposal: 8, Status: tc.status, Secret: sec}, Cast: []castRow{{CastBallot: query.CastBallot{Member: 2, Tracking: "c0ffee", Height: 9}, Name: "Bram"}}}
			names := sec.Options
			if len(names) == 0 {
				names = []string{"Yes", "No", "Abstain"}
			}
			for i, n := range names {
				c := choiceRow{Name: n, Winner: sec.Winner != nil && *sec.Winner == i}
				if i < len(sec.Counts) {
					c.Count = sec.Counts[i]
				}
				sv.Choices = append(sv.Choices, c)
			}
			var buf bytes.Buffer
			if err := s.pages["en"].ExecuteTemplate(&buf, "proposal.html", view{Lang: "en", Langs: []string{"en"}, Data: proposalData{P: p, S: sv}}); err != nil {
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
