package web

import (
	"net/http"
	"slices"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/query"
)

// Pages of offices and elections, over the core's offices, terms,
// elections (with their counts) and recall petitions.

func (s *Site) offices(r *http.Request) (string, any, error) {
	os, err := s.svc.Offices()
	if err != nil {
		return "", nil, err
	}
	return "offices", os, nil
}

func (s *Site) elections(r *http.Request) (string, any, error) {
	es, err := s.svc.Elections()
	if err != nil {
		return "", nil, err
	}
	return "elections", es, nil
}

func (s *Site) election(r *http.Request) (string, any, error) {
	id, err := api.ElectionID(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	e, err := s.svc.Election(id)
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
