package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// The projection answers only what the core's state does not hold: the
// text of comments in thread order, who endorsed, the ballots behind a
// tally, transaction records and full-text search. Everything else is read
// from the state through internal/query.

// Bounds of a text search (issue 10, finding 4: 21,000 one-letter words
// in a 42 KB query took 1.8 s over six proposals). Each word is a prefix
// query, so the work grows with the number of words and with how many
// indexed words each prefix matches, which is what a minimum length
// bounds.
const (
	// MaxSearchBytes bounds the text of a search, in bytes.
	MaxSearchBytes = 200
	// MaxSearchWords bounds how many words a search holds.
	MaxSearchWords = 8
	// MinSearchWord is the fewest characters a search word may have.
	MinSearchWord = 2
)

// SearchConns is how many connections searches have, apart from the
// connections every other read uses: searches wait for one another,
// never for or ahead of the reads that make the pages.
const SearchConns = 2

// SearchError is a search Search refuses to run, with a sentence for the
// person who typed it.
type SearchError struct {
	Sentence string
}

func (e *SearchError) Error() string { return e.Sentence }

// CheckSearch says whether Search would run text: nil, or a *SearchError
// naming the bound text exceeds.
func CheckSearch(text string) error {
	if len(text) > MaxSearchBytes {
		return &SearchError{fmt.Sprintf("A search is at most %d bytes long; this one has %d.", MaxSearchBytes, len(text))}
	}
	words := searchWords(text)
	if len(words) > MaxSearchWords {
		return &SearchError{fmt.Sprintf("A search has at most %d words; this one has %d.", MaxSearchWords, len(words))}
	}
	for _, w := range words {
		if utf8.RuneCountInString(w) < MinSearchWord {
			return &SearchError{fmt.Sprintf("Each word of a search needs at least %d letters or digits; %q is too short.", MinSearchWord, w)}
		}
	}
	return nil
}

// Search returns the ids of the proposals whose title or body hold every
// word of text, each word matching as a prefix ("tree" finds "trees"),
// newest first. FTS5 syntax in text is taken as plain words. Text with no
// word in it searches for nothing and returns nil, which query.Filter's
// Found reads as "every proposal"; a search that finds nothing returns an
// empty slice. Text beyond the bounds (see CheckSearch) is refused with a
// *SearchError. The search runs on its own connections (SearchConns) and
// stops when ctx is done.
func (s *Store) Search(ctx context.Context, text string) ([]uint64, error) {
	if err := CheckSearch(text); err != nil {
		return nil, err
	}
	m := ftsQuery(text)
	if m == "" {
		return nil, nil
	}
	out, err := collect(func(sc scanner) (uint64, error) {
		var id uint64
		err := sc.Scan(&id)
		return id, err
	}, wrap(s.search.QueryContext(ctx, `SELECT rowid FROM proposals_fts WHERE proposals_fts MATCH ? ORDER BY rowid DESC`, m)))
	if err != nil {
		return nil, fmt.Errorf("search proposals for %q: %w", text, err)
	}
	return out, nil
}

// searchWords splits what a person typed into words: runs of letters,
// digits and underscores.
func searchWords(text string) []string {
	return strings.FieldsFunc(text, func(r rune) bool {
		return !(r == '_' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= 0x80)
	})
}

// ftsQuery turns what a person typed into an FTS5 query: every word must
// match, each as a prefix, with no FTS5 syntax left to trip over.
func ftsQuery(text string) string {
	var terms []string
	for _, w := range searchWords(text) {
		terms = append(terms, `"`+strings.ReplaceAll(w, `"`, `""`)+`"*`)
	}
	return strings.Join(terms, " ")
}

// DecidedHeight returns the height of the block that decided a proposal, 0
// while it is undecided.
func (s *Store) DecidedHeight(proposal uint64) (int64, error) {
	var h sql.NullInt64
	err := s.r.QueryRow(`SELECT decided_height FROM proposals WHERE id = ?`, proposal).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("find proposal %d: %w", proposal, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("find proposal %d: %w", proposal, err)
	}
	return h.Int64, nil
}

