package core_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/tx/txtest"
)

// TestWeakKeysNeverEnter is the security review's critical finding.
//
// Exploit: two members vouched for the all-zero public key under the name
// "Dmitri", and the core admitted it as member 4. Then anyone posted a
// comment "by Dmitri" with the signature R = identity, s = 0, which under
// ZIP-215 verifies on every message for a small-order key, and the node
// accepted it in the next block.
//
// Every small-order encoding, canonical or not, is now refused at each
// place a key enters the state: a vouch, a rotation, the genesis founders;
// and nothing changes.
func TestWeakKeysNeverEnter(t *testing.T) {
	for _, wk := range txtest.WeakKeys() {
		t.Run(wk.Name, func(t *testing.T) {
			w := newWorld(t)
			alice := w.m["alice"]
			k := wk.Bytes()
			refuses(t, w.s, alice.Sign(&tx.Vouch{Key: k, Name: "Dmitri"}), reject.WeakKey, "anyone can forge")
			refuses(t, w.s, alice.Sign(&tx.Rotate{NewKey: k, Proof: txtest.ForgedSignature()}), reject.WeakKey, "rotation rejected: the new key")

			var weak tx.PublicKey
			copy(weak[:], k)
			payload, err := tx.Unsigned{ChainID: coretest.ChainID, Author: weak, Nonce: 1,
				Body: &tx.Comment{Proposal: 1, Text: "by Dmitri"}}.Payload()
			if err != nil {
				t.Fatal(err)
			}
			forged, err := tx.Assemble(payload, txtest.ForgedSignature())
			if err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, forged, reject.WeakKey, "the author key")

			// A genesis naming the key as a founder does not found a
			// community, whichever way the key is written.
			g := coretest.Genesis(alice, w.m["bob"])
			raw, err := json.Marshal(g)
			if err != nil {
				t.Fatal(err)
			}
			app := strings.Replace(string(raw), alice.Key.String(), hex.EncodeToString(k), 1)
			if _, err := core.New(coretest.ChainID, coretest.GenesisTime, []byte(app)); err == nil {
				t.Fatal("a genesis with a small-order founder key was accepted")
			}
			c := g.Constitution
			copy(c.Founders[0].Key[:], k)
			if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "founders[0]") {
				t.Fatalf("Validate = %v, want founders[0] refused", err)
			}
		})
	}
}

// TestRestoreRefusesWeakKeys: a snapshot can come from a peer (state
// sync), so a member's key that enters the state from one is checked as a
// vouch's is. Exploit: a snapshot whose member 1 holds the all-zero key
// would let anyone sign as member 1.
func TestRestoreRefusesWeakKeys(t *testing.T) {
	w := newWorld(t)
	good, err := w.s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := core.Restore(good); err != nil {
		t.Fatalf("the untouched snapshot: %v", err)
	}
	alice := w.m["alice"].Key
	for _, wk := range txtest.WeakKeys() {
		bad := bytes.Replace(good, alice[:], wk.Bytes(), 1)
		if bytes.Equal(bad, good) {
			t.Fatal("alice's key is not in the snapshot")
		}
		if _, err := core.Restore(bad); err == nil || !strings.Contains(err.Error(), "member 1") {
			t.Fatalf("%s: Restore = %v, want member 1's key refused", wk.Name, err)
		}
	}
}

// TestGenesisFileRefusesWeakFounder: keys in JSON and TOML are read for
// their shape only (query answers carry them too); a founder's key is
// refused where it enters, by Validate, with a sentence that names it.
func TestGenesisFileRefusesWeakFounder(t *testing.T) {
	a, b := coretest.NewMember("a"), coretest.NewMember("b")
	raw, err := json.Marshal(coretest.Genesis(a, b))
	if err != nil {
		t.Fatal(err)
	}
	for _, wk := range txtest.WeakKeys() {
		app := strings.Replace(string(raw), b.Key.String(), wk.Hex, 1)
		_, err := core.New(coretest.ChainID, coretest.GenesisTime, []byte(app))
		if err == nil || !strings.Contains(err.Error(), "founders[1]") || !strings.Contains(err.Error(), "small order") {
			t.Fatalf("%s: %v, want founders[1] refused for its small order", wk.Name, err)
		}
	}
	toml := "name = \"X\"\nvouches_required = 1\n[[founders]]\nname = \"a\"\nkey = \"" + txtest.WeakKeys()[2].Hex + "\"\n"
	c, err := core.ParseConstitutionTOML([]byte(toml))
	if err == nil {
		err = c.Validate()
	}
	if err == nil || !strings.Contains(err.Error(), "small order") {
		t.Fatalf("TOML founder with the all-zero key: %v", err)
	}
}
