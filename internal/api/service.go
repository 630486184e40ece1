// Package api is folkmoot's HTTP JSON API (under /api/v1) and the read model
// the web pages share with it: a Service reads the committed state through
// abci.App.View and internal/query, the SQLite projection for searches,
// threads and endorsements, and relays signed transactions to CometBFT's
// mempool. It never holds a private key: a state change always arrives as
// bytes a member signed.
package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/abci"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/store"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Node is what the API needs of the CometBFT node: a way to hand signed
// bytes to the mempool (CheckTx) and the validator count. *client.Client
// implements it.
type Node interface {
	// Submit relays signed bytes; a CheckTx refusal is a *reject.Error.
	Submit(ctx context.Context, raw []byte) (tx.ID, error)
	Validators(ctx context.Context) (int, error)
}

// Options configure a Service.
type Options struct {
	App   *abci.App
	Store *store.Store
	Node  Node
	// Log receives internal errors (never shown to clients); nil discards.
	Log *slog.Logger
	// SubmitRate and SubmitBurst limit transaction submissions per client
	// address: SubmitRate per minute with bursts of SubmitBurst (defaults
	// 60 and 20).
	SubmitRate, SubmitBurst int
	// Mempool is CometBFT's mempool in this process, which bulk
	// submissions (POST /api/v1/txs) are handed to; nil refuses them
	// (503). Syncing, when set, reports that the node is still catching
	// up (block sync or state sync), when bulk submissions are refused
	// too, as CometBFT's RPC refuses broadcasts then.
	Mempool Mempool
	Syncing func() bool
	// BulkRate and BulkBurst limit bulk submissions per client address
	// in transactions: BulkRate transactions per minute with bursts of
	// BulkBurst (defaults 30,000 and 2,000). A request is taken whole or
	// refused whole (429), so BulkBurst should be at least MaxBulkTxs.
	BulkRate, BulkBurst int
	// SearchRate and SearchBurst limit text searches per client address
	// the same way (defaults 30 and 10); SearchTimeout cuts a search off
	// (default 2s).
	SearchRate, SearchBurst int
	SearchTimeout           time.Duration
	// Clock is used only by the rate limiter and for "time left" wording;
	// never for a rule. Default time.Now.
	Clock func() time.Time
}

// Service is the read model and the transaction relay behind the API and
// the pages. It is safe for concurrent use.
type Service struct {
	app   *abci.App
	store *store.Store
	node  Node
	log   *slog.Logger
	limit *limiter
	// mempool, syncing, bulkLimit (with the figures it was made with) and
	// bulkSlots serve bulk submissions; bulkSlots bounds how many are
	// decoded and verified at once.
	mempool             Mempool
	syncing             func() bool
	bulkLimit           *limiter
	bulkRate, bulkBurst int
	bulkSlots           chan struct{}
	// search limits text searches per client; searchTimeout cuts one off.
	search        *limiter
	searchTimeout time.Duration
	clock         func() time.Time
}

// New returns a Service.
func New(o Options) *Service {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.SubmitRate <= 0 {
		o.SubmitRate = 60
	}
	if o.SubmitBurst <= 0 {
		o.SubmitBurst = 20
	}
	if o.BulkRate <= 0 {
		o.BulkRate = 30_000
	}
	if o.BulkBurst <= 0 {
		o.BulkBurst = 2 * MaxBulkTxs
	}
	if o.SearchRate <= 0 {
		o.SearchRate = 30
	}
	if o.SearchBurst <= 0 {
		o.SearchBurst = 10
	}
	if o.SearchTimeout <= 0 {
		o.SearchTimeout = 2 * time.Second
	}
	return &Service{app: o.App, store: o.Store, node: o.Node, log: o.Log, clock: o.Clock,
		limit:   newLimiter(float64(o.SubmitRate)/60, float64(o.SubmitBurst), o.Clock),
		mempool: o.Mempool, syncing: o.Syncing, bulkRate: o.BulkRate, bulkBurst: o.BulkBurst,
		bulkLimit: newLimiter(float64(o.BulkRate)/60, float64(o.BulkBurst), o.Clock),
		// Each bulk request verifies on every core (tx.DecodeBatch); more
		// at once than cores only adds memory.
		bulkSlots: make(chan struct{}, runtime.NumCPU()),
		search:    newLimiter(float64(o.SearchRate)/60, float64(o.SearchBurst), o.Clock), searchTimeout: o.SearchTimeout}
}

