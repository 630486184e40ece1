package api_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// bulkBody is the JSON body of a bulk submission of raws.
func bulkBody(raws ...[]byte) []byte {
	items := make([]string, len(raws))
	for i, r := range raws {
		items[i] = base64.StdEncoding.EncodeToString(r)
	}
	b, _ := json.Marshal(map[string][]string{"txs": items})
	return b
}

func TestParseBulk(t *testing.T) {
	one, two := []byte{0x82, 0x01}, []byte{0xff, 0xfe, 0xfd}
	many := `{"txs": [` + strings.Repeat(`"gg==",`, api.MaxBulkTxs) + `"gg=="]}`
	cases := []struct {
		name, body string
		want       [][]byte
		status     int
		msg        string
	}{
		{"two", `{"txs": ["ggE=", "//79"]}`, [][]byte{one, two}, 0, ""},
		{"unpadded and URL-safe", `{"txs": ["ggE", "__79"]}`, [][]byte{one, two}, 0, ""},
		{"as many as allowed", `{"txs": [` + strings.Repeat(`"ggE=",`, api.MaxBulkTxs-1) + `"ggE="]}`, slices.Repeat([][]byte{one}, api.MaxBulkTxs), 0, ""},
		{"not JSON", `txs=ggE=`, nil, 400, `The body must be JSON {"txs"`},
		{"empty body", ``, nil, 400, `The body must be JSON {"txs"`},
		{"a list, not an object", `["ggE="]`, nil, 400, `The body must be JSON {"txs"`},
		{"unknown field", `{"txs": ["ggE="], "tx": "ggE="}`, nil, 400, `unknown field "tx"`},
		{"two objects", `{"txs": ["ggE="]} {"txs": ["ggE="]}`, nil, 400, "nothing after it"},
		{"no list", `{}`, nil, 400, "holds no transactions"},
		{"null list", `{"txs": null}`, nil, 400, "holds no transactions"},
		{"empty list", `{"txs": []}`, nil, 400, "holds no transactions"},
		{"too many", many, nil, 413, "at most 1000 transactions; this one has 1001"},
		{"a number", `{"txs": ["ggE=", 7]}`, nil, 400, "Transaction 2 of the list is not a string"},
		{"not base64", `{"txs": ["ggE=", "ggE=", "@@@"]}`, nil, 400, "Transaction 3 of the list is not base64."},
		{"empty item", `{"txs": [""]}`, nil, 400, "Transaction 1 of the list is empty."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := api.ParseBulk([]byte(tc.body))
			if tc.status == 0 {
				if err != nil {
					t.Fatal(err)
				}
				if !slices.EqualFunc(got, tc.want, bytes.Equal) {
					t.Fatalf("got %x, want %x", got, tc.want)
				}
				return
			}
			e, ok := err.(*api.Error)
			if !ok {
				t.Fatalf("error %v (%T), want an *api.Error", err, err)
			}
			if e.Status != tc.status || !strings.Contains(e.Message, tc.msg) {
				t.Fatalf("%d %q, want %d with %q", e.Status, e.Message, tc.status, tc.msg)
			}
		})
	}
}

