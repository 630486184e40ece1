package api

import (
	"strconv"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
)

// Offices lists the offices of the rules in force with their holders and
// elections to come.
func (s *Service) Offices() ([]query.Office, error) {
	var out []query.Office
	err := s.view(func(c *core.State) error { out = query.Offices(c); return nil })
	return out, err
}

// Office returns one office with its past elections, petitions, notices and
// payments.
func (s *Service) Office(name string) (query.OfficeDetail, error) {
	var out query.OfficeDetail
	err := s.view(func(c *core.State) error {
		if _, ok := c.OfficeStatus(name); !ok {
			return NotFound("There is no office %q.", name)
		}
		var err error
		out, err = query.OfficeByName(c, name)
		return err
	})
	return out, err
}

// Elections lists elections, newest first; office filters when not empty.
func (s *Service) Elections(office string) ([]query.Election, error) {
	var out []query.Election
	err := s.view(func(c *core.State) error { out = query.Elections(c, office); return nil })
	return out, err
}

// Election returns one election with its round-by-round count.
func (s *Service) Election(ref string) (query.Election, error) {
	id, err := strconv.ParseUint(ref, 10, 64)
	if err != nil || id == 0 {
		return query.Election{}, BadRequest("An election number is a whole number from 1.")
	}
	var out query.Election
	err = s.view(func(c *core.State) error {
		e, ok := c.Election(id)
		if !ok {
			return NotFound("There is no election %d.", id)
		}
		out = query.ElectionOf(c, e)
		return nil
	})
	return out, err
}
