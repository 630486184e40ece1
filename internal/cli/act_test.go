package cli

import (
	"strings"
	"testing"
)

// TestActChecksBeforeSigning checks that a body the network would refuse
// whatever the state is refused by the CLI with the core's code and
// sentence, before any key is asked for or any node is reached (there is
// neither here).
func TestActChecksBeforeSigning(t *testing.T) {
	home := t.TempDir()
	for _, c := range []struct {
		args []string
		says string
	}{
		{[]string{"propose", "--title", "Timed", "--initiative", "--voting", "72h"},
			"rejected (code 140 initiative_times): proposal rejected: an initiative names no voting times"},
		{[]string{"propose", "--title", "Timed", "--initiative", "--closes", "2030-01-01T00:00:00Z"},
			"rejected (code 140 initiative_times)"},
		{[]string{"propose", "--title", strings.Repeat("t", 201), "--voting", "72h"}, "proposal rejected: the title"},
		{[]string{"law", "repeal", "0", "--title", "Gone", "--voting", "72h"}, "law number \"0\" is not a positive number"},
	} {
		args := append(c.args, "--as", "nobody", "--home", home, "--node", "http://127.0.0.1:1")
		_, errOut, code := run(t, args...)
		if code == 0 || !strings.Contains(errOut, c.says) {
			t.Errorf("folkmoot %s: exit %d, %q, want %q", strings.Join(c.args, " "), code, errOut, c.says)
		}
	}
}
