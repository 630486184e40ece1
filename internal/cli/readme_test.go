package cli

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/tx/txtest"
)

// TestReadmeConstitution founds a community from the README's example
// constitution file, so the documentation cannot drift from the format,
// and checks that examples/constitution.toml is that same file.
func TestReadmeConstitution(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```toml\n(.*?)```").FindSubmatch(readme)
	if m == nil {
		t.Fatal("README has no toml example")
	}
	file, err := os.ReadFile("../../examples/constitution.toml")
	if err != nil {
		t.Fatal(err)
	}
	if string(file) != string(m[1]) {
		t.Error("examples/constitution.toml differs from the README's example")
	}
	example := regexp.MustCompile(`key = "[^"]*"`).ReplaceAllString(string(m[1]), `key = "`+txtest.KeyHex(0xab)+`"`)
	dir := t.TempDir()
	town := filepath.Join(dir, "town.toml")
	if err := os.WriteFile(town, []byte(example), 0o600); err != nil {
		t.Fatal(err)
	}
	out := mustRun(t, "init", "--home", filepath.Join(dir, "home"), "--constitution", town)
	if !strings.Contains(out, `founded "Elm Street"`) {
		t.Fatalf("init: %s", out)
	}
	gen, _ := os.ReadFile(filepath.Join(dir, "home", "config", "genesis.json"))
	for _, want := range []string{`"amendment"`, `"default_sunset"`, `"category_types"`, `"max_weight"`, `"offices"`, `"max_consecutive_terms": 3`,
		`"max_terms": 6`, `"recall"`, `"petition_window": "720h0m0s"`, `"initiative"`, `"1440h0m0s"`, `"336h0m0s"`} {
		if !strings.Contains(string(gen), want) {
			t.Errorf("genesis lacks %s", want)
		}
	}
}
