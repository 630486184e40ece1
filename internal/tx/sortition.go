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
	KindDeclare      Kind = 64 // declare one's attributes (neighbourhood, age band, …) for stratified draws
	KindDrawLottery  Kind = 65 // publish a stratified draw's lottery (its panels and their weights)
)

// Limits of draws.
const (
	MaxAttributes = 8    // attributes one member declares
	MaxQuotas     = 256  // quota cells of one draw
	MaxPanels     = 2000 // panels of a lottery
	MaxDrawSeats  = 1000
	MaxDrawSecs   = 365 * 24 * 3600 // the longest a draw's windows may last
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
	// Quotas make it a stratified draw among volunteers: for each value of
	// each feature the members declared (see Declare), the least and most
	// seats. Its lottery (DrawLottery) must be published after volunteering
	// and before commitments are taken.
	Quotas []Quota `cbor:"6,keyasint,omitempty"`
}

// Quota bounds the seats going to volunteers who declared Value for
// Feature.
type Quota struct {
	Feature string `cbor:"0,keyasint"`
	Value   string `cbor:"1,keyasint"`
	Min     uint32 `cbor:"2,keyasint"`
	Max     uint32 `cbor:"3,keyasint"`
}

// Attribute is one attribute a member declares.
type Attribute struct {
	Name  string `cbor:"0,keyasint"`
	Value string `cbor:"1,keyasint"`
}

// Declare replaces the author's declared attributes (sorted by name, each
// name once). They are public; a draw freezes a volunteer's values when
// they volunteer.
type Declare struct {
	Attributes []Attribute `cbor:"0,keyasint"`
}

// TypeSeats gives Count seats to the lottery's type Type (types are the
// volunteers grouped by their values, in the order sortition.Lottery
// gives).
type TypeSeats struct {
	Type  uint32 `cbor:"0,keyasint"`
	Count uint32 `cbor:"1,keyasint"`
}

// LotteryPanel is one panel profile of a lottery and its weight (out of
// sortition.Units).
type LotteryPanel struct {
	Weight uint64      `cbor:"0,keyasint"`
	Seats  []TypeSeats `cbor:"1,keyasint"`
}

// DrawLottery publishes a stratified draw's lottery: the panels that meet
// its quotas and their weights, usually the LEXIMIN lottery computed by the
// caller (folkmoot draw lottery). Anyone re-runs LEXIMIN to check it.
type DrawLottery struct {
	Draw   uint64         `cbor:"0,keyasint"`
	Panels []LotteryPanel `cbor:"1,keyasint"`
}

// Kind implements Body.
func (*Declare) Kind() Kind { return KindDeclare }

// Kind implements Body.
func (*DrawLottery) Kind() Kind { return KindDrawLottery }

func (b *Declare) check() *reject.Error {
	if len(b.Attributes) > MaxAttributes {
		return reject.Errorf(reject.BadBody, "declaration rejected: at most %d attributes, not %d", MaxAttributes, len(b.Attributes))
	}
	for i, a := range b.Attributes {
		if err := checkLine("declaration rejected: an attribute's name", a.Name, MaxCategory); err != nil {
			return err
		}
		if err := checkLine("declaration rejected: an attribute's value", a.Value, MaxCategory); err != nil {
			return err
		}
		if i > 0 && a.Name <= b.Attributes[i-1].Name {
			return reject.Errorf(reject.BadBody, "declaration rejected: attributes must be sorted by name, each name once")
		}
	}
	return nil
}

func (b *DrawLottery) check() *reject.Error {
	if err := checkDrawID("lottery", b.Draw); err != nil {
		return err
	}
	if len(b.Panels) == 0 || len(b.Panels) > MaxPanels {
		return reject.Errorf(reject.BadLottery, "lottery rejected: 1 to %d panels, not %d", MaxPanels, len(b.Panels))
	}
	return nil
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
	if len(b.Quotas) > 0 && !b.Volunteers {
		return reject.Errorf(reject.BadDraw, "draw rejected: a stratified draw is among volunteers, who declare their attributes")
	}
	if len(b.Quotas) > MaxQuotas {
		return reject.Errorf(reject.BadDraw, "draw rejected: at most %d quotas, not %d", MaxQuotas, len(b.Quotas))
	}
	for i, q := range b.Quotas {
		if err := checkLine("draw rejected: a quota's feature", q.Feature, MaxCategory); err != nil {
			return err
		}
		if err := checkLine("draw rejected: a quota's value", q.Value, MaxCategory); err != nil {
			return err
		}
		if q.Min > q.Max || q.Max > b.Seats {
			return reject.Errorf(reject.BadDraw, "draw rejected: the quota of %s=%s must be min ≤ max ≤ %d seats", q.Feature, q.Value, b.Seats)
		}
		for _, o := range b.Quotas[:i] {
			if o.Feature == q.Feature && o.Value == q.Value {
				return reject.Errorf(reject.BadDraw, "draw rejected: %s=%s has two quotas", q.Feature, q.Value)
			}
		}
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
