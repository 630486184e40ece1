package core

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"fmt"

	"github.com/fxamacker/cbor/v2"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// FactType tags each leaf of the accumulator. Values are part of the
// protocol.
type FactType uint64

// Fact types. A leaf's data is the deterministic CBOR encoding of an array
// whose first element is the type; the rest is listed per type.
const (
	// FactTx: [1, tx id (bstr 32)] — a transaction was accepted.
	FactTx FactType = 1
	// FactAdmitted: [2, member number, key (bstr 32), name, time (Unix ns)].
	FactAdmitted FactType = 2
	// FactLeft: [3, member number, key (bstr 32), time].
	FactLeft FactType = 3
	// FactRotated: [4, member number, old key, new key, time].
	FactRotated FactType = 4
	// FactDecided: [5, proposal id, yes, no, abstain, eligible, quorum
	// reached (bool), passed (bool), time].
	FactDecided FactType = 5
	// FactGenesis: [6, chain id, genesis time, SHA-256 of the genesis
	// app_state JSON without insignificant whitespace] — always the first
	// leaf.
	FactGenesis FactType = 6
	// FactBlock: [7, height, block time] — the first leaf of every block.
	FactBlock FactType = 7
	// FactRejected: [8, tx id, code] — a transaction included in a block
	// was rejected; recorded so that the root commits to every byte of
	// every block.
	FactRejected FactType = 8
	// FactAmended: [9, rules version, amendment proposal id, time, SHA-256
	// of the whole new constitution's JSON] — the constitution changed from
	// this block.
	FactAmended FactType = 9
	// FactLawEnacted: [10, law number, proposal id, expiry (Unix ns), time]
	// — a law entered the register of laws in force.
	FactLawEnacted FactType = 10
	// FactLawRenewed: [11, law number, renewal proposal id, new expiry,
	// time].
	FactLawRenewed FactType = 11
	// FactLawRepealed: [12, law number, repeal proposal id, expiry it had,
	// time].
	FactLawRepealed FactType = 12
	// FactLawExpired: [13, law number, 0, expiry, time of the block whose
	// EndBlock removed it] — the law reached its sunset.
	FactLawExpired FactType = 13
	// FactDelegated: [14, proposal id, delegated yes, delegated no,
	// delegated abstain, delegators lost to the weight cap, delegators lost
	// to cycles, time] — the part of the FactDecided just before it that
	// was carried by delegation. Present only when some delegation counted
	// or was lost to a cap or a cycle, so histories without delegation keep
	// their roots.
	FactDelegated FactType = 14
	// FactElectionOpened: [15, election id, office, seats, by-election
	// (bool), voting opens, voting closes, term ends, time] — nominations
	// opened.
	FactElectionOpened FactType = 15
	// FactElectionDecided: [16, election id, office, winners (array of
	// member numbers, in order of election), ranked ballots cast, time].
	FactElectionDecided FactType = 16
	// FactSeatFilled: [17, term id, office, member, election id, term ends,
	// time] — a winner took a seat.
	FactSeatFilled FactType = 17
	// FactSeatVacated: [18, term id, office, member, reason ("left",
	// "recalled"), time] — a seat was emptied before its term ended.
	FactSeatVacated FactType = 18
	// FactTermEnded: [19, term id, office, member, reason ("term", "office
	// removed"), time] — a term ended.
	FactTermEnded FactType = 19
	// FactRecallOpened: [20, petition id, office, member, recall proposal
	// id, signers, time] — a petition reached its threshold.
	FactRecallOpened FactType = 20
	// FactPetitionLapsed: [21, petition id, office, member, signers, time].
	FactPetitionLapsed FactType = 21
	// FactInitiativeQualified: [25, proposal id, endorsements, endorsements
	// needed, voting opens (the block time), voting closes] — an
	// initiative reached its endorsements and voting opened.
	FactInitiativeQualified FactType = 25
	// FactInitiativeLapsed: [26, proposal id, endorsements, endorsements
	// needed, end of its window, time of the block whose EndBlock ended it]
	// — an initiative's window passed without enough endorsements.
	FactInitiativeLapsed FactType = 26
	// FactTextAmended: [27, proposal id, revision, SHA-256 of the new title,
	// a newline and the new body, time] — the author amended the text of a
	// proposal before voting opened.
	FactTextAmended FactType = 27
	// FactSecretKey: [28, proposal id, joint public key (bstr 32), qualified
	// trustees (array of trustee numbers), time] — a secret vote opened
	// under this key.
	FactSecretKey FactType = 28
	// FactSecretCancelled: [29, proposal id, reason, time] — a secret vote
	// was cancelled as it was to open: its key could not be made.
	FactSecretCancelled FactType = 29
	// FactTrusteeDisqualified: [30, proposal id, trustee number, member
	// number, reason, time] — a trustee's polynomial does not count.
	FactTrusteeDisqualified FactType = 30
	// FactSecretClosed: [31, proposal id, ballots counted, SHA-256 of the
	// aggregate ciphertexts, decrypt deadline, time] — voting on a secret
	// proposal closed.
	FactSecretClosed FactType = 31
	// FactSecretTally: [32, proposal id, counts (array, one per choice; null
	// when not decrypted), trustees whose partial decryptions were combined
	// (array), not decrypted (bool), time] — followed by the FactDecided of
	// the proposal.
	FactSecretTally FactType = 32
	// FactDrawn: [33, draw id, round, seed (bstr 32), root hashed into the
	// seed (bstr 32), reveals, pool (array of member numbers), selected
	// (array), non-revealers (array), time].
	FactDrawn FactType = 33
	// FactDrawRedone: [34, draw id, new round, reason, non-revealers, new
	// reveal deadline, time].
	FactDrawRedone FactType = 34
	// FactDrawFailed: [35, draw id, round, reason, non-revealers, time].
	FactDrawFailed FactType = 35
)

