package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
)

// keyring makes a key for each alias in a fresh home, with the passphrase
// from the environment, and returns the home and a function giving an
// alias's public key in hex.
func keyring(t *testing.T, aliases ...string) (home string, keyOf func(alias string) string) {
	t.Helper()
	home = filepath.Join(t.TempDir(), "home")
	t.Setenv(PassphraseEnv, "a long and careful passphrase")
	for _, k := range aliases {
		mustRun(t, "key", "new", k, "--home", home)
	}
	return home, func(alias string) string {
		return strings.TrimSpace(mustRun(t, "key", "show", alias, "--key-only", "--home", home))
	}
}

// serve starts a real node on an initialised home, at free loopback ports,
// until the test ends. It returns the node's RPC URL and a function that
// adds --as ALIAS, --home and --node to a command's arguments.
func serve(t *testing.T, home string) (node string, as func(alias string, args ...string) []string) {
	t.Helper()
	rpc, _ := freeAddr()
	p2p, _ := freeAddr()
	setPorts(t, home, p2p, rpc)
	node = "http://" + rpc
	r, err := startNode(context.Background(), home, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Logf("stop the node: %v", err)
		}
	})
	return node, func(alias string, args ...string) []string {
		return append(args, "--as", alias, "--home", home, "--node", node)
	}
}
