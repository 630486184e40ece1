package cli

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestSecretVoteCommands runs secret votes through the CLI against a real
// node: a referendum and an approval question, each with three trustees
// making the key, members casting encrypted ballots (one re-vote), two
// trustees decrypting, and show proposal giving the counts.
func TestSecretVoteCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	// Unencrypted keys: six trustees' commands run side by side, and
	// scrypt on a loaded machine would outlast the commitment window.
	home := filepath.Join(t.TempDir(), "home")
	for _, k := range []string{"ada", "bram", "chiara"} {
		mustRun(t, "key", "new", k, "--home", home, "--insecure-unencrypted")
	}
	keyOf := func(alias string) string {
		return strings.TrimSpace(mustRun(t, "key", "show", alias, "--key-only", "--home", home))
	}
	rules := filepath.Join(t.TempDir(), "constitution.toml")
	if err := os.WriteFile(rules, []byte("max_voting_period = \"720h\"\nmax_lead_time = \"720h\"\ncategories = [\"general\"]\n[secret]\nkey_period = \"12s\"\ndecrypt_period = \"40s\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "init", "--home", home, "--constitution", rules, "--name", "Elm Street", "--founder", "Ada="+keyOf("ada"), "--founder", "Bram="+keyOf("bram"),
		"--founder", "Chiara="+keyOf("chiara"), "--vouches", "2", "--quorum", "1/3", "--threshold", "1/2", "--min-voting", "4s",
		"--timeout-commit", "200ms", "--empty-blocks", "500ms")
	node, as := serve(t, home)

	opens := time.Now().Add(24 * time.Second).UTC().Format(time.RFC3339)
	mustRun(t, as("ada", "propose", "--title", "Build the footbridge", "--secret", "--trustees", "1,2,3", "--trustee-threshold", "2",
		"--opens", opens, "--voting", "12s")...)
	mustRun(t, as("ada", "propose", "--title", "Which trees?", "--secret", "--trustees", "1,2,3", "--option", "oak", "--option", "lime",
		"--option", "ash", "--approve", "2", "--opens", opens, "--voting", "12s")...)

	if _, errOut, code := run(t, as("ada", "vote", "1", "yes")...); code == 0 || !strings.Contains(errOut, "voting on proposal 1 has not opened yet") {
		t.Fatalf("vote before the key: exit %d %q", code, errOut)
	}
	// The trustees make both keys side by side.
	var wg sync.WaitGroup
	for _, who := range []string{"ada", "bram", "chiara"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if out := mustRun(t, as(who, "trustee", "keygen", "1", "2", "--wait")...); strings.Count(out, "the key is made") != 2 {
				t.Errorf("%s keygen: %s", who, out)
			}
		}()
	}
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}
	bad := []struct {
		args []string
		says string
	}{
		{as("ada", "propose", "--title", "Too soon", "--secret", "--trustees", "1", "--voting", "10s"), "rejected (code 155 key_too_soon)"},
		{as("ada", "propose", "--title", "No secret", "--option", "a", "--voting", "10s"), "belong to a secret vote: add --secret"},
		{as("ada", "trustee", "decrypt", "1"), "proposal 1 is open, not awaiting decryption"},
	}
	for _, b := range bad {
		_, errOut, code := run(t, b.args...)
		if code == 0 || !strings.Contains(errOut, b.says) {
			t.Fatalf("folkmoot %s: exit %d, %q, want %q", strings.Join(b.args[:4], " "), code, errOut, b.says)
		}
	}

	if out := mustRun(t, as("ada", "vote", "1", "no")...); !strings.Contains(out, "tracking code") {
		t.Fatalf("vote: %s", out)
	}
	mustRun(t, as("ada", "vote", "1", "yes", "--secret")...)
	mustRun(t, as("bram", "vote", "1", "yes")...)
	mustRun(t, as("chiara", "vote", "1", "abstain")...)
	mustRun(t, as("ada", "vote", "2", "oak", "lime")...)
	mustRun(t, as("bram", "vote", "2", "2")...)
	for _, b := range []struct {
		args []string
		says string
	}{
		{as("chiara", "vote", "2", "oak", "lime", "ash"), "you may approve at most 2 options, not 3"},
		{as("chiara", "vote", "2", "elm"), `"elm" is not one of the choices: oak, lime, ash`},
		{as("chiara", "vote", "1", "yes", "no"), "choose exactly one of: yes, no, abstain"},
	} {
		_, errOut, code := run(t, b.args...)
		if code == 0 || !strings.Contains(errOut, b.says) {
			t.Fatalf("folkmoot %s: exit %d, %q, want %q", strings.Join(b.args[:4], " "), code, errOut, b.says)
		}
	}
	for _, who := range []string{"bram", "chiara"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mustRun(t, as(who, "trustee", "decrypt", "1", "--wait")...)
			mustRun(t, as(who, "trustee", "decrypt", "2", "--wait")...)
		}()
	}
	wg.Wait()
	out := waitFor(t, node, "1", "PASSED")
	for _, want := range []string{"secret    ballot (yes / no / abstain); 2 of 3 trustees decrypt", "ballots   3 of 3 eligible have voted",
		"PASSED — 2 yes, 0 no, 1 abstain; turnout 3 of 3"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show proposal 1 lacks %q:\n%s", want, out)
		}
	}
	out = waitFor(t, node, "2", "PASSED")
	for _, want := range []string{"counts    oak 1, lime 2, ash 0", "winner    lime", "PASSED — chosen: lime (oak 1, lime 2, ash 0); turnout 2 of 3"} {
		if !strings.Contains(out, want) {
			t.Fatalf("show proposal 2 lacks %q:\n%s", want, out)
		}
	}
	verifyNode(t, node, "secret      6 ballots and 4 partial decryptions, every proof checked; 2 tallies")
}

// verifyNode replays the record streamed from node and checks every proof.
func verifyNode(t *testing.T, node, want string) {
	t.Helper()
	out := mustRun(t, "verify", "--node", node)
	for _, w := range []string{want, "result      OK: every result and app hash matches the record"} {
		if !strings.Contains(out, w) {
			t.Fatalf("verify --node lacks %q:\n%s", w, out)
		}
	}
	if _, errOut, code := run(t, "verify", "history.fmh", "--node", node); code == 0 || !strings.Contains(errOut, "give a history file or --node URL, exactly one") {
		t.Fatalf("verify FILE --node: exit %d %q", code, errOut)
	}
}

func waitFor(t *testing.T, node, id, what string) string {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		out := mustRun(t, "show", "proposal", id, "--node", node)
		if strings.Contains(out, what) || time.Now().After(deadline) {
			return out
		}
		time.Sleep(300 * time.Millisecond)
	}
}
