package core

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/sortition"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Draws by lot (issue 14; docs/sortition.md). A member calls a draw of a
// number of seats among the volunteers who come forward in a window, or
// among all current members. Its randomness is a commit–reveal beacon
// among the current members: each commits to a secret, then reveals it.
// At the reveal deadline the seed hashes the draw, the round, every reveal
// in member order and the app hash (accumulator root) at that point of the
// block that passes the deadline; the seats go to a uniform draw from the
// pool (sortition.Uniform). Members who committed and did not reveal are
// named in the record and may not commit to the next draws (the
// constitution's sortition.bar_draws). With fewer reveals than
// sortition.min_reveals, the draw is redone with fresh windows of the same
// lengths (a fact says why), at most sortition.max_redraws times.

// drawDomain is the draws and their deadlines.
type drawDomain struct {
	draws   []*Draw   // index = id-1
	drawing deadlines // draws collecting, by reveal deadline
	// barred maps a member who did not reveal to the last draw whose
	// beacon they may not commit to.
	barred map[uint32]uint64
	// attributes are the members' declared attributes, sorted by name.
	attributes map[uint32][]tx.Attribute
}

// SortitionPolicy is the constitution's policy for draws.
type SortitionPolicy struct {
	// MinReveals is the least number of reveals for a draw to go ahead;
	// absent, 1.
	MinReveals int `json:"min_reveals,omitempty"`
	// BarDraws is for how many later draws a member who committed and did
	// not reveal may not commit; absent, 1.
	BarDraws int `json:"bar_draws,omitempty"`
	// MaxRedraws bounds how many times a draw with too few reveals is
	// redone before it fails; absent, 2.
	MaxRedraws int `json:"max_redraws,omitempty"`
}

// SortitionRules returns the policy with its defaults.
func (c *Constitution) SortitionRules() (minReveals, barDraws, maxRedraws int) {
	p := c.Sortition
	minReveals, barDraws, maxRedraws = p.MinReveals, p.BarDraws, p.MaxRedraws
	if minReveals == 0 {
		minReveals = 1
	}
	if barDraws == 0 {
		barDraws = 1
	}
	if maxRedraws == 0 {
		maxRedraws = 2
	}
	return minReveals, barDraws, maxRedraws
}

func (c *Constitution) validateSortition() error {
	p := c.Sortition
	if p.MinReveals < 0 || p.MinReveals > 10000 || p.BarDraws < 0 || p.BarDraws > 1000 || p.MaxRedraws < 0 || p.MaxRedraws > 100 {
		return fmt.Errorf("sortition: min_reveals (0 to 10000), bar_draws (0 to 1000) and max_redraws (0 to 100) are out of range")
	}
	return nil
}

// DrawStatus is a draw's stage.
type DrawStatus uint8

// Draw stages.
const (
	DrawCollecting DrawStatus = 1 // volunteers, commitments and reveals are coming in
	DrawDone       DrawStatus = 2 // the seats are drawn
	DrawFailed     DrawStatus = 3 // too few volunteers, or too few reveals after every redraw
)

// String names the stage.
func (s DrawStatus) String() string {
	switch s {
	case DrawCollecting:
		return "collecting"
	case DrawDone:
		return "drawn"
	case DrawFailed:
		return "failed"
	}
	return fmt.Sprintf("draw status %d", uint8(s))
}

// Draw is a draw by lot.
type Draw struct {
	ID     uint64
	Caller uint32
	Title  string
	Seats  uint32
	// FromVolunteers draws among Volunteers (in member order); otherwise
	// among all current members at the draw.
	FromVolunteers bool
	Volunteers     []uint32
	// Times, Unix nanoseconds. CommitFrom is when commitments open (the
	// call, or the end of volunteering).
	Created, VolunteerUntil, CommitFrom, CommitUntil, RevealUntil int64
	Status                                                        DrawStatus
	// Round counts redraws from 0; Commits and Reveals are this round's.
	Round   uint32
	Commits map[uint32][32]byte
	Reveals map[uint32][32]byte
	// Set when drawn: the seed, the root it hashed, the pool and the
	// members drawn (in member order); NonRevealers of the last round.
	Seed         [32]byte
	Root         [32]byte
	Pool         []uint32
	Selected     []uint32
	NonRevealers []uint32
	// Why is set when the draw failed.
	Why string
	// Quotas make a stratified draw; Values holds each volunteer's values
	// of the quotas' features (frozen when they volunteered) and Lottery
	// the published panels (see DrawLottery).
	Quotas  []tx.Quota          `cbor:",omitempty"`
	Values  map[uint32][]string `cbor:",omitempty"`
	Lottery []sortition.Panel   `cbor:",omitempty"`
}

