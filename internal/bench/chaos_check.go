package bench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/store"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// Checker checks a Cluster's invariants, incrementally:
//
//   - every node has the same app hash at every height it holds (each
//     node's own FinalizeBlock result, from its block results), and a
//     clean replay of the blocks gives that app hash too;
//   - every ballot the load saw accepted is in the record exactly once,
//     and no transaction is in it twice;
//   - a stopped node's projection equals the projection a clean replay of
//     the same blocks writes, row for row.
//
// Problems are counted and the first few described.
type Checker struct {
	c       *Cluster
	appHash map[int64][]byte // the first app hash seen at each height
	checked []int64          // per node, the height up to which its hashes were compared
	blocks  map[int64]chainBlock
	scanned int64         // blocks fetched and counted up to here
	seen    map[tx.ID]int // occurrences of each transaction in the record
	replay  *cleanReplay  // applied up to replay.height
	dir     string

	Divergences          int
	Duplicates           int
	ProjectionsChecked   int
	ProjectionsSkipped   int // behind the clean replay, which only moves forward
	ProjectionMismatches int
	Problems             []string
}

type chainBlock struct {
	time time.Time
	txs  [][]byte
}

// NewChecker returns a checker of c, keeping its clean replay in dir.
func NewChecker(c *Cluster, dir string) *Checker {
	return &Checker{c: c, appHash: map[int64][]byte{}, checked: make([]int64, len(c.Nodes)),
		blocks: map[int64]chainBlock{}, seen: map[tx.ID]int{}, dir: dir}
}

func (k *Checker) problem(format string, a ...any) {
	if len(k.Problems) < 20 {
		k.Problems = append(k.Problems, fmt.Sprintf(format, a...))
	}
}

// Forget makes the checker compare node i's hashes again from the first
// height it holds (after a wipe).
func (k *Checker) Forget(i int) { k.checked[i] = 0 }

// Hashes compares the app hash of every node that is up at every height
// not compared yet, and returns the lowest height all of them reached.
func (k *Checker) Hashes(ctx context.Context) int64 {
	common := int64(-1)
	for i, n := range k.c.Nodes {
		if !k.c.Running(i) || k.c.Paused(i) {
			continue
		}
		latest, base := k.c.Height(ctx, i)
		if common < 0 || latest < common {
			common = latest
		}
		from := max(k.checked[i]+1, base)
		// The newest height's results are stored a moment after the
		// block: stop one short.
		for h := from; h < latest; h++ {
			hctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			r, err := n.RPC.BlockResults(hctx, &h)
			cancel()
			if err != nil {
				if h == base {
					// A node that joined by state sync has no results for
					// the snapshot's block.
					k.checked[i] = h
					continue
				}
				break
			}
			if want, ok := k.appHash[h]; !ok {
				k.appHash[h] = r.AppHash
			} else if !bytes.Equal(want, r.AppHash) {
				k.Divergences++
				k.problem("height %d: %s has app hash %X, another node %X", h, n.Name, r.AppHash, want)
			}
			k.checked[i] = h
		}
	}
	return max(common, 0)
}

// Record fetches the blocks not fetched yet from the node that answers
// with the most of them, and counts their transactions.
func (k *Checker) Record(ctx context.Context) error {
	best, bestHeight := -1, k.scanned
	for i := range k.c.Nodes {
		if !k.c.Running(i) || k.c.Paused(i) {
			continue
		}
		latest, base := k.c.Height(ctx, i)
		if base <= k.scanned+1 && latest >= bestHeight {
			best, bestHeight = i, latest
		}
	}
	if best < 0 {
		return errNotUp
	}
	n := k.c.Nodes[best]
	for h := k.scanned + 1; h <= bestHeight; h++ {
		bctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		b, err := n.RPC.Block(bctx, &h)
		cancel()
		if err != nil {
			return fmt.Errorf("block %d from %s: %w", h, n.Name, err)
		}
		cb := chainBlock{time: b.Block.Time}
		for _, raw := range b.Block.Txs {
			cb.txs = append(cb.txs, raw)
			id := tx.ID(sha256.Sum256(raw))
			k.seen[id]++
			if k.seen[id] == 2 {
				k.Duplicates++
				k.problem("transaction %X is in the record twice (again at height %d)", id[:8], h)
			}
		}
		k.blocks[h] = cb
		k.scanned = h
	}
	return nil
}

// Lost returns how many accepted ballots are not in the record fetched so
// far (though at or below the height fetched) or are in it more than once.
func (k *Checker) Lost(accepted map[tx.ID]int64) int {
	lost := 0
	for id, h := range accepted {
		if h > k.scanned {
			continue
		}
		if n := k.seen[id]; n != 1 {
			lost++
			k.problem("accepted ballot %X (height %d) is in the record %d times", id[:8], h, n)
		}
	}
	return lost
}

