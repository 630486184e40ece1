package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/tx/txtest"
)

// run runs the CLI in-process and returns stdout, stderr and the exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), code
}

func mustRun(t *testing.T, args ...string) string {
	t.Helper()
	out, errOut, code := run(t, args...)
	if code != 0 {
		t.Fatalf("folkmoot %s: exit %d: %s", strings.Join(args, " "), code, errOut)
	}
	return out
}

// TestWalkthrough follows the README's five-minute walkthrough against a
// real node, and the bad inputs around it.
func TestWalkthrough(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	home, keyOf := keyring(t, "ada", "bram", "chiara")
	if out := mustRun(t, "key", "list", "--home", home); !strings.Contains(out, "chiara") {
		t.Fatalf("key list: %s", out)
	}
	mustRun(t, "init", "--home", home, "--name", "Elm Street", "--founder", "Ada="+keyOf("ada"), "--founder", "Bram="+keyOf("bram"),
		"--vouches", "2", "--quorum", "1/3", "--threshold", "1/2", "--min-voting", "4s", "--timeout-commit", "200ms", "--empty-blocks", "500ms")
	node, as := serve(t, home)
	mustRun(t, as("ada", "member", "vouch", keyOf("chiara"), "--name", "Chiara")...)
	mustRun(t, as("bram", "member", "vouch", keyOf("chiara"), "--name", "Chiara")...)
	if out := mustRun(t, "members", "--node", node); !strings.Contains(out, "Chiara") {
		t.Fatalf("members: %s", out)
	}
	mustRun(t, as("ada", "propose", "--title", "Plant an orchard", "--body", "Twelve trees.", "--voting", "20s")...)
	mustRun(t, as("chiara", "comment", "1", "--text", "Apples and plums, please.")...)
	mustRun(t, as("bram", "endorse", "1")...)
	mustRun(t, as("ada", "vote", "1", "yes")...)
	out := mustRun(t, as("chiara", "vote", "1", "yes", "--output", "json")...)
	var sub submitted
	if err := json.Unmarshal([]byte(out), &sub); err != nil || sub.Height == 0 || len(sub.TxID) != 64 {
		t.Fatalf("vote output %q: %v", out, err)
	}

	// Rejections print the code and the sentence, and exit non-zero.
	_, errOut, code := run(t, as("chiara", "vote", "1", "yes")...)
	if code == 0 || !strings.Contains(errOut, "rejected (code 74 ballot_unchanged): ballot rejected: your ballot on proposal 1 is already yes") {
		t.Fatalf("repeated ballot: exit %d, %q", code, errOut)
	}
	_, errOut, code = run(t, as("ada", "vote", "9", "no")...)
	if code == 0 || !strings.Contains(errOut, "code 52 unknown_proposal") {
		t.Fatalf("unknown proposal: exit %d, %q", code, errOut)
	}

	// Wait for the close, then the result. The vote lasts 20 s so that a
	// busy machine (every command decrypts a keystore) still casts the
	// ballots above in time.
	deadline := time.Now().Add(60 * time.Second)
	for {
		out = mustRun(t, "show", "proposal", "1", "--node", node)
		if strings.Contains(out, "PASSED") || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	if !strings.Contains(out, "PASSED — 2 yes, 0 no, 0 abstain; turnout 2 of 3") {
		t.Fatalf("show proposal:\n%s", out)
	}
	_, errOut, code = run(t, as("bram", "vote", "1", "no")...)
	if code == 0 || !regexp.MustCompile(`code 71 ballot_too_late\): ballot rejected: voting on proposal 1 closed at 20\d\d-`).MatchString(errOut) {
		t.Fatalf("late ballot: exit %d, %q", code, errOut)
	}

	// Audit: a receipt for the ballot, checked offline; the whole record too.
	receipt := filepath.Join(t.TempDir(), "receipt.json")
	out = mustRun(t, "prove", sub.TxID, "--node", node, "--output", "json")
	os.WriteFile(receipt, []byte(out), 0o600)
	var proof struct {
		AppHash string `json:"app_hash"`
	}
	json.Unmarshal([]byte(out), &proof)
	if out := mustRun(t, "verify-proof", receipt, "--app-hash", proof.AppHash); !strings.HasPrefix(out, "VALID: transaction "+sub.TxID) {
		t.Fatalf("verify-proof: %s", out)
	}
	other := strings.Repeat("0", 64)
	if _, errOut, code := run(t, "verify-proof", receipt, "--app-hash", other); code != 2 || !strings.Contains(errOut, "INVALID proof") {
		t.Fatalf("proof against another app hash: exit %d %q", code, errOut)
	}
	hist := filepath.Join(t.TempDir(), "history.fmh")
	mustRun(t, "export", "--node", node, "-o", hist)
	if out := mustRun(t, "verify", hist); !strings.Contains(out, "proposal 1 passed") || !strings.Contains(out, "result      OK") {
		t.Fatalf("verify:\n%s", out)
	}

	// The author fixes the text of a proposal before its vote opens; what
	// is left out stays. Nobody else may, and not after voting opened.
	opens := time.Now().Add(time.Hour).UTC()
	mustRun(t, as("ada", "propose", "--title", "Paint the hall", "--body", "Blue walls.",
		"--opens", opens.Format(time.RFC3339), "--closes", opens.Add(time.Hour).Format(time.RFC3339))...)
	mustRun(t, as("ada", "propose", "amend", "2", "--title", "Paint the hall green")...)
	if out := mustRun(t, "show", "proposal", "2", "--node", node); !strings.Contains(out, "Paint the hall green") || !strings.Contains(out, "Blue walls.") {
		t.Fatalf("show amended proposal:\n%s", out)
	}
	_, errOut, code = run(t, as("bram", "propose", "amend", "2", "--title", "Paint it red")...)
	if code == 0 || !strings.Contains(errOut, "code 53 not_author") {
		t.Fatalf("amendment by another member: exit %d, %q", code, errOut)
	}
	_, errOut, code = run(t, as("ada", "propose", "amend", "1", "--body", "Thirteen trees.")...)
	if code == 0 || !strings.Contains(errOut, "code 54 voting_started") {
		t.Fatalf("amendment after the vote: exit %d, %q", code, errOut)
	}
}

// TestCLIBadInput: each bad input gets one clear line, a non-zero exit, and
// leaves the home unchanged.
func TestCLIBadInput(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	t.Setenv(PassphraseEnv, "right")
	mustRun(t, "key", "new", "ada", "--home", home)
	pf := filepath.Join(t.TempDir(), "pass")
	os.WriteFile(pf, []byte("wrong\n"), 0o600)
	snapshot := func() string {
		var b strings.Builder
		filepath.Walk(home, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				data, _ := os.ReadFile(p)
				b.WriteString(p + string(data))
			}
			return nil
		})
		return b.String()
	}
	before := snapshot()
	dead := "http://127.0.0.1:1"
	tests := []struct {
		name string
		args []string
		says string
	}{
		{"wrong passphrase", []string{"vote", "1", "yes", "--as", "ada", "--home", home, "--passphrase-file", pf, "--node", dead}, `wrong passphrase for key 'ada'`},
		{"missing key", []string{"vote", "1", "yes", "--as", "bob", "--home", home, "--node", dead}, `no key 'bob'`},
		{"node that does not answer", []string{"status", "--node", dead}, "does not answer"},
		{"missing home", []string{"start", "--home", filepath.Join(home, "nowhere")}, "no node home"},
		{"bad founder", []string{"init", "--home", home, "--name", "X", "--founder", "a=12"}, "64 hex digits"},
		{"bad quorum", []string{"init", "--home", home, "--name", "X", "--founder", "a=" + txtest.KeyHex(0xab), "--quorum", "3/2"}, "more than 1"},
		{"bad choice", []string{"vote", "1", "maybe", "--as", "ada", "--home", home}, "yes, no or abstain"},
		{"no history", []string{"verify", filepath.Join(home, "none.fmh")}, "no such file"},
		{"bad output", []string{"members", "--output", "xml"}, "text or json"},
		{"not a proof file", []string{"verify-proof", pf}, "not a folkmoot proof file"},
		{"bad transaction id", []string{"prove", "xyz", "--node", dead}, "64 hex digits"},
		{"bad app hash", []string{"verify-proof", pf, "--app-hash", "12"}, "not a folkmoot proof file"},
	}
	// The security review's critical finding: a small-order key, under
	// which anyone can forge a signature, never becomes a founder or gets
	// a vouch, whichever of its encodings is given.
	for _, w := range txtest.WeakKeys() {
		tests = append(tests,
			struct {
				name string
				args []string
				says string
			}{"founder " + w.Name, []string{"init", "--home", home, "--name", "X", "--founder", "a=" + w.Hex}, "small order"},
			struct {
				name string
				args []string
				says string
			}{"vouch for " + w.Name, []string{"member", "vouch", w.Hex, "--name", "Dmitri", "--as", "ada", "--home", home, "--node", dead}, "small order"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := run(t, tt.args...)
			if code == 0 || !strings.Contains(errOut, tt.says) {
				t.Fatalf("exit %d, stderr %q, want one saying %q", code, errOut, tt.says)
			}
			if n := strings.Count(strings.TrimSpace(errOut), "\n"); n > 0 {
				t.Fatalf("more than one line on stderr: %q", errOut)
			}
			_ = out
			if snapshot() != before {
				t.Fatal("the home changed")
			}
		})
	}
}