// Fact is a decoded accumulator leaf, for people and tools.
type Fact struct {
	Type     FactType      `json:"type"`
	TxID     *tx.ID        `json:"tx,omitempty"`
	Member   uint32        `json:"member,omitempty"`
	Key      *tx.PublicKey `json:"key,omitempty"`
	NewKey   *tx.PublicKey `json:"new_key,omitempty"`
	Name     string        `json:"name,omitempty"`
	Proposal uint64        `json:"proposal,omitempty"`
	Yes      uint64        `json:"yes,omitempty"`
	No       uint64        `json:"no,omitempty"`
	Abstain  uint64        `json:"abstain,omitempty"`
	Eligible uint64        `json:"eligible,omitempty"`
	Quorum   bool          `json:"quorum_reached,omitempty"`
	Passed   bool          `json:"passed,omitempty"`
	Time     int64         `json:"time,omitempty"`
	Height   int64         `json:"height,omitempty"`
	Code     uint32        `json:"code,omitempty"`
	Digest   []byte        `json:"app_state_sha256,omitempty"` // genesis: SHA-256 of app_state; amended: of the new constitution; text amended: of the new text; Name holds the chain id
	Law      uint64        `json:"law,omitempty"`
	Expires  int64         `json:"expires,omitempty"`
	Version  uint32        `json:"rules_version,omitempty"`
	Capped   uint64        `json:"capped,omitempty"` // delegated: delegators lost to the weight cap
	Cyclic   uint64        `json:"cyclic,omitempty"` // delegated: delegators lost to cycles
	// Offices and elections (facts 15 to 21).
	Office      string   `json:"office,omitempty"`
	Election    uint64   `json:"election,omitempty"`
	Term        uint64   `json:"term,omitempty"`
	Petition    uint64   `json:"petition,omitempty"`
	Seats       uint64   `json:"seats,omitempty"`
	ByElection  bool     `json:"by_election,omitempty"`
	VotingOpens int64    `json:"voting_opens,omitempty"`
	Closes      int64    `json:"closes,omitempty"`
	Until       int64    `json:"until,omitempty"` // term ends
	Winners     []uint32 `json:"winners,omitempty"`
	Ballots     uint64   `json:"ballots,omitempty"`
	Signers     uint64   `json:"signers,omitempty"`
	Reason      string   `json:"reason,omitempty"`
	// Initiatives: endorsements gathered and needed; Closes when voting
	// closes (qualified), WindowEnd when the window ended (lapsed).
	Endorsements uint64 `json:"endorsements,omitempty"`
	Needed       uint64 `json:"needed,omitempty"`
	WindowEnd    int64  `json:"window_end,omitempty"`
	// Revision is the number of a proposal's text amendment; Digest then
	// holds the SHA-256 of the new title, a newline and the new body.
	Revision uint32 `json:"revision,omitempty"`
	// Secret votes (facts 28 to 32): Digest holds the joint key (28) or the
	// SHA-256 of the aggregate (31, whose Closes is the decrypt deadline);
	// Trustees the qualified trustees (28) or those whose decryptions were
	// combined (32); Trustee a disqualified trustee's number (30).
	Trustees     []uint32 `json:"trustees,omitempty"`
	Trustee      uint32   `json:"trustee,omitempty"`
	Counts       []uint64 `json:"counts,omitempty"`
	NotDecrypted bool     `json:"not_decrypted,omitempty"`
	// Draws (facts 33 to 35): Digest is the seed, Root the root it hashed,
	// Ballots the number of reveals, Pool the members drawn from, Winners
	// those drawn, Trustees the members who committed and did not reveal.
	Draw  uint64   `json:"draw,omitempty"`
	Round uint32   `json:"round,omitempty"`
	Root  []byte   `json:"root,omitempty"`
	Pool  []uint32 `json:"pool,omitempty"`
}

