package cli

import (
	"bytes"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/node"

	_ "modernc.org/sqlite" // the projection's driver, to read its tables
)

// TestDemo runs the README's first command end to end on a real node: it
// must found the community, leave a proposal in every state (passed into
// law, failed, open, withdrawn, scheduled, an initiative gathering
// signatures) with comments and endorsements, elect a tree warden, and
// verify the export.
func TestDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node and waits for votes to close")
	}
	home := filepath.Join(t.TempDir(), "demo")
	var out, errOut bytes.Buffer
	code := Main([]string{"demo", "--once", "--home", home, "--voting", "6s"}, strings.NewReader(""), &out, &errOut)
	if code != 0 {
		t.Fatalf("demo exited %d: %s\n%s", code, errOut.String(), out.String())
	}
	got := out.String()
	for _, want := range []string{
		"members now: 5",
		"1. Plant a community orchard on the empty lot\n     PASSED — 4 yes, 0 no, 1 abstain; turnout 5 of 5",
		"2. Turn the reading bench into two parking spaces\n     FAILED — 1 yes, 3 no, 0 abstain",
		"3. Hold a monthly repair café in the community hall\n     open: 2 yes",
		"4. Paint the bus shelter bright orange\n     withdrawn by its author before voting opened",
		"5. Close Elm Street to cars on summer Sundays\n     scheduled: voting opens ",
		"6. Put a drinking fountain in the square\n     gathering: no vote (1 of 3 signatures)",
		"7. Which tree for the square?\n     PASSED — chosen: oak (oak 3, lime 1, cherry 1); turnout 5 of 5",
		"secret      6 ballots and 2 partial decryptions, every proof checked; 1 tallies",
		"Election 1, tree warden: Ada elected after 2 rounds",
		"Draw 1, Citizens' panel on the square: ",
		"drawn by stratified lot from 4 volunteers (4 reveals; did not reveal: member 4)",
		"result      OK: every result and app hash matches the record",
		"  web:  http://127.0.0.1:",
		"Open the site:      http://127.0.0.1:",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("demo output lacks %q:\n%s", want, got)
		}
	}
	// The exported history verifies again through the CLI.
	var vout bytes.Buffer
	if code := Main([]string{"verify", filepath.Join(home, "history.fmh")}, nil, &vout, &errOut); code != 0 {
		t.Fatalf("verify exited %d: %s", code, errOut.String())
	}
	// The projection holds the same story (read straight from its tables:
	// the store answers only what the state does not hold).
	db, err := sql.Open("sqlite", "file:"+node.ProjectionPath(home)+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	type row struct {
		status                      string
		endorsements, yes, comments uint64
		passed                      sql.NullBool
	}
	rows := map[uint64]row{}
	rs, err := db.Query(`SELECT id, status, endorsements, yes, comments, passed FROM proposals`)
	if err != nil {
		t.Fatal(err)
	}
	for rs.Next() {
		var id uint64
		var r row
		if err := rs.Scan(&id, &r.status, &r.endorsements, &r.yes, &r.comments, &r.passed); err != nil {
			t.Fatal(err)
		}
		rows[id] = r
	}
	if err := rs.Err(); err != nil || len(rows) != 7 {
		t.Fatalf("projection has %d proposals (%v)", len(rows), err)
	}
	statuses := map[uint64]string{1: "decided", 2: "decided", 3: "open", 4: "withdrawn", 5: "scheduled", 6: "gathering", 7: "decided"}
	for id, r := range rows {
		if r.status != statuses[id] {
			t.Errorf("projection's proposal %d is %s, want %s", id, r.status, statuses[id])
		}
	}
	if p3 := rows[3]; p3.endorsements != 1 || p3.yes != 2 {
		t.Errorf("projection's proposal 3: %+v", p3)
	}
	if p5 := rows[5]; p5.endorsements != 1 || p5.comments != 1 {
		t.Errorf("projection's proposal 5: %+v", p5)
	}
	if p1 := rows[1]; !p1.passed.Bool || p1.yes != 4 || p1.comments != 2 {
		t.Fatalf("projection's proposal 1: %+v", p1)
	}
	// Esi amended proposal 5 before its vote opened: the change is kept.
	var amended int
	var body string
	if err := db.QueryRow(`SELECT count(*), max(body) FROM text_amendments WHERE proposal = 5`).Scan(&amended, &body); err != nil ||
		amended != 1 || !strings.Contains(body, "11:00") {
		t.Errorf("projection's text amendments of proposal 5: %d %q %v", amended, body, err)
	}
	if _, err := os.Stat(filepath.Join(home, "config", "genesis.json")); err != nil {
		t.Fatal(err)
	}
}
