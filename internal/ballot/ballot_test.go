package ballot

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"testing"

	"github.com/gtank/ristretto255"
)

// election is the outcome of a key generation in tests.
type election struct {
	t, n      int
	key       *ristretto255.Element
	trustees  []Trustee                     // by index−1; only for qualified share holders
	vks       map[int]*ristretto255.Element // verification keys
	qualified []int                         // dealers kept
}

// runDKG runs a t-of-n key generation in which the dealers in cheat send a
// wrong share to every other trustee and, when the complaint comes, reveal a
// wrong share again; every complaint is resolved with ResolveComplaint.
func runDKG(tb testing.TB, t, n int, cheat map[int]bool, seed string) (*election, error) {
	tb.Helper()
	rng := newDetRand(seed)
	dealers := make([]*Dealer, n)
	comms := make([]Commitments, n)
	for i := range dealers {
		d, err := NewDealer(i+1, t, n, rng)
		if err != nil {
			tb.Fatal(err)
		}
		dealers[i] = d
		// Commitments travel as bytes.
		c, err := ParseCommitments(t, d.Commitments().Bytes())
		if err != nil {
			tb.Fatal(err)
		}
		comms[i] = c
	}
	// shares[i][j]: dealer i+1's share for trustee j+1, as received.
	shares := make([][]*ristretto255.Scalar, n)
	disqualified := map[int]bool{}
	for i, d := range dealers {
		shares[i] = make([]*ristretto255.Scalar, n)
		for j := 1; j <= n; j++ {
			s, err := d.Share(j)
			if err != nil {
				tb.Fatal(err)
			}
			if cheat[i+1] && j != i+1 {
				s = ristretto255.NewScalar().Add(s, smallScalar(1))
			}
			if err := comms[i].VerifyShare(j, s); err != nil {
				if !errors.Is(err, ErrShare) {
					tb.Fatalf("dealer %d share %d: %v", i+1, j, err)
				}
				// Trustee j complains; the dealer answers with a revealed share.
				if _, err := ResolveComplaint(comms[i], j, encScalar(s)); err == nil {
					tb.Fatalf("dealer %d: a bad revealed share was accepted", i+1)
				}
				disqualified[i+1] = true
			}
			shares[i][j-1] = s
		}
	}
	e := &election{t: t, n: n, vks: map[int]*ristretto255.Element{}}
	var qual []Commitments
	for i := range dealers {
		if !disqualified[i+1] {
			e.qualified = append(e.qualified, i+1)
			qual = append(qual, comms[i])
		}
	}
	key, err := JointKey(t, qual)
	if err != nil {
		return nil, err
	}
	e.key = key
	for j := 1; j <= n; j++ {
		var mine []*ristretto255.Scalar
		for _, i := range e.qualified {
			mine = append(mine, shares[i-1][j-1])
		}
		e.trustees = append(e.trustees, Trustee{Index: j, Share: CombineShares(mine)})
		e.vks[j] = VerificationKey(qual, j)
	}
	return e, nil
}

func electionContext(e *election, voter string) Context {
	return Context{ElectionID: []byte("proposal-7"), ChainID: "folkmoot-test", PublicKey: enc(e.key), VoterKey: []byte(voter)}
}

// tally decrypts the aggregate with the given trustees, checking every proof.
func tally(tb testing.TB, e *election, ctx Context, agg []Ciphertext, who []int, max uint64) ([]uint64, error) {
	tb.Helper()
	var parts []*PartialDecryption
	for _, j := range who {
		p, err := e.trustees[j-1].Decrypt(ctx, agg, rand.Reader)
		if err != nil {
			tb.Fatal(err)
		}
		p, err = ParsePartialDecryption(len(agg), p.Bytes())
		if err != nil {
			tb.Fatal(err)
		}
		if err := p.Verify(ctx, agg, e.vks[j]); err != nil {
			return nil, err
		}
		parts = append(parts, p)
	}
	table, err := NewDlogTable(max)
	if err != nil {
		tb.Fatal(err)
	}
	return Combine(agg, parts, e.t, table)
}

