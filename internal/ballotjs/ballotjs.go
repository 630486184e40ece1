// Package ballotjs is the browser's interface to the secret-ballot
// cryptography (internal/ballot) and to a trustee's tasks
// (internal/trustee): named functions that take a JSON object and return a
// JSON object, with byte strings in hex. cmd/ballotwasm exposes them to
// JavaScript as window.folkmootBallot; here they are plain Go, so that
// everything but the JS glue is tested without a browser.
//
// A function never panics and never throws: a request it cannot serve is
// answered {"error": "sentence"}. Requests are read strictly (an unknown
// field is an error), so that a misspelt field cannot silently bind a ballot
// to an empty election.
package ballotjs

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/trustee"
)

// API serves the functions with one source of randomness.
type API struct {
	rng   io.Reader
	funcs map[string]func(*API, []byte) (any, error)
}

// New returns the API drawing its randomness from rng (crypto/rand.Reader;
// in a browser Go's crypto/rand reads crypto.getRandomValues), except
// where a request gives a test seed.
func New(rng io.Reader) *API {
	return &API{rng: rng, funcs: map[string]func(*API, []byte) (any, error){
		"cast":           call((*API).cast),
		"verify":         call((*API).verify),
		"trusteeNew":     call((*API).trusteeNew),
		"trusteeSeal":    call((*API).trusteeSeal),
		"trusteeOpen":    call((*API).trusteeOpen),
		"trusteeReveal":  call((*API).trusteeReveal),
		"trusteeDecrypt": call((*API).trusteeDecrypt),
	}}
}

// call adapts a function of a typed request.
func call[Req any, Ans any](fn func(*API, *Req) (Ans, error)) func(*API, []byte) (any, error) {
	return func(a *API, raw []byte) (any, error) {
		var req Req
		if err := exactFields(raw, reflect.TypeOf(req)); err != nil {
			return nil, err
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			return nil, fmt.Errorf("the request is not what this function takes: %w", err)
		}
		return fn(a, &req)
	}
}

// exactFields refuses a request with a field the type does not have,
// compared exactly: encoding/json would match "electionID" to
// "electionId" and DisallowUnknownFields would let it through.
func exactFields(raw []byte, typ reflect.Type) error {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return fmt.Errorf("the request is not a JSON object: %w", err)
	}
	known := map[string]bool{}
	var walk func(reflect.Type)
	walk = func(t reflect.Type) {
		for f := range t.Fields() {
			if f.Anonymous {
				walk(f.Type)
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			known[name] = true
		}
	}
	walk(typ)
	for name := range fields {
		if !known[name] {
			return fmt.Errorf("the request has an unknown field %q", name)
		}
	}
	return nil
}

// Names returns the names of the functions, sorted.
func (a *API) Names() []string {
	var out []string
	for name := range a.funcs {
		out = append(out, name)
	}
	slices.Sort(out)
	return out
}

// Call runs the function name on the JSON request and returns its JSON
// answer, {"error": "…"} when it fails (a trustee function whose error
// means "complain against the dealer" adds "complaint": true).
func (a *API) Call(name string, request []byte) (answer []byte) {
	defer func() {
		if r := recover(); r != nil {
			answer = errorAnswer(fmt.Errorf("%s: internal error: %v", name, r))
		}
	}()
	fn, ok := a.funcs[name]
	if !ok {
		return errorAnswer(fmt.Errorf("there is no function %q", name))
	}
	ans, err := fn(a, request)
	if err != nil {
		return errorAnswer(err)
	}
	out, err := json.Marshal(ans)
	if err != nil {
		return errorAnswer(fmt.Errorf("%s: %w", name, err))
	}
	return out
}

func errorAnswer(err error) []byte {
	ans := struct {
		Error     string `json:"error"`
		Complaint bool   `json:"complaint,omitempty"`
	}{err.Error(), errors.Is(err, trustee.ErrBadShare)}
	out, _ := json.Marshal(ans)
	return out
}

// Hex is a byte string written in hex in JSON.
type Hex []byte

// MarshalJSON writes the bytes in lower-case hex.
func (h Hex) MarshalJSON() ([]byte, error) { return json.Marshal(hex.EncodeToString(h)) }

// UnmarshalJSON reads hex (either case).
func (h *Hex) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("want a hex string: %w", err)
	}
	d, err := hex.DecodeString(s)
	if err != nil {
		return fmt.Errorf("want a hex string: %w", err)
	}
	*h = d
	return nil
}

