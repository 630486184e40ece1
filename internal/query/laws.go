package query

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
)

// Law is an entry of the register of laws as clients see it.
type Law struct {
	Number   uint64    `json:"number"`
	Title    string    `json:"title"`
	Proposal uint64    `json:"proposal"` // the proposal that enacted it
	Enacted  time.Time `json:"enacted"`
	// Expires is the sunset: the law leaves the register at this time
	// unless renewed before.
	Expires time.Time `json:"expires"`
	Status  string    `json:"status"` // "in force", "expired" or "repealed"
	// Ended is when it left the register; absent while in force.
	Ended      *time.Time `json:"ended,omitempty"`
	Renewals   []uint64   `json:"renewals"`
	RepealedBy uint64     `json:"repealed_by,omitempty"`
}

// LawEvent is one step of a law's history.
type LawEvent struct {
	Time     time.Time `json:"time"`
	What     string    `json:"what"` // "enacted", "renewed", "repealed" or "expired"
	Proposal uint64    `json:"proposal,omitempty"`
	// Expires is the sunset the step set (enacted, renewed) or reached.
	Expires time.Time `json:"expires"`
}

// LawDetail is a law with its history, oldest step first.
type LawDetail struct {
	Law
	History []LawEvent `json:"history"`
}

// LawOf converts a law.
func LawOf(l *core.Law) Law {
	v := Law{Number: l.Number, Title: l.Title, Proposal: l.Proposal, Enacted: t(l.Enacted), Expires: t(l.Expires),
		Status: l.Status.String(), Renewals: append([]uint64{}, l.Renewals...), RepealedBy: l.RepealedBy}
	if l.Ended != 0 {
		e := t(l.Ended)
		v.Ended = &e
	}
	return v
}

// Laws lists the register of laws in force, by number: now when at is
// empty, or at a past time written in RFC 3339.
func Laws(s *core.State, at string) ([]Law, error) {
	ls := s.LawsInForce()
	if at != "" {
		when, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, fmt.Errorf("time %q: write it like 2027-06-01T12:00:00Z", at)
		}
		ls = s.LawsInForceAt(when)
	}
	out := make([]Law, 0, len(ls))
	for _, l := range ls {
		out = append(out, LawOf(l))
	}
	return out, nil
}

// LawByNumber returns a law, in force or not, with its history. A renewal's
// time is when its vote closed; the block that decided it follows within
// one block interval.
func LawByNumber(s *core.State, n uint64) (LawDetail, error) {
	l, ok := s.Law(n)
	if !ok {
		return LawDetail{}, fmt.Errorf("there is no law %d", n)
	}
	d := LawDetail{Law: LawOf(l)}
	// The sunset each step set is not kept once a later renewal moves it,
	// except for the last.
	d.History = append(d.History, LawEvent{Time: t(l.Enacted), What: "enacted", Proposal: l.Proposal})
	for _, id := range l.Renewals {
		ev := LawEvent{What: "renewed", Proposal: id}
		if p, ok := s.Proposal(id); ok {
			ev.Time = t(p.Closes)
		}
		d.History = append(d.History, ev)
	}
	d.History[len(d.History)-1].Expires = t(l.Expires)
	switch l.Status {
	case core.Repealed:
		d.History = append(d.History, LawEvent{Time: t(l.Ended), What: "repealed", Proposal: l.RepealedBy, Expires: t(l.Expires)})
	case core.Expired:
		d.History = append(d.History, LawEvent{Time: t(l.Ended), What: "expired", Expires: t(l.Expires)})
	}
	return d, nil
}

// RuleVersion is one version of the constitution and when it took effect.
type RuleVersion struct {
	Version      uint32            `json:"version"`
	Height       int64             `json:"height"` // the block whose EndBlock decided the amendment; 0 for genesis
	Time         time.Time         `json:"time"`
	Proposal     uint64            `json:"proposal,omitempty"` // the amendment; absent for genesis
	Constitution core.Constitution `json:"constitution"`
}

// RuleVersionOf converts a version of the constitution.
func RuleVersionOf(v *core.RuleVersion) RuleVersion {
	return RuleVersion{Version: v.Version, Height: v.Height, Time: t(v.Time), Proposal: v.Proposal, Constitution: v.Constitution}
}

// Rules answers the rule history: every version, oldest first, for an
// empty question; "proposal=N" gives the version that applied to proposal
// N; "height=H" the version in force after block H.
func Rules(s *core.State, question string) ([]RuleVersion, error) {
	key, val, _ := strings.Cut(question, "=")
	switch key {
	case "":
		var out []RuleVersion
		for _, v := range s.RuleHistory() {
			out = append(out, RuleVersionOf(v))
		}
		return out, nil
	case "proposal":
		id, err := strconv.ParseUint(val, 10, 64)
		if err != nil || id == 0 {
			return nil, fmt.Errorf("proposal number %q is not a positive number", val)
		}
		v, ok := s.RulesFor(id)
		if !ok {
			return nil, fmt.Errorf("there is no proposal %d", id)
		}
		return []RuleVersion{RuleVersionOf(v)}, nil
	case "height":
		h, err := strconv.ParseInt(val, 10, 64)
		if err != nil || h < 0 {
			return nil, fmt.Errorf("height %q is not a block height", val)
		}
		if h > s.Height() {
			return nil, fmt.Errorf("height %d is after the last block (%d)", h, s.Height())
		}
		return []RuleVersion{RuleVersionOf(s.RulesAt(h))}, nil
	}
	return nil, fmt.Errorf("ask for the rules with proposal=N or height=H, not %q", question)
}

// Initiative is what a proposal that is a popular initiative adds.
type Initiative struct {
	Endorsements int       `json:"endorsements"`
	Needed       uint64    `json:"needed"`
	WindowEnd    time.Time `json:"window_end"`
	// VotingPeriod is how long its ballot lasts once it qualifies.
	VotingPeriod string `json:"voting_period"`
	Qualified    bool   `json:"qualified"`
}

func initiativeOf(p *core.Proposal) *Initiative {
	if !p.Initiative {
		return nil
	}
	return &Initiative{Endorsements: p.Endorsements(), Needed: p.Needed, WindowEnd: t(p.GatherUntil),
		VotingPeriod: time.Duration(p.VotingPeriod).String(), Qualified: p.Opens != 0}
}

// Initiatives lists the popular initiatives, newest first; status filters
// when not empty.
func Initiatives(s *core.State, status string) []Proposal {
	ps := s.Proposals()
	out := []Proposal{}
	for i := len(ps) - 1; i >= 0; i-- {
		if !ps[i].Initiative || (status != "" && ps[i].Status.String() != status) {
			continue
		}
		out = append(out, ProposalOf(s, ps[i]))
	}
	return out
}
