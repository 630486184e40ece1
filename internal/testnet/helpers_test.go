package testnet

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/cli"
)

// run runs folkmoot's CLI in this process.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := cli.Main(args, strings.NewReader(""), &out, &errOut)
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

// buildBinary builds folkmoot for the node processes.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "folkmoot")
	cmd := exec.Command("go", "build", "-o", bin, "github.com/folkmoot/folkmoot/cmd/folkmoot")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build folkmoot: %v\n%s", err, out)
	}
	return bin
}

// waitFor shows proposal id until its text holds what, for a minute.
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
