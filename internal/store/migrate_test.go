package store

import (
	"database/sql"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// latestMigration returns the highest version among the embedded
// migrations.
func latestMigration(t *testing.T) int {
	t.Helper()
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	v := 0
	for _, n := range names {
		x, err := strconv.Atoi(strings.SplitN(path.Base(n), "_", 2)[0])
		if err != nil {
			t.Fatal(err)
		}
		v = max(v, x)
	}
	return v
}

// TestInitiativeMigrationKeepsRows builds a projection at schema version 1
// holding a proposal with an endorsement, a comment and a ballot, then
// opens it: the initiatives migration widens the status check, and the
// rows, their foreign keys and the full-text index survive.
func TestInitiativeMigrationKeepsRows(t *testing.T) {
	file := t.TempDir() + "/projection.db"
	db, err := sql.Open("sqlite", dsn(file, false))
	if err != nil {
		t.Fatal(err)
	}
	init1, err := fs.ReadFile(migrations, "migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied INTEGER NOT NULL)`,
		string(init1),
		`INSERT INTO migrations VALUES (1, '0001_init.sql', 1)`,
		`INSERT INTO members (number, key, name, admitted_time, admitted_height, admit_seq, vouched_by) VALUES (1, 'k1', 'ada', 0, 0, 1, '[]')`,
		`INSERT INTO proposals (id, author, title, body, category, created, created_height, opens, closes, status, quorum, threshold,
			eligible, yes, no, abstain, endorsements, comments) VALUES (1, 1, 'Plant oaks', 'On the green', 'general', 0, 1, 0, 0, 'open', '1/3', '1/2', 1, 0, 0, 0, 1, 1)`,
		`INSERT INTO endorsements (proposal, member, height) VALUES (1, 1, 1)`,
		`INSERT INTO comments (id, proposal, author, text, height, time) VALUES (1, 1, 1, 'Yes', 1, 0)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	db.Close()

	s, err := Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ms, _ := s.Migrations()
	found := false
	for _, m := range ms {
		found = found || m.Name == "0004_initiatives.sql"
	}
	if !found {
		t.Fatalf("migrations %+v", ms)
	}
	for _, st := range []string{"gathering", "lapsed", "open"} {
		if _, err := s.w.Exec(`UPDATE proposals SET status = ? WHERE id = 1`, st); err != nil {
			t.Fatalf("status %s: %v", st, err)
		}
	}
	if _, err := s.w.Exec(`UPDATE proposals SET status = 'maybe' WHERE id = 1`); err == nil || !strings.Contains(err.Error(), "CHECK constraint failed") {
		t.Fatalf("a status outside the list: %v", err)
	}
	if _, err := s.w.Exec(`INSERT INTO endorsements (proposal, member, height) VALUES (2, 1, 2)`); err == nil || !strings.Contains(err.Error(), "FOREIGN KEY") {
		t.Fatalf("an endorsement of a missing proposal: %v", err)
	}
	var n int
	if err := s.r.QueryRow(`SELECT count(*) FROM proposals_fts WHERE proposals_fts MATCH 'oaks'`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("full-text search: %d %v", n, err)
	}
	if err := s.r.QueryRow(`SELECT count(*) FROM endorsements JOIN comments USING (proposal)`).Scan(&n); err != nil || n != 1 {
		t.Fatalf("rows after the migration: %d %v", n, err)
	}
}

// TestInitiativesInTheProjection: a gathering initiative is projected with
// no voting times; the signature that qualifies it writes its status and
// times; one whose window passes is projected as lapsed. The projection
// matches the core throughout.
func TestInitiativesInTheProjection(t *testing.T) {
	w := newWorld(t)
	a, b, c := w.m["alice"], w.m["bob"], w.m["carol"]
	w.block(time.Second, false, a.Sign(&tx.Propose{Title: "Car-free Sundays", Category: "general", Initiative: true}),
		b.Sign(&tx.Propose{Title: "Paint the hall", Category: "general", Initiative: true}))
	p, err := w.s.Proposal(1)
	if err != nil || p.Status != "gathering" || p.Opens.UnixNano() != 0 || p.OpenedHeight != 0 {
		t.Fatalf("gathering: %+v %v", p, err)
	}
	w.block(time.Second, false, c.Sign(&tx.Endorse{Proposal: 1}))
	p, _ = w.s.Proposal(1)
	cp, _ := w.st.Proposal(1)
	if p.Status != "open" || p.OpenedHeight != 2 || p.Endorsements != 1 || p.Opens.UnixNano() != cp.Opens || p.Closes.UnixNano() != cp.Closes || p.Eligible != 3 {
		t.Fatalf("qualified: %+v", p)
	}
	w.block(91*24*time.Hour, false)
	p2, _ := w.s.Proposal(2)
	p1, _ := w.s.Proposal(1)
	if p2.Status != "lapsed" || p1.Status != "decided" {
		t.Fatalf("after the window: %s, %s", p2.Status, p1.Status)
	}
	ps, err := w.s.Proposals("lapsed")
	if err != nil || len(ps) != 1 || ps[0].ID != 2 {
		t.Fatalf("lapsed filter: %+v %v", ps, err)
	}
	matchState(t, w.s, w.st)
}

// TestStatusCheckIsTheCoresVocabulary: the proposals table's CHECK admits
// exactly the stages core.Statuses names.
func TestStatusCheckIsTheCoresVocabulary(t *testing.T) {
	s, _ := openTemp(t)
	var ddl string
	if err := s.r.QueryRow(`SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = 'proposals'`).Scan(&ddl); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`CHECK \(status IN \(([^)]*)\)\)`).FindStringSubmatch(ddl)
	if m == nil {
		t.Fatalf("no status check in %s", ddl)
	}
	var got []string
	for _, q := range strings.Split(m[1], ",") {
		got = append(got, strings.Trim(strings.TrimSpace(q), "'"))
	}
	want := core.Statuses()
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Fatalf("the projection admits %v, the core has %v", got, want)
	}
}