// Statement is what a ballot or a partial decryption is bound to
// (ballot.Context).
type Statement struct {
	ElectionID Hex    `json:"electionId"`
	ChainID    string `json:"chainId"`
	PublicKey  Hex    `json:"publicKey"`
	VoterKey   Hex    `json:"voterKey,omitempty"`
}

// check refuses a statement with a field missing: a ballot bound to an
// empty election or voter would be refused by the nodes, or worse, valid
// where it should not be. voter says whether the voter key is part of it.
func (s Statement) check(voter bool) error {
	switch {
	case len(s.ElectionID) == 0:
		return errors.New("the request has no electionId")
	case s.ChainID == "":
		return errors.New("the request has no chainId")
	case len(s.PublicKey) == 0:
		return errors.New("the request has no publicKey")
	case voter && len(s.VoterKey) == 0:
		return errors.New("the request has no voterKey")
	}
	return nil
}

func (s Statement) context() ballot.Context {
	return ballot.Context{ElectionID: s.ElectionID, ChainID: s.ChainID, PublicKey: s.PublicKey, VoterKey: s.VoterKey}
}

// Randomness optionally replaces the real randomness by the deterministic
// stream of docs/secret-ballot.md §9, to reproduce the test vectors: Seed
// is the stream's seed (hex), Skip the number of 64-byte scalars to pass
// over first (the vectors draw several parties' scalars from one stream).
// Never for a real vote: anyone who knows the seed knows the vote.
type Randomness struct {
	Seed Hex `json:"seed,omitempty"`
	Skip int `json:"skip,omitempty"`
}

func (a *API) randomness(r Randomness) (io.Reader, error) {
	if len(r.Seed) == 0 {
		if r.Skip != 0 {
			return nil, errors.New("skip is only for a seeded stream")
		}
		return a.rng, nil
	}
	if r.Skip < 0 || r.Skip > 1<<16 {
		return nil, fmt.Errorf("skip %d not in 0..%d", r.Skip, 1<<16)
	}
	rng := ballot.TestRandomness(r.Seed)
	if _, err := io.CopyN(io.Discard, rng, int64(r.Skip)*64); err != nil {
		return nil, err
	}
	return rng, nil
}

// CastRequest asks for a ballot: Votes has one 0 or 1 per choice.
type CastRequest struct {
	Statement
	ballot.Race
	Votes []int `json:"votes"`
	Randomness
}

// CastAnswer is the ballot's bytes and its tracking code, the hex SHA-256
// of the ballot's bytes.
type CastAnswer struct {
	Ballot   Hex `json:"ballot"`
	Tracking Hex `json:"tracking"`
}

func (a *API) cast(r *CastRequest) (*CastAnswer, error) {
	if err := r.check(true); err != nil {
		return nil, err
	}
	rng, err := a.randomness(r.Randomness)
	if err != nil {
		return nil, err
	}
	b, err := ballot.Cast(r.context(), r.Race, r.Votes, rng)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b.Bytes())
	return &CastAnswer{Ballot: b.Bytes(), Tracking: sum[:]}, nil
}

// VerifyRequest asks whether a ballot is valid for a statement and race.
type VerifyRequest struct {
	Statement
	ballot.Race
	Ballot Hex `json:"ballot"`
}

// VerifyAnswer says whether the ballot is valid, and if not why.
type VerifyAnswer struct {
	Valid  bool   `json:"valid"`
	Reason string `json:"reason,omitempty"`
}

func (a *API) verify(r *VerifyRequest) (*VerifyAnswer, error) {
	if err := r.check(true); err != nil {
		return nil, err
	}
	race := r.Race
	if err := race.Check(); err != nil {
		return nil, err
	}
	b, err := ballot.ParseBallot(race, r.Ballot)
	if err == nil {
		err = b.Verify(r.context(), race)
	}
	if err != nil {
		return &VerifyAnswer{Reason: err.Error()}, nil
	}
	return &VerifyAnswer{Valid: true}, nil
}

// TrusteeNewRequest starts a trustee's part in a t-of-n key generation.
// Election is the label kept in the secret.
type TrusteeNewRequest struct {
	Election string `json:"election"`
	Index    int    `json:"index"`
	T        int    `json:"t"`
	N        int    `json:"n"`
	Randomness
}

// TrusteeNewAnswer is the trustee's secret (its JSON, to keep and hand
// back to the other trustee functions), and what it publishes: its age
// recipient and its commitments.
type TrusteeNewAnswer struct {
	Secret      string `json:"secret"`
	Recipient   string `json:"recipient"`
	Commitments Hex    `json:"commitments"`
}

