package core

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Recall.
//
// Any current member may sign a recall petition against the holder of a
// seat (kind "recall", naming the office and the holder's member number).
// The first signature opens the petition for the constitution's petition
// window; each further distinct signer adds one. Signatures are counted as
// they were given, even if a signer leaves later. When the signers reach
// the petition share of the current members (rounded up, at least one),
// a recall ballot opens at once: a proposal with measure "recall" and
// decision type "recall", voted on yes/no with the recall policy's voting
// period, quorum and threshold, listed with the other proposals (its
// author is the petition's first signer). If it passes and the member
// still holds the same seat, the seat is vacated in the deciding block and
// a by-election opens (see elections.go). A petition that does not reach
// the threshold in its window lapses. Once a petition's ballot is decided,
// a new petition against the same term may begin. A recall ballot has no
// category, so no delegation counts on it: every member who wants a say
// votes directly.

// TypeRecall is the decision type of recall ballots, whose rules come from
// the constitution's recall policy.
const TypeRecall = "recall"

// PetitionStatus is where a recall petition stands.
type PetitionStatus uint8

// Petition stages.
const (
	PetitionOpen   PetitionStatus = 1 // gathering signatures
	PetitionBallot PetitionStatus = 2 // reached the threshold; its recall ballot is open
	PetitionDone   PetitionStatus = 3 // its recall ballot was decided
	PetitionLapsed PetitionStatus = 4 // the window passed short of the threshold
)

// String names the stage.
func (p PetitionStatus) String() string {
	switch p {
	case PetitionOpen:
		return "open"
	case PetitionBallot:
		return "ballot"
	case PetitionDone:
		return "decided"
	case PetitionLapsed:
		return "lapsed"
	}
	return fmt.Sprintf("petition status %d", uint8(p))
}

// Petition is a recall petition against one term. Times are Unix
// nanoseconds.
type Petition struct {
	ID     uint64
	Office string
	Member uint32 // the holder
	Term   uint64
	// Opened is the first signature's time; Expires the end of the window.
	Opened, Expires int64
	// Signers are member numbers in the order they signed.
	Signers []uint32
	// Needed is the number of signers that opens the ballot, as computed
	// at the last signature.
	Needed uint64
	Status PetitionStatus
	// Proposal is the recall ballot, once opened.
	Proposal uint64
}

// Petitions returns every recall petition, by id. The slice and its
// petitions must not be modified.
func (s *State) Petitions() []*Petition { return s.petitions }

// signaturesNeeded is the petition share of the current members, rounded
// up, and at least one.
func (s *State) signaturesNeeded() uint64 {
	return ShareOf(s.cons.RecallRules().Petition.Ratio, s.current)
}

func (s *State) recall(m *Member, b *tx.Recall) (func(*Result), *reject.Error) {
	if _, ok := s.cons.Office(b.Office); !ok {
		return nil, reject.Errorf(reject.UnknownOffice, "recall rejected: there is no office %q (%s)", b.Office, s.officeList())
	}
	target, ok := s.MemberByNumber(b.Member)
	if !ok {
		return nil, reject.Errorf(reject.RecallNotHolder, "recall rejected: there is no member %d", b.Member)
	}
	t, holds := s.HolderOf(b.Office, b.Member)
	if !holds {
		if last, ok := s.lastTerm(b.Office, b.Member); ok {
			return nil, reject.Errorf(reject.RecallTermEnded, "recall rejected: %s's term as %s ended on %s", target.Name, b.Office, formatTime(last.Ended))
		}
		return nil, reject.Errorf(reject.RecallNotHolder, "recall rejected: %s (member %d) holds no seat as %s", target.Name, b.Member, b.Office)
	}
	if t.Until <= s.now {
		return nil, reject.Errorf(reject.RecallTermEnded, "recall rejected: %s's term as %s ended on %s", target.Name, b.Office, formatTime(t.Until))
	}
	var p *Petition
	if id, ok := s.petitionFor[t.ID]; ok {
		p = s.petitions[id-1]
		switch p.Status {
		case PetitionBallot:
			return nil, reject.Errorf(reject.RecallPending, "recall rejected: the recall ballot against %s as %s is already open (proposal %d)", target.Name, b.Office, p.Proposal)
		case PetitionOpen:
			if slices.Contains(p.Signers, m.Number) {
				return nil, reject.Errorf(reject.AlreadySigned, "recall rejected: you have already signed the petition to recall %s as %s (%d of %d signatures)",
					target.Name, b.Office, len(p.Signers), s.signaturesNeeded())
			}
		default:
			p = nil // decided or lapsed: a new petition begins
		}
	}
	return func(r *Result) {
		if p == nil {
			rules := s.cons.RecallRules()
			p = &Petition{ID: uint64(len(s.petitions) + 1), Office: b.Office, Member: b.Member, Term: t.ID,
				Opened: s.now, Expires: addSat(s.now, int64(rules.Window.Duration)), Status: PetitionOpen}
			prevFor, hadFor := s.petitionFor[t.ID]
			s.petitions = append(s.petitions, p)
			if s.petitionFor == nil {
				s.petitionFor = make(map[uint64]uint64)
			}
			s.petitionFor[t.ID] = p.ID
			d := deadline{At: p.Expires, ID: p.ID}
			s.petitionLapse.insert(d)
			s.record(func() {
				s.petitions = s.petitions[:len(s.petitions)-1]
				if hadFor {
					s.petitionFor[t.ID] = prevFor
				} else {
					delete(s.petitionFor, t.ID)
				}
				s.petitionLapse.remove(d)
			})
		}
		prevNeeded := p.Needed
		p.Signers = append(p.Signers, m.Number)
		p.Needed = s.signaturesNeeded()
		s.record(func() {
			p.Signers = p.Signers[:len(p.Signers)-1]
			p.Needed = prevNeeded
		})
		r.Events = append(r.Events, PetitionSigned{Petition: p.ID, Office: p.Office, Member: p.Member, Signer: m.Number,
			Signatures: len(p.Signers), Needed: p.Needed})
		if uint64(len(p.Signers)) >= p.Needed {
			s.openRecall(p, target, r)
		}
	}, nil
}

