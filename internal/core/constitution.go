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
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Constitution holds a community's rules. The genesis sets the first
// version; a proposal with the amendment measure that passes sets the next,
// from the block where it is decided (see State.RuleHistory). Every field
// added after the first release is optional in the genesis JSON and takes a
// documented default, so older genesis files keep their meaning.
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
	// DecisionTypes are the kinds of decision besides "ordinary" (whose
	// rules are Quorum and Threshold above), each with its own quorum and
	// threshold. A list that lacks "budget" gets it with the ordinary rules;
	// one that lacks "amendment" gets it with the ordinary quorum and a
	// threshold of at least two thirds.
	DecisionTypes []DecisionType `json:"decision_types,omitempty"`
	// CategoryTypes binds categories to decision types: a proposal in a
	// bound category is decided under that type and may not ask for
	// another. A proposal in an unbound category is "ordinary" unless it
	// names a type.
	CategoryTypes []CategoryType `json:"category_types,omitempty"`
	// DefaultSunset is how long a law lives (or a renewal extends it) when
	// its proposal asks for no other length; absent, four years.
	DefaultSunset Duration `json:"default_sunset,omitzero"`
	// MaxSunset bounds the length a law or renewal may ask for, and how far
	// beyond its decision a renewal may push a law's expiry; absent, ten
	// years.
	MaxSunset Duration `json:"max_sunset,omitzero"`
	// Delegation is the policy for liquid delegation; absent, members may
	// delegate and no one's weight is capped (see DelegationPolicy).
	Delegation DelegationPolicy `json:"delegation,omitzero"`
	// Offices are the community's elected offices (see Office); absent,
	// none. An amendment that sets "offices" replaces the whole list: an
	// office it drops ends its holders' terms in the deciding block, an
	// office it adds opens its first election in that block, and an office
	// it changes keeps its holders and its election already scheduled or
	// running; the new rules apply from the next election scheduled.
	Offices []Office `json:"offices,omitempty"`
	// Recall is the policy for recall petitions and ballots; absent, the
	// defaults of RecallPolicy apply.
	Recall RecallPolicy `json:"recall,omitzero"`
	// Initiative is the policy for popular initiatives; absent, the
	// defaults of InitiativePolicy apply.
	Initiative InitiativePolicy `json:"initiative,omitzero"`
	// Secret is the policy for secret ballots (see secret.go); absent, the
	// defaults of SecretPolicy apply.
	Secret SecretPolicy `json:"secret,omitzero"`
	// Sortition is the policy for draws by lot (see sortition.go); absent,
	// the defaults of SortitionPolicy apply.
	Sortition SortitionPolicy `json:"sortition,omitzero"`
}

// InitiativePolicy says how a popular initiative qualifies for a ballot.
// Each field left out takes its default when an initiative starts (see
// Constitution.InitiativeRules); the defaults are not written into the
// constitution, so constitutions without "initiative" keep their bytes. An
// amendment that sets "initiative" replaces the whole policy. An initiative
// keeps the policy in force when it started.
type InitiativePolicy struct {
	// Threshold is the share of the current members, counted when the
	// initiative starts and rounded up, whose endorsements open the
	// ballot; absent, 1/20. At least one endorsement is always needed.
	Threshold Ratio `json:"threshold,omitzero"`
	// Window is how long an initiative may gather endorsements before it
	// lapses; absent, 90 days.
	Window Duration `json:"window,omitzero"`
	// VotingPeriod is how long the ballot lasts once it opens; absent, 14
	// days, brought within min_voting_period and max_voting_period.
	VotingPeriod Duration `json:"voting_period,omitzero"`
}

// Initiative defaults, for constitutions that do not state them.
const (
	DefaultInitiativeWindow = 90 * 24 * time.Hour
	DefaultInitiativeVoting = 14 * 24 * time.Hour
)

// DefaultInitiativeThreshold returns the share of members whose
// endorsements open an initiative's ballot when the constitution does not
// say: 1/20. It is a function, not a variable, so that nothing can change a
// rule of consensus at run time.
func DefaultInitiativeThreshold() count.Ratio { return count.Ratio{Num: 1, Den: 20} }

