package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// A block of 1,000 ballots writes thousands of rows. Executing one
// statement per row costs more in the driver than in SQLite, so the hot
// tables are written with multi-row statements: rows are collected during
// the block and sent in chunks of batchSizes rows (largest first), each
// chunk size a statement prepared once.
var batchSizes = []int{128, 16, 1}

// batchSpec is a statement whose VALUES list repeats: prefix, then tuple
// once per row joined by commas, then suffix.
type batchSpec struct {
	name                  string
	prefix, tuple, suffix string
	cols                  int // parameters per row
}

func (b batchSpec) sql(rows int) string {
	t := make([]string, rows)
	for i := range t {
		t[i] = b.tuple
	}
	return b.prefix + strings.Join(t, ", ") + b.suffix
}

// Batched statements. The ballot upsert relies on SQLite handling the rows
// of one statement in order, so a member's second ballot in a block
// replaces the first.
var (
	leafBatch = batchSpec{name: "write leaves", cols: 3,
		prefix: `INSERT INTO leaves (idx, data, height) VALUES `, tuple: `(?, ?, ?)`}
	txBatch = batchSpec{name: "write transactions", cols: 10,
		prefix: `INSERT INTO txs (height, idx, id, raw, author, kind, nonce, code, log, leaf) VALUES `,
		tuple:  `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`}
	ballotBatch = batchSpec{name: "write ballots", cols: 5,
		prefix: `INSERT INTO ballots (proposal, member, choice, height, idx, cast_count, first_height)
			SELECT column1, column2, column3, column4, column5, 1, column4 FROM (VALUES `,
		tuple: `(?, ?, ?, ?, ?)`,
		// "WHERE true" tells the parser that ON CONFLICT belongs to the
		// INSERT, not to a join.
		suffix: `) WHERE true ON CONFLICT (proposal, member) DO UPDATE SET choice = excluded.choice,
			height = excluded.height, idx = excluded.idx, cast_count = cast_count + 1`}
	eventBatch = batchSpec{name: "write events", cols: 5,
		prefix: `INSERT INTO events (height, seq, tx, type, attrs) VALUES `, tuple: `(?, ?, ?, ?, ?)`}
	batchSpecs = []batchSpec{leafBatch, txBatch, ballotBatch, eventBatch}
)

// batchStmts holds each spec's statements, one per chunk size.
type batchStmts map[string][]*sql.Stmt

func prepareBatches(db *sql.DB) (batchStmts, error) {
	out := batchStmts{}
	for _, b := range batchSpecs {
		for _, n := range batchSizes {
			st, err := db.Prepare(b.sql(n))
			if err != nil {
				out.close()
				return nil, fmt.Errorf("prepare %s for %d rows: %w", b.name, n, err)
			}
			out[b.name] = append(out[b.name], st)
		}
	}
	return out, nil
}

func (bs batchStmts) close() error {
	var errs []error
	for _, sts := range bs {
		for _, st := range sts {
			errs = append(errs, st.Close())
		}
	}
	return errors.Join(errs...)
}

// batch collects the rows of one spec during a block.
type batch struct {
	spec  batchSpec
	stmts []*sql.Stmt // bound to the block's transaction, as batchSizes
	args  []any
}

func (b *batch) add(args ...any) { b.args = append(b.args, args...) }

// flush writes the collected rows, in order.
func (b *batch) flush(ctx context.Context) error {
	args := b.args
	for i, n := range batchSizes {
		per := n * b.spec.cols
		for len(args) >= per {
			if _, err := b.stmts[i].ExecContext(ctx, args[:per]...); err != nil {
				return fmt.Errorf("%s: %w", b.spec.name, err)
			}
			args = args[per:]
		}
	}
	b.args = b.args[:0]
	return nil
}