// Features returns the stratified draw's features in the order its quotas
// first name them.
func (d *Draw) Features() []string {
	var out []string
	for _, q := range d.Quotas {
		if !slices.Contains(out, q.Feature) {
			out = append(out, q.Feature)
		}
	}
	return out
}

// Instance returns the stratified draw's instance for the sortition
// package: its seats, its quotas by feature and its volunteers still
// members (pool) with their values.
func (d *Draw) Instance(pool []uint32) sortition.Instance {
	in := sortition.Instance{Seats: int(d.Seats)}
	for _, f := range d.Features() {
		feat := sortition.Feature{Name: f}
		for _, q := range d.Quotas {
			if q.Feature == f {
				feat.Values = append(feat.Values, sortition.Quota{Value: q.Value, Min: int(q.Min), Max: int(q.Max)})
			}
		}
		in.Features = append(in.Features, feat)
	}
	for _, m := range pool {
		in.Volunteers = append(in.Volunteers, sortition.Volunteer{Member: m, Values: d.Values[m]})
	}
	return in
}

// Attributes returns member's declared attributes, sorted by name.
func (s *State) Attributes(member uint32) []tx.Attribute { return s.attributes[member] }

func (s *State) declare(m *Member, b *tx.Declare) (func(*Result), *reject.Error) {
	return func(r *Result) {
		old, had := s.attributes[m.Number]
		if len(b.Attributes) == 0 {
			delete(s.attributes, m.Number)
		} else {
			s.attributes[m.Number] = b.Attributes
		}
		s.record(func() {
			if had {
				s.attributes[m.Number] = old
			} else {
				delete(s.attributes, m.Number)
			}
		})
		r.Events = append(r.Events, Declared{Member: m.Number})
	}, nil
}

// DrawPool returns the members draw d would be made among now.
func (s *State) DrawPool(d *Draw) []uint32 { return s.poolOf(d) }

// poolOf returns the members the draw is made among now.
func (s *State) poolOf(d *Draw) []uint32 {
	if !d.FromVolunteers {
		var pool []uint32
		for _, m := range s.members {
			if !m.Left {
				pool = append(pool, m.Number)
			}
		}
		return pool
	}
	return slices.DeleteFunc(slices.Clone(d.Volunteers), func(n uint32) bool { return s.members[n-1].Left })
}

func (s *State) drawLottery(m *Member, b *tx.DrawLottery) (func(*Result), *reject.Error) {
	const what = "lottery"
	d, err := s.draw(what, b.Draw)
	if err != nil {
		return nil, err
	}
	switch {
	case len(d.Quotas) == 0:
		return nil, reject.Errorf(reject.BadLottery, "%s rejected: draw %d is not stratified; its seats are drawn uniformly", what, d.ID)
	case m.Number != d.Caller:
		return nil, reject.Errorf(reject.BadLottery, "%s rejected: only the member who called draw %d (member %d) publishes its lottery", what, d.ID, d.Caller)
	case d.Lottery != nil:
		return nil, reject.Errorf(reject.AlreadyDone, "%s rejected: draw %d's lottery is already published", what, d.ID)
	case s.now < d.VolunteerUntil || s.now >= d.CommitUntil:
		return nil, reject.Errorf(reject.DrawWindow, "%s rejected: draw %d's lottery is published between the end of volunteering (%s) and the end of commitments (%s)", what, d.ID, formatTime(d.VolunteerUntil), formatTime(d.CommitUntil))
	}
	panels := make([]sortition.Panel, len(b.Panels))
	for i, p := range b.Panels {
		panels[i].Weight = p.Weight
		for _, ts := range p.Seats {
			panels[i].Seats = append(panels[i].Seats, sortition.TypeSeats{Type: int(ts.Type), Count: int(ts.Count)})
		}
	}
	if _, lerr := sortition.Lottery(d.Instance(s.poolOf(d)), panels); lerr != nil {
		return nil, reject.Errorf(reject.BadLottery, "%s rejected: it does not fit draw %d: %v", what, d.ID, lerr)
	}
	return func(r *Result) {
		d.Lottery = panels
		s.record(func() { d.Lottery = nil })
		r.Events = append(r.Events, LotteryPublished{Draw: d.ID, Panels: uint32(len(panels))})
	}, nil
}

