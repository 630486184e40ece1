package core_test

import (
	"bytes"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/gtank/ristretto255"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// trusteeKit is what one trustee keeps in a test: its age identity and its
// dealer polynomial.
type trusteeKit struct {
	name   string
	index  int
	id     *age.X25519Identity
	dealer *ballot.Dealer
}

// secretWorld is a world with a secret proposal whose trustees are alice,
// bob and carol, 2 of 3.
type secretWorld struct {
	*world
	id   uint64
	kits []*trusteeKit
}

const secretLead = 40 * time.Second

// proposeSecret has alice propose a secret vote opening in secretLead,
// with the constitution's key period set to 20s.
func newSecretWorld(t *testing.T, p tx.Propose) *secretWorld {
	t.Helper()
	w := newWorld(t)
	w.s = nil
	w.app = secretApp(t, w)
	s, err := core.New(coretest.ChainID, w.now, w.app)
	if err != nil {
		t.Fatal(err)
	}
	w.s = s
	sw := &secretWorld{world: w}
	opens := w.now.Add(time.Second + secretLead).Unix()
	p.Title, p.Category, p.Opens, p.Closes, p.Secret = "Build the bridge", "general", opens, opens+60, true
	if p.Trustees == nil {
		p.Trustees = []uint32{1, 2, 3}
	}
	w.ok(w.m["alice"].Sign(&p))
	sw.id = uint64(len(w.s.Proposals()))
	for i, n := range []string{"alice", "bob", "carol"} {
		id, err := age.GenerateX25519Identity()
		if err != nil {
			t.Fatal(err)
		}
		pr, _ := w.s.Proposal(sw.id)
		d, err := ballot.NewDealer(i+1, int(pr.Secret.Threshold), 3, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		sw.kits = append(sw.kits, &trusteeKit{name: n, index: i + 1, id: id, dealer: d})
	}
	return sw
}

func secretApp(t *testing.T, w *world) []byte {
	t.Helper()
	app := strings.TrimSuffix(string(w.app), "}}")
	return []byte(app + `,"secret":{"key_period":"20s","decrypt_period":"30s"}}}`)
}

func (sw *secretWorld) commit(k *trusteeKit) []byte {
	return sw.m[k.name].Sign(&tx.TrusteeCommit{Proposal: sw.id, Recipient: k.id.Recipient().String(), Commitments: k.dealer.Commitments().Bytes()})
}

// shares seals k's shares to the others; bad names a trustee who gets a
// wrong share.
func (sw *secretWorld) shares(k *trusteeKit, bad int) []byte {
	sw.t.Helper()
	var out []tx.SealedShare
	for _, o := range sw.kits {
		if o == k {
			continue
		}
		s, err := k.dealer.Share(o.index)
		if err != nil {
			sw.t.Fatal(err)
		}
		plain := s.Encode(nil)
		if o.index == bad {
			plain = ristretto255.NewScalar().Add(s, ristretto255.NewScalar().FromUniformBytes(bytes.Repeat([]byte{1}, 64))).Encode(nil)
		}
		var buf bytes.Buffer
		wc, err := age.Encrypt(&buf, o.id.Recipient())
		if err != nil {
			sw.t.Fatal(err)
		}
		wc.Write(plain)
		wc.Close()
		out = append(out, tx.SealedShare{To: uint32(o.index), Sealed: buf.Bytes()})
	}
	return sw.m[k.name].Sign(&tx.TrusteeShares{Proposal: sw.id, Shares: out})
}

// keyGen runs an honest key generation and opens the vote.
func (sw *secretWorld) keyGen() {
	sw.t.Helper()
	var commits, shares [][]byte
	for _, k := range sw.kits {
		commits = append(commits, sw.commit(k))
		shares = append(shares, sw.shares(k, 0))
	}
	sw.ok(commits...)
	sw.ok(shares...)
	sw.openVote()
}

func (sw *secretWorld) openVote() {
	sw.t.Helper()
	p, _ := sw.s.Proposal(sw.id)
	sw.block(time.Duration(p.Opens - sw.now.UnixNano()))
}

func (sw *secretWorld) cast(name string, votes ...int) []byte {
	sw.t.Helper()
	return sw.m[name].Sign(&tx.SecretBallot{Proposal: sw.id, Ballot: sw.ballotBytes(name, votes...)})
}

func (sw *secretWorld) ballotBytes(name string, votes ...int) []byte {
	sw.t.Helper()
	p, _ := sw.s.Proposal(sw.id)
	if p.Secret.Key == nil {
		return make([]byte, ballot.BallotSize(p.Secret.Race()))
	}
	b, err := ballot.Cast(sw.s.BallotContext(p, sw.m[name].Key), p.Secret.Race(), votes, rand.Reader)
	if err != nil {
		sw.t.Fatal(err)
	}
	return b.Bytes()
}

// partial has trustee k decrypt the tally, opening its shares from the
// record.
func (sw *secretWorld) partial(k *trusteeKit) []byte {
	sw.t.Helper()
	return sw.m[k.name].Sign(&tx.TrusteeDecrypt{Proposal: sw.id, Partial: sw.partialBytes(k)})
}

func (sw *secretWorld) partialBytes(k *trusteeKit) []byte {
	sw.t.Helper()
	p, _ := sw.s.Proposal(sw.id)
	v := p.Secret
	var shares []*ristretto255.Scalar
	for _, q := range v.Qualified {
		if int(q) == k.index {
			s, _ := k.dealer.Share(k.index)
			shares = append(shares, s)
			continue
		}
		d := v.Dealers[q-1]
		var plain []byte
		for _, c := range d.Complaints {
			if int(c.By) == k.index {
				plain = c.Share
			}
		}
		if plain == nil {
			for _, sh := range d.Shares {
				if int(sh.To) == k.index {
					r, err := age.Decrypt(bytes.NewReader(sh.Sealed), k.id)
					if err != nil {
						sw.t.Fatal(err)
					}
					plain, _ = io.ReadAll(r)
				}
			}
		}
		s, err := ballot.DecodeScalar(plain)
		if err != nil {
			sw.t.Fatal(err)
		}
		shares = append(shares, s)
	}
	cts, err := v.AggregateCiphertexts()
	if err != nil {
		sw.t.Fatal(err)
	}
	tr := ballot.Trustee{Index: k.index, Share: ballot.CombineShares(shares)}
	pd, err := tr.Decrypt(ballot.Context{ElectionID: core.ElectionID(sw.id), ChainID: coretest.ChainID, PublicKey: v.Key}, cts, rand.Reader)
	if err != nil {
		sw.t.Fatal(err)
	}
	return pd.Bytes()
}

func (sw *secretWorld) closeVote() {
	sw.t.Helper()
	p, _ := sw.s.Proposal(sw.id)
	sw.block(time.Duration(p.Closes-sw.now.UnixNano()) + time.Second)
}

func TestSecretReferendum(t *testing.T) {
	sw := newSecretWorld(t, tx.Propose{})
	sw.keyGen()
	p, _ := sw.s.Proposal(sw.id)
	if p.Status != core.Open || len(p.Secret.Key) != 32 || len(p.Secret.Qualified) != 3 {
		t.Fatalf("after key generation: %v %x %v %q", p.Status, p.Secret.Key, p.Secret.Qualified, p.Secret.Cancelled)
	}
	// Alice votes no, then changes her mind: the last ballot counts.
	sw.ok(sw.cast("alice", 0, 1, 0), sw.cast("bob", 1, 0, 0))
	sw.ok(sw.cast("alice", 1, 0, 0), sw.cast("carol", 0, 0, 1))
	if len(p.Secret.Ballots) != 3 || len(p.Secret.Tracking) != 4 {
		t.Fatalf("%d counted, %d cast", len(p.Secret.Ballots), len(p.Secret.Tracking))
	}
	sw.closeVote()
	if p.Status != core.Counting {
		t.Fatalf("status %v after the close", p.Status)
	}
	sw.ok(sw.partial(sw.kits[2]))
	if p.Status != core.Counting {
		t.Fatal("decided with one partial decryption of two")
	}
	r := sw.ok(sw.partial(sw.kits[0]))
	if p.Status != core.Decided || fmt.Sprint(p.Secret.Counts) != "[2 0 1]" || !p.Result.Passed || p.Result.Yes != 2 || p.Result.Abstain != 1 {
		t.Fatalf("decided %v counts %v result %+v", p.Status, p.Secret.Counts, p.Result)
	}
	var types []core.FactType
	for _, l := range r.Txs[0].Leaves {
		f, err := core.DecodeFact(l)
		if err != nil {
			t.Fatal(err)
		}
		types = append(types, f.Type)
	}
	if fmt.Sprint(types) != fmt.Sprint([]core.FactType{core.FactTx, core.FactSecretTally, core.FactDecided}) {
		t.Fatalf("facts %v", types)
	}
	// A third decryption comes too late.
	refuses(t, sw.s, sw.partial(sw.kits[1]), reject.NotDecrypting, "already decided")
	sw.replay()
}

func TestSecretApproval(t *testing.T) {
	sw := newSecretWorld(t, tx.Propose{Options: []string{"oak", "lime", "ash", "elm"}, Approve: 2})
	sw.keyGen()
	sw.ok(sw.cast("alice", 1, 1, 0, 0), sw.cast("bob", 0, 1, 0, 0), sw.cast("carol", 0, 0, 0, 0))
	sw.closeVote()
	sw.ok(sw.partial(sw.kits[1]), sw.partial(sw.kits[2]))
	p, _ := sw.s.Proposal(sw.id)
	if fmt.Sprint(p.Secret.Counts) != "[1 2 0 0]" || !p.Result.Passed {
		t.Fatalf("counts %v result %+v", p.Secret.Counts, p.Result)
	}
	if w, unique := p.Secret.Winner(); w != 1 || !unique {
		t.Fatalf("winner %d %v", w, unique)
	}
	sw.replay()
}

func TestSecretNotDecrypted(t *testing.T) {
	sw := newSecretWorld(t, tx.Propose{})
	sw.keyGen()
	sw.ok(sw.cast("bob", 1, 0, 0))
	sw.closeVote()
	sw.ok(sw.partial(sw.kits[0]))
	sw.block(31 * time.Second)
	p, _ := sw.s.Proposal(sw.id)
	if p.Status != core.Decided || !p.Secret.NotDecrypted || p.Result.Passed {
		t.Fatalf("%v %v %+v", p.Status, p.Secret.NotDecrypted, p.Result)
	}
	sw.replay()
}

func TestSecretKeyGenerationWithCheaters(t *testing.T) {
	t.Run("one cheating dealer is disqualified, the vote goes on", func(t *testing.T) {
		sw := newSecretWorld(t, tx.Propose{})
		k := sw.kits
		sw.ok(sw.commit(k[0]), sw.commit(k[1]), sw.commit(k[2]))
		// Carol deals bob a wrong share; bob complains; carol answers with
		// the same wrong share and is disqualified.
		sw.ok(sw.shares(k[0], 0), sw.shares(k[1], 0), sw.shares(k[2], 2))
		sw.ok(sw.m["bob"].Sign(&tx.TrusteeComplain{Proposal: sw.id, Dealer: 3}))
		bad, _ := k[2].dealer.Share(2)
		wrong := ristretto255.NewScalar().Add(bad, ristretto255.NewScalar().FromUniformBytes(bytes.Repeat([]byte{1}, 64)))
		r := sw.ok(sw.m["carol"].Sign(&tx.TrusteeAnswer{Proposal: sw.id, Complainer: 2, Share: wrong.Encode(nil)}))
		if len(r.Txs[0].Events) != 2 {
			t.Fatalf("events %+v", r.Txs[0].Events)
		}
		sw.openVote()
		p, _ := sw.s.Proposal(sw.id)
		if p.Status != core.Open || fmt.Sprint(p.Secret.Qualified) != "[1 2]" || !strings.Contains(p.Secret.Dealers[2].Disqualified, "does not fit") {
			t.Fatalf("%v %v %q", p.Status, p.Secret.Qualified, p.Secret.Dealers[2].Disqualified)
		}
		sw.ok(sw.cast("alice", 0, 1, 0), sw.cast("bob", 0, 1, 0))
		sw.closeVote()
		// Carol, disqualified as a dealer, still holds a share and decrypts.
		sw.ok(sw.partial(k[2]), sw.partial(k[1]))
		if p.Status != core.Decided || fmt.Sprint(p.Secret.Counts) != "[0 2 0]" {
			t.Fatalf("%v %v", p.Status, p.Secret.Counts)
		}
		sw.replay()
	})
	t.Run("an honest answer keeps the dealer", func(t *testing.T) {
		sw := newSecretWorld(t, tx.Propose{})
		k := sw.kits
		sw.ok(sw.commit(k[0]), sw.commit(k[1]), sw.commit(k[2]))
		sw.ok(sw.shares(k[0], 0), sw.shares(k[1], 0), sw.shares(k[2], 0))
		sw.ok(sw.m["bob"].Sign(&tx.TrusteeComplain{Proposal: sw.id, Dealer: 1}))
		good, _ := k[0].dealer.Share(2)
		sw.ok(sw.m["alice"].Sign(&tx.TrusteeAnswer{Proposal: sw.id, Complainer: 2, Share: good.Encode(nil)}))
		sw.openVote()
		p, _ := sw.s.Proposal(sw.id)
		if fmt.Sprint(p.Secret.Qualified) != "[1 2 3]" {
			t.Fatalf("qualified %v", p.Secret.Qualified)
		}
	})
	t.Run("n-t cheaters: two silent dealers of three, threshold 2: cancelled", func(t *testing.T) {
		sw := newSecretWorld(t, tx.Propose{})
		k := sw.kits
		sw.ok(sw.commit(k[0]), sw.commit(k[1]), sw.commit(k[2]))
		sw.ok(sw.shares(k[0], 0))
		sw.openVote()
		p, _ := sw.s.Proposal(sw.id)
		if p.Status != core.Cancelled || !strings.Contains(p.Secret.Cancelled, "only 1 trustees qualified") {
			t.Fatalf("%v %q", p.Status, p.Secret.Cancelled)
		}
		refuses(t, sw.s, sw.cast("alice", 1, 0, 0), reject.VoteCancelled, "was cancelled")
		sw.replay()
	})
	t.Run("threshold 1 of 3 with two cheaters goes on", func(t *testing.T) {
		sw := newSecretWorld(t, tx.Propose{Threshold: 1})
		k := sw.kits
		sw.ok(sw.commit(k[0]), sw.commit(k[1]), sw.commit(k[2]))
		sw.ok(sw.shares(k[0], 0))
		sw.openVote()
		p, _ := sw.s.Proposal(sw.id)
		if p.Status != core.Open || fmt.Sprint(p.Secret.Qualified) != "[1]" {
			t.Fatalf("%v %v", p.Status, p.Secret.Qualified)
		}
	})
}

func TestSecretRejections(t *testing.T) {
	tests := []struct {
		name  string
		setup func(sw *secretWorld) []byte
		code  reject.Code
		says  string
	}{
		{"a ballot encrypting 2", func(sw *secretWorld) []byte {
			return sw.forged("alice", []int{2, 0, 0})
		}, reject.BadBallotProof, "proofs do not hold"},
		{"a ballot encrypting -1", func(sw *secretWorld) []byte {
			return sw.forged("alice", []int{-1, 1, 1})
		}, reject.BadBallotProof, "proofs do not hold"},
		{"two choices in a single-choice race", func(sw *secretWorld) []byte {
			return sw.forged("alice", []int{1, 1, 0})
		}, reject.BadBallotProof, "exactly 1 in all"},
		{"a ballot copied to another voter", func(sw *secretWorld) []byte {
			b := sw.cast("alice", 1, 0, 0)
			t, _ := tx.Decode(b)
			return sw.m["bob"].Sign(t.Body)
		}, reject.BadBallotProof, "proofs do not hold"},
		{"a reused ballot", func(sw *secretWorld) []byte {
			b := sw.cast("alice", 1, 0, 0)
			sw.ok(b)
			t, _ := tx.Decode(b)
			return sw.m["alice"].Sign(t.Body)
		}, reject.BallotReused, "already cast"},
		{"a malformed ballot", func(sw *secretWorld) []byte {
			return sw.m["alice"].Sign(&tx.SecretBallot{Proposal: sw.id, Ballot: []byte("not a ballot")})
		}, reject.BadBallotEncoding, "not a ballot of 3 choices"},
		{"a non-canonical point", func(sw *secretWorld) []byte {
			raw := sw.ballotBytes("alice", 1, 0, 0)
			for i := 0; i < 32; i++ {
				raw[i] = 0xff
			}
			return sw.m["alice"].Sign(&tx.SecretBallot{Proposal: sw.id, Ballot: raw})
		}, reject.BadBallotEncoding, "not a ballot"},
		{"a ballot from a non-member", func(sw *secretWorld) []byte {
			return sw.m["dave"].Sign(&tx.SecretBallot{Proposal: sw.id, Ballot: make([]byte, 100)})
		}, reject.NotMember, ""},
		{"an open ballot on a secret vote", func(sw *secretWorld) []byte {
			return sw.m["alice"].Ballot(sw.id, tx.Yes)
		}, reject.SecretVote, "is secret"},
		{"a ballot after close", func(sw *secretWorld) []byte {
			b := sw.cast("alice", 1, 0, 0)
			sw.closeVote()
			return b
		}, reject.BallotTooLate, "closed at"},
		{"a decryption from a non-trustee", func(sw *secretWorld) []byte {
			sw.admit("dave")
			return sw.m["dave"].Sign(&tx.TrusteeDecrypt{Proposal: sw.id, Partial: make([]byte, 10)})
		}, reject.NotTrustee, "not a trustee"},
		{"a decryption before close", func(sw *secretWorld) []byte {
			return sw.partialEarly()
		}, reject.NotDecrypting, "not awaiting decryption"},
		{"a wrong partial decryption names its trustee", func(sw *secretWorld) []byte {
			sw.ok(sw.cast("alice", 1, 0, 0))
			sw.closeVote()
			b := sw.partialBytes(sw.kits[1])
			b[len(b)-1] ^= 1 // the last response Z, still canonical with high probability
			b[len(b)-1] &= 0x0f
			return sw.m["bob"].Sign(&tx.TrusteeDecrypt{Proposal: sw.id, Partial: b})
		}, reject.BadDecryption, "trustee 2 (member 2)"},
		{"a commitment after the vote opened", func(sw *secretWorld) []byte {
			return sw.commit(sw.kits[0])
		}, reject.TrusteeWindow, "was due before"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sw := newSecretWorld(t, tx.Propose{})
			sw.keyGen()
			bad := tt.setup(sw)
			if _, err := sw.s.BeginBlock(sw.s.Height()+1, sw.now.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			refuses(t, sw.s, bad, tt.code, tt.says)
		})
	}
}

// forged makes a ballot of the vote's race with votes outside it, proved as
// an honest prover would: its proofs fail.
func (sw *secretWorld) forged(name string, votes []int) []byte {
	sw.t.Helper()
	p, _ := sw.s.Proposal(sw.id)
	m, _ := sw.s.Member(sw.m[name].Key)
	b, err := ballot.CastUnchecked(sw.s.BallotContext(p, m.Key), p.Secret.Race(), votes, rand.Reader)
	if err != nil {
		sw.t.Fatal(err)
	}
	return sw.m[name].Sign(&tx.SecretBallot{Proposal: sw.id, Ballot: b.Bytes()})
}

func (sw *secretWorld) partialEarly() []byte {
	return sw.m["alice"].Sign(&tx.TrusteeDecrypt{Proposal: sw.id, Partial: make([]byte, 4+128*3)})
}

func TestSecretProposalRejections(t *testing.T) {
	tests := []struct {
		name string
		p    tx.Propose
		lead time.Duration
		code reject.Code
		says string
	}{
		{"no trustees", tx.Propose{Trustees: []uint32{}}, secretLead, reject.BadTrustees, "needs trustees"},
		{"a trustee who is not a member", tx.Propose{Trustees: []uint32{1, 9}}, secretLead, reject.BadTrustees, "trustee 9 is not a current member"},
		{"threshold above the trustees", tx.Propose{Trustees: []uint32{1, 2}, Threshold: 3}, secretLead, reject.BadTrustees, "threshold"},
		{"too soon for the key", tx.Propose{Trustees: []uint32{1, 2}}, 5 * time.Second, reject.KeyTooSoon, "at least 20s"},
		{"options with a measure", tx.Propose{Trustees: []uint32{1}, Options: []string{"a", "b"}, Measure: tx.Enact}, secretLead, reject.BadOptions, "decided yes or no"},
		{"one option", tx.Propose{Trustees: []uint32{1}, Options: []string{"a"}}, secretLead, reject.BadOptions, "2 to 64 options"},
		{"approval without options", tx.Propose{Trustees: []uint32{1}, Approve: 1}, secretLead, reject.BadOptions, "approval needs options"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			w.app = secretApp(t, w)
			s, err := core.New(coretest.ChainID, w.now, w.app)
			if err != nil {
				t.Fatal(err)
			}
			w.s = s
			p := tt.p
			p.Secret = true
			opens := w.now.Add(time.Second + tt.lead).Unix()
			p.Title, p.Category, p.Opens, p.Closes = "T", "general", opens, opens+60
			if _, err := w.s.BeginBlock(1, w.now.Add(time.Second)); err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, w.m["alice"].Sign(&p), tt.code, tt.says)
		})
	}
}

