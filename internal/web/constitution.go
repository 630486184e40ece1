package web

import (
	"net/http"
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
	M        query.Member
	Vouchers []query.Member
	Graph    query.DelegationGraph
}

// member shows one member, by number, with their delegations.
func (s *Site) member(r *http.Request) (string, any, error) {
	ref := r.PathValue("n")
	if _, err := api.MemberNumber(ref); err != nil {
		return "", nil, err
	}
	m, err := s.svc.Member(ref)
	if err != nil {
		return "", nil, err
	}
	g, err := s.svc.Delegations(ref)
	if err != nil {
		return "", nil, err
	}
	d := memberData{M: m, Graph: g}
	for _, v := range m.VouchedBy {
		vm, err := s.svc.Member(strconv.FormatUint(uint64(v), 10))
		if err != nil {
			return "", nil, err
		}
		d.Vouchers = append(d.Vouchers, vm)
	}
	return "member", d, nil
}