func TestRoundTrip(t *testing.T) {
	e, err := runDKG(t, 3, 5, nil, "round-trip")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		race Race
		// votes of voter v for choice i
		vote func(v, i int) int
	}{
		{"yes-no 2 choices", SingleChoice(2), func(v, i int) int { return b2i(i == v%3%2) }},
		{"single choice of 5", SingleChoice(5), func(v, i int) int { return b2i(i == (v*v)%5) }},
		{"single choice of 20", SingleChoice(20), func(v, i int) int { return b2i(i == (3*v)%20) }},
		{"approval of up to 3 of 5", Approval(5, 3), func(v, i int) int { return b2i((v+i)%3 == 0 && i < 5) }},
		{"approval of any of 20", Approval(20, 20), func(v, i int) int { return b2i((v*i)%4 == 1) }},
		{"yes/no/abstain, at least one of 3", Race{Choices: 3, Min: 1, Max: 1}, func(v, i int) int { return b2i(i == v%3) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			const voters = 7
			want := make([]uint64, tc.race.Choices)
			var all [][]Ciphertext
			var items []Item
			for v := 0; v < voters; v++ {
				votes := make([]int, tc.race.Choices)
				for i := range votes {
					votes[i] = tc.vote(v, i)
					want[i] += uint64(votes[i])
				}
				ctx := electionContext(e, fmt.Sprintf("voter-%d", v))
				b, err := Cast(ctx, tc.race, votes, rand.Reader)
				if err != nil {
					t.Fatalf("voter %d votes %v: %v", v, votes, err)
				}
				if len(b.Bytes()) != BallotSize(tc.race) {
					t.Fatalf("ballot is %d bytes, want %d", len(b.Bytes()), BallotSize(tc.race))
				}
				parsed, err := ParseBallot(tc.race, b.Bytes())
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(parsed.Bytes(), b.Bytes()) {
					t.Fatal("parse changed the bytes")
				}
				if err := parsed.Verify(ctx, tc.race); err != nil {
					t.Fatalf("voter %d: %v", v, err)
				}
				all = append(all, parsed.Ciphertexts())
				items = append(items, Item{ctx, tc.race, parsed})
			}
			if err := VerifyBatch(items, rand.Reader); err != nil {
				t.Fatal(err)
			}
			agg, err := Sum(tc.race.Choices, all)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tally(t, e, electionContext(e, ""), agg, []int{5, 2, 3}, voters)
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("tally %v, want %v", got, want)
			}
		})
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestCastRefusesBadVotes(t *testing.T) {
	kp := testKey(t, "k")
	ctx := testContext(kp, "alice")
	tests := []struct {
		name  string
		race  Race
		votes []int
	}{
		{"a vote of 2", SingleChoice(3), []int{2, 0, 0}},
		{"a vote of −1", Approval(3, 3), []int{-1, 1, 1}},
		{"two choices in a single-choice race", SingleChoice(3), []int{1, 1, 0}},
		{"no choice in a single-choice race", SingleChoice(3), []int{0, 0, 0}},
		{"more approvals than allowed", Approval(3, 1), []int{1, 1, 0}},
		{"too few votes", SingleChoice(3), []int{1, 0}},
		{"a race without choices", Race{}, nil},
		{"a race with min above max", Race{Choices: 3, Min: 2, Max: 1}, []int{1, 1, 0}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := Cast(ctx, tc.race, tc.votes, rand.Reader); !errors.Is(err, ErrInput) {
				t.Fatalf("Cast = %v, want ErrInput", err)
			}
		})
	}
	if _, err := Cast(Context{PublicKey: make([]byte, 32)}, SingleChoice(2), []int{1, 0}, rand.Reader); !errors.Is(err, ErrIdentity) {
		t.Fatalf("cast to the identity key: %v, want ErrIdentity", err)
	}
}