// TxLeaf returns the leaf data recording an accepted transaction.
func TxLeaf(id tx.ID) []byte {
	// [1, bstr32]: 0x82 0x01 0x58 0x20 || id
	b := make([]byte, 0, 36)
	b = append(b, 0x82, 0x01, 0x58, 0x20)
	return append(b, id[:]...)
}

func mustEncode(v any) []byte {
	b, err := factEnc.Marshal(v)
	if err != nil {
		// Only fixed Go types are encoded here; failure is a programming error.
		panic(fmt.Sprintf("core: encode fact: %v", err))
	}
	return b
}

// factGenesis commits to the app_state with insignificant JSON whitespace
// removed: CometBFT re-indents genesis.json when it writes it and serves it
// compacted over RPC, and both must give the same root.
func factGenesis(chainID string, at int64, appState []byte) []byte {
	var compact bytes.Buffer
	if err := json.Compact(&compact, appState); err != nil {
		// New parsed appState already, so it is valid JSON.
		panic(fmt.Sprintf("core: compact app_state: %v", err))
	}
	h := sha256.Sum256(compact.Bytes())
	return mustEncode([]any{FactGenesis, chainID, at, h[:]})
}

func factRejected(id tx.ID, code reject.Code) []byte {
	return mustEncode([]any{FactRejected, id[:], uint32(code)})
}

func factBlock(height, at int64) []byte {
	return mustEncode([]any{FactBlock, height, at})
}

