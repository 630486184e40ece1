package api

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Action describes a transaction a member wants to sign, in the words of a
// form: the API turns it into the exact canonical payload.
type Action struct {
	Author string `json:"author"` // the signer's key, 64 hex digits
	Kind   string `json:"kind"`   // vouch, leave, propose, amend-text, withdraw, comment, endorse, ballot, delegate, undelegate, candidacy, withdraw-candidacy, rank, recall, the secret-ballot kinds (secret.go) and the draw kinds (draws.go)
	// Nonce overrides the next nonce the committed state expects (to sign
	// several transactions in a row); 0 means the next one.
	Nonce    uint64 `json:"nonce,omitempty"`
	Key      string `json:"key,omitempty"`  // vouch: the newcomer's key
	Name     string `json:"name,omitempty"` // vouch: the newcomer's name
	Proposal uint64 `json:"proposal,omitempty"`
	Choice   string `json:"choice,omitempty"` // ballot: yes, no or abstain
	ReplyTo  uint64 `json:"reply_to,omitempty"`
	Text     string `json:"text,omitempty"`  // comment
	Title    string `json:"title,omitempty"` // propose, amend-text
	Body     string `json:"body,omitempty"`  // propose, amend-text
	Category string `json:"category,omitempty"`
	Opens    int64  `json:"opens,omitempty"`  // propose: Unix seconds, 0 for now
	Closes   int64  `json:"closes,omitempty"` // propose: Unix seconds
	// Election is the election of a candidacy, a withdrawal of one, or a
	// ranked ballot; Ranking the ballot's candidates (member numbers),
	// most preferred first.
	Election uint64   `json:"election,omitempty"`
	Ranking  []uint32 `json:"ranking,omitempty"`
	// Office and Member name the seat a recall petition is against;
	// Member is also the delegate of a delegation (on Category).
	Office string `json:"office,omitempty"`
	Member uint32 `json:"member,omitempty"`
	// Type, Measure, Law, Sunset, Rules, Amount and Initiative are a
	// proposal's decision type ("" for the category's), what passing does
	// (resolution, law, renewal, repeal or amendment; "" is resolution),
	// the law a renewal or repeal is about, a law's life or a renewal's
	// extension in seconds (0 for the constitution's default), an
	// amendment's JSON rules, a budget's amount, and whether it is a
	// popular initiative (then Opens and Closes must be 0).
	Type       string `json:"type,omitempty"`
	Measure    string `json:"measure,omitempty"`
	Law        uint64 `json:"law,omitempty"`
	Sunset     int64  `json:"sunset,omitempty"`
	Rules      string `json:"rules,omitempty"`
	Amount     uint64 `json:"amount,omitempty"`
	Initiative bool   `json:"initiative,omitempty"`
	// Secret puts a proposal to a secret ballot; Options, Approve,
	// Trustees and Threshold are then its question (empty for yes, no,
	// abstain), how many options a member may approve (0: exactly one),
	// its trustees' member numbers (empty for the constitution's trustee
	// office) and how many of them must decrypt (0 for the default).
	Secret    bool     `json:"secret,omitempty"`
	Options   []string `json:"options,omitempty"`
	Approve   uint32   `json:"approve,omitempty"`
	Trustees  []uint32 `json:"trustees,omitempty"`
	Threshold uint32   `json:"threshold,omitempty"`
	SecretAction
	DrawAction
}

// Unsigned is the exact payload a member signs for an Action.
type Unsigned struct {
	ChainID string `json:"chain_id"`
	Author  string `json:"author"`
	Nonce   uint64 `json:"nonce"`
	Kind    string `json:"kind"`
	// Payload is the canonical CBOR payload, hex; the member signs
	// tx.SignPrefix followed by these bytes (SignBytes, hex) and posts
	// tx.Assemble(payload, signature) to /api/v1/tx.
	Payload   string `json:"payload"`
	SignBytes string `json:"sign_bytes"`
	Prefix    string `json:"prefix"`
}

