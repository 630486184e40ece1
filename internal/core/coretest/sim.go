package coretest

import (
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Sim generates random but valid community histories from a seed: members
// vouch for newcomers, propose, comment, endorse, vote and change their
// votes, leave and rotate keys, enact laws with short sunsets, renew and
// repeal them (some by popular initiatives, which gather endorsements,
// qualify or lapse), amend the constitution and pick decision types, delegate
// their votes (chains, cycles and a weight cap among them) and withdraw
// delegations, stand for the offices of SimOffices, cast ranked ballots,
// petition to recall holders, publish notices, amend the text of their
// proposals before voting opens, and a few transactions are deliberately
// bad. Only a Sim made by NewOfficeSim has offices.
// The same seed always gives the same history.
type Sim struct {
	State    *core.State
	AppState []byte
	Now      time.Time
	// BadShare is the share of deliberately invalid transactions (0..1).
	BadShare float64

	rng *rand.Rand
	// amends draws the text amendments from a stream of its own, so that
	// adding them left every other draw of a seed as it was.
	amends    *rand.Rand
	members   []*Member // current members, by index
	newcomers []*Member // people some members vouched for
	made      int
	offices   bool // the community has offices and the generator uses them
}

// NewSim starts a simulated community with n founders and no offices.
func NewSim(seed uint64, n int) *Sim { return newSim(seed, n, false) }

// NewOfficeSim starts a simulated community with n founders and the offices
// of SimOffices, whose members also stand, rank, petition for recalls and
// publish notices.
func NewOfficeSim(seed uint64, n int) *Sim { return newSim(seed, n, true) }

func newSim(seed uint64, n int, offices bool) *Sim {
	s := &Sim{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), amends: rand.New(rand.NewPCG(seed, 0xa3e2d)),
		Now: GenesisTime, BadShare: 0.03, offices: offices}
	for i := 0; i < n; i++ {
		s.members = append(s.members, s.person())
	}
	g := Genesis(s.members...)
	g.Constitution.Delegation.MaxWeight = 3
	if offices {
		g.Constitution.Offices = SimOffices()
		g.Constitution.Recall = core.RecallPolicy{Petition: core.Ratio{Ratio: count.Ratio{Num: 1, Den: 25}},
			Window: core.Duration{Duration: 2 * time.Minute}, Voting: core.Duration{Duration: time.Minute},
			Quorum: core.Ratio{Ratio: count.Ratio{Num: 1, Den: 10}}}
	}
	// Initiatives short enough to qualify, vote and lapse within a run.
	g.Constitution.Initiative = core.InitiativePolicy{Threshold: core.Ratio{Ratio: count.Ratio{Num: 1, Den: 8}},
		Window: core.Duration{Duration: 6 * time.Minute}, VotingPeriod: core.Duration{Duration: 3 * time.Minute}}
	s.AppState = AppState(g)
	st, err := core.New(ChainID, GenesisTime, s.AppState)
	if err != nil {
		panic(fmt.Sprintf("coretest: sim genesis: %v", err))
	}
	s.State = st
	return s
}

func (s *Sim) person() *Member {
	s.made++
	return NewMember(fmt.Sprintf("person %d", s.made))
}

// Block generates a block of up to n transactions a few seconds after the
// previous one, applies it to s.State, and returns it with its result.
func (s *Sim) Block(n int) (core.Block, core.BlockResult) {
	s.Now = s.Now.Add(time.Duration(1+s.rng.IntN(20)) * time.Second)
	b := core.Block{Height: s.State.Height() + 1, Time: s.Now}
	var res core.BlockResult
	begin, err := s.State.BeginBlock(b.Height, b.Time)
	if err != nil {
		panic(fmt.Sprintf("coretest: sim: %v", err))
	}
	res.Begin = begin
	for i := 0; i < n+1 && len(s.members) > 0; i++ {
		var raw []byte
		var author *Member
		var good bool
		if i < n {
			raw, author, good = s.next()
		} else {
			raw, author = s.amendText()
			good = true
		}
		if raw == nil {
			continue
		}
		t, derr := tx.Decode(raw)
		var r core.Result
		if derr != nil {
			r = s.State.Rejected(sha256.Sum256(raw), derr)
		} else if r = s.State.Apply(t); r.Code != reject.OK {
			r = s.State.Rejected(t.ID(), &reject.Error{Code: r.Code, Msg: r.Log})
		}
		if good && r.Code != reject.OK {
			author.Nonce-- // the generator guessed wrong; keep its nonce in step
		}
		if r.Code == reject.OK {
			s.after(t)
		}
		b.Txs = append(b.Txs, raw)
		res.Txs = append(res.Txs, r)
	}
	res.End = s.State.EndBlock()
	res.Root = s.State.Root()
	return b, res
}

