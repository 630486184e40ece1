package core_test

import (
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// seat runs the first clerk and treasurer elections of the office fixture:
// Ada becomes clerk and Chiara treasurer, until the first term ends.
func (w *officeWorld) seat() {
	w.t.Helper()
	m := w.m
	clerk, treas := w.pending("clerk"), w.pending("treasurer")
	w.ok(w.now.Add(time.Second), m["ada"].Sign(&tx.Candidacy{Election: clerk.ID}), m["chiara"].Sign(&tx.Candidacy{Election: treas.ID}),
		m["bram"].Sign(&tx.Candidacy{Election: clerk.ID}))
	w.ok(time.Unix(0, clerk.VotingOpens).Add(time.Second), m["ada"].Sign(&tx.Rank{Election: clerk.ID, Ranking: []uint32{1}}),
		m["chiara"].Sign(&tx.Rank{Election: treas.ID, Ranking: []uint32{3}}))
	w.block(time.Unix(0, clerk.Closes).Add(time.Second))
}

// budget passes a budget proposal of amount by Ada and returns its id.
func (w *officeWorld) budget(amount uint64, typ string) uint64 {
	w.t.Helper()
	m := w.m
	w.ok(w.now.Add(time.Second), m["ada"].Sign(&tx.Propose{Title: "Hall", Category: "budget", Type: typ, Amount: amount, Closes: w.now.Add(time.Hour).Unix()}))
	id := uint64(len(w.s.Proposals()))
	w.ok(w.now.Add(time.Second), m["ada"].Ballot(id, tx.Yes), m["bram"].Ballot(id, tx.Yes), m["chiara"].Ballot(id, tx.Yes))
	w.block(w.now.Add(2 * time.Hour))
	return id
}

// TestOfficeRejections: every way to break an office, election, recall or
// office-power rule is refused with its code and sentence, and leaves the
// state unchanged byte for byte.
func TestOfficeRejections(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *officeWorld) []byte
		code  reject.Code
		says  string
	}{
		{"candidacy in an unknown election", func(w *officeWorld) []byte { return w.m["ada"].Sign(&tx.Candidacy{Election: 9}) },
			reject.UnknownElection, "candidacy rejected: there is no election 9"},
		{"candidacy in election 0", func(w *officeWorld) []byte { return w.m["ada"].Sign(&tx.Candidacy{}) },
			reject.BadBody, "election numbers start at 1"},
		{"stand twice", func(w *officeWorld) []byte {
			w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Candidacy{Election: 1}))
			return w.m["ada"].Sign(&tx.Candidacy{Election: 1})
		}, reject.AlreadyCandidate, "you already stand in election 1 (clerk)"},
		{"stand after nominations", func(w *officeWorld) []byte {
			w.block(coretest.GenesisTime.Add(8 * day))
			return w.m["ada"].Sign(&tx.Candidacy{Election: 1})
		}, reject.NotNominating, "nominations for election 1 (clerk) closed at 2026-12-08 09:00:00 UTC"},
		{"stand before nominations", func(w *officeWorld) []byte {
			w.seat()
			return w.m["bram"].Sign(&tx.Candidacy{Election: w.pending("clerk").ID})
		}, reject.NotNominating, "nominations for election 4 (clerk) open at 2027-12-01 09:00:00 UTC"},
		{"stand in a by-election for an office one holds", func(w *officeWorld) []byte {
			c := w.pending("council")
			w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Candidacy{Election: c.ID}), w.m["bram"].Sign(&tx.Candidacy{Election: c.ID}),
				w.m["chiara"].Sign(&tx.Candidacy{Election: c.ID}))
			w.block(time.Unix(0, c.Closes).Add(time.Second))
			w.ok(w.now.Add(time.Second), w.m["chiara"].Sign(&tx.Leave{}))
			return w.m["ada"].Sign(&tx.Candidacy{Election: w.pending("council").ID})
		}, reject.AlreadyHolder, "you already hold a seat as council; by-election 9 fills another"},
		{"withdraw a candidacy never made", func(w *officeWorld) []byte { return w.m["ada"].Sign(&tx.WithdrawCandidacy{Election: 1}) },
			reject.NotCandidate, "you do not stand in election 1"},
		{"rank before voting", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Rank{Election: 1, Ranking: []uint32{1}})
		}, reject.ElectionNotVoting, "voting in election 1 (clerk) opens at 2026-12-08 09:00:00 UTC"},
		{"rank after the close", func(w *officeWorld) []byte {
			w.seat()
			return w.m["ada"].Sign(&tx.Rank{Election: 1, Ranking: []uint32{1}})
		}, reject.ElectionNotVoting, "voting in election 1 (clerk) closed at 2026-12-15 09:00:00 UTC"},
		{"rank a member who does not stand", func(w *officeWorld) []byte {
			w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Candidacy{Election: 1}))
			w.block(coretest.GenesisTime.Add(8 * day))
			return w.m["bram"].Sign(&tx.Rank{Election: 1, Ranking: []uint32{1, 5}})
		}, reject.NotCandidate, "preference 2 is member 5, who does not stand in election 1 (candidates: 1)"},
		{"rank a candidate twice", func(w *officeWorld) []byte {
			return w.m["bram"].Sign(&tx.Rank{Election: 1, Ranking: []uint32{1, 2, 1}})
		}, reject.BadRanking, "member 1 is ranked twice (preferences 1 and 3)"},
		{"empty ranking", func(w *officeWorld) []byte { return w.m["bram"].Sign(&tx.Rank{Election: 1}) },
			reject.BadBody, "rank at least one candidate"},
		{"same ranking again", func(w *officeWorld) []byte {
			w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Candidacy{Election: 1}))
			w.block(coretest.GenesisTime.Add(8 * day))
			w.ok(w.now.Add(time.Second), w.m["bram"].Sign(&tx.Rank{Election: 1, Ranking: []uint32{1}}))
			return w.m["bram"].Sign(&tx.Rank{Election: 1, Ranking: []uint32{1}})
		}, reject.RankingUnchanged, "your ballot in election 1 already ranks 1"},
		{"rank after joining late", func(w *officeWorld) []byte {
			w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Candidacy{Election: 1}))
			w.block(coretest.GenesisTime.Add(8 * day))
			gus := coretest.NewMember("gus")
			w.m["gus"] = gus
			w.ok(w.now.Add(time.Second), w.m["ada"].Vouch(gus), w.m["bram"].Vouch(gus))
			return gus.Sign(&tx.Rank{Election: 1, Ranking: []uint32{1}})
		}, reject.NotElector, "you joined after voting in election 1 opened"},
		{"a fourth consecutive term", func(w *officeWorld) []byte {
			for i := 0; i < 2; i++ {
				e := w.pending("clerk")
				if e.Status == core.ElectionScheduled {
					w.block(time.Unix(0, e.Opens).Add(time.Second))
				}
				w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Candidacy{Election: e.ID}))
				w.block(time.Unix(0, e.Closes))
			}
			e := w.pending("clerk")
			w.block(time.Unix(0, e.Opens).Add(time.Second))
			return w.m["ada"].Sign(&tx.Candidacy{Election: e.ID})
		}, reject.ConsecutiveTermLimit, "ada has served 2 consecutive terms as clerk, the most the constitution allows; they may stand again after a term out of office"},
		{"recall in an unknown office", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Recall{Office: "mayor", Member: 1})
		}, reject.UnknownOffice, `there is no office "mayor" (offices: "clerk", "treasurer", "council")`},
		{"recall someone who holds no seat", func(w *officeWorld) []byte {
			w.seat()
			return w.m["ada"].Sign(&tx.Recall{Office: "clerk", Member: 2})
		}, reject.RecallNotHolder, "bram (member 2) holds no seat as clerk"},
		{"recall a member who does not exist", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Recall{Office: "clerk", Member: 40})
		}, reject.RecallNotHolder, "there is no member 40"},
		{"sign a petition twice", func(w *officeWorld) []byte {
			w.seat()
			w.ok(w.now.Add(time.Second), w.m["bram"].Sign(&tx.Recall{Office: "clerk", Member: 1}))
			return w.m["bram"].Sign(&tx.Recall{Office: "clerk", Member: 1})
		}, reject.AlreadySigned, "you have already signed the petition to recall ada as clerk (1 of 2 signatures)"},
		{"petition while the recall ballot is open", func(w *officeWorld) []byte {
			w.seat()
			w.ok(w.now.Add(time.Second), w.m["bram"].Sign(&tx.Recall{Office: "clerk", Member: 1}), w.m["eva"].Sign(&tx.Recall{Office: "clerk", Member: 1}))
			return w.m["femi"].Sign(&tx.Recall{Office: "clerk", Member: 1})
		}, reject.RecallPending, "the recall ballot against ada as clerk is already open (proposal 1)"},
		{"petition against a seat whose term ended", func(w *officeWorld) []byte {
			w.seat()
			w.block(time.Unix(0, w.pending("clerk").Closes).Add(time.Second))
			return w.m["bram"].Sign(&tx.Recall{Office: "clerk", Member: 1})
		}, reject.RecallTermEnded, "ada's term as clerk ended on 2027-12-15 09:00:00 UTC"},
		{"notice from an unknown office", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Notice{Office: "mayor", Title: "t", Text: "x"})
		}, reject.UnknownOffice, `notice rejected: there is no office "mayor"`},
		{"notice from an office without the power", func(w *officeWorld) []byte {
			w.seat()
			return w.m["chiara"].Sign(&tx.Notice{Office: "treasurer", Title: "t", Text: "x"})
		}, reject.NoPower, `the office of treasurer does not hold the power "notice" (its powers: "payment")`},
		{"notice from a member without the office", func(w *officeWorld) []byte {
			w.seat()
			return w.m["bram"].Sign(&tx.Notice{Office: "clerk", Title: "t", Text: "x"})
		}, reject.NotHolder, "notice rejected: you hold no seat as clerk"},
		{"act with an office's power after the term ended", func(w *officeWorld) []byte {
			w.seat()
			id := w.budget(100, "budget")
			w.block(time.Unix(0, w.pending("treasurer").Closes).Add(time.Second))
			return w.m["chiara"].Sign(&tx.Payment{Office: "treasurer", Budget: id, Amount: 5, Payee: "x"})
		}, reject.TermEnded, "payment rejected: your term as treasurer ended on 2027-12-15 09:00:00 UTC"},
		{"act with an office's power in the block its term ends", func(w *officeWorld) []byte {
			w.seat()
			w.block(time.Unix(0, w.pending("clerk").Closes).Add(-time.Second))
			w.now = time.Unix(0, w.pending("clerk").Closes).Add(-time.Nanosecond)
			return w.m["ada"].Sign(&tx.Notice{Office: "clerk", Title: "t", Text: "x"})
		}, reject.TermEnded, "notice rejected: your term as clerk ended on 2027-12-15 09:00:00 UTC"},
		{"payment against a proposal that is not a budget", func(w *officeWorld) []byte {
			w.seat()
			id := w.budget(0, "")
			return w.m["chiara"].Sign(&tx.Payment{Office: "treasurer", Budget: id, Amount: 5, Payee: "x"})
		}, reject.UnknownBudget, "proposal 1 is not a budget with an amount"},
		{"payment against a budget that failed", func(w *officeWorld) []byte {
			w.seat()
			w.ok(w.now.Add(time.Second), w.m["ada"].Sign(&tx.Propose{Title: "Hall", Category: "budget", Type: "budget", Amount: 50, Closes: w.now.Add(time.Hour).Unix()}))
			w.ok(w.now.Add(time.Second), w.m["ada"].Ballot(1, tx.No), w.m["bram"].Ballot(1, tx.No))
			w.block(w.now.Add(2 * time.Hour))
			return w.m["chiara"].Sign(&tx.Payment{Office: "treasurer", Budget: 1, Amount: 5, Payee: "x"})
		}, reject.UnknownBudget, "budget proposal 1 did not pass"},
		{"payment against no proposal", func(w *officeWorld) []byte {
			w.seat()
			return w.m["chiara"].Sign(&tx.Payment{Office: "treasurer", Budget: 3, Amount: 5, Payee: "x"})
		}, reject.UnknownBudget, "there is no proposal 3"},
		{"payment over the budget", func(w *officeWorld) []byte {
			w.seat()
			id := w.budget(100, "budget")
			return w.m["chiara"].Sign(&tx.Payment{Office: "treasurer", Budget: id, Amount: 101, Payee: "x"})
		}, reject.BudgetExceeded, "budget proposal 1 has 100 left of 100; a payment of 101 would exceed it"},
		{"payment of nothing", func(w *officeWorld) []byte {
			return w.m["chiara"].Sign(&tx.Payment{Office: "treasurer", Budget: 1, Payee: "x"})
		}, reject.BadBody, "the amount must be at least 1"},
		{"amount on an ordinary proposal", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Propose{Title: "Hall", Category: "general", Amount: 50, Closes: w.now.Add(time.Hour).Unix()})
		}, reject.AmountNotBudget, `only a budget carries an amount; this proposal would be decided under the "ordinary" rules`},
		{"amount on a law", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Propose{Title: "Hall", Category: "general", Measure: tx.Enact, Amount: 50, Closes: w.now.Add(time.Hour).Unix()})
		}, reject.BadBody, "a law carries no amount"},
		{"propose a recall directly", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Propose{Title: "Out", Category: "general", Measure: tx.RecallVote, Closes: w.now.Add(time.Hour).Unix()})
		}, reject.BadBody, "measure 5 is not"},
		{"amendment granting an office the power to amend", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Propose{Title: "Strong clerk", Category: "rules", Measure: tx.Amend, Closes: w.now.Add(time.Hour).Unix(),
				Rules: `{"offices": [{"name": "clerk", "seats": 1, "term": "8760h", "nomination_period": "168h", "voting_period": "168h", "powers": ["notice", "amend"]}]}`})
		}, reject.BadAmendment, `power "amend" does not exist; an office may hold only "notice", "payment": no office can change the constitution, the membership rules or a vote`},
		{"amendment granting an office a vote", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Propose{Title: "Clerk votes", Category: "rules", Measure: tx.Amend, Closes: w.now.Add(time.Hour).Unix(),
				Rules: `{"offices": [{"name": "clerk", "seats": 1, "term": "8760h", "nomination_period": "168h", "voting_period": "168h", "powers": ["ballot"]}]}`})
		}, reject.BadAmendment, `power "ballot" does not exist`},
		{"amendment choosing an unknown selection", func(w *officeWorld) []byte {
			return w.m["ada"].Sign(&tx.Propose{Title: "Lot", Category: "rules", Measure: tx.Amend, Closes: w.now.Add(time.Hour).Unix(),
				Rules: `{"offices": [{"name": "clerk", "seats": 1, "term": "8760h", "selection": "auction", "nomination_period": "168h", "voting_period": "168h"}]}`})
		}, reject.BadAmendment, `selection "auction" is not available`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newOfficeWorld(t)
			bad := tt.setup(w)
			if _, err := w.s.BeginBlock(w.s.Height()+1, w.now.Add(time.Nanosecond)); err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, bad, tt.code, tt.says)
		})
	}
}