// TestSoundness: what an honest prover produces for a bad ballot, and what a
// verifier given someone else's statement, does not verify.
func TestSoundness(t *testing.T) {
	kp := testKey(t, "k")
	ctx := testContext(kp, "alice")
	other := testKey(t, "other")
	tests := []struct {
		name     string
		race     Race
		votes    []int
		verifyAs func(Context) Context
	}{
		{name: "a ciphertext of 2", race: Approval(3, 3), votes: []int{2, 0, 0}},
		{name: "a ciphertext of −1", race: Approval(3, 3), votes: []int{-1, 1, 0}},
		{name: "a ciphertext of 2 summing to 1", race: SingleChoice(3), votes: []int{2, -1, 0}},
		{name: "two choices in a single-choice race", race: SingleChoice(5), votes: []int{0, 1, 0, 1, 0}},
		{name: "no choice in a single-choice race", race: SingleChoice(5), votes: []int{0, 0, 0, 0, 0}},
		{name: "four approvals of at most 3", race: Approval(5, 3), votes: []int{1, 1, 1, 1, 0}},
		{name: "copied to another voter", race: SingleChoice(3), votes: []int{0, 1, 0},
			verifyAs: func(c Context) Context { c.VoterKey = []byte("mallory"); return c }},
		{name: "copied to another election", race: SingleChoice(3), votes: []int{0, 1, 0},
			verifyAs: func(c Context) Context { c.ElectionID = []byte("proposal-43"); return c }},
		{name: "copied to another chain", race: SingleChoice(3), votes: []int{0, 1, 0},
			verifyAs: func(c Context) Context { c.ChainID = "folkmoot-fork"; return c }},
		{name: "verified under another key", race: SingleChoice(3), votes: []int{0, 1, 0},
			verifyAs: func(c Context) Context { c.PublicKey = enc(other.Public); return c }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := castUnchecked(ctx, tc.race, tc.votes, rand.Reader)
			if err != nil {
				t.Fatal(err)
			}
			vctx := ctx
			if tc.verifyAs != nil {
				vctx = tc.verifyAs(ctx)
			}
			err = b.Verify(vctx, tc.race)
			if !errors.Is(err, ErrProof) {
				t.Fatalf("Verify = %v, want ErrProof", err)
			}
			if err := VerifyBatch([]Item{{vctx, tc.race, b}}, rand.Reader); !errors.Is(err, ErrProof) {
				t.Fatalf("VerifyBatch = %v, want ErrProof", err)
			}
		})
	}
	t.Run("a ballot for another race", func(t *testing.T) {
		b, err := Cast(ctx, SingleChoice(3), []int{0, 1, 0}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Verify(ctx, Approval(3, 1)); !errors.Is(err, ErrInput) {
			t.Fatalf("Verify = %v, want ErrInput", err)
		}
		if _, err := ParseBallot(Approval(3, 1), b.Bytes()); !errors.Is(err, ErrEncoding) {
			t.Fatalf("ParseBallot for a race of another size = %v, want ErrEncoding", err)
		}
	})
}