// Declared: a member replaced their declared attributes.
type Declared struct{ Member uint32 }

// Type implements Event.
func (Declared) Type() string { return "declared" }

// Attrs implements Event.
func (e Declared) Attrs() []Attr { return attrs("member", u32(e.Member)) }

// LotteryPublished: a stratified draw's lottery was published.
type LotteryPublished struct {
	Draw   uint64
	Panels uint32
}

// Type implements Event.
func (LotteryPublished) Type() string { return "lottery_published" }

// Attrs implements Event.
func (e LotteryPublished) Attrs() []Attr { return attrs("draw", u64(e.Draw), "panels", u32(e.Panels)) }

// Draw returns a draw by id.
func (s *State) Draw(id uint64) (*Draw, bool) { return numbered(s.draws, id) }

// Draws returns every draw, by id. The slice and its draws must not be
// modified.
func (s *State) Draws() []*Draw { return s.draws }

// BeaconCommitment is what a member commits to for round of draw: SHA-256
// of "folkmoot/beacon/v1", the draw (8 bytes), the round and the member
// (4 bytes each, big-endian) and the 32-byte secret.
func BeaconCommitment(draw uint64, round, member uint32, secret []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("folkmoot/beacon/v1"))
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:], draw)
	binary.BigEndian.PutUint32(b[8:], round)
	binary.BigEndian.PutUint32(b[12:], member)
	h.Write(b[:])
	h.Write(secret)
	return [32]byte(h.Sum(nil))
}

// DrawSeed is the seed of round of draw: SHA-256 of "folkmoot/draw/v1",
// the draw (8 bytes), the round (4), then each reveal in member order as
// the member (4) and the secret (32), then the 32-byte root.
func DrawSeed(draw uint64, round uint32, reveals map[uint32][32]byte, root [32]byte) [32]byte {
	h := sha256.New()
	h.Write([]byte("folkmoot/draw/v1"))
	var b [12]byte
	binary.BigEndian.PutUint64(b[0:], draw)
	binary.BigEndian.PutUint32(b[8:], round)
	h.Write(b[:])
	members := make([]uint32, 0, len(reveals))
	for m := range reveals {
		members = append(members, m)
	}
	slices.Sort(members)
	for _, m := range members {
		var mb [4]byte
		binary.BigEndian.PutUint32(mb[:], m)
		h.Write(mb[:])
		sec := reveals[m]
		h.Write(sec[:])
	}
	h.Write(root[:])
	return [32]byte(h.Sum(nil))
}

func (s *State) callDraw(m *Member, b *tx.Draw) (func(*Result), *reject.Error) {
	if b.CommitUntil > maxUnixSeconds || b.RevealUntil > maxUnixSeconds {
		return nil, reject.Errorf(reject.BadDraw, "draw rejected: times beyond the year 2242 are not supported")
	}
	from := s.now
	if b.Volunteers {
		from = b.VolunteerUntil * 1e9
		if from <= s.now {
			return nil, reject.Errorf(reject.BadDraw, "draw rejected: volunteering would end at %s, which has passed", formatTime(from))
		}
	}
	commit, reveal := b.CommitUntil*1e9, b.RevealUntil*1e9
	if commit <= from {
		return nil, reject.Errorf(reject.BadDraw, "draw rejected: commitments would close at %s, before they open at %s", formatTime(commit), formatTime(from))
	}
	if reveal-s.now > tx.MaxDrawSecs*1e9 {
		return nil, reject.Errorf(reject.BadDraw, "draw rejected: a draw may last at most a year, not until %s", formatTime(reveal))
	}
	return func(r *Result) {
		d := &Draw{ID: uint64(len(s.draws) + 1), Caller: m.Number, Title: b.Title, Seats: b.Seats, FromVolunteers: b.Volunteers,
			Created: s.now, CommitFrom: from, CommitUntil: commit, RevealUntil: reveal, Status: DrawCollecting,
			Commits: map[uint32][32]byte{}, Reveals: map[uint32][32]byte{}}
		if b.Volunteers {
			d.VolunteerUntil = from
		}
		if len(b.Quotas) > 0 {
			d.Quotas, d.Values = b.Quotas, map[uint32][]string{}
		}
		s.draws = append(s.draws, d)
		dl := deadline{At: reveal, ID: d.ID}
		s.drawing.insert(dl)
		s.record(func() {
			s.draws = s.draws[:len(s.draws)-1]
			s.drawing.remove(dl)
		})
		r.Events = append(r.Events, DrawCalled{Draw: d.ID, Caller: m.Number, Seats: d.Seats, Volunteers: d.FromVolunteers})
	}, nil
}

