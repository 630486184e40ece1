// Package trustee is what one trustee of a secret vote holds and does: its
// part of the Pedersen key generation of docs/secret-ballot.md §6 (deal,
// seal each share to its recipient with age, open and check the shares it
// receives, reveal a share to answer a complaint), then its decryption key
// and its partial decryption of the tally.
//
// A trustee's Secret never leaves its keeper (the CLI's keystore or the
// member's browser); everything else it produces is published in
// transactions. The cryptography is internal/ballot's; this package only
// keeps the secret between the steps and moves shares through age X25519.
package trustee

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"filippo.io/age"
	"github.com/gtank/ristretto255"

	"github.com/folkmoot/folkmoot/internal/ballot"
)

// ErrBadShare means the share a dealer sent this trustee is missing, does
// not decrypt with its identity, is not a 32-byte canonical scalar or does
// not match the dealer's commitments: the trustee files a complaint
// against that dealer (docs/secret-ballot.md §6 step 3).
var ErrBadShare = errors.New("the dealer's share is bad: file a complaint against it")

// ShareSize is the size of a share: one scalar, and the whole plaintext
// that age seals.
const ShareSize = ballot.ScalarSize

// maxSealed bounds a sealed share: an age header with one X25519 stanza
// (about 200 bytes) and one payload chunk of 32 bytes plus its tag; a
// larger file is not a sealed share.
const maxSealed = 1024

// Secret is what a trustee keeps for one election and never publishes:
// its number, the threshold, its age identity (to which the others seal
// its shares) and the coefficients of its polynomial. It is JSON so that
// the CLI's keystore and the browser's storage can keep it as it is.
type Secret struct {
	// Election is an opaque label the caller sets, e.g.
	// "chainid/proposal/12", so that a kept secret says what it is for.
	Election string `json:"election"`
	// Index is the trustee's number, 1..N.
	Index int `json:"index"`
	// T of N trustees must take part in decrypting.
	T int `json:"t"`
	N int `json:"n"`
	// Identity is the trustee's age X25519 identity (AGE-SECRET-KEY-1…).
	Identity string `json:"identity"`
	// Coeffs are the T coefficients of the trustee's polynomial, 32 bytes
	// each (little-endian scalars).
	Coeffs [][]byte `json:"coefficients"`
}

// New draws a trustee's secret for a t-of-n key generation: the
// polynomial's coefficients from rng (64 bytes each, reduced modulo ℓ,
// as ballot.NewDealer draws them) and a fresh age X25519 identity (age
// draws it from crypto/rand).
func New(election string, index, t, n int, rng io.Reader) (*Secret, error) {
	d, err := ballot.NewDealer(index, t, n, rng)
	if err != nil {
		return nil, fmt.Errorf("new trustee secret: %w", err)
	}
	id, err := age.GenerateX25519Identity()
	if err != nil {
		return nil, fmt.Errorf("new trustee secret: age identity: %w", err)
	}
	s := &Secret{Election: election, Index: index, T: t, N: n, Identity: id.String()}
	c := d.Coefficients()
	for k := range t {
		s.Coeffs = append(s.Coeffs, c[k*ShareSize:(k+1)*ShareSize])
	}
	return s, nil
}

// Parse reads a Secret from its JSON and checks it (numbers, identity,
// coefficients), so that a damaged or foreign file is refused at once
// rather than at the step that needs the broken part.
func Parse(data []byte) (*Secret, error) {
	var s Secret
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("trustee secret: %w", err)
	}
	if _, err := s.dealer(); err != nil {
		return nil, err
	}
	if _, err := s.identity(); err != nil {
		return nil, err
	}
	return &s, nil
}

// dealer rebuilds the trustee's polynomial.
func (s *Secret) dealer() (*ballot.Dealer, error) {
	if len(s.Coeffs) != s.T {
		return nil, fmt.Errorf("trustee secret: %d coefficients for threshold %d: %w", len(s.Coeffs), s.T, ballot.ErrInput)
	}
	d, err := ballot.RestoreDealer(s.Index, s.T, s.N, bytes.Join(s.Coeffs, nil))
	if err != nil {
		return nil, fmt.Errorf("trustee secret: %w", err)
	}
	return d, nil
}

