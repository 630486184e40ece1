// Package coretest provides fixtures for tests and benchmarks of the core
// and of the packages built on it: members with deterministic keys that sign
// their own transactions, and a ready-made genesis.
package coretest

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// ChainID is the chain id of the fixture community.
const ChainID = "testville-1"

// GenesisTime is the fixture community's genesis time.
var GenesisTime = time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)

// Member is a member's key pair and the nonce of their last transaction.
type Member struct {
	Name  string
	Priv  ed25519.PrivateKey
	Key   tx.PublicKey
	Nonce uint64
	Chain string
}

// NewMember returns a member whose key is derived from name, so the same
// name always gives the same key.
func NewMember(name string) *Member {
	seed := sha256.Sum256([]byte("folkmoot test key: " + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	m := &Member{Name: name, Priv: priv, Chain: ChainID}
	copy(m.Key[:], priv.Public().(ed25519.PublicKey))
	return m
}

// Sign signs body with the next nonce and returns the transaction bytes.
func (m *Member) Sign(body tx.Body) []byte {
	m.Nonce++
	return m.SignNonce(m.Nonce, body)
}

// SignNonce signs body with an explicit nonce, leaving m.Nonce alone.
func (m *Member) SignNonce(nonce uint64, body tx.Body) []byte {
	b, err := tx.Sign(m.Priv, tx.Unsigned{ChainID: m.Chain, Author: m.Key, Nonce: nonce, Body: body})
	if err != nil {
		panic(fmt.Sprintf("coretest: sign: %v", err))
	}
	return b
}

// Vouch returns a signed vouch by m for other.
func (m *Member) Vouch(other *Member) []byte {
	return m.Sign(&tx.Vouch{Key: other.Key[:], Name: other.Name})
}

// Ballot returns a signed ballot by m.
func (m *Member) Ballot(proposal uint64, c tx.Choice) []byte {
	return m.Sign(&tx.Ballot{Proposal: proposal, Choice: c})
}

// RotateTo returns a signed handover of m's membership to next, with next's
// proof of acceptance; after it, use next to sign.
func (m *Member) RotateTo(next *Member) []byte {
	proof := ed25519.Sign(next.Priv, tx.RotationMessage(m.Chain, m.Key, next.Key))
	return m.Sign(&tx.Rotate{NewKey: next.Key[:], Proof: proof})
}

// Genesis returns a genesis with the given founders, two vouches to join,
// voting periods from one minute to thirty days, a quorum of one third and
// a simple majority.
func Genesis(founders ...*Member) core.Genesis {
	fs := make([]core.Founder, len(founders))
	for i, f := range founders {
		fs[i] = core.Founder{Key: f.Key, Name: f.Name}
	}
	c := core.DefaultConstitution("Testville", fs)
	c.MinVoting.Duration = time.Minute
	return core.Genesis{Constitution: c}
}

// AppState returns the genesis app_state JSON for g.
func AppState(g core.Genesis) []byte {
	b, err := json.Marshal(g)
	if err != nil {
		panic(fmt.Sprintf("coretest: encode genesis: %v", err))
	}
	return b
}

// NewState returns the state of a fixture community founded by founders.
func NewState(founders ...*Member) *core.State {
	s, err := core.New(ChainID, GenesisTime, AppState(Genesis(founders...)))
	if err != nil {
		panic(fmt.Sprintf("coretest: new state: %v", err))
	}
	return s
}