// openRecall opens the recall ballot of a petition that reached its
// threshold.
func (s *State) openRecall(pt *Petition, target *Member, r *Result) {
	rules := s.cons.RecallRules()
	p := &Proposal{
		Author: pt.Signers[0],
		Title:  fmt.Sprintf("Recall %s as %s", target.Name, pt.Office),
		Body: fmt.Sprintf("%d members signed petition %d to recall %s (member %d) from the office of %s. If this ballot passes, the seat is vacated and a by-election opens.",
			len(pt.Signers), pt.ID, target.Name, target.Number, pt.Office),
		Opens: s.now, Closes: addSat(s.now, int64(rules.Voting.Duration)), Status: Scheduled,
		Quorum: rules.Quorum.Ratio, Threshold: rules.Threshold.Ratio, Type: TypeRecall,
		Measure: tx.RecallVote, Recall: &RecallTerms{Office: pt.Office, Holder: pt.Member, Petition: pt.ID},
	}
	s.addProposal(p, r)
	pt.Status, pt.Proposal = PetitionBallot, p.ID
	d := deadline{At: pt.Expires, ID: pt.ID}
	s.petitionLapse.remove(d)
	s.record(func() {
		pt.Status, pt.Proposal = PetitionOpen, 0
		s.petitionLapse.insert(d)
	})
	s.open(p, r)
	r.Events = append(r.Events, Opened{Proposal: p.ID, Eligible: p.Eligible})
	s.fact(r, factRecallOpened(pt, s.now))
	r.Events = append(r.Events, RecallOpened{Petition: pt.ID, Proposal: p.ID, Office: pt.Office, Member: pt.Member})
}

// recallDecided closes the petition of a decided recall ballot and, if it
// passed and the member still holds the same seat, vacates it.
func (s *State) recallDecided(p *Proposal, r *Result) {
	pt := s.petitions[p.Recall.Petition-1]
	pt.Status = PetitionDone
	s.record(func() { pt.Status = PetitionBallot })
	if !p.Result.Passed {
		return
	}
	t := s.terms[pt.Term-1]
	if t.Ended != 0 {
		r.Events = append(r.Events, MeasureLapsed{Proposal: p.ID, Reason: fmt.Sprintf("the term as %s had already ended (%s)", t.Office, t.EndedBy)})
		return
	}
	s.vacate(t, EndRecalled, r)
}

// lapse ends a petition whose window passed short of its threshold.
func (s *State) lapse(p *Petition, r *Result) {
	p.Status = PetitionLapsed
	s.record(func() { p.Status = PetitionOpen })
	s.fact(r, factPetitionLapsed(p, s.now))
	r.Events = append(r.Events, PetitionLapsedEvent{Petition: p.ID, Office: p.Office, Member: p.Member, Signatures: len(p.Signers)})
}

// Events of this domain (see Event).

// PetitionSigned: a member signed a recall petition.
type PetitionSigned struct {
	Petition   uint64
	Office     string
	Member     uint32 // the holder
	Signer     uint32
	Signatures int
	Needed     uint64
}

// Type implements Event.
func (PetitionSigned) Type() string { return "petition_signed" }

// Attrs implements Event.
func (e PetitionSigned) Attrs() []Attr {
	return attrs("petition", u64(e.Petition), "office", e.Office, "holder", u32(e.Member), "member", u32(e.Signer),
		"signatures", strconv.Itoa(e.Signatures), "needed", u64(e.Needed))
}

// RecallOpened: a petition reached its threshold and recall ballot
// Proposal opened.
type RecallOpened struct {
	Petition uint64
	Proposal uint64
	Office   string
	Member   uint32
}

// Type implements Event.
func (RecallOpened) Type() string { return "recall_opened" }

// Attrs implements Event.
func (e RecallOpened) Attrs() []Attr {
	return attrs("petition", u64(e.Petition), "proposal", u64(e.Proposal), "office", e.Office, "member", u32(e.Member))
}

// PetitionLapsedEvent: a petition's window passed short of its threshold.
type PetitionLapsedEvent struct {
	Petition   uint64
	Office     string
	Member     uint32
	Signatures int
}

// Type implements Event.
func (PetitionLapsedEvent) Type() string { return "petition_lapsed" }

// Attrs implements Event.
func (e PetitionLapsedEvent) Attrs() []Attr {
	return attrs("petition", u64(e.Petition), "office", e.Office, "holder", u32(e.Member),
		"signatures", strconv.Itoa(e.Signatures))
}

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factRecallOpened(p *Petition, at int64) []byte {
	return mustEncode([]any{FactRecallOpened, p.ID, p.Office, p.Member, p.Proposal, uint64(len(p.Signers)), at})
}

func factPetitionLapsed(p *Petition, at int64) []byte {
	return mustEncode([]any{FactPetitionLapsed, p.ID, p.Office, p.Member, uint64(len(p.Signers)), at})
}
