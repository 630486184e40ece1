package cli

import (
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestOfficeCommands elects a clerk through the CLI against a real node:
// candidacies, ranked ballots by name and number, the round-by-round
// result, a notice and payments within a budget, a candidacy refused by the
// consecutive term limit, and a recall that vacates the seat, with the
// refusals around them.
func TestOfficeCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	home, keyOf := keyring(t, "ada", "bram", "chiara")
	mustRun(t, "init", "--home", home, "--constitution", filepath.Join("testdata", "offices.toml"), "--founder", "Ada="+keyOf("ada"),
		"--founder", "Bram="+keyOf("bram"), "--founder", "Chiara="+keyOf("chiara"), "--timeout-commit", "200ms", "--empty-blocks", "500ms")
	node, as := serve(t, home)
	refused := func(says string, args ...string) {
		t.Helper()
		_, errOut, code := run(t, args...)
		if code == 0 || !strings.Contains(errOut, says) {
			t.Fatalf("folkmoot %s: exit %d, %q, want %q", strings.Join(args, " "), code, errOut, says)
		}
	}
	// waitFor polls a read command until its output contains want.
	waitFor := func(want string, args ...string) string {
		t.Helper()
		deadline := time.Now().Add(90 * time.Second)
		for {
			out := mustRun(t, append(args, "--node", node)...)
			if strings.Contains(out, want) {
				return out
			}
			if time.Now().After(deadline) {
				t.Fatalf("folkmoot %s never said %q:\n%s", strings.Join(args, " "), want, out)
			}
			time.Sleep(300 * time.Millisecond)
		}
	}

	if out := mustRun(t, "office", "list", "--node", node); !strings.Contains(out, "clerk") || !strings.Contains(out, "(vacant)") ||
		!strings.Contains(out, "1: nominations until") {
		t.Fatalf("office list:\n%s", out)
	}
	refused("rejected (code 117 election_not_voting): ballot rejected: voting in election 1 (clerk) opens at", as("ada", "elect", "1", "1")...)
	if out := mustRun(t, as("ada", "candidate", "1")...); !strings.Contains(out, "candidacy recorded in block") {
		t.Fatalf("candidate: %s", out)
	}
	mustRun(t, as("bram", "candidate", "1")...)
	refused("rejected (code 113 already_candidate): candidacy rejected: you already stand in election 1 (clerk)", as("ada", "candidate", "1")...)
	refused("rejected (code 111 unknown_election)", as("ada", "candidate", "9")...)
	refused(`"Dora" does not stand in election 1 (candidates: Ada (1), Bram (2))`, as("ada", "elect", "1", "Dora")...)
	refused("election number \"x\" is not a positive number", as("ada", "candidate", "x")...)

	waitFor("1 seat, voting", "show", "election", "1")
	refused("rejected (code 118 bad_ranking): ballot rejected: member 1 is ranked twice", as("bram", "elect", "1", "1", "Ada")...)
	refused("rejected (code 116 not_candidate): ballot rejected: preference 1 is member 3", as("bram", "elect", "1", "3")...)
	if out := mustRun(t, as("ada", "elect", "1", "ada", "bram")...); !strings.Contains(out, "rank recorded in block") {
		t.Fatalf("elect: %s", out)
	}
	mustRun(t, as("bram", "elect", "1", "2")...)
	mustRun(t, as("chiara", "elect", "1", "2")...)
	mustRun(t, as("chiara", "elect", "1", "Ada", "Bram")...) // a second ballot replaces the first
	out := waitFor("ELECTED", "show", "election", "1")
	for _, want := range []string{"ELECTED     Ada (1)", "count       IRV", "1 round: Ada 2, Bram 1; exhausted 0; elected Ada (1)", "ballots     3 of 3 eligible"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show election lacks %q:\n%s", want, out)
		}
	}
	if out := mustRun(t, "office", "show", "clerk", "--node", node); !strings.Contains(out, "holder    Ada (member 1), since") ||
		!strings.Contains(out, "limits    at most 1 term in a row, any number in a lifetime") {
		t.Fatalf("office show:\n%s", out)
	}

	// The clerk's powers: a notice, and payments within a budget.
	if out := mustRun(t, as("ada", "office", "notice", "clerk", "--title", "Assembly", "--text", "Thursday at eight.")...); !strings.Contains(out, "notice recorded in block") {
		t.Fatalf("notice: %s", out)
	}
	refused("rejected (code 123 not_holder): notice rejected: you hold no seat as clerk", as("bram", "office", "notice", "clerk", "--title", "X", "--text", "Y")...)
	refused(`rejected (code 110 unknown_office): notice rejected: there is no office "mayor"`, as("ada", "office", "notice", "mayor", "--title", "X", "--text", "Y")...)
	refused(`rejected (code 127 amount_not_budget)`, as("ada", "propose", "--title", "Paint", "--amount", "5", "--voting", "5s")...)
	mustRun(t, as("ada", "propose", "--title", "Paint the hall", "--type", "budget", "--amount", "500", "--voting", "5s")...)
	mustRun(t, as("bram", "vote", "1", "yes")...)
	mustRun(t, as("chiara", "vote", "1", "yes")...)
	if out := waitFor("PASSED", "show", "proposal", "1"); !strings.Contains(out, "budget    500, of which 0 paid") {
		t.Fatalf("show proposal lacks the budget:\n%s", out)
	}
	mustRun(t, as("ada", "office", "pay", "clerk", "--budget", "1", "--amount", "300", "--payee", "Paint Co", "--memo", "white")...)
	refused("rejected (code 126 budget_exceeded): payment rejected: budget proposal 1 has 200 left of 500; a payment of 300 would exceed it",
		as("ada", "office", "pay", "clerk", "--budget", "1", "--amount", "300", "--payee", "Paint Co")...)
	if out := mustRun(t, "office", "show", "clerk", "--node", node); !strings.Contains(out, "payment   1 by Ada: 300 to Paint Co under budget 1 (white)") ||
		!strings.Contains(out, "notice    1 by Ada") {
		t.Fatalf("office show after payments:\n%s", out)
	}

	// The next regular election: Ada has served the one term in a row the
	// constitution allows.
	waitFor("1 seat, nominating", "show", "election", "2")
	refused("rejected (code 114 consecutive_term_limit): candidacy rejected: Ada has served 1 consecutive term as clerk, the most the constitution allows; they may stand again after a term out of office",
		as("ada", "candidate", "2")...)
	mustRun(t, as("bram", "candidate", "2")...)

	// A recall: two of the three members sign, the ballot opens at once
	// and passes, and the seat is vacated (too little of the term is left
	// for a by-election).
	if out := mustRun(t, as("bram", "recall", "clerk", "Ada")...); !strings.Contains(out, "recall recorded in block") {
		t.Fatalf("recall: %s", out)
	}
	refused("rejected (code 129 already_signed)", as("bram", "recall", "clerk", "1")...)
	refused(`"Dora" holds no seat as clerk (holders: Ada (1))`, as("bram", "recall", "clerk", "Dora")...)
	mustRun(t, as("chiara", "recall", "clerk", "1")...)
	if out := mustRun(t, "show", "proposal", "2", "--node", node); !strings.Contains(out, "Proposal 2: Recall Ada as clerk\nrecall ballot, petition started by Bram (member 2), open") {
		t.Fatalf("the recall ballot:\n%s", out)
	}
	mustRun(t, as("bram", "vote", "2", "yes")...)
	mustRun(t, as("chiara", "vote", "2", "yes")...)
	waitFor("PASSED", "show", "proposal", "2")
	if out := mustRun(t, "office", "show", "clerk", "--node", node); !strings.Contains(out, "holders   (vacant)") ||
		!strings.Contains(out, "petition  1 to recall Ada: 2 of 2 signatures, decided") {
		t.Fatalf("office show after the recall:\n%s", out)
	}
	refused("rejected (code 124 term_ended): notice rejected: your term as clerk ended on", as("ada", "office", "notice", "clerk", "--title", "X", "--text", "Y")...)
}
