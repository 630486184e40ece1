package query

import "time"

// Comment is a comment on a proposal as clients see it, in thread order
// with its depth (0 for a comment on the proposal itself).
type Comment struct {
	ID         uint64    `json:"id"`
	ReplyTo    uint64    `json:"reply_to,omitempty"`
	Author     uint32    `json:"author"`
	AuthorName string    `json:"author_name"`
	Text       string    `json:"text"`
	Height     int64     `json:"height"`
	Time       time.Time `json:"time"`
	Depth      int       `json:"depth"`
}

// Endorsement is one member's endorsement of a proposal.
type Endorsement struct {
	Member uint32 `json:"member"`
	Name   string `json:"name"`
	Height int64  `json:"height"`
}

// Ballot is the ballot counted for a member on a proposal (their latest).
type Ballot struct {
	Member uint32 `json:"member"`
	Name   string `json:"name"`
	Choice string `json:"choice"` // "yes", "no" or "abstain"
	Height int64  `json:"height"`
	Cast   int    `json:"cast"` // ballots the member cast on the proposal
}