// Projection compares the projection of stopped node i with the one a
// clean replay writes up to the same height. A node that joined by state
// sync holds the record only from the height it joined at: for it, the
// blocks, transactions, leaves and events after that height are compared.
// It reports false when it could not compare (the node's projection is
// behind the replay, or the blocks are not fetched yet).
func (k *Checker) Projection(ctx context.Context, i int) (bool, error) {
	path := node.ProjectionPath(k.c.Nodes[i].Home)
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return false, fmt.Errorf("open projection of %s: %w", k.c.Nodes[i].Name, err)
	}
	defer db.Close()
	// Height 0 is the genesis; a node that joined by state sync holds the
	// block it joined at next.
	var top, first sql.NullInt64
	if err := db.QueryRowContext(ctx, `SELECT MAX(height), MIN(NULLIF(height, 0)) FROM blocks`).Scan(&top, &first); err != nil {
		return false, fmt.Errorf("projection of %s: %w", k.c.Nodes[i].Name, err)
	}
	if top.Valid && top.Int64 > k.scanned {
		if err := k.Record(ctx); err != nil {
			return false, err
		}
	}
	if !top.Valid || top.Int64 > k.scanned {
		k.ProjectionsSkipped++
		return false, nil
	}
	if k.replay == nil {
		if k.replay, err = newCleanReplay(k.c, filepath.Join(k.dir, "clean.db")); err != nil {
			return false, err
		}
	}
	if top.Int64 < k.replay.height {
		k.ProjectionsSkipped++
		return false, nil
	}
	for h := k.replay.height + 1; h <= top.Int64; h++ {
		root, err := k.replay.apply(h, k.blocks[h])
		if err != nil {
			return false, err
		}
		if want, ok := k.appHash[h]; ok && !bytes.Equal(want, root[:]) {
			k.Divergences++
			k.problem("height %d: a clean replay gives app hash %X, the nodes %X", h, root, want)
		}
	}
	partial := k.c.Wiped(i)
	got, err := dumpProjection(ctx, db, top.Int64, partial, first.Int64)
	if err != nil {
		return false, fmt.Errorf("projection of %s: %w", k.c.Nodes[i].Name, err)
	}
	want, err := dumpProjection(ctx, k.replay.db, top.Int64, partial, first.Int64)
	if err != nil {
		return false, fmt.Errorf("clean projection: %w", err)
	}
	k.ProjectionsChecked++
	if got != want {
		k.ProjectionMismatches++
		k.problem("%s's projection at height %d differs from a clean replay: %s", k.c.Nodes[i].Name, top.Int64, firstDifference(got, want))
	}
	return true, nil
}

// Close closes the clean replay.
func (k *Checker) Close() {
	if k.replay != nil {
		k.replay.close()
	}
}

// projectionHeight is the last block in stopped node i's projection (0
// when it cannot be read).
func projectionHeight(c *Cluster, i int) int64 {
	db, err := sql.Open("sqlite", "file:"+node.ProjectionPath(c.Nodes[i].Home))
	if err != nil {
		return 0
	}
	defer db.Close()
	var h sql.NullInt64
	db.QueryRow(`SELECT MAX(height) FROM blocks`).Scan(&h)
	return h.Int64
}

// cleanReplay applies the chain's blocks, as fetched, to a fresh core
// state and a fresh projection, with no interruption.
type cleanReplay struct {
	state  *core.State
	store  *store.Store
	db     *sql.DB
	height int64
}

func newCleanReplay(c *Cluster, path string) (*cleanReplay, error) {
	g := c.Genesis()
	s, err := core.New(g.ChainID, g.GenesisTime, g.AppState)
	if err != nil {
		return nil, fmt.Errorf("clean replay: %w", err)
	}
	var appState bytes.Buffer
	if err := json.Compact(&appState, g.AppState); err != nil {
		return nil, fmt.Errorf("clean replay: %w", err)
	}
	st, err := store.Open(path)
	if err != nil {
		return nil, fmt.Errorf("clean replay: %w", err)
	}
	if err := st.Init(g.ChainID, g.GenesisTime, appState.Bytes()); err != nil {
		st.Close()
		return nil, fmt.Errorf("clean replay: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("clean replay: %w", err)
	}
	return &cleanReplay{state: s, store: st, db: db}, nil
}

func (r *cleanReplay) apply(h int64, b chainBlock) (root [32]byte, err error) {
	res, err := r.state.ApplyBlock(core.Block{Height: h, Time: b.time, Txs: b.txs}, 0)
	if err != nil {
		return root, fmt.Errorf("clean replay of block %d: %w", h, err)
	}
	if err := r.store.WriteBlock(store.BlockRecord{Height: h, Time: b.time, Txs: b.txs, Result: res, State: r.state}); err != nil {
		return root, fmt.Errorf("clean replay: %w", err)
	}
	r.height = h
	return res.Root, nil
}

func (r *cleanReplay) close() {
	r.db.Close()
	r.store.Close()
}

// heightTables are the projection's tables whose rows belong to a block.
var heightTables = map[string]bool{"blocks": true, "txs": true, "leaves": true, "events": true}

// dumpProjection renders the projection's tables as sorted text, the
// height-bound ones up to last; partial keeps only the rows of the
// height-bound tables above after.
func dumpProjection(ctx context.Context, db *sql.DB, last int64, partial bool, after int64) (string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '%fts%' AND name != 'migrations' ORDER BY name`)
	if err != nil {
		return "", err
	}
	var tables []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return "", err
		}
		tables = append(tables, n)
	}
	rows.Close()
	var out strings.Builder
	for _, tb := range tables {
		q := "SELECT * FROM " + tb
		switch {
		case heightTables[tb] && partial:
			q += fmt.Sprintf(" WHERE height > %d AND height <= %d", after, last)
		case heightTables[tb]:
			q += fmt.Sprintf(" WHERE height <= %d", last)
		case partial:
			continue
		}
		rs, err := db.QueryContext(ctx, q)
		if err != nil {
			return "", fmt.Errorf("%s: %w", tb, err)
		}
		cols, _ := rs.Columns()
		var lines []string
		for rs.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rs.Scan(ptrs...); err != nil {
				rs.Close()
				return "", fmt.Errorf("%s: %w", tb, err)
			}
			lines = append(lines, fmt.Sprintf("%v", vals))
		}
		rs.Close()
		sort.Strings(lines)
		fmt.Fprintf(&out, "== %s (%d rows)\n%s\n", tb, len(lines), strings.Join(lines, "\n"))
	}
	return out.String(), nil
}

func firstDifference(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d: node %.200q, clean %.200q", i, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines against %d", len(al), len(bl))
}
