package tx

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/folkmoot/folkmoot/internal/reject"
)

// Kind names what a transaction does. Values are part of the protocol.
type Kind uint16

// Transaction kinds.
const (
	KindVouch     Kind = 1  // vouch for a key to become a member
	KindLeave     Kind = 2  // the author leaves the community
	KindRotate    Kind = 3  // the author hands membership over to a new key
	KindPropose   Kind = 10 // create a proposal
	KindWithdraw  Kind = 11 // the author withdraws a proposal before voting opens
	KindComment   Kind = 12 // comment on a proposal, or reply to a comment
	KindEndorse   Kind = 13 // endorse a proposal
	KindBallot    Kind = 14 // an open ballot: yes, no or abstain
	KindAmendText Kind = 15 // the author fixes the title and body of a proposal before voting opens

	KindDelegate   Kind = 20 // delegate the author's vote on a category to another member
	KindUndelegate Kind = 21 // withdraw the author's delegation on a category
)

// kinds is the one table of transaction kinds: each kind's name and the
// empty body it decodes into. It is never written after initialisation.
var kinds = map[Kind]struct {
	name string
	body func() Body
}{
	KindVouch:             {"vouch", func() Body { return new(Vouch) }},
	KindLeave:             {"leave", func() Body { return new(Leave) }},
	KindRotate:            {"rotate", func() Body { return new(Rotate) }},
	KindPropose:           {"propose", func() Body { return new(Propose) }},
	KindWithdraw:          {"withdraw", func() Body { return new(Withdraw) }},
	KindComment:           {"comment", func() Body { return new(Comment) }},
	KindEndorse:           {"endorse", func() Body { return new(Endorse) }},
	KindBallot:            {"ballot", func() Body { return new(Ballot) }},
	KindAmendText:         {"amend-text", func() Body { return new(AmendText) }},
	KindDelegate:          {"delegate", func() Body { return new(Delegate) }},
	KindUndelegate:        {"undelegate", func() Body { return new(Undelegate) }},
	KindCandidacy:         {"candidacy", func() Body { return new(Candidacy) }},
	KindWithdrawCandidacy: {"withdraw-candidacy", func() Body { return new(WithdrawCandidacy) }},
	KindRank:              {"rank", func() Body { return new(Rank) }},
	KindRecall:            {"recall", func() Body { return new(Recall) }},
	KindNotice:            {"notice", func() Body { return new(Notice) }},
	KindPayment:           {"payment", func() Body { return new(Payment) }},
	KindTrusteeCommit:     {"trustee-commit", func() Body { return new(TrusteeCommit) }},
	KindTrusteeShares:     {"trustee-shares", func() Body { return new(TrusteeShares) }},
	KindTrusteeComplain:   {"trustee-complain", func() Body { return new(TrusteeComplain) }},
	KindTrusteeAnswer:     {"trustee-answer", func() Body { return new(TrusteeAnswer) }},
	KindSecretBallot:      {"secret-ballot", func() Body { return new(SecretBallot) }},
	KindTrusteeDecrypt:    {"trustee-decrypt", func() Body { return new(TrusteeDecrypt) }},
	KindDraw:              {"draw", func() Body { return new(Draw) }},
	KindVolunteer:         {"volunteer", func() Body { return new(Volunteer) }},
	KindBeaconCommit:      {"beacon-commit", func() Body { return new(BeaconCommit) }},
	KindBeaconReveal:      {"beacon-reveal", func() Body { return new(BeaconReveal) }},
	KindDeclare:           {"declare", func() Body { return new(Declare) }},
	KindDrawLottery:       {"draw-lottery", func() Body { return new(DrawLottery) }},
}

