package query

import (
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/sortition"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Draw is a draw by lot as clients see it, with everything needed to
// re-run it: the commitments and reveals (hex), the root hashed into the
// seed, the pool and the members drawn.
type Draw struct {
	ID             uint64     `json:"id"`
	Caller         uint32     `json:"caller"`
	Title          string     `json:"title"`
	Seats          uint32     `json:"seats"`
	FromVolunteers bool       `json:"from_volunteers"`
	VolunteerUntil *time.Time `json:"volunteer_until,omitempty"`
	CommitFrom     time.Time  `json:"commit_from"`
	CommitUntil    time.Time  `json:"commit_until"`
	RevealUntil    time.Time  `json:"reveal_until"`
	Status         string     `json:"status"`
	Round          uint32     `json:"round"`
	Volunteers     []uint32   `json:"volunteers"`
	// Commits and Reveals map member numbers to hex, this round's.
	Commits map[uint32]string `json:"commits"`
	Reveals map[uint32]string `json:"reveals"`
	// Set when drawn.
	Seed         string   `json:"seed,omitempty"`
	Root         string   `json:"root,omitempty"`
	Pool         []uint32 `json:"pool,omitempty"`
	Selected     []Member `json:"selected,omitempty"`
	NonRevealers []uint32 `json:"non_revealers,omitempty"`
	Why          string   `json:"why,omitempty"`
	// Quotas are a stratified draw's; Values each volunteer's frozen values
	// of its features (in Features order); Lottery its published panels
	// and Probabilities each volunteer's chance under them.
	Quotas        []tx.Quota                    `json:"quotas,omitempty"`
	Features      []string                      `json:"features,omitempty"`
	Values        map[uint32][]string           `json:"values,omitempty"`
	Lottery       []sortition.Panel             `json:"lottery,omitempty"`
	Probabilities []sortition.MemberProbability `json:"probabilities,omitempty"`
	// Election and Office are set when the draw fills the seats of an
	// office filled by lot: the election whose candidates are its pool.
	Election uint64 `json:"election,omitempty"`
	Office   string `json:"office,omitempty"`
	// Verified says the state's own re-run of the draw (core.VerifyDraw)
	// agrees with the record.
	Verified bool `json:"verified"`
}

// DrawOf converts a draw.
func DrawOf(s *core.State, d *core.Draw) Draw {
	v := Draw{ID: d.ID, Caller: d.Caller, Title: d.Title, Seats: d.Seats, FromVolunteers: d.FromVolunteers,
		CommitFrom: t(d.CommitFrom), CommitUntil: t(d.CommitUntil), RevealUntil: t(d.RevealUntil), Status: d.Status.String(),
		Round: d.Round, Volunteers: slices.Clone(d.Volunteers), Commits: map[uint32]string{}, Reveals: map[uint32]string{},
		Pool: d.Pool, NonRevealers: d.NonRevealers, Why: d.Why}
	if v.Volunteers == nil {
		v.Volunteers = []uint32{}
	}
	if d.FromVolunteers {
		u := t(d.VolunteerUntil)
		v.VolunteerUntil = &u
	}
	for m, c := range d.Commits {
		v.Commits[m] = hex.EncodeToString(c[:])
	}
	for m, r := range d.Reveals {
		v.Reveals[m] = hex.EncodeToString(r[:])
	}
	for _, e := range s.Elections() {
		if e.Draw == d.ID {
			v.Election, v.Office = e.ID, e.Office
		}
	}
	if len(d.Quotas) > 0 {
		v.Quotas, v.Features, v.Values, v.Lottery = d.Quotas, d.Features(), d.Values, d.Lottery
		if d.Lottery != nil {
			pool := d.Pool
			if pool == nil {
				pool = s.DrawPool(d)
			}
			if dist, err := sortition.Lottery(d.Instance(pool), d.Lottery); err == nil {
				v.Probabilities = dist.Probabilities
			}
		}
	}
	if d.Status == core.DrawDone {
		v.Seed, v.Root = hex.EncodeToString(d.Seed[:]), hex.EncodeToString(d.Root[:])
		for _, n := range d.Selected {
			if m, ok := s.MemberByNumber(n); ok {
				v.Selected = append(v.Selected, MemberOf(s, m))
			}
		}
		v.Verified = core.VerifyDraw(d) == nil
	}
	return v
}

// DrawByID finds a draw.
func DrawByID(s *core.State, id uint64) (Draw, error) {
	d, ok := s.Draw(id)
	if !ok {
		return Draw{}, fmt.Errorf("there is no draw %d", id)
	}
	return DrawOf(s, d), nil
}

// Draws lists every draw, newest first.
func Draws(s *core.State) []Draw {
	out := []Draw{}
	ds := s.Draws()
	for i := len(ds) - 1; i >= 0; i-- {
		out = append(out, DrawOf(s, ds[i]))
	}
	return out
}