// TestSecretVerifyCatchesAFlippedProof replays a secret vote's history with
// one byte flipped in a ballot's ciphertexts, its 0/1 proofs, its sum proof
// or a partial decryption (the transaction re-signed, so that only the
// proof is wrong): the offline verifier refuses every one.
func TestSecretVerifyCatchesAFlippedProof(t *testing.T) {
	sw := newSecretWorld(t, tx.Propose{})
	sw.keyGen()
	sw.ok(sw.cast("alice", 1, 0, 0), sw.cast("bob", 0, 1, 0))
	sw.closeVote()
	sw.ok(sw.partial(sw.kits[0]), sw.partial(sw.kits[1]))
	sw.replay()
	hist := sw.hist
	find := func(kind tx.Kind) (int, int, *tx.Tx) {
		for bi, b := range hist {
			for ti, raw := range b.Txs {
				if x, err := tx.Decode(raw); err == nil && x.Kind == kind {
					return bi, ti, x
				}
			}
		}
		t.Fatalf("no %s in the history", kind)
		return 0, 0, nil
	}
	size := ballot.BallotSize(ballot.SingleChoice(3))
	cases := []struct {
		name string
		kind tx.Kind
		at   int
	}{
		{"ciphertext", tx.KindSecretBallot, 40},
		{"0/1 proof commitment", tx.KindSecretBallot, 3*64 + 10},
		{"0/1 proof response", tx.KindSecretBallot, 3*64 + 224 - 20},
		{"sum proof", tx.KindSecretBallot, size - 20},
		{"partial decryption", tx.KindTrusteeDecrypt, 4 + 100},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			bi, ti, x := find(c.kind)
			var body tx.Body
			switch b := x.Body.(type) {
			case *tx.SecretBallot:
				nb := *b
				nb.Ballot = bytes.Clone(b.Ballot)
				nb.Ballot[c.at] ^= 0x01
				body = &tx.SecretBallot{Proposal: nb.Proposal, Ballot: nb.Ballot}
			case *tx.TrusteeDecrypt:
				p := bytes.Clone(b.Partial)
				p[c.at] ^= 0x01
				body = &tx.TrusteeDecrypt{Proposal: b.Proposal, Partial: p}
			}
			signer := sw.memberByKey(x.Author)
			w := *sw.world
			w.hist = append([]history.Block(nil), hist...)
			blk := w.hist[bi]
			blk.Txs = append([][]byte(nil), blk.Txs...)
			blk.Txs[ti] = signer.SignNonce(x.Nonce, body)
			w.hist[bi] = blk
			_, err := w.verify()
			var mm *history.MismatchError
			if !errors.As(err, &mm) || mm.Height != blk.Height || mm.Index != ti {
				t.Fatalf("verify gave %v, want a mismatch at height %d, transaction %d", err, blk.Height, ti)
			}
		})
	}
}

