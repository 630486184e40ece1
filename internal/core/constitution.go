// Package core is folkmoot's state machine: the rules of a community, as a
// pure function of its genesis and its ordered, signed transactions.
//
// The core reads no clock but the block time it is handed, iterates no map
// where order could matter, and draws no randomness. Given the same genesis
// and the same blocks, every machine reaches the same State and the same
// Root, which is the app hash.
//
// A block is applied as BeginBlock (voting opens for proposals whose time
// has come), Apply for each transaction in order, then EndBlock (proposals
// whose closing time has come are decided). ApplyBlock does all three, with
// the block's signatures verified in batches first.
package core

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Constitution holds a community's rules. It is fixed at genesis (later
// issues make it amendable by proposals).
type Constitution struct {
	// Name is the community's name, for people.
	Name string `json:"name"`
	// Founders are the first members.
	Founders []Founder `json:"founders"`
	// VouchesRequired is how many distinct current members must vouch for a
	// key before it is admitted.
	VouchesRequired int `json:"vouches_required"`
	// MinVoting and MaxVoting bound a proposal's voting period.
	MinVoting Duration `json:"min_voting_period"`
	MaxVoting Duration `json:"max_voting_period"`
	// MaxLead bounds how far in the future voting may be scheduled to open.
	MaxLead Duration `json:"max_lead_time"`
	// Quorum is the share of members (counted when voting opens) that must
	// cast a ballot, abstentions included.
	Quorum Ratio `json:"quorum"`
	// Threshold is the share of yes among yes and no needed to pass.
	Threshold Ratio `json:"threshold"`
	// Categories are the proposal categories members may use.
	Categories []string `json:"categories"`
}

// Founder is a founding member.
type Founder struct {
	Key  tx.PublicKey `json:"key"`
	Name string       `json:"name"`
}

// Duration is a time.Duration written as "72h" or "30m" in JSON.
type Duration struct{ time.Duration }

// MarshalText writes the duration as Go duration text.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads Go duration text such as "168h".
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	if err != nil {
		return fmt.Errorf("duration %q: write it like 72h or 30m", b)
	}
	d.Duration = v
	return nil
}

// Ratio is a count.Ratio written as "1/2" or ">=2/3" in JSON.
type Ratio struct{ count.Ratio }

// MarshalText writes the ratio as text; the zero Ratio as "".
func (r Ratio) MarshalText() ([]byte, error) {
	if r.Den == 0 {
		return nil, nil
	}
	return []byte(r.String()), nil
}

// UnmarshalText reads "1/2" or ">=2/3"; "" leaves the ratio unset.
func (r *Ratio) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*r = Ratio{}
		return nil
	}
	v, err := count.ParseRatio(string(b))
	if err != nil {
		return err
	}
	r.Ratio = v
	return nil
}

// Genesis is the app state of a community's genesis: its constitution.
type Genesis struct {
	Constitution Constitution `json:"constitution"`
}

// ParseGenesis decodes the genesis app state strictly (unknown fields are
// errors) and validates it.
func ParseGenesis(appState []byte) (Genesis, error) {
	var g Genesis
	dec := json.NewDecoder(bytes.NewReader(appState))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return g, fmt.Errorf("genesis app_state: %w", err)
	}
	if dec.More() {
		return g, fmt.Errorf("genesis app_state: trailing data after the JSON object")
	}
	if err := g.Constitution.Validate(); err != nil {
		return g, fmt.Errorf("genesis constitution: %w", err)
	}
	return g, nil
}

// Validate checks the constitution and returns the first problem, in a
// sentence that names the field.
func (c *Constitution) Validate() error {
	if err := tx.CheckName("name", c.Name); err != nil {
		return fmt.Errorf("community %s", err.Msg)
	}
	if len(c.Founders) == 0 {
		return fmt.Errorf("founders: a community needs at least one founding member")
	}
	seen := make(map[tx.PublicKey]int, len(c.Founders))
	for i, f := range c.Founders {
		if f.Key == (tx.PublicKey{}) {
			return fmt.Errorf("founders[%d]: the key is missing", i)
		}
		if j, dup := seen[f.Key]; dup {
			return fmt.Errorf("founders[%d]: key %s is already founder %d", i, f.Key.Short(), j)
		}
		seen[f.Key] = i
		if err := tx.CheckName("name", f.Name); err != nil {
			return fmt.Errorf("founders[%d] %s", i, err.Msg)
		}
	}
	if c.VouchesRequired < 1 {
		return fmt.Errorf("vouches_required must be at least 1, not %d", c.VouchesRequired)
	}
	if c.VouchesRequired > len(c.Founders) {
		return fmt.Errorf("vouches_required is %d but there are only %d founders: nobody could ever join", c.VouchesRequired, len(c.Founders))
	}
	if c.MinVoting.Duration < time.Second {
		return fmt.Errorf("min_voting_period must be at least 1s, not %s", c.MinVoting)
	}
	if c.MaxVoting.Duration < c.MinVoting.Duration {
		return fmt.Errorf("max_voting_period (%s) is shorter than min_voting_period (%s)", c.MaxVoting, c.MinVoting)
	}
	const century = 100 * 365 * 24 * time.Hour
	if c.MaxVoting.Duration > century || c.MaxLead.Duration > century {
		return fmt.Errorf("max_voting_period and max_lead_time must be under 100 years")
	}
	if c.MaxLead.Duration < 0 {
		return fmt.Errorf("max_lead_time must not be negative")
	}
	if c.Quorum.Den == 0 {
		return fmt.Errorf("quorum is missing: write it like \"1/3\"")
	}
	if c.Threshold.Den == 0 {
		return fmt.Errorf("threshold is missing: write it like \"1/2\" or \">=2/3\"")
	}
	if c.Threshold.Num == c.Threshold.Den && !c.Threshold.AtLeast {
		return fmt.Errorf("threshold %s can never be met: use \">=1/1\" for unanimity", c.Threshold)
	}
	if len(c.Categories) == 0 {
		return fmt.Errorf("categories: list at least one proposal category")
	}
	for i, cat := range c.Categories {
		if err := tx.CheckName("category", cat); err != nil {
			return fmt.Errorf("categories[%d]: %s", i, err.Msg)
		}
		if slices.Contains(c.Categories[:i], cat) {
			return fmt.Errorf("categories[%d]: %q is listed twice", i, cat)
		}
	}
	return nil
}

// DefaultConstitution returns sensible rules for a new community with the
// given founders: two vouches to join (one if there is a single founder),
// voting periods from one hour to thirty days, a quorum of one third and a
// simple majority.
func DefaultConstitution(name string, founders []Founder) Constitution {
	v := 2
	if len(founders) < 2 {
		v = 1
	}
	return Constitution{
		Name:            name,
		Founders:        founders,
		VouchesRequired: v,
		MinVoting:       Duration{time.Hour},
		MaxVoting:       Duration{30 * 24 * time.Hour},
		MaxLead:         Duration{90 * 24 * time.Hour},
		Quorum:          Ratio{count.Ratio{Num: 1, Den: 3}},
		Threshold:       Ratio{count.Ratio{Num: 1, Den: 2}},
		Categories:      []string{"general", "budget", "rules"},
	}
}

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

func jsonUnmarshal(b []byte, v any) error { return json.Unmarshal(b, v) }
