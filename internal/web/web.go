// Package web serves the community's site: server-rendered html/template
// pages with their assets embedded, reading through the same api.Service
// as the JSON API (mounted at /api/v1), so pages and API always agree. No
// page can change anything: a state change is a transaction a member
// signed, relayed by POST /api/v1/tx. Scripts are small progressive
// enhancements under a strict Content-Security-Policy; every page works
// without them.
package web

import (
	"bytes"
	"context"
	"embed"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

//go:embed templates/*.html
var templateFiles embed.FS

//go:embed static
var staticFiles embed.FS

// CSP is the Content-Security-Policy of every answer: nothing inline, no
// other origin, no framing. Tally charts are inline SVG drawn with
// presentation attributes, which the policy allows. 'wasm-unsafe-eval'
// lets the site's own WebAssembly (static/ballot.wasm) be compiled; it
// allows no JavaScript eval.
const CSP = "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// Options configure a Site.
type Options struct {
	Service *api.Service
	Log     *slog.Logger // nil discards
	// Poll is how often the live tally looks for a new block (default 250ms).
	Poll time.Duration
	// Fingerprint is the SHA-256 fingerprint of the site's HTTPS
	// certificate, shown in every page's footer so members can compare it
	// with their browser's ("" for plain HTTP).
	Fingerprint string
	// BaseURL is the address the site is served at, with its scheme
	// (https://host:port when over TLS), from which the feed builds its
	// links: a request's Host header is the client's to forge. "" makes
	// the links relative to the feed's own address.
	BaseURL string
	// MaxStreams and MaxStreamsPerClient cap the live-tally streams open
	// at once, in all and per client address (defaults
	// DefaultMaxStreams and DefaultMaxStreamsPerClient); beyond them a
	// stream is refused with 503 and Retry-After. StreamLifetime ends a
	// stream after that long (default DefaultStreamLifetime); browsers
	// reconnect by themselves.
	MaxStreams, MaxStreamsPerClient int
	StreamLifetime                  time.Duration
}

// Site is the web site of one node.
type Site struct {
	svc   *api.Service
	log   *slog.Logger
	cat   *Catalog
	md    *markdown
	pages map[string]*template.Template // by language
	poll  time.Duration
	cache *pageCache
	// fingerprint is Options.Fingerprint.
	fingerprint string
	// baseURL is Options.BaseURL without a trailing slash.
	baseURL string
	// live fans the live tally out to its streams.
	live *liveHub
}

// New parses the templates for every language of the catalogue.
func New(o Options) (*Site, error) {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Poll <= 0 {
		o.Poll = 250 * time.Millisecond
	}
	cat, err := LoadCatalog()
	if err != nil {
		return nil, err
	}
	s := &Site{svc: o.Service, log: o.Log, cat: cat, md: newMarkdown(), pages: make(map[string]*template.Template), poll: o.Poll,
		cache: newPageCache(), fingerprint: o.Fingerprint, baseURL: strings.TrimSuffix(o.BaseURL, "/")}
	if o.MaxStreams <= 0 {
		o.MaxStreams = DefaultMaxStreams
	}
	if o.MaxStreamsPerClient <= 0 {
		o.MaxStreamsPerClient = DefaultMaxStreamsPerClient
	}
	if o.StreamLifetime <= 0 {
		o.StreamLifetime = DefaultStreamLifetime
	}
	s.live = &liveHub{site: s, poll: o.Poll, maxTotal: o.MaxStreams, maxPerClient: o.MaxStreamsPerClient,
		lifetime: o.StreamLifetime, perClient: make(map[string]int), feeds: make(map[uint64]*feed)}
	for _, lang := range cat.Langs() {
		funcs := template.FuncMap{
			"t":          func(key string, args ...any) string { return cat.T(lang, key, args...) },
			"md":         s.md.HTML,
			"when":       func(t time.Time) string { return t.UTC().Format(core.MinuteFormat) },
			"left":       func(t time.Time) string { return timeLeft(s.svc.Now(), t) },
			"tally":      func(p query.ProposalDetail) template.HTML { return s.tally(lang, p) },
			"status":     func(st string) string { return cat.T(lang, "status."+st) },
			"inc64":      func(n int64) int64 { return n + 1 },
			"plus":       func(a, b int) int { return a + b },
			"statuses":   core.Statuses,
			"short":      func(k fmt.Stringer) string { return k.String()[:8] },
			"jskeys":     scriptMessages,
			"dur":        span,
			"rule":       func(words string) string { return ruleWords(cat, lang, words) },
			"days":       func(d string) string { return days(cat, lang, d) },
			"graph":      func(g query.DelegationGraph, c query.CategoryDelegations) template.HTML { return s.graph(lang, g, c) },
			"lawstatus":  func(st string) string { return cat.T(lang, "law."+st) },
			"day":        func(t time.Time) string { return t.UTC().Format(time.DateOnly) },
			"bound":      func(c core.Constitution, category string) string { return c.BoundType(category) },
			"sub":        func(a, b uint64) uint64 { return a - b },
			"slug":       slug,
			"dict":       dict,
			"seq":        seq,
			"votes":      votesOf,
			"under":      func(s string) string { return strings.ReplaceAll(s, " ", "_") },
			"estatus":    func(st string) string { return cat.T(lang, "election."+st) },
			"gdur":       goDuration,
			"maxTitle":   func() int { return tx.MaxTitle },
			"th":         func(key string, args ...any) template.HTML { return sentence(cat, lang, key, args...) },
			"datetime":   func(t time.Time) string { return t.Format(time.RFC3339) },
			"smallOrder": func() string { return strings.Join(tx.SmallOrderKeys(), " ") },
			"who":        who,
			"bdi":        bdi,
			"iso":        isolate,
			"controls":   s.md.controls.Replace,
			"winner":     winner,
		}
		t, err := template.New("").Funcs(funcs).ParseFS(templateFiles, "templates/*.html")
		if err != nil {
			return nil, fmt.Errorf("web templates: %w", err)
		}
		s.pages[lang] = t
	}
	return s, nil
}

// goDuration writes a duration given as Go writes it ("336h0m0s") the
// way the site writes durations ("14d"); other text is returned as is.
func goDuration(s string) string {
	d, err := time.ParseDuration(s)
	if err != nil {
		return s
	}
	return span(core.Duration{Duration: d})
}

// dict makes a map of key and value pairs, for handing a nested template
// more than one value.
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		if k, ok := kv[i].(string); ok {
			m[k] = kv[i+1]
		}
	}
	return m
}

