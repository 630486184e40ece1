package web_test

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/keystore"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestBrowserDraw has a member take part in a draw by lot from a real
// headless Chromium: she volunteers, feeds the beacon (a secret drawn and
// kept in the browser, committed to), and reveals it once reveals open;
// each step is reviewed in sign.js's dialog. The node's own re-run of the
// draw agrees with its record, so the browser's commitment is the core's.
func TestBrowserDraw(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node and a browser")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set FOLKMOOT_CHROMIUM): draw not run")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	ctx, closeBrowser := browser(t, bin, 180*time.Second)
	defer closeBrowser()
	file, err := keystore.ExportBackup(ada.Priv, "ada", []byte("plums in june"))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(c.Site+"/join"),
		chromedp.WaitVisible(chromedp.CSS("#import-button")),
		chromedp.SetValue(chromedp.CSS("#import-text"), string(file)),
		chromedp.SetValue(chromedp.CSS("#import-pass"), "plums in june"),
		chromedp.Click(chromedp.CSS("#import-button")),
		waitJS(`document.querySelector("#pubkey").textContent === "`+ada.Key.String()+`"`, 30*time.Second),
	); err != nil {
		t.Fatalf("import Ada's key: %v", err)
	}

	now := time.Now()
	c.Do(t, bram, &tx.Draw{Title: "Garden panel", Seats: 1, Volunteers: true, VolunteerUntil: now.Add(12 * time.Second).Unix(),
		// Windows wide enough for a loaded machine: each browser step
		// (page load, review, signature, block) can take several seconds.
		CommitUntil: now.Add(28 * time.Second).Unix(), RevealUntil: now.Add(52 * time.Second).Unix()})
	c.Do(t, bram, &tx.Volunteer{Draw: 1})
	page := c.Site + "/draws/1"
	draw := func() query.Draw {
		t.Helper()
		d, err := c.Service.Draw(1)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	step := func(name, button, status string, review ...string) {
		t.Helper()
		if err := chromedp.Do(ctx, loadUntil(page, `document.querySelector("`+button+`")`),
			waitJS(`document.querySelector("[data-who]").textContent.includes("Signing as")`, 20*time.Second),
			chromedp.Click(chromedp.CSS(button))); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		done, said, err := signIfAsked(ctx, status, review...)
		if err != nil || done != "ok" {
			t.Fatalf("%s: %s %s %v", name, done, said, err)
		}
	}
	step("volunteer", "#volunteer-button", "#volunteer-form .sign-status",
		`document.querySelector("#review-fields").textContent.includes("volunteer for a draw")`)
	if d := draw(); len(d.Volunteers) != 2 || d.Volunteers[0] != 1 {
		t.Fatalf("volunteers after the browser's: %v", d.Volunteers)
	}
	step("commit", "#beacon-form[data-phase='commit'] button", "#beacon-form .sign-status",
		`document.querySelector("#review-fields").textContent.includes("beacon commitment")`,
		`/commitment[0-9a-f]{64}/.test(document.querySelector("#review-fields").textContent)`)
	commit := draw().Commits[1]
	if len(commit) != 64 {
		t.Fatalf("Ada's commitment: %q", commit)
	}
	step("reveal", "#beacon-form[data-phase='reveal'] button", "#beacon-form .sign-status",
		`document.querySelector("#review-fields").textContent.includes("beacon reveal")`)
	reveal := draw().Reveals[1]
	sec, err := hex.DecodeString(reveal)
	if err != nil || len(sec) != 32 {
		t.Fatalf("Ada's reveal %q: %v", reveal, err)
	}
	if cm := core.BeaconCommitment(1, 0, 1, sec); hex.EncodeToString(cm[:]) != commit {
		t.Fatalf("the browser's commitment %s is not the core's %x", commit, cm)
	}
	for deadline := time.Now().Add(60 * time.Second); draw().Status == "collecting"; time.Sleep(250 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("draw 1 is not made")
		}
	}
	if d := draw(); d.Status != "drawn" || !d.Verified || len(d.Selected) != 1 {
		t.Fatalf("draw 1 after the reveals: %+v", d)
	}
	if err := chromedp.Do(ctx, loadUntil(page, `document.querySelector("#drawn")`), screenshot(artifacts(t), "draw-drawn")); err != nil {
		t.Fatal(err)
	}
	if got := text(t, ctx, "#revealed"); !strings.Contains(got, "Ada #1") {
		t.Errorf("revealed: %q", got)
	}
}
