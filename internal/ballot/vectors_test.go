package ballot

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/gtank/ristretto255"
)

var update = flag.Bool("update", false, "rewrite testdata/vectors.json")

// Vectors are the test vectors of docs/secret-ballot.md, for independent
// verifiers. Every byte string is hex.
type vectors struct {
	Comment    string          `json:"comment"`
	Randomness string          `json:"randomness"`
	Ballots    []ballotVector  `json:"ballots"`
	DKG        dkgVector       `json:"dkg"`
	Decryption decryptVector   `json:"decryption"`
	Points     []encodedVector `json:"points"`
}

type ballotVector struct {
	Name       string `json:"name"`
	Seed       string `json:"seed,omitempty"`
	SecretKey  string `json:"secret_key"`
	ElectionID string `json:"election_id"`
	ChainID    string `json:"chain_id"`
	PublicKey  string `json:"public_key"`
	VoterKey   string `json:"voter_key"`
	Race       Race   `json:"race"`
	Votes      []int  `json:"votes,omitempty"`
	Ballot     string `json:"ballot"`
	Challenge  string `json:"challenge,omitempty"`
	Valid      bool   `json:"valid"`
}

type dkgVector struct {
	Seed      string         `json:"seed"`
	T         int            `json:"t"`
	N         int            `json:"n"`
	Dealers   []dealerVector `json:"dealers"`
	JointKey  string         `json:"joint_key"`
	Secrets   []string       `json:"trustee_shares"`
	VerifKeys []string       `json:"verification_keys"`
}

type dealerVector struct {
	Index       int      `json:"index"`
	Commitments string   `json:"commitments"`
	Shares      []string `json:"shares"`
}

type decryptVector struct {
	Seed        string   `json:"seed"`
	ElectionID  string   `json:"election_id"`
	ChainID     string   `json:"chain_id"`
	Ciphertexts []string `json:"aggregate_ciphertexts"`
	Partials    []string `json:"partial_decryptions"`
	Result      []uint64 `json:"result"`
}

type encodedVector struct {
	Name  string `json:"name"`
	Bytes string `json:"bytes"`
	Valid bool   `json:"valid"`
}

func hx(b []byte) string { return hex.EncodeToString(b) }

