package web

import (
	"net/http"
	"slices"

	"github.com/folkmoot/folkmoot/internal/query"
)

// Pages of offices and elections, over the core's offices, terms,
// elections (with their counts) and recall petitions.

// officeView is an office with the recall petitions against its holders
// that are gathering signatures or whose ballot is open.
type officeView struct {
	query.Office
	Petitions []query.Petition
}

func (s *Site) offices(r *http.Request) (string, any, error) {
	os, err := s.svc.Offices()
	if err != nil {
		return "", nil, err
	}
	out := make([]officeView, 0, len(os))
	for _, o := range os {
		d, err := s.svc.Office(o.Name)
		if err != nil {
			return "", nil, err
		}
		v := officeView{Office: o}
		for _, p := range d.Petitions {
			if p.Status == "open" || p.Status == "ballot" {
				v.Petitions = append(v.Petitions, p)
			}
		}
		out = append(out, v)
	}
	return "offices", out, nil
}

func (s *Site) elections(r *http.Request) (string, any, error) {
	es, err := s.svc.Elections("")
	if err != nil {
		return "", nil, err
	}
	return "elections", es, nil
}

func (s *Site) election(r *http.Request) (string, any, error) {
	e, err := s.svc.Election(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	return "election", e, nil
}

// seq returns 1..n, for numbering preferences.
func seq(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i + 1
	}
	return out
}

// votesOf returns a candidate's votes in a round of a count, or "—" when
// the candidate was no longer (or never) in it.
func votesOf(r query.Round, member uint32) string {
	i := slices.IndexFunc(r.Votes, func(v query.RoundVotes) bool { return v.Member == member })
	if i < 0 {
		return "—"
	}
	return r.Votes[i].Votes
}