// identity parses the trustee's age identity.
func (s *Secret) identity() (*age.X25519Identity, error) {
	id, err := age.ParseX25519Identity(s.Identity)
	if err != nil {
		return nil, fmt.Errorf("trustee secret: age identity: %w", err)
	}
	return id, nil
}

// Recipient returns the trustee's public age X25519 recipient (age1…),
// which it publishes in its commit transaction so that the other dealers
// can seal its shares.
func (s *Secret) Recipient() (string, error) {
	id, err := s.identity()
	if err != nil {
		return "", err
	}
	return id.Recipient().String(), nil
}

// Commitments returns the trustee's Feldman commitments C_0..C_{t−1}, in
// the encoding of ballot.Commitments (32t bytes), which it publishes.
func (s *Secret) Commitments() ([]byte, error) {
	d, err := s.dealer()
	if err != nil {
		return nil, err
	}
	return d.Commitments().Bytes(), nil
}

// Seal encrypts f(j), the share for trustee j, to recipients[j] for every
// j other than the trustee's own number present in the map, and returns
// j → the age file (binary format) whose plaintext is exactly the 32-byte
// share. Each recipient must be an age X25519 recipient (age1…) and j in
// 1..n. age draws its randomness from crypto/rand.
func (s *Secret) Seal(recipients map[int]string) (map[int][]byte, error) {
	d, err := s.dealer()
	if err != nil {
		return nil, err
	}
	out := make(map[int][]byte, len(recipients))
	for j, rs := range recipients {
		if j == s.Index {
			continue
		}
		share, err := d.Share(j)
		if err != nil {
			return nil, fmt.Errorf("seal share for trustee %d: %w", j, err)
		}
		r, err := age.ParseX25519Recipient(rs)
		if err != nil {
			return nil, fmt.Errorf("seal share for trustee %d: recipient: %w", j, err)
		}
		var buf bytes.Buffer
		w, err := age.Encrypt(&buf, r)
		if err != nil {
			return nil, fmt.Errorf("seal share for trustee %d: %w", j, err)
		}
		if _, err := w.Write(share.Encode(nil)); err != nil {
			return nil, fmt.Errorf("seal share for trustee %d: %w", j, err)
		}
		if err := w.Close(); err != nil {
			return nil, fmt.Errorf("seal share for trustee %d: %w", j, err)
		}
		out[j] = buf.Bytes()
	}
	return out, nil
}

// Open decrypts the share that dealer sealed for this trustee and checks
// it against the dealer's published commitments (32t bytes), returning the
// 32-byte share. An error wrapping ErrBadShare means the dealer is at
// fault (nothing sealed, sealed to someone else, not a canonical scalar,
// off its polynomial): file a complaint against it. Other errors are the
// caller's (a bad dealer number, commitments that are not 32t bytes of
// points, a damaged Secret).
func (s *Secret) Open(dealer int, commitments []byte, sealed []byte) ([]byte, error) {
	if dealer < 1 || dealer > s.N || dealer == s.Index {
		return nil, fmt.Errorf("open share from dealer %d: not another trustee of 1..%d: %w", dealer, s.N, ballot.ErrInput)
	}
	c, err := ballot.ParseCommitments(s.T, commitments)
	if err != nil {
		return nil, fmt.Errorf("open share from dealer %d: %w", dealer, err)
	}
	id, err := s.identity()
	if err != nil {
		return nil, err
	}
	bad := func(why string, err error) error {
		if err != nil {
			return fmt.Errorf("open share from dealer %d: %s: %w: %w", dealer, why, ErrBadShare, err)
		}
		return fmt.Errorf("open share from dealer %d: %s: %w", dealer, why, ErrBadShare)
	}
	if len(sealed) == 0 {
		return nil, bad("nothing sealed", nil)
	}
	if len(sealed) > maxSealed {
		return nil, bad(fmt.Sprintf("%d bytes sealed, more than a share's %d", len(sealed), maxSealed), nil)
	}
	r, err := age.Decrypt(bytes.NewReader(sealed), id)
	if err != nil {
		return nil, bad("does not decrypt with this trustee's identity", err)
	}
	plain, err := io.ReadAll(io.LimitReader(r, ShareSize+1))
	if err != nil {
		return nil, bad("does not decrypt with this trustee's identity", err)
	}
	if len(plain) != ShareSize {
		return nil, bad(fmt.Sprintf("sealed %d bytes, want a %d-byte share", len(plain), ShareSize), nil)
	}
	share, err := ballot.DecodeScalar(plain)
	if err != nil {
		return nil, bad("not a scalar", err)
	}
	if err := c.VerifyShare(s.Index, share); err != nil {
		return nil, bad("off the dealer's committed polynomial", err)
	}
	return plain, nil
}