// TestBulk submits bulks of signed transactions to a real node through
// POST /api/v1/txs.
func TestBulk(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	names := make([]string, 40)
	for i := range names {
		names[i] = fmt.Sprintf("Member %d", i+1)
	}
	c := apitest.Start(t, names...)
	ms := c.Founders
	h := c.Service.Handler()
	closes := time.Now().Add(time.Hour).Unix()
	c.Do(t, ms[0], &tx.Propose{Title: "Plant an orchard", Category: "green spaces", Closes: closes})
	c.Do(t, ms[0], &tx.Propose{Title: "Paint the bridge", Category: "general", Closes: closes})

	post := func(t *testing.T, body []byte) answer {
		t.Helper()
		return do(t, h, "POST", "/api/v1/txs", "application/json", body)
	}
	ballots := func(t *testing.T, proposal int) []uint32 {
		t.Helper()
		a := do(t, h, "GET", fmt.Sprintf("/api/v1/proposals/%d/ballots?limit=1000", proposal), "", nil)
		var out []uint32
		for _, b := range mustJSON[api.BallotPage](t, a.body).Ballots {
			out = append(out, b.Member)
		}
		slices.Sort(out)
		return out
	}
	waitBallots := func(t *testing.T, proposal, n int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for len(ballots(t, proposal)) < n {
			if time.Now().After(deadline) {
				t.Fatalf("proposal %d: %d ballots counted, want %d", proposal, len(ballots(t, proposal)), n)
			}
			time.Sleep(100 * time.Millisecond)
		}
	}

	t.Run("valid ballots all land", func(t *testing.T) {
		// Members 1–30 vote on both proposals, each member's two ballots
		// in nonce order within the one request.
		var raws [][]byte
		for _, m := range ms[:30] {
			raws = append(raws, c.Sign(t, m, &tx.Ballot{Proposal: 1, Choice: tx.Yes}))
			raws = append(raws, c.Sign(t, m, &tx.Ballot{Proposal: 2, Choice: tx.No}))
		}
		a := post(t, bulkBody(raws...))
		if a.status != http.StatusOK {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		res := mustJSON[api.BulkSubmitted](t, a.body)
		if res.Accepted != len(raws) || res.Refused != 0 || len(res.Results) != len(raws) {
			t.Fatalf("accepted %d, refused %d, %d results; want all %d accepted", res.Accepted, res.Refused, len(res.Results), len(raws))
		}
		for i, r := range res.Results {
			id := tx.ID(sha256.Sum256(raws[i])).String()
			if r.ID != id || r.Status != http.StatusAccepted || r.Error != nil || r.Accepted == nil ||
				r.Accepted.ID != id || r.Accepted.CodeName != "ok" {
				t.Fatalf("result %d: %+v", i, r)
			}
		}
		waitBallots(t, 1, 30)
		waitBallots(t, 2, 30)
		want := make([]uint32, 30)
		for i := range want {
			want[i] = uint32(i + 1)
		}
		for p := 1; p <= 2; p++ {
			if got := ballots(t, p); !slices.Equal(got, want) {
				t.Fatalf("proposal %d ballots by %v, want %v", p, got, want)
			}
		}
		for _, r := range res.Results {
			if a := do(t, h, "GET", "/api/v1/txs/"+r.ID, "", nil); a.status != 200 || !strings.Contains(a.body, `"code_name": "ok"`) {
				t.Fatalf("tx %s: %d %s", r.ID, a.status, a.body)
			}
		}
	})

	t.Run("mixed", func(t *testing.T) {
		good1 := c.Sign(t, ms[30], &tx.Ballot{Proposal: 1, Choice: tx.No})
		badSig := c.Sign(t, ms[31], &tx.Ballot{Proposal: 1, Choice: tx.Yes})
		badSig[len(badSig)-1] ^= 1 // the last byte of the signature
		ms[31].Nonce--
		wrongNonce := c.Sign(t, apitest.CopyNonce(ms[32], 40), &tx.Ballot{Proposal: 1, Choice: tx.Yes})
		malformed := []byte("hello, node")
		huge := bytes.Repeat([]byte{0xa0}, tx.MaxTxBytes+1)
		good2 := c.Sign(t, ms[33], &tx.Ballot{Proposal: 1, Choice: tx.Abstain})
		unknown := c.Sign(t, ms[34], &tx.Ballot{Proposal: 9, Choice: tx.Yes})
		ms[34].Nonce--
		raws := [][]byte{good1, badSig, wrongNonce, malformed, good1, huge, good2, unknown}
		a := post(t, bulkBody(raws...))
		if a.status != http.StatusOK {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		res := mustJSON[api.BulkSubmitted](t, a.body)
		want := []struct {
			status int
			code   string
			reject uint32
			msg    string
		}{
			{202, "", 0, ""},
			{422, "rejected", 5, "Rejected (code 5 bad_signature): transaction rejected: the signature does not match author"},
			{422, "rejected", 9, "Rejected (code 9"},
			{422, "rejected", 1, "Rejected (code 1 malformed)"},
			{409, "duplicate", 0, "already submitted"},
			{413, "too_large", 0, "A transaction is at most 65536 bytes; this one has 65537."},
			{202, "", 0, ""},
			{422, "rejected", 52, "Rejected (code 52"},
		}
		if len(res.Results) != len(want) || res.Accepted != 2 || res.Refused != len(want)-2 {
			t.Fatalf("%d results, %d accepted, %d refused: %s", len(res.Results), res.Accepted, res.Refused, a.body)
		}
		for i, w := range want {
			r := res.Results[i]
			if r.ID != tx.ID(sha256.Sum256(raws[i])).String() || r.Status != w.status {
				t.Errorf("result %d: id %s status %d, want status %d", i, r.ID, r.Status, w.status)
				continue
			}
			if w.status == 202 {
				if r.Accepted == nil || r.Error != nil {
					t.Errorf("result %d: %+v, want accepted", i, r)
				}
				continue
			}
			if r.Accepted != nil || r.Error == nil || r.Error.Code != w.code || r.Error.Reject != w.reject || !strings.Contains(r.Error.Message, w.msg) {
				t.Errorf("result %d: %+v, want %s %d %q", i, r.Error, w.code, w.reject, w.msg)
			}
		}
		waitBallots(t, 1, 32)
		got := ballots(t, 1)
		wantMembers := append(slices.Collect(func(yield func(uint32) bool) {
			for i := uint32(1); i <= 30; i++ {
				yield(i)
			}
		}), 31, 34)
		if !slices.Equal(got, wantMembers) {
			t.Fatalf("ballots by %v, want %v", got, wantMembers)
		}
		// The refused authors' nonces did not move.
		for _, m := range ms[31:33] {
			a := do(t, h, "GET", "/api/v1/members/"+m.Key.String(), "", nil)
			if n := mustJSON[struct {
				NextNonce uint64 `json:"next_nonce"`
			}](t, a.body).NextNonce; n != 1 {
				t.Errorf("%s: next nonce %d, want 1", m.Name, n)
			}
		}
	})

	t.Run("bad requests change nothing", func(t *testing.T) {
		valid := c.Sign(t, ms[35], &tx.Ballot{Proposal: 1, Choice: tx.Yes})
		items := []string{base64.StdEncoding.EncodeToString(valid), "@@@"}
		notBase64, _ := json.Marshal(map[string][]string{"txs": items})
		tooMany := bulkBody(slices.Repeat([][]byte{valid}, api.MaxBulkTxs+1)...)
		tooBig := bulkBody(valid, bytes.Repeat([]byte{0xa0}, api.MaxBulkBytes))
		cases := []struct {
			name   string
			body   []byte
			status int
			want   []string
		}{
			{"not JSON", []byte("ballots, please"), 400, []string{`"code": "bad_request"`, `{\"txs\": [\"\u003cbase64\u003e\", …]}`}},
			{"empty list", []byte(`{"txs": []}`), 400, []string{"holds no transactions"}},
			{"an item not base64", notBase64, 400, []string{"Transaction 2 of the list is not base64."}},
			{"over the count", tooMany, 413, []string{`"code": "too_many"`, "at most 1000 transactions"}},
			{"over the size", tooBig, 413, []string{`"code": "too_large"`, fmt.Sprintf("larger than %d bytes", api.MaxBulkBytes)}},
		}
		for _, tc := range cases {
			a := post(t, tc.body)
			if a.status != tc.status {
				t.Fatalf("%s: status %d, want %d: %s", tc.name, a.status, tc.status, a.body)
			}
			for _, w := range tc.want {
				if !strings.Contains(a.body, w) {
					t.Errorf("%s: body lacks %s:\n%s", tc.name, w, a.body)
				}
			}
		}
		// The valid transaction in the refused requests was never relayed:
		// it is taken now, not a duplicate.
		if a := do(t, h, "POST", "/api/v1/tx", "application/cbor", valid); a.status != http.StatusAccepted {
			t.Fatalf("the valid transaction afterwards: %d %s", a.status, a.body)
		}
	})

	t.Run("rate limit", func(t *testing.T) {
		s := api.New(api.Options{App: c.App, Store: c.Store, Node: c.Client, BulkRate: 1, BulkBurst: 3})
		hh := s.Handler()
		body := bulkBody([]byte("one"), []byte("two"))
		// The first takes two of the three tokens (and finds no mempool
		// to hand them to); the second wants two more.
		if a := do(t, hh, "POST", "/api/v1/txs", "application/json", body); a.status != http.StatusServiceUnavailable || !strings.Contains(a.body, "no_node") {
			t.Fatalf("first: %d %s", a.status, a.body)
		}
		a := do(t, hh, "POST", "/api/v1/txs", "application/json", body)
		if a.status != http.StatusTooManyRequests || !strings.Contains(a.body, "rate_limited") || !strings.Contains(a.body, "1 a minute in bulk (bursts of 3)") {
			t.Fatalf("second: %d %s", a.status, a.body)
		}
	})
}

// FuzzParseBulk checks that any body either parses into 1 to MaxBulkTxs
// non-empty transactions or is refused with a 400 or 413 *api.Error.
func FuzzParseBulk(f *testing.F) {
	for _, s := range []string{`{"txs": ["ggE=", "//79"]}`, `{"txs": []}`, `{"txs": ["@@@"]}`, `{"txs": [7]}`, `[]`, ``, `{"txs": ["ggE"]} x`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		raws, err := api.ParseBulk(body)
		if err != nil {
			e, ok := err.(*api.Error)
			if !ok || (e.Status != http.StatusBadRequest && e.Status != http.StatusRequestEntityTooLarge) || raws != nil {
				t.Fatalf("error %#v with %d transactions", err, len(raws))
			}
			return
		}
		if len(raws) < 1 || len(raws) > api.MaxBulkTxs {
			t.Fatalf("%d transactions", len(raws))
		}
		for i, r := range raws {
			if len(r) == 0 {
				t.Fatalf("transaction %d is empty", i)
			}
		}
	})
}