// TestKeyBackupRoundTrip moves a key from one keystore to another through
// the browser-compatible backup file.
func TestKeyBackupRoundTrip(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	t.Setenv(PassphraseEnv, "keystore passphrase")
	bp := filepath.Join(dir, "backup-pass")
	os.WriteFile(bp, []byte("backup passphrase\n"), 0o600)
	mustRun(t, "key", "new", "ada", "--home", a)
	backup := filepath.Join(dir, "ada.json")
	mustRun(t, "key", "export", "ada", "--home", a, "-o", backup, "--backup-passphrase-file", bp)
	mustRun(t, "key", "import", "ada", backup, "--home", b, "--backup-passphrase-file", bp)
	ka := mustRun(t, "key", "show", "ada", "--key-only", "--home", a)
	kb := mustRun(t, "key", "show", "ada", "--key-only", "--home", b)
	if ka != kb || len(strings.TrimSpace(ka)) != 64 {
		t.Fatalf("keys differ after the round trip: %q %q", ka, kb)
	}
	// A second export to the same file is refused; a wrong backup
	// passphrase is refused and stores nothing.
	if _, _, code := run(t, "key", "export", "ada", "--home", a, "-o", backup, "--backup-passphrase-file", bp); code == 0 {
		t.Fatal("export overwrote an existing file")
	}
	wrong := filepath.Join(dir, "wrong")
	os.WriteFile(wrong, []byte("nope\n"), 0o600)
	if _, _, code := run(t, "key", "import", "bob", backup, "--home", b, "--backup-passphrase-file", wrong); code == 0 {
		t.Fatal("a wrong backup passphrase was accepted")
	}
	if _, _, code := run(t, "key", "show", "bob", "--home", b); code == 0 {
		t.Fatal("a failed import stored a key")
	}
}