// Reveal returns f(j), the share this trustee dealt to trustee j, in the
// clear, to answer j's complaint (anyone then checks it with
// ballot.ResolveComplaint). It refuses the trustee's own number: nobody
// complains against itself, and f(index) is part of its own key.
func (s *Secret) Reveal(j int) ([]byte, error) {
	d, err := s.dealer()
	if err != nil {
		return nil, err
	}
	if j == s.Index {
		return nil, fmt.Errorf("reveal: trustee %d's own share is part of its key, not an answer to a complaint: %w", j, ballot.ErrInput)
	}
	share, err := d.Share(j)
	if err != nil {
		return nil, fmt.Errorf("reveal: %w", err)
	}
	return share.Encode(nil), nil
}

// Key combines the shares from every qualified dealer into the trustee's
// decryption key x_j = Σ f_i(j). shares maps each qualified dealer to the
// 32-byte share it dealt this trustee (from Open, or from
// ballot.ResolveComplaint after a complaint). When this trustee is itself
// qualified its own number is in the map, with no bytes (its own f(index)
// is computed) or with exactly f(index). Fewer than T dealers is refused:
// the key generation has failed.
func (s *Secret) Key(shares map[int][]byte) (ballot.Trustee, error) {
	d, err := s.dealer()
	if err != nil {
		return ballot.Trustee{}, err
	}
	if len(shares) < s.T {
		return ballot.Trustee{}, fmt.Errorf("trustee key: shares from %d dealers, need at least %d: %w", len(shares), s.T, ballot.ErrInput)
	}
	own, err := d.Share(s.Index)
	if err != nil {
		return ballot.Trustee{}, fmt.Errorf("trustee key: %w", err)
	}
	var all []*ristretto255.Scalar
	for dealer, b := range shares {
		if dealer < 1 || dealer > s.N {
			return ballot.Trustee{}, fmt.Errorf("trustee key: dealer %d not in 1..%d: %w", dealer, s.N, ballot.ErrInput)
		}
		if dealer == s.Index && len(b) == 0 {
			all = append(all, own)
			continue
		}
		x, err := ballot.DecodeScalar(b)
		if err != nil {
			return ballot.Trustee{}, fmt.Errorf("trustee key: share of dealer %d: %w", dealer, err)
		}
		if dealer == s.Index && x.Equal(own) != 1 {
			return ballot.Trustee{}, fmt.Errorf("trustee key: the share given as this trustee's own is not f(%d): %w", s.Index, ballot.ErrInput)
		}
		all = append(all, x)
	}
	return ballot.Trustee{Index: s.Index, Share: ballot.CombineShares(all)}, nil
}

// Decrypt makes the trustee's partial decryption of the aggregate
// ciphertexts of a closed vote (one per choice), with its proof, for ctx
// (election, chain and joint key; the voter key is not used), and returns
// its encoding (ballot.PartialDecryption.Bytes). shares are as for Key;
// the proof's nonces are drawn from rng.
func (s *Secret) Decrypt(ctx ballot.Context, shares map[int][]byte, aggregate []ballot.Ciphertext, rng io.Reader) ([]byte, error) {
	tr, err := s.Key(shares)
	if err != nil {
		return nil, err
	}
	p, err := tr.Decrypt(ctx, aggregate, rng)
	if err != nil {
		return nil, fmt.Errorf("trustee decrypt: %w", err)
	}
	return p.Bytes(), nil
}
