package tx

import (
	"strings"

	"github.com/folkmoot/folkmoot/internal/reject"
)

// Transaction kinds of secret ballots (values are part of the protocol; see
// Kind and docs/secret-ballot.md).
const (
	KindTrusteeCommit   Kind = 50 // a trustee's age recipient and Feldman commitments
	KindTrusteeShares   Kind = 51 // a trustee's shares, sealed to each other trustee
	KindTrusteeComplain Kind = 52 // a trustee complains that a dealer's share is bad or missing
	KindTrusteeAnswer   Kind = 53 // the dealer answers a complaint by revealing the share
	KindSecretBallot    Kind = 54 // an encrypted ballot with its proofs
	KindTrusteeDecrypt  Kind = 55 // a trustee's partial decryption of the tally, with its proof
)

// Limits of secret votes.
const (
	MaxOptions     = 64   // options of a secret question
	MaxTrustees    = 25   // trustees of one secret vote
	MaxSealedShare = 1024 // bytes of one age-sealed share
	MaxRecipient   = 128  // bytes of an age recipient string
	MaxSecretBytes = 60000
)

// TrusteeCommit is trustee's first step in the key generation of a secret
// vote: the age X25519 recipient others seal its shares to, and the Feldman
// commitments to its polynomial (32·t bytes).
type TrusteeCommit struct {
	Proposal    uint64 `cbor:"0,keyasint"`
	Recipient   string `cbor:"1,keyasint"`
	Commitments []byte `cbor:"2,keyasint"`
}

// SealedShare is one share a dealer sealed to trustee To (a trustee number,
// 1..n).
type SealedShare struct {
	To     uint32 `cbor:"0,keyasint"`
	Sealed []byte `cbor:"1,keyasint"`
}

// TrusteeShares is a dealer's second step: its share for every other
// trustee who committed, sealed with age to that trustee's recipient, in
// increasing order of trustee number.
type TrusteeShares struct {
	Proposal uint64        `cbor:"0,keyasint"`
	Shares   []SealedShare `cbor:"1,keyasint"`
}

// TrusteeComplain says the share dealer Dealer sealed to the author is
// missing, does not open, or fails the dealer's commitments.
type TrusteeComplain struct {
	Proposal uint64 `cbor:"0,keyasint"`
	Dealer   uint32 `cbor:"1,keyasint"`
}

// TrusteeAnswer answers trustee Complainer's complaint: the dealer reveals
// the 32-byte share it owed, which anyone checks against its commitments.
type TrusteeAnswer struct {
	Proposal   uint64 `cbor:"0,keyasint"`
	Complainer uint32 `cbor:"1,keyasint"`
	Share      []byte `cbor:"2,keyasint"`
}

// SecretBallot is an encrypted ballot on a secret proposal: the bytes of
// docs/secret-ballot.md §4.1. A later ballot by the same member replaces the
// earlier one until voting closes.
type SecretBallot struct {
	Proposal uint64 `cbor:"0,keyasint"`
	Ballot   []byte `cbor:"1,keyasint"`

	// The outcome of a proof check already made against the statement
	// whose digest is proofFor (see ProofChecked), and the decoded ballot
	// (see Decoded); not encoded.
	proofDone bool
	proofFor  [32]byte
	proofErr  error
	decoded   any
}

// Decoded returns what SetDecoded kept: the core keeps the parsed ballot
// here, so that a ballot parsed for a block's batch check is not parsed
// again when it is applied.
func (b *SecretBallot) Decoded() any { return b.decoded }

// SetDecoded keeps v as the decoded ballot.
func (b *SecretBallot) SetDecoded(v any) { b.decoded = v }

// ProofChecked returns the outcome of an earlier check of the ballot's
// proofs against the statement with digest stmt, if there was one: a node
// checks proofs once, in CheckTx or in a block's batch, and the core reuses
// the outcome while the statement is the same.
func (b *SecretBallot) ProofChecked(stmt [32]byte) (done bool, err error) {
	if !b.proofDone || b.proofFor != stmt {
		return false, nil
	}
	return true, b.proofErr
}

// MarkProof records the outcome of checking the ballot's proofs against the
// statement with digest stmt.
func (b *SecretBallot) MarkProof(stmt [32]byte, err error) {
	b.proofDone, b.proofFor, b.proofErr = true, stmt, err
}

// TrusteeDecrypt is a trustee's partial decryption of a closed secret
// vote's tally, with its proof (docs/secret-ballot.md §7).
type TrusteeDecrypt struct {
	Proposal uint64 `cbor:"0,keyasint"`
	Partial  []byte `cbor:"1,keyasint"`
}

// Kind implements Body.
func (*TrusteeCommit) Kind() Kind { return KindTrusteeCommit }

// Kind implements Body.
func (*TrusteeShares) Kind() Kind { return KindTrusteeShares }

// Kind implements Body.
func (*TrusteeComplain) Kind() Kind { return KindTrusteeComplain }

// Kind implements Body.
func (*TrusteeAnswer) Kind() Kind { return KindTrusteeAnswer }

// Kind implements Body.
func (*SecretBallot) Kind() Kind { return KindSecretBallot }

// Kind implements Body.
func (*TrusteeDecrypt) Kind() Kind { return KindTrusteeDecrypt }

func (b *TrusteeCommit) check() *reject.Error {
	if err := checkProposalID("trustee commitment", b.Proposal); err != nil {
		return err
	}
	if len(b.Recipient) == 0 || len(b.Recipient) > MaxRecipient || !strings.HasPrefix(b.Recipient, "age1") {
		return reject.Errorf(reject.BadTrusteeData, "trustee commitment rejected: the recipient must be an age X25519 recipient (age1…)")
	}
	if n := len(b.Commitments); n == 0 || n%32 != 0 || n > 32*MaxTrustees {
		return reject.Errorf(reject.BadTrusteeData, "trustee commitment rejected: the commitments must be 32 bytes per coefficient, not %d bytes", n)
	}
	return nil
}