// InitiativeRules returns the initiative policy in force with its defaults
// filled in: the threshold, the window and the voting period.
func (c *Constitution) InitiativeRules() (count.Ratio, time.Duration, time.Duration) {
	p := c.Initiative
	thr := p.Threshold.Ratio
	if thr.Den == 0 {
		thr = DefaultInitiativeThreshold()
	}
	window := p.Window.Duration
	if window == 0 {
		window = DefaultInitiativeWindow
	}
	voting := p.VotingPeriod.Duration
	if voting == 0 {
		voting = min(max(DefaultInitiativeVoting, c.MinVoting.Duration), c.MaxVoting.Duration)
	}
	return thr, window, voting
}

// DelegationPolicy says whether members may delegate their votes and how
// much weight one ballot may carry. The zero value, which is what a
// constitution without the "delegation" key has, allows delegation with no
// cap. An amendment that sets "delegation" replaces the whole policy.
type DelegationPolicy struct {
	// Off switches delegation off: new delegations are refused and, for
	// proposals made under these rules, existing ones are not counted.
	// Withdrawing a delegation is always allowed.
	Off bool `json:"off,omitempty"`
	// MaxWeight caps the votes one ballot may carry, the voter's own
	// included; 0 means no cap. Delegators beyond the cap are not counted
	// (see State.decide for who loses weight first).
	MaxWeight uint32 `json:"max_weight,omitempty"`
}

// The decision types every constitution has.
const (
	TypeOrdinary  = "ordinary"  // Constitution.Quorum and Threshold
	TypeBudget    = "budget"    // defaults to the ordinary rules
	TypeAmendment = "amendment" // defaults to the ordinary quorum and ">=2/3"
)

// Default sunsets for constitutions that do not state them.
const (
	DefaultSunset = 4 * 365 * 24 * time.Hour
	DefaultMaxSun = 10 * 365 * 24 * time.Hour
)

// DecisionType is a kind of decision with its own quorum and threshold.
type DecisionType struct {
	Name      string `json:"name"`
	Quorum    Ratio  `json:"quorum"`
	Threshold Ratio  `json:"threshold"`
	// Secret requires proposals of this type to be voted by secret ballot.
	Secret bool `json:"secret,omitempty"`
}

// CategoryType binds a proposal category to a decision type.
type CategoryType struct {
	Category string `json:"category"`
	Type     string `json:"type"`
}

// DecisionType returns the rules of the named decision type, "ordinary"
// included.
func (c *Constitution) DecisionType(name string) (DecisionType, bool) {
	if name == TypeOrdinary {
		return DecisionType{Name: TypeOrdinary, Quorum: c.Quorum, Threshold: c.Threshold}, true
	}
	for _, d := range c.DecisionTypes {
		if d.Name == name {
			return d, true
		}
	}
	return DecisionType{}, false
}

// TypeNames returns the names of every decision type: "ordinary" first,
// then the others in the constitution's order.
func (c *Constitution) TypeNames() []string {
	out := []string{TypeOrdinary}
	for _, d := range c.DecisionTypes {
		out = append(out, d.Name)
	}
	return out
}

// BoundType returns the decision type the constitution binds category to,
// or "" when the category is unbound.
func (c *Constitution) BoundType(category string) string {
	for _, b := range c.CategoryTypes {
		if b.Category == category {
			return b.Type
		}
	}
	return ""
}

// normalize fills in the defaults of optional fields.
func (c *Constitution) normalize() {
	has := func(n string) bool {
		return slices.ContainsFunc(c.DecisionTypes, func(d DecisionType) bool { return d.Name == n })
	}
	if !has(TypeBudget) {
		c.DecisionTypes = append(c.DecisionTypes, DecisionType{Name: TypeBudget, Quorum: c.Quorum, Threshold: c.Threshold})
	}
	if !has(TypeAmendment) {
		c.DecisionTypes = append(c.DecisionTypes, DecisionType{Name: TypeAmendment, Quorum: c.Quorum,
			Threshold: Ratio{count.Ratio{Num: 2, Den: 3, AtLeast: true}}})
	}
	if c.DefaultSunset.Duration == 0 {
		c.DefaultSunset.Duration = DefaultSunset
	}
	if c.MaxSunset.Duration == 0 {
		c.MaxSunset.Duration = max(DefaultMaxSun, c.DefaultSunset.Duration)
	}
}