// Kinds returns every transaction kind, in increasing order.
func Kinds() []Kind {
	out := make([]Kind, 0, len(kinds))
	for k := range kinds {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// String returns the kind's name, such as "ballot".
func (k Kind) String() string {
	if d, ok := kinds[k]; ok {
		return d.name
	}
	return fmt.Sprintf("kind %d", uint16(k))
}

// Documented limits on the text a transaction may carry. Lengths of names,
// titles and categories count Unicode code points; bodies and comments count
// bytes of UTF-8.
const (
	MaxChainID      = 50    // bytes, printable ASCII (CometBFT's own limit)
	MaxName         = 64    // code points in a display name
	MaxTitle        = 200   // code points in a proposal title
	MaxCategory     = 40    // code points in a category name
	MaxBodyBytes    = 32768 // bytes of Markdown in a proposal body
	MaxCommentBytes = 8192  // bytes in a comment
	MaxTypeName     = 40    // code points in a decision type's name
	MaxRulesBytes   = 16384 // bytes of JSON in an amendment's new rules
)

// MaxSunsetSecs bounds the seconds a law or renewal may ask to live; the
// constitution's own maximum is usually far lower.
const MaxSunsetSecs = 100 * 365 * 24 * 3600

// Measure says what a proposal does when it passes. Values are part of the
// protocol.
type Measure uint8

// Measures.
const (
	Resolution Measure = 0 // a decision with no effect on the record's rules: the default
	Enact      Measure = 1 // enact a law: it enters the register of laws in force until its sunset
	Renew      Measure = 2 // renew law Law before it expires
	Repeal     Measure = 3 // repeal law Law
	Amend      Measure = 4 // amend the constitution with Rules
	// RecallVote is the measure of a recall ballot: the core opens one when a
	// recall petition reaches its threshold; no propose transaction may
	// carry it. If it passes, the holder's seat is vacated.
	RecallVote Measure = 5
)

// String names the measure.
func (m Measure) String() string {
	switch m {
	case Resolution:
		return "resolution"
	case Enact:
		return "law"
	case Renew:
		return "renewal"
	case Repeal:
		return "repeal"
	case Amend:
		return "amendment"
	case RecallVote:
		return "recall"
	}
	return fmt.Sprintf("measure %d", uint8(m))
}

// ParseMeasure reads a measure's name as String writes it.
func ParseMeasure(s string) (Measure, error) {
	for m := Resolution; m <= Amend; m++ {
		if m.String() == s {
			return m, nil
		}
	}
	return 0, fmt.Errorf("measure must be resolution, law, renewal, repeal or amendment, not %q", s)
}

// Body is the kind-specific part of a transaction.
type Body interface {
	// Kind returns the transaction kind this body belongs to.
	Kind() Kind
	// check validates the body's own fields, with no state.
	check() *reject.Error
}

// Choice is an open ballot's choice.
type Choice uint8

// Ballot choices.
const (
	Yes     Choice = 1
	No      Choice = 2
	Abstain Choice = 3
)

// String returns "yes", "no" or "abstain".
func (c Choice) String() string {
	switch c {
	case Yes:
		return "yes"
	case No:
		return "no"
	case Abstain:
		return "abstain"
	}
	return fmt.Sprintf("choice %d", uint8(c))
}

// ParseChoice reads "yes", "no" or "abstain".
func ParseChoice(s string) (Choice, error) {
	switch s {
	case "yes", "y":
		return Yes, nil
	case "no", "n":
		return No, nil
	case "abstain", "a":
		return Abstain, nil
	}
	return 0, fmt.Errorf("choice must be yes, no or abstain, not %q", s)
}

// Vouch says the author vouches for Key to be a member named Name. The key
// is admitted when the constitution's number of distinct members have
// vouched for it.
type Vouch struct {
	Key  []byte `cbor:"0,keyasint"`
	Name string `cbor:"1,keyasint"`
}

// Leave ends the author's membership.
type Leave struct{}

// Rotate hands the author's membership to NewKey. Proof is NewKey's
// signature over RotationMessage(chain, author, NewKey), showing that the
// new key's holder agreed; from the block that accepts it, the old key is dead.
type Rotate struct {
	NewKey []byte `cbor:"0,keyasint"`
	Proof  []byte `cbor:"1,keyasint"`
}

// Propose creates a proposal. Opens and Closes are Unix seconds; Opens zero
// means voting opens in the block that records the proposal.
//
// The fields from 5 on are optional and omitted when zero, so a plain
// proposal encodes exactly as before they existed:
//
//   - Type names the decision type whose quorum and threshold apply (at most
//     MaxTypeName code points); empty means the type the constitution binds
//     to Category, or "ordinary".
//   - Measure says what the proposal does when it passes (see Measure).
//   - Law is the law number a renewal or repeal is about; set exactly for
//     those measures.
//   - Sunset is how many seconds a law (or a renewal) asks to live, 1 to
//     MaxSunsetSecs; zero means the constitution's default sunset. Only a
//     law or a renewal may carry one.
//   - Rules is an amendment's change to the constitution: a JSON object with
//     any of the genesis constitution's keys except "founders" (at most
//     MaxRulesBytes bytes), applied over the rules in force when the
//     amendment passes. Set exactly for an amendment.
//   - Amount is what a budget proposal allows to be spent, in minor units
//     (cents): payments recorded under it by an office with the power
//     "payment" may not add up to more. Only a proposal decided under the
//     decision type "budget" may carry one.
//   - Initiative makes the proposal a popular initiative: it has no voting
//     times (Opens and Closes are zero) and gathers endorsements; voting
//     opens in the block in which they reach the constitution's initiative
//     threshold, and lasts its initiative voting period.
type Propose struct {
	Title      string  `cbor:"0,keyasint"`
	Body       string  `cbor:"1,keyasint"`
	Category   string  `cbor:"2,keyasint"`
	Opens      int64   `cbor:"3,keyasint,omitempty"`
	Closes     int64   `cbor:"4,keyasint"`
	Type       string  `cbor:"5,keyasint,omitempty"`
	Measure    Measure `cbor:"6,keyasint,omitempty"`
	Law        uint64  `cbor:"7,keyasint,omitempty"`
	Sunset     int64   `cbor:"8,keyasint,omitempty"`
	Rules      string  `cbor:"9,keyasint,omitempty"`
	Amount     uint64  `cbor:"10,keyasint,omitempty"`
	Initiative bool    `cbor:"11,keyasint,omitempty"`
	// Secret asks for a secret ballot (see secret.go): members cast
	// encrypted ballots, Trustees hold the key in shares, Threshold of them
	// decrypt the sum. Options, when set, make it a question with these
	// options instead of yes/no/abstain; Approve, when not zero, lets a
	// member approve up to that many of them (otherwise exactly one).
	Secret    bool     `cbor:"12,keyasint,omitempty"`
	Options   []string `cbor:"13,keyasint,omitempty"`
	Approve   uint32   `cbor:"14,keyasint,omitempty"`
	Trustees  []uint32 `cbor:"15,keyasint,omitempty"`
	Threshold uint32   `cbor:"16,keyasint,omitempty"`
}

// AmendText replaces the title and body of the author's proposal with a
// corrected text, before voting opens. Both are given whole, with the
// limits of a proposal's; the earlier texts stay in the record.
type AmendText struct {
	Proposal uint64 `cbor:"0,keyasint"`
	Title    string `cbor:"1,keyasint"`
	Body     string `cbor:"2,keyasint"`
}

// Kind implements Body.
func (*AmendText) Kind() Kind { return KindAmendText }

func (b *AmendText) check() *reject.Error {
	if err := checkProposalID("text amendment", b.Proposal); err != nil {
		return err
	}
	if err := checkLine("text amendment rejected: the title", b.Title, MaxTitle); err != nil {
		return err
	}
	return checkText("text amendment rejected: the body", b.Body, MaxBodyBytes)
}

// Withdraw withdraws the author's proposal before voting opens.
type Withdraw struct {
	Proposal uint64 `cbor:"0,keyasint"`
}

// Comment comments on a proposal; ReplyTo, when not zero, is the id of the
// comment on the same proposal being answered.
type Comment struct {
	Proposal uint64 `cbor:"0,keyasint"`
	ReplyTo  uint64 `cbor:"1,keyasint,omitempty"`
	Text     string `cbor:"2,keyasint"`
}

// Endorse records the author's endorsement of a proposal.
type Endorse struct {
	Proposal uint64 `cbor:"0,keyasint"`
}

// Ballot is an open ballot on a proposal. A later ballot by the same member
// on the same proposal replaces the earlier one until voting closes.
type Ballot struct {
	Proposal uint64 `cbor:"0,keyasint"`
	Choice   Choice `cbor:"1,keyasint"`
}

// Delegate delegates the author's vote on proposals of Category to another
// current member, named either by key (To, 32 bytes) or by member number
// (Member): exactly one of the two is set. A later Delegate on the same
// category replaces the earlier one; the author's own ballot on a proposal
// always overrides the delegation for that proposal.
type Delegate struct {
	Category string `cbor:"0,keyasint"`
	To       []byte `cbor:"1,keyasint,omitempty"`
	Member   uint32 `cbor:"2,keyasint,omitempty"`
}

// Undelegate withdraws the author's delegation on Category, from the block
// that accepts it.
type Undelegate struct {
	Category string `cbor:"0,keyasint"`
}

// Kind implements Body.
func (*Delegate) Kind() Kind { return KindDelegate }

// Kind implements Body.
func (*Undelegate) Kind() Kind { return KindUndelegate }

func (b *Delegate) check() *reject.Error {
	if err := checkLine("delegation rejected: the category", b.Category, MaxCategory); err != nil {
		return err
	}
	if (len(b.To) == 0) == (b.Member == 0) {
		return reject.Errorf(reject.BadBody, "delegation rejected: name the delegate either by key or by member number, exactly one of the two")
	}
	if len(b.To) != 0 && len(b.To) != 32 {
		return reject.Errorf(reject.BadKey, "delegation rejected: the delegate's key must be 32 bytes, not %d", len(b.To))
	}
	return nil
}

func (b *Undelegate) check() *reject.Error {
	return checkLine("withdrawal of delegation rejected: the category", b.Category, MaxCategory)
}

// Kind implements Body.
func (*Vouch) Kind() Kind { return KindVouch }

// Kind implements Body.
func (*Leave) Kind() Kind { return KindLeave }

// Kind implements Body.
func (*Rotate) Kind() Kind { return KindRotate }

// Kind implements Body.
func (*Propose) Kind() Kind { return KindPropose }

// Kind implements Body.
func (*Withdraw) Kind() Kind { return KindWithdraw }

// Kind implements Body.
func (*Comment) Kind() Kind { return KindComment }

// Kind implements Body.
func (*Endorse) Kind() Kind { return KindEndorse }

// Kind implements Body.
func (*Ballot) Kind() Kind { return KindBallot }

func (b *Vouch) check() *reject.Error {
	if err := CheckKey("vouch rejected: the key", b.Key); err != nil {
		return err
	}
	return CheckName("vouch rejected: the display name", b.Name)
}

func (*Leave) check() *reject.Error { return nil }

func (b *Rotate) check() *reject.Error {
	if err := CheckKey("rotation rejected: the new key", b.NewKey); err != nil {
		return err
	}
	if len(b.Proof) != 64 {
		return reject.Errorf(reject.BadRotationProof, "rotation rejected: the new key's proof must be a 64-byte signature, not %d bytes", len(b.Proof))
	}
	return nil
}

func (b *Propose) check() *reject.Error {
	if err := checkLine("proposal rejected: the title", b.Title, MaxTitle); err != nil {
		return err
	}
	if err := checkLine("proposal rejected: the category", b.Category, MaxCategory); err != nil {
		return err
	}
	if err := checkText("proposal rejected: the body", b.Body, MaxBodyBytes); err != nil {
		return err
	}
	if b.Initiative {
		if b.Opens != 0 || b.Closes != 0 {
			return reject.Errorf(reject.InitiativeTimes, "proposal rejected: an initiative names no voting times; voting opens when it gathers enough endorsements and lasts the constitution's initiative voting period")
		}
	} else if b.Opens < 0 || b.Closes <= 0 {
		return reject.Errorf(reject.BadWindow, "proposal rejected: opening and closing times must be positive Unix seconds")
	}
	if b.Type != "" {
		if err := checkLine("proposal rejected: the decision type", b.Type, MaxTypeName); err != nil {
			return err
		}
	}
	if b.Measure > Amend {
		return reject.Errorf(reject.BadBody, "proposal rejected: measure %d is not resolution (0), law (1), renewal (2), repeal (3) or amendment (4)", b.Measure)
	}
	if needs := b.Measure == Renew || b.Measure == Repeal; needs != (b.Law != 0) {
		if needs {
			return reject.Errorf(reject.BadBody, "proposal rejected: a %s must name the law it is about (law numbers start at 1)", b.Measure)
		}
		return reject.Errorf(reject.BadBody, "proposal rejected: a %s does not name a law; only a renewal or a repeal does", b.Measure)
	}
	if b.Sunset != 0 {
		if b.Measure != Enact && b.Measure != Renew {
			return reject.Errorf(reject.BadBody, "proposal rejected: a %s has no sunset; only a law or a renewal does", b.Measure)
		}
		if b.Sunset < 0 || b.Sunset > MaxSunsetSecs {
			return reject.Errorf(reject.BadBody, "proposal rejected: the sunset must be 1 to %d seconds, not %d", MaxSunsetSecs, b.Sunset)
		}
	}
	if (b.Measure == Amend) != (b.Rules != "") {
		if b.Measure == Amend {
			return reject.Errorf(reject.BadBody, "proposal rejected: an amendment must carry the new rules")
		}
		return reject.Errorf(reject.BadBody, "proposal rejected: only an amendment carries new rules, not a %s", b.Measure)
	}
	if err := b.checkSecret(); err != nil {
		return err
	}
	if b.Amount != 0 && b.Measure != Resolution {
		return reject.Errorf(reject.BadBody, "proposal rejected: a %s carries no amount; only a budget resolution does", b.Measure)
	}
	if b.Rules != "" {
		if err := checkText("proposal rejected: the new rules", b.Rules, MaxRulesBytes); err != nil {
			return err
		}
		if !json.Valid([]byte(b.Rules)) || !strings.HasPrefix(strings.TrimSpace(b.Rules), "{") {
			return reject.Errorf(reject.BadBody, "proposal rejected: the new rules must be a JSON object such as {\"threshold\": \">=2/3\"}")
		}
	}
	return nil
}

func (b *Withdraw) check() *reject.Error { return checkProposalID("withdrawal", b.Proposal) }

func (b *Comment) check() *reject.Error {
	if err := checkProposalID("comment", b.Proposal); err != nil {
		return err
	}
	if b.Text == "" {
		return reject.Errorf(reject.BadBody, "comment rejected: the text is empty")
	}
	return checkText("comment rejected: the text", b.Text, MaxCommentBytes)
}

func (b *Endorse) check() *reject.Error { return checkProposalID("endorsement", b.Proposal) }

func (b *Ballot) check() *reject.Error {
	if err := checkProposalID("ballot", b.Proposal); err != nil {
		return err
	}
	if b.Choice < Yes || b.Choice > Abstain {
		return reject.Errorf(reject.BadChoice, "ballot rejected: choice %d is not yes (1), no (2) or abstain (3)", b.Choice)
	}
	return nil
}

func checkProposalID(what string, id uint64) *reject.Error {
	if id == 0 {
		return reject.Errorf(reject.BadBody, "%s rejected: proposal numbers start at 1", what)
	}
	return nil
}

// CheckName validates a display name: 1 to MaxName code points, no control
// characters, no leading or trailing space. what starts the sentence.
func CheckName(what, s string) *reject.Error {
	return checkLine(what, s, MaxName)
}

func checkLine(what, s string, max int) *reject.Error {
	if !utf8.ValidString(s) {
		return reject.Errorf(reject.BadBody, "%s is not valid UTF-8", what)
	}
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return reject.Errorf(reject.BadBody, "%s is empty", what)
	}
	if n > max {
		return reject.Errorf(reject.BadBody, "%s has %d characters; at most %d are allowed", what, n, max)
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return reject.Errorf(reject.BadBody, "%s contains a control character (U+%04X)", what, r)
		}
		if isBidiControl(r) || isZeroWidth(r) {
			return hiddenText(what, r)
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	last, _ := utf8.DecodeLastRuneInString(s)
	if unicode.IsSpace(first) || unicode.IsSpace(last) {
		return reject.Errorf(reject.BadBody, "%s starts or ends with a space", what)
	}
	return nil
}

func checkText(what, s string, maxBytes int) *reject.Error {
	if !utf8.ValidString(s) {
		return reject.Errorf(reject.BadBody, "%s is not valid UTF-8", what)
	}
	if len(s) > maxBytes {
		return reject.Errorf(reject.BadBody, "%s has %d bytes; at most %d are allowed", what, len(s), maxBytes)
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return reject.Errorf(reject.BadBody, "%s contains a control character (U+%04X)", what, r)
		}
		if isBidiControl(r) {
			return hiddenText(what, r)
		}
	}
	return nil
}

// isBidiControl reports the explicit bidirectional embeddings, overrides
// and isolates (U+202A–U+202E, U+2066–U+2069): they make text read in
// another order than it is stored ("\u202egnp.exe" shows as "exe.png"),
// so what a member signs could differ from what others read. Texts keep
// the implicit marks (U+200E, U+200F) that right-to-left writing needs.
func isBidiControl(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069)
}

