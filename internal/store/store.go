// Package store is folkmoot's SQLite projection: tables derived from the
// core's state, written in one SQL transaction per committed block together
// with the block's height and app hash, and the few reads only it can
// answer (query.go, amend.go): comment threads, endorsements, text
// amendments, ballot pages, transaction records and text search. Everything else is read from the
// core's state through internal/query.
//
// The projection is never an authority (the record is). It keeps what the
// core's state does not (texts, heights, every included transaction), and
// it can always be rebuilt by
// replaying the chain: WriteBlock skips heights it already holds after
// checking their app hash, so CometBFT's handshake replay after a crash
// fills in exactly what is missing. A process killed at any instant leaves
// either a whole block or none of it.
//
// A node that joined by state sync has no blocks before its snapshot:
// Restore starts its projection at the snapshot's height from the core's
// state there (restore.go), and the blocks after it are written as usual.
//
// Schema (migrations/0001_init.sql): meta (chain id, genesis time and
// app_state), blocks (height, time, app hash, transaction and leaf counts;
// height 0 is the genesis), txs (every included transaction with its raw
// bytes, author, kind, nonce, code and log, and the index of the leaf that
// records it), members and member_keys (every key a member held and why it
// was retired), vouches (pending and completed), proposals (texts, window,
// status, running tally, result; full-text indexed with FTS5), comments,
// endorsements, ballots and leaves (the accumulator's leaves, for proofs).
// Later migrations add events (every core event with its attributes) and
// text_amendments (each change to a proposal's text, before and after).
//
// Ballots: the table keeps the counted ballot of each member on each
// proposal (their latest) with the number of ballots they cast on it;
// every superseded ballot is still in txs, so nothing is lost, and the
// table stays as small as the electorate.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// ErrNotFound is wrapped by queries that find no such row.
var ErrNotFound = errors.New("not found")

// ErrNotInitialised is returned by WriteBlock and Height before Init.
var ErrNotInitialised = errors.New("the projection has no genesis yet")

//go:embed migrations/*.sql
var migrations embed.FS

// Store is an open projection database. It is safe for concurrent use:
// writes are serialised; reads run on their own connections and see the
// last committed block (WAL readers never wait for the writer).
type Store struct {
	path string
	w    *sql.DB // one connection; every write transaction begins IMMEDIATE
	r    *sql.DB // read-only connections
	// search is read-only connections for text searches alone
	// (SearchConns), so that searches never hold up the other reads.
	search *sql.DB
	mu     sync.Mutex
	ins    *writeStmts
	// batches are the multi-row statements of the busiest tables.
	batches batchStmts
}

// dsn builds the connection string. The pragmas apply to every connection
// the pool opens:
//
//   - journal_mode(WAL): readers (API, web) proceed while a block is being
//     written, and a commit is one append to the log, so a crash mid-write
//     leaves the last committed block intact.
//   - synchronous(NORMAL): in WAL mode a transaction is atomic and
//     consistent under any process crash with NORMAL; only a power loss or
//     OS crash can lose the last few committed blocks, never corrupt the
//     file. That is acceptable because the projection is derived: on
//     restart CometBFT's handshake replays every block the projection
//     lacks. FULL would add an fsync per block for nothing we need.
//   - foreign_keys(1): a row never references a member, proposal or block
//     that is not there; a bug in the projection fails the block loudly
//     instead of storing an inconsistent record.
//   - temp_store(MEMORY): the statement journals of multi-row statements
//     stay in memory instead of temporary files written page by page.
//   - busy_timeout(10000): a reader or a second process checking the file
//     waits for a lock instead of failing at once.
func dsn(file string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "temp_store(MEMORY)")
	q.Add("_pragma", "cache_size(-32768)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
	}
	// In a URI filename '%', '?' and '#' must be escaped.
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(file)
	return "file:" + esc + "?" + q.Encode()
}

// Open opens (creating if needed) the projection at path and brings its
// schema up to date.
func Open(file string) (*Store, error) {
	w, err := sql.Open("sqlite", dsn(file, false))
	if err != nil {
		return nil, fmt.Errorf("open projection %s: %w", file, err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	s := &Store{path: file, w: w}
	if err := s.migrate(context.Background()); err != nil {
		w.Close()
		return nil, fmt.Errorf("open projection %s: %w", file, err)
	}
	r, err := sql.Open("sqlite", dsn(file, true))
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open projection %s for reading: %w", file, err)
	}
	r.SetMaxOpenConns(4)
	s.r = r
	if s.search, err = sql.Open("sqlite", dsn(file, true)); err != nil {
		s.Close()
		return nil, fmt.Errorf("open projection %s for searching: %w", file, err)
	}
	s.search.SetMaxOpenConns(SearchConns)
	if s.ins, err = prepareWrites(w); err != nil {
		s.Close()
		return nil, fmt.Errorf("open projection %s: %w", file, err)
	}
	if s.batches, err = prepareBatches(w); err != nil {
		s.Close()
		return nil, fmt.Errorf("open projection %s: %w", file, err)
	}
	return s, nil
}

// Close closes the database.
func (s *Store) Close() error {
	var errs []error
	if s.ins != nil {
		errs = append(errs, s.ins.close())
	}
	if s.batches != nil {
		errs = append(errs, s.batches.close())
	}
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.search != nil {
		errs = append(errs, s.search.Close())
	}
	errs = append(errs, s.w.Close())
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close projection %s: %w", s.path, err)
	}
	return nil
}

// migrate runs, in version order, each embedded migration not yet recorded
// in the migrations table, each in its own transaction together with its
// record.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS migrations (
		version INTEGER PRIMARY KEY,
		name    TEXT    NOT NULL,
		applied INTEGER NOT NULL
	)`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	known := 0
	for _, name := range names {
		if v, err := strconv.Atoi(strings.SplitN(path.Base(name), "_", 2)[0]); err == nil {
			known = max(known, v)
		}
	}
	var newest sql.NullInt64
	if err := s.w.QueryRowContext(ctx, `SELECT max(version) FROM migrations`).Scan(&newest); err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if int(newest.Int64) > known {
		return fmt.Errorf("the schema is at version %d, newer than this program knows (%d): use a newer folkmoot or rebuild the projection", newest.Int64, known)
	}
	for _, name := range names {
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: the name must start with a version number", base)
		}
		if err := s.migrateOne(ctx, v, base, name); err != nil {
			return fmt.Errorf("migration %s: %w", base, err)
		}
	}
	return nil
}

func (s *Store) migrateOne(ctx context.Context, version int, base, name string) error {
	tx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM migrations WHERE version = ?`, version).Scan(&n); err != nil {
		return fmt.Errorf("check: %w", err)
	}
	if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrations, name)
	if err != nil {
		return fmt.Errorf("read: %w", err)
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO migrations (version, name, applied) VALUES (?, ?, ?)`,
		version, base, time.Now().UnixNano()); err != nil {
		return fmt.Errorf("record: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}
