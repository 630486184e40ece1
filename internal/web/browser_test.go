package web_test

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/demo"
	"github.com/folkmoot/folkmoot/internal/keystore"
	"github.com/folkmoot/folkmoot/internal/tx"
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

// browser starts a real headless Chromium (bin) for t, as CI runs it, and
// returns a context that ends after limit and the function that closes it.
func browser(t *testing.T, bin string, limit time.Duration) (context.Context, func()) {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1100, 1000))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancel := context.WithTimeout(ctx, limit)
	return ctx, func() { cancel(); cancelCtx(); cancelAlloc() }
}

// screenshot saves the whole page as dir/name.png.
func screenshot(dir, name string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		png, err := chromedp.FullScreenshot(100)(ctx, tg)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	})
}

// TestBrowserJourney drives a real headless Chromium through a newcomer's
// journey on the site `folkmoot demo` serves (the same demo.Start): create a
// key in the browser and back it up, get vouched, propose, endorse (with
// the keyboard alone), reply to a comment, vote by clicking and watch the
// tally change without a reload, see a refused transaction's sentence, see
// the result after the close, and open the ballot's proof; then a founder
// imports the CLI's backup of his key and vouches for a newcomer from the
// vouch page. Every signature is made by WebCrypto in the page; the node
// never holds the newcomer's key. Then every page of the site (sitePages)
// is scanned with axe-core and screenshotted at a desktop and a phone
// width.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node and a browser")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set FOLKMOOT_CHROMIUM): browser journey not run")
	}
	axeJS, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	d, err := demo.Start(context.Background(), demo.Options{Home: filepath.Join(t.TempDir(), "demo"), Voting: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Stop()
	ada, bram := d.Member("Ada"), d.Member("Bram")
	do := func(by *demo.Member, body tx.Body) {
		t.Helper()
		if _, err := d.Do(context.Background(), demo.Act{By: by, Body: body}); err != nil {
			t.Fatal(err)
		}
	}
	site := d.Site // 127.0.0.1: a secure context for WebCrypto
	dir := artifacts(t)
	t.Logf("screenshots in %s", dir)

	ctx, closeBrowser := browser(t, bin, 360*time.Second)
	defer closeBrowser()
	// Start the browser on ctx, so that a step's shorter context does
	// not close it when the step ends.
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}

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
		sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		if err := chromedp.Do(sctx, steps...); err != nil {
			status, _ := chromedp.Run(ctx, chromedp.Evaluate[string](
				`Array.from(document.querySelectorAll(".sign-status,#key-status")).map(e => e.textContent).join(" | ")`))
			t.Fatalf("%s: %v (page says: %s)", what, err, status)
		}
	}
	shot := func(name string) step { return screenshot(dir, name) }
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
	// accessible scans the page in its present state, such as with the
	// review dialog open.
	accessible := func(name string) step {
		return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			found, err := scan(ctx, string(axeJS))
			if err != nil {
				return err
			}
			report(t, name, found)
			return nil
		})
	}
	signed := func(form, want, name string) step {
		return chromedp.Steps(
			chromedp.WaitVisible(css("#review")),
			poll(`document.querySelector("#review-fields").textContent.includes(`+quote(want)+`)`),
			shot(name+"-review"),
			accessible(name+" review dialog"),
			chromedp.Click(css("#review-sign")),
			poll(`document.querySelector("`+form+` .sign-status").getAttribute("data-done") === "ok"`),
		)
	}

	// Join: a key made in the browser, shown as text.
	run("create key",
		chromedp.Navigate(site+"/join"),
		chromedp.WaitVisible(css("#create-button")),
		shot("01-join"),
		chromedp.SetValue(css("#alias"), "farah"),
		chromedp.Click(css("#create-button")),
		poll(`/^[0-9a-f]{64}$/.test(document.querySelector("#pubkey").textContent)`),
		// The key as a QR code, drawn by the site (TestQRCode decodes it).
		poll(`document.querySelector("#pubkey-qr").getAttribute("src") === "/qr?text=" + document.querySelector("#pubkey").textContent`),
		poll(`document.querySelector("#pubkey-qr").complete && document.querySelector("#pubkey-qr").naturalWidth > 0`),
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
	if got := hex.EncodeToString(priv.Public().(ed25519.PublicKey)); alias != "farah" || got != pub {
		t.Fatalf("backup holds %s/%s, page shows farah/%s", alias, got, pub)
	}

	// Vouched by two founders (the demo's constitution asks for two), from
	// Go as the CLI would.
	if _, err := d.Do(ctx, demo.Act{By: ada, Body: &tx.Vouch{Key: key[:], Name: "Farah"}},
		demo.Act{By: bram, Body: &tx.Vouch{Key: key[:], Name: "Farah"}}); err != nil {
		t.Fatal(err)
	}

	// A proposal, from the browser's form.
	run("propose",
		chromedp.Navigate(site+"/proposals/new"),
		chromedp.WaitVisible(css("#propose-form")),
		poll(`document.querySelector("[data-who]").textContent.includes("farah")`),
		chromedp.SetValue(css("#propose-title"), "Benches on the green"),
		chromedp.SetValue(css("#propose-body"), "Four **oak** benches by the pond."),
		chromedp.SetValue(css("#propose-hours"), "0.008"), // about 29 s
		shot("03-propose"),
		chromedp.Click(css("#propose-button")),
		signed("#propose-form", "Benches on the green", "04-propose"),
	)
	// The demo holds proposals 1 to 7; this is the eighth.
	const id = 8
	page := fmt.Sprintf("%s/proposals/%d", site, id)
	p, err := d.Client.Proposal(ctx, id)
	if err != nil || p.Title != "Benches on the green" || p.AuthorName != "Farah" {
		t.Fatalf("proposal %d after the browser proposed: %+v, %v", id, p, err)
	}
	do(bram, &tx.Comment{Proposal: id, Text: "Which wood?"})

	// Endorse with the keyboard alone: focus the button, Enter, Enter.
	run("endorse",
		chromedp.Navigate(page),
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
		poll(`document.querySelector("#endorse-h + ul").textContent.includes("Farah")`),
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
	bramsComment := eval(`document.querySelector("ol.comments li").id.replace("comment-", "")`)
	run("comment",
		chromedp.SetValue(css("#comment-text"), "Oak, from the town's own trees."),
		chromedp.SetValue(css("#reply-to"), bramsComment),
		chromedp.Click(css("#comment-button")),
		signed("#comment-form", "in reply to comment", "07-comment"),
		poll(`document.querySelectorAll("ol.comments li")[1].textContent.includes("Oak, from")`),
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
	if _, err := d.Do(ctx, demo.Act{By: bram, Body: &tx.Ballot{Proposal: id, Choice: tx.Yes}},
		demo.Act{By: ada, Body: &tx.Ballot{Proposal: id, Choice: tx.Yes}}); err != nil {
		t.Fatal(err)
	}
	run("live tally",
		poll(`document.querySelector("#tally title").textContent.includes("Yes 3")`),
		poll(`window.journeyMarker === 42`),
		shot("09-tally"),
	)

	// After the close: the result, then the ballot's proof.
	time.Sleep(time.Until(p.Closes))
	run("result",
		chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
			deadline := time.Now().Add(20 * time.Second)
			for {
				if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitReady(css("main"))); err != nil {
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
		chromedp.Navigate(site+receipt),
		chromedp.WaitVisible(css("main pre")),
		shot("11-proof"),
	)
	proof := eval(`document.querySelector("main").textContent`)
	if !strings.Contains(result, "Passed") || !strings.Contains(result, "3 yes, 0 no") {
		t.Errorf("result on the page = %q", result)
	}
	if !strings.Contains(proof, "folkmoot verify-proof") || !strings.Contains(proof, "ballot") {
		t.Errorf("proof page = %q", proof)
	}

	// A popular initiative, from the new-proposal form with the keyboard
	// alone: the box hides the voting hours, the review shows it.
	run("initiative",
		chromedp.Navigate(site+"/proposals/new"),
		chromedp.WaitVisible(css("#propose-form")),
		poll(`document.querySelector("[data-who]").textContent.includes("farah")`),
		chromedp.Focus(css("#propose-title")),
		chromedp.KeyEvent("Swings for the square"),
		chromedp.Focus(css("#propose-initiative")),
		chromedp.KeyEvent(" "),
		poll(`document.querySelector("#propose-hours").disabled && document.querySelector("#propose-hours").closest("p").hidden`),
		chromedp.Focus(css("#measure-law")),
		chromedp.KeyEvent(" "),
		poll(`!document.querySelector("#propose-sunset").closest("p").hidden`),
		chromedp.Focus(css("#propose-sunset")),
		chromedp.KeyEvent("365"),
		shot("14-initiative"),
		chromedp.Focus(css("#propose-button")),
		chromedp.KeyEvent(kb.Enter),
		chromedp.WaitVisible(css("#review")),
		poll(`document.querySelector("#review-fields").textContent.includes("popular initiative")`),
		poll(`document.querySelector("#review-fields").textContent.includes("365 days")`),
		poll(`document.querySelector("#review-fields").textContent.includes("vote opens when enough members sign it")`),
		poll(`document.activeElement.id === "review-sign"`),
		shot("15-initiative-review"),
		chromedp.KeyEvent(kb.Enter),
		poll(`document.querySelector("#propose-form .sign-status").getAttribute("data-done") === "ok"`),
	)
	if ip, err := d.Client.Proposal(ctx, id+1); err != nil || ip.Title != "Swings for the square" || ip.Initiative == nil ||
		ip.Status != "gathering" || ip.Measure != "law" {
		t.Errorf("initiative %d from the browser: %+v, %v", id+1, ip, err)
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
		chromedp.Navigate(site+"/join"),
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
		chromedp.Navigate(site+"/vouch"),
		chromedp.WaitVisible(css("#vouch-form")),
		// Scanning is offered only where the browser can read QR codes.
		poll(`document.querySelector("[data-scan]").hidden === !("BarcodeDetector" in window)`),
		poll(`document.querySelector("[data-who]").textContent.includes("bram")`),
		// The security review's critical finding: a vouch for the all-zero
		// key (small order: anyone can forge its signatures) is refused in
		// the page before anything is signed.
		chromedp.SetValue(css("#vouch-key"), strings.Repeat("00", 32)),
		chromedp.SetValue(css("#vouch-name"), "Dmitri"),
		chromedp.Click(css("#vouch-button")),
		poll(`document.querySelector("#vouch-form .sign-status").textContent.includes("small order")`),
		chromedp.SetValue(css("#vouch-key"), dora.Key.String()),
		chromedp.SetValue(css("#vouch-name"), "Dora"),
		chromedp.Click(css("#vouch-button")),
		signed("#vouch-form", dora.Key.String(), "13-vouch"),
	)
	// Bram's vouch from the browser is the first of the two Dora needs.
	do(ada, &tx.Vouch{Key: dora.Key[:], Name: "Dora"})
	var dm struct{ Name string }
	if err := fetchJSON(ctx, site+"/api/v1/members/"+dora.Key.String(), &dm); err != nil || dm.Name != "Dora" {
		t.Errorf("Dora after Bram vouched in the browser: %+v, %v", dm, err)
	}

	// Every page: no serious or critical accessibility violation, and a
	// screenshot at a desktop and a phone width.
	// The scan can fail: a picture without a text alternative is found.
	run("axe canary", chromedp.Navigate(site+"/"), chromedp.WaitReady(css("main")))
	eval(`document.querySelector("main").append(Object.assign(document.createElement("img"), {src: "/qr?text=` + pub + `"})), "added"`)
	if found, err := scan(ctx, string(axeJS)); err != nil || !slices.ContainsFunc(found, func(v violation) bool { return v.ID == "image-alt" && v.Impact == "critical" }) {
		t.Fatalf("axe-core missed an image without alt: %+v, %v", found, err)
	}
	// The demo's draw 1 is made when its reveals close, seconds after the
	// demo starts: its page is scanned drawn.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(250 * time.Millisecond) {
		dr, err := d.Client.Draw(context.Background(), demo.PanelDraw)
		if err != nil {
			t.Fatal(err)
		}
		if dr.Status == "drawn" {
			break
		}
		if dr.Status != "collecting" || time.Now().After(deadline) {
			t.Fatalf("the demo's draw %d is %s (%s)", demo.PanelDraw, dr.Status, dr.Why)
		}
	}
	vars := strings.NewReplacer("{ada}", ada.Key.String(), "{receipt}", receipt)
	for _, pg := range sitePages() {
		url := site + vars.Replace(pg.path)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(1100, 1000), chromedp.Navigate(url), chromedp.WaitReady(css("main"))); err != nil {
			t.Fatalf("%s (%s): %v", pg.name, url, err)
		}
		if text := eval(`document.querySelector("main").textContent`); !strings.Contains(text, pg.want) {
			t.Errorf("%s (%s) does not say %q:\n%s", pg.name, url, pg.want, text)
		}
		found, err := scan(ctx, string(axeJS))
		if err != nil {
			t.Fatalf("axe on %s (%s): %v", pg.name, url, err)
		}
		report(t, pg.name+" ("+url+")", found)
		run("screenshot "+pg.name,
			shot("page-"+pg.name+"-desktop"),
			chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)),
			chromedp.Navigate(url), chromedp.WaitReady(css("main")),
			shot("page-"+pg.name+"-phone"),
		)
	}
}

