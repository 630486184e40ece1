package cli

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestDrawCommands calls a draw among volunteers through the CLI against a
// real node, feeds its beacon from three members' keystores, and re-runs
// it; one member commits and stays silent and is named.
func TestDrawCommands(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	home := filepath.Join(t.TempDir(), "home")
	for _, k := range []string{"ada", "bram", "chiara"} {
		mustRun(t, "key", "new", k, "--home", home, "--insecure-unencrypted")
	}
	keyOf := func(alias string) string {
		return strings.TrimSpace(mustRun(t, "key", "show", alias, "--key-only", "--home", home))
	}
	mustRun(t, "init", "--home", home, "--name", "Elm Street", "--founder", "Ada="+keyOf("ada"), "--founder", "Bram="+keyOf("bram"),
		"--founder", "Chiara="+keyOf("chiara"), "--vouches", "2", "--quorum", "1/3", "--threshold", "1/2", "--min-voting", "4s",
		"--timeout-commit", "200ms", "--empty-blocks", "500ms")
	node, as := serve(t, home)
	mustRun(t, as("ada", "draw", "new", "--title", "Citizens' panel", "--seats", "2", "--volunteer-for", "4s", "--commit-for", "6s", "--reveal-for", "6s")...)
	mustRun(t, as("bram", "draw", "volunteer", "1")...)
	mustRun(t, as("chiara", "draw", "volunteer", "1")...)
	mustRun(t, as("ada", "draw", "volunteer", "1")...)
	for _, b := range []struct {
		args []string
		says string
	}{
		{as("ada", "draw", "volunteer", "1"), "rejected (code 173 already_done)"},
		{as("ada", "draw", "volunteer", "7"), "rejected (code 171 unknown_draw)"},
		{as("ada", "draw", "new", "--title", "x", "--seats", "1"), "say how long members may commit and reveal"},
		{[]string{"draw", "verify", "1", "--node", node}, "draw 1 is collecting, not drawn"},
	} {
		_, errOut, code := run(t, b.args...)
		if code == 0 || !strings.Contains(errOut, b.says) {
			t.Fatalf("folkmoot %s: exit %d, %q, want %q", strings.Join(b.args[:3], " "), code, errOut, b.says)
		}
	}
	var wg sync.WaitGroup
	for _, who := range []string{"ada", "bram"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mustRun(t, as(who, "draw", "beacon", "1", "--wait")...)
		}()
	}
	// Chiara commits and does not come back to reveal.
	deadline := time.Now().Add(30 * time.Second)
	for {
		out := mustRun(t, as("chiara", "draw", "beacon", "1")...)
		if strings.Contains(out, "beacon-commit recorded") || time.Now().After(deadline) {
			break
		}
		time.Sleep(300 * time.Millisecond)
	}
	wg.Wait()
	var out string
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if out = mustRun(t, "draw", "show", "1", "--node", node); strings.Contains(out, "drawn ") {
			break
		}
	}
	for _, want := range []string{"2 seats among volunteers", "3 committed, 2 revealed", "silent    members 3 committed and did not reveal"} {
		if !strings.Contains(out, want) {
			t.Fatalf("draw show lacks %q:\n%s", want, out)
		}
	}
	if v := mustRun(t, "draw", "verify", "1", "--node", node); !strings.Contains(v, "draw 1 verifies: 2 reveals match their commitments") {
		t.Fatalf("draw verify: %s", v)
	}

	// A stratified draw: one seat per street, the LEXIMIN lottery published
	// by the caller once volunteering ends.
	mustRun(t, as("ada", "declare", "--attr", "street=Elm", "--attr", "age=30-49")...)
	mustRun(t, as("bram", "declare", "--attr", "street=Elm")...)
	mustRun(t, as("chiara", "declare", "--attr", "street=Oak")...)
	mustRun(t, as("ada", "draw", "new", "--title", "Street panel", "--seats", "2", "--quota", "street=Elm:1:1", "--quota", "street=Oak:1:1",
		"--volunteer-for", "4s", "--commit-for", "6s", "--reveal-for", "6s")...)
	for _, who := range []string{"ada", "bram", "chiara"} {
		mustRun(t, as(who, "draw", "volunteer", "2")...)
	}
	if _, errOut, code := run(t, as("ada", "draw", "new", "--title", "x", "--seats", "1", "--quota", "street", "--commit-for", "1s", "--reveal-for", "1s")...); code == 0 ||
		!strings.Contains(errOut, "write FEATURE=VALUE:MIN:MAX") {
		t.Fatalf("bad quota: %d %q", code, errOut)
	}
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(300 * time.Millisecond) {
		_, errOut, code := run(t, as("ada", "draw", "lottery", "2")...)
		if code == 0 {
			break
		}
		if !strings.Contains(errOut, "draw_window") || time.Now().After(deadline) {
			t.Fatalf("draw lottery: %q", errOut)
		}
	}
	// Chiara did not reveal for draw 1: she may not feed draw 2's beacon.
	if _, errOut, code := run(t, as("chiara", "draw", "beacon", "2")...); code == 0 || !strings.Contains(errOut, "barred_from_beacon") {
		t.Fatalf("chiara's beacon on draw 2: %d %q", code, errOut)
	}
	for _, who := range []string{"ada", "bram"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mustRun(t, as(who, "draw", "beacon", "2", "--wait")...)
		}()
	}
	wg.Wait()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		if out = mustRun(t, "draw", "show", "2", "--node", node); strings.Contains(out, "drawn ") {
			break
		}
	}
	for _, want := range []string{"quotas    street=Elm 1–1, street=Oak 1–1", "lottery   1 panel profiles; chances 1: 0.500, 2: 0.500, 3: 1.000", "Chiara (3)"} {
		if !strings.Contains(out, want) {
			t.Fatalf("draw show 2 lacks %q:\n%s", want, out)
		}
	}
	if v := mustRun(t, "draw", "verify", "2", "--node", node); !strings.Contains(v, "draw 2 verifies") {
		t.Fatalf("draw verify 2: %s", v)
	}
	verifyNode(t, node, "result      OK")
}
