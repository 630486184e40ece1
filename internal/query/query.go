// Package query turns the core's state into the read models that clients
// see — over ABCI Query, the HTTP API and the CLI — so that every reader
// shows the same thing. It only reads.
package query

import (
	"fmt"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Status summarises the community.
type Status struct {
	ChainID      string            `json:"chain_id"`
	Community    string            `json:"community"`
	Height       int64             `json:"height"`
	Time         time.Time         `json:"time"`
	AppHash      merkle.Hash       `json:"app_hash"`
	Members      uint64            `json:"members"`
	Proposals    int               `json:"proposals"`
	OpenVotes    int               `json:"open_proposals"`
	Leaves       uint64            `json:"leaves"`
	Constitution core.Constitution `json:"constitution"`
}

// Member is a member as clients see it.
type Member struct {
	Number    uint32       `json:"number"`
	Key       tx.PublicKey `json:"key"`
	Name      string       `json:"name"`
	Admitted  time.Time    `json:"admitted"`
	VouchedBy []uint32     `json:"vouched_by"`
	Left      bool         `json:"left"`
	NextNonce uint64       `json:"next_nonce,omitempty"`
}

// Result is a decided proposal's outcome.
type Result struct {
	Yes           uint64 `json:"yes"`
	No            uint64 `json:"no"`
	Abstain       uint64 `json:"abstain"`
	Eligible      uint64 `json:"eligible"`
	Turnout       uint64 `json:"turnout"`
	QuorumReached bool   `json:"quorum_reached"`
	Passed        bool   `json:"passed"`
	// Delegated is the part of Yes, No and Abstain carried by delegation,
	// absent when no delegation counted.
	Delegated *Delegated `json:"delegated,omitempty"`
}

// Delegated is the delegated part of a decided proposal's count.
type Delegated struct {
	Yes     uint64 `json:"yes"`
	No      uint64 `json:"no"`
	Abstain uint64 `json:"abstain"`
	Capped  uint64 `json:"capped"` // delegators not counted: their voter was at the weight cap
	Cyclic  uint64 `json:"cyclic"` // delegators not counted: their chain ran into a cycle
}

// Proposal is a proposal as clients see it, with its running tally.
type Proposal struct {
	ID           uint64    `json:"id"`
	Author       uint32    `json:"author"`
	AuthorName   string    `json:"author_name"`
	Title        string    `json:"title"`
	Body         string    `json:"body"`
	Category     string    `json:"category"`
	Created      time.Time `json:"created"`
	Opens        time.Time `json:"opens"`
	Closes       time.Time `json:"closes"`
	Status       string    `json:"status"`
	Eligible     uint64    `json:"eligible"`
	Yes          uint64    `json:"yes"`
	No           uint64    `json:"no"`
	Abstain      uint64    `json:"abstain"`
	Endorsements int       `json:"endorsements"`
	Comments     uint64    `json:"comments"`
	Quorum       string    `json:"quorum"`
	Threshold    string    `json:"threshold"`
	Result       *Result   `json:"result,omitempty"`
	// Type is the decision type; Measure what passing does ("resolution",
	// "law", "renewal", "repeal", "amendment"); Law the law a renewal or
	// repeal is about.
	Type    string `json:"type"`
	Measure string `json:"measure"`
	Law     uint64 `json:"law,omitempty"`
	// Initiative is set on a popular initiative; its Opens and Closes are
	// the zero Unix time until it qualifies.
	Initiative *Initiative `json:"initiative,omitempty"`
	// Amount and Spent are a budget's amount and the payments recorded
	// against it (minor units).
	Amount uint64 `json:"amount,omitempty"`
	Spent  uint64 `json:"spent,omitempty"`
}

// StatusOf summarises s.
func StatusOf(s *core.State) Status {
	open := 0
	for _, p := range s.Proposals() {
		if p.Status == core.Open {
			open++
		}
	}
	return Status{ChainID: s.ChainID(), Community: s.Constitution().Name, Height: s.Height(), Time: s.Time(),
		AppHash: s.Root(), Members: s.MemberCount(), Proposals: len(s.Proposals()), OpenVotes: open,
		Leaves: s.Leaves(), Constitution: s.Constitution()}
}

// MemberOf converts a member.
func MemberOf(s *core.State, m *core.Member) Member {
	v := Member{Number: m.Number, Key: m.Key, Name: m.Name, Admitted: time.Unix(0, m.Admitted).UTC(),
		VouchedBy: m.VouchedBy, Left: m.Left}
	if !m.Left {
		v.NextNonce = m.Nonce + 1
	}
	if v.VouchedBy == nil {
		v.VouchedBy = []uint32{}
	}
	return v
}

// Members lists every member ever admitted; current only when current.
func Members(s *core.State, current bool) []Member {
	var out []Member
	for _, m := range s.Members() {
		if current && m.Left {
			continue
		}
		out = append(out, MemberOf(s, m))
	}
	return out
}

// MemberByKey finds a current member by key, or reports that the key is not
// a current member's.
func MemberByKey(s *core.State, key tx.PublicKey) (Member, error) {
	m, ok := s.Member(key)
	if !ok {
		return Member{}, fmt.Errorf("key %s is not a current member", key.Short())
	}
	return MemberOf(s, m), nil
}

// ProposalOf converts a proposal.
func ProposalOf(s *core.State, p *core.Proposal) Proposal {
	v := Proposal{ID: p.ID, Author: p.Author, Title: p.Title, Body: p.Body, Category: p.Category,
		Created: t(p.Created), Opens: t(p.Opens), Closes: t(p.Closes), Status: p.Status.String(),
		Eligible: p.Eligible, Yes: p.Yes, No: p.No, Abstain: p.Abstain, Endorsements: p.Endorsements(),
		Comments: p.Comments, Quorum: p.Quorum.QuorumWords(), Threshold: p.Threshold.Words(),
		Type: p.Type, Measure: p.Measure.String(), Law: p.LawNumber(), Initiative: initiativeOf(p),
		Amount: p.Amount, Spent: s.Spent(p.ID)}
	if a, ok := s.MemberByNumber(p.Author); ok {
		v.AuthorName = a.Name
	}
	if r := p.Result; r != nil {
		v.Result = &Result{Yes: r.Yes, No: r.No, Abstain: r.Abstain, Eligible: r.Eligible, Turnout: r.Turnout,
			QuorumReached: r.QuorumReached, Passed: r.Passed}
		if d := p.Delegated; d != nil {
			v.Result.Delegated = &Delegated{Yes: d.Yes, No: d.No, Abstain: d.Abstain, Capped: d.Capped, Cyclic: d.Cyclic}
		}
	}
	return v
}

// ProposalByID finds a proposal.
func ProposalByID(s *core.State, id uint64) (Proposal, error) {
	p, ok := s.Proposal(id)
	if !ok {
		return Proposal{}, fmt.Errorf("there is no proposal %d", id)
	}
	return ProposalOf(s, p), nil
}

// Proposals lists proposals, newest first; status filters when not empty.
func Proposals(s *core.State, status string) []Proposal {
	ps := s.Proposals()
	out := make([]Proposal, 0, len(ps))
	for i := len(ps) - 1; i >= 0; i-- {
		if status != "" && ps[i].Status.String() != status {
			continue
		}
		out = append(out, ProposalOf(s, ps[i]))
	}
	return out
}

// Proof is an inclusion proof with what is needed to check it.
type Proof struct {
	Leaf    []byte       `json:"leaf"`     // the leaf data (CBOR)
	Fact    string       `json:"fact"`     // the leaf in words
	Height  int64        `json:"height"`   // the block whose app hash it proves against
	AppHash merkle.Hash  `json:"app_hash"` // the root after that block
	Proof   merkle.Proof `json:"proof"`
}

// TxStatus says where a transaction was recorded.
type TxStatus struct {
	ID     string `json:"id"`
	Height int64  `json:"height"`
	Code   uint32 `json:"code"`
	Leaf   uint64 `json:"leaf"`
}

func t(ns int64) time.Time { return time.Unix(0, ns).UTC() }