func (b *TrusteeShares) check() *reject.Error {
	if err := checkProposalID("trustee shares", b.Proposal); err != nil {
		return err
	}
	if len(b.Shares) == 0 || len(b.Shares) >= MaxTrustees {
		return reject.Errorf(reject.BadTrusteeData, "trustee shares rejected: there must be 1 to %d shares, not %d", MaxTrustees-1, len(b.Shares))
	}
	for i, sh := range b.Shares {
		if sh.To == 0 || sh.To > MaxTrustees || (i > 0 && sh.To <= b.Shares[i-1].To) {
			return reject.Errorf(reject.BadTrusteeData, "trustee shares rejected: shares must go to trustees 1 to %d, each once, in increasing order", MaxTrustees)
		}
		if len(sh.Sealed) == 0 || len(sh.Sealed) > MaxSealedShare {
			return reject.Errorf(reject.BadTrusteeData, "trustee shares rejected: the share for trustee %d must be 1 to %d bytes of age ciphertext", sh.To, MaxSealedShare)
		}
	}
	return nil
}

func (b *TrusteeComplain) check() *reject.Error {
	if err := checkProposalID("complaint", b.Proposal); err != nil {
		return err
	}
	if b.Dealer == 0 || b.Dealer > MaxTrustees {
		return reject.Errorf(reject.BadTrusteeData, "complaint rejected: trustees are numbered 1 to %d", MaxTrustees)
	}
	return nil
}

func (b *TrusteeAnswer) check() *reject.Error {
	if err := checkProposalID("answer to a complaint", b.Proposal); err != nil {
		return err
	}
	if b.Complainer == 0 || b.Complainer > MaxTrustees {
		return reject.Errorf(reject.BadTrusteeData, "answer to a complaint rejected: trustees are numbered 1 to %d", MaxTrustees)
	}
	if len(b.Share) != 32 {
		return reject.Errorf(reject.BadTrusteeData, "answer to a complaint rejected: the revealed share must be 32 bytes, not %d", len(b.Share))
	}
	return nil
}

func (b *SecretBallot) check() *reject.Error {
	if err := checkProposalID("secret ballot", b.Proposal); err != nil {
		return err
	}
	if len(b.Ballot) == 0 || len(b.Ballot) > MaxSecretBytes {
		return reject.Errorf(reject.BadBallotEncoding, "secret ballot rejected: a ballot is 1 to %d bytes, not %d", MaxSecretBytes, len(b.Ballot))
	}
	return nil
}

func (b *TrusteeDecrypt) check() *reject.Error {
	if err := checkProposalID("partial decryption", b.Proposal); err != nil {
		return err
	}
	if len(b.Partial) < 4 || len(b.Partial) > MaxSecretBytes {
		return reject.Errorf(reject.BadDecryption, "partial decryption rejected: it is 4 to %d bytes, not %d", MaxSecretBytes, len(b.Partial))
	}
	return nil
}

// checkSecret checks the secret-ballot fields of a proposal.
func (b *Propose) checkSecret() *reject.Error {
	if !b.Secret {
		if len(b.Options) != 0 || b.Approve != 0 || len(b.Trustees) != 0 || b.Threshold != 0 {
			return reject.Errorf(reject.BadOptions, "proposal rejected: options, approvals and trustees belong to a secret vote; this proposal is not secret")
		}
		return nil
	}
	if b.Initiative {
		return reject.Errorf(reject.BadOptions, "proposal rejected: a popular initiative cannot be secret yet: its vote opens when it qualifies, leaving the trustees no time to make the election key")
	}
	if len(b.Options) != 0 {
		if len(b.Options) < 2 || len(b.Options) > MaxOptions {
			return reject.Errorf(reject.BadOptions, "proposal rejected: a question has 2 to %d options, not %d", MaxOptions, len(b.Options))
		}
		if b.Measure != Resolution || b.Amount != 0 {
			return reject.Errorf(reject.BadOptions, "proposal rejected: a question with options is a resolution; a %s is decided yes or no", b.Measure)
		}
		for i, o := range b.Options {
			if err := checkLine("proposal rejected: an option", o, MaxTitle); err != nil {
				return err
			}
			for _, p := range b.Options[:i] {
				if p == o {
					return reject.Errorf(reject.BadOptions, "proposal rejected: the option %q is listed twice", o)
				}
			}
		}
		if b.Approve > uint32(len(b.Options)) {
			return reject.Errorf(reject.BadOptions, "proposal rejected: members may approve at most the %d options there are, not %d", len(b.Options), b.Approve)
		}
	} else if b.Approve != 0 {
		return reject.Errorf(reject.BadOptions, "proposal rejected: approval needs options; a yes/no question takes exactly one answer")
	}
	if len(b.Trustees) > MaxTrustees {
		return reject.Errorf(reject.BadTrustees, "proposal rejected: at most %d trustees, not %d", MaxTrustees, len(b.Trustees))
	}
	for i, t := range b.Trustees {
		if t == 0 {
			return reject.Errorf(reject.BadTrustees, "proposal rejected: member numbers start at 1")
		}
		for _, u := range b.Trustees[:i] {
			if u == t {
				return reject.Errorf(reject.BadTrustees, "proposal rejected: member %d is named twice as a trustee", t)
			}
		}
	}
	if b.Threshold > uint32(max(len(b.Trustees), MaxTrustees)) {
		return reject.Errorf(reject.BadTrustees, "proposal rejected: the threshold %d is more than the trustees", b.Threshold)
	}
	return nil
}
