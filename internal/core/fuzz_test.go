package core_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// FuzzApply decodes arbitrary bytes and applies what decodes to a small
// community with an open proposal and offices (coretest.SimOffices) whose
// first elections are taking nominations. Whatever the input, Apply must not
// panic, a rejection must carry a code and a sentence, and a rejected
// transaction must leave the state byte-for-byte unchanged. The fuzzer
// cannot forge signatures, so the interesting inputs are those whose
// signature is valid: the seeds are signed by a founder and the fuzz
// function re-signs decodable mutations with the same key.
func FuzzApply(f *testing.F) {
	alice := coretest.NewMember("alice")
	seeds := []tx.Body{
		&tx.Ballot{Proposal: 1, Choice: tx.Yes},
		&tx.Ballot{Proposal: 2, Choice: tx.No},
		&tx.Comment{Proposal: 1, ReplyTo: 1, Text: "x"},
		&tx.Vouch{Key: coretest.NewMember("zed").Key[:], Name: "zed"},
		&tx.Propose{Title: "t", Category: "general", Closes: coretest.GenesisTime.Add(time.Hour).Unix()},
		&tx.Withdraw{Proposal: 1},
		&tx.Endorse{Proposal: 1},
		&tx.Leave{},
		&tx.Propose{Title: "law", Category: "rules", Closes: coretest.GenesisTime.Add(time.Hour).Unix(), Measure: tx.Enact, Sunset: 600},
		&tx.Propose{Title: "amend", Category: "rules", Closes: coretest.GenesisTime.Add(time.Hour).Unix(), Measure: tx.Amend, Rules: `{"quorum": "1/2"}`},
		&tx.Propose{Title: "renew", Category: "rules", Closes: coretest.GenesisTime.Add(time.Hour).Unix(), Measure: tx.Renew, Law: 1},
		&tx.Propose{Title: "budget", Category: "budget", Type: "budget", Amount: 1000, Closes: coretest.GenesisTime.Add(time.Hour).Unix()},
		&tx.Candidacy{Election: 1},
		&tx.WithdrawCandidacy{Election: 1},
		&tx.Rank{Election: 1, Ranking: []uint32{1, 2}},
		&tx.Recall{Office: "clerk", Member: 1},
		&tx.Notice{Office: "clerk", Title: "Notice", Text: "The hall is open."},
		&tx.Payment{Office: "stewards", Budget: 1, Amount: 10, Payee: "Builders", Memo: "roof"},
	}
	for _, b := range seeds {
		f.Add(alice.SignNonce(2, b))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		a, b := coretest.NewMember("alice"), coretest.NewMember("bob")
		g := coretest.Genesis(a, b, coretest.NewMember("carol"))
		g.Constitution.Offices = coretest.SimOffices()
		s, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(g))
		if err != nil {
			t.Fatal(err)
		}
		now := coretest.GenesisTime.Add(time.Second)
		if _, err := s.BeginBlock(1, now); err != nil {
			t.Fatal(err)
		}
		if r := s.Apply(mustDecode(t, a.Sign(&tx.Propose{Title: "p", Category: "general", Closes: now.Add(time.Hour).Unix()}))); r.Code != 0 {
			t.Fatal(r.Log)
		}
		d, derr := tx.Decode(raw)
		if derr != nil {
			return
		}
		// Re-sign as alice with her next nonce so the rules, not the
		// signature, decide.
		if d.Author == a.Key {
			if re, err := tx.Sign(a.Priv, tx.Unsigned{ChainID: d.ChainID, Author: a.Key, Nonce: d.Nonce, Body: d.Body}); err == nil {
				d = mustDecode(t, re)
			}
		}
		before, _ := s.MarshalBinary()
		root := s.Root()
		r := s.Apply(d)
		if r.Code != reject.OK {
			if r.Log == "" {
				t.Fatalf("code %d without a sentence", r.Code)
			}
			after, _ := s.MarshalBinary()
			if !bytes.Equal(before, after) || s.Root() != root {
				t.Fatalf("rejected transaction (code %d) changed the state", r.Code)
			}
		}
		s.EndBlock()
	})
}

func mustDecode(t *testing.T, raw []byte) *tx.Tx {
	t.Helper()
	d, err := tx.Decode(raw)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
