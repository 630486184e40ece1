package core

import (
	"crypto/sha256"
	"crypto/sha512"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"filippo.io/age"
	"github.com/gtank/ristretto255"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Secret ballots (issue 12; the cryptography is internal/ballot and
// docs/secret-ballot.md, the rules are here).
//
// A secret proposal names n trustees and a threshold t. Between the
// proposal and the opening of its vote (at least the constitution's
// key_period), the trustees make the election key by a Pedersen DKG whose
// steps are transactions, each in its quarter of that time:
//
//	commit   [created, created+P/4): age recipient and Feldman commitments
//	shares   until created+P/2 (from P/4, or as soon as every trustee has
//	         committed): f_i(j) sealed with age to each other committed trustee
//	complain until created+3P/4: trustee j says dealer i's share is bad
//	answer   until the opening: dealer i reveals f_i(j); anyone checks it
//
// When voting opens, the qualified dealers are those who committed, dealt
// and answered every complaint with a share that fits their commitments;
// the joint key is the sum of their first commitments. With fewer than t
// the vote is cancelled. Members then cast encrypted ballots (the last one
// counts); at the close the core sums the counted ballots, and trustees who
// committed publish partial decryptions until the decrypt deadline. The
// t-th valid one decides the vote; fewer than t by the deadline end it "not
// decrypted". Delegations do not apply to secret votes: a delegate's
// choice is secret.

// SecretPolicy is the constitution's policy for secret ballots. Each field
// left out takes its default (see Constitution.SecretRules).
type SecretPolicy struct {
	// KeyPeriod is the least time between a secret proposal and the
	// opening of its vote, in which the trustees make the key; absent, one
	// day.
	KeyPeriod Duration `json:"key_period,omitzero"`
	// DecryptPeriod is how long after the close trustees have to publish
	// their partial decryptions; absent, two days.
	DecryptPeriod Duration `json:"decrypt_period,omitzero"`
	// TrusteeOffice, when set, makes the holders of that office the
	// trustees of a secret proposal that names none.
	TrusteeOffice string `json:"trustee_office,omitempty"`
	// Threshold is the share of the trustees, rounded up, whose partial
	// decryptions are needed; absent, more than half.
	Threshold Ratio `json:"threshold,omitzero"`
}

// Secret-ballot defaults, for constitutions that do not state them.
const (
	DefaultKeyPeriod     = 24 * time.Hour
	DefaultDecryptPeriod = 48 * time.Hour
)

// SecretRules returns the secret-ballot policy in force with its defaults:
// the key period and the decrypt period.
func (c *Constitution) SecretRules() (keyPeriod, decryptPeriod time.Duration) {
	keyPeriod, decryptPeriod = c.Secret.KeyPeriod.Duration, c.Secret.DecryptPeriod.Duration
	if keyPeriod == 0 {
		keyPeriod = DefaultKeyPeriod
	}
	if decryptPeriod == 0 {
		decryptPeriod = DefaultDecryptPeriod
	}
	return keyPeriod, decryptPeriod
}

// TrusteeThreshold returns how many of n trustees must decrypt: the
// policy's share rounded up, or more than half.
func (c *Constitution) TrusteeThreshold(n int) int {
	r := c.Secret.Threshold.Ratio
	if r.Den == 0 {
		return n/2 + 1
	}
	t := int((uint64(n)*r.Num + r.Den - 1) / r.Den)
	return min(max(t, 1), n)
}

func (c *Constitution) validateSecret() error {
	p := c.Secret
	if k := p.KeyPeriod.Duration; k != 0 && (k < 4*time.Second || k > 365*24*time.Hour) {
		return fmt.Errorf("secret key_period must be between 4s and a year, not %s", p.KeyPeriod)
	}
	if d := p.DecryptPeriod.Duration; d != 0 && (d < time.Second || d > 365*24*time.Hour) {
		return fmt.Errorf("secret decrypt_period must be between 1s and a year, not %s", p.DecryptPeriod)
	}
	if p.TrusteeOffice != "" {
		if _, ok := c.Office(p.TrusteeOffice); !ok {
			return fmt.Errorf("secret trustee_office %q is not one of the offices", p.TrusteeOffice)
		}
	}
	if t := p.Threshold.Ratio; t.Den != 0 && (t.Num == 0 || t.Num > t.Den) {
		return fmt.Errorf("secret threshold must be more than 0 and at most 1/1, not %s", p.Threshold)
	}
	return nil
}

// SecretVote is the secret part of a proposal voted by secret ballot.
type SecretVote struct {
	// Options are the question's options; empty, the vote is yes, no or
	// abstain. Approve, when not zero, lets a member approve up to that
	// many options; otherwise a ballot picks exactly one.
	Options []string
	Approve uint32
	// Trustees are the trustees' member numbers: trustee i is Trustees[i-1].
	// Threshold of them must decrypt.
	Trustees  []uint32
	Threshold uint32
	// Dealers is each trustee's part of the key generation, by trustee.
	Dealers []Dealer
	// DecryptPeriod is the constitution's, fixed when the vote was proposed.
	DecryptPeriod int64

	// Set when voting opens: the joint key and the qualified dealers, or
	// why the vote was cancelled.
	Key       []byte
	Qualified []uint32
	Cancelled string

	// Ballots are the counted ballots, by member; Tracking every ballot
	// ever cast (replaced ones too), so that none is cast twice.
	Ballots  map[uint32]SecretCast
	Tracking map[[32]byte]uint32

	// Aggregate is the sum of the counted ballots, one ciphertext per
	// choice, kept as ballots come (a replaced ballot is subtracted), so
	// that the close costs nothing; DecryptBy, set at the close, is the
	// deadline for partial decryptions.
	Aggregate []byte
	DecryptBy int64
	// Partials are the valid partial decryptions, by trustee.
	Partials map[uint32][]byte
	// Set when decided: the count of each choice, and whether the trustees
	// failed to decrypt.
	Counts       []uint64
	NotDecrypted bool
}

// Dealer is one trustee's part of the key generation.
type Dealer struct {
	Recipient   string // age X25519 recipient; empty until committed
	Commitments []byte
	Shares      []tx.SealedShare // nil until dealt
	Complaints  []Complaint
	// Disqualified says why the dealer's polynomial does not count; empty
	// while it does.
	Disqualified string
}

// Complaint is a trustee's complaint against a dealer, and its answer.
type Complaint struct {
	By       uint32 // trustee number
	Answered bool
	Share    []byte // the share revealed in the answer
}

// SecretCast is a member's counted secret ballot: its tracking code (the
// SHA-256 of its bytes), its ciphertexts and the height that recorded it.
type SecretCast struct {
	Tracking [32]byte
	Cts      []byte
	Height   int64
}

// Choices returns the number of ciphertexts in a ballot: 3 for yes, no and
// abstain, or the number of options.
func (v *SecretVote) Choices() int {
	if len(v.Options) == 0 {
		return 3
	}
	return len(v.Options)
}

// Race returns what a ballot may contain.
func (v *SecretVote) Race() ballot.Race {
	if v.Approve != 0 {
		return ballot.Approval(v.Choices(), int(v.Approve))
	}
	return ballot.SingleChoice(v.Choices())
}

// Committed reports whether trustee i (1..n) has committed.
func (v *SecretVote) Committed(i uint32) bool {
	return i >= 1 && int(i) <= len(v.Dealers) && v.Dealers[i-1].Recipient != ""
}

// TrusteeNumber returns member's trustee number (1..n), or 0.
func (v *SecretVote) TrusteeNumber(member uint32) uint32 {
	if i := slices.Index(v.Trustees, member); i >= 0 {
		return uint32(i + 1)
	}
	return 0
}

// ElectionID returns the election id of proposal id's secret vote: the
// bytes every proof is bound to (docs/secret-ballot.md §3).
func ElectionID(id uint64) []byte { return []byte("folkmoot/proposal/" + strconv.FormatUint(id, 10)) }

// BallotContext returns the statement a ballot on p by voter is bound to.
func (s *State) BallotContext(p *Proposal, voter tx.PublicKey) ballot.Context {
	return ballot.Context{ElectionID: ElectionID(p.ID), ChainID: s.chainID, PublicKey: p.Secret.Key, VoterKey: voter[:]}
}

// statementDigest names a ballot's statement, so a proof checked once is
// not checked again while the statement stays the same.
func statementDigest(ctx ballot.Context, r ballot.Race) [32]byte {
	h := sha256.New()
	for _, b := range [][]byte{ctx.ElectionID, []byte(ctx.ChainID), ctx.PublicKey, ctx.VoterKey} {
		var n [4]byte
		binary.BigEndian.PutUint32(n[:], uint32(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	var race [12]byte
	binary.BigEndian.PutUint32(race[0:], uint32(r.Choices))
	binary.BigEndian.PutUint32(race[4:], uint32(r.Min))
	binary.BigEndian.PutUint32(race[8:], uint32(r.Max))
	h.Write(race[:])
	return [32]byte(h.Sum(nil))
}

// SecretTimes returns the ends of the key generation's windows for p:
// commitments, shares and complaints (answers run until voting opens).
func SecretTimes(p *Proposal) (commitBy, sharesBy, complainBy int64) {
	q := (p.Opens - p.Created) / 4
	return p.Created + q, p.Created + 2*q, p.Created + 3*q
}

// newSecret checks a secret proposal's trustees and timing and returns its
// secret part.
func (s *State) newSecret(b *tx.Propose, typ DecisionType, opens int64) (*SecretVote, *reject.Error) {
	if !b.Secret {
		if typ.Secret {
			return nil, reject.Errorf(reject.SecretRequired, "proposal rejected: decisions of type %q are taken by secret ballot; propose it as a secret vote", typ.Name)
		}
		return nil, nil
	}
	keyPeriod, decryptPeriod := s.cons.SecretRules()
	if opens-s.now < int64(keyPeriod) {
		return nil, reject.Errorf(reject.KeyTooSoon, "proposal rejected: a secret vote must open at least %s after it is proposed, so that its trustees can make the election key; it would open at %s", keyPeriod, formatTime(opens))
	}
	trustees := b.Trustees
	if len(trustees) == 0 {
		if office := s.cons.Secret.TrusteeOffice; office != "" {
			st, _ := s.OfficeStatus(office)
			for _, t := range st.Holders {
				trustees = append(trustees, t.Member)
			}
			slices.Sort(trustees)
			if len(trustees) == 0 {
				return nil, reject.Errorf(reject.BadTrustees, "proposal rejected: the trustees of secret votes are the holders of %q, and no one holds it; name the trustees", office)
			}
		} else {
			return nil, reject.Errorf(reject.BadTrustees, "proposal rejected: a secret vote needs trustees to hold its key; name them (members' numbers)")
		}
	}
	for _, t := range trustees {
		m, ok := s.MemberByNumber(t)
		if !ok || m.Left {
			return nil, reject.Errorf(reject.BadTrustees, "proposal rejected: trustee %d is not a current member", t)
		}
	}
	t := int(b.Threshold)
	if t == 0 {
		t = s.cons.TrusteeThreshold(len(trustees))
	}
	if t < 1 || t > len(trustees) {
		return nil, reject.Errorf(reject.BadTrustees, "proposal rejected: the threshold must be 1 to the %d trustees, not %d", len(trustees), t)
	}
	return &SecretVote{Options: b.Options, Approve: b.Approve, Trustees: trustees, Threshold: uint32(t),
		Dealers: make([]Dealer, len(trustees)), DecryptPeriod: int64(decryptPeriod),
		Ballots: make(map[uint32]SecretCast), Tracking: make(map[[32]byte]uint32), Partials: make(map[uint32][]byte)}, nil
}

// secretProposal finds a secret proposal and the author's trustee number
// (0 when the author is not a trustee and need not be).
func (s *State) secretProposal(what string, id uint64, m *Member, trustee bool) (*Proposal, uint32, *reject.Error) {
	p, err := s.proposal(what, id)
	if err != nil {
		return nil, 0, err
	}
	v := p.Secret
	if v == nil {
		return nil, 0, reject.Errorf(reject.NotSecret, "%s rejected: proposal %d is not a secret vote", what, p.ID)
	}
	if p.Status == Withdrawn {
		return nil, 0, reject.Errorf(reject.ProposalWithdrawn, "%s rejected: proposal %d was withdrawn", what, p.ID)
	}
	if p.Status == Cancelled {
		return nil, 0, reject.Errorf(reject.VoteCancelled, "%s rejected: the secret vote on proposal %d was cancelled: %s", what, p.ID, v.Cancelled)
	}
	if !trustee {
		return p, 0, nil
	}
	i := v.TrusteeNumber(m.Number)
	if i == 0 {
		return nil, 0, reject.Errorf(reject.NotTrustee, "%s rejected: you (member %d) are not a trustee of proposal %d; its trustees are members %s", what, m.Number, p.ID, u32s(v.Trustees))
	}
	return p, i, nil
}

func (s *State) keyWindow(what string, p *Proposal, until int64) *reject.Error {
	if p.Status != Scheduled || s.now >= until {
		return reject.Errorf(reject.TrusteeWindow, "%s rejected: on proposal %d it was due before %s", what, p.ID, formatTime(until))
	}
	return nil
}

func (s *State) trusteeCommit(m *Member, b *tx.TrusteeCommit) (func(*Result), *reject.Error) {
	const what = "trustee commitment"
	p, i, err := s.secretProposal(what, b.Proposal, m, true)
	if err != nil {
		return nil, err
	}
	commitBy, _, _ := SecretTimes(p)
	if err := s.keyWindow(what, p, commitBy); err != nil {
		return nil, err
	}
	v := p.Secret
	if v.Committed(i) {
		return nil, reject.Errorf(reject.TrusteeStepDone, "%s rejected: you have already committed as trustee %d of proposal %d", what, i, p.ID)
	}
	if _, perr := age.ParseX25519Recipient(b.Recipient); perr != nil {
		return nil, reject.Errorf(reject.BadTrusteeData, "%s rejected: %q is not an age X25519 recipient", what, b.Recipient)
	}
	if _, perr := ballot.ParseCommitments(int(v.Threshold), b.Commitments); perr != nil {
		return nil, reject.Errorf(reject.BadTrusteeData, "%s rejected: the commitments are not %d valid points: %v", what, v.Threshold, perr)
	}
	return func(r *Result) {
		d := &v.Dealers[i-1]
		d.Recipient, d.Commitments = b.Recipient, b.Commitments
		s.record(func() { d.Recipient, d.Commitments = "", nil })
		r.Events = append(r.Events, TrusteeStep{Proposal: p.ID, Trustee: i, Member: m.Number, Step: "commit"})
	}, nil
}

// allCommitted reports whether every trustee has committed.
func (v *SecretVote) allCommitted() bool {
	for i := range v.Dealers {
		if v.Dealers[i].Recipient == "" {
			return false
		}
	}
	return true
}

func (s *State) trusteeShares(m *Member, b *tx.TrusteeShares) (func(*Result), *reject.Error) {
	const what = "trustee shares"
	p, i, err := s.secretProposal(what, b.Proposal, m, true)
	if err != nil {
		return nil, err
	}
	commitBy, sharesBy, _ := SecretTimes(p)
	if err := s.keyWindow(what, p, sharesBy); err != nil {
		return nil, err
	}
	v := p.Secret
	if !v.Committed(i) {
		return nil, reject.Errorf(reject.TrusteeWindow, "%s rejected: trustee %d did not commit before %s, so its shares cannot count", what, i, formatTime(commitBy))
	}
	if s.now < commitBy && !v.allCommitted() {
		return nil, reject.Errorf(reject.TrusteeWindow, "%s rejected: shares go out once every trustee has committed, or from %s", what, formatTime(commitBy))
	}
	if v.Dealers[i-1].Shares != nil {
		return nil, reject.Errorf(reject.TrusteeStepDone, "%s rejected: you have already dealt your shares as trustee %d of proposal %d", what, i, p.ID)
	}
	var want []uint32
	for j := range v.Dealers {
		if uint32(j+1) != i && v.Committed(uint32(j+1)) {
			want = append(want, uint32(j+1))
		}
	}
	if len(b.Shares) != len(want) || !slices.EqualFunc(b.Shares, want, func(sh tx.SealedShare, j uint32) bool { return sh.To == j }) {
		return nil, reject.Errorf(reject.BadTrusteeData, "%s rejected: there must be one share for each other trustee who committed (trustees %s)", what, u32s(want))
	}
	return func(r *Result) {
		d := &v.Dealers[i-1]
		d.Shares = b.Shares
		s.record(func() { d.Shares = nil })
		r.Events = append(r.Events, TrusteeStep{Proposal: p.ID, Trustee: i, Member: m.Number, Step: "shares"})
	}, nil
}

func (s *State) trusteeComplain(m *Member, b *tx.TrusteeComplain) (func(*Result), *reject.Error) {
	const what = "complaint"
	p, i, err := s.secretProposal(what, b.Proposal, m, true)
	if err != nil {
		return nil, err
	}
	_, _, complainBy := SecretTimes(p)
	if err := s.keyWindow(what, p, complainBy); err != nil {
		return nil, err
	}
	v := p.Secret
	if int(b.Dealer) > len(v.Dealers) || b.Dealer == i {
		return nil, reject.Errorf(reject.NoComplaint, "%s rejected: trustee %d is not another trustee of proposal %d", what, b.Dealer, p.ID)
	}
	d := &v.Dealers[b.Dealer-1]
	if !v.Committed(i) || d.Shares == nil {
		return nil, reject.Errorf(reject.NoComplaint, "%s rejected: trustee %d has dealt no share to you to complain of", what, b.Dealer)
	}
	if slices.ContainsFunc(d.Complaints, func(c Complaint) bool { return c.By == i }) {
		return nil, reject.Errorf(reject.TrusteeStepDone, "%s rejected: you have already complained of trustee %d", what, b.Dealer)
	}
	return func(r *Result) {
		d.Complaints = append(d.Complaints, Complaint{By: i})
		s.record(func() { d.Complaints = d.Complaints[:len(d.Complaints)-1] })
		r.Events = append(r.Events, TrusteeStep{Proposal: p.ID, Trustee: i, Member: m.Number, Step: "complain", Other: b.Dealer})
	}, nil
}

func (s *State) trusteeAnswer(m *Member, b *tx.TrusteeAnswer) (func(*Result), *reject.Error) {
	const what = "answer to a complaint"
	p, i, err := s.secretProposal(what, b.Proposal, m, true)
	if err != nil {
		return nil, err
	}
	if err := s.keyWindow(what, p, p.Opens); err != nil {
		return nil, err
	}
	v := p.Secret
	d := &v.Dealers[i-1]
	k := slices.IndexFunc(d.Complaints, func(c Complaint) bool { return c.By == b.Complainer })
	if k < 0 || d.Complaints[k].Answered {
		return nil, reject.Errorf(reject.NoComplaint, "%s rejected: trustee %d has no unanswered complaint against you", what, b.Complainer)
	}
	cm, cerr := ballot.ParseCommitments(int(v.Threshold), d.Commitments)
	if cerr != nil {
		return nil, reject.Errorf(reject.BadTrusteeData, "%s rejected: your commitments do not parse: %v", what, cerr)
	}
	_, bad := ballot.ResolveComplaint(cm, int(b.Complainer), b.Share)
	return func(r *Result) {
		c := &d.Complaints[k]
		c.Answered, c.Share = true, b.Share
		s.record(func() { c.Answered, c.Share = false, nil })
		r.Events = append(r.Events, TrusteeStep{Proposal: p.ID, Trustee: i, Member: m.Number, Step: "answer", Other: b.Complainer})
		if bad != nil {
			s.disqualify(p, i, fmt.Sprintf("the share it revealed to trustee %d does not fit its commitments", b.Complainer), r)
		}
	}, nil
}

// disqualify records that dealer i's polynomial does not count.
func (s *State) disqualify(p *Proposal, i uint32, why string, r *Result) {
	d := &p.Secret.Dealers[i-1]
	if d.Disqualified != "" {
		return
	}
	d.Disqualified = why
	s.record(func() { d.Disqualified = "" })
	s.fact(r, mustEncode([]any{FactTrusteeDisqualified, p.ID, i, p.Secret.Trustees[i-1], why, s.now}))
	r.Events = append(r.Events, TrusteeDisqualified{Proposal: p.ID, Trustee: i, Member: p.Secret.Trustees[i-1], Reason: why})
}

// openSecret ends the key generation as p's vote opens: it names the
// dealers who do not qualify, and makes the joint key, or cancels the vote.
// It reports whether voting goes ahead.
func (s *State) openSecret(p *Proposal, r *Result) bool {
	v := p.Secret
	var qual []uint32
	var cms []ballot.Commitments
	for k := range v.Dealers {
		i, d := uint32(k+1), &v.Dealers[k]
		switch {
		case d.Recipient == "":
			s.disqualify(p, i, "it did not commit", r)
		case d.Shares == nil:
			s.disqualify(p, i, "it did not deal its shares", r)
		default:
			for _, c := range d.Complaints {
				if !c.Answered {
					s.disqualify(p, i, fmt.Sprintf("it did not answer trustee %d's complaint", c.By), r)
				}
			}
		}
		if d.Disqualified != "" {
			continue
		}
		cm, err := ballot.ParseCommitments(int(v.Threshold), d.Commitments)
		if err != nil {
			// Checked when committed.
			panic(fmt.Sprintf("core: commitments of trustee %d of proposal %d: %v", i, p.ID, err))
		}
		qual = append(qual, i)
		cms = append(cms, cm)
	}
	var key *ristretto255.Element
	why := ""
	if len(qual) < int(v.Threshold) {
		why = fmt.Sprintf("only %d trustees qualified to make the key, and %d are needed", len(qual), v.Threshold)
	} else if k, err := ballot.JointKey(int(v.Threshold), cms); err != nil {
		why = fmt.Sprintf("the key could not be made: %v", err)
	} else {
		key = k
	}
	if key == nil {
		v.Cancelled = why
		was := p.Status
		p.Status = Cancelled
		s.record(func() { v.Cancelled, p.Status = "", was })
		s.fact(r, mustEncode([]any{FactSecretCancelled, p.ID, why, s.now}))
		r.Events = append(r.Events, SecretCancelled{Proposal: p.ID, Reason: why})
		return false
	}
	v.Key, v.Qualified = key.Encode(nil), qual
	s.record(func() { v.Key, v.Qualified = nil, nil })
	s.fact(r, mustEncode([]any{FactSecretKey, p.ID, v.Key, qual, s.now}))
	r.Events = append(r.Events, SecretKeyMade{Proposal: p.ID, Key: v.Key, Qualified: qual})
	return true
}

func (s *State) secretBallot(m *Member, b *tx.SecretBallot) (func(*Result), *reject.Error) {
	const what = "secret ballot"
	p, _, err := s.secretProposal(what, b.Proposal, m, false)
	if err != nil {
		return nil, err
	}
	switch {
	case p.Status == Scheduled:
		return nil, reject.Errorf(reject.BallotTooEarly, "%s rejected: voting on proposal %d opens at %s", what, p.ID, formatTime(p.Opens))
	case p.Status != Open || s.now > p.Closes:
		return nil, reject.Errorf(reject.BallotTooLate, "%s rejected: voting on proposal %d closed at %s", what, p.ID, formatTime(p.Closes))
	case m.AdmitSeq > p.EligibleSeq:
		return nil, reject.Errorf(reject.NotEligible, "%s rejected: you joined after voting on proposal %d opened; the electorate was fixed at %s", what, p.ID, formatTime(p.Opens))
	}
	v := p.Secret
	tracking := sha256.Sum256(b.Ballot)
	if _, dup := v.Tracking[tracking]; dup {
		return nil, reject.Errorf(reject.BallotReused, "%s rejected: this exact ballot (tracking code %x) was already cast on proposal %d; a new ballot must be freshly encrypted", what, tracking[:6], p.ID)
	}
	race := v.Race()
	bal, perr := decodeBallot(b, race)
	if perr != nil {
		return nil, reject.Errorf(reject.BadBallotEncoding, "%s rejected: it is not a ballot of %d choices for proposal %d: %v", what, race.Choices, p.ID, perr)
	}
	ctx := s.BallotContext(p, m.Key)
	stmt := statementDigest(ctx, race)
	done, verr := b.ProofChecked(stmt)
	if !done {
		verr = bal.Verify(ctx, race)
		b.MarkProof(stmt, verr)
	}
	if verr != nil {
		return nil, reject.Errorf(reject.BadBallotProof, "%s rejected: its proofs do not hold for you, proposal %d and this election key (%s): a ballot must encrypt 0 or 1 for each choice and %s, made by your own device for this vote", what, p.ID, proofReason(verr), raceWords(race))
	}
	// The encoding begins with the ciphertexts (docs/secret-ballot.md §4.1).
	cts := b.Ballot[:race.Choices*ballot.CiphertextSize]
	return func(r *Result) {
		prev, had := v.Ballots[m.Number]
		var old []ballot.Ciphertext
		if had {
			old = ciphertextsOf(prev.Cts)
		}
		agg := v.Aggregate
		v.Aggregate = runningSum(agg, race.Choices, bal.Ciphertexts(), old)
		v.Ballots[m.Number] = SecretCast{Tracking: tracking, Cts: cts, Height: s.height}
		v.Tracking[tracking] = m.Number
		s.record(func() {
			v.Aggregate = agg
			delete(v.Tracking, tracking)
			if had {
				v.Ballots[m.Number] = prev
			} else {
				delete(v.Ballots, m.Number)
			}
		})
		r.Events = append(r.Events, SecretBallotCast{Proposal: p.ID, Member: m.Number, Tracking: tracking, Replaced: had})
	}, nil
}

func proofReason(err error) string {
	if errors.Is(err, ballot.ErrProof) {
		return err.Error()
	}
	return "the proof does not hold: " + err.Error()
}

func raceWords(r ballot.Race) string {
	if r.Min == r.Max {
		return fmt.Sprintf("exactly %d in all", r.Min)
	}
	return fmt.Sprintf("%d to %d in all", r.Min, r.Max)
}

// closeSecret ends voting on secret proposal p: the counted ballots are
// summed, and trustees have until the decrypt deadline. With no ballot
// there is nothing to decrypt and the vote is decided at once.
func (s *State) closeSecret(p *Proposal, r *Result) {
	v := p.Secret
	n := v.Choices()
	aggBytes := v.Aggregate
	if aggBytes == nil {
		aggBytes = runningSum(nil, n, nil, nil)
	}
	prevAgg := v.Aggregate
	v.Aggregate, v.DecryptBy = aggBytes, p.Closes+v.DecryptPeriod
	was := p.Status
	p.Status = Counting
	s.record(func() { v.Aggregate, v.DecryptBy, p.Status = prevAgg, 0, was })
	h := sha256.Sum256(aggBytes)
	s.fact(r, mustEncode([]any{FactSecretClosed, p.ID, uint64(len(v.Ballots)), h[:], v.DecryptBy, s.now}))
	r.Events = append(r.Events, SecretClosed{Proposal: p.ID, Ballots: uint64(len(v.Ballots)), DecryptBy: v.DecryptBy})
	if len(v.Ballots) == 0 {
		s.tallied(p, make([]uint64, n), nil, r)
		return
	}
	d := deadline{At: v.DecryptBy, ID: p.ID}
	s.decrypting.insert(d)
	s.record(func() { s.decrypting.remove(d) })
}

// AggregateCiphertexts returns the sum of a closed secret vote's counted
// ballots, one ciphertext per choice.
func (v *SecretVote) AggregateCiphertexts() ([]ballot.Ciphertext, error) {
	out := make([]ballot.Ciphertext, 0, v.Choices())
	for i := 0; i+ballot.CiphertextSize <= len(v.Aggregate); i += ballot.CiphertextSize {
		c, err := ballot.ParseAggregate(v.Aggregate[i : i+ballot.CiphertextSize])
		if err != nil {
			return nil, fmt.Errorf("aggregate ciphertext %d: %w", i/ballot.CiphertextSize, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// QualifiedCommitments returns the commitments of the qualified dealers.
func (v *SecretVote) QualifiedCommitments() ([]ballot.Commitments, error) {
	var out []ballot.Commitments
	for _, i := range v.Qualified {
		cm, err := ballot.ParseCommitments(int(v.Threshold), v.Dealers[i-1].Commitments)
		if err != nil {
			return nil, fmt.Errorf("commitments of trustee %d: %w", i, err)
		}
		out = append(out, cm)
	}
	return out, nil
}

func (s *State) trusteeDecrypt(m *Member, b *tx.TrusteeDecrypt) (func(*Result), *reject.Error) {
	const what = "partial decryption"
	p, i, err := s.secretProposal(what, b.Proposal, m, true)
	if err != nil {
		return nil, err
	}
	v := p.Secret
	if p.Status != Counting || s.now > v.DecryptBy {
		if p.Status == Decided {
			return nil, reject.Errorf(reject.NotDecrypting, "%s rejected: proposal %d is already decided", what, p.ID)
		}
		return nil, reject.Errorf(reject.NotDecrypting, "%s rejected: proposal %d is not awaiting decryption (voting closes at %s)", what, p.ID, formatTime(p.Closes))
	}
	if !v.Committed(i) {
		return nil, reject.Errorf(reject.NotTrustee, "%s rejected: trustee %d did not take part in making the key, so it holds no share of it", what, i)
	}
	if _, dup := v.Partials[i]; dup {
		return nil, reject.Errorf(reject.TrusteeStepDone, "%s rejected: trustee %d has already decrypted proposal %d", what, i, p.ID)
	}
	cts, aerr := v.AggregateCiphertexts()
	cms, cerr := v.QualifiedCommitments()
	if aerr != nil || cerr != nil {
		panic(fmt.Sprintf("core: secret vote %d: %v %v", p.ID, aerr, cerr))
	}
	part, perr := ballot.ParsePartialDecryption(len(cts), b.Partial)
	if perr != nil {
		return nil, reject.Errorf(reject.BadDecryption, "%s rejected: trustee %d (member %d) sent bytes that are not a partial decryption of %d choices: %v", what, i, m.Number, len(cts), perr)
	}
	if part.Index != int(i) {
		return nil, reject.Errorf(reject.BadDecryption, "%s rejected: trustee %d (member %d) sent a decryption made as trustee %d", what, i, m.Number, part.Index)
	}
	ctx := ballot.Context{ElectionID: ElectionID(p.ID), ChainID: s.chainID, PublicKey: v.Key}
	if verr := part.Verify(ctx, cts, ballot.VerificationKey(cms, int(i))); verr != nil {
		return nil, reject.Errorf(reject.BadDecryption, "%s rejected: the proof of trustee %d (member %d) does not hold: %v", what, i, m.Number, verr)
	}
	return func(r *Result) {
		v.Partials[i] = b.Partial
		s.record(func() { delete(v.Partials, i) })
		r.Events = append(r.Events, TrusteeStep{Proposal: p.ID, Trustee: i, Member: m.Number, Step: "decrypt"})
		if len(v.Partials) < int(v.Threshold) {
			return
		}
		d := deadline{At: v.DecryptBy, ID: p.ID}
		s.decrypting.remove(d)
		s.record(func() { s.decrypting.insert(d) })
		counts, used := s.combine(p, cts)
		s.tallied(p, counts, used, r)
	}, nil
}

// combine decrypts the tally of p from its first Threshold partial
// decryptions, in order of trustee number.
func (s *State) combine(p *Proposal, cts []ballot.Ciphertext) ([]uint64, []uint32) {
	v := p.Secret
	used := make([]uint32, 0, len(v.Partials))
	for i := range v.Partials {
		used = append(used, i)
	}
	slices.Sort(used)
	used = used[:v.Threshold]
	parts := make([]*ballot.PartialDecryption, len(used))
	for k, i := range used {
		pd, err := ballot.ParsePartialDecryption(len(cts), v.Partials[i])
		if err != nil {
			panic(fmt.Sprintf("core: stored partial decryption of trustee %d of proposal %d: %v", i, p.ID, err))
		}
		parts[k] = pd
	}
	table, err := ballot.NewDlogTable(uint64(len(v.Ballots)))
	if err != nil {
		panic(fmt.Sprintf("core: dlog table for %d ballots: %v", len(v.Ballots), err))
	}
	counts, err := ballot.Combine(cts, parts, int(v.Threshold), table)
	if err != nil {
		// Every part was proven against the aggregate of these ballots, so
		// each count is at most the number of ballots.
		panic(fmt.Sprintf("core: combine the tally of proposal %d: %v", p.ID, err))
	}
	return counts, used
}

// decryptDue ends every counting secret vote whose decrypt deadline has
// come with fewer than Threshold partial decryptions: "not decrypted".
func (s *State) decryptDue(r *Result) {
	s.eachDue(&s.decrypting, func(d deadline) {
		p := s.proposals[d.ID-1]
		s.tallied(p, nil, nil, r)
	})
}

// tallied decides secret proposal p with counts (nil: not decrypted),
// decrypted by trustees used.
func (s *State) tallied(p *Proposal, counts []uint64, used []uint32, r *Result) {
	v := p.Secret
	v.Counts, v.NotDecrypted = counts, counts == nil
	s.record(func() { v.Counts, v.NotDecrypted = nil, false })
	s.fact(r, mustEncode([]any{FactSecretTally, p.ID, counts, used, v.NotDecrypted, s.now}))
	r.Events = append(r.Events, SecretTallied{Proposal: p.ID, Counts: counts, Trustees: used, NotDecrypted: v.NotDecrypted})
	s.conclude(p, r)
}

// decideSecret sets p's result from its secret tally.
func (s *State) decideSecret(p *Proposal) count.YesNoResult {
	v := p.Secret
	cast := uint64(len(v.Ballots))
	if v.NotDecrypted {
		res := count.YesNo(0, 0, cast, p.Eligible, p.Quorum, p.Threshold)
		res.Passed = false
		return res
	}
	if len(v.Options) == 0 {
		return count.YesNo(v.Counts[0], v.Counts[1], v.Counts[2], p.Eligible, p.Quorum, p.Threshold)
	}
	res := count.YesNo(0, 0, cast, p.Eligible, p.Quorum, p.Threshold)
	res.Abstain = 0 // the ballots chose options; Turnout counts them
	_, unique := v.Winner()
	res.Passed = res.QuorumReached && unique
	return res
}

// Winner returns the option with the most votes, and whether no other has
// as many (false also before the count).
func (v *SecretVote) Winner() (int, bool) {
	best, unique := -1, false
	for i, c := range v.Counts {
		switch {
		case best < 0 || c > v.Counts[best]:
			best, unique = i, true
		case c == v.Counts[best]:
			unique = false
		}
	}
	return best, unique && best >= 0 && v.Counts[best] > 0
}

// CheckSecretProofs checks the proofs of every secret ballot among txs
// against the committed state, in batches spread over workers goroutines,
// and records each outcome in its body (see tx.SecretBallot.ProofChecked),
// so that Apply does not check them again one by one. Ballots it cannot
// place (unknown proposal, no key yet, author not a member) are left to
// Apply. The batch weights come from a hash of the batch, so the outcome
// is a function of the ballots alone (docs/secret-ballot.md §4.5).
func (s *State) CheckSecretProofs(txs []*tx.Tx, workers int) {
	type job struct {
		b    *tx.SecretBallot
		stmt [32]byte
	}
	var items []ballot.Item
	var jobs []job
	seed := sha256.New()
	seed.Write([]byte("folkmoot/secret-ballot/v1/batch-weights"))
	for _, t := range txs {
		if t == nil || t.Kind != tx.KindSecretBallot {
			continue
		}
		b, ok := t.Body.(*tx.SecretBallot)
		if !ok {
			continue
		}
		p, ok := s.Proposal(b.Proposal)
		if !ok || p.Secret == nil || p.Secret.Key == nil {
			continue
		}
		race := p.Secret.Race()
		ctx := s.BallotContext(p, t.Author)
		stmt := statementDigest(ctx, race)
		if done, _ := b.ProofChecked(stmt); done {
			continue
		}
		items = append(items, ballot.Item{Context: ctx, Race: race})
		jobs = append(jobs, job{b, stmt})
		seed.Write(stmt[:])
		seed.Write(b.Ballot)
	}
	if len(items) == 0 {
		return
	}
	// Parse on every worker; a ballot that does not parse is left to Apply.
	parseAll(len(items), workers, func(k int) {
		items[k].Ballot, _ = decodeBallot(jobs[k].b, items[k].Race)
	})
	ok := items[:0:0]
	var okJobs []job
	for k, it := range items {
		if it.Ballot != nil {
			ok = append(ok, it)
			okJobs = append(okJobs, jobs[k])
		}
	}
	errs := ballot.VerifyAll(ok, workers, newHashStream(seed.Sum(nil)))
	for k, j := range okJobs {
		j.b.MarkProof(j.stmt, errs[k])
	}
}

// parseAll runs fn(0..n-1) on up to workers goroutines (all CPUs when
// workers <= 0).
func parseAll(n, workers int, fn func(int)) {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	workers = min(workers, n)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < n; k += workers {
				fn(k)
			}
		}()
	}
	wg.Wait()
}

// decodedBallot is what the core keeps in a secret ballot's body.
type decodedBallot struct {
	race ballot.Race
	b    *ballot.Ballot
}

// decodeBallot parses b's ballot for race, or returns the parse kept from
// before.
func decodeBallot(b *tx.SecretBallot, race ballot.Race) (*ballot.Ballot, error) {
	if d, ok := b.Decoded().(decodedBallot); ok && d.race == race {
		return d.b, nil
	}
	bal, err := ballot.ParseBallot(race, b.Ballot)
	if err != nil {
		return nil, err
	}
	b.SetDecoded(decodedBallot{race, bal})
	return bal, nil
}

// ciphertextsOf decodes stored ciphertexts or sums of them (checked when
// their ballots were; a sum may be the identity).
func ciphertextsOf(b []byte) []ballot.Ciphertext {
	out := make([]ballot.Ciphertext, 0, len(b)/ballot.CiphertextSize)
	for i := 0; i+ballot.CiphertextSize <= len(b); i += ballot.CiphertextSize {
		c, err := ballot.ParseAggregate(b[i : i+ballot.CiphertextSize])
		if err != nil {
			panic(fmt.Sprintf("core: stored ciphertext: %v", err))
		}
		out = append(out, c)
	}
	return out
}

// runningSum returns the aggregate agg (n ciphertexts; nil is zero) plus
// add minus sub (either may be nil), encoded.
func runningSum(agg []byte, n int, add, sub []ballot.Ciphertext) []byte {
	cur := make([]ballot.Ciphertext, n)
	if agg == nil {
		for i := range cur {
			cur[i] = ballot.ZeroCiphertext()
		}
	} else {
		cur = ciphertextsOf(agg)
	}
	out := make([]byte, 0, n*ballot.CiphertextSize)
	for i := range cur {
		c := cur[i]
		if add != nil {
			c = c.Add(add[i])
		}
		if sub != nil {
			c = ballot.Ciphertext{A: ristretto255.NewElement().Subtract(c.A, sub[i].A), B: ristretto255.NewElement().Subtract(c.B, sub[i].B)}
		}
		out = append(out, c.Bytes()...)
	}
	return out
}

// hashStream is a deterministic stream of bytes, SHA-512 in counter mode
// over a seed, safe for concurrent use: the batch weights of
// CheckSecretProofs.
type hashStream struct {
	mu   sync.Mutex
	seed []byte
	ctr  uint64
	buf  []byte
}

func newHashStream(seed []byte) *hashStream { return &hashStream{seed: seed} }

// Read implements io.Reader.
func (h *hashStream) Read(p []byte) (int, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for n < len(p) {
		if len(h.buf) == 0 {
			var c [8]byte
			binary.BigEndian.PutUint64(c[:], h.ctr)
			h.ctr++
			d := sha512.Sum512(append(slices.Clip(h.seed), c[:]...))
			h.buf = d[:]
		}
		k := copy(p[n:], h.buf)
		h.buf, n = h.buf[k:], n+k
	}
	return n, nil
}

// Events of this domain (see Event).

// TrusteeStep: trustee Trustee (member Member) of a secret vote took a step
// of the key generation or the tally: "commit", "shares", "complain" (of
// trustee Other), "answer" (trustee Other's complaint) or "decrypt".
type TrusteeStep struct {
	Proposal uint64
	Trustee  uint32
	Member   uint32
	Step     string
	Other    uint32
}

// Type implements Event.
func (TrusteeStep) Type() string { return "trustee_step" }

// Attrs implements Event.
func (e TrusteeStep) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "trustee", u32(e.Trustee), "member", u32(e.Member), "step", e.Step, "other", u32(e.Other))
}

// TrusteeDisqualified: a trustee's polynomial does not count in the key.
type TrusteeDisqualified struct {
	Proposal uint64
	Trustee  uint32
	Member   uint32
	Reason   string
}

// Type implements Event.
func (TrusteeDisqualified) Type() string { return "trustee_disqualified" }

// Attrs implements Event.
func (e TrusteeDisqualified) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "trustee", u32(e.Trustee), "member", u32(e.Member), "reason", e.Reason)
}

// SecretKeyMade: voting opened on a secret proposal under the joint key
// made by the qualified trustees.
type SecretKeyMade struct {
	Proposal  uint64
	Key       []byte
	Qualified []uint32
}

// Type implements Event.
func (SecretKeyMade) Type() string { return "secret_key" }

// Attrs implements Event.
func (e SecretKeyMade) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "key", hex.EncodeToString(e.Key), "qualified", u32s(e.Qualified))
}

// SecretCancelled: a secret vote was cancelled as it was to open, because
// its key could not be made.
type SecretCancelled struct {
	Proposal uint64
	Reason   string
}

// Type implements Event.
func (SecretCancelled) Type() string { return "secret_cancelled" }

// Attrs implements Event.
func (e SecretCancelled) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "reason", e.Reason)
}