// Comments returns a proposal's comments in thread order: each top-level
// comment in the order made, followed by its replies (and theirs, depth
// first), each level in the order made.
func (s *Store) Comments(proposal uint64) ([]query.Comment, error) {
	out, err := collect(func(sc scanner) (query.Comment, error) {
		var c query.Comment
		var at int64
		err := sc.Scan(&c.ID, &c.ReplyTo, &c.Author, &c.AuthorName, &c.Text, &c.Height, &at, &c.Depth)
		c.Time = utc(at)
		return c, err
	}, wrap(s.r.Query(`WITH RECURSIVE thread (id, depth, path) AS (
			SELECT id, 0, printf('%020d', id) FROM comments WHERE proposal = ?1 AND reply_to IS NULL
			UNION ALL
			SELECT c.id, t.depth + 1, t.path || '.' || printf('%020d', c.id)
			FROM comments c JOIN thread t ON c.reply_to = t.id
		)
		SELECT c.id, coalesce(c.reply_to, 0), c.author, coalesce(m.name, ''), c.text, c.height, c.time, t.depth
		FROM thread t JOIN comments c ON c.id = t.id LEFT JOIN members m ON m.number = c.author
		ORDER BY t.path`, proposal)))
	if err != nil {
		return nil, fmt.Errorf("list comments on proposal %d: %w", proposal, err)
	}
	return out, nil
}

// Endorsements lists who endorsed a proposal, in the order they did.
func (s *Store) Endorsements(proposal uint64) ([]query.Endorsement, error) {
	out, err := collect(func(sc scanner) (query.Endorsement, error) {
		var e query.Endorsement
		err := sc.Scan(&e.Member, &e.Name, &e.Height)
		return e, err
	}, wrap(s.r.Query(`SELECT e.member, coalesce(m.name, ''), e.height
		FROM endorsements e LEFT JOIN members m ON m.number = e.member
		WHERE e.proposal = ? ORDER BY e.height, e.member`, proposal)))
	if err != nil {
		return nil, fmt.Errorf("list endorsements of proposal %d: %w", proposal, err)
	}
	return out, nil
}

// Ballots returns a page of the ballots counted on a proposal (each
// member's latest): those of members numbered above after, by member
// number, at most limit of them (0: all). It walks the ballots' primary key
// (proposal, member), so a page costs the same however many ballots come
// before it.
func (s *Store) Ballots(proposal uint64, after uint32, limit int) ([]query.Ballot, error) {
	if limit <= 0 {
		limit = -1
	}
	out, err := collect(func(sc scanner) (query.Ballot, error) {
		var b query.Ballot
		var c tx.Choice
		err := sc.Scan(&b.Member, &b.Name, &c, &b.Height, &b.Cast)
		b.Choice = c.String()
		return b, err
	}, wrap(s.r.Query(`SELECT b.member, coalesce(m.name, ''), b.choice, b.height, b.cast_count
		FROM ballots b LEFT JOIN members m ON m.number = b.member WHERE b.proposal = ? AND b.member > ?
		ORDER BY b.member LIMIT ?`, proposal, after, limit)))
	if err != nil {
		return nil, fmt.Errorf("list ballots on proposal %d after member %d: %w", proposal, after, err)
	}
	return out, nil
}

// Tx finds a transaction's record by id. When the same bytes were included
// more than once (a replay, rejected), the accepted inclusion is returned,
// else the first.
func (s *Store) Tx(id tx.ID) (query.Tx, error) {
	var t query.Tx
	var author sql.NullString
	var kind, nonce sql.NullInt64
	var code reject.Code
	err := s.r.QueryRow(`SELECT height, raw, author, kind, nonce, code, log, leaf FROM txs WHERE id = ?
		ORDER BY code != 0, height, idx LIMIT 1`, id[:]).Scan(&t.Height, &t.Raw, &author, &kind, &nonce, &code, &t.Log, &t.Leaf)
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("find transaction %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return t, fmt.Errorf("find transaction %s: %w", id, err)
	}
	t.ID, t.Code, t.CodeName, t.Nonce = id.String(), uint32(code), code.String(), uint64(nonce.Int64)
	if kind.Valid && kind.Int64 != 0 {
		t.Kind, t.Author = tx.Kind(kind.Int64).String(), author.String
	}
	return t, nil
}

type scanner interface{ Scan(...any) error }

// queryResult is what a Query call returns, in one value.
type queryResult struct {
	rows *sql.Rows
	err  error
}

func wrap(rows *sql.Rows, err error) queryResult { return queryResult{rows, err} }

// collect scans every row of a query's result with scan. A query with no
// rows gives an empty slice, never nil, so that JSON shows [] and not null.
func collect[T any](scan func(scanner) (T, error), q queryResult) ([]T, error) {
	if q.err != nil {
		return nil, q.err
	}
	defer q.rows.Close()
	out := []T{}
	for q.rows.Next() {
		v, err := scan(q.rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, q.rows.Err()
}

func utc(ns int64) time.Time { return time.Unix(0, ns).UTC() }
