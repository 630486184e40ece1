package count

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// MaxCandidates is the largest number of candidates a Profile may hold. It
// bounds the key used to aggregate identical ballots.
const MaxCandidates = 1<<15 - 1

// Profile is an election: the candidates and the ballots cast, each distinct
// ballot held once with the number of voters who cast it. Candidates are
// identified by their index in Candidates.
type Profile struct {
	// Title names the election, as given by its file; may be empty.
	Title string
	// Candidates holds the candidates' names in ballot paper order.
	Candidates []string
	// Ballots holds the distinct ballots in order of first appearance.
	Ballots []Ballot
	// Seats is the number of seats the file names (BLT); 0 when unknown.
	Seats int
	// Withdrawn lists candidates withdrawn before the count (BLT): they
	// are skipped on every ballot and can never be elected.
	Withdrawn []int
}

// Ballot is one distinct ranking and the number of voters who cast it. Order
// lists candidates from most to least preferred; candidates not listed are
// ranked below every listed one. Tied is nil for a strict ranking; otherwise
// Tied[i] reports that Order[i] is ranked equal to Order[i-1] (Tied[0] is
// always false). For approval counting, Order is the set approved.
type Ballot struct {
	Count uint64
	Order []int32
	Tied  []bool
}

// Voters returns the number of voters in p.
func (p *Profile) Voters() uint64 {
	var n uint64
	for i := range p.Ballots {
		n += p.Ballots[i].Count
	}
	return n
}

// Builder aggregates ballots into a Profile. Identical ballots (the same
// ranking with the same ties) are stored once with their count, so memory
// grows with the number of distinct ballots. A Builder is not safe for
// concurrent use.
type Builder struct {
	p     Profile
	index map[string]int32
	key   []byte
	seen  []uint32
	gen   uint32
	slab  []int32
	total uint64
}

// NewBuilder starts a profile over the named candidates.
func NewBuilder(candidates []string) (*Builder, error) {
	if len(candidates) > MaxCandidates {
		return nil, fmt.Errorf("%d candidates: at most %d are supported", len(candidates), MaxCandidates)
	}
	names := append([]string(nil), candidates...)
	return &Builder{
		p:     Profile{Candidates: names},
		index: make(map[string]int32),
		seen:  make([]uint32, len(candidates)),
	}, nil
}

// ErrBallot reports a ballot that names an unknown candidate or names one
// candidate twice.
var ErrBallot = errors.New("invalid ballot")

// Add records count voters who cast the ranking order (tied as in Ballot).
// It rejects, wrapping ErrBallot, a ballot that names an unknown candidate or
// the same candidate twice. Add copies order and tied.
func (b *Builder) Add(order []int, tied []bool, count uint64) error {
	if tied != nil && len(tied) != len(order) {
		return fmt.Errorf("%w: %d ties for %d preferences", ErrBallot, len(tied), len(order))
	}
	if count == 0 {
		return nil
	}
	if b.total > math.MaxUint64-count {
		return fmt.Errorf("%w: more than %d voters", ErrBallot, uint64(math.MaxUint64))
	}
	b.gen++
	if b.gen == 0 {
		clear(b.seen)
		b.gen = 1
	}
	b.key = b.key[:0]
	anyTie := false
	for i, c := range order {
		if c < 0 || c >= len(b.p.Candidates) {
			return fmt.Errorf("%w: preference %d names candidate %d; there are %d", ErrBallot, i+1, c+1, len(b.p.Candidates))
		}
		if b.seen[c] == b.gen {
			return fmt.Errorf("%w: candidate %d is ranked twice", ErrBallot, c+1)
		}
		b.seen[c] = b.gen
		k := uint16(c)
		if tied != nil && tied[i] && i > 0 {
			k |= 1 << 15
			anyTie = true
		}
		b.key = binary.LittleEndian.AppendUint16(b.key, k)
	}
	b.total += count
	if i, ok := b.index[string(b.key)]; ok {
		b.p.Ballots[i].Count += count
		return nil
	}
	if len(b.slab) < len(order) {
		b.slab = make([]int32, max(4096, len(order)))
	}
	o := b.slab[:len(order):len(order)]
	b.slab = b.slab[len(order):]
	for i, c := range order {
		o[i] = int32(c)
	}
	var t []bool
	if anyTie {
		t = make([]bool, len(order))
		copy(t[1:], tied[1:])
	}
	b.index[string(b.key)] = int32(len(b.p.Ballots))
	b.p.Ballots = append(b.p.Ballots, Ballot{Count: count, Order: o, Tied: t})
	return nil
}

