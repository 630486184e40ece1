package tx

import (
	"github.com/folkmoot/folkmoot/internal/reject"
)

// Transaction kinds of offices and elections (values are part of the
// protocol; see Kind).
const (
	KindCandidacy         Kind = 30 // stand for an election during its nominations
	KindWithdrawCandidacy Kind = 31 // withdraw one's candidacy during the nominations
	KindRank              Kind = 32 // a ranked ballot in an election
	KindRecall            Kind = 33 // sign (or start) a recall petition against an office holder
	KindNotice            Kind = 40 // office power: publish an official notice
	KindPayment           Kind = 41 // office power: record a payment within an approved budget
)

// Limits on the text of office transactions.
const (
	MaxOfficeName = 40   // code points in an office's name
	MaxPayee      = 200  // code points in a payment's payee
	MaxNoticeText = 8192 // bytes in a notice's text or a payment's memo
)

// MaxRanking bounds the preferences one ranked ballot may list.
const MaxRanking = 1000

// Candidacy puts the author forward as a candidate in an election, during
// its nominations.
type Candidacy struct {
	Election uint64 `cbor:"0,keyasint"`
}

// WithdrawCandidacy takes the author's candidacy back, during the
// nominations.
type WithdrawCandidacy struct {
	Election uint64 `cbor:"0,keyasint"`
}

// Rank is a ranked ballot in an election: candidates' member numbers, most
// preferred first. A later ballot by the same member in the same election
// replaces the earlier one until voting closes.
type Rank struct {
	Election uint64   `cbor:"0,keyasint"`
	Ranking  []uint32 `cbor:"1,keyasint"`
}

// Recall signs the recall petition against Member's seat in Office; the
// first signature opens the petition.
type Recall struct {
	Office string `cbor:"0,keyasint"`
	Member uint32 `cbor:"1,keyasint"`
}

// Notice is an official notice published by a holder of Office, an office
// with the power "notice".
type Notice struct {
	Office string `cbor:"0,keyasint"`
	Title  string `cbor:"1,keyasint"`
	Text   string `cbor:"2,keyasint"`
}

// Payment records a payment by a holder of Office, an office with the power
// "payment", against Budget: a passed proposal of decision type "budget"
// that carries an amount. Amount is in minor units (cents); the payments
// against one budget may not add up to more than its amount.
type Payment struct {
	Office string `cbor:"0,keyasint"`
	Budget uint64 `cbor:"1,keyasint"`
	Amount uint64 `cbor:"2,keyasint"`
	Payee  string `cbor:"3,keyasint"`
	Memo   string `cbor:"4,keyasint,omitempty"`
}

// Kind implements Body.
func (*Candidacy) Kind() Kind { return KindCandidacy }

// Kind implements Body.
func (*WithdrawCandidacy) Kind() Kind { return KindWithdrawCandidacy }

// Kind implements Body.
func (*Rank) Kind() Kind { return KindRank }

// Kind implements Body.
func (*Recall) Kind() Kind { return KindRecall }

// Kind implements Body.
func (*Notice) Kind() Kind { return KindNotice }

// Kind implements Body.
func (*Payment) Kind() Kind { return KindPayment }

func checkElectionID(what string, id uint64) *reject.Error {
	if id == 0 {
		return reject.Errorf(reject.BadBody, "%s rejected: election numbers start at 1", what)
	}
	return nil
}

func (b *Candidacy) check() *reject.Error { return checkElectionID("candidacy", b.Election) }

func (b *WithdrawCandidacy) check() *reject.Error {
	return checkElectionID("withdrawal of candidacy", b.Election)
}

func (b *Rank) check() *reject.Error {
	if err := checkElectionID("ballot", b.Election); err != nil {
		return err
	}
	if len(b.Ranking) == 0 {
		return reject.Errorf(reject.BadBody, "ballot rejected: rank at least one candidate")
	}
	if len(b.Ranking) > MaxRanking {
		return reject.Errorf(reject.BadBody, "ballot rejected: %d preferences; at most %d are allowed", len(b.Ranking), MaxRanking)
	}
	seen := make(map[uint32]int, len(b.Ranking))
	for i, m := range b.Ranking {
		if m == 0 {
			return reject.Errorf(reject.BadRanking, "ballot rejected: preference %d is member 0; member numbers start at 1", i+1)
		}
		if j, dup := seen[m]; dup {
			return reject.Errorf(reject.BadRanking, "ballot rejected: member %d is ranked twice (preferences %d and %d)", m, j+1, i+1)
		}
		seen[m] = i
	}
	return nil
}

func (b *Recall) check() *reject.Error {
	if err := checkLine("recall rejected: the office", b.Office, MaxOfficeName); err != nil {
		return err
	}
	if b.Member == 0 {
		return reject.Errorf(reject.BadBody, "recall rejected: member numbers start at 1")
	}
	return nil
}

func (b *Notice) check() *reject.Error {
	if err := checkLine("notice rejected: the office", b.Office, MaxOfficeName); err != nil {
		return err
	}
	if err := checkLine("notice rejected: the title", b.Title, MaxTitle); err != nil {
		return err
	}
	return checkText("notice rejected: the text", b.Text, MaxNoticeText)
}

func (b *Payment) check() *reject.Error {
	if err := checkLine("payment rejected: the office", b.Office, MaxOfficeName); err != nil {
		return err
	}
	if b.Budget == 0 {
		return reject.Errorf(reject.BadBody, "payment rejected: name the budget proposal it is made under (proposal numbers start at 1)")
	}
	if b.Amount == 0 {
		return reject.Errorf(reject.BadBody, "payment rejected: the amount must be at least 1 (minor units, such as cents)")
	}
	if err := checkLine("payment rejected: the payee", b.Payee, MaxPayee); err != nil {
		return err
	}
	return checkText("payment rejected: the memo", b.Memo, MaxNoticeText)
}
