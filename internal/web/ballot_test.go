package web_test

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/ballotjs/ballotjstest"
	"github.com/folkmoot/folkmoot/internal/web"
)

func gunzip(t *testing.T, b []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	out, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestBallotWasmCurrent rebuilds the browser's ballot cryptography with
// the generator go generate runs, into a temporary directory, and checks
// that the committed build (decompressed), its version file and
// wasm_exec.js are what the code builds today. A build by another Go
// version differs in its bytes, so then the comparison is skipped.
func TestBallotWasmCurrent(t *testing.T) {
	version, err := os.ReadFile(filepath.Join("static", "ballot.wasm.version"))
	if err != nil {
		t.Fatal(err)
	}
	if v := strings.TrimSpace(string(version)); v != runtime.Version() {
		t.Skipf("static/ballot.wasm.gz was built by %s, this is %s: not compared", v, runtime.Version())
	}
	dir := t.TempDir()
	gen := exec.Command("go", "run", "gen_wasm.go", "-out", dir)
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("go run gen_wasm.go: %v\n%s", err, out)
	}
	for _, name := range []string{"ballot.wasm.gz", "ballot.wasm.version", "wasm_exec.js"} {
		want, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join("static", name))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, ".gz") {
			want, got = gunzip(t, want), gunzip(t, got)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("static/%s is not what the code builds: run go generate ./internal/web", name)
		}
	}
}

// TestBallotWasmServed: the build is served as application/wasm, gzipped
// as committed to a client that accepts gzip and decompressed to one that
// does not; the scripts beside it are served too.
func TestBallotWasmServed(t *testing.T) {
	srv := httptest.NewServer(web.Assets())
	defer srv.Close()
	committed, err := os.ReadFile(filepath.Join("static", "ballot.wasm.gz"))
	if err != nil {
		t.Fatal(err)
	}
	plain := gunzip(t, committed)
	if !bytes.HasPrefix(plain, []byte("\x00asm")) {
		t.Fatalf("static/ballot.wasm.gz is not WebAssembly: %x", plain[:8])
	}
	for _, c := range []struct {
		name, accept, encoding string
		want                   []byte
	}{
		{"gzip", "gzip, deflate, br", "gzip", committed},
		{"identity", "", "", plain},
	} {
		t.Run(c.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", srv.URL+"/static/ballot.wasm", nil)
			req.Header.Set("Accept-Encoding", c.accept) // set, so the client does not add gzip and undo it
			res, err := http.DefaultTransport.RoundTrip(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			body, _ := io.ReadAll(res.Body)
			if res.StatusCode != 200 || res.Header.Get("Content-Type") != "application/wasm" || res.Header.Get("Content-Encoding") != c.encoding {
				t.Fatalf("%d %v", res.StatusCode, res.Header)
			}
			if !bytes.Equal(body, c.want) || res.Header.Get("Content-Length") != fmt.Sprint(len(c.want)) {
				t.Errorf("%d bytes (Content-Length %s), want %d", len(body), res.Header.Get("Content-Length"), len(c.want))
			}
		})
	}
	for path, want := range map[string]string{"/static/ballot.js": "folkmootBallotReady", "/static/wasm_exec.js": "Copyright 2018 The Go Authors"} {
		res, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(string(body), want) {
			t.Errorf("%s: %d %s", path, res.StatusCode, res.Header.Get("Content-Type"))
		}
	}
	if res, _ := http.Get(srv.URL + "/static/"); res.StatusCode != 404 {
		t.Errorf("the directory: %d", res.StatusCode)
	}
}

// TestBrowserBallot loads the WebAssembly build in a real headless
// Chromium, on a page of a real node's site (under its Content-Security-
// Policy), through ballot.js, and runs the test vectors through it
// (ballotjstest.Run, the suite internal/ballotjs runs directly): every
// seeded ballot cast byte for byte, verify's verdicts, the key generation
// dealt again with its shares sealed and opened, the partial decryptions
// byte for byte. The browser must give exactly what the nodes compute.
func TestBrowserBallot(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node and a browser")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set FOLKMOOT_CHROMIUM): browser ballot not run")
	}
	c := apitest.Start(t, "Ada")
	ctx, closeBrowser := browser(t, bin, 180*time.Second)
	defer closeBrowser()
	if err := chromedp.Do(ctx, chromedp.Navigate(c.Site+"/")); err != nil {
		t.Fatalf("open the home page: %v", err)
	}
	// No page includes ballot.js yet: add it as a page would, under the
	// site's policy (script-src 'self' 'wasm-unsafe-eval').
	loaded, err := chromedp.Run(ctx, chromedp.Evaluate[string](`new Promise((resolve) => {
		const s = document.createElement("script");
		s.src = "/static/ballot.js";
		s.onload = () => resolve(performance.getEntriesByType("resource").map(e => e.name).filter(n => /wasm/.test(n)).join(" ") || "nothing");
		s.onerror = () => resolve("ballot.js did not load");
		document.head.appendChild(s);
	})`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if loaded != "nothing" {
		t.Errorf("before the API is asked for, the page fetched %s", loaded)
	}
	ready, err := chromedp.Run(ctx, chromedp.Evaluate[string](`window.folkmootBallotReady.then(api => Object.keys(api).sort().join(" "), e => "failed: " + e)`, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatal(err)
	}
	if want := "cast trusteeDecrypt trusteeNew trusteeOpen trusteeReveal trusteeSeal verify"; ready != want {
		t.Fatalf("folkmootBallotReady gave %q, want %q", ready, want)
	}
	call := func(name string, req []byte) ([]byte, error) {
		jsName, _ := json.Marshal(name)
		jsReq, _ := json.Marshal(string(req))
		out, err := chromedp.Run(ctx, chromedp.Evaluate[string](fmt.Sprintf(`JSON.stringify((window.folkmootBallot[%s] || (() => ({error: "there is no function " + %s})))(JSON.parse(%s)))`, jsName, jsName, jsReq)))
		return []byte(out), err
	}
	ballotjstest.Run(t, ballotjstest.Load(t), call)

	// A request that is not an object, and a thrown-free answer to nonsense.
	for _, expr := range []string{`folkmootBallot.cast()`, `folkmootBallot.cast("x")`, `folkmootBallot.verify({ballot: 7})`} {
		out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`JSON.stringify(`+expr+`)`))
		if err != nil || !strings.Contains(out, `"error"`) {
			t.Errorf("%s: %s %v, want an {error} answer", expr, out, err)
		}
	}
}
