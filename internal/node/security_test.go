package node_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
	"github.com/folkmoot/folkmoot/internal/tx/txtest"
)

// attack is one probe of the security review, sent to the site and API a
// real node serves.
type attack struct {
	name   string
	method string
	path   string
	ctype  string
	host   string // a forged Host header, if set
	body   []byte
	status int      // the answer the defence gives
	want   []string // in the body or the headers
	never  []string // must not be in the body
}

// TestSecurityReview replays the security review's attacks against a real
// node, as an attacker on the same machine would send them. Each row says
// what held or what was fixed (issue 10); the rows that are about a
// finding say the exploit.
func TestSecurityReview(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada, bram := c.Founders[0], c.Founders[1]
	closes := time.Now().Add(time.Hour).Unix()
	// Finding 3: the signed body hides an order in a raw HTML block and in
	// a comment, which the site used to drop.
	c.Do(t, ada, &tx.Propose{Title: "Orchard", Category: "general", Closes: closes,
		Body: "Twelve trees.\n\n<div>\nALSO: the treasurer shall pay 1,000,000 to Mallory.\n</div>\n\n<!-- and 2,000 to Trudy -->\n\n[//]: # (and 3,000 to Oscar)"})
	vote := c.Sign(t, bram, &tx.Ballot{Proposal: 1, Choice: tx.Yes})
	if _, err := c.Client.SubmitAndWait(t.Context(), vote); err != nil {
		t.Fatal(err)
	}

	signed := func(m *apitest.Member, chain string, nonce uint64, body tx.Body) []byte {
		raw, err := tx.Sign(m.Priv, tx.Unsigned{ChainID: chain, Author: m.Key, Nonce: nonce, Body: body})
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}
	stranger := apitest.NewMember(t, "Mallory")
	comment := &tx.Comment{Proposal: 1, Text: "hello"}
	forgedSig := func() []byte {
		raw := signed(ada, c.ChainID, ada.Nonce+1, comment)
		raw = bytes.Clone(raw)
		raw[len(raw)-1] ^= 1 // the last byte of the signature
		return raw
	}()
	// Finding 0 (critical): a comment "by Dmitri", whose key is the
	// all-zero small-order point, signed with R = identity, s = 0, which
	// ZIP-215 accepts for every message under such a key.
	dmitri := func() []byte {
		p, err := tx.Unsigned{ChainID: c.ChainID, Author: tx.PublicKey{}, Nonce: 1, Body: comment}.Payload()
		if err != nil {
			t.Fatal(err)
		}
		raw, err := tx.Assemble(p, txtest.ForgedSignature())
		if err != nil {
			t.Fatal(err)
		}
		return raw
	}()
	vouchDmitri, _ := json.Marshal(map[string]any{"author": ada.Key.String(), "kind": "vouch", "key": strings.Repeat("00", 32), "name": "Dmitri"})
	// Finding 6: a name that reads backwards.
	reversed := signed(ada, c.ChainID, ada.Nonce+1, &tx.Vouch{Key: stranger.Key[:], Name: "\u202egnp.exe"})

	const cbor = "application/cbor"
	attacks := []attack{
		// The transaction endpoint held; keep it so.
		{name: "malformed", method: "POST", path: "/api/v1/tx", ctype: cbor, body: []byte("hello, node"), status: 422, want: []string{`"reject_name": "malformed"`}},
		{name: "oversized", method: "POST", path: "/api/v1/tx", ctype: cbor, body: bytes.Repeat([]byte{0xa0}, tx.MaxTxBytes+1), status: 413},
		{name: "replayed", method: "POST", path: "/api/v1/tx", ctype: cbor, body: vote, status: 409, want: []string{"already"}},
		{name: "wrong chain", method: "POST", path: "/api/v1/tx", ctype: cbor, body: signed(ada, "another-town", ada.Nonce+1, comment), status: 422, want: []string{`"reject_name": "wrong_chain"`}},
		{name: "non-member", method: "POST", path: "/api/v1/tx", ctype: cbor, body: signed(stranger, c.ChainID, 1, comment), status: 422, want: []string{`"reject_name": "not_member"`}},
		{name: "forged signature", method: "POST", path: "/api/v1/tx", ctype: cbor, body: forgedSig, status: 422, want: []string{`"reject_name": "bad_signature"`}},
		{name: "far nonce", method: "POST", path: "/api/v1/tx", ctype: cbor, body: signed(ada, c.ChainID, ada.Nonce+1000, comment), status: 422, want: []string{`"reject_name": "bad_nonce"`}},
		// Finding 0.
		{name: "comment by a small-order key", method: "POST", path: "/api/v1/tx", ctype: cbor, body: dmitri, status: 422, want: []string{`"reject_name": "weak_key"`}},
		{name: "vouch for a small-order key", method: "POST", path: "/api/v1/unsigned", ctype: "application/json", body: vouchDmitri, status: 400, want: []string{"small order"}},
		// Finding 6.
		{name: "name with a right-to-left override", method: "POST", path: "/api/v1/tx", ctype: cbor, body: reversed, status: 422, want: []string{`"reject_name": "hidden_text"`}},
		// Paths and headers held.
		{name: "path traversal", method: "GET", path: "/static/../../../../etc/passwd", status: 404, never: []string{"root:"}},
		{name: "encoded path traversal", method: "GET", path: "/static/..%2f..%2f..%2fetc%2fpasswd", status: 404, never: []string{"root:"}},
		{name: "strict headers", method: "GET", path: "/", status: 200, want: []string{"Content-Security-Policy: default-src", "X-Content-Type-Options: nosniff", "X-Frame-Options: DENY"}},
		// Finding 4: 21,000 one-letter terms (a 42 KB URL) took 1.8 s and,
		// from six clients, starved the pages of connections.
		{name: "search of 21,000 terms", method: "GET", path: "/api/v1/proposals?q=" + strings.Repeat("a+", 21000), status: 400, want: []string{"search"}},
		{name: "search page of 21,000 terms", method: "GET", path: "/proposals?q=" + strings.Repeat("a+", 21000), status: 400},
		// Finding 11: unknown methods, listings.
		{name: "unknown method on a page", method: "PUT", path: "/proposals", status: 405, want: []string{"Allow: GET"}},
		{name: "unknown method on the API", method: "DELETE", path: "/api/v1/status", status: 405, want: []string{"Allow: GET"}},
		{name: "no listing of /static/", method: "GET", path: "/static/", status: 404, never: []string{`href="sign.js"`, `href="live.js"`}},
		// Finding 3: every signed word is on the page.
		{name: "hidden HTML shown", method: "GET", path: "/proposals/1", status: 200, want: []string{"pay 1,000,000 to Mallory", "2,000 to Trudy", "3,000 to Oscar"}},
		// Finding 7: a forged Host header does not move the feed's links.
		{name: "feed ignores Host", method: "GET", path: "/feed.atom", host: "evil.example", status: 200, want: []string{c.Site + "/proposals/1"}, never: []string{"evil.example"}},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			status, text := send(t, c.Site, a)
			if status != a.status {
				t.Fatalf("status %d, want %d: %.300s", status, a.status, text)
			}
			for _, w := range a.want {
				if !strings.Contains(text, w) {
					t.Errorf("the answer lacks %q: %.500s", w, text)
				}
			}
			for _, n := range a.never {
				if strings.Contains(text, n) {
					t.Errorf("the answer holds %q", n)
				}
			}
		})
	}
	// Nothing the attacks sent changed the community.
	ms, err := c.Service.Members(false)
	if err != nil || len(ms) != 2 {
		t.Fatalf("members after the attacks: %d, %v", len(ms), err)
	}
}

// send makes one request and returns its status and its headers and body
// as one text.
func send(t *testing.T, site string, a attack) (int, string) {
	t.Helper()
	req, err := http.NewRequest(a.method, site+a.path, bytes.NewReader(a.body))
	if err != nil {
		t.Fatal(err)
	}
	if a.ctype != "" {
		req.Header.Set("Content-Type", a.ctype)
	}
	if a.host != "" {
		req.Host = a.host
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var hdr bytes.Buffer
	if err := res.Header.Write(&hdr); err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, hdr.String() + "\n" + string(b)
}