// scriptMessages are the catalogue keys (after "js.") of the sentences
// the signing script says; the layout hands them to it in the page's
// language.
func scriptMessages() []string {
	return []string{"who", "nokey", "nokey_link", "preparing", "sending", "recorded", "receipt", "not_signed", "need_key", "created", "bad_alias", "replace", "need_pass", "no_key", "encrypting", "ready", "opening", "imported", "wrong_pass", "not_backup", "mismatch", "other_author", "f_version", "f_chain", "f_author", "f_nonce", "f_kind", "f_newcomer_key", "f_newcomer_name", "f_title", "f_text", "f_category", "f_voting_opens", "f_voting_closes", "f_proposal", "f_in_reply_to_comment", "f_comment", "f_choice",
		"f_election", "f_ranking", "f_office", "f_member", "f_delegate_key", "no_rank", "dup_rank",
		"bad_payload", "bad_iterations", "backup_mismatch", "not_in_block", "field", "f_type", "f_measure", "f_law", "f_sunset", "f_rules",
		"f_amount", "f_initiative", "m_resolution", "m_law", "m_renewal", "m_repeal", "m_amendment", "v_true", "days", "bad_rules", "on_signatures",
		"k_vouch", "k_leave", "k_rotate", "k_propose", "k_withdraw", "k_comment", "k_endorse", "k_ballot",
		"k_delegate", "k_undelegate", "k_candidacy", "k_withdraw_candidacy", "k_rank", "k_recall", "k_amend_text", "c_yes", "c_no", "c_abstain", "weak_key",
		"k_trustee_commit", "k_trustee_shares", "k_trustee_complain", "k_trustee_answer", "k_secret_ballot", "k_trustee_decrypt",
		"f_age_recipient", "f_commitments", "f_sealed_shares", "f_dealer", "f_complainer", "f_revealed_share", "f_encrypted_ballot",
		"f_partial_decryption", "f_secret_ballot", "f_options", "f_approve_up_to", "f_trustees", "f_trustee_threshold", "note_secret_ballot",
		"s_loading", "s_encrypting", "s_not_member", "s_choose_one", "s_too_many", "s_not_open", "s_tracking", "s_mine", "s_mine_none",
		"s_not_trustee", "s_you_trustee", "s_committing", "s_dealing", "s_complaining", "s_answering", "s_decrypting", "s_nothing_due",
		"s_waiting", "s_too_late", "s_no_secret", "s_key_made", "s_decrypted", "s_over", "share_to",
		"k_draw", "k_volunteer", "k_beacon_commit", "k_beacon_reveal", "k_declare", "k_draw_lottery", "f_draw", "f_beacon_commitment",
		"f_beacon_secret", "f_attributes", "d_committed", "d_no_secret", "d_revealed", "d_nothing"}
}

