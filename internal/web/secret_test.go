package web_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/keystore"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/trustee"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestBrowserSecretVote runs secret votes through the site in a real
// headless Chromium: three members, each in a browser context of their
// own with the key imported from a backup, make a referendum's election
// key from the trustee page (commit, deal, check, complain, answer:
// ballot.js's trustee functions, the secrets kept in each browser) with a
// fourth trustee in Go who deals one of them a bad share (her browser
// complains; he reveals it) and complains of another's (that browser
// answers); they vote on the proposal page, one votes again, and two of
// them decrypt from the trustee page, one with the revealed share; the
// page then shows the counts, the result, every voter's tracking code
// (the ones the browsers showed when casting) and the signed-in member's
// own. Beside it, an approval question whose key two other members make
// from Go takes ballots cast in the browser, the limit of approvals held
// by the form. The pages are scanned for accessibility in each state.
func TestBrowserSecretVote(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node and a browser")
	}
	bin := chromium()
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set FOLKMOOT_CHROMIUM): secret vote not run")
	}
	axeJS, err := os.ReadFile(filepath.Join("testdata", "axe", "axe.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	c := apitest.StartWith(t, func(c *core.Constitution) {
		c.Secret.KeyPeriod.Duration = 12 * time.Second
		c.Secret.DecryptPeriod.Duration = 60 * time.Second
	}, "Ada", "Bram", "Chiara", "Dmitri", "Eve")
	ada, bram, chiara, dmitri, eve := c.Founders[0], c.Founders[1], c.Founders[2], c.Founders[3], c.Founders[4]
	dir := artifacts(t)

	ctx, closeBrowser := browser(t, bin, 240*time.Second)
	defer closeBrowser()
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	// One browser context per member: each its own IndexedDB, so its own
	// key and trustee secrets.
	people := []*apitest.Member{ada, bram, chiara}
	tabs := make([]context.Context, len(people))
	for i := range people {
		tab, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
		defer cancel()
		tabs[i] = tab
	}
	parallel(t, "import keys", len(people), func(i int) error {
		m := people[i]
		file, err := keystore.ExportBackup(m.Priv, strings.ToLower(m.Name), []byte("plums in june"))
		if err != nil {
			return err
		}
		return chromedp.Do(tabs[i],
			chromedp.Navigate(c.Site+"/join"),
			chromedp.WaitVisible(chromedp.CSS("#import-button")),
			chromedp.SetValue(chromedp.CSS("#import-text"), string(file)),
			chromedp.SetValue(chromedp.CSS("#import-pass"), "plums in june"),
			chromedp.Click(chromedp.CSS("#import-button")),
			waitJS(`document.querySelector("#pubkey").textContent === "`+m.Key.String()+`"`, 30*time.Second),
		)
	})

	// The referendum (trustees Ada, Bram, Chiara in the browser and
	// Dmitri from Go, two of whom decrypt) and the question (trustees
	// Dmitri and Eve, from Go).
	opens := time.Now().Add(28 * time.Second).Unix()
	c.Do(t, ada, &tx.Propose{Title: "Build the footbridge", Category: "general", Opens: opens, Closes: opens + 16,
		Secret: true, Trustees: []uint32{1, 2, 3, 4}, Threshold: 2})
	c.Do(t, ada, &tx.Propose{Title: "Which trees?", Category: "general", Opens: opens, Closes: opens + 16,
		Secret: true, Trustees: []uint32{4, 5}, Threshold: 1, Options: []string{"oak", "lime", "ash"}, Approve: 2})
	var secrets []*trustee.Secret
	t.Logf("proposed; voting opens in %s", time.Until(time.Unix(opens, 0)))

	// The trustees step until every one has dealt and found nothing due,
	// and both complaints are answered: Dmitri deals Ada a share that
	// does not open (her browser complains, he reveals it), and complains
	// of Bram's (Bram's browser reveals it).
	settled := func(d query.SecretDetail) bool {
		n := 0
		for _, o := range d.Dealers {
			for _, cp := range o.Complaints {
				if !cp.Answered {
					return false
				}
				n++
			}
		}
		return allDealt(d) && n == 2
	}
	parallel(t, "key generation", len(people)+1, func(i int) error {
		if i == 3 {
			var err error
			secrets, err = goTrustees(c, dmitri, eve)
			return err
		}
		if err := chromedp.Do(tabs[i], chromedp.Navigate(c.Site+"/proposals/1/trustee"),
			waitJS(`document.querySelector("#trustee-me").textContent.includes("You are trustee `+fmt.Sprint(i+1)+`")`, 20*time.Second)); err != nil {
			return err
		}
		for {
			done, said, err := trusteeStep(tabs[i])
			if err != nil {
				return err
			}
			if done == "error" && strings.Contains(said, "not yet in a block") {
				// A loaded machine: the step is in the mempool; the next
				// press sees it done.
				continue
			}
			if done == "error" || done == "rejected" {
				return fmt.Errorf("trustee %d: %s", i+1, said)
			}
			d, err := c.Service.Secret(1)
			if err != nil {
				return err
			}
			if done == "idle" && (strings.Contains(said, "Nothing is due") && settled(d) || strings.Contains(said, "election key is made")) {
				return nil
			}
			if time.Now().Unix() > opens {
				return fmt.Errorf("trustee %d: the key is not made by the opening: %s", i+1, said)
			}
			if done == "idle" {
				time.Sleep(300 * time.Millisecond)
			}
		}
	})
	t.Logf("the trustees' steps are done %s before the opening", time.Until(time.Unix(opens, 0)))
	// The trustee page's table follows the steps without a reload.
	if err := chromedp.Do(tabs[0], waitJS(`Array.from(document.querySelector("#trustee-3").cells, c => c.textContent).slice(2, 4).join(" ") === "yes yes"`, 10*time.Second)); err != nil {
		t.Error(err)
	}
	if err := chromedp.Do(tabs[0], screenshot(dir, "secret-trustee")); err != nil {
		t.Fatal(err)
	}
	scanPage(t, tabs[0], string(axeJS), "trustee page", c.Site+"/proposals/1/trustee", "Your tasks as a trustee")
	scanPage(t, tabs[0], string(axeJS), "secret scheduled", c.Site+"/proposals/1", "Trustees: 2 of these 4 must decrypt the result")
	waitStatus(t, c, 1, "open")
	waitStatus(t, c, 2, "open")

	// Voting: Ada says no, then yes; Bram yes; Chiara abstains. On the
	// question, Ada approves oak and lime, Bram lime; a third box cannot
	// be ticked.
	tracking := make([]string, len(people))
	approvals := make([]string, 2)
	var openScan []violation
	parallel(t, "vote", len(people), func(i int) error {
		votes := [][]string{{"1", "0"}, {"0"}, {"2"}}[i]
		for _, v := range votes {
			code, err := castSecret(tabs[i], c.Site+"/proposals/1", v)
			if err != nil {
				return fmt.Errorf("%s votes %s: %w", people[i].Name, v, err)
			}
			tracking[i] = code
		}
		if i == 2 {
			// The open vote's page, with its ballot form.
			var err error
			openScan, err = scan(tabs[i], string(axeJS))
			return err
		}
		var err error
		approvals[i], err = castSecret(tabs[i], c.Site+"/proposals/2", [][]string{{"0", "1"}, {"1"}}[i]...)
		if err != nil || i == 1 {
			return err
		}
		limit, err := chromedp.Run(tabs[0], chromedp.Evaluate[bool](`(() => {
			const b = i => document.querySelector("#secret-choice-" + i);
			b(0).checked = false; b(1).checked = false;
			b(0).click(); b(1).click();
			return b(2).disabled && !b(0).disabled;
		})()`))
		if err == nil && !limit {
			err = fmt.Errorf("after two approvals the third box is not disabled")
		}
		if err == nil {
			err = chromedp.Do(tabs[0], screenshot(dir, "secret-approve"))
		}
		return err
	})
	report(t, "secret open", openScan)
	t.Logf("voted %s before the close", time.Until(time.Unix(opens+16, 0)))

	// After the close, Ada (with the share Dmitri revealed) and Bram
	// decrypt in the browser; on the question, Dmitri from Go.
	waitStatus(t, c, 1, "counting")
	parallel(t, "decrypt", 2, func(i int) error {
		if err := chromedp.Do(tabs[i], loadUntil(c.Site+"/proposals/1/trustee", `document.querySelector(".status-counting")`),
			waitJS(`document.querySelector("#trustee-me").textContent.includes("You are trustee")`, 20*time.Second)); err != nil {
			return err
		}
		done, said, err := trusteeStep(tabs[i])
		if err == nil && done != "ok" {
			err = fmt.Errorf("trustee %d decrypts: %s %s", i+1, done, said)
		}
		return err
	})
	waitStatus(t, c, 2, "counting")
	goDecrypt(t, c, 2, []*apitest.Member{dmitri}, secrets[:1])
	waitStatus(t, c, 1, "decided")
	waitStatus(t, c, 2, "decided")

	// The page: counts, result, every voter's tracking code, Ada's own.
	page := scanPage(t, tabs[0], string(axeJS), "secret decided", c.Site+"/proposals/1", "Verify it yourself")
	if err := chromedp.Do(tabs[0], waitJS(`!document.querySelector("#my-ballot").hidden`, 10*time.Second), screenshot(dir, "secret-decided")); err != nil {
		t.Fatal(err)
	}
	counts := text(t, tabs[0], "#secret-counts")
	result := text(t, tabs[0], "#secret-result")
	cast := text(t, tabs[0], "#cast")
	mine := text(t, tabs[0], "#my-ballot")
	link, _ := chromedp.Run(tabs[0], chromedp.Evaluate[string](`document.querySelector("#secret-verify a").getAttribute("href")`))
	if !strings.Contains(counts, "Yes2") || !strings.Contains(counts, "No0") || !strings.Contains(counts, "Abstain1") || !strings.Contains(result, "Passed") {
		t.Errorf("counts %q, result %q", counts, result)
	}
	for i, code := range tracking {
		if len(code) != 64 || !strings.Contains(cast, code) {
			t.Errorf("%s's tracking code %q is not among the counted ballots: %s", people[i].Name, code, cast)
		}
	}
	if !strings.Contains(mine, "member #1") || !strings.Contains(mine, tracking[0]) || link != "/api/v1/proposals/1/secret" || !strings.Contains(page, "folkmoot verify") {
		t.Errorf("my ballot %q, verify link %q", mine, link)
	}
	d, err := c.Service.Secret(1)
	if err != nil || len(d.Cast) != 3 || len(d.Partials) != 2 || d.Partials[0].Trustee != 1 || d.Partials[1].Trustee != 2 || len(qualifiedOf(d)) != 4 ||
		len(d.Dealers[3].Complaints) != 1 || d.Dealers[3].Complaints[0].By != 1 || len(d.Dealers[1].Complaints) != 1 || d.Dealers[1].Complaints[0].By != 4 {
		t.Errorf("secret detail after the tally: %+v %v", d, err)
	}

	scanPage(t, tabs[0], string(axeJS), "secret question decided", c.Site+"/proposals/2", "Chosen: lime.")
	counts = text(t, tabs[0], "#secret-counts")
	cast = text(t, tabs[0], "#cast")
	if !strings.Contains(counts, "oak1") || !strings.Contains(counts, "lime2") || !strings.Contains(counts, "ash0") ||
		!strings.Contains(cast, approvals[0]) || !strings.Contains(cast, approvals[1]) {
		t.Errorf("question's counts %q, ballots %q, want the codes %q", counts, cast, approvals)
	}
	scanPage(t, tabs[0], string(axeJS), "secret decided ca", c.Site+"/proposals/1?lang=ca", "Vot secret")
	home := scanPage(t, tabs[0], string(axeJS), "home with secret votes", c.Site+"/", "Chosen: lime.")
	if !strings.Contains(home, "secret ballot") || !strings.Contains(home, "2 yes, 0 no, 1 abstain") {
		t.Errorf("home page: %s", home)
	}

	// A secret question proposed from the new-proposal form: the review
	// shows every secret field; the proposal is what the CLI would make.
	if err := chromedp.Do(tabs[0], chromedp.Navigate(c.Site+"/proposals/new"), chromedp.WaitVisible(chromedp.CSS("#propose-form")),
		waitJS(`document.querySelector("[data-who]").textContent.includes("ada")`, 20*time.Second),
		chromedp.SetValue(chromedp.CSS("#propose-title"), "Which bench?"),
		chromedp.Click(chromedp.CSS("#propose-secret")),
		waitJS(`!document.querySelector("#propose-secret-fields").hidden`, 5*time.Second),
		chromedp.SetValue(chromedp.CSS("#propose-opens"), "2"),
		chromedp.SetValue(chromedp.CSS("#propose-options"), "red\n green \n\nblue"),
		chromedp.SetValue(chromedp.CSS("#propose-approve"), "2"),
		chromedp.SetValue(chromedp.CSS("#propose-trustees"), "1, 2,3"),
		chromedp.SetValue(chromedp.CSS("#propose-threshold"), "2"),
		chromedp.SetValue(chromedp.CSS("#propose-hours"), "24"),
	); err != nil {
		t.Fatalf("secret proposal form: %v", err)
	}
	scanPage(t, tabs[0], string(axeJS), "propose secret", "", "Put it to a secret ballot")
	if err := chromedp.Do(tabs[0], chromedp.Click(chromedp.CSS("#propose-button"))); err != nil {
		t.Fatal(err)
	}
	before := time.Now()
	done, said, err := signIfAsked(tabs[0], "#propose-form .sign-status",
		`document.querySelector("#review-fields").textContent.includes("secret ballotyes")`,
		`document.querySelector("#review-fields").textContent.includes("optionsred; green; blue")`,
		`document.querySelector("#review-fields").textContent.includes("trustees1,2,3")`)
	if err != nil || done != "ok" {
		t.Fatalf("secret proposal from the form: %s %s %v", done, said, err)
	}
	p, err := c.Service.Proposal(3)
	if err != nil || p.Secret == nil || strings.Join(p.Secret.Options, ",") != "red,green,blue" || p.Secret.Approve != 2 || p.Secret.Threshold != 2 ||
		len(p.Secret.Trustees) != 3 || p.Opens.Sub(before) < 119*time.Minute || p.Closes.Sub(p.Opens) < 1439*time.Minute || p.Closes.Sub(p.Opens) > 1441*time.Minute {
		t.Errorf("the secret proposal from the form: %+v %+v %v", p.Proposal, p.Secret, err)
	}
}

