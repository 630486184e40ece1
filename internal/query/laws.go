package query

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
)

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
	LawEntry
	History []LawEvent `json:"history"`
}

// Laws lists the register of laws in force, by number: now when at is
// empty, or at a past time written in RFC 3339.
func Laws(s *core.State, at string) ([]LawEntry, error) {
	ls := s.LawsInForce()
	if at != "" {
		when, err := time.Parse(time.RFC3339, at)
		if err != nil {
			return nil, fmt.Errorf("time %q: write it like 2027-06-01T12:00:00Z", at)
		}
		ls = s.LawsInForceAt(when)
	}
	out := make([]LawEntry, 0, len(ls))
	for _, l := range ls {
		out = append(out, LawEntryOf(l))
	}
	return out, nil
}

// LawByNumber returns a law, in force or not, with its history. A renewal's
// time is when its vote closed; the block that decided it follows within
// one block interval.
func LawByNumber(s *core.State, n uint64) (LawDetail, error) {
	return byNumber(s, "law", n, s.Law, lawDetailOf)
}

func lawDetailOf(s *core.State, l *core.Law) LawDetail {
	d := LawDetail{LawEntry: LawEntryOf(l)}
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
	return d
}

// Rules answers the rule history: every version, oldest first, for an
// empty question; "proposal=N" gives the version that applied to proposal
// N; "height=H" the version in force after block H.
func Rules(s *core.State, question string) ([]RuleVersionEntry, error) {
	key, val, _ := strings.Cut(question, "=")
	switch key {
	case "":
		out := RuleHistoryOf(s)
		slices.Reverse(out)
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
		return []RuleVersionEntry{ruleVersionEntry(s, v.Version)}, nil
	case "height":
		h, err := strconv.ParseInt(val, 10, 64)
		if err != nil || h < 0 {
			return nil, fmt.Errorf("height %q is not a block height", val)
		}
		if h > s.Height() {
			return nil, fmt.Errorf("height %d is after the last block (%d)", h, s.Height())
		}
		return []RuleVersionEntry{ruleVersionEntry(s, s.RulesAt(h).Version)}, nil
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
	in := p.Initiative
	if in == nil {
		return nil
	}
	return &Initiative{Endorsements: p.Endorsements(), Needed: in.Needed, WindowEnd: t(in.GatherUntil),
		VotingPeriod: time.Duration(in.VotingPeriod).String(), Qualified: p.Opens != 0}
}
