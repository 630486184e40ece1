// Package tx defines folkmoot's transaction envelope: its canonical bytes,
// its signature and its identity.
//
// Wire format. A signed transaction is the deterministic CBOR encoding (RFC
// 8949 §4.2.1, core deterministic) of a two-element array
//
//	[ payload: bstr, signature: bstr(64) ]
//
// where payload is itself the deterministic CBOR encoding of the map
//
//	{0: version uint, 1: chain id text, 2: author bstr(32), 3: nonce uint,
//	 4: kind uint, 5: body map}
//
// and the body map's keys and types depend on the kind (see body.go). The
// signature is an ed25519 signature by author over SignPrefix || payload, so
// a signature made for folkmoot can never be replayed as a signature for any
// other protocol. Nesting the payload as a byte string, as COSE_Sign1 does,
// lets a verifier check the signature over the exact bytes received.
//
// Decoding is strict: the input must be exactly the canonical encoding
// (re-encoding the decoded value must give back the same bytes), unknown map
// keys, duplicate keys, indefinite lengths, tags, invalid UTF-8 and trailing
// bytes are all rejected, and so is anything over MaxTxBytes.
//
// Signatures follow ZIP-215 (github.com/hdevalence/ed25519consensus), so
// every node accepts exactly the same set of signatures, singly or in a
// batch. The transaction id is SHA-256 of the signed bytes.
package tx

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/fxamacker/cbor/v2"
	"github.com/hdevalence/ed25519consensus"

	"github.com/folkmoot/folkmoot/internal/reject"
)

// Version is the only envelope version this code understands.
const Version = 1

// MaxTxBytes is the largest signed transaction accepted, in bytes.
const MaxTxBytes = 64 * 1024

// MinTxBytes is the length of the shortest signed transaction Decode can
// accept: the envelope's array head (1 byte), the payload's byte-string
// head (2) and a payload of at least 47 bytes (a map head and six keys,
// version 1, a one-character chain id, a 32-byte author, nonce and kind
// under 24 and an empty body, each in its shortest form), and the
// signature's head (2) and its 64 bytes. Every transaction in a committed
// block decodes (ProcessProposal refuses a block that holds one that does
// not), so no block holds more than MaxBlockBytes/MinTxBytes of them.
const MinTxBytes = 116

// MaxBlockBytes is the most bytes of transactions one block can hold: the
// CometBFT consensus parameter block.max_bytes that every genesis folkmoot
// writes (CometBFT's default). It also counts the header and the last
// commit, so a block's transactions always take less. The offline verifier
// refuses a history with a larger block.
const MaxBlockBytes = 4 << 20

// SignPrefix is prepended to the payload before signing: domain separation.
const SignPrefix = "folkmoot/tx/v1\n"

// ID identifies a transaction: SHA-256 of its signed bytes.
type ID [32]byte

// ParseID reads a transaction id from 64 hex digits.
func ParseID(s string) (ID, error) {
	var id ID
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(id) {
		return id, fmt.Errorf("transaction id must be 64 hex digits, got %q", s)
	}
	copy(id[:], b)
	return id, nil
}

// String returns the id in lower-case hex.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// PublicKey is an ed25519 public key as it appears in transactions.
type PublicKey [32]byte

// String returns the key in lower-case hex.
func (k PublicKey) String() string { return hex.EncodeToString(k[:]) }

// Short returns the first 8 hex digits of the key, for sentences.
func (k PublicKey) Short() string { return hex.EncodeToString(k[:4]) }

// ParsePublicKey reads a key a person gives (a flag, a form, an API
// field) from 64 hex digits and refuses one that could not enter the state
// (see CheckKey).
func ParsePublicKey(s string) (PublicKey, error) {
	k, err := parseKeyHex(s)
	if err != nil {
		return k, err
	}
	if err := CheckKey("public key", k[:]); err != nil {
		return PublicKey{}, err
	}
	return k, nil
}

// parseKeyHex reads 64 hex digits as a key, checking only their shape.
func parseKeyHex(s string) (PublicKey, error) {
	var k PublicKey
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(k) {
		return k, fmt.Errorf("public key must be 64 hex digits, got %q", s)
	}
	copy(k[:], b)
	return k, nil
}