func (sw *secretWorld) memberByKey(k tx.PublicKey) *coretest.Member {
	for _, m := range sw.m {
		if m.Key == k {
			return m
		}
	}
	sw.t.Fatalf("no member with key %s", k.Short())
	return nil
}

// TestSecretCancellingVoters has two colluding voters choose randomness
// that cancels (r and −r for every choice): the sum of their A components
// is the identity, and the vote must still be decrypted, not halt the
// chain.
func TestSecretCancellingVoters(t *testing.T) {
	sw := newSecretWorld(t, tx.Propose{})
	sw.keyGen()
	p, _ := sw.s.Proposal(sw.id)
	race := p.Secret.Race()
	var mine, negated bytes.Buffer
	for i := 0; i < race.Choices; i++ {
		r := ristretto255.NewScalar().FromUniformBytes(bytes.Repeat([]byte{byte(i + 7)}, 64))
		var wide [64]byte
		copy(wide[:], r.Encode(nil))
		mine.Write(wide[:])
		var neg [64]byte
		copy(neg[:], ristretto255.NewScalar().Negate(r).Encode(nil))
		negated.Write(neg[:])
	}
	cast := func(name string, rs *bytes.Buffer, votes ...int) []byte {
		b, err := ballot.Cast(sw.s.BallotContext(p, sw.m[name].Key), race, votes, io.MultiReader(rs, rand.Reader))
		if err != nil {
			t.Fatal(err)
		}
		return sw.m[name].Sign(&tx.SecretBallot{Proposal: sw.id, Ballot: b.Bytes()})
	}
	sw.ok(cast("alice", &mine, 1, 0, 0), cast("bob", &negated, 0, 1, 0))
	sw.closeVote()
	for i := 0; i < race.Choices; i++ {
		if !bytes.Equal(p.Secret.Aggregate[i*64:i*64+32], make([]byte, 32)) {
			t.Fatalf("aggregate A of choice %d is not the identity", i)
		}
	}
	sw.ok(sw.partial(sw.kits[0]), sw.partial(sw.kits[2]))
	if p.Status != core.Decided || fmt.Sprint(p.Secret.Counts) != "[1 1 0]" {
		t.Fatalf("%v %v", p.Status, p.Secret.Counts)
	}
	sw.replay()
}
