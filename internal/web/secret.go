package web

import (
	"net/http"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/query"
)

// secretView is what the proposal page and the trustee page show of a
// secret vote: its public record, the counted ballots with their voters'
// names, and each choice with its count once decrypted.
type secretView struct {
	D query.SecretDetail
	// Cast are the counted ballots: who (public) and the tracking code,
	// never how.
	Cast []castRow
	// Choices are the question's choices in order (yes, no, abstain in
	// the page's language when there are no options).
	Choices []choiceRow
}

type castRow struct {
	query.CastBallot
	Name string
}

type choiceRow struct {
	Name   string
	Count  uint64
	Winner bool
}

// secret reads proposal id's secret vote for a page in lang.
func (s *Site) secret(lang string, id uint64) (*secretView, error) {
	d, err := s.svc.Secret(id)
	if err != nil {
		return nil, err
	}
	v := &secretView{D: d}
	if len(d.Cast) > 0 {
		all, err := s.svc.Members(true)
		if err != nil {
			return nil, err
		}
		names := make(map[uint32]string, len(all))
		for _, m := range all {
			names[m.Number] = m.Name
		}
		for _, c := range d.Cast {
			v.Cast = append(v.Cast, castRow{CastBallot: c, Name: names[c.Member]})
		}
	}
	sec := d.Secret
	names := sec.Options
	if len(names) == 0 {
		names = []string{s.cat.T(lang, "prop.yes"), s.cat.T(lang, "prop.no"), s.cat.T(lang, "prop.abstain")}
	}
	for i, n := range names {
		c := choiceRow{Name: n, Winner: sec.Winner != nil && *sec.Winner == i}
		if i < len(sec.Counts) {
			c.Count = sec.Counts[i]
		}
		v.Choices = append(v.Choices, c)
	}
	return v, nil
}

// trusteeData is the trustee page's: the proposal and its secret vote.
type trusteeData struct {
	P query.ProposalDetail
	S *secretView
}

// trustee renders the page where a trustee of a secret vote takes its
// steps in the browser (secret.js): make the key with the others, then
// decrypt the result. The trustee's secret never leaves the browser.
func (s *Site) trustee(r *http.Request) (string, any, error) {
	id, err := api.ProposalID(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	p, err := s.svc.Proposal(id)
	if err != nil {
		return "", nil, err
	}
	sv, err := s.secret(s.cat.Lang(r), id)
	if err != nil {
		return "", nil, err
	}
	return "trustee", trusteeData{P: p, S: sv}, nil
}

// winner is the name of a secret question's winning option, or "" when
// no single option has the most votes (or it has none).
func winner(s *query.Secret) string {
	if s == nil || s.Winner == nil || *s.Winner < 0 || *s.Winner >= len(s.Options) {
		return ""
	}
	return s.Options[*s.Winner]
}