// Tx is a decoded, size- and syntax-checked transaction. Its signature is
// checked separately (CheckSignature, or VerifyBatch for many at once) and
// the result cached in the Tx.
type Tx struct {
	Version uint64
	ChainID string
	Author  PublicKey
	Nonce   uint64
	Kind    Kind
	Body    Body

	payload []byte
	sig     []byte
	raw     []byte
	id      ID
	sigDone bool
	sigOK   bool
}

// ID returns the transaction id.
func (t *Tx) ID() ID { return t.id }

// Bytes returns the signed bytes the transaction was decoded from.
func (t *Tx) Bytes() []byte { return t.raw }

// SignBytes returns the exact message the signature covers.
func (t *Tx) SignBytes() []byte { return signBytes(t.payload) }

// Signature returns the 64-byte signature.
func (t *Tx) Signature() []byte { return t.sig }

func signBytes(payload []byte) []byte {
	m := make([]byte, 0, len(SignPrefix)+len(payload))
	m = append(m, SignPrefix...)
	return append(m, payload...)
}

// CheckSignature verifies the signature (ZIP-215) unless it was verified
// before, singly or in a batch, and reports a rejection when it is invalid.
func (t *Tx) CheckSignature() *reject.Error {
	if !t.sigDone {
		t.sigOK = ed25519consensus.Verify(t.Author[:], t.SignBytes(), t.sig)
		t.sigDone = true
	}
	if !t.sigOK {
		return reject.Errorf(reject.BadSignature, "transaction rejected: the signature does not match author %s", t.Author.Short())
	}
	return nil
}

// MarkVerified records the outcome of a signature check done elsewhere, such
// as a node's cache of transactions it already verified in CheckTx.
func (t *Tx) MarkVerified(ok bool) { t.sigDone, t.sigOK = true, ok }

// wire is the outer array.
type wire struct {
	_       struct{} `cbor:",toarray"`
	Payload []byte
	Sig     []byte
}

// payload is the signed map.
type payload struct {
	Version uint64          `cbor:"0,keyasint"`
	ChainID string          `cbor:"1,keyasint"`
	Author  []byte          `cbor:"2,keyasint"`
	Nonce   uint64          `cbor:"3,keyasint"`
	Kind    uint64          `cbor:"4,keyasint"`
	Body    cbor.RawMessage `cbor:"5,keyasint"`
}

// Decode parses signed transaction bytes strictly. It does not check the
// signature nor anything that depends on the community's state. A failure is
// a *reject.Error with code Malformed, TooLarge, BadVersion, UnknownKind,
// BadKey or BadBody.
func Decode(b []byte) (*Tx, *reject.Error) {
	if len(b) > MaxTxBytes {
		return nil, reject.Errorf(reject.TooLarge, "transaction rejected: %d bytes is over the limit of %d bytes", len(b), MaxTxBytes)
	}
	var w wire
	if err := strictDecode(b, &w); err != nil {
		return nil, malformed("envelope", err)
	}
	if len(w.Sig) != ed25519.SignatureSize {
		return nil, reject.Errorf(reject.Malformed, "transaction rejected: the signature must be %d bytes, not %d", ed25519.SignatureSize, len(w.Sig))
	}
	var p payload
	if err := strictDecode(w.Payload, &p); err != nil {
		return nil, malformed("payload", err)
	}
	if p.Version != Version {
		return nil, reject.Errorf(reject.BadVersion, "transaction rejected: envelope version %d is not supported (this node understands version %d)", p.Version, Version)
	}
	if len(p.Author) != ed25519.PublicKeySize {
		return nil, reject.Errorf(reject.BadKey, "transaction rejected: the author key must be %d bytes, not %d", ed25519.PublicKeySize, len(p.Author))
	}
	if err := checkAuthor(p.Author); err != nil {
		return nil, err
	}
	if err := checkChainID(p.ChainID); err != nil {
		return nil, err
	}
	if p.Kind > 0xffff {
		return nil, reject.Errorf(reject.UnknownKind, "transaction rejected: unknown kind %d", p.Kind)
	}
	kind := Kind(p.Kind)
	body, rerr := decodeBody(kind, p.Body)
	if rerr != nil {
		return nil, rerr
	}
	t := &Tx{
		Version: p.Version,
		ChainID: p.ChainID,
		Nonce:   p.Nonce,
		Kind:    kind,
		Body:    body,
		payload: w.Payload,
		sig:     w.Sig,
		raw:     b,
		id:      sha256.Sum256(b),
	}
	copy(t.Author[:], p.Author)
	return t, nil
}

