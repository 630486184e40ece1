package bench

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// ConstitutionOptions size the constitution benchmark.
type ConstitutionOptions struct {
	Members     int    // members (default 100,000)
	Voters      int    // members who vote directly (default 30,000)
	Delegations int    // members who delegate (default 50,000)
	MaxWeight   uint32 // the constitution's cap on one ballot's weight (default 50)
	Laws        int    // laws in force for the idle EndBlock (default 10,000)
	Offices     int    // offices with holders and scheduled elections for the idle EndBlock (default 100)
	Closes      int    // closes measured; the median is reported (default 7)
	Progress    func(format string, args ...any)
}

// ConstitutionFigures are the results of the constitution benchmark.
type ConstitutionFigures struct {
	CPUs             int     `json:"cpus"`
	CPUModel         string  `json:"cpu_model"`
	Members          int     `json:"members"`
	Voters           int     `json:"voters"`
	Delegations      int     `json:"delegations"`
	MaxWeight        uint32  `json:"max_weight"`
	DelegatedVotes   uint64  `json:"delegated_votes"`
	Capped           uint64  `json:"capped"`
	Cyclic           uint64  `json:"cyclic"`
	DelegatedCloseMs float64 `json:"delegated_close_ms"`
	Laws             int     `json:"laws"`
	Offices          int     `json:"offices"`
	Holders          int     `json:"office_holders"`
	IdleEndBlockUs   float64 `json:"idle_endblock_us"`
}

// Constitution runs the constitution benchmark: closing a proposal in a
// community with liquid delegation (chains of 1 to 20, one chain in twenty
// closing into a cycle, a weight cap), built from signed transactions, and
// EndBlock in a block in which nothing is due with many laws in force and
// many offices held, their next elections scheduled.
func Constitution(o ConstitutionOptions, clock func() time.Time) (ConstitutionFigures, error) {
	if o.Members <= 0 {
		o.Members = 100000
	}
	if o.Voters <= 0 {
		o.Voters = 30000
	}
	if o.Delegations <= 0 {
		o.Delegations = 50000
	}
	if o.MaxWeight == 0 {
		o.MaxWeight = 50
	}
	if o.Laws <= 0 {
		o.Laws = 10000
	}
	if o.Offices <= 0 {
		o.Offices = 100
	}
	if o.Closes <= 0 {
		o.Closes = 7
	}
	if o.Voters+o.Delegations > o.Members {
		return ConstitutionFigures{}, fmt.Errorf("%d voters and %d delegators do not fit in %d members", o.Voters, o.Delegations, o.Members)
	}
	say := o.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	f := ConstitutionFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), Members: o.Members, Voters: o.Voters,
		Delegations: o.Delegations, MaxWeight: o.MaxWeight, Laws: o.Laws, Offices: o.Offices}

	say("building a community of %d members with %d delegations", o.Members, o.Delegations)
	s, id, err := delegatedCommunity(o)
	if err != nil {
		return f, err
	}
	p, _ := s.Proposal(id)
	at := time.Unix(0, p.Closes).Add(time.Second)
	var times []time.Duration
	for i := 0; i < o.Closes; i++ {
		s.Checkpoint()
		start := clock()
		if _, err := s.BeginBlock(s.Height()+1, at); err != nil {
			return f, err
		}
		s.EndBlock()
		times = append(times, clock().Sub(start))
		if p.Delegated == nil {
			return f, fmt.Errorf("the close counted no delegation")
		}
		d := *p.Delegated
		f.DelegatedVotes, f.Capped, f.Cyclic = d.Yes+d.No+d.Abstain, d.Capped, d.Cyclic
		s.Revert()
	}
	slices.Sort(times)
	f.DelegatedCloseMs = float64(times[len(times)/2].Microseconds()) / 1000

	say("enacting %d laws and electing %d offices", o.Laws, o.Offices)
	us, holders, err := idleEndBlock(o.Laws, o.Offices, clock)
	if err != nil {
		return f, err
	}
	f.IdleEndBlockUs, f.Holders = us, holders
	return f, nil
}

