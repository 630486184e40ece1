// Package reject holds the stable numeric codes with which folkmoot refuses a
// transaction, and the error type that carries a code together with a
// sentence a person understands.
//
// Codes are part of the protocol: they appear in CheckTx and FinalizeBlock
// results, in the history file and in the projection. A code, once
// published, keeps its meaning forever; new codes are only ever added.
package reject

import "fmt"

// Code is a stable numeric rejection code. Zero means accepted.
type Code uint32

// Codes. Ranges: 1–29 envelope and encoding, 30–39 authorship, 40–49
// membership, 50–69 proposals and comments, 70–79 ballots, 80–89 the
// constitution (decision types, amendments), 90–99 laws, 100–109 liquid
// delegation, 110–139 offices, elections, office powers and recall,
// 140–149 popular initiatives, 150–169 secret ballots, 170–189 draws by lot.
const (
	OK Code = 0

	Malformed         Code = 1  // not a well-formed canonical transaction
	TooLarge          Code = 2  // over the size limit
	BadVersion        Code = 3  // unknown envelope version
	WrongChain        Code = 4  // signed for another community
	BadSignature      Code = 5  // signature does not verify
	UnknownKind       Code = 6  // unknown transaction kind
	BadBody           Code = 7  // body fields out of their documented limits
	BadKey            Code = 8  // not a 32-byte ed25519 public key
	BadNonce          Code = 9  // nonce is not last+1 for the author
	WeakKey           Code = 10 // a small-order or non-canonically encoded public key
	HiddenText        Code = 11 // a bidirectional override or zero-width character
	NotMember         Code = 30 // author was never a member
	FormerMember      Code = 31 // author has left
	DeadKey           Code = 32 // author's key was rotated away
	AlreadyMember     Code = 40 // vouch for a current member
	AlreadyVouched    Code = 41 // same voucher, same key, twice
	KeyRetired        Code = 42 // vouch or rotate to a key that was used before
	NameMismatch      Code = 44 // vouch for a key under another name than the first vouch
	BadRotationProof  Code = 43 // the new key did not sign the handover
	UnknownCategory   Code = 50 // category not in the constitution
	BadWindow         Code = 51 // voting window outside the constitution's bounds
	UnknownProposal   Code = 52 // no such proposal
	NotAuthor         Code = 53 // only the author may withdraw or amend a proposal
	VotingStarted     Code = 54 // withdraw or amend a proposal after voting opened
	ProposalWithdrawn Code = 55 // action on a withdrawn proposal
	UnknownComment    Code = 56 // reply to a comment that does not exist
	ReplyElsewhere    Code = 57 // reply to a comment on another proposal
	AlreadyEndorsed   Code = 58 // endorse twice
	ProposalDecided   Code = 59 // endorse after the decision
	TextUnchanged     Code = 60 // amend a proposal's text to the text it already has
	TextEndorsed      Code = 61 // amend the text of an initiative that members have endorsed
	BallotTooEarly    Code = 70 // voting not open yet
	BallotTooLate     Code = 71 // voting closed
	NotEligible       Code = 72 // joined after voting opened
	BadChoice         Code = 73 // choice is not yes, no or abstain
	BallotUnchanged   Code = 74 // same choice as the ballot already counted

	UnknownDecisionType Code = 80 // decision type not in the constitution
	TypeMismatch        Code = 81 // the category is bound to another decision type
	AmendmentType       Code = 82 // an amendment asked to be decided under another type's rules
	BadAmendment        Code = 83 // the new rules are not valid, or would make the constitution invalid
	AmendsFounders      Code = 84 // an amendment may not rewrite the founders

	UnknownLaw     Code = 90 // no such law
	LawExpired     Code = 91 // renew or repeal a law that has already expired
	LawRepealed    Code = 92 // renew or repeal a law that was repealed
	SunsetTooLong  Code = 93 // a law asks to live longer than the constitution's maximum
	RenewalTooLate Code = 94 // voting on a renewal would close after the law expires

	DelegateSelf        Code = 100 // delegate to oneself
	UnknownDelegate     Code = 101 // delegate to a key or number that is not a current member
	DelegationOff       Code = 102 // the constitution has switched delegation off
	NotDelegated        Code = 103 // undelegate a category with no delegation
	DelegationUnchanged Code = 104 // delegate to the member already delegated to

	UnknownOffice        Code = 110 // no office of that name in the constitution
	UnknownElection      Code = 111 // no such election
	NotNominating        Code = 112 // candidacy (or its withdrawal) outside the nominations
	AlreadyCandidate     Code = 113 // stand twice in one election
	ConsecutiveTermLimit Code = 114 // the candidate would exceed max_consecutive_terms
	LifetimeTermLimit    Code = 115 // the candidate would exceed max_terms
	NotCandidate         Code = 116 // withdraw a candidacy never made, or rank a member who is not a candidate
	ElectionNotVoting    Code = 117 // ranked ballot before voting opened or after it closed
	BadRanking           Code = 118 // a ranking with a duplicate or member 0
	NotElector           Code = 119 // joined after voting in the election opened
	RankingUnchanged     Code = 120 // the same ranking as the ballot already counted
	AlreadyHolder        Code = 121 // stand in a by-election for an office one already holds a seat in
	NoPower              Code = 122 // the office does not hold that power
	NotHolder            Code = 123 // an office power used by someone who holds no seat in the office
	TermEnded            Code = 124 // an office power used after the holder's term ended
	UnknownBudget        Code = 125 // payment against a proposal that is not a passed budget with an amount
	BudgetExceeded       Code = 126 // payments would exceed the budget's amount
	AmountNotBudget      Code = 127 // an amount on a proposal not decided under the "budget" type
	RecallNotHolder      Code = 128 // recall a member who holds no seat in the office
	AlreadySigned        Code = 129 // sign the same recall petition twice
	RecallPending        Code = 130 // a recall ballot against the seat is already open
	RecallTermEnded      Code = 131 // petition against a seat whose term has ended
	InitiativeTimes      Code = 140 // an initiative that names voting times
	InitiativeLapsed     Code = 141 // act on an initiative that lapsed
	InitiativeWindow     Code = 142 // endorse an initiative after its window closed
	InitiativeQualified  Code = 143 // withdraw an initiative that qualified
	InitiativeGathering  Code = 144 // vote on an initiative still gathering endorsements

	SecretVote        Code = 150 // an open ballot on a secret vote
	NotSecret         Code = 151 // a secret-ballot transaction on a vote that is not secret
	SecretRequired    Code = 152 // a proposal of a decision type that requires a secret ballot, proposed open
	BadOptions        Code = 153 // options or approvals that do not fit the proposal
	BadTrustees       Code = 154 // trustees who are not current members, or a threshold out of range
	KeyTooSoon        Code = 155 // a secret vote opening before its trustees have time to make the key
	NotTrustee        Code = 156 // a trustee's step by a member who is not one of the vote's trustees
	TrusteeWindow     Code = 157 // a trustee's step outside its window
	TrusteeStepDone   Code = 158 // a trustee's step taken twice
	BadTrusteeData    Code = 159 // malformed commitments, recipient, shares or revealed share
	NoComplaint       Code = 160 // complain with nothing to complain of, or answer a complaint never made
	VoteCancelled     Code = 161 // act on a secret vote cancelled because its key could not be made
	BadBallotEncoding Code = 162 // a secret ballot that does not parse (length, non-canonical point)
	BadBallotProof    Code = 163 // a secret ballot whose proofs fail
	BallotReused      Code = 164 // a secret ballot whose bytes were already cast
	NotDecrypting     Code = 165 // a partial decryption outside the tally window
	BadDecryption     Code = 166 // a partial decryption that does not parse or whose proof fails

	BadDraw          Code = 170 // a draw whose seats or windows do not fit
	UnknownDraw      Code = 171 // no such draw
	DrawWindow       Code = 172 // volunteer, commit or reveal outside its window
	AlreadyDone      Code = 173 // volunteer, commit or reveal twice
	NotVolunteers    Code = 174 // volunteer for a draw among all members
	BadBeacon        Code = 175 // a commitment or secret of the wrong size, or a reveal that does not match
	BarredFromBeacon Code = 176 // commit while barred for not revealing in an earlier draw
	NoCommitment     Code = 177 // reveal without having committed
	ByLot            Code = 178 // a ranked ballot in an election of an office filled by lot
	NotDeclared      Code = 179 // volunteer for a stratified draw without declaring a value its quotas know
	BadLottery       Code = 180 // a lottery that does not fit its draw, or published out of turn
)