// SecretBallotCast: a member cast a secret ballot (how is secret), with its
// tracking code; Replaced when it replaces the member's earlier one.
type SecretBallotCast struct {
	Proposal uint64
	Member   uint32
	Tracking [32]byte
	Replaced bool
}

// Type implements Event.
func (SecretBallotCast) Type() string { return "secret_ballot" }

// Attrs implements Event.
func (e SecretBallotCast) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "member", u32(e.Member), "tracking", hex.EncodeToString(e.Tracking[:]), "replaced", strconv.FormatBool(e.Replaced))
}

// SecretClosed: voting on a secret proposal closed; Ballots were counted
// into the aggregate and trustees may decrypt until DecryptBy.
type SecretClosed struct {
	Proposal  uint64
	Ballots   uint64
	DecryptBy int64
}

// Type implements Event.
func (SecretClosed) Type() string { return "secret_closed" }

// Attrs implements Event.
func (e SecretClosed) Attrs() []Attr {
	return attrs("proposal", u64(e.Proposal), "ballots", u64(e.Ballots), "decrypt_by", i64(e.DecryptBy))
}

// SecretTallied: a secret vote's tally was decrypted by Trustees, giving
// Counts (one per choice), or the deadline passed: NotDecrypted.
type SecretTallied struct {
	Proposal     uint64
	Counts       []uint64
	Trustees     []uint32
	NotDecrypted bool
}

// Type implements Event.
func (SecretTallied) Type() string { return "secret_tallied" }

// Attrs implements Event.
func (e SecretTallied) Attrs() []Attr {
	cs := make([]string, len(e.Counts))
	for i, c := range e.Counts {
		cs[i] = u64(c)
	}
	return attrs("proposal", u64(e.Proposal), "counts", strings.Join(cs, ","), "trustees", u32s(e.Trustees), "not_decrypted", strconv.FormatBool(e.NotDecrypted))
}

// restoreSecret makes a secret vote read from a snapshot whole: its maps
// exist even when empty.
func restoreSecret(v *SecretVote) *SecretVote {
	if v == nil {
		return nil
	}
	if v.Ballots == nil {
		v.Ballots = make(map[uint32]SecretCast)
	}
	if v.Tracking == nil {
		v.Tracking = make(map[[32]byte]uint32)
	}
	if v.Partials == nil {
		v.Partials = make(map[uint32][]byte)
	}
	return v
}