// delegatedCommunity builds the delegation workload from signed
// transactions, deterministically, and returns the state with one open
// proposal in "general" and its id.
func delegatedCommunity(o ConstitutionOptions) (*core.State, uint64, error) {
	ms := make([]*coretest.Member, o.Members)
	for i := range ms {
		ms[i] = coretest.NewMember(fmt.Sprintf("member %d", i+1))
	}
	g := coretest.Genesis(ms...)
	g.Constitution.Delegation.MaxWeight = o.MaxWeight
	start := coretest.GenesisTime
	s, err := core.New(coretest.ChainID, start, coretest.AppState(g))
	if err != nil {
		return nil, 0, err
	}
	rng := rand.New(rand.NewPCG(6, 20))
	// Voters are members 1..Voters; delegators a shuffled selection of the
	// others, in chains of 1 to 20 that end at a voter (mostly among the
	// first thousand, so the cap bites) or, one in twenty, close into a
	// cycle.
	rest := make([]uint32, 0, o.Members-o.Voters)
	for m := o.Voters + 1; m <= o.Members; m++ {
		rest = append(rest, uint32(m))
	}
	rng.Shuffle(len(rest), func(i, j int) { rest[i], rest[j] = rest[j], rest[i] })
	rest = rest[:o.Delegations]
	var txs [][]byte
	del := func(from, to uint32) {
		txs = append(txs, ms[from-1].Sign(&tx.Delegate{Category: "general", Member: to}))
	}
	for len(rest) > 0 {
		n := min(1+rng.IntN(20), len(rest))
		chain := rest[:n]
		rest = rest[n:]
		for i := 0; i+1 < len(chain); i++ {
			del(chain[i], chain[i+1])
		}
		last := chain[len(chain)-1]
		switch {
		case rng.IntN(20) == 0 && n > 1:
			del(last, chain[rng.IntN(n-1)])
		case rng.IntN(4) > 0:
			del(last, uint32(1+rng.IntN(min(1000, o.Voters))))
		default:
			del(last, uint32(1+rng.IntN(o.Voters)))
		}
	}
	at := start
	apply := func(txs [][]byte) error {
		for len(txs) > 0 {
			n := min(5000, len(txs))
			at = at.Add(time.Second)
			res, err := s.ApplyBlock(core.Block{Height: s.Height() + 1, Time: at, Txs: txs[:n]}, 0)
			if err != nil {
				return err
			}
			for j, r := range res.Txs {
				if r.Code != 0 {
					return fmt.Errorf("block %d tx %d rejected: %s", s.Height(), j, r.Log)
				}
			}
			txs = txs[n:]
		}
		return nil
	}
	if err := apply(txs); err != nil {
		return nil, 0, err
	}
	closes := at.Add(time.Hour).Unix()
	if err := apply([][]byte{ms[0].Sign(&tx.Propose{Title: "Bench", Category: "general", Closes: closes})}); err != nil {
		return nil, 0, err
	}
	id := uint64(len(s.Proposals()))
	txs = txs[:0]
	for v := 0; v < o.Voters; v++ {
		txs = append(txs, ms[v].Ballot(id, tx.Choice(1+rng.IntN(3))))
	}
	if err := apply(txs); err != nil {
		return nil, 0, err
	}
	return s, id, nil
}

// benchOffices returns n offices for the idle EndBlock: one in ten has
// three seats, the others one; two-year terms, elections of a day each.
func benchOffices(n int) []core.Office {
	out := make([]core.Office, n)
	for i := range out {
		seats := 1
		if i%10 == 0 {
			seats = 3
		}
		out[i] = core.Office{Name: fmt.Sprintf("office %d", i+1), Seats: seats, Term: core.Duration{Duration: 2 * 365 * 24 * time.Hour},
			MaxConsecutiveTerms: 2, NominationPeriod: core.Duration{Duration: 24 * time.Hour}, VotingPeriod: core.Duration{Duration: 24 * time.Hour},
			Powers: []string{core.PowerNotice}}
	}
	return out
}