// next makes one transaction: its bytes, its author and whether it was
// meant to be valid.
func (s *Sim) next() ([]byte, *Member, bool) {
	m := s.members[s.rng.IntN(len(s.members))]
	if s.rng.Float64() < s.BadShare {
		switch s.rng.IntN(4) {
		case 3:
			closes := s.Now.Add(5 * time.Minute).Unix()
			return m.SignNonce(m.Nonce+1, &tx.Propose{Title: "Replace the founders", Category: "rules", Closes: closes,
				Measure: tx.Amend, Rules: `{"founders": []}`}), m, false
		case 0:
			return m.SignNonce(m.Nonce+2, &tx.Leave{}), m, false
		case 1:
			b := m.SignNonce(m.Nonce+1, &tx.Endorse{Proposal: 1})
			b[len(b)-3] ^= 0x40
			return b, m, false
		default:
			return s.person().Sign(&tx.Leave{}), m, false
		}
	}
	props := s.State.Proposals()
	var open, gathering []*core.Proposal
	for i, p := range props[max(0, len(props)-40):] {
		recent := i >= min(len(props), 40)-8
		switch {
		case p.Status == core.Open && s.Now.UnixNano() <= p.Closes && (recent || p.Initiative != nil):
			open = append(open, p)
		case p.Status == core.Gathering && s.Now.UnixNano() <= p.Initiative.GatherUntil:
			gathering = append(gathering, p)
		}
	}
	if s.offices && s.rng.IntN(100) < 15 {
		raw, author := s.office(m)
		return raw, author, true
	}
	endorsable := append(slices.Clip(open), gathering...)
	switch k := s.rng.IntN(100); {
	case k < 55 && len(open) > 0:
		p := open[s.rng.IntN(len(open))]
		c := tx.Choice(1 + s.rng.IntN(3))
		if (p.Category == "rules" || p.Measure == tx.RecallVote) && s.rng.IntN(3) > 0 {
			c = tx.Yes // measures mostly pass, so laws, amendments and recalls take effect
		}
		num, _ := s.State.Member(m.Key)
		if prev, ok := p.BallotOf(num.Number); (ok && prev == c) || num.AdmitSeq > p.EligibleSeq {
			return nil, nil, false
		}
		// Members who delegated mostly leave the vote to their delegate.
		if _, ok := s.State.DelegateOf(num.Number, p.Category); ok && s.rng.IntN(5) > 0 {
			return nil, nil, false
		}
		return m.Ballot(p.ID, c), m, true
	case k < 59:
		return s.measure(m), m, true
	case k < 62:
		closes := s.Now.Add(time.Duration(2+s.rng.IntN(8)) * time.Minute).Unix()
		var opens int64
		if s.rng.IntN(3) == 0 {
			opens = s.Now.Add(time.Duration(1+s.rng.IntN(5)) * time.Minute).Unix()
			closes = opens + int64(60+s.rng.IntN(600))
		}
		cats := []string{"general", "budget", "rules"}
		cat := cats[s.rng.IntN(3)]
		var typ string
		if cat == "general" && s.rng.IntN(4) == 0 {
			typ = []string{"ordinary", "budget", "amendment"}[s.rng.IntN(3)]
		}
		return m.Sign(&tx.Propose{Title: fmt.Sprintf("Proposal by %s", m.Name), Body: "Let us *do* it.",
			Category: cat, Opens: opens, Closes: closes, Type: typ}), m, true
	case k < 70 && len(props) > 0:
		p := props[s.rng.IntN(len(props))]
		var reply uint64
		if n := s.State.CommentCount(); n > 0 && s.rng.IntN(2) == 0 {
			reply = 1 + s.rng.Uint64N(n)
		}
		return m.Sign(&tx.Comment{Proposal: p.ID, ReplyTo: reply, Text: "I agree with the spirit."}), m, true
	case k < 78 && len(endorsable) > 0:
		return m.Sign(&tx.Endorse{Proposal: endorsable[s.rng.IntN(len(endorsable))].ID}), m, true
	case k < 92:
		if len(s.newcomers) == 0 || s.rng.IntN(3) == 0 {
			s.newcomers = append(s.newcomers, s.person())
		}
		return m.Vouch(s.newcomers[s.rng.IntN(len(s.newcomers))]), m, true
	case k < 92 && len(s.members) > 3:
		return m.Sign(&tx.Leave{}), m, true
	case k < 94:
		return m.RotateTo(s.person()), m, true
	case k < 96 && len(props) > 0:
		p := props[len(props)-1]
		return m.Sign(&tx.Withdraw{Proposal: p.ID}), m, true
	case k < 100:
		return s.delegation(m), m, true
	}
	return nil, nil, false
}

