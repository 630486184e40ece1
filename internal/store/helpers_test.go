package store

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/merkle"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// openTemp opens a projection in a fresh temporary directory.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "projection.db")
	s, err := Open(path)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// record turns a block and its result into what WriteBlock takes.
func record(st *core.State, b core.Block, res core.BlockResult) BlockRecord {
	return BlockRecord{Height: b.Height, Time: b.Time, Txs: b.Txs, Result: res, State: st}
}

// simStore runs a simulated community and writes every block.
type simStore struct {
	t   testing.TB
	sim *coretest.Sim
	s   *Store
}

func newSimStore(t testing.TB, seed uint64, founders int) *simStore {
	t.Helper()
	s, _ := openTemp(t)
	sim := coretest.NewSim(seed, founders)
	if err := s.Init(coretest.ChainID, coretest.GenesisTime, sim.AppState); err != nil {
		t.Fatalf("init: %v", err)
	}
	return &simStore{t: t, sim: sim, s: s}
}

func (x *simStore) block(n int) (core.Block, core.BlockResult) {
	x.t.Helper()
	b, res := x.sim.Block(n)
	if err := x.s.WriteBlock(record(x.sim.State, b, res)); err != nil {
		x.t.Fatalf("write block %d: %v", b.Height, err)
	}
	return b, res
}