func (s *State) draw(what string, id uint64) (*Draw, *reject.Error) {
	d, ok := s.Draw(id)
	if !ok {
		return nil, reject.Errorf(reject.UnknownDraw, "%s rejected: there is no draw %d", what, id)
	}
	if d.Status != DrawCollecting {
		return nil, reject.Errorf(reject.DrawWindow, "%s rejected: draw %d is %s", what, id, d.Status)
	}
	return d, nil
}

func (s *State) volunteer(m *Member, b *tx.Volunteer) (func(*Result), *reject.Error) {
	const what = "volunteering"
	d, err := s.draw(what, b.Draw)
	if err != nil {
		return nil, err
	}
	if !d.FromVolunteers {
		return nil, reject.Errorf(reject.NotVolunteers, "%s rejected: draw %d is among all members; there is nothing to volunteer for", what, d.ID)
	}
	if s.now >= d.VolunteerUntil {
		return nil, reject.Errorf(reject.DrawWindow, "%s rejected: volunteering for draw %d ended at %s", what, d.ID, formatTime(d.VolunteerUntil))
	}
	i, found := slices.BinarySearch(d.Volunteers, m.Number)
	if found {
		return nil, reject.Errorf(reject.AlreadyDone, "%s rejected: you have already volunteered for draw %d", what, d.ID)
	}
	var values []string
	for _, f := range d.Features() {
		k := slices.IndexFunc(s.attributes[m.Number], func(a tx.Attribute) bool { return a.Name == f })
		if k < 0 {
			return nil, reject.Errorf(reject.NotDeclared, "%s rejected: draw %d is stratified by %s; declare yours first (folkmoot declare)", what, d.ID, f)
		}
		v := s.attributes[m.Number][k].Value
		if !slices.ContainsFunc(d.Quotas, func(q tx.Quota) bool { return q.Feature == f && q.Value == v }) {
			return nil, reject.Errorf(reject.NotDeclared, "%s rejected: draw %d has no quota for %s=%s", what, d.ID, f, v)
		}
		values = append(values, v)
	}
	return func(r *Result) {
		d.Volunteers = slices.Insert(d.Volunteers, i, m.Number)
		if values != nil {
			d.Values[m.Number] = values
		}
		s.record(func() {
			d.Volunteers = slices.Delete(d.Volunteers, i, i+1)
			delete(d.Values, m.Number)
		})
		r.Events = append(r.Events, Volunteered{Draw: d.ID, Member: m.Number})
	}, nil
}

func (s *State) beaconCommit(m *Member, b *tx.BeaconCommit) (func(*Result), *reject.Error) {
	const what = "beacon commitment"
	d, err := s.draw(what, b.Draw)
	if err != nil {
		return nil, err
	}
	if s.now < d.CommitFrom || s.now >= d.CommitUntil {
		return nil, reject.Errorf(reject.DrawWindow, "%s rejected: commitments to draw %d are taken from %s until %s", what, d.ID, formatTime(d.CommitFrom), formatTime(d.CommitUntil))
	}
	if len(d.Quotas) > 0 && d.Lottery == nil {
		return nil, reject.Errorf(reject.DrawWindow, "%s rejected: draw %d's lottery is not published yet; commitments come after it, so that it cannot depend on the seed", what, d.ID)
	}
	if until, ok := s.barred[m.Number]; ok && d.ID <= until {
		return nil, reject.Errorf(reject.BarredFromBeacon, "%s rejected: you committed to an earlier draw and did not reveal, so you may not commit to draws up to %d", what, until)
	}
	if _, dup := d.Commits[m.Number]; dup {
		return nil, reject.Errorf(reject.AlreadyDone, "%s rejected: you have already committed to draw %d", what, d.ID)
	}
	c := [32]byte(b.Commitment)
	return func(r *Result) {
		d.Commits[m.Number] = c
		s.record(func() { delete(d.Commits, m.Number) })
		r.Events = append(r.Events, BeaconStep{Draw: d.ID, Member: m.Number, Step: "commit"})
	}, nil
}