// Unsigned builds the canonical payload for an action by a current member.
// It checks only the shape of the action; the rules are the core's, applied
// when the signed transaction arrives.
func (s *Service) Unsigned(a Action) (Unsigned, error) {
	author, err := tx.ParsePublicKey(a.Author)
	if err != nil {
		return Unsigned{}, keyError("The author", err)
	}
	body, err := a.body()
	if err != nil {
		return Unsigned{}, err
	}
	u := tx.Unsigned{Author: author, Nonce: a.Nonce, Body: body}
	err = s.view(func(c *core.State) error {
		if _, ok := c.Member(author); !ok {
			return errorf(http.StatusForbidden, "not_member", "The key %s is not a current member's: only members can act.", author.Short())
		}
		u.ChainID = c.ChainID()
		if u.Nonce == 0 {
			u.Nonce = c.NextNonce(author)
		}
		return nil
	})
	if err != nil {
		return Unsigned{}, err
	}
	p, err := u.Payload()
	if err != nil {
		return Unsigned{}, BadRequest("The action cannot be encoded: %s.", err)
	}
	sb, err := u.SignBytes()
	if err != nil {
		return Unsigned{}, BadRequest("The action cannot be encoded: %s.", err)
	}
	return Unsigned{ChainID: u.ChainID, Author: author.String(), Nonce: u.Nonce, Kind: body.Kind().String(),
		Payload: hex.EncodeToString(p), SignBytes: hex.EncodeToString(sb), Prefix: tx.SignPrefix}, nil
}

func (a Action) body() (tx.Body, error) {
	switch a.Kind {
	case "vouch":
		k, err := tx.ParsePublicKey(a.Key)
		if err != nil {
			return nil, keyError("The newcomer's key", err)
		}
		return &tx.Vouch{Key: k[:], Name: a.Name}, nil
	case "leave":
		return &tx.Leave{}, nil
	case "propose":
		return a.propose()
	case "withdraw":
		return &tx.Withdraw{Proposal: a.Proposal}, nil
	case "amend-text":
		return &tx.AmendText{Proposal: a.Proposal, Title: a.Title, Body: a.Body}, nil
	case "comment":
		return &tx.Comment{Proposal: a.Proposal, ReplyTo: a.ReplyTo, Text: a.Text}, nil
	case "endorse":
		return &tx.Endorse{Proposal: a.Proposal}, nil
	case "ballot", "vote":
		c, err := tx.ParseChoice(a.Choice)
		if err != nil {
			return nil, BadRequest("The choice must be yes, no or abstain.")
		}
		return &tx.Ballot{Proposal: a.Proposal, Choice: c}, nil
	case "delegate":
		return &tx.Delegate{Category: a.Category, Member: a.Member}, nil
	case "undelegate":
		return &tx.Undelegate{Category: a.Category}, nil
	case "candidacy":
		return &tx.Candidacy{Election: a.Election}, nil
	case "withdraw-candidacy":
		return &tx.WithdrawCandidacy{Election: a.Election}, nil
	case "rank":
		return &tx.Rank{Election: a.Election, Ranking: a.Ranking}, nil
	case "recall":
		return &tx.Recall{Office: a.Office, Member: a.Member}, nil
	case "secret-ballot", "trustee-commit", "trustee-shares", "trustee-complain", "trustee-answer", "trustee-decrypt":
		return a.secretBody()
	case "volunteer", "declare", "beacon-commit", "beacon-reveal":
		return a.drawBody()
	case "rotate":
		return nil, BadRequest("Rotating a key needs the new key's signature too; use \"folkmoot member rotate\".")
	}
	return nil, BadRequest("Unknown kind %q: use vouch, leave, propose, withdraw, comment, endorse, ballot, delegate, undelegate, candidacy, withdraw-candidacy, rank, recall, secret-ballot, trustee-commit, trustee-shares, trustee-complain, trustee-answer, trustee-decrypt, volunteer, declare, beacon-commit or beacon-reveal.", a.Kind)
}

// keyError explains why a key cannot be used: not 64 hex digits, or a key
// that may never enter the state (tx.CheckKey), in the core's sentence.
func keyError(what string, err error) error {
	var r *reject.Error
	if errors.As(err, &r) {
		return BadRequest("%s cannot be used: %s.", what, r.Msg)
	}
	return BadRequest("%s must be a key of 64 hex digits.", what)
}

