package api_test

import (
	"bytes"
	"compress/gzip"
	"crypto/ed25519"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/tx/txtest"
)

type answer struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, h http.Handler, method, path, ctype string, body []byte, hdr ...string) answer {
	t.Helper()
	r := httptest.NewRequest(method, path, bytes.NewReader(body))
	if ctype != "" {
		r.Header.Set("Content-Type", ctype)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return answer{w.Code, w.Header(), w.Body.String()}
}

// TestAPI runs every endpoint against a real node, with the bad inputs.
func TestAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	h := c.Service.Handler()
	closes := time.Now().Add(time.Hour).Unix()
	prop := c.Do(t, ada, &tx.Propose{Title: "Plant an <script>alert(1)</script> orchard", Category: "green spaces",
		Body: "Twelve **trees**.\n\n<script>alert('x')</script>", Closes: closes})
	c.Do(t, bram, &tx.Comment{Proposal: 1, Text: "Apples, please."})
	c.Do(t, ada, &tx.Comment{Proposal: 1, ReplyTo: 1, Text: "And plums."})
	c.Do(t, bram, &tx.Endorse{Proposal: 1})
	vote := c.Do(t, ada, &tx.Ballot{Proposal: 1, Choice: tx.Yes})
	c.Do(t, bram, &tx.Propose{Title: "Car-free Sundays", Category: "green spaces", Measure: tx.Enact, Initiative: true})

	reads := []struct {
		name, path string
		status     int
		want       []string
	}{
		{"status", "/api/v1/status", 200, []string{`"community": "Elm Street Test"`, `"members": 2`, `"open_proposals": 1`, `"validators": 1`}},
		{"members", "/api/v1/members", 200, []string{`"name": "Ada"`, `"name": "Bram"`}},
		{"member by number", "/api/v1/members/2", 200, []string{`"name": "Bram"`, `"next_nonce": 4`}},
		{"member by key", "/api/v1/members/" + ada.Key.String(), 200, []string{`"name": "Ada"`, `"next_nonce": 4`}},
		{"member unknown", "/api/v1/members/9", 404, []string{`"code": "not_found"`, "There is no member 9."}},
		{"member bad ref", "/api/v1/members/xyz", 400, []string{`"code": "bad_request"`}},
		{"proposals", "/api/v1/proposals", 200, []string{`"title": "Plant an \u003cscript\u003ealert(1)\u003c/script\u003e orchard"`}},
		{"proposals open", "/api/v1/proposals?status=open", 200, []string{`"id": 1`}},
		{"proposals gathering", "/api/v1/proposals?status=gathering", 200, []string{`"id": 2`, `"needed": 1`}},
		{"initiatives", "/api/v1/initiatives", 200, []string{`"title": "Car-free Sundays"`, `"endorsements": 0`, `"needed": 1`, `"window_end"`, `"qualified": false`}},
		{"initiatives lapsed", "/api/v1/initiatives?status=lapsed", 200, []string{"[]"}},
		{"initiatives bad status", "/api/v1/initiatives?status=maybe", 400, []string{"Status must be"}},
		{"proposals decided", "/api/v1/proposals?status=decided", 200, []string{"[]"}},
		{"proposals search hit", "/api/v1/proposals?q=tree", 200, []string{`"id": 1`}},
		{"proposals search miss", "/api/v1/proposals?q=bicycle", 200, []string{"[]"}},
		{"proposals category", "/api/v1/proposals?category=general", 200, []string{"[]"}},
		{"proposals bad status", "/api/v1/proposals?status=maybe", 400, []string{"Status must be"}},
		{"proposals bad limit", "/api/v1/proposals?limit=-3", 400, []string{"limit must be a whole number"}},
		{"proposal", "/api/v1/proposals/1", 200, []string{`"yes": 1`, `"endorsements": 1`, `"text": "And plums."`, `"depth": 1`, `"name": "Bram"`}},
		{"proposal unknown", "/api/v1/proposals/7", 404, []string{"There is no proposal 7."}},
		{"proposal bad id", "/api/v1/proposals/one", 400, []string{"A proposal number"}},
		{"ballots", "/api/v1/proposals/1/ballots", 200, []string{`"choice": "yes"`, `"name": "Ada"`}},
		{"offices", "/api/v1/offices", 200, []string{"[]"}},
		{"office unknown", "/api/v1/offices/clerk", 404, []string{`There is no office \"clerk\".`}},
		{"elections", "/api/v1/elections", 200, []string{"[]"}},
		{"election unknown", "/api/v1/elections/1", 404, []string{"There is no election 1."}},
		{"election bad id", "/api/v1/elections/one", 400, []string{"An election number"}},
		{"tx", "/api/v1/txs/" + vote.ID.String(), 200, []string{`"code_name": "ok"`, `"kind": "ballot"`, `"height": `}},
		{"tx of proposal", "/api/v1/txs/" + prop.ID.String(), 200, []string{`"kind": "propose"`}},
		{"tx unknown", "/api/v1/txs/" + strings.Repeat("ab", 32), 404, []string{"is not in any block"}},
		{"tx bad id", "/api/v1/txs/abc", 400, []string{"64 hex digits"}},
		{"proof of tx", "/api/v1/proofs/tx/" + vote.ID.String(), 200, []string{`"fact": "transaction ` + vote.ID.String() + ` was accepted"`, `"app_hash"`}},
		{"proof at height", "/api/v1/proofs/tx/" + vote.ID.String() + "?height=" + itoa(vote.Height), 200, []string{`"height": ` + itoa(vote.Height)}},
		{"proof before the tx", "/api/v1/proofs/tx/" + vote.ID.String() + "?height=1", 404, []string{"No proof"}},
		{"proof bad height", "/api/v1/proofs/leaf/0?height=x", 400, []string{"Height must be"}},
		{"proof of leaf", "/api/v1/proofs/leaf/0", 200, []string{`"fact"`}},
		{"proof of missing leaf", "/api/v1/proofs/leaf/99999", 404, []string{"No proof"}},
		{"unknown path", "/api/v1/nothing", 404, []string{"There is no GET /api/v1/nothing"}},
	}
	for _, tc := range reads {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, h, "GET", tc.path, "", nil)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.body, w) {
					t.Errorf("body lacks %s:\n%s", w, a.body)
				}
			}
			if strings.Contains(a.body, "goroutine") || strings.Contains(a.body, ".go:") {
				t.Errorf("body leaks internals: %s", a.body)
			}
			switch {
			case tc.status != 200:
				if a.header.Get("Cache-Control") != "no-store" {
					t.Errorf("error cache-control %q", a.header.Get("Cache-Control"))
				}
			case strings.Contains(tc.path, "?height="):
				if !strings.Contains(a.header.Get("Cache-Control"), "immutable") {
					t.Errorf("fixed proof cache-control %q", a.header.Get("Cache-Control"))
				}
			default:
				if a.header.Get("Cache-Control") != "no-cache" || a.header.Get("ETag") == "" {
					t.Errorf("cache-control %q etag %q", a.header.Get("Cache-Control"), a.header.Get("ETag"))
				}
			}
		})
	}

	t.Run("etag revalidates", func(t *testing.T) {
		a := do(t, h, "GET", "/api/v1/status", "", nil)
		b := do(t, h, "GET", "/api/v1/status", "", nil, "If-None-Match", a.header.Get("ETag"))
		if b.status != http.StatusNotModified && b.header.Get("ETag") == a.header.Get("ETag") {
			t.Fatalf("same height, status %d", b.status)
		}
	})

	t.Run("gzip", func(t *testing.T) {
		a := do(t, api.Compress(h), "GET", "/api/v1/proposals/1", "", nil, "Accept-Encoding", "gzip")
		if a.header.Get("Content-Encoding") != "gzip" {
			t.Fatalf("not compressed: %v", a.header)
		}
		zr, err := gzip.NewReader(strings.NewReader(a.body))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := io.ReadAll(zr)
		if err != nil || !strings.Contains(string(plain), "And plums.") {
			t.Fatalf("%v: %s", err, plain)
		}
	})

	// Submissions.
	stranger := apitest.NewMember(t, "Mallory")
	strangerTx := c.Sign(t, stranger, &tx.Ballot{Proposal: 1, Choice: tx.No})
	unsigned := func() []byte {
		p, err := tx.Unsigned{ChainID: c.ChainID, Author: bram.Key, Nonce: bram.Nonce + 1,
			Body: &tx.Ballot{Proposal: 1, Choice: tx.No}}.Payload()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tx.Assemble(p, make([]byte, 64))
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}()
	// The critical finding's second step: a comment "by Dmitri", whose key
	// is the all-zero small-order point, signed with R = identity, s = 0.
	forged := func() []byte {
		p, err := tx.Unsigned{ChainID: c.ChainID, Author: tx.PublicKey{}, Nonce: 1,
			Body: &tx.Comment{Proposal: 1, Text: "by Dmitri"}}.Payload()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tx.Assemble(p, txtest.ForgedSignature())
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}()
	b64 := func(b []byte) []byte { return []byte(base64.StdEncoding.EncodeToString(b)) }
	huge := bytes.Repeat([]byte{0xa0}, tx.MaxTxBytes+10)
	posts := []struct {
		name, ctype string
		body        []byte
		status      int
		want        []string
	}{
		{"empty", "text/plain", nil, 400, []string{"holds no transaction"}},
		{"not base64", "text/plain", []byte("@@@ not base64 @@@"), 400, []string{"must be base64"}},
		{"bad json", "application/json", []byte(`{"tx": 7}`), 400, []string{`{\"tx\": \"\u003cbase64\u003e\"}`}},
		{"malformed", "text/plain", b64([]byte("hello, node")), 422, []string{`"reject_code": 1`, `"reject_name": "malformed"`}},
		{"unsigned", "application/cbor", unsigned, 422, []string{`"reject_code": 5`, "Rejected (code 5"}},
		{"oversize request", "text/plain", bytes.Repeat([]byte("A"), 100_000), 413, []string{`"code": "too_large"`}},
		{"oversize transaction", "application/cbor", huge, 413, []string{"at most 65536 bytes"}},
		{"non-member", "application/cbor", strangerTx, 422, []string{`"reject_code": 30`}},
		{"forged by a small-order key", "application/cbor", forged, 422, []string{`"reject_code": 10`, `"reject_name": "weak_key"`}},
		{"wrong nonce", "application/octet-stream", c.Sign(t, apitest.CopyNonce(ada, 40), &tx.Ballot{Proposal: 1, Choice: tx.No}), 422, []string{`"reject_code": 9`}},
	}
	for _, tc := range posts {
		t.Run("submit "+tc.name, func(t *testing.T) {
			a := do(t, h, "POST", "/api/v1/tx", tc.ctype, tc.body)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.body, w) {
					t.Errorf("body lacks %s:\n%s", w, a.body)
				}
			}
		})
	}
	if n := len(mustJSON[api.BallotPage](t, do(t, h, "GET", "/api/v1/proposals/1/ballots", "", nil).body).Ballots); n != 1 {
		t.Fatalf("bad submissions stored something: %d ballots", n)
	}

	// The browser's path: ask for the payload, sign exactly the bytes
	// shown, post the assembled transaction.
	t.Run("unsigned then signed", func(t *testing.T) {
		req, _ := json.Marshal(api.Action{Author: bram.Key.String(), Kind: "ballot", Proposal: 1, Choice: "no"})
		a := do(t, h, "POST", "/api/v1/unsigned", "application/json", req)
		if a.status != 200 {
			t.Fatalf("unsigned: %d %s", a.status, a.body)
		}
		u := mustJSON[api.Unsigned](t, a.body)
		payload, _ := hex.DecodeString(u.Payload)
		sb, _ := hex.DecodeString(u.SignBytes)
		if !bytes.Equal(sb, append([]byte(tx.SignPrefix), payload...)) || u.Nonce != bram.Nonce+1 || u.ChainID != c.ChainID {
			t.Fatalf("unsigned answer %+v", u)
		}
		raw, err := tx.Assemble(payload, ed25519.Sign(bram.Priv, sb))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := json.Marshal(map[string]string{"tx": base64.StdEncoding.EncodeToString(raw)})
		a = do(t, h, "POST", "/api/v1/tx", "application/json", body)
		if a.status != http.StatusAccepted || !strings.Contains(a.body, `"code_name": "ok"`) {
			t.Fatalf("submit: %d %s", a.status, a.body)
		}
		bram.Nonce++
		id := mustJSON[api.Submitted](t, a.body).ID
		deadline := time.Now().Add(20 * time.Second)
		for do(t, h, "GET", "/api/v1/txs/"+id, "", nil).status != 200 {
			if time.Now().After(deadline) {
				t.Fatal("relayed ballot never committed")
			}
			time.Sleep(100 * time.Millisecond)
		}
		// The same bytes again are refused.
		a = do(t, h, "POST", "/api/v1/tx", "application/cbor", raw)
		if a.status != http.StatusConflict && a.status != http.StatusUnprocessableEntity {
			t.Fatalf("replay: %d %s", a.status, a.body)
		}
	})

	unsignedCases := []struct {
		name   string
		action api.Action
		status int
		want   string
	}{
		{"non-member", api.Action{Author: stranger.Key.String(), Kind: "endorse", Proposal: 1}, 403, "not a current member"},
		{"bad author", api.Action{Author: "zz", Kind: "endorse"}, 400, "64 hex digits"},
		{"bad kind", api.Action{Author: ada.Key.String(), Kind: "crown"}, 400, "Unknown kind"},
		{"bad choice", api.Action{Author: ada.Key.String(), Kind: "ballot", Choice: "perhaps"}, 400, "yes, no or abstain"},
		{"rotate", api.Action{Author: ada.Key.String(), Kind: "rotate"}, 400, "folkmoot member rotate"},
		{"bad newcomer key", api.Action{Author: ada.Key.String(), Kind: "vouch", Key: "12", Name: "X"}, 400, "64 hex digits"},
	}
	// The security review's critical finding: a vouch for a small-order
	// key (any of its encodings) made a member anyone could impersonate.
	// The API refuses to build one, and refuses such a key as author.
	for _, w := range txtest.WeakKeys() {
		unsignedCases = append(unsignedCases,
			struct {
				name   string
				action api.Action
				status int
				want   string
			}{"vouch for " + w.Name, api.Action{Author: ada.Key.String(), Kind: "vouch", Key: w.Hex, Name: "Dmitri"}, 400, "small order"},
			struct {
				name   string
				action api.Action
				status int
				want   string
			}{"author " + w.Name, api.Action{Author: w.Hex, Kind: "comment", Proposal: 1, Text: "by Dmitri"}, 400, "small order"})
	}
	for _, tc := range unsignedCases {
		t.Run("unsigned "+tc.name, func(t *testing.T) {
			req, _ := json.Marshal(tc.action)
			a := do(t, h, "POST", "/api/v1/unsigned", "application/json", req)
			if a.status != tc.status || !strings.Contains(a.body, tc.want) {
				t.Fatalf("%d %s", a.status, a.body)
			}
		})
	}
	t.Run("unsigned initiative with times", func(t *testing.T) {
		req, _ := json.Marshal(api.Action{Author: ada.Key.String(), Kind: "propose", Title: "x", Category: "general", Initiative: true, Closes: 1900000000})
		a := do(t, h, "POST", "/api/v1/unsigned", "application/json", req)
		if a.status != 400 || !strings.Contains(a.body, "no voting times") {
			t.Fatalf("%d %s", a.status, a.body)
		}
	})
	t.Run("unsigned bad measure", func(t *testing.T) {
		req, _ := json.Marshal(api.Action{Author: ada.Key.String(), Kind: "propose", Title: "x", Category: "general", Measure: "decree"})
		a := do(t, h, "POST", "/api/v1/unsigned", "application/json", req)
		if a.status != 400 || !strings.Contains(a.body, "measure") {
			t.Fatalf("%d %s", a.status, a.body)
		}
	})
	t.Run("unsigned unknown field", func(t *testing.T) {
		a := do(t, h, "POST", "/api/v1/unsigned", "application/json", []byte(`{"author":"x","privkey":"..."}`))
		if a.status != 400 {
			t.Fatalf("%d %s", a.status, a.body)
		}
	})

	// The forms of the office and election pages: each action is the exact
	// body the CLI would sign.
	officeActions := []struct {
		name   string
		action api.Action
		body   tx.Body
	}{
		{"candidacy", api.Action{Kind: "candidacy", Election: 4}, &tx.Candidacy{Election: 4}},
		{"withdraw candidacy", api.Action{Kind: "withdraw-candidacy", Election: 4}, &tx.WithdrawCandidacy{Election: 4}},
		{"rank", api.Action{Kind: "rank", Election: 4, Ranking: []uint32{3, 1, 2}}, &tx.Rank{Election: 4, Ranking: []uint32{3, 1, 2}}},
		{"recall", api.Action{Kind: "recall", Office: "town clerk", Member: 2}, &tx.Recall{Office: "town clerk", Member: 2}},
		{"delegate", api.Action{Kind: "delegate", Category: "general", Member: 2}, &tx.Delegate{Category: "general", Member: 2}},
		{"undelegate", api.Action{Kind: "undelegate", Category: "general"}, &tx.Undelegate{Category: "general"}},
		{"amend text", api.Action{Kind: "amend-text", Proposal: 1, Title: "Orchard by the pond", Body: "Plant it there."},
			&tx.AmendText{Proposal: 1, Title: "Orchard by the pond", Body: "Plant it there."}},
		// The new-proposal form: as "folkmoot propose" and "folkmoot
		// initiative start" build them.
		{"propose resolution", api.Action{Kind: "propose", Title: "Orchard", Body: "Plant it.", Category: "general", Closes: 1900000000},
			&tx.Propose{Title: "Orchard", Body: "Plant it.", Category: "general", Closes: 1900000000}},
		{"propose law", api.Action{Kind: "propose", Title: "Quiet hours", Category: "general", Measure: "law", Sunset: 63072000, Closes: 1900000000},
			&tx.Propose{Title: "Quiet hours", Category: "general", Measure: tx.Enact, Sunset: 63072000, Closes: 1900000000}},
		{"propose renewal", api.Action{Kind: "propose", Title: "Keep them", Category: "general", Measure: "renewal", Law: 2, Opens: 1800000000, Closes: 1900000000},
			&tx.Propose{Title: "Keep them", Category: "general", Measure: tx.Renew, Law: 2, Opens: 1800000000, Closes: 1900000000}},
		{"propose repeal", api.Action{Kind: "propose", Title: "Drop them", Category: "general", Measure: "repeal", Law: 2, Closes: 1900000000},
			&tx.Propose{Title: "Drop them", Category: "general", Measure: tx.Repeal, Law: 2, Closes: 1900000000}},
		{"propose amendment", api.Action{Kind: "propose", Title: "Two thirds", Category: "general", Type: "amendment", Measure: "amendment",
			Rules: " {\"threshold\": \"2/3\"}\n", Closes: 1900000000},
			&tx.Propose{Title: "Two thirds", Category: "general", Type: "amendment", Measure: tx.Amend, Rules: `{"threshold": "2/3"}`, Closes: 1900000000}},
		{"propose budget", api.Action{Kind: "propose", Title: "Roof", Category: "general", Type: "budget", Amount: 1200000, Closes: 1900000000},
			&tx.Propose{Title: "Roof", Category: "general", Type: "budget", Amount: 1200000, Closes: 1900000000}},
		{"propose initiative", api.Action{Kind: "propose", Title: "Car-free Sundays", Category: "general", Measure: "law", Initiative: true},
			&tx.Propose{Title: "Car-free Sundays", Category: "general", Measure: tx.Enact, Initiative: true}},
	}
	for _, tc := range officeActions {
		t.Run("unsigned "+tc.name, func(t *testing.T) {
			tc.action.Author = ada.Key.String()
			req, _ := json.Marshal(tc.action)
			a := do(t, h, "POST", "/api/v1/unsigned", "application/json", req)
			if a.status != 200 {
				t.Fatalf("%d %s", a.status, a.body)
			}
			u := mustJSON[api.Unsigned](t, a.body)
			want, err := tx.Unsigned{ChainID: c.ChainID, Author: ada.Key, Nonce: u.Nonce, Body: tc.body}.Payload()
			if err != nil {
				t.Fatal(err)
			}
			if u.Payload != hex.EncodeToString(want) || u.Kind != tc.body.Kind().String() {
				t.Errorf("payload %s (%s), want %x (%s)", u.Payload, u.Kind, want, tc.body.Kind())
			}
		})
	}

	t.Run("rate limit", func(t *testing.T) {
		s := api.New(api.Options{App: c.App, Store: c.Store, Node: c.Client, SubmitRate: 1, SubmitBurst: 2})
		hh := s.Handler()
		var last answer
		for range 3 {
			last = do(t, hh, "POST", "/api/v1/tx", "text/plain", b64([]byte("x")))
		}
		if last.status != http.StatusTooManyRequests || !strings.Contains(last.body, "rate_limited") {
			t.Fatalf("third submission: %d %s", last.status, last.body)
		}
	})
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func mustJSON[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("%v: %s", err, s)
	}
	return v
}

