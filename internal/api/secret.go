package api

import (
	"encoding/hex"
	"net/http"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Secret returns everything public about proposal id's secret vote: the
// trustees' commitments, sealed shares and complaints, the counted
// ballots' tracking codes, the aggregate and the partial decryptions, for
// trustees, voters and independent verifiers.
func (s *Service) Secret(id uint64) (query.SecretDetail, error) {
	var d query.SecretDetail
	err := s.view(func(c *core.State) error {
		p, ok := c.Proposal(id)
		if !ok {
			return NotFound("There is no proposal %d.", id)
		}
		if p.Secret == nil {
			return errorf(http.StatusConflict, "not_secret", "Proposal %d is not a secret vote: its ballots are public, at %s/proposals/%d/ballots.", id, Prefix, id)
		}
		v, err := query.SecretDetailByID(c, id)
		if err != nil {
			return NotFound("%s.", err)
		}
		d = v
		return nil
	})
	return d, err
}

// SecretAction holds the fields of the secret-ballot kinds of an Action
// (bytes in hex): a ballot; a trustee's commitment (its age recipient and
// Feldman commitments), sealed shares, complaint against a dealer, answer
// to a complainer's complaint, or partial decryption.
type SecretAction struct {
	Ballot      string        `json:"ballot,omitempty"`      // secret-ballot
	Recipient   string        `json:"recipient,omitempty"`   // trustee-commit: age1…
	Commitments string        `json:"commitments,omitempty"` // trustee-commit
	Shares      []SealedShare `json:"shares,omitempty"`      // trustee-shares
	Dealer      uint32        `json:"dealer,omitempty"`      // trustee-complain
	Complainer  uint32        `json:"complainer,omitempty"`  // trustee-answer
	Share       string        `json:"share,omitempty"`       // trustee-answer: the revealed share
	Partial     string        `json:"partial,omitempty"`     // trustee-decrypt
}

// SealedShare is a dealer's share for trustee To, sealed with age (hex).
type SealedShare struct {
	To     uint32 `json:"to"`
	Sealed string `json:"sealed"`
}

// secretBody builds the body of a secret-ballot kind and checks its shape
// as every node will (tx.Check), so that the member is told before
// signing.
func (a Action) secretBody() (tx.Body, error) {
	var b tx.Body
	switch a.Kind {
	case "secret-ballot":
		v, err := hexField("The ballot", a.Ballot)
		if err != nil {
			return nil, err
		}
		b = &tx.SecretBallot{Proposal: a.Proposal, Ballot: v}
	case "trustee-commit":
		v, err := hexField("The commitments", a.Commitments)
		if err != nil {
			return nil, err
		}
		b = &tx.TrusteeCommit{Proposal: a.Proposal, Recipient: a.Recipient, Commitments: v}
	case "trustee-shares":
		t := &tx.TrusteeShares{Proposal: a.Proposal}
		for _, sh := range a.Shares {
			v, err := hexField("A sealed share", sh.Sealed)
			if err != nil {
				return nil, err
			}
			t.Shares = append(t.Shares, tx.SealedShare{To: sh.To, Sealed: v})
		}
		b = t
	case "trustee-complain":
		b = &tx.TrusteeComplain{Proposal: a.Proposal, Dealer: a.Dealer}
	case "trustee-answer":
		v, err := hexField("The revealed share", a.Share)
		if err != nil {
			return nil, err
		}
		b = &tx.TrusteeAnswer{Proposal: a.Proposal, Complainer: a.Complainer, Share: v}
	case "trustee-decrypt":
		v, err := hexField("The partial decryption", a.Partial)
		if err != nil {
			return nil, err
		}
		b = &tx.TrusteeDecrypt{Proposal: a.Proposal, Partial: v}
	default:
		return nil, BadRequest("Unknown secret-ballot kind %q.", a.Kind)
	}
	if err := checked(b); err != nil {
		return nil, err
	}
	return b, nil
}

// hexField reads a required byte field given in hex.
func hexField(what, s string) ([]byte, error) {
	if s == "" {
		return nil, BadRequest("%s is missing.", what)
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, BadRequest("%s must be hex digits.", what)
	}
	return b, nil
}

// checked refuses a body whose shape every node would refuse, with the
// nodes' sentence.
func checked(b tx.Body) error {
	if r := tx.Check(b); r != nil {
		return BadRequest("%s.", r.Msg)
	}
	return nil
}
