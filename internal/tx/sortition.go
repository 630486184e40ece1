package tx

import (
	"github.com/folkmoot/folkmoot/internal/reject"
)

// Transaction kinds of draws by lot (values are part of the protocol; see
// Kind and docs/sortition.md).
const (
	KindDraw         Kind = 60 // call a draw by lot
	KindVolunteer    Kind = 61 // volunteer for a draw
	KindBeaconCommit Kind = 62 // commit to a secret for a draw's randomness beacon
	KindBeaconReveal Kind = 63 // reveal the committed secret
)

// Limits of draws.
const (
	MaxDrawSeats = 1000
	MaxDrawSecs  = 365 * 24 * 3600 // the longest a draw's windows may last
)

// Draw calls a draw by lot of Seats members, among the volunteers who come
// forward until VolunteerUntil (when Volunteers is set) or among all
// current members. Members commit to secrets until CommitUntil and reveal
// them until RevealUntil; the seed hashes the reveals (docs/sortition.md).
// Times are Unix seconds.
type Draw struct {
	Title          string `cbor:"0,keyasint"`
	Seats          uint32 `cbor:"1,keyasint"`
	Volunteers     bool   `cbor:"2,keyasint,omitempty"`
	VolunteerUntil int64  `cbor:"3,keyasint,omitempty"`
	CommitUntil    int64  `cbor:"4,keyasint"`
	RevealUntil    int64  `cbor:"5,keyasint"`
}

// Volunteer puts the author forward for a draw among volunteers.
type Volunteer struct {
	Draw uint64 `cbor:"0,keyasint"`
}

// BeaconCommit commits the author to a secret for a draw's beacon:
// Commitment is BeaconCommitment(draw, round, member, secret).
type BeaconCommit struct {
	Draw       uint64 `cbor:"0,keyasint"`
	Commitment []byte `cbor:"1,keyasint"`
}

// BeaconReveal reveals the author's 32-byte secret.
type BeaconReveal struct {
	Draw   uint64 `cbor:"0,keyasint"`
	Secret []byte `cbor:"1,keyasint"`
}

// Kind implements Body.
func (*Draw) Kind() Kind { return KindDraw }

// Kind implements Body.
func (*Volunteer) Kind() Kind { return KindVolunteer }

// Kind implements Body.
func (*BeaconCommit) Kind() Kind { return KindBeaconCommit }

// Kind implements Body.
func (*BeaconReveal) Kind() Kind { return KindBeaconReveal }

func (b *Draw) check() *reject.Error {
	if err := checkLine("draw rejected: the title", b.Title, MaxTitle); err != nil {
		return err
	}
	if b.Seats == 0 || b.Seats > MaxDrawSeats {
		return reject.Errorf(reject.BadDraw, "draw rejected: a draw fills 1 to %d seats, not %d", MaxDrawSeats, b.Seats)
	}
	if b.Volunteers != (b.VolunteerUntil != 0) {
		return reject.Errorf(reject.BadDraw, "draw rejected: a draw among volunteers names when volunteering ends, and only such a draw does")
	}
	if b.VolunteerUntil < 0 || b.CommitUntil <= b.VolunteerUntil || b.RevealUntil <= b.CommitUntil {
		return reject.Errorf(reject.BadDraw, "draw rejected: the windows must follow each other: volunteering, then commitments, then reveals")
	}
	return nil
}

func checkDrawID(what string, id uint64) *reject.Error {
	if id == 0 {
		return reject.Errorf(reject.BadBody, "%s rejected: draw numbers start at 1", what)
	}
	return nil
}

func (b *Volunteer) check() *reject.Error { return checkDrawID("volunteering", b.Draw) }

func (b *BeaconCommit) check() *reject.Error {
	if err := checkDrawID("beacon commitment", b.Draw); err != nil {
		return err
	}
	if len(b.Commitment) != 32 {
		return reject.Errorf(reject.BadBeacon, "beacon commitment rejected: a commitment is 32 bytes, not %d", len(b.Commitment))
	}
	return nil
}

func (b *BeaconReveal) check() *reject.Error {
	if err := checkDrawID("beacon reveal", b.Draw); err != nil {
		return err
	}
	if len(b.Secret) != 32 {
		return reject.Errorf(reject.BadBeacon, "beacon reveal rejected: a secret is 32 bytes, not %d", len(b.Secret))
	}
	return nil
}