// TestBallotPages walks a proposal's ballots a page at a time, following
// the next links, and checks the bad parameters.
func TestBallotPages(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram", "Chiara", "Dan", "Eve")
	h := c.Service.Handler()
	c.Do(t, c.Founders[0], &tx.Propose{Title: "Plant an orchard", Category: "general", Closes: time.Now().Add(time.Hour).Unix()})
	choices := []tx.Choice{tx.Yes, tx.No, tx.Abstain, tx.Yes, tx.No}
	for i, m := range c.Founders {
		c.Do(t, m, &tx.Ballot{Proposal: 1, Choice: choices[i]})
	}

	var members []uint32
	var afters []uint32
	path := "/api/v1/proposals/1/ballots?limit=2"
	for pages := 0; path != ""; pages++ {
		if pages > 5 {
			t.Fatal("the next links never end")
		}
		a := do(t, h, "GET", path, "", nil)
		if a.status != 200 {
			t.Fatalf("%s: %d %s", path, a.status, a.body)
		}
		p := mustJSON[api.BallotPage](t, a.body)
		if len(p.Ballots) > 2 {
			t.Fatalf("%s: %d ballots on a page of 2", path, len(p.Ballots))
		}
		for _, b := range p.Ballots {
			members = append(members, b.Member)
			if want := choices[b.Member-1].String(); b.Choice != want {
				t.Errorf("member %d: choice %s, want %s", b.Member, b.Choice, want)
			}
		}
		afters = append(afters, p.After)
		path = p.Next
	}
	if want := []uint32{1, 2, 3, 4, 5}; !slices.Equal(members, want) {
		t.Fatalf("members over the pages %v, want %v", members, want)
	}
	if want := []uint32{2, 4, 0}; !slices.Equal(afters, want) {
		t.Fatalf("cursors %v, want %v", afters, want)
	}

	cases := []struct {
		name, path string
		status     int
		want       []string
	}{
		{"default limit", "/api/v1/proposals/1/ballots", 200, []string{`"member": 5`, `"proposal": 1`}},
		{"after the last", "/api/v1/proposals/1/ballots?after=5", 200, []string{`"ballots": []`}},
		{"exact last page has no next", "/api/v1/proposals/1/ballots?after=3&limit=2", 200, []string{`"member": 5`}},
		{"maximum limit", "/api/v1/proposals/1/ballots?limit=1000", 200, []string{`"member": 1`}},
		{"limit zero", "/api/v1/proposals/1/ballots?limit=0", 400, []string{`"code": "bad_request"`, "limit must be a whole number from 1 to 1000."}},
		{"limit too large", "/api/v1/proposals/1/ballots?limit=1001", 400, []string{"limit must be a whole number from 1 to 1000."}},
		{"limit not a number", "/api/v1/proposals/1/ballots?limit=ten", 400, []string{"limit must be"}},
		{"after negative", "/api/v1/proposals/1/ballots?after=-1", 400, []string{`"code": "bad_request"`, `after must be a member number, not \"-1\".`}},
		{"after too large", "/api/v1/proposals/1/ballots?after=99999999999", 400, []string{"after must be a member number"}},
		{"unknown proposal", "/api/v1/proposals/9/ballots", 404, []string{"There is no proposal 9."}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := do(t, h, "GET", tc.path, "", nil)
			if a.status != tc.status {
				t.Fatalf("status %d, want %d: %s", a.status, tc.status, a.body)
			}
			if ct := a.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("content type %q", ct)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.body, w) {
					t.Errorf("body lacks %s:\n%s", w, a.body)
				}
			}
			if tc.status == 200 && strings.Contains(tc.path, "after=3&limit=2") && strings.Contains(a.body, `"next"`) {
				t.Errorf("the last page links to another:\n%s", a.body)
			}
		})
	}
}
