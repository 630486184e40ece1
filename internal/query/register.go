package query

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Law statuses as clients see them.
const (
	LawStatusInForce  = "in_force"
	LawStatusExpired  = "expired"
	LawStatusRepealed = "repealed"
)

// LawEntry is an entry of the register of laws as clients see it.
type LawEntry struct {
	Number   uint64    `json:"number"`
	Title    string    `json:"title"`
	Proposal uint64    `json:"proposal"` // the proposal that enacted it
	Enacted  time.Time `json:"enacted"`
	// Expires is the sunset: the law leaves the register at this time
	// unless a renewal passes before.
	Expires time.Time `json:"expires"`
	Status  string    `json:"status"` // in_force, expired or repealed
	// Ended is when the law left the register (absent while in force).
	Ended      *time.Time `json:"ended,omitempty"`
	Renewals   []uint64   `json:"renewals"` // renewal proposals, in order
	RepealedBy uint64     `json:"repealed_by,omitempty"`
}

// LawEntryOf converts a law.
func LawEntryOf(l *core.Law) LawEntry {
	v := LawEntry{Number: l.Number, Title: l.Title, Proposal: l.Proposal, Enacted: t(l.Enacted), Expires: t(l.Expires),
		Renewals: slices.Clone(l.Renewals), RepealedBy: l.RepealedBy}
	switch l.Status {
	case core.InForce:
		v.Status = LawStatusInForce
	case core.Expired:
		v.Status = LawStatusExpired
	case core.Repealed:
		v.Status = LawStatusRepealed
	default:
		v.Status = l.Status.String()
	}
	if l.Ended != 0 {
		e := t(l.Ended)
		v.Ended = &e
	}
	if v.Renewals == nil {
		v.Renewals = []uint64{}
	}
	return v
}

// LawRegister is the register of laws: those in force, by number, and those
// that left it (expired or repealed), most recently ended first.
type LawRegister struct {
	// At is the time the register describes: the latest block's time, or
	// the past time asked for.
	At      time.Time  `json:"at"`
	Past    bool       `json:"past"` // At is a past time, not the latest block's
	InForce []LawEntry `json:"in_force"`
	Ended   []LawEntry `json:"ended"`
}

// LawRegisterOf returns the register now, or at a past time when at is not
// zero (and before the latest block's time): the laws in force then, and
// those that had left the register by then.
func LawRegisterOf(s *core.State, at time.Time) LawRegister {
	r := LawRegister{At: s.Time(), InForce: []LawEntry{}, Ended: []LawEntry{}}
	if !at.IsZero() && at.Before(r.At) {
		r.At, r.Past = at.UTC(), true
	}
	ns := r.At.UnixNano()
	for _, l := range s.Laws() {
		switch {
		case l.InForceAt(r.At) || (!r.Past && l.Status == core.InForce):
			r.InForce = append(r.InForce, LawEntryOf(l))
		case l.Ended != 0 && l.Ended <= ns:
			r.Ended = append(r.Ended, LawEntryOf(l))
		}
	}
	slices.SortStableFunc(r.Ended, func(a, b LawEntry) int { return b.Ended.Compare(*a.Ended) })
	return r
}

// RuleDiff is one key of the constitution that a version changed, with
// its JSON before and after ("" when absent).
type RuleDiff struct {
	Key string `json:"key"`
	Old string `json:"old"`
	New string `json:"new"`
}

// RuleVersionEntry is one version of the constitution as clients see it.
type RuleVersionEntry struct {
	Version uint32 `json:"version"`
	// Height and Time are the block from which the version applies (0 and
	// the genesis time for the first).
	Height int64     `json:"height"`
	Time   time.Time `json:"time"`
	// Proposal is the amendment that made it (0 for the genesis), with its
	// title.
	Proposal      uint64 `json:"proposal,omitempty"`
	ProposalTitle string `json:"proposal_title,omitempty"`
	// Changes are the keys that differ from the version before, in key
	// order; empty for the first.
	Changes      []RuleDiff        `json:"changes"`
	Constitution core.Constitution `json:"constitution"`
}

// RuleHistoryOf returns every version of the constitution, newest first.
func RuleHistoryOf(s *core.State) []RuleVersionEntry {
	hist := s.RuleHistory()
	out := make([]RuleVersionEntry, 0, len(hist))
	for i := len(hist) - 1; i >= 0; i-- {
		out = append(out, ruleVersionEntry(s, hist[i].Version))
	}
	return out
}