func makeVectors(t *testing.T) *vectors {
	t.Helper()
	v := &vectors{
		Comment: "Test vectors for docs/secret-ballot.md. Regenerate with: go test ./internal/ballot/ -run TestVectors -update",
		Randomness: "Every random scalar is 64 bytes of a stream reduced modulo ℓ (FromUniformBytes). The stream for seed S is " +
			"SHA-512(\"" + tagRandom + "\" ‖ S ‖ u64be(0)) ‖ SHA-512(… ‖ u64be(1)) ‖ …; a prover draws its scalars in the order the spec gives.",
	}
	// A key pair and ballots.
	kp := testKey(t, "vector-key")
	base := Context{ElectionID: []byte("proposal-7"), ChainID: "folkmoot-vectors", PublicKey: enc(kp.Public), VoterKey: bytes.Repeat([]byte{0xab}, 32)}
	ballot := func(name, seed string, race Race, votes []int, ctx Context, unchecked bool) (ballotVector, *Ballot) {
		var b *Ballot
		var err error
		if unchecked {
			b, err = castUnchecked(ctx, race, votes, newDetRand(seed))
		} else {
			b, err = Cast(ctx, race, votes, newDetRand(seed))
		}
		if err != nil {
			t.Fatal(err)
		}
		return ballotVector{Name: name, Seed: seed, SecretKey: hx(encScalar(kp.Secret)), ElectionID: hx(ctx.ElectionID), ChainID: ctx.ChainID,
			PublicKey: hx(ctx.PublicKey), VoterKey: hx(ctx.VoterKey), Race: race, Votes: votes, Ballot: hx(b.Bytes()),
			Challenge: hx(encScalar(rawChallenge(ctx, race, b.Bytes()))), Valid: b.Verify(ctx, race) == nil}, b
	}
	yes, yesBallot := ballot("yes/no: yes", "v1", SingleChoice(2), []int{1, 0}, base, false)
	v.Ballots = append(v.Ballots, yes)
	b5, _ := ballot("single choice of 5: choice 3", "v2", SingleChoice(5), []int{0, 0, 1, 0, 0}, base, false)
	v.Ballots = append(v.Ballots, b5)
	ap, _ := ballot("approval of up to 2 of 4: choices 1 and 4", "v3", Approval(4, 2), []int{1, 0, 0, 1}, base, false)
	v.Ballots = append(v.Ballots, ap)
	ap0, _ := ballot("approval of up to 2 of 4: none", "v4", Approval(4, 2), []int{0, 0, 0, 0}, base, false)
	v.Ballots = append(v.Ballots, ap0)
	two, _ := ballot("invalid: a ciphertext of 2 in approval", "v5", Approval(2, 2), []int{2, 0}, base, true)
	v.Ballots = append(v.Ballots, two)
	both, _ := ballot("invalid: two choices in a single-choice race", "v6", SingleChoice(2), []int{1, 1}, base, true)
	v.Ballots = append(v.Ballots, both)
	copied := yes
	copied.Name, copied.Seed, copied.VoterKey, copied.Challenge, copied.Valid = "invalid: the yes ballot presented by another voter", "", hx(bytes.Repeat([]byte{0xcd}, 32)), "", false
	v.Ballots = append(v.Ballots, copied)
	flipped := yes
	raw := append([]byte(nil), yesBallot.Bytes()...)
	raw[len(raw)-1] ^= 0x01
	flipped.Name, flipped.Seed, flipped.Ballot, flipped.Challenge, flipped.Valid = "invalid: the yes ballot with its last byte flipped", "", hx(raw), "", false
	v.Ballots = append(v.Ballots, flipped)

	// Point encodings.
	p := append([]byte{0xed}, bytes.Repeat([]byte{0xff}, 30)...)
	v.Points = []encodedVector{
		{"generator G", hx(enc(ristretto255.NewElement().Base())), true},
		{"identity (valid point, refused as a key or as a ciphertext's A)", hx(make([]byte, 32)), true},
		{"p, a non-canonical field element", hx(append(p, 0x7f)), false},
		{"s = 1, negative", hx(append([]byte{1}, make([]byte, 31)...)), false},
		{"all 0xff", hx(bytes.Repeat([]byte{0xff}, 32)), false},
	}

	// Key generation, 2 of 3, and a decryption.
	const seed = "vector-dkg"
	rng := newDetRand(seed)
	d := dkgVector{Seed: seed, T: 2, N: 3}
	var comms []Commitments
	shares := make([][]*ristretto255.Scalar, 3)
	for i := 1; i <= 3; i++ {
		dealer, err := NewDealer(i, 2, 3, rng)
		if err != nil {
			t.Fatal(err)
		}
		dv := dealerVector{Index: i, Commitments: hx(dealer.Commitments().Bytes())}
		for j := 1; j <= 3; j++ {
			s, _ := dealer.Share(j)
			dv.Shares = append(dv.Shares, hx(encScalar(s)))
			shares[j-1] = append(shares[j-1], s)
		}
		d.Dealers = append(d.Dealers, dv)
		comms = append(comms, dealer.Commitments())
	}
	X, err := JointKey(2, comms)
	if err != nil {
		t.Fatal(err)
	}
	d.JointKey = hx(enc(X))
	var trustees []Trustee
	for j := 1; j <= 3; j++ {
		x := CombineShares(shares[j-1])
		trustees = append(trustees, Trustee{Index: j, Share: x})
		d.Secrets = append(d.Secrets, hx(encScalar(x)))
		d.VerifKeys = append(d.VerifKeys, hx(enc(VerificationKey(comms, j))))
	}
	v.DKG = d

	dctx := Context{ElectionID: []byte("proposal-8"), ChainID: "folkmoot-vectors", PublicKey: enc(X)}
	race := SingleChoice(3)
	var all [][]Ciphertext
	drng := newDetRand("vector-decryption-ballots")
	for voter, choice := range []int{0, 2, 2} {
		votes := make([]int, 3)
		votes[choice] = 1
		ctx := dctx
		ctx.VoterKey = []byte{byte(voter)}
		b, err := Cast(ctx, race, votes, drng)
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, b.Ciphertexts())
	}
	agg, _ := Sum(3, all)
	dv := decryptVector{Seed: "vector-decryption", ElectionID: hx(dctx.ElectionID), ChainID: dctx.ChainID}
	for _, c := range agg {
		dv.Ciphertexts = append(dv.Ciphertexts, hx(c.Bytes()))
	}
	prng := newDetRand(dv.Seed)
	var parts []*PartialDecryption
	for _, j := range []int{3, 1} {
		p, err := trustees[j-1].Decrypt(dctx, agg, prng)
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
		dv.Partials = append(dv.Partials, hx(p.Bytes()))
	}
	table, _ := NewDlogTable(3)
	if dv.Result, err = Combine(agg, parts, 2, table); err != nil {
		t.Fatal(err)
	}
	v.Decryption = dv
	return v
}