// Now returns the Service's clock reading (for wording only).
func (s *Service) Now() time.Time { return s.clock() }

// Error is an error a client may see: an HTTP status, a stable code and a
// sentence. Anything else reaches clients only as "Internal error.".
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	// Reject is the rejection code of a refused transaction, and RejectName
	// its name (see internal/reject).
	Reject     uint32 `json:"reject_code,omitempty"`
	RejectName string `json:"reject_name,omitempty"`
}

func (e *Error) Error() string { return e.Message }

func errorf(status int, code, format string, a ...any) *Error {
	return &Error{Status: status, Code: code, Message: fmt.Sprintf(format, a...)}
}

// NotFound reports a missing thing.
func NotFound(format string, a ...any) *Error {
	return errorf(http.StatusNotFound, "not_found", format, a...)
}

// BadRequest reports input that cannot be used.
func BadRequest(format string, a ...any) *Error {
	return errorf(http.StatusBadRequest, "bad_request", format, a...)
}

// Status is the community's summary with its chain status.
type Status struct {
	query.Status
	Validators int `json:"validators"`
}

// Status summarises the community at the latest committed block.
func (s *Service) Status(ctx context.Context) (Status, error) {
	var st Status
	if err := s.view(func(c *core.State) error { st.Status = query.StatusOf(c); return nil }); err != nil {
		return st, err
	}
	if s.node != nil {
		n, err := s.node.Validators(ctx)
		if err != nil {
			s.log.Warn("validators", "err", err)
		}
		st.Validators = n
	}
	return st, nil
}

// Height returns the latest committed height.
func (s *Service) Height() int64 {
	var h int64
	_ = s.view(func(c *core.State) error { h = c.Height(); return nil })
	return h
}

// Version names what the pages and answers are read from: the committed
// height and the height the projection has written. Both change only with
// a block, so an answer may be kept until Version changes.
func (s *Service) Version() string {
	return strconv.FormatInt(s.Height(), 10) + "/" + strconv.FormatInt(s.app.Written(), 10)
}

// Members lists current members, or everyone ever admitted when all.
func (s *Service) Members(all bool) ([]query.Member, error) {
	var out []query.Member
	err := s.view(func(c *core.State) error { out = query.Members(c, !all); return nil })
	if out == nil {
		out = []query.Member{}
	}
	return out, err
}

// Member finds a member by number ("3") or by key (64 hex digits).
func (s *Service) Member(ref string) (query.Member, error) {
	var m query.Member
	err := s.view(func(c *core.State) error {
		if n, err := strconv.ParseUint(ref, 10, 32); err == nil && len(ref) < 11 {
			cm, ok := c.MemberByNumber(uint32(n))
			if !ok {
				return NotFound("There is no member %d.", n)
			}
			m = query.MemberOf(c, cm)
			return nil
		}
		k, err := tx.ParsePublicKey(ref)
		if err != nil {
			return BadRequest("Give a member number or a key of 64 hex digits.")
		}
		cm, ok := c.Member(k)
		if !ok {
			return NotFound("The key %s is not a current member's.", k.Short())
		}
		m = query.MemberOf(c, cm)
		return nil
	})
	return m, err
}

// Filter selects proposals.
type Filter struct {
	Status   string // one of core.Statuses, or "" for all
	Category string
	Text     string // full-text search of titles and bodies
	Limit    int    // default 50, at most 500
	Offset   int
}

// Proposals lists the proposals f selects, newest first. The projection
// searches the text; the committed state selects and describes them, so a
// list and a detail page always show the same tally. A search is bounded
// as Search's is, but not rate-limited: Search is for what clients ask.
func (s *Service) Proposals(f Filter) ([]query.Proposal, error) {
	return s.proposals(context.Background(), f)
}

