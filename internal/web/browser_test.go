package web_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/keystore"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/web"
)

// chromium finds a Chromium binary, or "" when there is none.
func chromium() string {
	if p := os.Getenv("FOLKMOOT_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// artifacts is where the browser test saves its screenshots:
// $FOLKMOOT_ARTIFACTS/<test> if set, or a temporary directory.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("FOLKMOOT_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestBrowserJourney drives a real headless Chromium through a newcomer's
// journey on a running community: create a key in the browser and back it
// up, get vouched, propose, endorse (with the keyboard alone), reply to a
// comment, vote by clicking and watch the tally change without a reload,
// see a refused transaction's sentence, see the result after the close,
// and open the ballot's proof; then a founder imports the CLI's backup of
// his key and vouches for a newcomer from the vouch page. Every signature is made by WebCrypto in the
// page; the node never holds the newcomer's key.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node and a browser")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set FOLKMOOT_CHROMIUM): browser journey not run")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	site, err := web.New(web.Options{Service: c.Service, Poll: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(site.Handler()) // 127.0.0.1: a secure context for WebCrypto
	defer srv.Close()
	dir := artifacts(t)
	t.Logf("screenshots in %s", dir)

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1100, 1000),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancelCtx := chromedp.NewContext(actx)
	defer cancelCtx()
	ctx, cancel := context.WithTimeout(ctx, 100*time.Second)
	defer cancel()

	type step = chromedp.Action[chromedp.Void]
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}
	run := func(what string, steps ...step) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
				`Array.from(document.querySelectorAll(".sign-status,#key-status")).map(e => e.textContent).join(" | ")`))
			t.Fatalf("%s: %v (page says: %s)", what, err, status)
		}
	}
	shot := func(name string) step {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			png, err := chromedp.FullScreenshot(100)(ctx, tg)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
		})
	}
	// poll waits until expr is true, across page loads (a form may reload
	// its page when its transaction is recorded).
	poll := func(expr string) step {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			deadline := time.Now().Add(20 * time.Second)
			for {
				ok, err := chromedp.Evaluate[bool](`(() => { try { return !!(`+expr+`); } catch (e) { return false; } })()`)(ctx, tg)
				if err == nil && ok {
					return nil
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("waiting for %s: not true after 20s (%v)", expr, err)
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(100 * time.Millisecond):
				}
			}
		})
	}
	// signed reviews what the page is about to sign, signs it and waits
	// for the form's verdict.
	signed := func(form, want, name string) step {
		return chromedp.Steps(
			chromedp.WaitVisible(css("#review")),
			poll(`document.querySelector("#review-fields").textContent.includes(`+quote(want)+`)`),
			shot(name+"-review"),
			chromedp.Click(css("#review-sign")),
			poll(`document.querySelector("`+form+` .sign-status").getAttribute("data-done") === "ok"`),
		)
	}

	// Join: a key made in the browser, shown as text.
	run("create key",
		chromedp.Navigate(srv.URL+"/join"),
		chromedp.WaitVisible(css("#create-button")),
		shot("01-join"),
		chromedp.SetValue(css("#alias"), "chiara"),
		chromedp.Click(css("#create-button")),
		poll(`/^[0-9a-f]{64}$/.test(document.querySelector("#pubkey").textContent)`),
		shot("02-key"),
	)
	pub := eval(`document.querySelector("#pubkey").textContent`)
	key, err := tx.ParsePublicKey(pub)
	if err != nil {
		t.Fatalf("public key on the page %q: %v", pub, err)
	}

	// Backup: the file the browser writes opens with the CLI keystore.
	run("export backup",
		chromedp.SetValue(css("#export-pass"), "correct horse battery"),
		chromedp.Click(css("#export-button")),
		poll(`document.querySelector("#export-out").value.length > 100`),
	)
	backup := eval(`document.querySelector("#export-out").value`)
	priv, alias, err := keystore.ImportBackup([]byte(backup), []byte("correct horse battery"))
	if err != nil {
		t.Fatalf("the browser's backup does not open with the keystore: %v", err)
	}
	if got := hex.EncodeToString(priv.Public().(ed25519.PublicKey)); alias != "chiara" || got != pub {
		t.Fatalf("backup holds %s/%s, page shows chiara/%s", alias, got, pub)
	}

	// Vouched by a founder, from Go as the CLI would.
	c.Do(t, ada, &tx.Vouch{Key: key[:], Name: "Chiara"})

	// A proposal, from the browser's form.
	run("propose",
		chromedp.Navigate(srv.URL+"/proposals/new"),
		chromedp.WaitVisible(css("#propose-form")),
		poll(`document.querySelector("[data-who]").textContent.includes("chiara")`),
		chromedp.SetValue(css("#propose-title"), "Benches on the green"),
		chromedp.SetValue(css("#propose-body"), "Four **oak** benches by the pond."),
		chromedp.SetValue(css("#propose-hours"), "0.008"), // about 29 s
		shot("03-propose"),
		chromedp.Click(css("#propose-button")),
		signed("#propose-form", "Benches on the green", "04-propose"),
	)
	p, err := c.Service.Proposal(1)
	if err != nil || p.Title != "Benches on the green" || p.AuthorName != "Chiara" {
		t.Fatalf("proposal 1 after the browser proposed: %+v, %v", p.Proposal, err)
	}
	c.Do(t, bram, &tx.Comment{Proposal: 1, Text: "Which wood?"})

	// Endorse with the keyboard alone: focus the button, Enter, Enter.
	run("endorse",
		chromedp.Navigate(srv.URL+"/proposals/1"),
		chromedp.WaitVisible(css("#endorse-button")),
		shot("05-proposal"),
		chromedp.Focus(css("#endorse-button")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css("#review")),
		poll(`document.querySelector("#review-fields").textContent.includes("endorse")`),
		poll(`document.activeElement.id === "review-sign"`),
		chromedp.KeyEvent(kb.Enter),
		poll(`document.querySelector("#endorse-form .sign-status").getAttribute("data-done") === "ok"`),
		// The form reloads the page to show the endorsement.
		poll(`document.querySelector("#endorse-h + ul").textContent.includes("Chiara")`),
	)

	// A second endorsement is refused by CheckTx, and the page says why.
	run("endorse again",
		chromedp.WaitVisible(css("#endorse-button")),
		chromedp.Click(css("#endorse-button")),
		chromedp.WaitVisible(css("#review")),
		chromedp.Click(css("#review-sign")),
		poll(`document.querySelector("#endorse-form .sign-status").getAttribute("data-done") === "error"`),
		shot("06-refused"),
	)
	if refused := eval(`document.querySelector("#endorse-form .sign-status").textContent`); !strings.Contains(refused, "Rejected") || !strings.Contains(refused, "already endorsed") {
		t.Errorf("refusal on the page = %q, want CheckTx's sentence", refused)
	}

	// Reply to Bram's comment.
	run("comment",
		chromedp.SetValue(css("#comment-text"), "Oak, from the town's own trees."),
		chromedp.SetValue(css("#reply-to"), "1"),
		chromedp.Click(css("#comment-button")),
		signed("#comment-form", "in reply to comment", "07-comment"),
		poll(`document.querySelector("#comment-2").textContent.includes("Oak, from")`),
	)

	// Vote by clicking; the tally changes without a reload, then again
	// when Bram votes from elsewhere.
	run("vote",
		chromedp.WaitVisible(css("#vote-button")),
		poll(`(window.journeyMarker = 42) === 42`),
		chromedp.Click(css("#choice-yes")),
		chromedp.Click(css("#vote-button")),
		signed("#vote-form", "yes", "08-vote"),
		poll(`document.querySelector("#tally title").textContent.includes("Yes 1")`),
	)
	receipt := eval(`document.querySelector("#vote-form .sign-status a").getAttribute("href")`)
	c.Do(t, bram, &tx.Ballot{Proposal: 1, Choice: tx.Yes})
	run("live tally",
		poll(`document.querySelector("#tally title").textContent.includes("Yes 2")`),
		poll(`window.journeyMarker === 42`),
		shot("09-tally"),
	)

	// After the close: the result, then the ballot's proof.
	time.Sleep(time.Until(p.Closes))
	run("result",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			deadline := time.Now().Add(20 * time.Second)
			for {
				if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+"/proposals/1"), chromedp.WaitReady(css("main"))); err != nil {
					return err
				}
				decided, err := chromedp.Evaluate[bool](`document.querySelector(".result") !== null`)(ctx, tg)
				if err != nil || decided {
					return err
				}
				if time.Now().After(deadline) {
					return fmt.Errorf("the proposal page shows no result after the close")
				}
				time.Sleep(300 * time.Millisecond)
			}
		}),
		shot("10-result"),
	)
	result := eval(`document.querySelector(".result").textContent`)
	run("proof",
		chromedp.Navigate(srv.URL+receipt),
		chromedp.WaitVisible(css("main pre")),
		shot("11-proof"),
	)
	proof := eval(`document.querySelector("main").textContent`)
	if !strings.Contains(result, "Passed") || !strings.Contains(result, "2 yes, 0 no") {
		t.Errorf("result on the page = %q", result)
	}
	if !strings.Contains(proof, "folkmoot verify-proof") || !strings.Contains(proof, "ballot") {
		t.Errorf("proof page = %q", proof)
	}

	// A key moves from the CLI's keystore to the browser through the
	// backup file: Bram imports his, then vouches for a newcomer by
	// pasting the newcomer's key.
	file, err := keystore.ExportBackup(bram.Priv, "bram", []byte("plums in june"))
	if err != nil {
		t.Fatal(err)
	}
	dora := apitest.NewMember(t, "Dora")
	run("import and vouch",
		chromedp.Navigate(srv.URL+"/join"),
		chromedp.WaitVisible(css("#import-button")),
		chromedp.SetValue(css("#import-text"), string(file)),
		chromedp.SetValue(css("#import-pass"), "wrong"),
		chromedp.Click(css("#import-button")),
		// Chiara's key is still here: the page refuses to drop it unasked.
		poll(`document.querySelector("#key-status").textContent.includes("make a backup of it")`),
		chromedp.Click(css("#replace-key")),
		chromedp.Click(css("#import-button")),
		poll(`document.querySelector("#key-status").textContent.includes("Wrong passphrase")`),
		poll(`document.querySelector("#pubkey").textContent === `+quote(pub)),
		chromedp.SetValue(css("#import-pass"), "plums in june"),
		chromedp.Click(css("#import-button")),
		poll(`document.querySelector("#pubkey").textContent === `+quote(bram.Key.String())),
		shot("12-imported"),
		chromedp.Navigate(srv.URL+"/vouch"),
		chromedp.WaitVisible(css("#vouch-form")),
		poll(`document.querySelector("[data-who]").textContent.includes("bram")`),
		chromedp.SetValue(css("#vouch-key"), dora.Key.String()),
		chromedp.SetValue(css("#vouch-name"), "Dora"),
		chromedp.Click(css("#vouch-button")),
		signed("#vouch-form", dora.Key.String(), "13-vouch"),
	)
	if m, err := c.Service.Member(dora.Key.String()); err != nil || m.Name != "Dora" {
		t.Errorf("Dora after Bram vouched in the browser: %+v, %v", m, err)
	}
}

// quote makes a JavaScript string literal of s (no quotes or backslashes in
// the test's strings).
func quote(s string) string { return `"` + s + `"` }