func (s *Site) tally(lang string, p query.ProposalDetail) template.HTML {
	T := func(k string) string { return s.cat.T(lang, k) }
	return tallySVG(p.Proposal, tallyLabels{Title: T("prop.tally"), Yes: T("prop.yes"), No: T("prop.no"),
		Abstain: T("prop.abstain"), Quorum: T("prop.quorum_line"), Threshold: T("prop.threshold_line"),
		Delegated: T("prop.delegated_short")},
		p.QuorumRatio, p.ThresholdRatio)
}

// Handler serves the pages, the assets, the feed, the live tally and the
// JSON API, with security headers and gzip.
func (s *Site) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", s.svc.Handler())
	notFound := s.page(func(r *http.Request) (string, any, error) {
		return "", nil, api.NotFound("There is no page at %s.", r.URL.Path)
	})
	mux.Handle("GET /static/", newAssets(notFound))
	mux.HandleFunc("GET /{$}", s.page(s.home))
	mux.HandleFunc("GET /proposals", s.page(s.proposals))
	mux.HandleFunc("GET /proposals/new", s.page(s.propose))
	mux.HandleFunc("GET /proposals/{id}", s.page(s.proposal))
	mux.HandleFunc("GET /proposals/{id}/trustee", s.page(s.trustee))
	mux.HandleFunc("GET /join", s.page(s.static("join")))
	mux.HandleFunc("GET /vouch", s.page(s.static("vouch")))
	mux.HandleFunc("GET /members", s.page(s.members))
	mux.HandleFunc("GET /members/{ref}", s.page(s.member))
	mux.HandleFunc("GET /constitution", s.page(s.constitution))
	mux.HandleFunc("GET /laws", s.page(s.laws))
	mux.HandleFunc("GET /laws/{n}", s.page(s.law))
	mux.HandleFunc("GET /offices", s.page(s.offices))
	mux.HandleFunc("GET /elections", s.page(s.elections))
	mux.HandleFunc("GET /elections/{id}", s.page(s.election))
	mux.HandleFunc("GET /draws", s.page(s.draws))
	mux.HandleFunc("GET /draws/{id}", s.page(s.draw))
	mux.HandleFunc("GET /audit/tx/{id}", s.page(s.audit))
	mux.HandleFunc("GET /feed.atom", s.feed)
	mux.HandleFunc("GET /qr", s.qrCode)
	mux.HandleFunc("GET /events/proposals/{id}", s.events)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if allow := api.Allowed(mux, r); len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			lang := s.cat.Lang(r)
			status, body := s.render(r, lang, func(r *http.Request) (string, any, error) { return "", nil, api.MethodNotAllowed(r, allow) })
			s.write(w, r, lang, &renderedPage{status: status, plain: body})
			return
		}
		notFound(w, r)
	})
	return api.Compress(api.Recover(s.svc, secure(mux)))
}

// HSTS is the Strict-Transport-Security header of every answer over HTTPS:
// once a browser has seen the site over HTTPS, it will not use plain HTTP
// for it for a year.
const HSTS = "max-age=31536000"