// Search is Proposals for a client's request. A filter with text is a
// search, which is refused beyond the projection's bounds (400, see
// store.CheckSearch), limited per client address (429), and cut off when
// ctx is done or after Options.SearchTimeout (503). Issue 10, finding 4.
func (s *Service) Search(ctx context.Context, client string, f Filter) ([]query.Proposal, error) {
	if f.Text != "" {
		if err := store.CheckSearch(f.Text); err != nil {
			return nil, BadRequest("%s", err.Error())
		}
		if !s.search.allow(client) {
			return nil, errorf(http.StatusTooManyRequests, "rate_limited",
				"Too many searches from your address; wait a minute and try again.")
		}
	}
	return s.proposals(ctx, f)
}

func (s *Service) proposals(ctx context.Context, f Filter) ([]query.Proposal, error) {
	if all := core.Statuses(); f.Status != "" && !slices.Contains(all, f.Status) {
		return nil, BadRequest("Status must be %s or %s, not %q.", strings.Join(all[:len(all)-1], ", "), all[len(all)-1], f.Status)
	}
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Limit = min(f.Limit, 500)
	if f.Offset < 0 {
		return nil, BadRequest("Offset must not be negative.")
	}
	q := query.Filter{Status: f.Status, Category: f.Category, Limit: f.Limit, Offset: f.Offset}
	if f.Text != "" {
		ctx, cancel := context.WithTimeout(ctx, s.searchTimeout)
		defer cancel()
		found, err := s.store.Search(ctx, f.Text)
		var se *store.SearchError
		switch {
		case errors.As(err, &se):
			return nil, BadRequest("%s", se.Sentence)
		case errors.Is(err, context.DeadlineExceeded):
			return nil, errorf(http.StatusServiceUnavailable, "search_timeout",
				"The search took too long; try again with more or longer words.")
		case err != nil:
			return nil, fmt.Errorf("proposals: %w", err)
		}
		q.Found = found
	}
	var out []query.Proposal
	err := s.view(func(c *core.State) error { out = query.Proposals(c, q); return nil })
	return out, err
}

// Initiatives lists the popular initiatives, newest first; status (one of
// gathering, lapsed, open, decided or "" for all) filters.
func (s *Service) Initiatives(status string) ([]query.Proposal, error) {
	switch status {
	case "", "gathering", "lapsed", "open", "decided", "withdrawn":
	default:
		return nil, BadRequest("Status must be gathering, lapsed, open, decided or withdrawn, not %q.", status)
	}
	var out []query.Proposal
	err := s.view(func(c *core.State) error {
		out = query.Proposals(c, query.Filter{Status: status, Initiatives: true})
		return nil
	})
	return out, err
}

// Proposal returns proposal id with its comments in thread order, who
// endorsed it, the changes to its text and the block that decided it,
// which only the projection holds.
func (s *Service) Proposal(id uint64) (query.ProposalDetail, error) {
	var p query.ProposalDetail
	err := s.view(func(c *core.State) error {
		v, err := query.ProposalDetailByID(c, id)
		if err != nil {
			return NotFound("There is no proposal %d.", id)
		}
		p = v
		return nil
	})
	if err != nil {
		return p, err
	}
	if p.Comments, err = s.store.Comments(id); err != nil {
		return p, fmt.Errorf("proposal %d: %w", id, err)
	}
	if p.Endorsements, err = s.store.Endorsements(id); err != nil {
		return p, fmt.Errorf("proposal %d: %w", id, err)
	}
	if p.TextAmendments, err = s.store.TextAmendments(id); err != nil {
		return p, fmt.Errorf("proposal %d: %w", id, err)
	}
	switch h, err := s.store.DecidedHeight(id); {
	case err == nil:
		p.DecidedHeight = h
	case errors.Is(err, store.ErrNotFound):
		// The projection is written just after the block: no height yet.
	default:
		return p, fmt.Errorf("proposal %d: %w", id, err)
	}
	return p, nil
}

