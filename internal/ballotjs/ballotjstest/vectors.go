// Package ballotjstest runs the test vectors of docs/secret-ballot.md
// through the functions of internal/ballotjs, over any transport: called
// directly in Go, or in a browser through the WebAssembly build. Both must
// give the same bytes.
package ballotjstest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// Caller calls the function name with a JSON request and returns its JSON
// answer (an error only for a transport failure).
type Caller func(name string, request []byte) ([]byte, error)

// Vectors is the part of internal/ballot/testdata/vectors.json the suite
// uses.
type Vectors struct {
	Ballots []struct {
		Name       string `json:"name"`
		Seed       string `json:"seed"`
		ElectionID string `json:"election_id"`
		ChainID    string `json:"chain_id"`
		PublicKey  string `json:"public_key"`
		VoterKey   string `json:"voter_key"`
		Race       struct {
			Choices int `json:"choices"`
			Min     int `json:"min"`
			Max     int `json:"max"`
		} `json:"race"`
		Votes  []int  `json:"votes"`
		Ballot string `json:"ballot"`
		Valid  bool   `json:"valid"`
	} `json:"ballots"`
	DKG struct {
		Seed    string `json:"seed"`
		T       int    `json:"t"`
		N       int    `json:"n"`
		Dealers []struct {
			Index       int      `json:"index"`
			Commitments string   `json:"commitments"`
			Shares      []string `json:"shares"`
		} `json:"dealers"`
		JointKey string `json:"joint_key"`
	} `json:"dkg"`
	Decryption struct {
		Seed        string   `json:"seed"`
		ElectionID  string   `json:"election_id"`
		ChainID     string   `json:"chain_id"`
		Ciphertexts []string `json:"aggregate_ciphertexts"`
		Partials    []string `json:"partial_decryptions"`
	} `json:"decryption"`
}

// Load reads internal/ballot/testdata/vectors.json.
func Load(t testing.TB) *Vectors {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "ballot", "testdata", "vectors.json"))
	if err != nil {
		t.Fatal(err)
	}
	var v Vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatal(err)
	}
	return &v
}

// do calls name with req and decodes the answer into a map, failing the
// test on a transport error or an answer with "error".
func do(t *testing.T, call Caller, name string, req any) map[string]any {
	t.Helper()
	ans := try(t, call, name, req)
	if e, ok := ans["error"]; ok {
		t.Fatalf("%s: %v", name, e)
	}
	return ans
}

// try is do without failing on an "error" answer.
func try(t *testing.T, call Caller, name string, req any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	out, err := call(name, raw)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	var ans map[string]any
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("%s answered %s: %v", name, out, err)
	}
	return ans
}

func hx(s string) string { return hex.EncodeToString([]byte(s)) }