// simAmendments are the rule changes the simulator proposes; none touches
// the voting periods, so its other proposals stay valid.
var simAmendments = []string{
	`{"quorum": "1/4"}`,
	`{"quorum": "1/3"}`,
	`{"threshold": ">=3/5"}`,
	`{"threshold": "1/2"}`,
	`{"category_types": [{"category": "budget", "type": "budget"}]}`,
	`{"category_types": []}`,
	`{"decision_types": [{"name": "budget", "quorum": "1/2", "threshold": ">=3/5"}]}`,
	`{"default_sunset": "10m", "max_sunset": "30m"}`,
	`{"delegation": {"max_weight": 2}}`,
	`{"delegation": {"off": true}}`,
	`{"delegation": {"max_weight": 3}}`,
	`{"initiative": {"threshold": "1/3", "window": "5m", "voting_period": "2m"}}`,
}

// delegation makes a delegation of m's vote on a category to another
// current member (by key or by number), or withdraws one; some are refused
// (to oneself, unchanged, withdrawing none, while delegation is off), which
// the generator accepts as a guess gone wrong.
func (s *Sim) delegation(m *Member) []byte {
	cats := []string{"general", "budget", "rules"}
	cat := cats[s.rng.IntN(3)]
	if s.rng.IntN(4) == 0 {
		return m.Sign(&tx.Undelegate{Category: cat})
	}
	// Most delegations go to the first few members, who delegate among
	// themselves too: chains form, cycles close and the cap bites.
	to := s.members[s.rng.IntN(len(s.members))]
	if s.rng.IntN(4) > 0 {
		to = s.members[s.rng.IntN(min(4, len(s.members)))]
	}
	if s.rng.IntN(2) == 0 {
		return m.Sign(&tx.Delegate{Category: cat, To: to.Key[:]})
	}
	n, _ := s.State.Member(to.Key)
	return m.Sign(&tx.Delegate{Category: cat, Member: n.Number})
}

// amendText makes, in about one block in four, the author of a recent
// proposal whose text may still change (scheduled, or an initiative nobody
// endorsed yet) amend it; nil when there is none.
func (s *Sim) amendText() ([]byte, *Member) {
	if s.amends.IntN(4) != 0 {
		return nil, nil
	}
	props := s.State.Proposals()
	for _, p := range props[max(0, len(props)-40):] {
		if p.Status != core.Scheduled && (p.Status != core.Gathering || p.Endorsements() > 0) {
			continue
		}
		author, ok := s.State.MemberByNumber(p.Author)
		if !ok || author.Left {
			continue
		}
		for _, m := range s.members {
			if m.Key == author.Key {
				return m.Sign(&tx.AmendText{Proposal: p.ID, Title: p.Title, Body: fmt.Sprintf("%s\nRevised (%d).", p.Body, p.Revisions+1)}), m
			}
		}
	}
	return nil, nil
}

// measure makes a proposal that enacts, renews or repeals a law, or amends
// the constitution, voting on it for two to eight minutes.
func (s *Sim) measure(m *Member) []byte {
	closes := s.Now.Add(time.Duration(2+s.rng.IntN(6)) * time.Minute)
	p := &tx.Propose{Title: fmt.Sprintf("Measure by %s", m.Name), Category: "rules", Closes: closes.Unix()}
	inForce := s.State.LawsInForce()
	switch k := s.rng.IntN(10); {
	case k < 3 || len(inForce) == 0:
		p.Measure, p.Sunset = tx.Enact, int64(300+s.rng.IntN(1200))
	case k < 5:
		l := inForce[s.rng.IntN(len(inForce))]
		p.Measure, p.Law, p.Sunset = tx.Renew, l.Number, int64(300+s.rng.IntN(900))
		if left := time.Unix(0, l.Expires).Sub(s.Now); left > 3*time.Minute {
			p.Closes = s.Now.Add(min(left-time.Minute, 8*time.Minute)).Unix()
		}
	case k < 7:
		p.Measure, p.Law = tx.Repeal, inForce[s.rng.IntN(len(inForce))].Number
	default:
		p.Measure, p.Rules = tx.Amend, simAmendments[s.rng.IntN(len(simAmendments))]
	}
	// Some measures are popular initiatives: no voting times, a ballot
	// once an eighth of the members sign. Renewals and amendments stay
	// proposals: the laws live minutes, less than an initiative takes, and
	// the few amendments should mostly pass.
	if (p.Measure == tx.Enact || p.Measure == tx.Repeal) && s.rng.IntN(3) == 0 {
		p.Initiative, p.Opens, p.Closes = true, 0, 0
	}
	return m.Sign(p)
}