// DecodeFact reads a leaf's data.
func DecodeFact(data []byte) (Fact, error) {
	var raw []cbor.RawMessage
	if err := cbor.Unmarshal(data, &raw); err != nil || len(raw) == 0 {
		return Fact{}, fmt.Errorf("fact is not a CBOR array")
	}
	var f Fact
	if err := cbor.Unmarshal(raw[0], &f.Type); err != nil {
		return f, fmt.Errorf("fact type: %w", err)
	}
	var key, newKey, id []byte
	var targets []any
	switch f.Type {
	case FactGenesis:
		targets = []any{&f.Name, &f.Time, &f.Digest}
	case FactBlock:
		targets = []any{&f.Height, &f.Time}
	case FactRejected:
		targets = []any{&id, &f.Code}
	case FactTx:
		targets = []any{&id}
	case FactAdmitted:
		targets = []any{&f.Member, &key, &f.Name, &f.Time}
	case FactLeft:
		targets = []any{&f.Member, &key, &f.Time}
	case FactRotated:
		targets = []any{&f.Member, &key, &newKey, &f.Time}
	case FactDecided:
		targets = []any{&f.Proposal, &f.Yes, &f.No, &f.Abstain, &f.Eligible, &f.Quorum, &f.Passed, &f.Time}
	case FactDelegated:
		targets = []any{&f.Proposal, &f.Yes, &f.No, &f.Abstain, &f.Capped, &f.Cyclic, &f.Time}
	case FactAmended:
		targets = []any{&f.Version, &f.Proposal, &f.Time, &f.Digest}
	case FactLawEnacted, FactLawRenewed, FactLawRepealed, FactLawExpired:
		targets = []any{&f.Law, &f.Proposal, &f.Expires, &f.Time}
	case FactElectionOpened:
		targets = []any{&f.Election, &f.Office, &f.Seats, &f.ByElection, &f.VotingOpens, &f.Closes, &f.Until, &f.Time}
	case FactElectionDecided:
		targets = []any{&f.Election, &f.Office, &f.Winners, &f.Ballots, &f.Time}
	case FactSeatFilled:
		targets = []any{&f.Term, &f.Office, &f.Member, &f.Election, &f.Until, &f.Time}
	case FactSeatVacated, FactTermEnded:
		targets = []any{&f.Term, &f.Office, &f.Member, &f.Reason, &f.Time}
	case FactRecallOpened:
		targets = []any{&f.Petition, &f.Office, &f.Member, &f.Proposal, &f.Signers, &f.Time}
	case FactPetitionLapsed:
		targets = []any{&f.Petition, &f.Office, &f.Member, &f.Signers, &f.Time}
	case FactInitiativeQualified:
		targets = []any{&f.Proposal, &f.Endorsements, &f.Needed, &f.Time, &f.Closes}
	case FactInitiativeLapsed:
		targets = []any{&f.Proposal, &f.Endorsements, &f.Needed, &f.WindowEnd, &f.Time}
	case FactTextAmended:
		targets = []any{&f.Proposal, &f.Revision, &f.Digest, &f.Time}
	case FactSecretKey:
		targets = []any{&f.Proposal, &f.Digest, &f.Trustees, &f.Time}
	case FactSecretCancelled:
		targets = []any{&f.Proposal, &f.Reason, &f.Time}
	case FactTrusteeDisqualified:
		targets = []any{&f.Proposal, &f.Trustee, &f.Member, &f.Reason, &f.Time}
	case FactSecretClosed:
		targets = []any{&f.Proposal, &f.Ballots, &f.Digest, &f.Closes, &f.Time}
	case FactSecretTally:
		targets = []any{&f.Proposal, &f.Counts, &f.Trustees, &f.NotDecrypted, &f.Time}
	case FactDrawn:
		targets = []any{&f.Draw, &f.Round, &f.Digest, &f.Root, &f.Ballots, &f.Pool, &f.Winners, &f.Trustees, &f.Time}
	case FactDrawRedone:
		targets = []any{&f.Draw, &f.Round, &f.Reason, &f.Trustees, &f.Closes, &f.Time}
	case FactDrawFailed:
		targets = []any{&f.Draw, &f.Round, &f.Reason, &f.Trustees, &f.Time}
	}
	// The fields after the type are exactly the targets of its case.
	if targets == nil || len(raw) != len(targets)+1 {
		return f, fmt.Errorf("fact of type %d with %d fields is not one this version knows", f.Type, len(raw))
	}
	for i, t := range targets {
		if err := cbor.Unmarshal(raw[i+1], t); err != nil {
			return f, fmt.Errorf("fact field %d: %w", i+1, err)
		}
	}
	set := func(dst **tx.PublicKey, b []byte) error {
		if b == nil {
			return nil
		}
		if len(b) != 32 {
			return fmt.Errorf("fact key of %d bytes", len(b))
		}
		var k tx.PublicKey
		copy(k[:], b)
		*dst = &k
		return nil
	}
	if err := set(&f.Key, key); err != nil {
		return f, err
	}
	if err := set(&f.NewKey, newKey); err != nil {
		return f, err
	}
	if id != nil {
		if len(id) != 32 {
			return f, fmt.Errorf("fact tx id of %d bytes", len(id))
		}
		var t tx.ID
		copy(t[:], id)
		f.TxID = &t
	}
	return f, nil
}