func (a *API) trusteeNew(r *TrusteeNewRequest) (*TrusteeNewAnswer, error) {
	rng, err := a.randomness(r.Randomness)
	if err != nil {
		return nil, err
	}
	s, err := trustee.New(r.Election, r.Index, r.T, r.N, rng)
	if err != nil {
		return nil, err
	}
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	rec, err := s.Recipient()
	if err != nil {
		return nil, err
	}
	comm, err := s.Commitments()
	if err != nil {
		return nil, err
	}
	return &TrusteeNewAnswer{Secret: string(raw), Recipient: rec, Commitments: comm}, nil
}

// TrusteeSealRequest asks the trustee to seal its shares: Recipients maps
// trustee numbers to their age recipients.
type TrusteeSealRequest struct {
	Secret     string         `json:"secret"`
	Recipients map[int]string `json:"recipients"`
}

// TrusteeSealAnswer maps each trustee number to the age file (hex) of its
// share.
type TrusteeSealAnswer struct {
	Sealed map[int]Hex `json:"sealed"`
}

func (a *API) trusteeSeal(r *TrusteeSealRequest) (*TrusteeSealAnswer, error) {
	s, err := trustee.Parse([]byte(r.Secret))
	if err != nil {
		return nil, err
	}
	sealed, err := s.Seal(r.Recipients)
	if err != nil {
		return nil, err
	}
	ans := &TrusteeSealAnswer{Sealed: make(map[int]Hex, len(sealed))}
	for j, b := range sealed {
		ans.Sealed[j] = b
	}
	return ans, nil
}

// TrusteeOpenRequest asks the trustee to open and check the share dealer
// sealed for it, against the dealer's commitments.
type TrusteeOpenRequest struct {
	Secret      string `json:"secret"`
	Dealer      int    `json:"dealer"`
	Commitments Hex    `json:"commitments"`
	Sealed      Hex    `json:"sealed"`
}

// ShareAnswer is a 32-byte share.
type ShareAnswer struct {
	Share Hex `json:"share"`
}

func (a *API) trusteeOpen(r *TrusteeOpenRequest) (*ShareAnswer, error) {
	s, err := trustee.Parse([]byte(r.Secret))
	if err != nil {
		return nil, err
	}
	share, err := s.Open(r.Dealer, r.Commitments, r.Sealed)
	if err != nil {
		return nil, err
	}
	return &ShareAnswer{Share: share}, nil
}

// TrusteeRevealRequest asks for the share the trustee dealt trustee J, to
// answer J's complaint.
type TrusteeRevealRequest struct {
	Secret string `json:"secret"`
	J      int    `json:"j"`
}

func (a *API) trusteeReveal(r *TrusteeRevealRequest) (*ShareAnswer, error) {
	s, err := trustee.Parse([]byte(r.Secret))
	if err != nil {
		return nil, err
	}
	share, err := s.Reveal(r.J)
	if err != nil {
		return nil, err
	}
	return &ShareAnswer{Share: share}, nil
}

// TrusteeDecryptRequest asks for the trustee's partial decryption of the
// aggregate ciphertexts (hex, 64 bytes each, one per choice). Shares maps
// every qualified dealer to the share it dealt this trustee; the
// trustee's own number, if qualified, maps to "" (its own share is
// computed).
type TrusteeDecryptRequest struct {
	Secret string      `json:"secret"`
	Shares map[int]Hex `json:"shares"`
	Statement
	Aggregate []Hex `json:"aggregate"`
	Randomness
}

// TrusteeDecryptAnswer is the partial decryption with its proof
// (ballot.PartialDecryption.Bytes).
type TrusteeDecryptAnswer struct {
	Partial Hex `json:"partial"`
}

func (a *API) trusteeDecrypt(r *TrusteeDecryptRequest) (*TrusteeDecryptAnswer, error) {
	if err := r.check(false); err != nil {
		return nil, err
	}
	s, err := trustee.Parse([]byte(r.Secret))
	if err != nil {
		return nil, err
	}
	rng, err := a.randomness(r.Randomness)
	if err != nil {
		return nil, err
	}
	agg := make([]ballot.Ciphertext, len(r.Aggregate))
	for i, b := range r.Aggregate {
		if agg[i], err = ballot.ParseAggregate(b); err != nil {
			return nil, fmt.Errorf("aggregate %d: %w", i, err)
		}
	}
	shares := make(map[int][]byte, len(r.Shares))
	for d, b := range r.Shares {
		shares[d] = b
	}
	p, err := s.Decrypt(r.context(), shares, agg, rng)
	if err != nil {
		return nil, err
	}
	return &TrusteeDecryptAnswer{Partial: p}, nil
}
