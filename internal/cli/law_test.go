package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestLawsRulesAndInitiatives runs the law, rules and initiative commands
// against a real node: a law and an amendment are proposed through the CLI
// and pass; an initiative gathers signatures, opens for voting in the block
// of the one that reaches its threshold, and enacts a second law; the
// register, a law's history and the rule history answer; the bad inputs
// print their code and sentence.
func TestLawsRulesAndInitiatives(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	dir := t.TempDir()
	home, keyOf := keyring(t, "ada", "bram", "chiara")
	constitution := fmt.Sprintf(`name = "Elm Street"
vouches_required = 2
min_voting_period = "4s"
max_voting_period = "720h"
max_lead_time = "24h"
quorum = "1/3"
threshold = "1/2"
categories = ["general", "rules"]

[initiative]
threshold = "2/3"
window = "1h"
voting_period = "20s"

[[founders]]
name = "Ada"
key = %q

[[founders]]
name = "Bram"
key = %q

[[founders]]
name = "Chiara"
key = %q
`, keyOf("ada"), keyOf("bram"), keyOf("chiara"))
	file := filepath.Join(dir, "elm.toml")
	rules := filepath.Join(dir, "quorum.json")
	if err := os.WriteFile(file, []byte(constitution), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(rules, []byte(`{"quorum": "1/2"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "init", "--home", home, "--constitution", file, "--timeout-commit", "200ms", "--empty-blocks", "500ms")
	node, as := serve(t, home)

	// 1: a law; 2: an amendment; 3: an initiative for a second law.
	mustRun(t, as("ada", "propose", "--title", "Quiet hours", "--measure", "law", "--sunset", "8760h", "--voting", "20s")...)
	mustRun(t, as("ada", "propose", "--title", "Half must vote", "--category", "rules", "--measure", "amendment", "--rules-file", rules, "--voting", "20s")...)
	// One yes of three members meets a quorum of a third and any threshold.
	mustRun(t, as("ada", "vote", "1", "yes")...)
	mustRun(t, as("ada", "vote", "2", "yes")...)
	if out := mustRun(t, as("chiara", "initiative", "start", "--title", "Car-free Sundays", "--measure", "law")...); !strings.Contains(out, "propose recorded in block") {
		t.Fatalf("initiative start: %s", out)
	}
	mustRun(t, as("ada", "initiative", "sign", "3")...)
	if out := mustRun(t, "initiative", "list", "--node", node); !strings.Contains(out, "Car-free Sundays") || !strings.Contains(strings.Join(strings.Fields(out), " "), "Car-free Sundays law gathering 1/2 gathers until") {
		t.Fatalf("initiative list while gathering:\n%s", out)
	}
	bad := []struct {
		args []string
		says string
	}{
		{as("bram", "vote", "3", "yes"), "rejected (code 144 initiative_gathering): ballot rejected: initiative 3 is still gathering endorsements (1 of 2)"},
		// The CLI refuses, before signing, what tx.Check refuses, in its words.
		{as("bram", "propose", "--title", "Timed", "--initiative", "--voting", "5s"), "rejected (code 140 initiative_times): proposal rejected: an initiative names no voting times"},
		{as("bram", "propose", "--title", "Opening", "--initiative", "--opens", "2030-01-01T00:00:00Z"), "rejected (code 140 initiative_times)"},
		{as("bram", "propose", "--title", "Odd", "--measure", "decree", "--voting", "5s"), "--measure: measure must be resolution, law, renewal, repeal or amendment"},
		{as("bram", "law", "repeal", "9", "--title", "Gone", "--voting", "5s"), "rejected (code 90 unknown_law): proposal rejected: there is no law 9"},
		{[]string{"law", "show", "9", "--node", node}, "there is no law 9"},
		{[]string{"law", "list", "--at", "yesterday", "--node", node}, `time "yesterday": write it like 2027-06-01T12:00:00Z`},
		{[]string{"rules", "--proposal", "99", "--node", node}, "there is no proposal 99"},
	}
	for _, b := range bad {
		_, errOut, code := run(t, b.args...)
		if code == 0 || !strings.Contains(errOut, b.says) {
			t.Fatalf("folkmoot %s: exit %d, %q, want %q", strings.Join(b.args, " "), code, errOut, b.says)
		}
	}
	// Bram's signature reaches two thirds: voting opens in its block.
	mustRun(t, as("bram", "initiative", "sign", "3")...)
	if out := mustRun(t, "show", "proposal", "3", "--node", node); !strings.Contains(out, "initiative: 2 of 2 signatures needed; voting closes") ||
		!strings.Contains(out, ", open") {
		t.Fatalf("show proposal 3 after the second signature:\n%s", out)
	}
	mustRun(t, as("ada", "vote", "3", "yes")...)

	// Wait for the three decisions.
	deadline := time.Now().Add(90 * time.Second)
	var out string
	for {
		out = mustRun(t, "law", "list", "--node", node)
		if (strings.Contains(out, "Car-free Sundays") && strings.Contains(out, "Quiet hours")) || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	for _, want := range []string{"Quiet hours", "Car-free Sundays", "EXPIRES"} {
		if !strings.Contains(out, want) {
			t.Fatalf("law list lacks %q:\n%s", want, out)
		}
	}
	var laws []struct {
		Number   uint64 `json:"number"`
		Proposal uint64 `json:"proposal"`
		Status   string `json:"status"`
		Enacted  time.Time
		Expires  time.Time
	}
	if err := json.Unmarshal([]byte(mustRun(t, "law", "list", "--node", node, "--output", "json")), &laws); err != nil || len(laws) != 2 {
		t.Fatalf("law list json: %v %+v", err, laws)
	}
	quiet := laws[0] // the laws are numbered in the order they passed
	if quiet.Proposal != 1 {
		quiet = laws[1]
	}
	if quiet.Proposal != 1 || laws[0].Proposal+laws[1].Proposal != 4 || quiet.Status != "in_force" || quiet.Expires.Sub(quiet.Enacted) != 8760*time.Hour {
		t.Fatalf("laws %+v", laws)
	}
	qn := fmt.Sprint(quiet.Number)
	if out := mustRun(t, "law", "list", "--at", "2020-01-01T00:00:00Z", "--node", node); !strings.Contains(out, "no laws in force") {
		t.Fatalf("law list in 2020: %s", out)
	}
	if out := mustRun(t, "law", "show", qn, "--node", node); !strings.Contains(out, "Law "+qn+": Quiet hours") || !strings.Contains(out, "enacted by proposal 1, to expire") {
		t.Fatalf("law show %s:\n%s", qn, out)
	}
	if out := mustRun(t, "initiative", "list", "--node", node); !strings.Contains(strings.Join(strings.Fields(out), " "), "Car-free Sundays law decided 2/2 passed at") {
		t.Fatalf("initiative list after the vote:\n%s", out)
	}
	for out = mustRun(t, "rules", "--node", node); !strings.Contains(out, "version 2") && time.Now().Before(deadline); out = mustRun(t, "rules", "--node", node) {
		time.Sleep(300 * time.Millisecond) // the amendment closes a block or two after the law
	}
	for _, want := range []string{"version 1: the genesis constitution", "version 2: amended by proposal 2 in block",
		"initiatives need 2/3 of members within 1h0m0s, then vote for 20s", "ordinary   quorum at least 1/2 of members"} {
		if !strings.Contains(out, want) {
			t.Fatalf("rules lack %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, "rules", "--proposal", "1", "--node", node); !strings.Contains(out, "version 1:") || strings.Contains(out, "version 2") {
		t.Fatalf("rules for proposal 1:\n%s", out)
	}
	if out := mustRun(t, "rules", "--height", "1", "--node", node); !strings.Contains(out, "version 1:") {
		t.Fatalf("rules at height 1:\n%s", out)
	}
	if out := mustRun(t, as("ada", "law", "renew", qn, "--title", "Keep the quiet hours", "--sunset", "8760h", "--voting", "5s")...); !strings.Contains(out, "propose recorded in block") {
		t.Fatalf("law renew: %s", out)
	}
	if out := mustRun(t, "show", "proposal", "4", "--node", node); !strings.Contains(out, "measure renewal of law "+qn) {
		t.Fatalf("show proposal 4:\n%s", out)
	}

	// The whole record replays offline to the same results.
	hist := filepath.Join(dir, "elm.fmh")
	mustRun(t, "export", "--node", node, "-o", hist)
	out = mustRun(t, "verify", hist)
	for _, want := range []string{"proposal 1 passed", "proposal 2 passed", "proposal 3 passed", "result      OK"} {
		if !strings.Contains(out, want) {
			t.Fatalf("verify lacks %q:\n%s", want, out)
		}
	}
}