// SimOffices are the simulator's offices, with terms of minutes so that a
// short history runs through many elections, by-elections and term limits.
func SimOffices() []core.Office {
	min := func(n int) core.Duration { return core.Duration{Duration: time.Duration(n) * time.Minute} }
	return []core.Office{
		{Name: "clerk", Seats: 1, Term: min(3), MaxConsecutiveTerms: 2, NominationPeriod: min(1), VotingPeriod: min(1), Powers: []string{"notice"}},
		{Name: "stewards", Seats: 3, Term: min(4), MaxTerms: 3, NominationPeriod: min(1), VotingPeriod: min(1), Powers: []string{"notice", "payment"}},
	}
}

// office makes an office transaction by m: a candidacy in an election
// taking nominations, a ranked ballot in one voting, a recall signature
// against a holder, or a notice; nil when there is nothing to do. Some are
// refused (term limits, a second candidacy, a second signature), which the
// generator accepts as a guess gone wrong.
func (s *Sim) office(m *Member) ([]byte, *Member) {
	var nominating, voting []*core.Election
	es := s.State.Elections()
	for _, e := range es[max(0, len(es)-8):] {
		switch {
		case e.Status == core.Nominating:
			nominating = append(nominating, e)
		case e.Status == core.Voting && s.Now.UnixNano() <= e.Closes:
			voting = append(voting, e)
		}
	}
	me, _ := s.State.Member(m.Key)
	switch k := s.rng.IntN(10); {
	case k < 3 && len(nominating) > 0:
		// Mostly the first few members stand, so some reach a term limit.
		if s.rng.IntN(3) > 0 {
			m = s.members[s.rng.IntN(min(3, len(s.members)))]
		}
		e := nominating[s.rng.IntN(len(nominating))]
		return m.Sign(&tx.Candidacy{Election: e.ID}), m
	case k < 7 && len(voting) > 0:
		e := voting[s.rng.IntN(len(voting))]
		if len(e.Candidates) == 0 || me.AdmitSeq > e.EligibleSeq {
			return nil, nil
		}
		r := slices.Clone(e.Candidates)
		s.rng.Shuffle(len(r), func(i, j int) { r[i], r[j] = r[j], r[i] })
		return m.Sign(&tx.Rank{Election: e.ID, Ranking: r[:1+s.rng.IntN(len(r))]}), m
	case k < 9:
		os := s.State.Offices()
		o := os[s.rng.IntN(len(os))]
		if len(o.Holders) > 0 {
			h := o.Holders[s.rng.IntN(len(o.Holders))]
			return m.Sign(&tx.Recall{Office: h.Office, Member: h.Member}), m
		}
	default:
		for _, o := range s.State.Offices() {
			for _, h := range o.Holders {
				if h.Member == me.Number {
					return m.Sign(&tx.Notice{Office: h.Office, Title: "Notice", Text: "The hall is open."}), m
				}
			}
		}
	}
	return nil, nil
}

// after updates the simulator's view of who is a member.
func (s *Sim) after(t *tx.Tx) {
	switch b := t.Body.(type) {
	case *tx.Vouch:
		for i, n := range s.newcomers {
			if n.Key == t.Author {
				continue
			}
			if _, ok := s.State.Member(n.Key); ok && string(n.Key[:]) == string(b.Key) {
				s.members = append(s.members, n)
				s.newcomers = append(s.newcomers[:i], s.newcomers[i+1:]...)
				break
			}
		}
	case *tx.Leave:
		s.drop(t.Author)
	case *tx.Rotate:
		var nk tx.PublicKey
		copy(nk[:], b.NewKey)
		old := s.drop(t.Author)
		// The simulator rebuilds the member from the rotation's key: the
		// person made by RotateTo is the last one made.
		next := NewMember(fmt.Sprintf("person %d", s.made))
		if next.Key != nk {
			panic("coretest: sim lost track of a rotated key")
		}
		next.Name = old.Name
		s.members = append(s.members, next)
	}
}

func (s *Sim) drop(key tx.PublicKey) *Member {
	for i, m := range s.members {
		if m.Key == key {
			s.members = append(s.members[:i], s.members[i+1:]...)
			return m
		}
	}
	return nil
}
