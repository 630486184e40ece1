package query

import (
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/core"
)

// Secret is what anyone may know of a secret vote: the question, the
// trustees and their progress, the key, how many have voted (not how), and
// after the tally the counts.
type Secret struct {
	// Options are the question's options; empty for yes, no, abstain.
	// Approve, when not zero, is how many options a member may approve.
	Options   []string  `json:"options,omitempty"`
	Approve   uint32    `json:"approve,omitempty"`
	Choices   int       `json:"choices"`
	Trustees  []Trustee `json:"trustees"`
	Threshold uint32    `json:"threshold"`
	// The ends of the key generation's windows (answers run until voting
	// opens), and the decrypt deadline once voting has closed.
	CommitBy   time.Time  `json:"commit_by"`
	SharesBy   time.Time  `json:"shares_by"`
	ComplainBy time.Time  `json:"complain_by"`
	DecryptBy  *time.Time `json:"decrypt_by,omitempty"`
	// Key is the joint election key (hex), once made; Cancelled why it
	// could not be.
	Key       string `json:"key,omitempty"`
	Cancelled string `json:"cancelled,omitempty"`
	// Ballots is the number of members whose ballot counts.
	Ballots uint64 `json:"ballots"`
	// Counts are the decrypted counts, one per choice; NotDecrypted is set
	// when too few trustees decrypted by the deadline. Winner is the
	// option with most votes when it is alone there.
	Counts       []uint64 `json:"counts,omitempty"`
	NotDecrypted bool     `json:"not_decrypted,omitempty"`
	Winner       *int     `json:"winner,omitempty"`
}

// Trustee is one trustee of a secret vote and the steps it has taken.
type Trustee struct {
	Number       uint32 `json:"number"` // 1..n
	Member       uint32 `json:"member"`
	Name         string `json:"name"`
	Committed    bool   `json:"committed"`
	Dealt        bool   `json:"dealt"`
	Qualified    bool   `json:"qualified"`
	Disqualified string `json:"disqualified,omitempty"`
	Decrypted    bool   `json:"decrypted"`
}

// SecretDetail is everything public about a secret vote, as trustees and
// independent verifiers need it: each dealer's commitments, sealed shares
// and complaints, the counted ballots' tracking codes, the aggregate and
// the partial decryptions. Bytes are hex.
type SecretDetail struct {
	Proposal   uint64         `json:"proposal"`
	ChainID    string         `json:"chain_id"`
	ElectionID string         `json:"election_id"` // hex of the bytes every proof is bound to
	Status     string         `json:"status"`
	Opens      time.Time      `json:"opens"`
	Closes     time.Time      `json:"closes"`
	Secret     Secret         `json:"secret"`
	Dealers    []DealerDetail `json:"dealers"`
	Cast       []CastBallot   `json:"cast"`
	Aggregate  []string       `json:"aggregate,omitempty"`
	Partials   []Partial      `json:"partials,omitempty"`
}

// DealerDetail is a trustee's part of the key generation.
type DealerDetail struct {
	Trustee     uint32        `json:"trustee"`
	Recipient   string        `json:"recipient,omitempty"`
	Commitments string        `json:"commitments,omitempty"`
	Shares      []SealedShare `json:"shares,omitempty"`
	Complaints  []Complaint   `json:"complaints,omitempty"`
}

// SealedShare is a share a dealer sealed to trustee To (age, hex).
type SealedShare struct {
	To     uint32 `json:"to"`
	Sealed string `json:"sealed"`
}

// Complaint is a complaint against a dealer and the share revealed in
// answer (hex), if any.
type Complaint struct {
	By       uint32 `json:"by"`
	Answered bool   `json:"answered"`
	Share    string `json:"share,omitempty"`
}

// CastBallot is a member's counted secret ballot: who (public) and its
// tracking code, not how.
type CastBallot struct {
	Member   uint32 `json:"member"`
	Tracking string `json:"tracking"`
	Height   int64  `json:"height"`
}

