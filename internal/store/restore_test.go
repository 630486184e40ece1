package store

import (
	"fmt"
	"testing"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
)

// rowsOf renders the rows a query returns, in order.
func rowsOf(t *testing.T, s *Store, q string) []string {
	t.Helper()
	rows, err := s.r.Query(q)
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		line := ""
		for i, v := range vals {
			if b, ok := v.([]byte); ok {
				v = string(b)
			}
			line += cols[i] + "=" + toString(v) + " "
		}
		out = append(out, line)
	}
	return out
}

func toString(v any) string {
	if v == nil {
		return "NULL"
	}
	return fmt.Sprint(v)
}

// TestRestoreThenFollow: a projection restored at a height from the state
// there takes the blocks after it, and then shows the same members,
// proposals (texts and figures), blocks and transactions after that height
// as a projection that took every block.
func TestRestoreThenFollow(t *testing.T) {
	full := newSimStore(t, 21, 6)
	for range 30 {
		full.block(4)
	}
	b, err := full.sim.State.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	at, err := core.Restore(b)
	if err != nil {
		t.Fatal(err)
	}
	joined, _ := openTemp(t)
	if err := joined.Restore(30, at.Time(), at); err == nil {
		t.Fatal("Restore before Init succeeded")
	}
	if err := joined.Init(coretest.ChainID, coretest.GenesisTime, full.sim.AppState); err != nil {
		t.Fatal(err)
	}
	if err := joined.Restore(30, at.Time(), at); err != nil {
		t.Fatal(err)
	}
	if err := joined.Restore(30, at.Time(), at); err != nil {
		t.Fatalf("restoring the same height again: %v", err)
	}
	for range 30 {
		blk, res := full.block(4)
		if err := joined.WriteBlock(record(full.sim.State, blk, res)); err != nil {
			t.Fatal(err)
		}
	}
	for _, q := range []string{
		`SELECT number, key, name, admit_seq, vouched_by, left_height IS NULL FROM members ORDER BY number`,
		`SELECT id, author, title, body, category, created, opens, closes, status, quorum, threshold, eligible, yes, no, abstain,
			endorsements, comments, turnout, quorum_reached, passed FROM proposals ORDER BY id`,
		`SELECT * FROM blocks WHERE height > 30 ORDER BY height`,
		`SELECT * FROM txs WHERE height > 30 ORDER BY height, idx`,
		`SELECT * FROM leaves WHERE height > 30 ORDER BY idx`,
		`SELECT * FROM events WHERE height > 30 ORDER BY height, seq`,
	} {
		want, got := rowsOf(t, full.s, q), rowsOf(t, joined, q)
		if len(want) == 0 {
			t.Fatalf("%s: no rows in the full projection", q)
		}
		if len(want) != len(got) {
			t.Fatalf("%s: %d rows, the full projection has %d", q, len(got), len(want))
		}
		for i := range want {
			if want[i] != got[i] {
				t.Fatalf("%s: row %d is\n%s\nnot\n%s", q, i, got[i], want[i])
			}
		}
	}
	checkIntegrity(t, joined)
}
