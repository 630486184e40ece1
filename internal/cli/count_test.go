package cli

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestCountCommand runs "folkmoot count" on a real election file and checks
// the published outcome, in JSON and in text, and a bad file.
func TestCountCommand(t *testing.T) {
	out := mustRun(t, "count", "--method", "stv", "--seats", "4", "--output", "json",
		"../../testdata/count/edinburgh_2017_ward_1_-_almond.blt")
	var r struct {
		Winners []string `json:"winners"`
		Voters  int      `json:"voters"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	// Edinburgh 2017, ward 1 (Almond): the four declared councillors.
	want := map[string]bool{"Kevin  LANG": true, "Louise YOUNG": true, "Graham HUTCHISON": true, "Norrie WORK": true}
	if len(r.Winners) != 4 || r.Voters != 14207 {
		t.Fatalf("winners %v, voters %d", r.Winners, r.Voters)
	}
	for _, w := range r.Winners {
		if !want[w] {
			t.Fatalf("%q was not elected in Almond 2017; got %v", w, r.Winners)
		}
	}
	text := mustRun(t, "count", "--method", "mes", "../../testdata/count/Netherlands_Assen_2024.pb")
	if !strings.Contains(text, "mes/cost/add1") || !strings.Contains(text, "1. 3 ") {
		t.Fatalf("mes text output:\n%s", text)
	}
	_, errOut, code := run(t, "count", "--method", "irv", "../../testdata/count/SOURCE.md")
	if code == 0 || errOut == "" {
		t.Fatalf("a non-election file was counted: exit %d", code)
	}
}
