package api

import (
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Draws lists every draw by lot, newest first.
func (s *Service) Draws() ([]query.Draw, error) {
	var out []query.Draw
	err := s.view(func(c *core.State) error { out = query.Draws(c); return nil })
	return out, err
}

// Draw returns one draw by lot with everything needed to re-run it.
func (s *Service) Draw(id uint64) (query.Draw, error) {
	var out query.Draw
	err := s.view(func(c *core.State) error {
		d, ok := c.Draw(id)
		if !ok {
			return NotFound("There is no draw %d.", id)
		}
		out = query.DrawOf(c, d)
		return nil
	})
	return out, err
}

// DrawID reads a draw number from a path.
func DrawID(s string) (uint64, error) { return numberFrom1(s, "draw") }

// DrawAction holds the fields of the draw kinds of an Action: the draw a
// member volunteers for or feeds the beacon of, the attributes they
// declare, and the beacon's commitment or revealed secret (hex).
type DrawAction struct {
	Draw       uint64      `json:"draw,omitempty"`       // volunteer, beacon-commit, beacon-reveal
	Attributes []Attribute `json:"attributes,omitempty"` // declare, sorted by name
	Commitment string      `json:"commitment,omitempty"` // beacon-commit: 32 bytes
	// Reveal is the beacon's 32-byte secret (beacon-reveal); "secret" is
	// taken by a proposal's secret ballot.
	Reveal string `json:"reveal,omitempty"`
}

// Attribute is one attribute a member declares (tx.Attribute).
type Attribute struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// drawBody builds the body of a draw kind and checks its shape as every
// node will (tx.Check), so that the member is told before signing.
func (a Action) drawBody() (tx.Body, error) {
	var b tx.Body
	switch a.Kind {
	case "volunteer":
		b = &tx.Volunteer{Draw: a.Draw}
	case "declare":
		d := &tx.Declare{} // none: nil, as the CLI sends it
		for _, at := range a.Attributes {
			d.Attributes = append(d.Attributes, tx.Attribute{Name: at.Name, Value: at.Value})
		}
		b = d
	case "beacon-commit":
		v, err := hexField("The commitment", a.Commitment)
		if err != nil {
			return nil, err
		}
		b = &tx.BeaconCommit{Draw: a.Draw, Commitment: v}
	case "beacon-reveal":
		v, err := hexField("The secret", a.Reveal)
		if err != nil {
			return nil, err
		}
		b = &tx.BeaconReveal{Draw: a.Draw, Secret: v}
	default:
		return nil, BadRequest("Unknown draw kind %q.", a.Kind)
	}
	if err := checked(b); err != nil {
		return nil, err
	}
	return b, nil
}