// Partial is a trustee's valid partial decryption (hex).
type Partial struct {
	Trustee uint32 `json:"trustee"`
	Bytes   string `json:"bytes"`
}

// SecretOf summarises p's secret vote, or returns nil for an open vote.
func SecretOf(s *core.State, p *core.Proposal) *Secret {
	v := p.Secret
	if v == nil {
		return nil
	}
	commitBy, sharesBy, complainBy := core.SecretTimes(p)
	out := &Secret{Options: v.Options, Approve: v.Approve, Choices: v.Choices(), Threshold: v.Threshold,
		CommitBy: t(commitBy), SharesBy: t(sharesBy), ComplainBy: t(complainBy), Cancelled: v.Cancelled,
		Ballots: uint64(len(v.Ballots)), Counts: v.Counts, NotDecrypted: v.NotDecrypted}
	if v.DecryptBy != 0 {
		d := t(v.DecryptBy)
		out.DecryptBy = &d
	}
	if v.Key != nil {
		out.Key = hex.EncodeToString(v.Key)
	}
	if w, unique := v.Winner(); unique && len(v.Options) > 0 {
		out.Winner = &w
	}
	for k, member := range v.Trustees {
		i := uint32(k + 1)
		d := v.Dealers[k]
		tr := Trustee{Number: i, Member: member, Committed: d.Recipient != "", Dealt: d.Shares != nil,
			Qualified: slices.Contains(v.Qualified, i), Disqualified: d.Disqualified}
		_, tr.Decrypted = v.Partials[i]
		if m, ok := s.MemberByNumber(member); ok {
			tr.Name = m.Name
		}
		out.Trustees = append(out.Trustees, tr)
	}
	return out
}

// SecretDetailByID returns everything public about proposal id's secret
// vote.
func SecretDetailByID(s *core.State, id uint64) (SecretDetail, error) {
	p, ok := s.Proposal(id)
	if !ok {
		return SecretDetail{}, fmt.Errorf("there is no proposal %d", id)
	}
	v := p.Secret
	if v == nil {
		return SecretDetail{}, fmt.Errorf("proposal %d is not a secret vote", id)
	}
	out := SecretDetail{Proposal: id, ChainID: s.ChainID(), ElectionID: hex.EncodeToString(core.ElectionID(id)),
		Status: p.Status.String(), Opens: t(p.Opens), Closes: t(p.Closes), Secret: *SecretOf(s, p), Cast: []CastBallot{}}
	for k, d := range v.Dealers {
		dd := DealerDetail{Trustee: uint32(k + 1), Recipient: d.Recipient, Commitments: hex.EncodeToString(d.Commitments)}
		for _, sh := range d.Shares {
			dd.Shares = append(dd.Shares, SealedShare{To: sh.To, Sealed: hex.EncodeToString(sh.Sealed)})
		}
		for _, c := range d.Complaints {
			dd.Complaints = append(dd.Complaints, Complaint{By: c.By, Answered: c.Answered, Share: hex.EncodeToString(c.Share)})
		}
		out.Dealers = append(out.Dealers, dd)
	}
	members := make([]uint32, 0, len(v.Ballots))
	for m := range v.Ballots {
		members = append(members, m)
	}
	slices.Sort(members)
	for _, m := range members {
		b := v.Ballots[m]
		out.Cast = append(out.Cast, CastBallot{Member: m, Tracking: hex.EncodeToString(b.Tracking[:]), Height: b.Height})
	}
	for i := 0; i+ballot.CiphertextSize <= len(v.Aggregate); i += ballot.CiphertextSize {
		out.Aggregate = append(out.Aggregate, hex.EncodeToString(v.Aggregate[i:i+ballot.CiphertextSize]))
	}
	trustees := make([]uint32, 0, len(v.Partials))
	for i := range v.Partials {
		trustees = append(trustees, i)
	}
	slices.Sort(trustees)
	for _, i := range trustees {
		out.Partials = append(out.Partials, Partial{Trustee: i, Bytes: hex.EncodeToString(v.Partials[i])})
	}
	return out, nil
}