// clone returns a deep copy, so that an amendment decoded over it shares
// nothing with the rules in force.
func (c Constitution) clone() Constitution {
	c.Founders = slices.Clone(c.Founders)
	c.Categories = slices.Clone(c.Categories)
	c.DecisionTypes = slices.Clone(c.DecisionTypes)
	c.CategoryTypes = slices.Clone(c.CategoryTypes)
	c.Offices = slices.Clone(c.Offices)
	for i := range c.Offices {
		c.Offices[i].Powers = slices.Clone(c.Offices[i].Powers)
	}
	return c
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
	g.Constitution.normalize()
	if err := g.Constitution.Validate(); err != nil {
		return g, fmt.Errorf("genesis constitution: %w", err)
	}
	return g, nil
}

// Validate checks a genesis constitution (with its defaults filled in) and
// returns the first problem, in a sentence that names the field.
func (c *Constitution) Validate() error { return c.validate(len(c.Founders)) }

// validate checks the constitution of a community of the given number of
// members: vouches_required may not exceed it.
func (c *Constitution) validate(members int) error {
	if err := tx.CheckName("name", c.Name); err != nil {
		return fmt.Errorf("community %s", err.Msg)
	}
	if len(c.Founders) == 0 {
		return fmt.Errorf("founders: a community needs at least one founding member")
	}
	seen := make(map[tx.PublicKey]int, len(c.Founders))
	for i, f := range c.Founders {
		if f.Key == (tx.PublicKey{}) {
			return fmt.Errorf("founders[%d]: the key is missing, or all zeros: a point of small order, for which anyone can forge a signature", i)
		}
		if err := tx.CheckKey("the key", f.Key[:]); err != nil {
			return fmt.Errorf("founders[%d]: %s", i, err.Msg)
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
	if c.VouchesRequired > members {
		return fmt.Errorf("vouches_required is %d but there are only %d members: nobody could ever join", c.VouchesRequired, members)
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
	if err := c.validateTypes(); err != nil {
		return err
	}
	return c.validateOffices()
}

// validateTypes checks decision types, category bindings and sunsets.
func (c *Constitution) validateTypes() error {
	for i, d := range c.DecisionTypes {
		if err := tx.CheckName("name", d.Name); err != nil {
			return fmt.Errorf("decision_types[%d] %s", i, err.Msg)
		}
		if n := utf8.RuneCountInString(d.Name); n > tx.MaxTypeName {
			return fmt.Errorf("decision_types[%d]: the name has %d characters; at most %d are allowed", i, n, tx.MaxTypeName)
		}
		if d.Name == TypeOrdinary {
			return fmt.Errorf("decision_types[%d]: the ordinary rules are quorum and threshold; do not list \"ordinary\"", i)
		}
		if slices.ContainsFunc(c.DecisionTypes[:i], func(e DecisionType) bool { return e.Name == d.Name }) {
			return fmt.Errorf("decision_types[%d]: %q is listed twice", i, d.Name)
		}
		if d.Quorum.Den == 0 {
			return fmt.Errorf("decision_types[%d] %q: quorum is missing: write it like \"1/3\"", i, d.Name)
		}
		if d.Threshold.Den == 0 {
			return fmt.Errorf("decision_types[%d] %q: threshold is missing: write it like \"1/2\" or \">=2/3\"", i, d.Name)
		}
		if d.Threshold.Num == d.Threshold.Den && !d.Threshold.AtLeast {
			return fmt.Errorf("decision_types[%d] %q: threshold %s can never be met: use \">=1/1\" for unanimity", i, d.Name, d.Threshold)
		}
	}
	for i, b := range c.CategoryTypes {
		if !slices.Contains(c.Categories, b.Category) {
			return fmt.Errorf("category_types[%d]: %q is not one of the categories", i, b.Category)
		}
		if _, ok := c.DecisionType(b.Type); !ok {
			return fmt.Errorf("category_types[%d]: decision type %q is not defined", i, b.Type)
		}
		if slices.ContainsFunc(c.CategoryTypes[:i], func(e CategoryType) bool { return e.Category == b.Category }) {
			return fmt.Errorf("category_types[%d]: category %q is bound twice", i, b.Category)
		}
	}
	const century = 100 * 365 * 24 * time.Hour
	if c.DefaultSunset.Duration < time.Minute {
		return fmt.Errorf("default_sunset must be at least 1m, not %s", c.DefaultSunset)
	}
	if c.MaxSunset.Duration < c.DefaultSunset.Duration {
		return fmt.Errorf("max_sunset (%s) is shorter than default_sunset (%s)", c.MaxSunset, c.DefaultSunset)
	}
	if c.MaxSunset.Duration > century {
		return fmt.Errorf("max_sunset must be under 100 years")
	}
	if err := c.validateInitiative(); err != nil {
		return err
	}
	if err := c.validateSecret(); err != nil {
		return err
	}
	return c.validateSortition()
}

// validateInitiative checks the initiative policy's stated fields.
func (c *Constitution) validateInitiative() error {
	p := c.Initiative
	if t := p.Threshold; t.Den != 0 && t.Num == 0 {
		return fmt.Errorf("initiative threshold must be more than 0: write it like \"1/20\"")
	}
	if w := p.Window.Duration; w != 0 && (w < time.Minute || w > 10*365*24*time.Hour) {
		return fmt.Errorf("initiative window must be between 1m and 10 years, not %s", p.Window)
	}
	if v := p.VotingPeriod.Duration; v != 0 && (v < c.MinVoting.Duration || v > c.MaxVoting.Duration) {
		return fmt.Errorf("initiative voting_period (%s) must be within min_voting_period (%s) and max_voting_period (%s)", p.VotingPeriod, c.MinVoting, c.MaxVoting)
	}
	return nil
}

// amendableKeys are the JSON keys an amendment may set, exactly as written.
var amendableKeys = []string{"name", "vouches_required", "min_voting_period", "max_voting_period", "max_lead_time",
	"quorum", "threshold", "categories", "decision_types", "category_types", "default_sunset", "max_sunset", "delegation",
	"offices", "recall", "initiative", "secret", "sortition"}

// amended returns the constitution with rules (a JSON object holding any
// of the constitution's keys but "founders") decoded over it, defaults
// filled and validated for a community of members. The receiver is not
// changed.
func (c *Constitution) amended(rules string, members int) (Constitution, *reject.Error) {
	var keys map[string]json.RawMessage
	if err := json.Unmarshal([]byte(rules), &keys); err != nil {
		return Constitution{}, reject.Errorf(reject.BadAmendment, "proposal rejected: the new rules are not a JSON object: %v", err)
	}
	n := c.clone()
	// A list in the new rules replaces the old list whole: without the
	// reset, JSON decoding would merge its elements into the old ones.
	lists := map[string]func(){
		"categories":     func() { n.Categories = nil },
		"decision_types": func() { n.DecisionTypes = nil },
		"category_types": func() { n.CategoryTypes = nil },
		"delegation":     func() { n.Delegation = DelegationPolicy{} },
		"offices":        func() { n.Offices = nil },
		"recall":         func() { n.Recall = RecallPolicy{} },
		"initiative":     func() { n.Initiative = InitiativePolicy{} },
	}
	for _, k := range slices.Sorted(maps.Keys(keys)) {
		if strings.EqualFold(k, "founders") {
			return Constitution{}, reject.Errorf(reject.AmendsFounders, "proposal rejected: an amendment cannot rewrite the founders; membership changes by vouches and departures")
		}
		if !slices.Contains(amendableKeys, k) {
			return Constitution{}, reject.Errorf(reject.BadAmendment, "proposal rejected: the new rules name %q, which is not a key of the constitution (%s)", k, strings.Join(amendableKeys, ", "))
		}
		if reset, ok := lists[k]; ok {
			reset()
		}
	}
	dec := json.NewDecoder(strings.NewReader(rules))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&n); err != nil {
		return Constitution{}, reject.Errorf(reject.BadAmendment, "proposal rejected: the new rules cannot be read: %v", err)
	}
	n.normalize()
	if err := n.validate(members); err != nil {
		return Constitution{}, reject.Errorf(reject.BadAmendment, "proposal rejected: the amended constitution would be invalid: %v", err)
	}
	before, _ := json.Marshal(c)
	after, _ := json.Marshal(n)
	if bytes.Equal(before, after) {
		return Constitution{}, reject.Errorf(reject.BadAmendment, "proposal rejected: the new rules are the same as the rules in force")
	}
	return n, nil
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