// secure sets the headers every answer carries; over HTTPS (the server
// terminates TLS itself, so r.TLS is set), HSTS as well.
func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", HSTS)
		}
		hd.Set("Content-Security-Policy", CSP)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "no-referrer")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.ServeHTTP(w, r)
	})
}

// view is what every page template receives.
type view struct {
	Lang   string
	Langs  []string
	Path   string
	Status api.Status
	Title  string
	Data   any
	// Fingerprint is the site certificate's SHA-256 fingerprint, if HTTPS.
	Fingerprint string
}

// page renders the template a handler names with its data, or the error
// page with a sentence (never a stack trace). A page is rendered once per
// block (once the projection has it too) and language, and then served
// from the cache, gzipped when the client accepts it.
func (s *Site) page(fn func(r *http.Request) (name string, data any, err error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		lang := s.cat.Lang(r)
		p := s.cache.get(s.svc.Version(), lang+" "+r.URL.RequestURI(), func() (int, []byte) { return s.render(r, lang, fn) })
		s.write(w, r, lang, p)
	}
}

// write sends a rendered page, gzipped when it has been and the client
// accepts it.
func (s *Site) write(w http.ResponseWriter, r *http.Request, lang string, p *renderedPage) {
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Content-Language", lang)
	hd.Set("Vary", "Accept-Language")
	if p.status == http.StatusOK {
		hd.Set("Cache-Control", "no-cache")
	} else {
		hd.Set("Cache-Control", "no-store")
	}
	body := p.plain
	if p.gz != nil && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		hd.Set("Content-Encoding", "gzip")
		body = p.gz
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(p.status)
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}

// render renders one page: its status and HTML.
func (s *Site) render(r *http.Request, lang string, fn func(r *http.Request) (name string, data any, err error)) (int, []byte) {
	v := view{Lang: lang, Langs: s.cat.Langs(), Path: r.URL.Path, Fingerprint: s.fingerprint}
	// Other requests may wait for this rendering: the first one leaving
	// must not cut it short.
	st, err := s.svc.Status(context.WithoutCancel(r.Context()))
	name, data := "", any(nil)
	if err == nil {
		v.Status = st
		name, data, err = fn(r)
	}
	status := http.StatusOK
	if err != nil {
		e := s.svc.AsError(err)
		status, name, data = e.Status, "error", e
		v.Title = s.cat.T(lang, "error.title")
	}
	v.Data = data
	var buf bytes.Buffer
	if err := s.pages[lang].ExecuteTemplate(&buf, name+".html", v); err != nil {
		s.log.Error("render page", "page", name, "err", err)
		return http.StatusInternalServerError, []byte("Internal error.\n")
	}
	return status, buf.Bytes()
}

type homeData struct {
	Open, Decided, Gathering []query.Proposal
}

func (s *Site) home(r *http.Request) (string, any, error) {
	open, err := s.svc.Proposals(api.Filter{Status: "open", Limit: 20})
	if err != nil {
		return "", nil, err
	}
	decided, err := s.svc.Proposals(api.Filter{Status: "decided", Limit: 10})
	if err != nil {
		return "", nil, err
	}
	gathering, err := s.svc.Proposals(api.Filter{Status: "gathering", Limit: 10})
	if err != nil {
		return "", nil, err
	}
	return "home", homeData{Open: open, Decided: decided, Gathering: gathering}, nil
}

type proposalsData struct {
	Filter     api.Filter
	Categories []string
	Proposals  []query.Proposal
}

func (s *Site) proposals(r *http.Request) (string, any, error) {
	f, err := api.FilterFrom(r)
	if err != nil {
		return "", nil, err
	}
	// Others may wait for this rendering (see render): the first one
	// leaving must not cut the search short.
	ps, err := s.svc.Search(context.WithoutCancel(r.Context()), api.ClientAddr(r), f)
	if err != nil {
		return "", nil, err
	}
	st, err := s.svc.Status(r.Context())
	if err != nil {
		return "", nil, err
	}
	return "proposals", proposalsData{Filter: f, Categories: st.Constitution.Categories, Proposals: ps}, nil
}

type proposalData struct {
	P query.ProposalDetail
	// S is the proposal's secret vote, if it is one.
	S *secretView
}