func (s *State) beaconReveal(m *Member, b *tx.BeaconReveal) (func(*Result), *reject.Error) {
	const what = "beacon reveal"
	d, err := s.draw(what, b.Draw)
	if err != nil {
		return nil, err
	}
	if s.now < d.CommitUntil || s.now >= d.RevealUntil {
		return nil, reject.Errorf(reject.DrawWindow, "%s rejected: reveals for draw %d are taken from %s until %s", what, d.ID, formatTime(d.CommitUntil), formatTime(d.RevealUntil))
	}
	c, ok := d.Commits[m.Number]
	if !ok {
		return nil, reject.Errorf(reject.NoCommitment, "%s rejected: you did not commit to draw %d", what, d.ID)
	}
	if _, dup := d.Reveals[m.Number]; dup {
		return nil, reject.Errorf(reject.AlreadyDone, "%s rejected: you have already revealed for draw %d", what, d.ID)
	}
	if BeaconCommitment(d.ID, d.Round, m.Number, b.Secret) != c {
		return nil, reject.Errorf(reject.BadBeacon, "%s rejected: this secret does not match your commitment to draw %d", what, d.ID)
	}
	sec := [32]byte(b.Secret)
	return func(r *Result) {
		d.Reveals[m.Number] = sec
		s.record(func() { delete(d.Reveals, m.Number) })
		r.Events = append(r.Events, BeaconStep{Draw: d.ID, Member: m.Number, Step: "reveal"})
	}, nil
}

// drawDue makes every draw whose reveal deadline has come, in order of
// (deadline, id): it names the members who did not reveal, then draws, or
// redraws, or fails.
func (s *State) drawDue(r *Result) {
	s.eachDue(&s.drawing, func(dl deadline) {
		d := s.draws[dl.ID-1]
		minReveals, barDraws, maxRedraws := s.cons.SortitionRules()
		var silent []uint32
		for m := range d.Commits {
			if _, ok := d.Reveals[m]; !ok {
				silent = append(silent, m)
			}
		}
		slices.Sort(silent)
		for _, m := range silent {
			old, had := s.barred[m]
			s.barred[m] = d.ID + uint64(barDraws)
			s.record(func() {
				if had {
					s.barred[m] = old
				} else {
					delete(s.barred, m)
				}
			})
		}
		if len(d.Reveals) < minReveals {
			why := fmt.Sprintf("%d of the %d members who committed revealed; the constitution asks for at least %d", len(d.Reveals), len(d.Commits), minReveals)
			if int(d.Round) >= maxRedraws {
				s.failDraw(d, silent, why+", and the draw was already redone "+strconv.Itoa(maxRedraws)+" times", r)
				return
			}
			s.redraw(d, silent, why, r)
			return
		}
		pool := s.poolOf(d)
		if len(pool) < int(d.Seats) {
			s.failDraw(d, silent, fmt.Sprintf("%d eligible for %d seats", len(pool), d.Seats), r)
			return
		}
		root := [32]byte(s.acc.Root())
		seed := DrawSeed(d.ID, d.Round, d.Reveals, root)
		selected, err := d.pick(seed, pool)
		if err != nil {
			s.failDraw(d, silent, err.Error(), r)
			return
		}
		d.Status, d.Seed, d.Root, d.Pool, d.Selected, d.NonRevealers = DrawDone, seed, root, pool, selected, silent
		s.record(func() {
			d.Status, d.Seed, d.Root, d.Pool, d.Selected, d.NonRevealers = DrawCollecting, [32]byte{}, [32]byte{}, nil, nil, nil
		})
		s.fact(r, mustEncode([]any{FactDrawn, d.ID, d.Round, seed[:], root[:], uint64(len(d.Reveals)), pool, selected, silent, s.now}))
		r.Events = append(r.Events, Drawn{Draw: d.ID, Round: d.Round, Seed: seed, Selected: selected, NonRevealers: silent})
	})
}