// TestEveryFlippedByteIsRefused flips each byte of a ballot in turn: the
// result never parses and verifies.
func TestEveryFlippedByteIsRefused(t *testing.T) {
	kp := testKey(t, "k")
	ctx := testContext(kp, "alice")
	for _, race := range []Race{SingleChoice(2), Approval(2, 2)} {
		b, err := Cast(ctx, race, []int{1, 0}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		raw := b.Bytes()
		for i := range raw {
			for _, mask := range []byte{0x01, 0x80} {
				bad := append([]byte(nil), raw...)
				bad[i] ^= mask
				p, err := ParseBallot(race, bad)
				if err == nil {
					err = p.Verify(ctx, race)
				}
				if err == nil {
					t.Fatalf("race %+v: byte %d ^ %#x accepted", race, i, mask)
				}
				if !errors.Is(err, ErrProof) && !errors.Is(err, ErrEncoding) && !errors.Is(err, ErrIdentity) {
					t.Fatalf("byte %d: unexpected error %v", i, err)
				}
			}
		}
	}
}

func TestDecodersRefuseMalformed(t *testing.T) {
	G := enc(ristretto255.NewElement().Base())
	ff := bytes.Repeat([]byte{0xff}, 32)
	// p = 2^255 − 19, little-endian: a non-canonical encoding of 0.
	p := append([]byte{0xed}, bytes.Repeat([]byte{0xff}, 30)...)
	p = append(p, 0x7f)
	negative := append([]byte{0x01}, make([]byte, 31)...) // s = 1 is negative (odd)
	identity := make([]byte, 32)
	// ℓ, little-endian: the smallest non-canonical scalar.
	ell := []byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10}
	tests := []struct {
		name  string
		parse func() error
		want  error
	}{
		{"point of 31 bytes", func() error { _, err := DecodePoint(G[:31]); return err }, ErrEncoding},
		{"point ≥ p", func() error { _, err := DecodePoint(p); return err }, ErrEncoding},
		{"point all 0xff", func() error { _, err := DecodePoint(ff); return err }, ErrEncoding},
		{"point with negative s", func() error { _, err := DecodePoint(negative); return err }, ErrEncoding},
		{"identity public key", func() error { _, err := DecodePublicKey(identity); return err }, ErrIdentity},
		{"scalar ℓ", func() error { _, err := DecodeScalar(ell); return err }, ErrEncoding},
		{"scalar all 0xff", func() error { _, err := DecodeScalar(ff); return err }, ErrEncoding},
		{"ciphertext with identity A", func() error { _, err := ParseCiphertext(append(identity, G...)); return err }, ErrIdentity},
		{"ciphertext with non-canonical B", func() error { _, err := ParseCiphertext(append(append([]byte{}, G...), p...)); return err }, ErrEncoding},
		{"ciphertext of 63 bytes", func() error { _, err := ParseCiphertext(append(G, G[:31]...)); return err }, ErrEncoding},
		{"commitments with identity C0", func() error { _, err := ParseCommitments(2, append(identity, G...)); return err }, ErrIdentity},
		{"commitments of the wrong length", func() error { _, err := ParseCommitments(2, G); return err }, ErrEncoding},
		{"partial decryption of trustee 0", func() error {
			_, err := ParsePartialDecryption(1, append(make([]byte, 4), bytes.Repeat(G, 4)...))
			return err
		}, ErrEncoding},
		{"partial decryption with scalar ℓ", func() error {
			_, err := ParsePartialDecryption(1, append(append([]byte{0, 0, 0, 1}, bytes.Repeat(G, 3)...), ell...))
			return err
		}, ErrEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.parse(); !errors.Is(err, tc.want) {
				t.Fatalf("got %v, want %v", err, tc.want)
			}
		})
	}
	// A ballot whose first point is non-canonical, then identity A.
	kp := testKey(t, "k")
	b, err := Cast(testContext(kp, "a"), SingleChoice(2), []int{1, 0}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range [][]byte{p, identity} {
		raw := append([]byte(nil), b.Bytes()...)
		copy(raw, bad)
		if _, err := ParseBallot(SingleChoice(2), raw); err == nil {
			t.Fatalf("ballot starting %x parsed", bad[:4])
		}
	}
}

// TestBatchEqualsOneByOne: VerifyAll gives exactly the errors of Verify,
// with a bad ballot anywhere in a batch found and located.
func TestBatchEqualsOneByOne(t *testing.T) {
	kp := testKey(t, "k")
	race := SingleChoice(4)
	var items []Item
	for v := 0; v < 2*BatchSize+5; v++ {
		ctx := testContext(kp, fmt.Sprintf("voter-%d", v))
		votes := []int{0, 0, 0, 0}
		votes[v%4] = 1
		b, err := Cast(ctx, race, votes, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, Item{ctx, race, b})
	}
	if err := VerifyBatch(items, rand.Reader); err != nil {
		t.Fatalf("all valid: %v", err)
	}
	badTwo, err := castUnchecked(items[3].Context, race, []int{1, 1, 0, 0}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		bad  map[int]func(Item) Item
	}{
		{"none", nil},
		{"one copied ballot in the first batch", map[int]func(Item) Item{
			7: func(it Item) Item { it.Context.VoterKey = []byte("mallory"); return it }}},
		{"two choices, last ballot", map[int]func(Item) Item{
			len(items) - 1: func(it Item) Item { it.Ballot = badTwo; return it }}},
		{"one in each batch", map[int]func(Item) Item{
			0:             func(it Item) Item { it.Ballot = items[1].Ballot; return it },
			BatchSize + 1: func(it Item) Item { it.Context.ElectionID = []byte("other"); return it },
			2 * BatchSize: func(it Item) Item { it.Ballot = badTwo; return it }}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mixed := append([]Item(nil), items...)
			for i, f := range tc.bad {
				mixed[i] = f(mixed[i])
			}
			errs := VerifyAll(mixed, 2, rand.Reader)
			for i, it := range mixed {
				one := it.Ballot.Verify(it.Context, it.Race)
				if (one == nil) != (errs[i] == nil) || (one == nil) != (tc.bad[i] == nil) {
					t.Fatalf("ballot %d: batch %v, one by one %v, bad %v", i, errs[i], one, tc.bad[i] != nil)
				}
			}
			if err := VerifyBatch(mixed, rand.Reader); (err == nil) != (len(tc.bad) == 0) {
				t.Fatalf("VerifyBatch = %v with %d bad", err, len(tc.bad))
			}
		})
	}
}