// isZeroWidth reports the zero-width space, non-joiner and joiner (U+200B–
// U+200D): in a name or a title they make two different strings look the
// same. Longer texts may need them (emoji sequences, Persian), so only
// one-line fields refuse them.
func isZeroWidth(r rune) bool { return r >= 0x200B && r <= 0x200D }

func hiddenText(what string, r rune) *reject.Error {
	return reject.Errorf(reject.HiddenText, "%s contains an invisible character (U+%04X) that changes how the text reads; remove it", what, r)
}

// newBody returns an empty body for kind, or nil when the kind is unknown.
func newBody(k Kind) Body {
	if d, ok := kinds[k]; ok {
		return d.body()
	}
	return nil
}

func decodeBody(k Kind, raw []byte) (Body, *reject.Error) {
	b := newBody(k)
	if b == nil {
		return nil, reject.Errorf(reject.UnknownKind, "transaction rejected: unknown kind %d", uint16(k))
	}
	if err := strictDecode(raw, b); err != nil {
		return nil, malformed(k.String()+" body", err)
	}
	if err := b.check(); err != nil {
		return nil, err
	}
	return b, nil
}

// RotationMessage is what the new key signs to accept a handover from old.
func RotationMessage(chainID string, old, new PublicKey) []byte {
	m := make([]byte, 0, 64+len(chainID)+32)
	m = append(m, "folkmoot/rotate/v1\n"...)
	m = append(m, chainID...)
	m = append(m, 0)
	m = append(m, old[:]...)
	return append(m, new[:]...)
}

// ValidChainID reports whether s is a valid chain id: 1 to MaxChainID
// printable ASCII characters.
func ValidChainID(s string) bool { return checkChainID(s) == nil }
