package trustee_test

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/trustee"
)

// dkg is a key generation among trustees, run in the tests through Seal and
// Open as the transactions would carry it.
type dkg struct {
	t, n        int
	secrets     []*trustee.Secret // secrets[i-1] is trustee i's
	commitments map[int][]byte    // dealer -> published commitments
	recipients  map[int]string    // trustee -> published age recipient
	sealed      map[int]map[int][]byte
}

func newDKG(t *testing.T, th, n int, seed string) *dkg {
	t.Helper()
	rng := ballot.TestRandomness([]byte(seed))
	d := &dkg{t: th, n: n, commitments: map[int][]byte{}, recipients: map[int]string{}, sealed: map[int]map[int][]byte{}}
	for i := 1; i <= n; i++ {
		s, err := trustee.New(fmt.Sprintf("folkmoot-test/proposal/%s", seed), i, th, n, rng)
		if err != nil {
			t.Fatal(err)
		}
		d.secrets = append(d.secrets, s)
		if d.commitments[i], err = s.Commitments(); err != nil {
			t.Fatal(err)
		}
		if d.recipients[i], err = s.Recipient(); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range d.secrets {
		sealed, err := s.Seal(d.recipients)
		if err != nil {
			t.Fatal(err)
		}
		if _, own := sealed[i+1]; own || len(sealed) != n-1 {
			t.Fatalf("dealer %d sealed for %v", i+1, slices.Sorted(maps.Keys(sealed)))
		}
		d.sealed[i+1] = sealed
	}
	return d
}

// shares opens every share sealed for trustee j from the dealers in qual,
// with j's own (empty: computed) when j is qualified.
func (d *dkg) shares(t *testing.T, j int, qual []int) map[int][]byte {
	t.Helper()
	out := map[int][]byte{}
	for _, i := range qual {
		if i == j {
			out[i] = nil
			continue
		}
		sh, err := d.secrets[j-1].Open(i, d.commitments[i], d.sealed[i][j])
		if err != nil {
			t.Fatalf("trustee %d opens dealer %d: %v", j, i, err)
		}
		out[i] = sh
	}
	return out
}

func (d *dkg) jointKey(t *testing.T, qual []int) []byte {
	t.Helper()
	var cs []ballot.Commitments
	for _, i := range qual {
		c, err := ballot.ParseCommitments(d.t, d.commitments[i])
		if err != nil {
			t.Fatal(err)
		}
		cs = append(cs, c)
	}
	X, err := ballot.JointKey(d.t, cs)
	if err != nil {
		t.Fatal(err)
	}
	return X.Encode(nil)
}

// TestElection runs whole elections through the trustees' steps: a t-of-n
// key generation through Seal and Open, the joint key, ballots cast under
// it, their sum, t partial decryptions made by Decrypt and checked against
// each trustee's verification key, and ballot.Combine giving the counts.
func TestElection(t *testing.T) {
	for _, c := range []struct {
		name       string
		th, n      int
		qual       []int // qualified dealers (the others are left out)
		decrypters []int
		votes      [][]int
		want       []uint64
	}{
		{"3 of 5, all qualified", 3, 5, []int{1, 2, 3, 4, 5}, []int{5, 2, 4},
			[][]int{{1, 0, 0}, {0, 0, 1}, {0, 0, 1}, {0, 1, 0}, {0, 0, 1}}, []uint64{1, 1, 3}},
		{"3 of 5, dealer 2 disqualified, it still decrypts", 3, 5, []int{1, 3, 4, 5}, []int{1, 2, 3},
			[][]int{{0, 1}, {0, 1}, {1, 0}}, []uint64{1, 2}},
		{"1 of 1", 1, 1, []int{1}, []int{1}, [][]int{{1, 0}}, []uint64{1, 0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := newDKG(t, c.th, c.n, c.name)
			X := d.jointKey(t, c.qual)
			race := ballot.SingleChoice(len(c.want))
			var cts [][]ballot.Ciphertext
			for v, votes := range c.votes {
				ctx := ballot.Context{ElectionID: []byte("proposal-1"), ChainID: "folkmoot-test", PublicKey: X, VoterKey: []byte{byte(v)}}
				b, err := ballot.Cast(ctx, race, votes, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				cts = append(cts, b.Ciphertexts())
			}
			agg, err := ballot.Sum(race.Choices, cts)
			if err != nil {
				t.Fatal(err)
			}
			ctx := ballot.Context{ElectionID: []byte("proposal-1"), ChainID: "folkmoot-test", PublicKey: X}
			var qc []ballot.Commitments
			for _, i := range c.qual {
				cm, _ := ballot.ParseCommitments(c.th, d.commitments[i])
				qc = append(qc, cm)
			}
			var parts []*ballot.PartialDecryption
			for _, j := range c.decrypters {
				raw, err := d.secrets[j-1].Decrypt(ctx, d.shares(t, j, c.qual), agg, rand.Reader)
				if err != nil {
					t.Fatal(err)
				}
				p, err := ballot.ParsePartialDecryption(race.Choices, raw)
				if err != nil {
					t.Fatal(err)
				}
				if p.Index != j {
					t.Errorf("partial of trustee %d says %d", j, p.Index)
				}
				if err := p.Verify(ctx, agg, ballot.VerificationKey(qc, j)); err != nil {
					t.Fatalf("partial of trustee %d: %v", j, err)
				}
				parts = append(parts, p)
			}
			table, _ := ballot.NewDlogTable(uint64(len(c.votes)))
			got, err := ballot.Combine(agg, parts, c.th, table)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("counts %v, want %v", got, c.want)
			}
		})
	}
}

// TestCheatingDealer: a dealer that seals a share off its polynomial is
// caught by Open (ErrBadShare); its Reveal answers the complaint, which
// ballot.ResolveComplaint accepts when the revealed share is honest (the
// complainant then uses it) and refuses when the dealer reveals the bad
// one again (it is disqualified).
func TestCheatingDealer(t *testing.T) {
	d := newDKG(t, 3, 5, "cheat")
	cheat, victim := d.secrets[1], 4 // dealer 2 cheats trustee 4
	other := d.secrets[2]            // trustee 3's polynomial: a valid scalar, the wrong share
	wrong, err := other.Reveal(victim)
	if err != nil {
		t.Fatal(err)
	}
	d.sealed[2][victim] = sealTo(t, d.recipients[victim], wrong)

	_, err = d.secrets[victim-1].Open(2, d.commitments[2], d.sealed[2][victim])
	if !errors.Is(err, trustee.ErrBadShare) || !errors.Is(err, ballot.ErrShare) {
		t.Fatalf("open of a wrong share: %v, want ErrBadShare and ballot.ErrShare", err)
	}
	if !strings.Contains(err.Error(), "dealer 2") {
		t.Errorf("error does not name the dealer: %v", err)
	}
	comm, _ := ballot.ParseCommitments(3, d.commitments[2])

	honest, err := cheat.Reveal(victim)
	if err != nil {
		t.Fatal(err)
	}
	s, err := ballot.ResolveComplaint(comm, victim, honest)
	if err != nil {
		t.Fatalf("honest answer refused: %v", err)
	}
	if !bytes.Equal(s.Encode(nil), honest) {
		t.Error("resolved share is not the revealed one")
	}
	if _, err := ballot.ResolveComplaint(comm, victim, wrong); !errors.Is(err, ballot.ErrShare) {
		t.Errorf("revealing the wrong share again: %v, want disqualification (ErrShare)", err)
	}
	// The complainant uses the revealed share: its key still works.
	shares := d.shares(t, victim, []int{1, 3, 5})
	shares[2] = honest
	shares[victim] = nil
	if _, err := d.secrets[victim-1].Key(shares); err != nil {
		t.Fatal(err)
	}
	if _, err := cheat.Reveal(2); !errors.Is(err, ballot.ErrInput) {
		t.Errorf("dealer 2 reveals its own share: %v", err)
	}
}

func sealTo(t *testing.T, recipient string, plain []byte) []byte {
	t.Helper()
	r, err := age.ParseX25519Recipient(recipient)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w, err := age.Encrypt(&buf, r)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(plain)
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestOpenRefuses: every way a dealer can fail the trustee is ErrBadShare
// (a complaint); the caller's own mistakes are not.
func TestOpenRefuses(t *testing.T) {
	d := newDKG(t, 2, 3, "refuse")
	me := d.secrets[2] // trustee 3
	good := d.sealed[1][3]
	share, _ := d.secrets[0].Reveal(3)
	for _, c := range []struct {
		name   string
		dealer int
		comm   []byte
		sealed []byte
		bad    bool // ErrBadShare: complain
		says   string
	}{
		{"sealed to someone else", 1, d.commitments[1], d.sealed[1][2], true, "does not decrypt"},
		{"nothing sealed", 1, d.commitments[1], nil, true, "nothing sealed"},
		{"not age", 1, d.commitments[1], []byte("hello"), true, "does not decrypt"},
		{"truncated", 1, d.commitments[1], good[:len(good)-1], true, "does not decrypt"},
		{"33 bytes sealed", 1, d.commitments[1], sealTo(t, d.recipients[3], append(share, 0)), true, "sealed 33 bytes"},
		{"31 bytes sealed", 1, d.commitments[1], sealTo(t, d.recipients[3], share[:31]), true, "sealed 31 bytes"},
		{"not reduced", 1, d.commitments[1], sealTo(t, d.recipients[3], bytes.Repeat([]byte{0xff}, 32)), true, "not a scalar"},
		{"another dealer's commitments", 1, d.commitments[2], good, true, "off the dealer's committed polynomial"},
		{"huge", 1, d.commitments[1], make([]byte, 4096), true, "more than"},
		{"own number", 3, d.commitments[1], good, false, "not another trustee"},
		{"dealer 0", 0, d.commitments[1], good, false, "not another trustee"},
		{"short commitments", 1, d.commitments[1][:32], good, false, "commitments"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := me.Open(c.dealer, c.comm, c.sealed)
			if err == nil {
				t.Fatalf("opened %x", got)
			}
			if errors.Is(err, trustee.ErrBadShare) != c.bad {
				t.Errorf("ErrBadShare = %v, want %v: %v", !c.bad, c.bad, err)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not say %q", err, c.says)
			}
		})
	}
	if got, err := me.Open(1, d.commitments[1], good); err != nil || !bytes.Equal(got, share) {
		t.Errorf("the good share: %x, %v; want %x", got, err, share)
	}
}

// TestSecretJSON: a secret survives its JSON (what the keystore and the
// browser keep), and Parse refuses a damaged one.
func TestSecretJSON(t *testing.T) {
	s, err := trustee.New("c/proposal/1", 2, 2, 3, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"election":"c/proposal/1"`, `"index":2`, `"t":2`, `"n":3`, `"identity":"AGE-SECRET-KEY-1`, `"coefficients":[`} {
		if !strings.Contains(string(raw), field) {
			t.Errorf("JSON lacks %s: %s", field, raw)
		}
	}
	back, err := trustee.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	c1, _ := s.Commitments()
	c2, _ := back.Commitments()
	r1, _ := s.Recipient()
	r2, _ := back.Recipient()
	if !bytes.Equal(c1, c2) || r1 != r2 || !strings.HasPrefix(r1, "age1") {
		t.Error("the parsed secret is another trustee")
	}
	for _, c := range []struct{ name, json, says string }{
		{"not JSON", `{`, "trustee secret"},
		{"index above n", `{"index":4,"t":2,"n":3,"identity":"` + s.Identity + `","coefficients":["` + b64(s.Coeffs[0]) + `","` + b64(s.Coeffs[1]) + `"]}`, "index 4"},
		{"one coefficient for t=2", `{"index":1,"t":2,"n":3,"identity":"` + s.Identity + `","coefficients":["` + b64(s.Coeffs[0]) + `"]}`, "1 coefficients"},
		{"bad identity", `{"index":1,"t":2,"n":3,"identity":"AGE-SECRET-KEY-1XYZ","coefficients":["` + b64(s.Coeffs[0]) + `","` + b64(s.Coeffs[1]) + `"]}`, "age identity"},
	} {
		if _, err := trustee.Parse([]byte(c.json)); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.says)
		}
	}
}