func TestDKG(t *testing.T) {
	tests := []struct {
		name      string
		t, n      int
		cheat     map[int]bool
		decryptBy []int
		failKey   bool
	}{
		{name: "honest 3 of 5", t: 3, n: 5, decryptBy: []int{1, 2, 3}},
		{name: "one cheating dealer", t: 3, n: 5, cheat: map[int]bool{4: true}, decryptBy: []int{4, 1, 5}},
		{name: "n−t cheating dealers", t: 3, n: 5, cheat: map[int]bool{2: true, 5: true}, decryptBy: []int{3, 1, 4}},
		{name: "more than n−t cheating dealers: no key", t: 3, n: 5, cheat: map[int]bool{1: true, 2: true, 3: true}, failKey: true},
		{name: "1 of 1", t: 1, n: 1, decryptBy: []int{1}},
		{name: "4 of 7", t: 4, n: 7, cheat: map[int]bool{7: true}, decryptBy: []int{7, 6, 2, 1}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e, err := runDKG(t, tc.t, tc.n, tc.cheat, tc.name)
			if tc.failKey {
				if !errors.Is(err, ErrInput) {
					t.Fatalf("JointKey = %v, want ErrInput", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, j := range e.qualified {
				if tc.cheat[j] {
					t.Fatalf("cheating dealer %d kept", j)
				}
			}
			if len(e.qualified) != tc.n-len(tc.cheat) {
				t.Fatalf("qualified %v", e.qualified)
			}
			// The joint secret Σ a_{i,0} is interpolated by any t trustees.
			ctx := electionContext(e, "")
			r := smallScalar(12345)
			agg := []Ciphertext{Encrypt(e.key, 42, r), Encrypt(e.key, 0, r)}
			got, err := tally(t, e, ctx, agg, tc.decryptBy, 100)
			if err != nil {
				t.Fatal(err)
			}
			if got[0] != 42 || got[1] != 0 {
				t.Fatalf("decrypted %v, want [42 0]", got)
			}
		})
	}
}

func TestResolveComplaint(t *testing.T) {
	d, err := NewDealer(2, 2, 3, newDetRand("complaint"))
	if err != nil {
		t.Fatal(err)
	}
	c := d.Commitments()
	good, _ := d.Share(3)
	tests := []struct {
		name     string
		revealed []byte
		want     error
	}{
		{"the true share: complaint rejected", encScalar(good), nil},
		{"a wrong share: dealer cheated", encScalar(ristretto255.NewScalar().Add(good, good)), ErrShare},
		{"no answer: dealer cheated", nil, ErrShare},
		{"garbage: dealer cheated", bytes.Repeat([]byte{0xff}, 32), ErrEncoding},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := ResolveComplaint(c, 3, tc.revealed)
			if !errors.Is(err, tc.want) || (tc.want == nil && s.Equal(good) != 1) {
				t.Fatalf("ResolveComplaint = %v, %v; want %v", s, err, tc.want)
			}
		})
	}
}