func malformed(part string, err error) *reject.Error {
	return reject.Errorf(reject.Malformed, "transaction rejected: the %s is not canonical CBOR (%v)", part, err)
}

// strictDecode decodes v from b and insists that b is exactly v's canonical
// encoding.
func strictDecode(b []byte, v any) error {
	if err := decMode.Unmarshal(b, v); err != nil {
		return err
	}
	again, err := encMode.Marshal(v)
	if err != nil {
		return err
	}
	if !bytes.Equal(again, b) {
		return fmt.Errorf("not in canonical form")
	}
	return nil
}

// Unsigned is a transaction before signing.
type Unsigned struct {
	ChainID string
	Author  PublicKey
	Nonce   uint64
	Body    Body
}

// Payload returns the canonical payload bytes of u.
func (u Unsigned) Payload() ([]byte, error) {
	body, err := encMode.Marshal(u.Body)
	if err != nil {
		return nil, fmt.Errorf("encode %s body: %w", u.Body.Kind(), err)
	}
	return encMode.Marshal(payload{
		Version: Version,
		ChainID: u.ChainID,
		Author:  u.Author[:],
		Nonce:   u.Nonce,
		Kind:    uint64(u.Body.Kind()),
		Body:    body,
	})
}

// SignBytes returns the message a signer signs for u.
func (u Unsigned) SignBytes() ([]byte, error) {
	p, err := u.Payload()
	if err != nil {
		return nil, err
	}
	return signBytes(p), nil
}

// Sign signs u with priv (whose public key must be u.Author) and returns the
// signed transaction bytes.
func Sign(priv ed25519.PrivateKey, u Unsigned) ([]byte, error) {
	if !bytes.Equal(priv.Public().(ed25519.PublicKey), u.Author[:]) {
		return nil, fmt.Errorf("sign: private key does not belong to author %s", u.Author.Short())
	}
	p, err := u.Payload()
	if err != nil {
		return nil, err
	}
	return Assemble(p, ed25519.Sign(priv, signBytes(p)))
}

// Assemble joins a payload and a signature made elsewhere (by a browser, a
// hardware key) into signed transaction bytes.
func Assemble(payload, sig []byte) ([]byte, error) {
	b, err := encMode.Marshal(wire{Payload: payload, Sig: sig})
	if err != nil {
		return nil, fmt.Errorf("encode transaction: %w", err)
	}
	return b, nil
}

func checkChainID(s string) *reject.Error {
	if s == "" || len(s) > MaxChainID || !printableASCII(s) {
		return reject.Errorf(reject.Malformed, "transaction rejected: chain id must be 1 to %d printable ASCII characters", MaxChainID)
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

var (
	encMode cbor.EncMode
	decMode cbor.DecMode
)

func init() {
	var err error
	encMode, err = cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	decMode, err = cbor.DecOptions{
		DupMapKey:         cbor.DupMapKeyEnforcedAPF,
		IndefLength:       cbor.IndefLengthForbidden,
		TagsMd:            cbor.TagsForbidden,
		ExtraReturnErrors: cbor.ExtraDecErrorUnknownField,
		UTF8:              cbor.UTF8RejectInvalid,
		MaxNestedLevels:   8,
		MaxArrayElements:  1024,
		MaxMapPairs:       64,
	}.DecMode()
	if err != nil {
		panic(err)
	}
}

// MarshalText writes the key as hex, so JSON and TOML show it as a string.
func (k PublicKey) MarshalText() ([]byte, error) { return []byte(k.String()), nil }

// UnmarshalText reads a hex key, checking its shape only: JSON and TOML
// carry keys the state already holds (query answers) as well as keys about
// to enter it, which are checked where they enter (a genesis's founders by
// core's Validate).
func (k *PublicKey) UnmarshalText(b []byte) error {
	v, err := parseKeyHex(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}