// idleEndBlock enacts laws and elects the holders of offices (whose next
// elections are then scheduled, and whose terms run), and returns the mean
// cost in microseconds of EndBlock in a block in which nothing is due, and
// the number of seats held.
func idleEndBlock(laws, offices int, clock func() time.Time) (float64, int, error) {
	a, b, c := coretest.NewMember("alice"), coretest.NewMember("bob"), coretest.NewMember("carol")
	g := coretest.Genesis(a, b, c)
	g.Constitution.Offices = benchOffices(offices)
	s, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(g))
	if err != nil {
		return 0, 0, err
	}
	at := coretest.GenesisTime
	block := func(txs [][]byte) error {
		at = at.Add(time.Second)
		res, err := s.ApplyBlock(core.Block{Height: s.Height() + 1, Time: at, Txs: txs}, 0)
		if err != nil {
			return err
		}
		for j, r := range res.Txs {
			if r.Code != 0 {
				return fmt.Errorf("block %d tx %d rejected: %s", s.Height(), j, r.Log)
			}
		}
		return nil
	}
	closes := at.Add(time.Second + 10*time.Minute).Unix()
	var props, votes, stand, rank [][]byte
	for i := 0; i < laws; i++ {
		props = append(props, a.Sign(&tx.Propose{Title: "Law", Category: "rules", Closes: closes, Measure: tx.Enact}))
	}
	// Everyone stands for every office (the first elections are numbered
	// like the offices) and ranks the candidates in turn.
	for e := uint64(1); e <= uint64(offices); e++ {
		stand = append(stand, a.Sign(&tx.Candidacy{Election: e}), b.Sign(&tx.Candidacy{Election: e}), c.Sign(&tx.Candidacy{Election: e}))
	}
	for i := 1; i <= laws; i++ {
		votes = append(votes, b.Ballot(uint64(i), tx.Yes), c.Ballot(uint64(i), tx.Yes))
	}
	for e := uint64(1); e <= uint64(offices); e++ {
		rank = append(rank, a.Sign(&tx.Rank{Election: e, Ranking: []uint32{1, 2, 3}}), b.Sign(&tx.Rank{Election: e, Ranking: []uint32{2, 3, 1}}),
			c.Sign(&tx.Rank{Election: e, Ranking: []uint32{uint32(1 + e%3), uint32(1 + (e+1)%3), uint32(1 + (e+2)%3)}}))
	}
	if err := block(append(props, stand...)); err != nil {
		return 0, 0, err
	}
	if err := block(votes); err != nil {
		return 0, 0, err
	}
	at = at.Add(11 * time.Minute)
	if err := block(nil); err != nil {
		return 0, 0, err
	}
	at = at.Add(24 * time.Hour)
	if err := block(rank); err != nil {
		return 0, 0, err
	}
	at = at.Add(24 * time.Hour)
	if err := block(nil); err != nil {
		return 0, 0, err
	}
	if n := s.LawsInForceCount(); n != laws {
		return 0, 0, fmt.Errorf("%d laws in force, want %d", n, laws)
	}
	holders, scheduled := 0, 0
	for _, o := range s.Offices() {
		holders += len(o.Holders)
		for _, e := range o.Elections {
			if e.Status == core.ElectionScheduled {
				scheduled++
			}
		}
	}
	if want := offices + 2*((offices+9)/10); holders != want || scheduled != offices {
		return 0, 0, fmt.Errorf("%d seats held and %d elections scheduled, want %d and %d", holders, scheduled, want, offices)
	}
	const rounds = 20000
	var total time.Duration
	for i := 0; i < rounds; i++ {
		at = at.Add(time.Second)
		if _, err := s.BeginBlock(s.Height()+1, at); err != nil {
			return 0, 0, err
		}
		start := clock()
		r := s.EndBlock()
		total += clock().Sub(start)
		if len(r.Leaves) != 0 {
			return 0, 0, fmt.Errorf("something was due in an idle block")
		}
	}
	return float64(total.Nanoseconds()) / rounds / 1000, holders, nil
}