// Ballot pages: DefaultBallotLimit ballots unless the client asks for
// fewer or more, never more than MaxBallotLimit.
const (
	DefaultBallotLimit = 100
	MaxBallotLimit     = 1000
)

// BallotPage is one page of the ballots counted on a proposal, by member
// number. After is the member number to continue from (the last one on
// this page) and Next the request for the following page; both are empty
// on the last page.
type BallotPage struct {
	Proposal uint64         `json:"proposal"`
	Ballots  []query.Ballot `json:"ballots"`
	After    uint32         `json:"after,omitempty"`
	Next     string         `json:"next,omitempty"`
}

// Ballots returns a page of the counted ballots of a proposal: those of
// members numbered above after, at most limit (0: DefaultBallotLimit).
func (s *Service) Ballots(id uint64, after uint32, limit int) (BallotPage, error) {
	page := BallotPage{Proposal: id, Ballots: []query.Ballot{}}
	switch {
	case limit == 0:
		limit = DefaultBallotLimit
	case limit < 0 || limit > MaxBallotLimit:
		return page, BadRequest("limit must be a whole number from 1 to %d.", MaxBallotLimit)
	}
	if err := s.view(func(c *core.State) error {
		if _, ok := c.Proposal(id); !ok {
			return NotFound("There is no proposal %d.", id)
		}
		return nil
	}); err != nil {
		return page, err
	}
	// One more than asked tells whether another page follows.
	bs, err := s.store.Ballots(id, after, limit+1)
	if err != nil {
		return page, fmt.Errorf("ballots: %w", err)
	}
	if len(bs) > limit {
		page.Ballots = bs[:limit]
		page.After = bs[limit-1].Member
		page.Next = fmt.Sprintf("%s/proposals/%d/ballots?after=%d&limit=%d", Prefix, id, page.After, limit)
	} else {
		page.Ballots = bs
	}
	return page, nil
}

// ParseTxID reads a transaction id (64 hex digits).
func ParseTxID(s string) (tx.ID, error) {
	id, err := tx.ParseID(s)
	if err != nil {
		return id, BadRequest("A transaction id is 64 hex digits.")
	}
	return id, nil
}

// Tx finds a transaction's record by id: where it is and its code as the
// committed state has them, and what it did as the projection recorded it.
func (s *Service) Tx(id tx.ID) (query.Tx, error) {
	st, err := s.app.TxStatus(id)
	if err != nil {
		return query.Tx{}, NotFound("Transaction %s is not in any block of this node.", id)
	}
	out, err := s.store.Tx(id)
	switch {
	case errors.Is(err, store.ErrNotFound):
		// The projection is written just after the block; the state has it.
		out = query.Tx{}
	case err != nil:
		return query.Tx{TxStatus: st, CodeName: reject.Code(st.Code).String()}, fmt.Errorf("transaction %s: %w", id, err)
	}
	out.TxStatus, out.CodeName = st, reject.Code(st.Code).String()
	return out, nil
}

// TxProof returns the inclusion proof of a transaction's leaf against the
// app hash after block height (0: the latest).
func (s *Service) TxProof(id tx.ID, height int64) (query.Proof, error) {
	idx, ok := s.app.TxLeaf(id)
	if !ok {
		return query.Proof{}, NotFound("Transaction %s is not in any block of this node.", id)
	}
	return s.LeafProof(idx, height)
}

// LeafProof returns the inclusion proof of any accumulator leaf.
func (s *Service) LeafProof(idx uint64, height int64) (query.Proof, error) {
	if height < 0 {
		return query.Proof{}, BadRequest("Height must not be negative.")
	}
	p, err := s.app.LeafProof(idx, height)
	if err != nil {
		return p, NotFound("No proof of leaf %d at that height: %s.", idx, err)
	}
	return p, nil
}

// view reads the committed state; a node still replaying its blocks is
// reported as unavailable.
func (s *Service) view(fn func(*core.State) error) error {
	err := s.app.View(fn)
	var e *Error
	if err != nil && !errors.As(err, &e) {
		return errorf(http.StatusServiceUnavailable, "starting", "The node is still starting; try again in a moment.")
	}
	return err
}
