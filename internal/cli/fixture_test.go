package cli

import (
	"context"
	"net"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/node"
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
func serve(t *testing.T, home string) (rpcURL string, as func(alias string, args ...string) []string) {
	t.Helper()
	rpc, _ := freeAddr()
	p2p, _ := freeAddr()
	setPorts(t, home, p2p, rpc)
	rpcURL = "http://" + rpc
	r, err := node.Open(context.Background(), home, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := r.Stop(); err != nil {
			t.Logf("stop the node: %v", err)
		}
	})
	return rpcURL, func(alias string, args ...string) []string {
		return append(args, "--as", alias, "--home", home, "--node", rpcURL)
	}
}

// freeAddr returns a free 127.0.0.1 port as host:port.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}