// ruleVersionEntry describes version v of the constitution (versions count
// from 1, in the order of the rule history) and what it changed.
func ruleVersionEntry(s *core.State, version uint32) RuleVersionEntry {
	hist := s.RuleHistory()
	i := slices.IndexFunc(hist, func(v *core.RuleVersion) bool { return v.Version == version })
	v := hist[i]
	rv := RuleVersionEntry{Version: v.Version, Height: v.Height, Time: t(v.Time), Proposal: v.Proposal,
		Constitution: v.Constitution, Changes: []RuleDiff{}}
	if p, ok := s.Proposal(v.Proposal); ok {
		rv.ProposalTitle = p.Title
	}
	if i > 0 {
		rv.Changes = diffRules(jsonKeys(hist[i-1].Constitution), jsonKeys(v.Constitution))
	}
	return rv
}

// jsonKeys returns the top-level keys of v's JSON with their compact
// values.
func jsonKeys(v any) map[string]string {
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, raw := range m {
		var c bytes.Buffer
		if json.Compact(&c, raw) == nil {
			out[k] = c.String()
		}
	}
	return out
}

// diffRules lists the keys whose values differ between old and new, in key
// order.
func diffRules(old, new map[string]string) []RuleDiff {
	keys := slices.Sorted(maps.Keys(old))
	for k := range new {
		if _, ok := old[k]; !ok {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	out := []RuleDiff{}
	for _, k := range keys {
		if old[k] != new[k] {
			out = append(out, RuleDiff{Key: k, Old: old[k], New: new[k]})
		}
	}
	return out
}

// ProposalRules says which rules applied to a proposal and what it does if
// it passes.
type ProposalRules struct {
	// Type is the decision type it is decided under; Quorum and Threshold
	// its rules in words; Version the constitution version they come from.
	Type      string `json:"type"`
	Quorum    string `json:"quorum"`
	Threshold string `json:"threshold"`
	Version   uint32 `json:"rules_version"`
	// Measure is resolution, law, renewal, repeal or amendment.
	Measure string `json:"measure"`
	// Law and LawTitle name the law a renewal or repeal is about.
	Law      uint64 `json:"law,omitempty"`
	LawTitle string `json:"law_title,omitempty"`
	// Sunset is how long a law lives, or a renewal extends it.
	Sunset        string `json:"sunset,omitempty"`
	SunsetSeconds int64  `json:"sunset_seconds,omitempty"`
	// Amendment is an amendment's new rules (JSON); Changes compares them
	// with the rules the amendment was made under, key by key.
	Amendment string     `json:"amendment,omitempty"`
	Changes   []RuleDiff `json:"changes,omitempty"`
	// Enacted is the law this proposal enacted, once it has.
	Enacted uint64 `json:"enacted_law,omitempty"`
	// Office, Holder and HolderName name the seat a recall ballot is
	// about; Petition is the petition that opened it.
	Office     string `json:"office,omitempty"`
	Holder     uint32 `json:"holder,omitempty"`
	HolderName string `json:"holder_name,omitempty"`
	Petition   uint64 `json:"petition,omitempty"`
}

// ProposalRulesOf describes the rules that applied to proposal p and its measure.
func ProposalRulesOf(s *core.State, p *core.Proposal) ProposalRules {
	r := ProposalRules{Type: p.Type, Quorum: p.Quorum.QuorumWords(), Threshold: p.Threshold.Words(),
		Version: p.RulesVersion, Measure: p.Measure.String(), Law: p.LawNumber()}
	if r.Type == "" {
		r.Type = core.TypeOrdinary
	}
	if l, ok := s.Law(r.Law); ok && r.Law != 0 {
		r.LawTitle = l.Title
	}
	if p.Measure == tx.Enact || p.Measure == tx.Renew {
		r.Sunset = time.Duration(p.Terms.Sunset).String()
		r.SunsetSeconds = p.Terms.Sunset / 1e9
	}
	if p.Measure == tx.Amend {
		r.Amendment = p.Terms.Amendment
		var keys map[string]json.RawMessage
		if json.Unmarshal([]byte(r.Amendment), &keys) == nil {
			var old map[string]string
			if rv, ok := s.RulesFor(p.ID); ok {
				old = jsonKeys(rv.Constitution)
			}
			nw := make(map[string]string, len(old))
			maps.Copy(nw, old)
			for k, raw := range keys {
				var c bytes.Buffer
				if json.Compact(&c, raw) == nil {
					nw[k] = c.String()
				}
			}
			r.Changes = diffRules(old, nw)
		}
	}
	if rc := p.Recall; rc != nil {
		r.Office, r.Holder, r.Petition = rc.Office, rc.Holder, rc.Petition
		if m, ok := s.MemberByNumber(rc.Holder); ok {
			r.HolderName = m.Name
		}
	}
	if p.Measure == tx.Enact && p.Result != nil && p.Result.Passed {
		for _, l := range s.Laws() {
			if l.Proposal == p.ID {
				r.Enacted = l.Number
				break
			}
		}
	}
	return r
}
