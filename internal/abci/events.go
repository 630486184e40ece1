package abci

import (
	"strconv"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core"
)

// events converts core events to ABCI events, indexed so that clients can
// subscribe to, for example, ballots on one proposal.
func events(evs []core.Event) []abcitypes.Event {
	var out []abcitypes.Event
	for _, e := range evs {
		var typ string
		var kv []string
		switch e := e.(type) {
		case core.Vouched:
			typ, kv = "vouched", []string{"voucher", u32(e.Voucher), "key", e.Key.String(), "vouches", strconv.Itoa(e.Vouches)}
		case core.Admitted:
			typ, kv = "admitted", []string{"member", u32(e.Member.Number), "key", e.Member.Key.String(), "name", e.Member.Name}
		case core.Left:
			typ, kv = "left", []string{"member", u32(e.Member), "key", e.Key.String()}
		case core.Rotated:
			typ, kv = "rotated", []string{"member", u32(e.Member), "old_key", e.Old.String(), "new_key", e.New.String()}
		case core.Proposed:
			typ, kv = "proposed", []string{"proposal", u64(e.Proposal)}
		case core.WithdrawnEvent:
			typ, kv = "withdrawn", []string{"proposal", u64(e.Proposal)}
		case core.Opened:
			typ, kv = "opened", []string{"proposal", u64(e.Proposal), "eligible", u64(e.Eligible)}
		case core.Commented:
			typ, kv = "commented", []string{"proposal", u64(e.Proposal), "comment", u64(e.Comment), "author", u32(e.Author)}
		case core.Endorsed:
			typ, kv = "endorsed", []string{"proposal", u64(e.Proposal), "member", u32(e.Member)}
		case core.BallotCast:
			typ, kv = "ballot", []string{"proposal", u64(e.Proposal), "member", u32(e.Member), "choice", e.Choice.String()}
		case core.DecidedEvent:
			typ, kv = "decided", []string{"proposal", u64(e.Proposal), "yes", u64(e.Result.Yes), "no", u64(e.Result.No),
				"abstain", u64(e.Result.Abstain), "eligible", u64(e.Result.Eligible),
				"quorum_reached", strconv.FormatBool(e.Result.QuorumReached), "passed", strconv.FormatBool(e.Result.Passed)}
		case core.Delegated:
			typ, kv = "delegated", []string{"member", u32(e.Member), "category", e.Category, "to", u32(e.To), "previous", u32(e.Previous)}
		case core.Undelegated:
			typ, kv = "undelegated", []string{"member", u32(e.Member), "category", e.Category, "from", u32(e.From)}
		case core.DelegationCounted:
			typ, kv = "delegation_counted", []string{"proposal", u64(e.Proposal), "yes", u64(e.Tally.Yes), "no", u64(e.Tally.No),
				"abstain", u64(e.Tally.Abstain), "capped", u64(e.Tally.Capped), "cyclic", u64(e.Tally.Cyclic)}
		case core.ElectionOpened:
			typ, kv = "election_opened", []string{"election", u64(e.Election), "office", e.Office, "seats", strconv.Itoa(e.Seats),
				"by_election", strconv.FormatBool(e.ByElection)}
		case core.CandidacyEvent:
			typ, kv = "candidacy", []string{"election", u64(e.Election), "member", u32(e.Member)}
		case core.CandidacyWithdrawn:
			typ, kv = "candidacy_withdrawn", []string{"election", u64(e.Election), "member", u32(e.Member)}
		case core.Ranked:
			typ, kv = "ranked", []string{"election", u64(e.Election), "member", u32(e.Member)}
		case core.ElectionDecidedEvent:
			typ, kv = "election_decided", []string{"election", u64(e.Election), "office", e.Office, "winners", u32s(e.Winners)}
		case core.SeatFilled:
			typ, kv = "seat_filled", []string{"office", e.Office, "member", u32(e.Member), "election", u64(e.Election), "term", u64(e.Term)}
		case core.SeatVacated:
			typ, kv = "seat_vacated", []string{"office", e.Office, "member", u32(e.Member), "term", u64(e.Term), "reason", e.Reason}
		case core.TermEndedEvent:
			typ, kv = "term_ended", []string{"office", e.Office, "member", u32(e.Member), "term", u64(e.Term), "reason", e.Reason}
		case core.PetitionSigned:
			typ, kv = "petition_signed", []string{"petition", u64(e.Petition), "office", e.Office, "holder", u32(e.Member), "member", u32(e.Signer),
				"signatures", strconv.Itoa(e.Signatures), "needed", u64(e.Needed)}
		case core.RecallOpened:
			typ, kv = "recall_opened", []string{"petition", u64(e.Petition), "proposal", u64(e.Proposal), "office", e.Office, "member", u32(e.Member)}
		case core.NoticePublished:
			typ, kv = "notice", []string{"notice", u64(e.Notice), "office", e.Office, "member", u32(e.Member)}
		case core.PaymentRecorded:
			typ, kv = "payment", []string{"payment", u64(e.Payment), "office", e.Office, "member", u32(e.Member), "budget", u64(e.Budget), "amount", u64(e.Amount)}
		default:
			continue
		}
		ev := abcitypes.Event{Type: "folkmoot." + typ}
		for i := 0; i+1 < len(kv); i += 2 {
			ev.Attributes = append(ev.Attributes, abcitypes.EventAttribute{Key: kv[i], Value: kv[i+1],
				Index: kv[i] == "proposal" || kv[i] == "member" || kv[i] == "election" || kv[i] == "office"})
		}
		out = append(out, ev)
	}
	return out
}

func u32(v uint32) string { return strconv.FormatUint(uint64(v), 10) }
func u64(v uint64) string { return strconv.FormatUint(v, 10) }

func u32s(vs []uint32) string {
	out := ""
	for i, v := range vs {
		if i > 0 {
			out += ","
		}
		out += u32(v)
	}
	return out
}