// pick draws the seats with seed among pool: uniformly, or from the
// published lottery of a stratified draw.
func (d *Draw) pick(seed [32]byte, pool []uint32) ([]uint32, error) {
	if len(d.Quotas) == 0 {
		return sortition.Uniform(seed, pool, int(d.Seats))
	}
	if d.Lottery == nil {
		return nil, fmt.Errorf("no lottery was published")
	}
	dist, err := sortition.Lottery(d.Instance(pool), d.Lottery)
	if err != nil {
		return nil, fmt.Errorf("the lottery no longer fits the volunteers (%v)", err)
	}
	return dist.Draw(seed)
}

// redraw starts round+1 of d with windows as long as the first ones.
func (s *State) redraw(d *Draw, silent []uint32, why string, r *Result) {
	old := *d
	commitLen, revealLen := d.CommitUntil-d.CommitFrom, d.RevealUntil-d.CommitUntil
	d.Round++
	d.CommitFrom, d.CommitUntil, d.RevealUntil = s.now, s.now+commitLen, s.now+commitLen+revealLen
	d.Commits, d.Reveals, d.NonRevealers = map[uint32][32]byte{}, map[uint32][32]byte{}, silent
	dl := deadline{At: d.RevealUntil, ID: d.ID}
	s.drawing.insert(dl)
	s.record(func() {
		s.drawing.remove(dl)
		*d = old
	})
	s.fact(r, mustEncode([]any{FactDrawRedone, d.ID, d.Round, why, silent, d.RevealUntil, s.now}))
	r.Events = append(r.Events, DrawRedone{Draw: d.ID, Round: d.Round, Reason: why, NonRevealers: silent})
}

// failDraw ends d without seats.
func (s *State) failDraw(d *Draw, silent []uint32, why string, r *Result) {
	d.Status, d.Why, d.NonRevealers = DrawFailed, why, silent
	s.record(func() { d.Status, d.Why, d.NonRevealers = DrawCollecting, "", nil })
	s.fact(r, mustEncode([]any{FactDrawFailed, d.ID, d.Round, why, silent, s.now}))
	r.Events = append(r.Events, DrawFailedEvent{Draw: d.ID, Reason: why, NonRevealers: silent})
}

// Events of this domain (see Event).

// DrawCalled: a member called a draw.
type DrawCalled struct {
	Draw       uint64
	Caller     uint32
	Seats      uint32
	Volunteers bool
}

// Type implements Event.
func (DrawCalled) Type() string { return "draw_called" }

// Attrs implements Event.
func (e DrawCalled) Attrs() []Attr {
	return attrs("draw", u64(e.Draw), "caller", u32(e.Caller), "seats", u32(e.Seats), "volunteers", strconv.FormatBool(e.Volunteers))
}

// Volunteered: a member volunteered for a draw.
type Volunteered struct {
	Draw   uint64
	Member uint32
}

// Type implements Event.
func (Volunteered) Type() string { return "volunteered" }

// Attrs implements Event.
func (e Volunteered) Attrs() []Attr { return attrs("draw", u64(e.Draw), "member", u32(e.Member)) }

// BeaconStep: a member committed to ("commit") or revealed ("reveal") a
// secret for a draw's beacon.
type BeaconStep struct {
	Draw   uint64
	Member uint32
	Step   string
}

// Type implements Event.
func (BeaconStep) Type() string { return "beacon_step" }

// Attrs implements Event.
func (e BeaconStep) Attrs() []Attr {
	return attrs("draw", u64(e.Draw), "member", u32(e.Member), "step", e.Step)
}

// Drawn: a draw's seats went to Selected.
type Drawn struct {
	Draw         uint64
	Round        uint32
	Seed         [32]byte
	Selected     []uint32
	NonRevealers []uint32
}

// Type implements Event.
func (Drawn) Type() string { return "drawn" }

// Attrs implements Event.
func (e Drawn) Attrs() []Attr {
	return attrs("draw", u64(e.Draw), "round", u32(e.Round), "seed", hex.EncodeToString(e.Seed[:]), "selected", u32s(e.Selected),
		"non_revealers", u32s(e.NonRevealers))
}

// DrawRedone: too few revealed; the draw starts round Round.
type DrawRedone struct {
	Draw         uint64
	Round        uint32
	Reason       string
	NonRevealers []uint32
}