func TestPartialDecryptionRefused(t *testing.T) {
	e, err := runDKG(t, 2, 3, nil, "partial")
	if err != nil {
		t.Fatal(err)
	}
	ctx := electionContext(e, "")
	agg := []Ciphertext{Encrypt(e.key, 3, smallScalar(9)), Encrypt(e.key, 1, smallScalar(10))}
	good, err := e.trustees[1].Decrypt(ctx, agg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	if err := good.Verify(ctx, agg, e.vks[2]); err != nil {
		t.Fatal(err)
	}
	wrongShare := Trustee{Index: 2, Share: ristretto255.NewScalar().Add(e.trustees[1].Share, smallScalar(1))}
	bad, err := wrongShare.Decrypt(ctx, agg, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		p    *PartialDecryption
		ctx  Context
		vk   *ristretto255.Element
		cts  []Ciphertext
	}{
		{"a wrong share", bad, ctx, e.vks[2], agg},
		{"another trustee's key", good, ctx, e.vks[3], agg},
		{"another election", good, Context{ElectionID: []byte("x"), ChainID: ctx.ChainID, PublicKey: ctx.PublicKey}, e.vks[2], agg},
		{"other ciphertexts", good, ctx, e.vks[2], []Ciphertext{agg[1], agg[0]}},
		{"too few ciphertexts", good, ctx, e.vks[2], agg[:1]},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.p.Verify(tc.ctx, tc.cts, tc.vk)
			if err == nil {
				t.Fatal("accepted")
			}
			if !bytes.Contains([]byte(err.Error()), []byte("trustee 2")) {
				t.Fatalf("error %q does not name the trustee", err)
			}
		})
	}
	raw := good.Bytes()
	for i := range raw {
		b := append([]byte(nil), raw...)
		b[i] ^= 0x04
		p, err := ParsePartialDecryption(2, b)
		if err == nil {
			err = p.Verify(ctx, agg, e.vks[2])
		}
		if err == nil {
			t.Fatalf("byte %d flipped: accepted", i)
		}
	}
}

func TestDlogTable(t *testing.T) {
	tests := []struct {
		max, m uint64
		ok     bool
	}{
		{0, 0, true}, {0, 1, false}, {1, 1, true}, {99, 99, true}, {99, 100, false},
		{100000, 0, true}, {100000, 99999, true}, {100000, 100000, true}, {100000, 100001, false}, {100000, 316 * 316, true}, {100000, 317 * 317, false},
	}
	for _, tc := range tests {
		table, err := NewDlogTable(tc.max)
		if err != nil {
			t.Fatal(err)
		}
		got, err := table.Log(ristretto255.NewElement().ScalarBaseMult(smallScalar(tc.m)))
		if tc.ok && (err != nil || got != tc.m) {
			t.Errorf("max %d: Log(%d) = %d, %v", tc.max, tc.m, got, err)
		}
		if !tc.ok && !errors.Is(err, ErrNoLog) {
			t.Errorf("max %d: Log(%d) = %d, %v; want ErrNoLog", tc.max, tc.m, got, err)
		}
	}
}

// TestGraftedProofsRefused: the proofs of one valid ballot on the
// ciphertexts of another valid ballot (same voter, same election), and a
// valid ballot's proofs with two choices swapped, are refused.
func TestGraftedProofsRefused(t *testing.T) {
	kp := testKey(t, "k")
	ctx := testContext(kp, "alice")
	race := SingleChoice(3)
	b1, err := Cast(ctx, race, []int{1, 0, 0}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	b2, err := Cast(ctx, race, []int{0, 0, 1}, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	ctSize := race.Choices * CiphertextSize
	grafted := append(append([]byte(nil), b2.Bytes()[:ctSize]...), b1.Bytes()[ctSize:]...)
	swapped := append([]byte(nil), b1.Bytes()...)
	copy(swapped[:CiphertextSize], b1.Bytes()[2*CiphertextSize:3*CiphertextSize])
	copy(swapped[2*CiphertextSize:3*CiphertextSize], b1.Bytes()[:CiphertextSize])
	for name, raw := range map[string][]byte{"ciphertexts of another ballot": grafted, "two ciphertexts swapped": swapped} {
		b, err := ParseBallot(race, raw)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Verify(ctx, race); !errors.Is(err, ErrProof) {
			t.Errorf("%s: Verify = %v, want ErrProof", name, err)
		}
	}
}
