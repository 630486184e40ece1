package web

import (
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/query"
)

// Pages of the constitution at work: the register of laws, the rule
// history, a member's delegations. They read the committed core state
// (laws, rule versions and delegations are all kept there), not the
// projection.

type lawsData struct {
	Register query.LawRegister
	// Date is the date asked for (empty for now), for the picker; Today
	// is the latest block's date, the picker's maximum.
	Date, Today string
}

func (s *Site) laws(r *http.Request) (string, any, error) {
	at, err := api.LawsAt(r)
	if err != nil {
		return "", nil, err
	}
	reg, err := s.svc.Laws(at)
	if err != nil {
		return "", nil, err
	}
	st, err := s.svc.Status(r.Context())
	if err != nil {
		return "", nil, err
	}
	d := lawsData{Register: reg, Today: st.Time.Format(time.DateOnly)}
	if !at.IsZero() {
		d.Date = at.Format(time.DateOnly)
	}
	return "laws", d, nil
}

func (s *Site) law(r *http.Request) (string, any, error) {
	n, err := api.LawNumber(r.PathValue("n"))
	if err != nil {
		return "", nil, err
	}
	l, err := s.svc.Law(n)
	if err != nil {
		return "", nil, err
	}
	return "law", l, nil
}

func (s *Site) constitution(r *http.Request) (string, any, error) {
	h, err := s.svc.Rules()
	if err != nil {
		return "", nil, err
	}
	return "constitution", h, nil
}

type memberData struct {
	M                    query.Member
	Vouchers, VouchedFor []query.Member
	Proposals            []query.Proposal
	Graph                query.DelegationGraph
}

// member shows one member, by number or key: who vouched for them, whom
// they vouched for, their proposals and their delegations.
func (s *Site) member(r *http.Request) (string, any, error) {
	m, err := s.svc.Member(r.PathValue("ref"))
	if err != nil {
		return "", nil, err
	}
	g, err := s.svc.Delegations(strconv.FormatUint(uint64(m.Number), 10))
	if err != nil {
		return "", nil, err
	}
	all, err := s.svc.Members(true)
	if err != nil {
		return "", nil, err
	}
	d := memberData{M: m, Graph: g}
	for _, o := range all {
		if slices.Contains(m.VouchedBy, o.Number) {
			d.Vouchers = append(d.Vouchers, o)
		}
		if slices.Contains(o.VouchedBy, m.Number) {
			d.VouchedFor = append(d.VouchedFor, o)
		}
	}
	ps, err := s.svc.Proposals(api.Filter{Limit: 500})
	if err != nil {
		return "", nil, err
	}
	for _, p := range ps {
		if p.Author == m.Number {
			d.Proposals = append(d.Proposals, p)
		}
	}
	return "member", d, nil
}
