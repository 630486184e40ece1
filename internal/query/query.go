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
	// Secret is set on a vote by secret ballot: its trustees, key and,
	// after the tally, its counts (see SecretDetail for the rest).
	Secret *Secret `json:"secret,omitempty"`
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

// proposalOf converts a proposal.
func proposalOf(s *core.State, p *core.Proposal) Proposal {
	v := Proposal{ID: p.ID, Author: p.Author, Title: p.Title, Body: p.Body, Category: p.Category,
		Created: t(p.Created), Opens: t(p.Opens), Closes: t(p.Closes), Status: p.Status.String(),
		Eligible: p.Eligible, Yes: p.Yes, No: p.No, Abstain: p.Abstain, Endorsements: p.Endorsements(),
		Comments: p.Comments, Quorum: p.Quorum.QuorumWords(), Threshold: p.Threshold.Words(),
		Type: p.Type, Measure: p.Measure.String(), Law: p.LawNumber(), Initiative: initiativeOf(p),
		Amount: p.Amount, Spent: s.Spent(p.ID), Secret: SecretOf(s, p)}
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
	return byNumber(s, "proposal", id, s.Proposal, proposalOf)
}

// ProposalDetail is one proposal with what its page shows besides: its
// discussion, who endorsed it, the changes to its text and the rules that
// applied. Comments, Endorsements, TextAmendments and DecidedHeight come
// from the projection (internal/store), the rest from the state.
type ProposalDetail struct {
	Proposal
	Comments     []Comment     `json:"comment_thread"`
	Endorsements []Endorsement `json:"endorsed_by"`
	// TextAmendments are the author's changes to the title and body before
	// voting opened, oldest first.
	TextAmendments []TextAmendment `json:"text_amendments"`
	// DecidedHeight is the block that decided it (0 while undecided).
	DecidedHeight int64 `json:"decided_height,omitempty"`
	// QuorumRatio and ThresholdRatio are the rules as fractions
	// [numerator, denominator], for drawing them.
	QuorumRatio    [2]uint64 `json:"quorum_ratio"`
	ThresholdRatio [2]uint64 `json:"threshold_ratio"`
	// Rules are the rules that applied to it and what it does if it passes.
	Rules ProposalRules `json:"rules"`
}

// ProposalDetailByID finds a proposal with what the state holds of its
// detail; the caller adds what the projection holds.
func ProposalDetailByID(s *core.State, id uint64) (ProposalDetail, error) {
	return byNumber(s, "proposal", id, s.Proposal, func(s *core.State, p *core.Proposal) ProposalDetail {
		return ProposalDetail{Proposal: proposalOf(s, p), QuorumRatio: [2]uint64{p.Quorum.Num, p.Quorum.Den},
			ThresholdRatio: [2]uint64{p.Threshold.Num, p.Threshold.Den}, Rules: ProposalRulesOf(s, p)}
	})
}

// byNumber looks a thing up by its number and converts it, or says that
// there is no such what.
func byNumber[C, V any](s *core.State, what string, n uint64, lookup func(uint64) (C, bool), conv func(*core.State, C) V) (V, error) {
	c, ok := lookup(n)
	if !ok {
		var zero V
		return zero, fmt.Errorf("there is no %s %d", what, n)
	}
	return conv(s, c), nil
}

// Filter selects proposals. Zero fields select everything.
type Filter struct {
	Status   string // a status as core.Status writes it: "open", "decided", …
	Category string
	// Initiatives keeps only popular initiatives.
	Initiatives bool
	// Found, when not nil, keeps only the proposals it names: the
	// projection's answer to a text search (see store.Search).
	Found  []uint64
	Limit  int // at most this many; 0 means no limit
	Offset int // skip this many of those selected
}

// Proposals lists the proposals f selects, newest first. Every reader that
// lists proposals (the ABCI query, the API, the pages, the CLI) lists them
// here, so they all agree.
func Proposals(s *core.State, f Filter) []Proposal {
	var found map[uint64]bool
	if f.Found != nil {
		found = make(map[uint64]bool, len(f.Found))
		for _, id := range f.Found {
			found[id] = true
		}
	}
	return newestFirst(s, s.Proposals(), func(p *core.Proposal) bool {
		return (f.Status == "" || p.Status.String() == f.Status) && (f.Category == "" || p.Category == f.Category) &&
			(!f.Initiatives || p.Initiative != nil) && (found == nil || found[p.ID])
	}, proposalOf, f.Offset, f.Limit)
}

// newestFirst converts the items keep selects, the last of items first:
// it skips the first offset of those and stops at limit (0: no limit).
func newestFirst[C, V any](s *core.State, items []C, keep func(C) bool, conv func(*core.State, C) V, offset, limit int) []V {
	out := []V{}
	for i := len(items) - 1; i >= 0 && (limit <= 0 || len(out) < limit); i-- {
		switch {
		case !keep(items[i]):
		case offset > 0:
			offset--
		default:
			out = append(out, conv(s, items[i]))
		}
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

// Tx is a transaction's record: where it is, what it did, and the leaf
// that records it. Kind and Author are empty when its bytes did not decode.
type Tx struct {
	TxStatus
	CodeName string `json:"code_name"`
	Log      string `json:"log,omitempty"`
	Kind     string `json:"kind,omitempty"`
	Author   string `json:"author,omitempty"`
	Nonce    uint64 `json:"nonce,omitempty"`
	Raw      []byte `json:"raw"`
}

func t(ns int64) time.Time { return time.Unix(0, ns).UTC() }