// Distinct returns the number of distinct ballots added so far.
func (b *Builder) Distinct() int { return len(b.p.Ballots) }

// Profile returns the aggregated profile. The Builder must not be used
// afterwards.
func (b *Builder) Profile() *Profile {
	b.index = nil
	p := b.p
	return &p
}

// Options are the inputs a count takes besides the ballots.
type Options struct {
	// Seats is the number of candidates to elect (STV, plurality,
	// approval); 0 means the profile's Seats, or 1.
	Seats int
	// TieOrder is the lot: every candidate once, in an order drawn before
	// the count. When the ballots cannot break a tie, the candidate earlier
	// in TieOrder is preferred (elected, kept, transferred first). Nil
	// means ballot paper order.
	TieOrder []int
}

// Tie records one tie a count had to break.
type Tie struct {
	// Round is the round or stage (from 1) in which the tie arose.
	Round int `json:"round"`
	// Purpose says what was decided: "exclude", "elect", "surplus order",
	// "winner", "select".
	Purpose string `json:"purpose"`
	// Among lists the tied candidates (or projects), by index.
	Among []int `json:"among"`
	// Chosen is the one the rule picked.
	Chosen int `json:"chosen"`
	// By names the rule that broke the tie.
	By string `json:"by"`
}

// lot returns rank[c], the position of candidate c in the tie order; lower is
// preferred.
func (o Options) lot(n int) ([]int, error) {
	rank := make([]int, n)
	if o.TieOrder == nil {
		for i := range rank {
			rank[i] = i
		}
		return rank, nil
	}
	if len(o.TieOrder) != n {
		return nil, fmt.Errorf("tie order lists %d candidates; the election has %d", len(o.TieOrder), n)
	}
	for i := range rank {
		rank[i] = -1
	}
	for i, c := range o.TieOrder {
		if c < 0 || c >= n || rank[c] >= 0 {
			return nil, fmt.Errorf("tie order must list every candidate once; position %d is %d", i+1, c+1)
		}
		rank[c] = i
	}
	return rank, nil
}

func (o Options) seats(p *Profile) int {
	if o.Seats > 0 {
		return o.Seats
	}
	if p.Seats > 0 {
		return p.Seats
	}
	return 1
}

// check validates a profile before a count.
func (p *Profile) check() error {
	n := len(p.Candidates)
	if n == 0 {
		return errors.New("the election has no candidates")
	}
	if n > MaxCandidates {
		return fmt.Errorf("%d candidates: at most %d are supported", n, MaxCandidates)
	}
	for _, w := range p.Withdrawn {
		if w < 0 || w >= n {
			return fmt.Errorf("withdrawn candidate %d does not exist", w+1)
		}
	}
	for i := range p.Ballots {
		for _, c := range p.Ballots[i].Order {
			if c < 0 || int(c) >= n {
				return fmt.Errorf("ballot %d names candidate %d; there are %d", i+1, c+1, n)
			}
		}
		if t := p.Ballots[i].Tied; t != nil && len(t) != len(p.Ballots[i].Order) {
			return fmt.Errorf("ballot %d: %d tie marks for %d preferences", i+1, len(t), len(p.Ballots[i].Order))
		}
	}
	return nil
}

// Names maps candidate indices to names.
func (p *Profile) Names(ids []int) []string {
	out := make([]string, len(ids))
	for i, c := range ids {
		out[i] = p.Candidates[c]
	}
	return out
}

// pick returns, among tied candidates, the one preferred by the lot, and
// whether more than one candidate was tied.
func pickByLot(tied []int, rank []int) int {
	best := tied[0]
	for _, c := range tied[1:] {
		if rank[c] < rank[best] {
			best = c
		}
	}
	return best
}

// lastByLot returns the tied candidate the lot likes least.
func lastByLot(tied []int, rank []int) int {
	worst := tied[0]
	for _, c := range tied[1:] {
		if rank[c] > rank[worst] {
			worst = c
		}
	}
	return worst
}