// propose is the body of a proposal, built as "folkmoot propose" builds
// it from the same choices.
func (a Action) propose() (tx.Body, error) {
	p := &tx.Propose{Title: a.Title, Body: a.Body, Category: a.Category, Type: a.Type, Law: a.Law,
		Sunset: a.Sunset, Rules: strings.TrimSpace(a.Rules), Amount: a.Amount, Initiative: a.Initiative,
		Secret: a.Secret, Options: a.Options, Approve: a.Approve, Trustees: a.Trustees, Threshold: a.Threshold}
	if a.Measure != "" {
		m, err := tx.ParseMeasure(a.Measure)
		if err != nil {
			return nil, BadRequest("The measure must be resolution, law, renewal, repeal or amendment, not %q.", a.Measure)
		}
		p.Measure = m
	}
	if a.Sunset < 0 {
		return nil, BadRequest("A sunset is a positive number of seconds.")
	}
	if a.Initiative {
		if a.Opens != 0 || a.Closes != 0 {
			return nil, BadRequest("An initiative has no voting times: voting opens when enough members sign it.")
		}
	} else {
		p.Opens, p.Closes = a.Opens, a.Closes
	}
	// A secret vote's question and trustees are checked here, as every
	// node will, so that the member is told before signing.
	if a.Secret || len(a.Options) != 0 || a.Approve != 0 || len(a.Trustees) != 0 || a.Threshold != 0 {
		if err := checked(p); err != nil {
			return nil, err
		}
	}
	return p, nil
}

// Submitted is the mempool's answer to a relayed transaction.
type Submitted struct {
	ID       string `json:"id"`
	Code     uint32 `json:"code"`
	CodeName string `json:"code_name"`
	Message  string `json:"message"`
}

// Submit checks the shape of signed bytes, then relays them to the
// mempool and returns CheckTx's verdict. A refusal is an *Error carrying
// the rejection code and its sentence; nothing is stored.
func (s *Service) Submit(ctx context.Context, client string, raw []byte) (Submitted, error) {
	if !s.limit.allow(client) {
		return Submitted{}, errorf(http.StatusTooManyRequests, "rate_limited",
			"Too many transactions from your address; wait a minute and try again.")
	}
	if len(raw) > tx.MaxTxBytes {
		return Submitted{}, tooLarge(len(raw))
	}
	t, rerr := tx.Decode(raw)
	if rerr != nil {
		return Submitted{}, rejected(rerr)
	}
	if rerr := t.CheckSignature(); rerr != nil {
		return Submitted{}, rejected(rerr)
	}
	if s.node == nil {
		return Submitted{}, errorf(http.StatusServiceUnavailable, "no_node", "This server relays no transactions.")
	}
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	id, err := s.node.Submit(ctx, raw)
	var re *reject.Error
	if errors.As(err, &re) {
		return Submitted{}, rejected(re)
	}
	if err != nil && strings.Contains(err.Error(), "already exists in cache") {
		// CometBFT's mempool remembers the transactions it has seen (and
		// committed): the same bytes again are a replay.
		return Submitted{}, errorf(http.StatusConflict, "duplicate",
			"This exact transaction was already submitted; it is counted once.")
	}
	if err != nil {
		s.log.Error("relay transaction", "err", err)
		return Submitted{}, errorf(http.StatusBadGateway, "relay_failed", "The node did not take the transaction; try again.")
	}
	return Submitted{ID: id.String(), Code: 0, CodeName: reject.OK.String(),
		Message: acceptedMsg}, nil
}

// tooLarge refuses a transaction of n bytes, over tx.MaxTxBytes, before
// decoding it.
func tooLarge(n int) *Error {
	return errorf(http.StatusRequestEntityTooLarge, "too_large", "A transaction is at most %d bytes; this one has %d.", tx.MaxTxBytes, n)
}

func rejected(e *reject.Error) *Error {
	return &Error{Status: http.StatusUnprocessableEntity, Code: "rejected",
		Message: fmt.Sprintf("Rejected (code %d %s): %s", e.Code, e.Code, e.Msg),
		Reject:  uint32(e.Code), RejectName: e.Code.String()}
}
