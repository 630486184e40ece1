package api

import (
	"strconv"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
)

// Offices and elections, read through the same read models as the CLI's
// ABCI queries (internal/query), so the pages, the JSON API and
// "folkmoot office list" / "folkmoot show election" agree.

// Office is an office of the rules in force with its holders, its
// elections not yet decided, and the recall petitions against its holders
// that are gathering signatures or whose ballot is open.
type Office struct {
	query.Office
	Petitions []query.Petition `json:"petitions"`
}

// ElectionID reads an election number from a path.
func ElectionID(s string) (uint64, error) {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil || n == 0 {
		return 0, BadRequest("An election number is a whole number from 1, not %q.", s)
	}
	return n, nil
}

// Offices returns the offices of the rules in force, in the constitution's
// order.
func (s *Service) Offices() ([]Office, error) {
	out := []Office{}
	err := s.view(func(c *core.State) error {
		for _, o := range query.Offices(c) {
			d, err := query.OfficeByName(c, o.Name)
			if err != nil {
				return NotFound("There is no office %q.", o.Name)
			}
			v := Office{Office: o, Petitions: []query.Petition{}}
			for _, p := range d.Petitions {
				if p.Status == core.PetitionOpen.String() || p.Status == core.PetitionBallot.String() {
					v.Petitions = append(v.Petitions, p)
				}
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}

// Elections returns every election, newest first.
func (s *Service) Elections() ([]query.Election, error) {
	var out []query.Election
	err := s.view(func(c *core.State) error { out = query.Elections(c, ""); return nil })
	return out, err
}

// Election returns one election with its count, round by round, once
// decided.
func (s *Service) Election(id uint64) (query.Election, error) {
	var out query.Election
	err := s.view(func(c *core.State) error {
		e, err := query.ElectionByID(c, id)
		if err != nil {
			return NotFound("There is no election %d.", id)
		}
		out = e
		return nil
	})
	return out, err
}
