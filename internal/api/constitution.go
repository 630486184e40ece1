package api

import (
	"net/http"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
)

// LawsAt reads the time a register of laws is asked for from ?at=: empty
// for now, a date (2026-03-01: the end of that day, UTC) or an RFC 3339
// time.
func LawsAt(r *http.Request) (time.Time, error) {
	v := r.URL.Query().Get("at")
	if v == "" {
		return time.Time{}, nil
	}
	if d, err := time.Parse(time.DateOnly, v); err == nil {
		return d.Add(24*time.Hour - time.Nanosecond), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, BadRequest("A date is written like 2026-03-01 (or a time like 2026-03-01T12:00:00Z), not %q.", v)
}

// Laws returns the register of laws after the latest block, or as it stood
// at a past time (at not zero). A time on a later day than the latest
// block's is refused: the record does not know the future.
func (s *Service) Laws(at time.Time) (query.LawRegister, error) {
	var reg query.LawRegister
	err := s.view(func(c *core.State) error {
		now := c.Time()
		if !at.IsZero() && at.After(now) && at.Format(time.DateOnly) > now.Format(time.DateOnly) {
			return BadRequest("The register shows the laws in force up to %s, the time of the latest block; %s is later.",
				now.Format(time.DateOnly), at.Format(time.DateOnly))
		}
		reg = query.LawRegisterOf(c, at)
		return nil
	})
	return reg, err
}

// LawNumber reads a law number from a path.
func LawNumber(s string) (uint64, error) { return numberFrom1(s, "law") }

// Law returns one law of the register, in force or not.
func (s *Service) Law(n uint64) (query.LawEntry, error) {
	var l query.LawEntry
	err := s.view(func(c *core.State) error {
		cl, ok := c.Law(n)
		if !ok {
			return NotFound("There is no law %d.", n)
		}
		l = query.LawEntryOf(cl)
		return nil
	})
	return l, err
}

// Rules returns every version of the constitution, newest first, each with
// what it changed.
func (s *Service) Rules() ([]query.RuleVersionEntry, error) {
	var out []query.RuleVersionEntry
	err := s.view(func(c *core.State) error { out = query.RuleHistoryOf(c); return nil })
	return out, err
}

// Delegations returns a member's delegation graph; ref is a member number
// or key, as for Member. Former members have one too: delegations to them
// stay until their delegators withdraw them.
func (s *Service) Delegations(ref string) (query.DelegationGraph, error) {
	m, err := s.Member(ref)
	if err != nil {
		return query.DelegationGraph{}, err
	}
	var g query.DelegationGraph
	err = s.view(func(c *core.State) error {
		cm, ok := c.MemberByNumber(m.Number)
		if !ok {
			return NotFound("There is no member %d.", m.Number)
		}
		g = query.DelegationsOf(c, cm)
		return nil
	})
	return g, err
}