// sitePage is one page of the site for the accessibility scan and the
// screenshots: its name, its path (where {ada} is a founder's key and
// {receipt} the audit page of the journey's ballot) and words it shows.
type sitePage struct{ name, path, want string }

// sitePages lists every page of the site in the demo's states, one line
// each: a new page is a new line.
func sitePages() []sitePage {
	return []sitePage{
		{"home", "/", "Recent decisions"},
		{"proposals", "/proposals", "Plant a community orchard"},
		{"proposals-open", "/proposals?status=open", "repair café"},
		{"proposals-search", "/proposals?q=orchard&category=green+spaces", "Plant a community orchard"},
		{"proposals-none", "/proposals?q=zeppelin", "No proposal matches."},
		{"proposal-passed", "/proposals/1", "Passed."},
		{"proposal-failed", "/proposals/2", "Failed."},
		{"proposal-open", "/proposals/3", "The tally updates by itself"},
		{"proposal-withdrawn", "/proposals/4", "Its author withdrew it"},
		{"proposal-scheduled", "/proposals/5", "Voting opens"},
		{"propose", "/proposals/new", "New proposal"},
		{"members", "/members", "Dmitri"},
		{"member", "/members/{ada}", "Member no. 1"},
		{"join", "/join", "Create a key"},
		{"vouch", "/vouch", "Vouch for a newcomer"},
		{"audit", "{receipt}", "folkmoot verify-proof"},
		{"constitution", "/constitution", "green spaces"},
		{"member-number", "/members/3", "This member delegates to nobody and nobody delegates to them."},
		{"laws", "/laws", "Plant a community orchard on the empty lot"},
		{"law", "/laws/1", "Plant a community orchard on the empty lot"},
		{"proposal-initiative", "/proposals/6", "Sign this initiative"},
		{"proposals-gathering", "/proposals?status=gathering", "Put a drinking fountain in the square"},
		{"laws-past", "/laws?at=2020-01-01", "The register as it stood at the end of 2020-01-01 (UTC)."},
		{"offices", "/offices", "tree warden"},
		{"elections", "/elections", "tree warden"},
		{"election", "/elections/1", "Election 1: tree warden"},
		{"draws", "/draws", "Citizens' panel on the square"},
		{"draw", "/draws/1", "Re-run it yourself"},
		{"draw-bad", "/draws/first", "A draw number"},
		{"not-found", "/no/such/page", "There is no page at /no/such/page."},
		{"bad-request", "/proposals/twelve", "A proposal number"},
		// The demo holds no secret vote: its pages are scanned in every
		// state by TestBrowserSecretVote.
		{"trustee-not-secret", "/proposals/3/trustee", "Proposal 3 is not a secret vote"},
		{"home-ca", "/?lang=ca", "Decisions recents"},
		{"proposal-passed-ca", "/proposals/1?lang=ca", "Aprovada"},
		{"join-ca", "/join?lang=ca", "Uneix-te a la comunitat"},
		{"vouch-ca", "/vouch?lang=ca", "Avala"},
		{"member-ca", "/members/2?lang=ca", "Membre núm. 2"},
		{"laws-ca", "/laws?lang=ca", "Plant a community orchard on the empty lot"},
		{"offices-ca", "/offices?lang=ca", "tree warden"},
		{"elections-ca", "/elections?lang=ca", "tree warden"},
		{"election-ca", "/elections/1?lang=ca", "tree warden"},
		{"proposal-initiative-ca", "/proposals/6?lang=ca", "Signar aquesta iniciativa"},
		{"draw-ca", "/draws/1?lang=ca", "Refés-lo tu mateix"},
	}
}