// TestVectors regenerates the vectors and compares them with the file, then
// checks the file as an independent verifier would: from its bytes alone.
func TestVectors(t *testing.T) {
	path := filepath.Join("testdata", "vectors.json")
	got, err := json.MarshalIndent(makeVectors(t), "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs from what the code produces; run go test -run TestVectors -update and review the diff", path)
	}
	var v vectors
	if err := json.Unmarshal(want, &v); err != nil {
		t.Fatal(err)
	}
	unhex := func(s string) []byte {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	for _, bv := range v.Ballots {
		ctx := Context{ElectionID: unhex(bv.ElectionID), ChainID: bv.ChainID, PublicKey: unhex(bv.PublicKey), VoterKey: unhex(bv.VoterKey)}
		b, err := ParseBallot(bv.Race, unhex(bv.Ballot))
		if err == nil {
			err = b.Verify(ctx, bv.Race)
		}
		if (err == nil) != bv.Valid {
			t.Errorf("%s: verify = %v, want valid %v", bv.Name, err, bv.Valid)
		}
	}
	for _, pv := range v.Points {
		if _, err := DecodePoint(unhex(pv.Bytes)); (err == nil) != pv.Valid {
			t.Errorf("point %s: %v", pv.Name, err)
		}
	}
	var comms []Commitments
	for _, dv := range v.DKG.Dealers {
		c, err := ParseCommitments(v.DKG.T, unhex(dv.Commitments))
		if err != nil {
			t.Fatal(err)
		}
		for j, s := range dv.Shares {
			sc, err := DecodeScalar(unhex(s))
			if err != nil {
				t.Fatal(err)
			}
			if err := c.VerifyShare(j+1, sc); err != nil {
				t.Errorf("dealer %d share %d: %v", dv.Index, j+1, err)
			}
		}
		comms = append(comms, c)
	}
	X, err := JointKey(v.DKG.T, comms)
	if err != nil || hx(enc(X)) != v.DKG.JointKey {
		t.Fatalf("joint key %v", err)
	}
	dctx := Context{ElectionID: unhex(v.Decryption.ElectionID), ChainID: v.Decryption.ChainID, PublicKey: enc(X)}
	var agg []Ciphertext
	for _, c := range v.Decryption.Ciphertexts {
		ct, err := ParseCiphertext(unhex(c))
		if err != nil {
			t.Fatal(err)
		}
		agg = append(agg, ct)
	}
	var parts []*PartialDecryption
	for _, ps := range v.Decryption.Partials {
		p, err := ParsePartialDecryption(len(agg), unhex(ps))
		if err != nil {
			t.Fatal(err)
		}
		Y, err := DecodePublicKey(unhex(v.DKG.VerifKeys[p.Index-1]))
		if err != nil {
			t.Fatal(err)
		}
		if err := p.Verify(dctx, agg, Y); err != nil {
			t.Fatal(err)
		}
		parts = append(parts, p)
	}
	table, _ := NewDlogTable(3)
	res, err := Combine(agg, parts, v.DKG.T, table)
	if err != nil || len(res) != 3 || res[0] != 1 || res[1] != 0 || res[2] != 2 {
		t.Fatalf("result %v, %v; want [1 0 2]", res, err)
	}
}