// String describes the fact in a sentence.
func (f Fact) String() string {
	switch f.Type {
	case FactTx:
		return fmt.Sprintf("transaction %s was accepted", f.TxID)
	case FactGenesis:
		return fmt.Sprintf("community %s began at %s with app state %x", f.Name, formatTime(f.Time), f.Digest)
	case FactBlock:
		return fmt.Sprintf("block %d at %s", f.Height, formatTime(f.Time))
	case FactRejected:
		return fmt.Sprintf("transaction %s was rejected with code %d (%s)", f.TxID, f.Code, reject.Code(f.Code))
	case FactAdmitted:
		return fmt.Sprintf("member %d %q (key %s) was admitted at %s", f.Member, f.Name, f.Key.Short(), formatTime(f.Time))
	case FactLeft:
		return fmt.Sprintf("member %d (key %s) left at %s", f.Member, f.Key.Short(), formatTime(f.Time))
	case FactRotated:
		return fmt.Sprintf("member %d rotated key %s to %s at %s", f.Member, f.Key.Short(), f.NewKey.Short(), formatTime(f.Time))
	case FactDecided:
		verdict := "failed"
		if f.Passed {
			verdict = "passed"
		}
		q := "quorum reached"
		if !f.Quorum {
			q = "quorum not reached"
		}
		return fmt.Sprintf("proposal %d %s at %s: %d yes, %d no, %d abstain of %d eligible, %s", f.Proposal, verdict, formatTime(f.Time), f.Yes, f.No, f.Abstain, f.Eligible, q)
	case FactDelegated:
		return fmt.Sprintf("proposal %d counted by delegation at %s: %d yes, %d no, %d abstain; %d delegators over the weight cap and %d in cycles not counted",
			f.Proposal, formatTime(f.Time), f.Yes, f.No, f.Abstain, f.Capped, f.Cyclic)
	case FactAmended:
		return fmt.Sprintf("proposal %d amended the constitution at %s: rules version %d (SHA-256 %x)", f.Proposal, formatTime(f.Time), f.Version, f.Digest)
	case FactLawEnacted:
		return fmt.Sprintf("law %d was enacted by proposal %d at %s, to expire at %s", f.Law, f.Proposal, formatTime(f.Time), formatTime(f.Expires))
	case FactLawRenewed:
		return fmt.Sprintf("law %d was renewed by proposal %d at %s, now to expire at %s", f.Law, f.Proposal, formatTime(f.Time), formatTime(f.Expires))
	case FactLawRepealed:
		return fmt.Sprintf("law %d was repealed by proposal %d at %s", f.Law, f.Proposal, formatTime(f.Time))
	case FactLawExpired:
		return fmt.Sprintf("law %d expired at %s", f.Law, formatTime(f.Expires))
	case FactElectionOpened:
		kind := "election"
		if f.ByElection {
			kind = "by-election"
		}
		return fmt.Sprintf("%s %d for %d %s of %s opened for nominations at %s; voting from %s to %s; term to %s", kind, f.Election, f.Seats,
			plural(int(f.Seats), "seat", "seats"), f.Office, formatTime(f.Time), formatTime(f.VotingOpens), formatTime(f.Closes), formatTime(f.Until))
	case FactElectionDecided:
		return fmt.Sprintf("election %d for %s was decided at %s with %d ranked %s: elected %s", f.Election, f.Office, formatTime(f.Time), f.Ballots,
			plural(int(f.Ballots), "ballot", "ballots"), joinNumbers(f.Winners))
	case FactSeatFilled:
		return fmt.Sprintf("member %d took a seat as %s at %s (election %d, term %d), until %s", f.Member, f.Office, formatTime(f.Time), f.Election, f.Term, formatTime(f.Until))
	case FactSeatVacated:
		return fmt.Sprintf("member %d's seat as %s (term %d) was vacated at %s: %s", f.Member, f.Office, f.Term, formatTime(f.Time), f.Reason)
	case FactTermEnded:
		return fmt.Sprintf("member %d's term %d as %s ended at %s (%s)", f.Member, f.Term, f.Office, formatTime(f.Time), f.Reason)
	case FactRecallOpened:
		return fmt.Sprintf("petition %d to recall member %d as %s reached %d signatures at %s: recall ballot proposal %d opened", f.Petition, f.Member, f.Office, f.Signers, formatTime(f.Time), f.Proposal)
	case FactPetitionLapsed:
		return fmt.Sprintf("petition %d to recall member %d as %s lapsed at %s with %d signatures", f.Petition, f.Member, f.Office, formatTime(f.Time), f.Signers)
	case FactInitiativeQualified:
		return fmt.Sprintf("initiative %d qualified with %d of %d endorsements needed; voting opened at %s and closes at %s",
			f.Proposal, f.Endorsements, f.Needed, formatTime(f.Time), formatTime(f.Closes))
	case FactTextAmended:
		return fmt.Sprintf("the text of proposal %d was amended (revision %d, SHA-256 %x) at %s", f.Proposal, f.Revision, f.Digest, formatTime(f.Time))
	case FactDrawn:
		return fmt.Sprintf("draw %d (round %d) drew members %v from %d at %s with seed %x (%d reveals; did not reveal: %v)", f.Draw, f.Round, f.Winners, len(f.Pool), formatTime(f.Time), f.Digest, f.Ballots, f.Trustees)
	case FactDrawRedone:
		return fmt.Sprintf("draw %d was redone at %s as round %d: %s", f.Draw, formatTime(f.Time), f.Round, f.Reason)
	case FactDrawFailed:
		return fmt.Sprintf("draw %d failed at %s: %s", f.Draw, formatTime(f.Time), f.Reason)
	case FactSecretKey:
		return fmt.Sprintf("secret voting on proposal %d opened at %s under the key %x made by trustees %v", f.Proposal, formatTime(f.Time), f.Digest, f.Trustees)
	case FactSecretCancelled:
		return fmt.Sprintf("the secret vote on proposal %d was cancelled at %s: %s", f.Proposal, formatTime(f.Time), f.Reason)
	case FactTrusteeDisqualified:
		return fmt.Sprintf("trustee %d (member %d) of proposal %d was disqualified at %s: %s", f.Trustee, f.Member, f.Proposal, formatTime(f.Time), f.Reason)
	case FactSecretClosed:
		return fmt.Sprintf("secret voting on proposal %d closed at %s with %d ballots (aggregate SHA-256 %x); trustees may decrypt until %s", f.Proposal, formatTime(f.Time), f.Ballots, f.Digest, formatTime(f.Closes))
	case FactSecretTally:
		if f.NotDecrypted {
			return fmt.Sprintf("the secret vote on proposal %d was not decrypted: too few trustees answered by %s", f.Proposal, formatTime(f.Time))
		}
		return fmt.Sprintf("the secret vote on proposal %d was decrypted at %s by trustees %v: counts %v", f.Proposal, formatTime(f.Time), f.Trustees, f.Counts)
	case FactInitiativeLapsed:
		return fmt.Sprintf("initiative %d lapsed at %s with %d of %d endorsements needed", f.Proposal, formatTime(f.WindowEnd), f.Endorsements, f.Needed)
	}
	return fmt.Sprintf("fact of type %d", f.Type)
}

var factEnc = func() cbor.EncMode {
	m, err := cbor.CoreDetEncOptions().EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// LeafTx returns the id of the transaction a leaf records, when the leaf is
// a FactTx or a FactRejected (the first leaf of every transaction included
// in a block), without decoding the rest. A node restored from a snapshot
// rebuilds its index of transactions from the leaves with it.
func LeafTx(leaf []byte) (tx.ID, bool) {
	// Deterministic CBOR: array header, the type as a one-byte unsigned
	// integer, then a byte string of 32 (0x58 0x20).
	var id tx.ID
	switch {
	case len(leaf) == 36 && leaf[0] == 0x82 && leaf[1] == byte(FactTx) && leaf[2] == 0x58 && leaf[3] == 0x20:
	case len(leaf) > 36 && leaf[0] == 0x83 && leaf[1] == byte(FactRejected) && leaf[2] == 0x58 && leaf[3] == 0x20:
	default:
		return id, false
	}
	copy(id[:], leaf[4:36])
	return id, true
}