// dump renders every projected table (not the migrations record, not the
// full-text index's shadow tables) as text, row by row in key order, so
// two databases can be compared exactly.
func dump(t testing.TB, s *Store) string {
	t.Helper()
	rows, err := s.r.Query(`SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'migrations'
		AND name NOT LIKE 'proposals_fts%' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		t.Fatalf("list tables: %v", err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	var out strings.Builder
	for _, tbl := range tables {
		fmt.Fprintf(&out, "== %s\n", tbl)
		rows, err := s.r.Query(`SELECT * FROM ` + tbl)
		if err != nil {
			t.Fatalf("dump %s: %v", tbl, err)
		}
		cols, _ := rows.Columns()
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatalf("dump %s: %v", tbl, err)
			}
			var line strings.Builder
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = fmt.Sprintf("x'%x'", b)
				}
				fmt.Fprintf(&line, "%s=%v ", cols[i], v)
			}
			lines = append(lines, line.String())
		}
		rows.Close()
		slices.Sort(lines) // independent of the order SQLite happens to return
		out.WriteString(strings.Join(lines, "\n"))
		out.WriteString("\n")
	}
	return out.String()
}

// checkIntegrity runs SQLite's and FTS5's integrity checks.
func checkIntegrity(t testing.TB, s *Store) {
	t.Helper()
	var res string
	if err := s.w.QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil || res != "ok" {
		t.Fatalf("integrity_check: %q %v", res, err)
	}
	rows, err := s.w.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatalf("foreign_key_check: %v", err)
	}
	if rows.Next() {
		t.Fatal("foreign_key_check found a dangling reference")
	}
	rows.Close()
	if _, err := s.w.Exec(`INSERT INTO proposals_fts (proposals_fts) VALUES ('integrity-check')`); err != nil {
		t.Fatalf("full-text index integrity: %v", err)
	}
}

// matchState fails unless the projection shows exactly what st holds.
func matchState(t testing.TB, s *Store, st *core.State) {
	t.Helper()
	h, appHash, err := s.Height()
	if err != nil {
		t.Fatal(err)
	}
	root := st.Root()
	if h != st.Height() || !bytes.Equal(appHash, root[:]) {
		t.Fatalf("projection at %d %x, state at %d %x", h, appHash, st.Height(), root)
	}
	if n, err := s.LeafCount(h); err != nil || n != st.Leaves() {
		t.Fatalf("leaf count %d %v, state has %d", n, err, st.Leaves())
	}
	members, err := s.Members(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(members) != len(st.Members()) {
		t.Fatalf("%d members projected, state has %d", len(members), len(st.Members()))
	}
	for i, want := range st.Members() {
		got := members[i]
		if got.Number != want.Number || got.Key != want.Key || got.Name != want.Name || got.Admitted.UnixNano() != want.Admitted ||
			got.Left != want.Left || !slices.Equal(got.VouchedBy, nonNil(want.VouchedBy)) {
			t.Fatalf("member %d projected %+v, state %+v", want.Number, got, want)
		}
	}
	current, err := s.Members(true)
	if err != nil || uint64(len(current)) != st.MemberCount() {
		t.Fatalf("%d current members projected (%v), state has %d", len(current), err, st.MemberCount())
	}
	props, err := s.Proposals("")
	if err != nil {
		t.Fatal(err)
	}
	if len(props) != len(st.Proposals()) {
		t.Fatalf("%d proposals projected, state has %d", len(props), len(st.Proposals()))
	}
	for _, want := range st.Proposals() {
		got := props[len(props)-int(want.ID)] // newest first
		if got.ID != want.ID || got.Author != want.Author || got.Title != want.Title || got.Body != want.Body ||
			got.Category != want.Category || got.Created.UnixNano() != want.Created || got.Opens.UnixNano() != want.Opens ||
			got.Closes.UnixNano() != want.Closes || got.Status != want.Status.String() || got.Eligible != want.Eligible ||
			got.Yes != want.Yes || got.No != want.No || got.Abstain != want.Abstain ||
			got.Endorsements != uint64(want.Endorsements()) || got.Comments != want.Comments ||
			got.Quorum != want.Quorum.String() || got.Threshold != want.Threshold.String() {
			t.Fatalf("proposal %d projected %+v, state %+v", want.ID, got, want)
		}
		if (got.Result != nil) != (want.Result != nil) {
			t.Fatalf("proposal %d result projected %+v, state %+v", want.ID, got.Result, want.Result)
		}
		if r := want.Result; r != nil && (got.Result.Turnout != r.Turnout || got.Result.Passed != r.Passed ||
			got.Result.QuorumReached != r.QuorumReached || got.Result.Height == 0) {
			t.Fatalf("proposal %d result projected %+v, state %+v", want.ID, got.Result, r)
		}
		ballots, err := s.ballotRows(want.ID)
		if err != nil {
			t.Fatal(err)
		}
		var yes, no, abstain uint64
		for _, b := range ballots {
			c, ok := want.BallotOf(b.Member)
			if !ok || c != b.Choice {
				t.Fatalf("proposal %d member %d: ballot %v projected, state has %v %v", want.ID, b.Member, b.Choice, c, ok)
			}
			switch b.Choice {
			case tx.Yes:
				yes++
			case tx.No:
				no++
			case tx.Abstain:
				abstain++
			}
		}
		if yes != want.Yes || no != want.No || abstain != want.Abstain {
			t.Fatalf("proposal %d ballots count %d/%d/%d, state %d/%d/%d", want.ID, yes, no, abstain, want.Yes, want.No, want.Abstain)
		}
	}
}

// leafRoot rebuilds the Merkle root after block h from the stored leaves.
func leafRoot(t testing.TB, s *Store, h int64) merkle.Hash {
	t.Helper()
	n, err := s.LeafCount(h)
	if err != nil {
		t.Fatal(err)
	}
	leaves, err := s.Leaves(0, n)
	if err != nil {
		t.Fatal(err)
	}
	var tree merkle.Tree
	for i, l := range leaves {
		if l.Index != uint64(i) {
			t.Fatalf("leaf %d stored at index %d", i, l.Index)
		}
		tree.Append(l.Data)
	}
	root, err := tree.RootAt(n)
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// world is a scripted community for query tests.
type world struct {
	t   testing.TB
	st  *core.State
	s   *Store
	now time.Time
	m   map[string]*coretest.Member
}

func newWorld(t testing.TB) *world {
	t.Helper()
	w := &world{t: t, now: coretest.GenesisTime, m: map[string]*coretest.Member{}}
	for _, n := range []string{"alice", "bob", "carol", "dave", "erin", "alice2"} {
		w.m[n] = coretest.NewMember(n)
	}
	g := coretest.AppState(coretest.Genesis(w.m["alice"], w.m["bob"], w.m["carol"]))
	var err error
	if w.st, err = core.New(coretest.ChainID, coretest.GenesisTime, g); err != nil {
		t.Fatal(err)
	}
	w.s, _ = openTemp(t)
	if err := w.s.Init(coretest.ChainID, coretest.GenesisTime, g); err != nil {
		t.Fatal(err)
	}
	return w
}

// block applies and writes a block d after the previous one; every
// transaction must be accepted unless allowReject.
func (w *world) block(d time.Duration, allowReject bool, txs ...[]byte) core.BlockResult {
	w.t.Helper()
	w.now = w.now.Add(d)
	b := core.Block{Height: w.st.Height() + 1, Time: w.now, Txs: txs}
	res, err := w.st.ApplyBlock(b, 1)
	if err != nil {
		w.t.Fatal(err)
	}
	for i, r := range res.Txs {
		if r.Code != reject.OK && !allowReject {
			w.t.Fatalf("block %d tx %d rejected: %s", b.Height, i, r.Log)
		}
	}
	if err := w.s.WriteBlock(record(w.st, b, res)); err != nil {
		w.t.Fatalf("write block %d: %v", b.Height, err)
	}
	return res
}

func sha256Sum(b []byte) [32]byte { return sha256.Sum256(b) }