// Type implements Event.
func (DrawRedone) Type() string { return "draw_redone" }

// Attrs implements Event.
func (e DrawRedone) Attrs() []Attr {
	return attrs("draw", u64(e.Draw), "round", u32(e.Round), "reason", e.Reason, "non_revealers", u32s(e.NonRevealers))
}

// DrawFailedEvent: a draw ended without seats.
type DrawFailedEvent struct {
	Draw         uint64
	Reason       string
	NonRevealers []uint32
}

// Type implements Event.
func (DrawFailedEvent) Type() string { return "draw_failed" }

// Attrs implements Event.
func (e DrawFailedEvent) Attrs() []Attr {
	return attrs("draw", u64(e.Draw), "reason", e.Reason, "non_revealers", u32s(e.NonRevealers))
}

// VerifyDraw re-runs a drawn draw from what the record holds: the seed
// from the reveals and the root, and the seats from the seed and the
// pool. It returns nil when both match.
func VerifyDraw(d *Draw) error {
	if d.Status != DrawDone {
		return fmt.Errorf("draw %d is %s, not drawn", d.ID, d.Status)
	}
	if seed := DrawSeed(d.ID, d.Round, d.Reveals, d.Root); seed != d.Seed {
		return fmt.Errorf("draw %d: the reveals and root give the seed %x, the record says %x", d.ID, seed, d.Seed)
	}
	got, err := d.pick(d.Seed, d.Pool)
	if err != nil {
		return fmt.Errorf("draw %d: %w", d.ID, err)
	}
	if !slices.Equal(got, d.Selected) {
		return fmt.Errorf("draw %d: the seed draws %v, the record says %v", d.ID, got, d.Selected)
	}
	for m, sec := range d.Reveals {
		if BeaconCommitment(d.ID, d.Round, m, sec[:]) != d.Commits[m] {
			return fmt.Errorf("draw %d: member %d's reveal does not match its commitment", d.ID, m)
		}
	}
	return nil
}

// drawForElection calls the draw that fills e's seats by lot: among the
// candidates who may take a seat, with commitments in the first half of
// the voting period and reveals in the second, so that it is made by the
// close.
func (s *State) drawForElection(e *Election, r *Result) {
	var pool []uint32
	for _, c := range e.Candidates {
		if _, holds := s.HolderOf(e.Office, c); !s.members[c-1].Left && !holds {
			pool = append(pool, c)
		}
	}
	slices.Sort(pool)
	mid := s.now + (e.Closes-s.now)/2
	d := &Draw{ID: uint64(len(s.draws) + 1), Title: fmt.Sprintf("%s (election %d)", e.Office, e.ID), Seats: uint32(e.Seats),
		FromVolunteers: true, Volunteers: pool, Created: s.now, VolunteerUntil: s.now, CommitFrom: s.now, CommitUntil: mid,
		RevealUntil: e.Closes, Status: DrawCollecting, Commits: map[uint32][32]byte{}, Reveals: map[uint32][32]byte{}}
	s.draws = append(s.draws, d)
	e.Draw = d.ID
	dl := deadline{At: d.RevealUntil, ID: d.ID}
	s.drawing.insert(dl)
	s.record(func() {
		s.draws = s.draws[:len(s.draws)-1]
		e.Draw = 0
		s.drawing.remove(dl)
	})
	r.Events = append(r.Events, DrawCalled{Draw: d.ID, Seats: d.Seats, Volunteers: true})
}

// drawnForElection returns the members e's draw seated (less those now
// excluded). A draw not made by the close (it was being redone) fails, and
// e seats no one: the by-election that follows tries again.
func (s *State) drawnForElection(e *Election, excluded []uint32) []uint32 {
	d := s.draws[e.Draw-1]
	if d.Status == DrawCollecting {
		d.Status, d.Why = DrawFailed, "its election closed before the draw was made"
		s.record(func() { d.Status, d.Why = DrawCollecting, "" })
		dl := deadline{At: d.RevealUntil, ID: d.ID}
		s.drawing.remove(dl)
		s.record(func() { s.drawing.insert(dl) })
	}
	if d.Status != DrawDone {
		return nil
	}
	return slices.DeleteFunc(slices.Clone(d.Selected), func(m uint32) bool { return slices.Contains(excluded, m) })
}
