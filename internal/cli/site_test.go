package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/node"
)

// TestStartServesSite starts a node as "folkmoot start" does and reads its
// web site and API at the printed address.
func TestStartServesSite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	home := filepath.Join(t.TempDir(), "home")
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	mustRun(t, "init", "--home", home, "--name", "Site Street", "--founder", "Ada="+hex.EncodeToString(pub),
		"--vouches", "1", "--timeout-commit", "200ms", "--empty-blocks", "500ms")
	rpc, _ := freeAddr()
	p2p, _ := freeAddr()
	setPorts(t, home, p2p, rpc)
	r, err := node.Open(context.Background(), home, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Stop()
	if !strings.HasPrefix(r.Site(), "http://127.0.0.1:") {
		t.Fatalf("site address %q", r.Site())
	}
	for path, want := range map[string]string{
		"/":              "<h1><bdi>Site Street</bdi></h1>",
		"/api/v1/status": `"community": "Site Street"`,
		"/members":       `<a href="/members/1?lang=en"><bdi>Ada</bdi> <span class="member-no">#1</span></a>`,
	} {
		res, err := http.Get(r.Site() + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.Contains(string(b), want) {
			t.Errorf("GET %s: %d, lacks %q:\n%s", path, res.StatusCode, want, b)
		}
		if res.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s: no CSP", path)
		}
	}
}