// parallel runs fn(0..n-1) side by side and fails the test with every
// error.
func parallel(t *testing.T, what string, n int, fn func(i int) error) {
	t.Helper()
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = fn(i)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("%s %d: %v", what, i, err)
		}
	}
	if t.Failed() {
		t.FailNow()
	}
}

// waitJS waits until the expression is true, across page loads.
func waitJS(expr string, limit time.Duration) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		deadline := time.Now().Add(limit)
		for {
			ok, err := chromedp.Evaluate[bool](`(() => { try { return !!(`+expr+`); } catch (e) { return false; } })()`)(ctx, tg)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("waiting for %s: not true after %s (%v)", expr, limit, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
		}
	})
}

// signIfAsked waits until the status element sel says it is done,
// signing in the review dialog whenever it opens; it returns the status's
// data-done and text.
func signIfAsked(tab context.Context, sel string, expect ...string) (string, string, error) {
	deadline := time.Now().Add(40 * time.Second)
	for time.Now().Before(deadline) {
		state, err := chromedp.Run(tab, chromedp.Evaluate[string](`(() => {
			const out = document.querySelector(`+"`"+sel+"`"+`);
			if (out && out.getAttribute("data-done")) { return out.getAttribute("data-done") + "\n" + out.textContent; }
			return document.querySelector("#review").open ? "review" : "";
		})()`))
		if err != nil {
			return "", "", err
		}
		switch {
		case state == "review":
			for _, e := range expect {
				if ok, err := chromedp.Run(tab, chromedp.Evaluate[bool](e)); err != nil || !ok {
					return "", "", fmt.Errorf("the review dialog: %s is not true (%v)", e, err)
				}
			}
			if err := chromedp.Do(tab, chromedp.Click(chromedp.CSS("#review-sign"))); err != nil {
				return "", "", err
			}
		case state != "":
			done, said, _ := strings.Cut(state, "\n")
			return done, said, nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return "", "", fmt.Errorf("%s: not done after 40s", sel)
}

// trusteeStep presses the trustee page's button and returns what came of
// it: "ok" (a transaction recorded), "idle" (nothing sent), or an error.
func trusteeStep(tab context.Context) (string, string, error) {
	if err := chromedp.Do(tab, waitJS(`!document.querySelector("#trustee-step").disabled`, 20*time.Second),
		chromedp.Click(chromedp.CSS("#trustee-step"))); err != nil {
		return "", "", err
	}
	return signIfAsked(tab, "#trustee-tasks .sign-status")
}

// castSecret votes on the secret vote at page for the choices (their
// numbers from 0) and returns the tracking code the page showed.
func castSecret(tab context.Context, page string, choices ...string) (string, error) {
	steps := []chromedp.Action[chromedp.Void]{loadUntil(page, `document.querySelector("#secret-button")`),
		waitJS(`document.querySelector("[data-who]").textContent.includes("Signing as")`, 20*time.Second)}
	for _, v := range choices {
		steps = append(steps, chromedp.Click(chromedp.CSS("#secret-choice-"+v)))
	}
	steps = append(steps, chromedp.Click(chromedp.CSS("#secret-button")))
	sctx, cancel := context.WithTimeout(tab, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(sctx, steps...); err != nil {
		main, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("main").innerText.slice(0, 600)`))
		return "", fmt.Errorf("%w; the page says:\n%s", err, main)
	}
	// What the member signs is what they see: the encrypted ballot, with
	// a sentence saying what it is.
	done, said, err := signIfAsked(tab, "#secret-form .sign-status",
		`document.querySelector("#review-fields").textContent.includes("secret ballot")`,
		`/encrypted ballot[0-9a-f]{1000,}/.test(document.querySelector("#review-fields").textContent)`,
		`!document.querySelector("#review-note").hidden && document.querySelector("#review-note").textContent.includes("nobody can read how you voted")`)
	if err != nil {
		return "", err
	}
	if done != "ok" {
		return "", fmt.Errorf("%s: %s", done, said)
	}
	return chromedp.Run(tab, chromedp.Evaluate[string](`document.querySelector("#secret-tracking").getAttribute("data-tracking")`))
}

// loadUntil loads page again until expr is true: while a new block's page
// is being rendered, the site serves the previous one.
func loadUntil(page, expr string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		deadline := time.Now().Add(20 * time.Second)
		for {
			if err := chromedp.Do(ctx, chromedp.Navigate(page), chromedp.WaitReady(chromedp.CSS("main"))); err != nil {
				return err
			}
			if ok, err := chromedp.Evaluate[bool](`!!(`+expr+`)`)(ctx, tg); err != nil || ok {
				return err
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("%s: %s not true after 20s", page, expr)
			}
			time.Sleep(300 * time.Millisecond)
		}
	})
}

// scanPage opens url (unless it is ""), checks that its main text says want, scans it with
// axe-core and returns the text.
func scanPage(t *testing.T, tab context.Context, axeJS, name, url, want string) string {
	t.Helper()
	if url != "" { // "": the page as it is
		if err := chromedp.Do(tab, loadUntil(url, `document.querySelector("main").textContent.replace(/\s+/g, " ").includes(`+"`"+want+"`"+`)`)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
	main := text(t, tab, "main")
	if !strings.Contains(main, want) {
		t.Errorf("%s (%s) does not say %q:\n%s", name, url, want, main)
	}
	found, err := scan(tab, axeJS)
	if err != nil {
		t.Fatalf("axe on %s: %v", name, err)
	}
	report(t, name, found)
	return main
}

// text is the text of the element sel, its spaces collapsed.
func text(t *testing.T, tab context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(tab, chromedp.Evaluate[string](`(document.querySelector("`+sel+`") || {}).textContent || ""`))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(strings.Fields(s), " ")
}

// allDealt says whether every trustee has dealt its shares.
func allDealt(d query.SecretDetail) bool {
	for _, tr := range d.Secret.Trustees {
		if !tr.Dealt {
			return false
		}
	}
	return true
}

// waitStatus waits until proposal id has the status.
func waitStatus(t *testing.T, c *apitest.Community, id uint64, status string) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		d, err := c.Service.Secret(id)
		if err == nil && d.Status == status {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("proposal %d is %q, not %s, after 60s (%v)", id, d.Status, status, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// qualifiedOf lists the qualified trustees.
func qualifiedOf(d query.SecretDetail) []uint32 {
	var out []uint32
	for _, tr := range d.Secret.Trustees {
		if tr.Qualified {
			out = append(out, tr.Number)
		}
	}
	return out
}

// goSubmit signs body as m with its next nonce, submits it and waits
// for its block; it may run beside the test's goroutine.
func goSubmit(c *apitest.Community, m *apitest.Member, body tx.Body) error {
	m.Nonce++
	raw, err := tx.Sign(m.Priv, tx.Unsigned{ChainID: c.ChainID, Author: m.Key, Nonce: m.Nonce, Body: body})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := c.Client.SubmitAndWait(ctx, raw)
	if err == nil && res.Code != 0 {
		err = fmt.Errorf("%s by %s rejected with code %d", body.Kind(), m.Name, res.Code)
	}
	return err
}

// until waits for cond on proposal id's public record.
func until(c *apitest.Community, id uint64, what string, cond func(query.SecretDetail) bool) (query.SecretDetail, error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		d, err := c.Service.Secret(id)
		if err == nil && cond(d) {
			return d, nil
		}
		if time.Now().After(deadline) {
			return d, fmt.Errorf("proposal %d: waiting for %s: %v", id, what, err)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// allCommitted says whether every trustee has committed.
func allCommitted(d query.SecretDetail) bool {
	for _, o := range d.Dealers {
		if o.Recipient == "" {
			return false
		}
	}
	return true
}

// goCommit makes each member's secret as trustee numbers[k] of n on
// proposal id and commits it, as folkmoot trustee keygen does.
func goCommit(c *apitest.Community, id uint64, n int, ms []*apitest.Member, numbers []int) ([]*trustee.Secret, error) {
	d, err := c.Service.Secret(id)
	if err != nil {
		return nil, err
	}
	var out []*trustee.Secret
	for k, m := range ms {
		s, err := trustee.New(fmt.Sprintf("test-%d", id), numbers[k], int(d.Secret.Threshold), n, rand.Reader)
		if err != nil {
			return nil, err
		}
		rcpt, err := s.Recipient()
		if err != nil {
			return nil, err
		}
		cm, err := s.Commitments()
		if err != nil {
			return nil, err
		}
		if err := goSubmit(c, m, &tx.TrusteeCommit{Proposal: id, Recipient: rcpt, Commitments: cm}); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

// goDeal waits for every trustee of proposal id to commit, then seals
// each member's shares (as trustee numbers[k]) to the others and sends
// them; the share for trustee bad (0: none) is replaced by bytes that do
// not open.
func goDeal(c *apitest.Community, id uint64, ms []*apitest.Member, secrets []*trustee.Secret, numbers []int, bad int) error {
	d, err := until(c, id, "the commitments", allCommitted)
	if err != nil {
		return err
	}
	for k, m := range ms {
		recipients := map[int]string{}
		for j, o := range d.Dealers {
			if j+1 != numbers[k] {
				recipients[j+1] = o.Recipient
			}
		}
		sealed, err := secrets[k].Seal(recipients)
		if err != nil {
			return err
		}
		if bad != 0 {
			sealed[bad] = []byte("not an age file")
		}
		var shares []tx.SealedShare
		for j := 1; j <= len(d.Dealers); j++ {
			if b, ok := sealed[j]; ok {
				shares = append(shares, tx.SealedShare{To: uint32(j), Sealed: b})
			}
		}
		if err := goSubmit(c, m, &tx.TrusteeShares{Proposal: id, Shares: shares}); err != nil {
			return err
		}
	}
	return nil
}

// goTrustees takes the Go trustees' steps: Dmitri and Eve make the
// question's key (proposal 2); Dmitri, trustee 4 of the referendum
// (proposal 1), deals trustee 1 a share that does not open, complains of
// trustee 2's share once dealt, and answers trustee 1's complaint by
// revealing the true share. It returns the question's secrets.
func goTrustees(c *apitest.Community, dmitri, eve *apitest.Member) ([]*trustee.Secret, error) {
	mine, err := goCommit(c, 1, 4, []*apitest.Member{dmitri}, []int{4})
	if err != nil {
		return nil, err
	}
	question, err := goCommit(c, 2, 2, []*apitest.Member{dmitri, eve}, []int{1, 2})
	if err != nil {
		return nil, err
	}
	if err := goDeal(c, 2, []*apitest.Member{dmitri, eve}, question, []int{1, 2}, 0); err != nil {
		return nil, err
	}
	if err := goDeal(c, 1, []*apitest.Member{dmitri}, mine, []int{4}, 1); err != nil {
		return nil, err
	}
	if _, err := until(c, 1, "trustee 2's shares", func(d query.SecretDetail) bool { return d.Dealers[1].Shares != nil }); err != nil {
		return nil, err
	}
	if err := goSubmit(c, dmitri, &tx.TrusteeComplain{Proposal: 1, Dealer: 2}); err != nil {
		return nil, err
	}
	if _, err := until(c, 1, "trustee 1's complaint", func(d query.SecretDetail) bool { return len(d.Dealers[3].Complaints) > 0 }); err != nil {
		return nil, err
	}
	share, err := mine[0].Reveal(1)
	if err != nil {
		return nil, err
	}
	return question, goSubmit(c, dmitri, &tx.TrusteeAnswer{Proposal: 1, Complainer: 1, Share: share})
}

// goDecrypt publishes the trustees' partial decryptions, as folkmoot
// trustee decrypt does.
func goDecrypt(t *testing.T, c *apitest.Community, id uint64, ms []*apitest.Member, secrets []*trustee.Secret) {
	t.Helper()
	d, err := c.Service.Secret(id)
	if err != nil {
		t.Fatal(err)
	}
	eid, _ := hex.DecodeString(d.ElectionID)
	key, _ := hex.DecodeString(d.Secret.Key)
	var agg []ballot.Ciphertext
	for _, h := range d.Aggregate {
		b, _ := hex.DecodeString(h)
		ct, err := ballot.ParseCiphertext(b)
		if err != nil {
			t.Fatal(err)
		}
		agg = append(agg, ct)
	}
	for i, m := range ms {
		me := i + 1
		shares := map[int][]byte{}
		for _, tr := range d.Secret.Trustees {
			if !tr.Qualified {
				continue
			}
			if int(tr.Number) == me {
				shares[me] = nil
				continue
			}
			dealer := d.Dealers[tr.Number-1]
			cm, _ := hex.DecodeString(dealer.Commitments)
			for _, sh := range dealer.Shares {
				if int(sh.To) == me {
					sealed, _ := hex.DecodeString(sh.Sealed)
					if shares[int(tr.Number)], err = secrets[i].Open(int(tr.Number), cm, sealed); err != nil {
						t.Fatal(err)
					}
				}
			}
		}
		part, err := secrets[i].Decrypt(ballot.Context{ElectionID: eid, ChainID: d.ChainID, PublicKey: key}, shares, agg, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		c.Do(t, m, &tx.TrusteeDecrypt{Proposal: id, Partial: part})
	}
}

// TestSecretPages renders a scheduled secret vote's proposal page and its
// trustee page from a real node, and the trustee page's bad requests.
func TestSecretPages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.StartWith(t, func(c *core.Constitution) { c.Secret.KeyPeriod.Duration = time.Hour }, "Ada", "Bram <b>")
	ada := c.Founders[0]
	opens := time.Now().Add(2 * time.Hour).Unix()
	c.Do(t, ada, &tx.Propose{Title: "Which trees?", Category: "general", Opens: opens, Closes: opens + 3600,
		Secret: true, Trustees: []uint32{2, 1}, Threshold: 2, Options: []string{"oak", "lime <i>"}, Approve: 1})
	c.Do(t, ada, &tx.Propose{Title: "Benches", Category: "general", Closes: time.Now().Add(time.Hour).Unix()})
	for _, tc := range []struct {
		path   string
		status int
		want   []string
	}{
		{"/proposals/1", 200, []string{`<h2 id="secret-h">Secret ballot</h2>`, "Approve up to 1 of these options:", "<li><bdi>lime &lt;i&gt;</bdi></li>",
			`<tr id="trustee-1"><th scope="row">1</th><td><a href="/members/2?lang=en"><bdi>Bram &lt;b&gt;</bdi> <span class="member-no">#2</span></a></td>`,
			"Trustees: 2 of these 2 must decrypt the result", `<a href="/proposals/1/trustee?lang=en" id="trustee-link">`,
			"The trustees are making the election key", `<script src="/static/secret.js" defer></script>`, `<a href="/api/v1/proposals/1/secret">`}},
		{"/proposals/1/trustee", 200, []string{"Trustee&#39;s tasks: <bdi>Which trees?</bdi>", `<button type="button" id="trustee-step">Take my next step</button>`,
			"folkmoot trustee keygen 1 --as &lt;you&gt; --wait", "kept in this browser only", `<script src="/static/ballot.js" defer></script>`}},
		{"/proposals/1/trustee?lang=ca", 200, []string{"Fes el meu pas següent"}},
		{"/proposals/2/trustee", 409, []string{"Proposal 2 is not a secret vote"}},
		{"/proposals/9/trustee", 404, []string{"There is no proposal 9."}},
		{"/proposals/x/trustee", 400, []string{"A proposal number is a whole number"}},
	} {
		res, body := get(t, c.Site+tc.path)
		if res.StatusCode != tc.status {
			t.Errorf("GET %s: %d, want %d", tc.path, res.StatusCode, tc.status)
		}
		for _, w := range tc.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s lacks %q", tc.path, w)
			}
		}
		if inlineScript.MatchString(body) || handlerAttr.MatchString(body) {
			t.Errorf("GET %s has inline script", tc.path)
		}
	}
	if _, body := get(t, c.Site+"/proposals/2"); strings.Contains(body, "secret.js") || strings.Contains(body, `id="secret"`) {
		t.Errorf("an open vote's page has the secret vote's parts")
	}
}
