package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"

	"github.com/chromedp/chromedp"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/web"
)

// browserBallotPage is the page BrowserCast opens: it only includes
// ballot.js, as a voting page will.
const browserBallotPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ballot benchmark</title>
<script src="/static/ballot.js"></script></head><body></body></html>
`

// browserCastScript loads the cryptography, casts one ballot to warm up,
// then times %d casts of a 5-choice single-choice ballot under the key %q,
// with the browser's own randomness (crypto.getRandomValues).
const browserCastScript = `window.folkmootBallotReady.then(api => {
	const req = {electionId: "62656e6368", chainId: "folkmoot-bench", publicKey: %q,
		voterKey: "ab".repeat(32), choices: 5, min: 1, max: 1, votes: [0, 0, 1, 0, 0]};
	const warm = api.cast(req);
	if (warm.error) return JSON.stringify({error: warm.error});
	const ms = [];
	for (let i = 0; i < %d; i++) {
		const t0 = performance.now();
		const r = api.cast(req);
		ms.push(performance.now() - t0);
		if (r.error) return JSON.stringify({error: r.error});
	}
	return JSON.stringify({ms: ms});
}, e => JSON.stringify({error: String(e)}))`

// BrowserCast measures how long a browser takes to encrypt and prove a
// ballot: it serves the site's assets (ballot.js, ballot.wasm) and a page
// that includes ballot.js from its own server on 127.0.0.1, under the
// site's Content-Security-Policy, opens it in a headless Chromium
// (chromiumPath), and returns the mean time in milliseconds of runs casts
// of a 5-choice single-choice ballot with real randomness, after one
// warm-up cast (the load of the WebAssembly is not counted).
func BrowserCast(ctx context.Context, chromiumPath string, runs int) (ms float64, err error) {
	if runs < 1 {
		return 0, fmt.Errorf("browser cast: %d runs", runs)
	}
	kp, err := ballot.GenerateKey(rand.Reader)
	if err != nil {
		return 0, fmt.Errorf("browser cast: %w", err)
	}
	mux := http.NewServeMux()
	mux.Handle("GET /static/", web.Assets())
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = w.Write([]byte(browserBallotPage))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("browser cast: %w", err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", web.CSP)
		mux.ServeHTTP(w, r)
	})}
	go func() { _ = srv.Serve(ln) }()
	defer srv.Close()

	profile, err := os.MkdirTemp("", "folkmoot-chromium")
	if err != nil {
		return 0, fmt.Errorf("browser cast: %w", err)
	}
	defer os.RemoveAll(profile)
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.UserDataDir(profile))
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	if err := chromedp.Do(bctx, chromedp.Navigate("http://"+ln.Addr().String()+"/")); err != nil {
		return 0, fmt.Errorf("browser cast: open the page in %s: %w", chromiumPath, err)
	}
	pub := hex.EncodeToString(kp.Public.Encode(nil))
	out, err := chromedp.Run(bctx, chromedp.Evaluate[string](fmt.Sprintf(browserCastScript, pub, runs), chromedp.EvalAwaitPromise))
	if err != nil {
		return 0, fmt.Errorf("browser cast: %w", err)
	}
	var res struct {
		MS    []float64 `json:"ms"`
		Error string    `json:"error"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return 0, fmt.Errorf("browser cast: the page answered %q: %w", out, err)
	}
	if res.Error != "" {
		return 0, fmt.Errorf("browser cast: %w", errors.New(res.Error))
	}
	if len(res.MS) != runs {
		return 0, fmt.Errorf("browser cast: %d timings for %d runs", len(res.MS), runs)
	}
	sum := 0.0
	for _, m := range res.MS {
		sum += m
	}
	return sum / float64(runs), nil
}
