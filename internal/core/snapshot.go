// This file serialises the whole state (MarshalBinary) and rebuilds it
// (Restore). It is the core's part of a node's snapshots (internal/abci
// writes them every N blocks, restarts from them and serves them to
// joining nodes by state sync) and the tests' oracle: the tests use it to
// prove that two states are equal byte for byte (a rejected transaction and
// a reverted checkpoint change nothing; replaying a history, in one go or
// block by block, gives the same state), and that nothing the state holds
// is lost (a restored state applies the next blocks exactly as the
// original does).
//
// The bytes are a function of the state alone (maps become sorted slices,
// CBOR in core deterministic encoding), so every honest node writes the
// same bytes at the same height: state sync relies on it to find
// snapshots that several peers agree on. The accumulator's frontier (leaf
// count and peaks) is included; the leaves themselves are not (the app
// keeps them for proofs, and writes them beside the state). A change of
// the format bumps snapshotVersion, and Restore refuses other versions:
// a node then falls back to replaying its blocks.

package core

import (
	"fmt"
	"maps"
	"slices"

	"github.com/fxamacker/cbor/v2"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// snapshotVersion is the version of the serialised state format.
const snapshotVersion = 1

// The serialised state: every map becomes a slice sorted by key, so the
// bytes are a function of the state alone.
type snapState struct {
	Version    int
	ChainID    string
	Genesis    int64
	Cons       []byte // constitution JSON
	Now        int64
	Height     int64
	Members    []snapMember
	Admissions uint64
	Dead       []snapKey // rotated-away keys
	Candidates []snapCandidate
	Proposals  []snapProposal
	Comments   []uint64
	Opening    []deadline
	Closing    []deadline
	Decrypting []deadline `cbor:",omitempty"` // added with secret ballots
	AccN       uint64
	AccPeaks   []merkle.Hash
	// Added with amendable constitutions and laws; absent from older
	// snapshots, which restore as a single genesis version and no laws.
	Rules    []snapRules
	Laws     []snapLaw
	Expiring []deadline
	// Added with liquid delegation; omitted when empty, so states without
	// delegations serialise as before.
	Delegations []snapDelegation `cbor:",omitempty"`
	// Added with offices; omitted when empty, so states without offices
	// serialise as before.
	Offices       []snapOffice   `cbor:",omitempty"`
	Elections     []snapElection `cbor:",omitempty"`
	Terms         []Term         `cbor:",omitempty"`
	Petitions     []Petition     `cbor:",omitempty"`
	Notices       []Notice       `cbor:",omitempty"`
	Payments      []Payment      `cbor:",omitempty"`
	ElecOpening   []deadline     `cbor:",omitempty"`
	ElecVoting    []deadline     `cbor:",omitempty"`
	ElecClosing   []deadline     `cbor:",omitempty"`
	TermEnding    []deadline     `cbor:",omitempty"`
	PetitionLapse []deadline     `cbor:",omitempty"`
	// Added with popular initiatives; omitted when empty.
	Gathering []deadline `cbor:",omitempty"`
	// Added with draws by lot; omitted when empty.
	Draws      []*Draw                   `cbor:",omitempty"`
	Drawing    []deadline                `cbor:",omitempty"`
	Barred     map[uint32]uint64         `cbor:",omitempty"`
	Attributes map[uint32][]tx.Attribute `cbor:",omitempty"`
}

type snapOffice struct {
	Name     string
	Terms    []uint64
	TermEnds int64
}

type snapRanking struct {
	Member  uint32
	Ranking []uint32
}

type snapElection struct {
	ID                                   uint64
	Office                               string
	Seats                                int
	ByElection                           bool
	Opens, VotingOpens, Closes, TermEnds int64
	Status                               ElectionStatus
	Candidates                           []uint32
	Eligible, EligibleSeq                uint64
	Ballots                              []snapRanking
	Excluded                             []uint32
	IRV                                  *count.IRVResult `cbor:",omitempty"`
	STV                                  *count.STVResult `cbor:",omitempty"`
	Winners                              []uint32
	Draw                                 uint64 `cbor:",omitempty"` // added with offices by lot
}

type snapDelegation struct {
	Category string
	Member   uint32
	To       uint32
}

type snapRules struct {
	Version  uint32
	Height   int64
	Time     int64
	Proposal uint64
	Cons     []byte // constitution JSON
}

type snapLaw struct {
	Number, Proposal uint64
	Title            string
	Enacted, Expires int64
	Status           LawStatus
	Ended            int64
	Renewals         []uint64
	RepealedBy       uint64
}

type snapMember struct {
	Number    uint32
	Key       []byte
	Name      string
	Nonce     uint64
	Admitted  int64
	AdmitSeq  uint64
	VouchedBy []uint32
	Left      bool
}

type snapKey struct {
	Key    []byte
	Member uint32
}

type snapCandidate struct {
	Key      []byte
	Name     string
	Vouchers []uint32
}

type snapBallot struct {
	Member uint32
	Choice tx.Choice
}

type snapProposal struct {
	ID                     uint64
	Author                 uint32
	Title, Body, Category  string
	Created, Opens, Closes int64
	Status                 Status
	Eligible, EligibleSeq  uint64
	Ballots                []snapBallot
	Endorsers              []uint32
	Comments               uint64
	Result                 *count.YesNoResult
	QuorumNum, QuorumDen   uint64
	ThreshNum, ThreshDen   uint64
	ThreshAtLeast          bool
	Type                   string
	RulesVersion           uint32
	Measure                tx.Measure
	Law                    uint64
	Sunset                 int64
	Amendment              string
	Delegated              *DelegatedTally `cbor:",omitempty"`
	Amount                 uint64          `cbor:",omitempty"`
	Office                 string          `cbor:",omitempty"`
	Holder                 uint32          `cbor:",omitempty"`
	Petition               uint64          `cbor:",omitempty"`
	Initiative             bool            `cbor:",omitempty"`
	GatherUntil            int64           `cbor:",omitempty"`
	Needed                 uint64          `cbor:",omitempty"`
	VotingPeriod           int64           `cbor:",omitempty"`
	Revisions              uint32          `cbor:",omitempty"` // added with text amendments
	Secret                 *SecretVote     `cbor:",omitempty"` // added with secret ballots
}

// MarshalBinary serialises the whole state deterministically. It fails
// while a checkpoint is open.
func (s *State) MarshalBinary() ([]byte, error) {
	if s.journal != nil {
		return nil, fmt.Errorf("serialise state: a checkpoint is open")
	}
	cons, err := jsonMarshal(s.cons)
	if err != nil {
		return nil, fmt.Errorf("serialise constitution: %w", err)
	}
	out := snapState{
		Version: snapshotVersion, ChainID: s.chainID, Genesis: s.genesis, Cons: cons,
		Now: s.now, Height: s.height, Admissions: s.admissions, Comments: s.comments,
		Opening: s.opening, Closing: s.closing, Decrypting: s.decrypting, AccN: s.acc.Len(), AccPeaks: s.acc.Peaks(),
	}
	for _, m := range s.members {
		out.Members = append(out.Members, snapMember{m.Number, m.Key[:], m.Name, m.Nonce, m.Admitted, m.AdmitSeq, m.VouchedBy, m.Left})
	}
	for k, r := range s.keys {
		if r.state == keyDead {
			out.Dead = append(out.Dead, snapKey{Key: append([]byte(nil), k[:]...), Member: r.member})
		}
	}
	slices.SortFunc(out.Dead, func(a, b snapKey) int { return compareBytes(a.Key, b.Key) })
	for k, c := range s.candidates {
		out.Candidates = append(out.Candidates, snapCandidate{append([]byte(nil), k[:]...), c.name, c.vouchers})
	}
	slices.SortFunc(out.Candidates, func(a, b snapCandidate) int { return compareBytes(a.Key, b.Key) })
	for _, p := range s.proposals {
		sp := snapProposal{
			ID: p.ID, Author: p.Author, Title: p.Title, Body: p.Body, Category: p.Category,
			Created: p.Created, Opens: p.Opens, Closes: p.Closes, Status: p.Status,
			Eligible: p.Eligible, EligibleSeq: p.EligibleSeq, Comments: p.Comments, Result: p.Result,
			QuorumNum: p.Quorum.Num, QuorumDen: p.Quorum.Den,
			ThreshNum: p.Threshold.Num, ThreshDen: p.Threshold.Den, ThreshAtLeast: p.Threshold.AtLeast,
			Type: p.Type, RulesVersion: p.RulesVersion, Measure: p.Measure,
			Delegated: p.Delegated, Amount: p.Amount, Revisions: p.Revisions, Secret: p.Secret,
		}
		// The variants are serialised flat, as before they had structs.
		if t := p.Terms; t != nil {
			sp.Law, sp.Sunset, sp.Amendment = t.Law, t.Sunset, t.Amendment
		}
		if rc := p.Recall; rc != nil {
			sp.Office, sp.Holder, sp.Petition = rc.Office, rc.Holder, rc.Petition
		}
		if in := p.Initiative; in != nil {
			sp.Initiative, sp.GatherUntil, sp.Needed, sp.VotingPeriod = true, in.GatherUntil, in.Needed, in.VotingPeriod
		}
		for m, c := range p.ballots {
			sp.Ballots = append(sp.Ballots, snapBallot{m, c})
		}
		slices.SortFunc(sp.Ballots, func(a, b snapBallot) int { return int(a.Member) - int(b.Member) })
		for m := range p.endorsers {
			sp.Endorsers = append(sp.Endorsers, m)
		}
		slices.Sort(sp.Endorsers)
		out.Proposals = append(out.Proposals, sp)
	}
	for _, v := range s.rules {
		c, err := jsonMarshal(v.Constitution)
		if err != nil {
			return nil, fmt.Errorf("serialise rules version %d: %w", v.Version, err)
		}
		out.Rules = append(out.Rules, snapRules{v.Version, v.Height, v.Time, v.Proposal, c})
	}
	for _, l := range s.laws {
		out.Laws = append(out.Laws, snapLaw{l.Number, l.Proposal, l.Title, l.Enacted, l.Expires, l.Status, l.Ended, l.Renewals, l.RepealedBy})
	}
	out.Expiring = s.expiring
	out.Gathering = s.gathering
	for _, d := range s.Delegations() {
		out.Delegations = append(out.Delegations, snapDelegation{d.Category, d.Member, d.To})
	}
	s.marshalOffices(&out)
	out.Draws, out.Drawing = s.draws, s.drawing
	if len(s.barred) > 0 {
		out.Barred = s.barred
	}
	if len(s.attributes) > 0 {
		out.Attributes = s.attributes
	}
	return snapEnc.Marshal(out)
}

// Restore rebuilds a state serialised by MarshalBinary.
func Restore(b []byte) (*State, error) {
	var in snapState
	if err := snapDec.Unmarshal(b, &in); err != nil {
		return nil, fmt.Errorf("restore state: %w", err)
	}
	if in.Version != snapshotVersion {
		return nil, fmt.Errorf("restore state: format version %d, this build reads %d", in.Version, snapshotVersion)
	}
	var cons Constitution
	if err := jsonUnmarshal(in.Cons, &cons); err != nil {
		return nil, fmt.Errorf("restore constitution: %w", err)
	}
	cons.normalize()
	acc, err := merkle.Restore(in.AccN, in.AccPeaks)
	if err != nil {
		return nil, fmt.Errorf("restore state: %w", err)
	}
	s := &State{
		chainID: in.ChainID, genesis: in.Genesis, cons: cons, now: in.Now, height: in.Height,
		acc: acc,
		membershipDomain: membershipDomain{keys: make(map[tx.PublicKey]keyRef),
			candidates: make(map[tx.PublicKey]*candidate), admissions: in.Admissions},
		proposalDomain:   proposalDomain{comments: in.Comments, opening: in.Opening, closing: in.Closing, decrypting: in.Decrypting},
		lawDomain:        lawDomain{expiring: in.Expiring},
		initiativeDomain: initiativeDomain{gathering: in.Gathering},
		drawDomain:       drawDomain{draws: in.Draws, drawing: in.Drawing, barred: in.Barred, attributes: in.Attributes},
	}
	if s.barred == nil {
		s.barred = make(map[uint32]uint64)
	}
	if s.attributes == nil {
		s.attributes = make(map[uint32][]tx.Attribute)
	}
	for i, d := range s.draws {
		if d == nil || d.ID != uint64(i+1) {
			return nil, fmt.Errorf("restore state: draw %d is missing or out of order", i+1)
		}
		if d.Commits == nil {
			d.Commits = map[uint32][32]byte{}
		}
		if d.Reveals == nil {
			d.Reveals = map[uint32][32]byte{}
		}
	}
	for i, sr := range in.Rules {
		var c Constitution
		if err := jsonUnmarshal(sr.Cons, &c); err != nil {
			return nil, fmt.Errorf("restore rules version %d: %w", sr.Version, err)
		}
		if sr.Version != uint32(i+1) {
			return nil, fmt.Errorf("restore state: rules version %d is out of order", sr.Version)
		}
		s.rules = append(s.rules, &RuleVersion{Version: sr.Version, Height: sr.Height, Time: sr.Time, Proposal: sr.Proposal, Constitution: c})
	}
	if len(s.rules) == 0 {
		s.rules = []*RuleVersion{{Version: 1, Time: in.Genesis, Constitution: cons}}
	}
	s.cons = s.rules[len(s.rules)-1].Constitution
	for i, sl := range in.Laws {
		if sl.Number != uint64(i+1) {
			return nil, fmt.Errorf("restore state: law %d is out of order", sl.Number)
		}
		s.laws = append(s.laws, &Law{Number: sl.Number, Proposal: sl.Proposal, Title: sl.Title, Enacted: sl.Enacted, Expires: sl.Expires,
			Status: sl.Status, Ended: sl.Ended, Renewals: sl.Renewals, RepealedBy: sl.RepealedBy})
	}
	for i, sm := range in.Members {
		if sm.Number != uint32(i+1) {
			return nil, fmt.Errorf("restore state: member %d is out of order", i+1)
		}
		// A snapshot may come from a peer (state sync): its keys enter
		// the state here, so they are held to what a vouch is held to.
		if err := tx.CheckKey("the key", sm.Key); err != nil {
			return nil, fmt.Errorf("restore state: member %d: %s", i+1, err.Msg)
		}
		m := &Member{Number: sm.Number, Key: keyOf(sm.Key), Name: sm.Name, Nonce: sm.Nonce,
			Admitted: sm.Admitted, AdmitSeq: sm.AdmitSeq, VouchedBy: sm.VouchedBy, Left: sm.Left}
		s.members = append(s.members, m)
		st := keyCurrent
		if m.Left {
			st = keyFormer
		} else {
			s.current++
		}
		s.keys[m.Key] = keyRef{member: m.Number, state: st}
	}
	for _, d := range in.Dead {
		s.keys[keyOf(d.Key)] = keyRef{member: d.Member, state: keyDead}
	}
	for _, c := range in.Candidates {
		if err := tx.CheckKey("the key", c.Key); err != nil {
			return nil, fmt.Errorf("restore state: candidate %q: %s", c.Name, err.Msg)
		}
		s.candidates[keyOf(c.Key)] = &candidate{name: c.Name, vouchers: c.Vouchers}
	}
	for _, sp := range in.Proposals {
		p := &Proposal{
			ID: sp.ID, Author: sp.Author, Title: sp.Title, Body: sp.Body, Category: sp.Category,
			Created: sp.Created, Opens: sp.Opens, Closes: sp.Closes, Status: sp.Status,
			Eligible: sp.Eligible, EligibleSeq: sp.EligibleSeq, Comments: sp.Comments, Result: sp.Result,
			Quorum:    count.Ratio{Num: sp.QuorumNum, Den: sp.QuorumDen},
			Threshold: count.Ratio{Num: sp.ThreshNum, Den: sp.ThreshDen, AtLeast: sp.ThreshAtLeast},
			Type:      sp.Type, RulesVersion: sp.RulesVersion, Measure: sp.Measure,
			Delegated: sp.Delegated, Amount: sp.Amount, Revisions: sp.Revisions, Secret: restoreSecret(sp.Secret),
			ballots:   make(map[uint32]tx.Choice, len(sp.Ballots)),
			endorsers: make(map[uint32]struct{}, len(sp.Endorsers)),
		}
		switch sp.Measure {
		case tx.Resolution:
		case tx.RecallVote:
			p.Recall = &RecallTerms{Office: sp.Office, Holder: sp.Holder, Petition: sp.Petition}
		default:
			p.Terms = &MeasureTerms{Law: sp.Law, Sunset: sp.Sunset, Amendment: sp.Amendment}
		}
		if sp.Initiative {
			p.Initiative = &InitiativeTerms{GatherUntil: sp.GatherUntil, Needed: sp.Needed, VotingPeriod: sp.VotingPeriod}
		}
		if p.RulesVersion == 0 { // a snapshot older than rule versions
			p.RulesVersion, p.Type = 1, TypeOrdinary
		}
		if int(p.RulesVersion) > len(s.rules) {
			return nil, fmt.Errorf("restore state: proposal %d refers to rules version %d of %d", p.ID, p.RulesVersion, len(s.rules))
		}
		for _, b := range sp.Ballots {
			p.ballots[b.Member] = b.Choice
			p.add(b.Choice, +1)
		}
		for _, m := range sp.Endorsers {
			p.endorsers[m] = struct{}{}
		}
		s.proposals = append(s.proposals, p)
	}
	for _, d := range in.Delegations {
		if d.Member == 0 || int(d.Member) > len(s.members) || d.To == 0 || int(d.To) > len(s.members) || d.To == d.Member {
			return nil, fmt.Errorf("restore state: delegation of member %d to %d on %q is not between two members", d.Member, d.To, d.Category)
		}
		s.setDelegate(d.Member, d.Category, d.To)
	}
	if err := s.restoreOffices(&in); err != nil {
		return nil, fmt.Errorf("restore state: %w", err)
	}
	return s, nil
}

// marshalOffices adds the offices' state to out: the running offices
// sorted by name, everything else in id order.
func (s *State) marshalOffices(out *snapState) {
	for _, name := range slices.Sorted(maps.Keys(s.offices)) {
		run := s.offices[name]
		out.Offices = append(out.Offices, snapOffice{Name: name, Terms: run.terms, TermEnds: run.termEnds})
	}
	for _, e := range s.elections {
		se := snapElection{ID: e.ID, Office: e.Office, Seats: e.Seats, ByElection: e.ByElection, Opens: e.Opens, VotingOpens: e.VotingOpens,
			Closes: e.Closes, TermEnds: e.TermEnds, Status: e.Status, Candidates: e.Candidates, Eligible: e.Eligible, EligibleSeq: e.EligibleSeq,
			Excluded: e.Excluded, IRV: e.IRV, STV: e.STV, Winners: e.Winners, Draw: e.Draw}
		for _, m := range slices.Sorted(maps.Keys(e.ballots)) {
			se.Ballots = append(se.Ballots, snapRanking{Member: m, Ranking: e.ballots[m]})
		}
		out.Elections = append(out.Elections, se)
	}
	for _, t := range s.terms {
		out.Terms = append(out.Terms, *t)
	}
	for _, p := range s.petitions {
		out.Petitions = append(out.Petitions, *p)
	}
	for _, n := range s.notices {
		out.Notices = append(out.Notices, *n)
	}
	for _, p := range s.payments {
		out.Payments = append(out.Payments, *p)
	}
	out.ElecOpening, out.ElecVoting, out.ElecClosing = s.elecOpening, s.elecVoting, s.elecClosing
	out.TermEnding, out.PetitionLapse = s.termEnding, s.petitionLapse
}

// restoreOffices rebuilds the offices' state from in.
func (s *State) restoreOffices(in *snapState) error {
	if len(in.Offices) > 0 {
		s.offices = make(map[string]*officeRun, len(in.Offices))
	}
	for _, o := range in.Offices {
		s.offices[o.Name] = &officeRun{terms: o.Terms, termEnds: o.TermEnds}
	}
	for i, se := range in.Elections {
		if se.ID != uint64(i+1) {
			return fmt.Errorf("election %d is out of order", se.ID)
		}
		e := &Election{ID: se.ID, Office: se.Office, Seats: se.Seats, ByElection: se.ByElection, Opens: se.Opens, VotingOpens: se.VotingOpens,
			Closes: se.Closes, TermEnds: se.TermEnds, Status: se.Status, Candidates: se.Candidates, Eligible: se.Eligible, EligibleSeq: se.EligibleSeq,
			Excluded: se.Excluded, IRV: se.IRV, STV: se.STV, Winners: se.Winners, Draw: se.Draw, ballots: make(map[uint32][]uint32, len(se.Ballots))}
		for _, b := range se.Ballots {
			e.ballots[b.Member] = b.Ranking
		}
		s.elections = append(s.elections, e)
	}
	for i := range in.Terms {
		t := in.Terms[i]
		if t.ID != uint64(i+1) {
			return fmt.Errorf("term %d is out of order", t.ID)
		}
		s.terms = append(s.terms, &t)
	}
	for _, o := range in.Offices {
		for _, id := range o.Terms {
			if id == 0 || id > uint64(len(s.terms)) {
				return fmt.Errorf("office %q holds term %d of %d", o.Name, id, len(s.terms))
			}
		}
	}
	for i := range in.Petitions {
		p := in.Petitions[i]
		if p.ID != uint64(i+1) || p.Term == 0 || p.Term > uint64(len(s.terms)) {
			return fmt.Errorf("petition %d is out of order or names no term", p.ID)
		}
		s.petitions = append(s.petitions, &p)
		if s.petitionFor == nil {
			s.petitionFor = make(map[uint64]uint64)
		}
		s.petitionFor[p.Term] = p.ID
	}
	for i := range in.Notices {
		n := in.Notices[i]
		s.notices = append(s.notices, &n)
	}
	for i := range in.Payments {
		p := in.Payments[i]
		s.payments = append(s.payments, &p)
		if s.spent == nil {
			s.spent = make(map[uint64]uint64)
		}
		s.spent[p.Budget] += p.Amount
	}
	s.elecOpening, s.elecVoting, s.elecClosing = in.ElecOpening, in.ElecVoting, in.ElecClosing
	s.termEnding, s.petitionLapse = in.TermEnding, in.PetitionLapse
	return nil
}

func compareBytes(a, b []byte) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if a[i] != b[i] {
			return int(a[i]) - int(b[i])
		}
	}
	return len(a) - len(b)
}

// snapDec reads states with as many members, ballots or proposals as
// CBOR's decoder allows (2^31 - 1), far above its default of 131,072.
var snapDec = func() cbor.DecMode {
	m, err := cbor.DecOptions{MaxArrayElements: 1<<31 - 1}.DecMode()
	if err != nil {
		panic(err)
	}
	return m
}()

// snapEnc encodes nil and empty slices alike, so a state that grew and was
// reverted serialises exactly as one that never changed.
var snapEnc = func() cbor.EncMode {
	o := cbor.CoreDetEncOptions()
	o.NilContainers = cbor.NilContainerAsEmpty
	m, err := o.EncMode()
	if err != nil {
		panic(err)
	}
	return m
}()