var names = map[Code]string{
	OK: "ok", Malformed: "malformed", TooLarge: "too_large", BadVersion: "bad_version",
	WrongChain: "wrong_chain", BadSignature: "bad_signature", UnknownKind: "unknown_kind",
	BadBody: "bad_body", BadKey: "bad_key", BadNonce: "bad_nonce", WeakKey: "weak_key", HiddenText: "hidden_text", NotMember: "not_member",
	FormerMember: "former_member", DeadKey: "dead_key", AlreadyMember: "already_member",
	AlreadyVouched: "already_vouched", KeyRetired: "key_retired",
	BadRotationProof: "bad_rotation_proof", NameMismatch: "name_mismatch", UnknownCategory: "unknown_category",
	BadWindow: "bad_window", UnknownProposal: "unknown_proposal", NotAuthor: "not_author",
	VotingStarted: "voting_started", ProposalWithdrawn: "proposal_withdrawn",
	UnknownComment: "unknown_comment", ReplyElsewhere: "reply_elsewhere",
	AlreadyEndorsed: "already_endorsed", ProposalDecided: "proposal_decided",
	TextUnchanged: "text_unchanged", TextEndorsed: "text_endorsed",
	BallotTooEarly: "ballot_too_early", BallotTooLate: "ballot_too_late",
	NotEligible: "not_eligible", BadChoice: "bad_choice", BallotUnchanged: "ballot_unchanged",
	UnknownDecisionType: "unknown_decision_type", TypeMismatch: "type_mismatch",
	AmendmentType: "amendment_type", BadAmendment: "bad_amendment", AmendsFounders: "amends_founders",
	UnknownLaw: "unknown_law", LawExpired: "law_expired", LawRepealed: "law_repealed",
	SunsetTooLong: "sunset_too_long", RenewalTooLate: "renewal_too_late",
	DelegateSelf: "delegate_self", UnknownDelegate: "unknown_delegate", DelegationOff: "delegation_off",
	NotDelegated: "not_delegated", DelegationUnchanged: "delegation_unchanged",
	UnknownOffice: "unknown_office", UnknownElection: "unknown_election", NotNominating: "not_nominating",
	AlreadyCandidate: "already_candidate", ConsecutiveTermLimit: "consecutive_term_limit", LifetimeTermLimit: "lifetime_term_limit",
	NotCandidate: "not_candidate", ElectionNotVoting: "election_not_voting", BadRanking: "bad_ranking",
	NotElector: "not_elector", RankingUnchanged: "ranking_unchanged", AlreadyHolder: "already_holder",
	NoPower: "no_power", NotHolder: "not_holder", TermEnded: "term_ended", UnknownBudget: "unknown_budget",
	BudgetExceeded: "budget_exceeded", AmountNotBudget: "amount_not_budget", RecallNotHolder: "recall_not_holder",
	AlreadySigned: "already_signed", RecallPending: "recall_pending", RecallTermEnded: "recall_term_ended",
	InitiativeTimes: "initiative_times", InitiativeLapsed: "initiative_lapsed", InitiativeWindow: "initiative_window",
	InitiativeQualified: "initiative_qualified", InitiativeGathering: "initiative_gathering",
	SecretVote: "secret_vote", NotSecret: "not_secret", SecretRequired: "secret_required", BadOptions: "bad_options",
	BadTrustees: "bad_trustees", KeyTooSoon: "key_too_soon", NotTrustee: "not_trustee", TrusteeWindow: "trustee_window",
	TrusteeStepDone: "trustee_step_done", BadTrusteeData: "bad_trustee_data", NoComplaint: "no_complaint",
	VoteCancelled: "vote_cancelled", BadBallotEncoding: "bad_ballot_encoding", BadBallotProof: "bad_ballot_proof",
	BallotReused: "ballot_reused", NotDecrypting: "not_decrypting", BadDecryption: "bad_decryption",
	BadDraw: "bad_draw", UnknownDraw: "unknown_draw", DrawWindow: "draw_window", AlreadyDone: "already_done",
	NotVolunteers: "not_volunteers", BadBeacon: "bad_beacon", BarredFromBeacon: "barred_from_beacon", NoCommitment: "no_commitment",
	ByLot: "by_lot", NotDeclared: "not_declared", BadLottery: "bad_lottery",
}

// String returns the code's short stable name, such as "bad_nonce".
func (c Code) String() string {
	if n, ok := names[c]; ok {
		return n
	}
	return fmt.Sprintf("code_%d", uint32(c))
}

// All returns every defined code in ascending order, for documentation and
// metrics.
func All() []Code {
	out := make([]Code, 0, len(names))
	for c := Code(0); c < 200; c++ {
		if _, ok := names[c]; ok {
			out = append(out, c)
		}
	}
	return out
}

// Error is a rejection: a stable code and a sentence for a person.
type Error struct {
	Code Code
	Msg  string
}

// Error returns the sentence.
func (e *Error) Error() string { return e.Msg }

// Errorf builds a rejection with a formatted sentence.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Msg: fmt.Sprintf(format, args...)}
}
