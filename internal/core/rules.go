package core

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// RuleVersion is one version of the constitution and when it took effect.
type RuleVersion struct {
	// Version numbers start at 1, the genesis constitution.
	Version uint32
	// Height and Time are those of the block whose EndBlock decided the
	// amendment (0 and the genesis time for version 1); the rules apply to
	// every proposal made after that block.
	Height int64
	Time   int64
	// Proposal is the amendment that made this version (0 for genesis).
	Proposal uint64
	// Constitution is the whole constitution of this version. It must not
	// be modified.
	Constitution Constitution
}

// RuleHistory returns every version of the constitution, oldest first. The
// slice and its versions must not be modified.
func (s *State) RuleHistory() []*RuleVersion { return s.rules }

// RulesAt returns the version of the constitution in force after the block
// at height (height 0 is the genesis).
func (s *State) RulesAt(height int64) *RuleVersion {
	i := sort.Search(len(s.rules), func(i int) bool { return s.rules[i].Height > height })
	return s.rules[max(i-1, 0)]
}

// RulesFor returns the version of the constitution that applied to a
// proposal: the one in force when it was made.
func (s *State) RulesFor(proposal uint64) (*RuleVersion, bool) {
	p, ok := s.Proposal(proposal)
	if !ok {
		return nil, false
	}
	return s.rules[p.RulesVersion-1], true
}

// decisionType resolves which decision type a proposal is decided under.
func (s *State) decisionType(b *tx.Propose) (DecisionType, *reject.Error) {
	c := &s.cons
	name := b.Type
	if b.Measure == tx.Amend {
		if name != "" && name != TypeAmendment {
			d, _ := c.DecisionType(TypeAmendment)
			return DecisionType{}, reject.Errorf(reject.AmendmentType, "proposal rejected: an amendment is decided under the amendment rules (quorum %s, pass with %s), not under %q",
				d.Quorum.QuorumWords(), d.Threshold.Words(), name)
		}
		name = TypeAmendment
	} else if bound := c.BoundType(b.Category); bound != "" {
		if name != "" && name != bound {
			return DecisionType{}, reject.Errorf(reject.TypeMismatch, "proposal rejected: category %q is decided under the %q rules; it cannot ask for %q", b.Category, bound, name)
		}
		name = bound
	} else if name == "" {
		name = TypeOrdinary
	}
	d, ok := c.DecisionType(name)
	if !ok {
		return DecisionType{}, reject.Errorf(reject.UnknownDecisionType, "proposal rejected: decision type %q is not one of the constitution's (%s)", name, joinQuoted(c.TypeNames()))
	}
	return d, nil
}

// amend makes c the rules in force from the current block, as decided by
// proposal p.
func (s *State) amend(p *Proposal, c Constitution) *RuleVersion {
	v := &RuleVersion{Version: uint32(len(s.rules) + 1), Height: s.height, Time: s.now, Proposal: p.ID, Constitution: c}
	old := s.cons
	s.rules = append(s.rules, v)
	s.cons = c
	s.record(func() {
		s.rules = s.rules[:len(s.rules)-1]
		s.cons = old
	})
	return v
}

// Events of this domain (see Event).

// Amended: an amendment passed and the constitution's version Version is
// in force from this block.
type Amended struct {
	Version  uint32
	Proposal uint64
}

// Type implements Event.
func (Amended) Type() string { return "amended" }

// Attrs implements Event.
func (e Amended) Attrs() []Attr { return attrs("version", u32(e.Version), "proposal", u64(e.Proposal)) }

// Facts of this domain (accumulator leaves; see FactType in facts.go).

func factAmended(v *RuleVersion) []byte {
	b, err := json.Marshal(v.Constitution)
	if err != nil {
		panic(fmt.Sprintf("core: encode constitution: %v", err))
	}
	h := sha256.Sum256(b)
	return mustEncode([]any{FactAmended, v.Version, v.Proposal, v.Time, h[:]})
}