func (s *Site) proposal(r *http.Request) (string, any, error) {
	id, err := api.ProposalID(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	p, err := s.svc.Proposal(id)
	if err != nil {
		return "", nil, err
	}
	d := proposalData{P: p}
	if p.Secret != nil {
		if d.S, err = s.secret(s.cat.Lang(r), id); err != nil {
			return "", nil, err
		}
	}
	return "proposal", d, nil
}

// proposeData is what the new-proposal form needs from the constitution.
type proposeData struct {
	// Hours is the default voting time: the constitution's least, or 72
	// hours if that is longer.
	Hours string
	// Types are the decision types, "ordinary" first.
	Types []string
	// Needed is how many signatures an initiative started now needs;
	// Window how long it may gather them, Voting how long its ballot lasts.
	Needed         uint64
	Window, Voting core.Duration
	// SunsetDays and MaxSunsetDays are a law's default and longest life.
	SunsetDays, MaxSunsetDays int64
	// Laws are the laws in force, for a renewal or repeal.
	Laws []query.LawEntry
	// KeyPeriod is the least time from a secret proposal to its opening,
	// and KeyHours the form's default for it, with room to spare.
	KeyPeriod core.Duration
	KeyHours  string
}

// propose renders the new-proposal form.
func (s *Site) propose(r *http.Request) (string, any, error) {
	st, err := s.svc.Status(r.Context())
	if err != nil {
		return "", nil, err
	}
	c := st.Constitution
	hours := max(c.MinVoting.Hours(), 72)
	if most := c.MaxVoting.Hours(); most > 0 && hours > most {
		hours = most
	}
	reg, err := s.svc.Laws(time.Time{})
	if err != nil {
		return "", nil, err
	}
	thr, window, voting := c.InitiativeRules()
	key, _ := c.SecretRules()
	keyHours := math.Ceil(key.Hours()) + 1
	if key < time.Hour {
		keyHours = 2 * key.Hours()
	}
	return "propose", proposeData{Hours: fmt.Sprintf("%g", hours), Types: c.TypeNames(),
		Needed: core.ShareOf(thr, st.Members), Window: core.Duration{Duration: window}, Voting: core.Duration{Duration: voting},
		SunsetDays: int64(c.DefaultSunset.Hours() / 24), MaxSunsetDays: int64(c.MaxSunset.Hours() / 24),
		Laws: reg.InForce, KeyPeriod: core.Duration{Duration: key}, KeyHours: strconv.FormatFloat(keyHours, 'f', -1, 64)}, nil
}

// static renders a page that needs nothing but the layout's status: its
// forms are filled and signed in the browser.
func (s *Site) static(name string) func(*http.Request) (string, any, error) {
	return func(*http.Request) (string, any, error) { return name, nil, nil }
}

type memberRow struct {
	query.Member
	Vouchers []query.Member
}

func (s *Site) members(r *http.Request) (string, any, error) {
	all, err := s.svc.Members(true)
	if err != nil {
		return "", nil, err
	}
	byNumber := make(map[uint32]query.Member, len(all))
	for _, m := range all {
		byNumber[m.Number] = m
	}
	rows := make([]memberRow, 0, len(all))
	for _, m := range all {
		row := memberRow{Member: m}
		for _, v := range m.VouchedBy {
			row.Vouchers = append(row.Vouchers, byNumber[v])
		}
		rows = append(rows, row)
	}
	return "members", rows, nil
}

type auditData struct {
	Tx      query.Tx
	Proof   query.Proof
	Command string
}

func (s *Site) audit(r *http.Request) (string, any, error) {
	id, err := api.ParseTxID(r.PathValue("id"))
	if err != nil {
		return "", nil, err
	}
	t, err := s.svc.Tx(id)
	if err != nil {
		return "", nil, err
	}
	p, err := s.svc.TxProof(id, 0)
	if err != nil {
		return "", nil, err
	}
	cmd := fmt.Sprintf("folkmoot prove %s --output json > proof.json && folkmoot verify-proof proof.json --app-hash %s", id, p.AppHash)
	return "audit", auditData{Tx: t, Proof: p, Command: cmd}, nil
}
