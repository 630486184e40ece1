package cli

import (
	"strings"
	"testing"
	"time"
)

// TestDelegateCommands delegates and withdraws through the CLI against a
// real node: a delegated vote is counted and shown, a withdrawn one is not,
// and the bad inputs print their code and sentence.
func TestDelegateCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	home, keyOf := keyring(t, "ada", "bram", "chiara", "dmitri")
	mustRun(t, "init", "--home", home, "--name", "Elm Street", "--founder", "Ada="+keyOf("ada"), "--founder", "Bram="+keyOf("bram"),
		"--founder", "Chiara="+keyOf("chiara"), "--founder", "Dmitri="+keyOf("dmitri"),
		"--vouches", "2", "--quorum", "1/3", "--threshold", "1/2", "--min-voting", "4s", "--timeout-commit", "200ms", "--empty-blocks", "500ms")
	node, as := serve(t, home)
	// Chiara delegates to Bram by key, Dmitri to Chiara by number (a
	// chain); Ada delegates and withdraws.
	if out := mustRun(t, as("chiara", "delegate", "--category", "general", "--to", keyOf("bram"))...); !strings.Contains(out, "delegate recorded in block") {
		t.Fatalf("delegate: %s", out)
	}
	mustRun(t, as("dmitri", "delegate", "--category", "general", "--to", "3")...)
	mustRun(t, as("ada", "delegate", "--category", "general", "--to", "2")...)
	if out := mustRun(t, as("ada", "undelegate", "--category", "general")...); !strings.Contains(out, "undelegate recorded in block") {
		t.Fatalf("undelegate: %s", out)
	}

	bad := []struct {
		args []string
		says string
	}{
		{as("ada", "delegate", "--category", "general", "--to", "1"), "rejected (code 100 delegate_self): delegation rejected: you cannot delegate your vote to yourself"},
		{as("ada", "delegate", "--category", "general", "--to", "9"), "rejected (code 101 unknown_delegate): delegation rejected: there is no member 9"},
		{as("ada", "delegate", "--category", "parks", "--to", "2"), `code 50 unknown_category): delegation rejected: category "parks"`},
		{as("ada", "undelegate", "--category", "general"), `rejected (code 103 not_delegated): withdrawal of delegation rejected: you have not delegated your vote on "general"`},
		{as("chiara", "delegate", "--category", "general", "--to", "2"), "rejected (code 104 delegation_unchanged)"},
		{as("ada", "delegate", "--category", "general", "--to", "0"), "--to: member numbers start at 1"},
		{as("ada", "delegate", "--category", "general", "--to", "bob"), "--to: give a member number or a public key"},
	}
	for _, b := range bad {
		_, errOut, code := run(t, b.args...)
		if code == 0 || !strings.Contains(errOut, b.says) {
			t.Fatalf("folkmoot %s: exit %d, %q, want %q", strings.Join(b.args[:5], " "), code, errOut, b.says)
		}
	}

	// 15 s to vote, so that a busy machine still casts both ballots in time.
	mustRun(t, as("ada", "propose", "--title", "Plant an orchard", "--voting", "15s")...)
	mustRun(t, as("bram", "vote", "1", "yes")...)
	mustRun(t, as("ada", "vote", "1", "no")...)
	deadline := time.Now().Add(60 * time.Second)
	var out string
	for {
		out = mustRun(t, "show", "proposal", "1", "--node", node)
		if strings.Contains(out, "PASSED") || strings.Contains(out, "FAILED") || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	for _, want := range []string{"PASSED — 3 yes, 1 no, 0 abstain; turnout 4 of 4",
		"delegated 2 yes, 0 no, 0 abstain of the result carried by delegation; not counted: 0 over the weight cap, 0 in cycles"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show proposal lacks %q:\n%s", want, out)
		}
	}
}
