package core

import (
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Office powers.
//
// A transaction that uses an office's power (kinds "notice" and "payment")
// names the office, and is accepted only from a current holder of a seat
// of an office whose powers, in the rules in force, include that kind,
// while the holder's term runs (block time before its end). Accepted ones
// are kept as state: notices, and payments by budget.

// Notice is an official notice published by an office holder. Time is Unix
// nanoseconds.
type Notice struct {
	ID     uint64
	Office string
	Member uint32
	Title  string
	Text   string
	Time   int64
}

// Payment is a payment recorded by an office holder against a budget
// proposal. Amount is in minor units.
type Payment struct {
	ID     uint64
	Office string
	Member uint32
	Budget uint64
	Amount uint64
	Payee  string
	Memo   string
	Time   int64
}

// Notices returns every notice, by id. The slice must not be modified.
func (s *State) Notices() []*Notice { return s.notices }

// Payments returns every payment, by id; with budget not zero, only the
// payments against that budget proposal.
func (s *State) Payments(budget uint64) []*Payment {
	if budget == 0 {
		return s.payments
	}
	var out []*Payment
	for _, p := range s.payments {
		if p.Budget == budget {
			out = append(out, p)
		}
	}
	return out
}

// Spent returns the sum of the payments against a budget proposal.
func (s *State) Spent(budget uint64) uint64 { return s.spent[budget] }

// officePower checks that m may use power in office now.
func (s *State) officePower(m *Member, office, power, what string) *reject.Error {
	o, ok := s.cons.Office(office)
	if !ok {
		return reject.Errorf(reject.UnknownOffice, "%s rejected: there is no office %q (%s)", what, office, s.officeList())
	}
	if !o.HasPower(power) {
		has := "none"
		if len(o.Powers) > 0 {
			has = joinQuoted(o.Powers)
		}
		return reject.Errorf(reject.NoPower, "%s rejected: the office of %s does not hold the power %q (its powers: %s)", what, office, power, has)
	}
	t, holds := s.HolderOf(office, m.Number)
	switch {
	case holds && t.Until <= s.now:
		return reject.Errorf(reject.TermEnded, "%s rejected: your term as %s ended on %s", what, office, formatTime(t.Until))
	case holds:
		return nil
	}
	if last, ok := s.lastTerm(office, m.Number); ok {
		how := ""
		if last.EndedBy != EndTerm {
			how = " (" + last.EndedBy + ")"
		}
		return reject.Errorf(reject.TermEnded, "%s rejected: your term as %s ended on %s%s", what, office, formatTime(last.Ended), how)
	}
	return reject.Errorf(reject.NotHolder, "%s rejected: you hold no seat as %s", what, office)
}

func (s *State) notice(m *Member, b *tx.Notice) (func(*Result), *reject.Error) {
	if err := s.officePower(m, b.Office, PowerNotice, "notice"); err != nil {
		return nil, err
	}
	return func(r *Result) {
		n := &Notice{ID: uint64(len(s.notices) + 1), Office: b.Office, Member: m.Number, Title: b.Title, Text: b.Text, Time: s.now}
		s.notices = append(s.notices, n)
		s.record(func() { s.notices = s.notices[:len(s.notices)-1] })
		r.Events = append(r.Events, NoticePublished{Notice: n.ID, Office: n.Office, Member: n.Member})
	}, nil
}

func (s *State) payment(m *Member, b *tx.Payment) (func(*Result), *reject.Error) {
	if err := s.officePower(m, b.Office, PowerPayment, "payment"); err != nil {
		return nil, err
	}
	p, ok := s.Proposal(b.Budget)
	switch {
	case !ok:
		return nil, reject.Errorf(reject.UnknownBudget, "payment rejected: there is no proposal %d", b.Budget)
	case p.Type != TypeBudget || p.Amount == 0:
		return nil, reject.Errorf(reject.UnknownBudget, "payment rejected: proposal %d is not a budget with an amount", b.Budget)
	case p.Status != Decided:
		return nil, reject.Errorf(reject.UnknownBudget, "payment rejected: budget proposal %d is not decided yet (voting closes at %s)", b.Budget, formatTime(p.Closes))
	case !p.Result.Passed:
		return nil, reject.Errorf(reject.UnknownBudget, "payment rejected: budget proposal %d did not pass", b.Budget)
	}
	left := p.Amount - s.spent[p.ID]
	if b.Amount > left {
		return nil, reject.Errorf(reject.BudgetExceeded, "payment rejected: budget proposal %d has %d left of %d; a payment of %d would exceed it", p.ID, left, p.Amount, b.Amount)
	}
	return func(r *Result) {
		pay := &Payment{ID: uint64(len(s.payments) + 1), Office: b.Office, Member: m.Number, Budget: b.Budget, Amount: b.Amount,
			Payee: b.Payee, Memo: b.Memo, Time: s.now}
		s.payments = append(s.payments, pay)
		if s.spent == nil {
			s.spent = make(map[uint64]uint64)
		}
		prev := s.spent[p.ID]
		s.spent[p.ID] = prev + b.Amount
		s.record(func() {
			s.payments = s.payments[:len(s.payments)-1]
			if prev == 0 {
				delete(s.spent, p.ID)
			} else {
				s.spent[p.ID] = prev
			}
		})
		r.Events = append(r.Events, PaymentRecorded{Payment: pay.ID, Office: pay.Office, Member: pay.Member, Budget: pay.Budget, Amount: pay.Amount})
	}, nil
}

// Events of this domain (see Event).

// NoticePublished: an office holder published a notice.
type NoticePublished struct {
	Notice uint64
	Office string
	Member uint32
}

// Type implements Event.
func (NoticePublished) Type() string { return "notice" }

// Attrs implements Event.
func (e NoticePublished) Attrs() []Attr {
	return attrs("notice", u64(e.Notice), "office", e.Office, "member", u32(e.Member))
}

// PaymentRecorded: an office holder recorded a payment against a budget.
type PaymentRecorded struct {
	Payment uint64
	Office  string
	Member  uint32
	Budget  uint64
	Amount  uint64
}

// Type implements Event.
func (PaymentRecorded) Type() string { return "payment" }

// Attrs implements Event.
func (e PaymentRecorded) Attrs() []Attr {
	return attrs("payment", u64(e.Payment), "office", e.Office, "member", u32(e.Member), "budget", u64(e.Budget),
		"amount", u64(e.Amount))
}