// Run checks every vector through call: each seeded ballot cast again
// byte for byte; verify accepting the valid ballots and refusing the
// invalid ones; the 2-of-3 key generation dealt again from its seed (each
// dealer skipping the scalars of the ones before), every share sealed with
// age, opened and equal to the vector's, and the two partial decryptions
// made again byte for byte from the opened shares.
func Run(t *testing.T, v *Vectors, call Caller) {
	t.Run("cast", func(t *testing.T) {
		n := 0
		for _, b := range v.Ballots {
			if b.Seed == "" || !b.Valid {
				continue // the invalid seeded ones were made by a prover that skips Cast's checks
			}
			n++
			ans := do(t, call, "cast", map[string]any{"electionId": b.ElectionID, "chainId": b.ChainID, "publicKey": b.PublicKey,
				"voterKey": b.VoterKey, "choices": b.Race.Choices, "min": b.Race.Min, "max": b.Race.Max, "votes": b.Votes, "seed": hx(b.Seed)})
			if ans["ballot"] != b.Ballot {
				t.Errorf("%s: cast gives\n%v\nwant\n%s", b.Name, ans["ballot"], b.Ballot)
			}
			raw, _ := hex.DecodeString(b.Ballot)
			if want := sha256hex(raw); ans["tracking"] != want {
				t.Errorf("%s: tracking %v, want %s", b.Name, ans["tracking"], want)
			}
		}
		if n == 0 {
			t.Fatal("no seeded valid ballot in the vectors")
		}
	})
	t.Run("verify", func(t *testing.T) {
		for _, b := range v.Ballots {
			ans := do(t, call, "verify", map[string]any{"electionId": b.ElectionID, "chainId": b.ChainID, "publicKey": b.PublicKey,
				"voterKey": b.VoterKey, "choices": b.Race.Choices, "min": b.Race.Min, "max": b.Race.Max, "ballot": b.Ballot})
			if ans["valid"] != b.Valid {
				t.Errorf("%s: verify says %v (%v), want %v", b.Name, ans["valid"], ans["reason"], b.Valid)
			}
			if !b.Valid && ans["reason"] == "" {
				t.Errorf("%s: refused without a reason", b.Name)
			}
		}
	})
	t.Run("dkg and decryption", func(t *testing.T) {
		d := v.DKG
		secrets := map[int]string{}
		recipients := map[int]string{}
		for k, dealer := range d.Dealers {
			ans := do(t, call, "trusteeNew", map[string]any{"election": "vectors", "index": dealer.Index, "t": d.T, "n": d.N,
				"seed": hx(d.Seed), "skip": k * d.T})
			if ans["commitments"] != dealer.Commitments {
				t.Errorf("dealer %d commits to %v, want %s", dealer.Index, ans["commitments"], dealer.Commitments)
			}
			secrets[dealer.Index] = ans["secret"].(string)
			recipients[dealer.Index] = ans["recipient"].(string)
			if !strings.HasPrefix(recipients[dealer.Index], "age1") {
				t.Errorf("recipient %q", recipients[dealer.Index])
			}
		}
		// shares[j][i] is the share dealer i dealt trustee j, as j opened it.
		shares := map[int]map[string]string{}
		for _, dealer := range d.Dealers {
			sealed := do(t, call, "trusteeSeal", map[string]any{"secret": secrets[dealer.Index], "recipients": recipients})["sealed"].(map[string]any)
			if len(sealed) != d.N-1 {
				t.Fatalf("dealer %d sealed %d shares", dealer.Index, len(sealed))
			}
			for j := 1; j <= d.N; j++ {
				if shares[j] == nil {
					shares[j] = map[string]string{}
				}
				if j == dealer.Index {
					shares[j][fmt.Sprint(j)] = "" // its own: computed
					continue
				}
				rev := do(t, call, "trusteeReveal", map[string]any{"secret": secrets[dealer.Index], "j": j})
				if rev["share"] != dealer.Shares[j-1] {
					t.Errorf("dealer %d reveals trustee %d's share %v, want %s", dealer.Index, j, rev["share"], dealer.Shares[j-1])
				}
				ans := do(t, call, "trusteeOpen", map[string]any{"secret": secrets[j], "dealer": dealer.Index,
					"commitments": dealer.Commitments, "sealed": sealed[fmt.Sprint(j)]})
				if ans["share"] != dealer.Shares[j-1] {
					t.Errorf("trustee %d opens dealer %d's share %v, want %s", j, dealer.Index, ans["share"], dealer.Shares[j-1])
				}
				shares[j][fmt.Sprint(dealer.Index)] = ans["share"].(string)
				// Sealed to j, it does not open for another trustee: a complaint.
				other := j%d.N + 1
				if other == dealer.Index {
					other = other%d.N + 1
				}
				bad := try(t, call, "trusteeOpen", map[string]any{"secret": secrets[other], "dealer": dealer.Index,
					"commitments": dealer.Commitments, "sealed": sealed[fmt.Sprint(j)]})
				if bad["error"] == nil || bad["complaint"] != true {
					t.Errorf("trustee %d opened the share sealed to %d: %v", other, j, bad)
				}
			}
		}
		dec := v.Decryption
		for k, j := range []int{3, 1} {
			ans := do(t, call, "trusteeDecrypt", map[string]any{"secret": secrets[j], "shares": shares[j],
				"electionId": dec.ElectionID, "chainId": dec.ChainID, "publicKey": d.JointKey, "aggregate": dec.Ciphertexts,
				"seed": hx(dec.Seed), "skip": k * len(dec.Ciphertexts)})
			if ans["partial"] != dec.Partials[k] {
				t.Errorf("trustee %d's partial decryption\n%v\nwant\n%s", j, ans["partial"], dec.Partials[k])
			}
		}
	})
	t.Run("errors are answers", func(t *testing.T) {
		for _, c := range []struct {
			name string
			req  any
			says string
		}{
			{"cast", map[string]any{"electionID": "00"}, "unknown field \"electionID\""},
			{"verify", map[string]any{"ballot": "00", "vote": 1}, "unknown field \"vote\""},
			{"cast", map[string]any{"electionId": "zz"}, "hex"},
			{"cast", map[string]any{"electionId": "00", "chainId": "c", "publicKey": d32(), "voterKey": "00", "choices": 2, "min": 1, "max": 1, "votes": []int{1, 1}}, "2 choices chosen"},
			{"trusteeNew", map[string]any{"index": 4, "t": 2, "n": 3}, "index 4"},
			{"trusteeOpen", map[string]any{"secret": "{}"}, "trustee secret"},
			{"cast", map[string]any{"chainId": "c", "publicKey": d32(), "voterKey": "00", "choices": 2, "min": 1, "max": 1, "votes": []int{1, 0}}, "electionId"},
			{"verify", map[string]any{"electionId": "00", "chainId": "c", "publicKey": d32(), "choices": 2, "min": 1, "max": 1, "ballot": "00"}, "voterKey"},
			{"nosuch", map[string]any{}, "no function"},
		} {
			ans := try(t, call, c.name, c.req)
			if e, _ := ans["error"].(string); !strings.Contains(e, c.says) {
				t.Errorf("%s %v: %v, want an error saying %q", c.name, c.req, ans, c.says)
			}
		}
	})
}

func d32() string { return strings.Repeat("e2", 32) }

func sha256hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}