// report fails the test for each serious or critical violation and logs
// the others.
func report(t *testing.T, where string, found []violation) {
	t.Helper()
	for _, v := range found {
		msg := fmt.Sprintf("%s: %s [%s] %s — %s", where, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
		if v.Impact == "serious" || v.Impact == "critical" {
			t.Errorf("accessibility: %s", msg)
		} else {
			t.Logf("accessibility (not failing): %s", msg)
		}
	}
}

// violation is one axe-core rule a page breaks.
type violation struct {
	ID, Impact, Help string
	Nodes            []string // CSS targets, each with axe's summary of the fix
}

// scan evaluates axe-core in the current page and runs it.
func scan(ctx context.Context, axeJS string) ([]violation, error) {
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeJS+";true")); err != nil {
		return nil, fmt.Errorf("inject axe-core: %w", err)
	}
	out, err := chromedp.Run(ctx, chromedp.Evaluate[string](`axe.run(document).then(r => JSON.stringify({Passed: r.passes.length, Violations: r.violations.map(v => ({
		ID: v.id, Impact: v.impact || "", Help: v.help + " (" + v.helpUrl + ")",
		Nodes: v.nodes.map(n => n.target.join(" ") + (n.failureSummary ? ": " + n.failureSummary.replace(/\s+/g, " ") : ""))}))}))`, chromedp.EvalAwaitPromise))
	if err != nil {
		return nil, fmt.Errorf("axe.run: %w", err)
	}
	var res struct {
		Passed     int
		Violations []violation
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		return nil, fmt.Errorf("axe.run's answer: %w", err)
	}
	if res.Passed == 0 {
		return nil, fmt.Errorf("axe.run checked no rule: %s", out)
	}
	return res.Violations, nil
}

// fetchJSON reads a JSON answer of the site, for a caller with a context.
func fetchJSON(ctx context.Context, url string, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

// quote makes a JavaScript string literal of s (no quotes or backslashes in
// the test's strings).
func quote(s string) string { return `"` + s + `"` }