func b64(b []byte) string {
	s, _ := json.Marshal(b)
	return strings.Trim(string(s), `"`)
}

// TestKeyRefuses: too few dealers, a wrong own share, a bad scalar.
func TestKeyRefuses(t *testing.T) {
	d := newDKG(t, 2, 3, "key")
	me := d.secrets[0]
	other, _ := d.secrets[1].Reveal(1)
	for _, c := range []struct {
		name   string
		shares map[int][]byte
		says   string
	}{
		{"one dealer of two needed", map[int][]byte{1: nil}, "need at least 2"},
		{"own share wrong", map[int][]byte{1: other, 2: other}, "not f(1)"},
		{"dealer 4 of 3", map[int][]byte{1: nil, 4: other}, "dealer 4"},
		{"short share", map[int][]byte{1: nil, 2: other[:31]}, "share of dealer 2"},
	} {
		if _, err := me.Key(c.shares); err == nil || !strings.Contains(err.Error(), c.says) || !errors.Is(err, ballot.ErrInput) && !errors.Is(err, ballot.ErrEncoding) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.says)
		}
	}
}

// TestSealRefuses: a recipient that is not age X25519, a trustee number
// outside 1..n.
func TestSealRefuses(t *testing.T) {
	s, _ := trustee.New("x", 1, 2, 3, rand.Reader)
	r, _ := s.Recipient()
	for _, c := range []struct {
		name string
		rs   map[int]string
		says string
	}{
		{"not a recipient", map[int]string{2: "age1nope"}, "trustee 2: recipient"},
		{"an identity", map[int]string{2: s.Identity}, "trustee 2: recipient"},
		{"trustee 4 of 3", map[int]string{4: r}, "trustee 4"},
	} {
		if _, err := s.Seal(c.rs); err == nil || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v, want an error saying %q", c.name, err, c.says)
		}
	}
}

// FuzzOpen: whatever bytes arrive as a sealed share, Open either returns a
// share that lies on the dealer's polynomial or an error, and never
// panics.
func FuzzOpen(f *testing.F) {
	rng := ballot.TestRandomness([]byte("fuzz"))
	me, _ := trustee.New("fuzz", 2, 2, 2, rng)
	dealer, _ := trustee.New("fuzz", 1, 2, 2, rng)
	r, _ := me.Recipient()
	sealed, _ := dealer.Seal(map[int]string{2: r})
	comm, _ := dealer.Commitments()
	want, _ := dealer.Reveal(2)
	f.Add(sealed[2])
	f.Add([]byte("age-encryption.org/v1\n-> X25519 \n"))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, b []byte) {
		got, err := me.Open(1, comm, b)
		if err == nil && !bytes.Equal(got, want) {
			t.Fatalf("opened %x, the dealer's share is %x", got, want)
		}
		if err != nil && !errors.Is(err, trustee.ErrBadShare) {
			t.Fatalf("a bad sealed share is not a complaint: %v", err)
		}
	})
}
