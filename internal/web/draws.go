package web

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/query"
)

// Pages of draws by lot (docs/sortition.md), over the read model
// query.Draw that the JSON API serves too.

// person is a member named on a draw's page: the number, and the name
// the member was admitted with.
type person struct {
	Member uint32
	Name   string
}

// chanceRow is a volunteer of a stratified draw: the values they declared
// of its features (frozen when they volunteered) and their chance of a
// seat under the published lottery.
type chanceRow struct {
	person
	Values []string
	// Chance is the probability as a percentage ("" before the lottery).
	Chance string
}

// drawView is what the draw's page shows: the record, the members it
// names with their names, and which window is open now.
type drawView struct {
	D query.Draw
	// Caller is the member who called the draw; number 0 for a draw the
	// core called to fill an office by lot.
	Caller person
	// Pool is who the draw is among: the volunteers, or (when drawn
	// among all members) the members at the draw.
	Pool, Committed, Revealed, NonRevealers []person
	Chances                                 []chanceRow
	// Volunteering, Committing and Revealing say which window is open
	// at the last block's time.
	Volunteering, Committing, Revealing bool
}

func (s *Site) draws(r *http.Request) (string, any, error) {
	ds, err := s.svc.Draws()
	if err != nil {
		return "", nil, err
	}
	return "draws", ds, nil
}

func (s *Site) draw(r *http.Request) (string, any, error) {
	id, err := api.DrawID(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	d, err := s.svc.Draw(id)
	if err != nil {
		return "", nil, err
	}
	all, err := s.svc.Members(true)
	if err != nil {
		return "", nil, fmt.Errorf("draw %d: members: %w", id, err)
	}
	names := make(map[uint32]string, len(all))
	for _, m := range all {
		names[m.Number] = m.Name
	}
	people := func(ns []uint32) []person {
		out := make([]person, 0, len(ns))
		for _, n := range ns {
			out = append(out, person{Member: n, Name: names[n]})
		}
		return out
	}
	v := drawView{D: d, Caller: person{Member: d.Caller, Name: names[d.Caller]}, NonRevealers: people(d.NonRevealers)}
	pool := d.Pool
	if pool == nil && d.FromVolunteers {
		pool = d.Volunteers
	}
	v.Pool = people(pool)
	v.Committed = people(sortedKeys(d.Commits))
	v.Revealed = people(sortedKeys(d.Reveals))
	if len(d.Quotas) > 0 {
		chance := make(map[uint32]string, len(d.Probabilities))
		for _, p := range d.Probabilities {
			chance[p.Member] = fmt.Sprintf("%.1f%%", 100*p.Probability)
		}
		for _, p := range people(d.Volunteers) {
			v.Chances = append(v.Chances, chanceRow{person: p, Values: d.Values[p.Member], Chance: chance[p.Member]})
		}
	}
	if d.Status == "collecting" {
		now := s.svc.Now()
		v.Volunteering = d.VolunteerUntil != nil && now.Before(*d.VolunteerUntil)
		v.Committing = !now.Before(d.CommitFrom) && now.Before(d.CommitUntil)
		v.Revealing = !now.Before(d.CommitUntil) && now.Before(d.RevealUntil)
	}
	return "draw", v, nil
}

// sortedKeys returns a map's member numbers in increasing order.
func sortedKeys(m map[uint32]string) []uint32 {
	out := make([]uint32, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
