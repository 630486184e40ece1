package api_test

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestDrawAPI reads draws by lot, refuses an unknown draw and a bad
// number, and builds the draw kinds a member signs (volunteer, declare,
// beacon-commit, beacon-reveal), refusing bad inputs with the nodes'
// sentences.
func TestDrawAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.Start(t, "Ada", "Bram")
	ada := c.Founders[0]
	h := c.Service.Handler()
	until := time.Now().Add(time.Hour)
	c.Do(t, ada, &tx.Draw{Title: "Street panel", Seats: 1, Volunteers: true, VolunteerUntil: until.Unix(),
		CommitUntil: until.Add(time.Hour).Unix(), RevealUntil: until.Add(2 * time.Hour).Unix()})
	c.Do(t, ada, &tx.Volunteer{Draw: 1})

	a := do(t, h, "GET", "/api/v1/draws", "", nil)
	if a.status != 200 {
		t.Fatalf("draws: %d %s", a.status, a.body)
	}
	ds := mustJSON[[]query.Draw](t, a.body)
	if len(ds) != 1 || ds[0].ID != 1 || ds[0].Title != "Street panel" || ds[0].Status != "collecting" {
		t.Fatalf("draws %+v", ds)
	}
	a = do(t, h, "GET", "/api/v1/draws/1", "", nil)
	if a.status != 200 {
		t.Fatalf("draw 1: %d %s", a.status, a.body)
	}
	d := mustJSON[query.Draw](t, a.body)
	if d.ID != 1 || d.Caller != 1 || d.Seats != 1 || !d.FromVolunteers || len(d.Volunteers) != 1 || d.Volunteers[0] != 1 ||
		d.VolunteerUntil == nil || d.VolunteerUntil.Unix() != until.Unix() || d.Office != "" {
		t.Fatalf("draw 1 %+v", d)
	}
	for _, r := range []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/draws/9", 404, "There is no draw 9."},
		{"/api/v1/draws/0", 400, "A draw number is a whole number from 1"},
		{"/api/v1/draws/x", 400, "A draw number is a whole number from 1"},
	} {
		if a := do(t, h, "GET", r.path, "", nil); a.status != r.status || !strings.Contains(a.body, r.want) {
			t.Errorf("GET %s: %d %s, want %d %q", r.path, a.status, a.body, r.status, r.want)
		}
	}

	secret := strings.Repeat("5a", 32)
	cases := []struct {
		name   string
		action api.Action
		status int
		want   string // in the error, or the body's kind
		body   tx.Body
	}{
		{"volunteer", api.Action{Kind: "volunteer", DrawAction: api.DrawAction{Draw: 1}}, 200, "volunteer", &tx.Volunteer{Draw: 1}},
		{"volunteer no draw", api.Action{Kind: "volunteer"}, 400, "volunteering rejected: draw numbers start at 1", nil},
		{"declare", api.Action{Kind: "declare", DrawAction: api.DrawAction{Attributes: []api.Attribute{{Name: "age", Value: "30-49"}, {Name: "street", Value: "Elm"}}}}, 200, "declare",
			&tx.Declare{Attributes: []tx.Attribute{{Name: "age", Value: "30-49"}, {Name: "street", Value: "Elm"}}}},
		{"declare none", api.Action{Kind: "declare"}, 200, "declare", &tx.Declare{}},
		{"declare unsorted", api.Action{Kind: "declare", DrawAction: api.DrawAction{Attributes: []api.Attribute{{Name: "street", Value: "Elm"}, {Name: "age", Value: "30-49"}}}}, 400,
			"declaration rejected: attributes must be sorted by name, each name once", nil},
		{"commit", api.Action{Kind: "beacon-commit", DrawAction: api.DrawAction{Draw: 1, Commitment: secret}}, 200, "beacon-commit",
			&tx.BeaconCommit{Draw: 1, Commitment: bytesOf(0x5a, 32)}},
		{"commit missing", api.Action{Kind: "beacon-commit", DrawAction: api.DrawAction{Draw: 1}}, 400, "The commitment is missing", nil},
		{"commit short", api.Action{Kind: "beacon-commit", DrawAction: api.DrawAction{Draw: 1, Commitment: "5a"}}, 400,
			"beacon commitment rejected: a commitment is 32 bytes, not 1", nil},
		{"reveal", api.Action{Kind: "beacon-reveal", DrawAction: api.DrawAction{Draw: 1, Reveal: secret}}, 200, "beacon-reveal",
			&tx.BeaconReveal{Draw: 1, Secret: bytesOf(0x5a, 32)}},
		{"reveal not hex", api.Action{Kind: "beacon-reveal", DrawAction: api.DrawAction{Draw: 1, Reveal: "zz"}}, 400, "The secret must be hex digits", nil},
		{"reveal no draw", api.Action{Kind: "beacon-reveal", DrawAction: api.DrawAction{Reveal: secret}}, 400, "beacon reveal rejected: draw numbers start at 1", nil},
	}
	for _, tc := range cases {
		t.Run("unsigned "+tc.name, func(t *testing.T) {
			tc.action.Author = ada.Key.String()
			req, _ := json.Marshal(tc.action)
			a := do(t, h, "POST", "/api/v1/unsigned", "application/json", req)
			if a.status != tc.status || !strings.Contains(a.body, tc.want) {
				t.Fatalf("%d %s, want %d %q", a.status, a.body, tc.status, tc.want)
			}
			if tc.body == nil {
				return
			}
			u := mustJSON[api.Unsigned](t, a.body)
			want, err := tx.Unsigned{ChainID: c.ChainID, Author: ada.Key, Nonce: u.Nonce, Body: tc.body}.Payload()
			if err != nil {
				t.Fatal(err)
			}
			if u.Kind != tc.want || u.Payload != hex.EncodeToString(want) {
				t.Errorf("kind %s payload %s, want %s %+v (%x)", u.Kind, u.Payload, tc.want, tc.body, want)
			}
		})
	}
	// The JSON of a declaration is [{name, value}], as a form sends it.
	raw := `{"author":"` + ada.Key.String() + `","kind":"declare","attributes":[{"name":"street","value":"Oak"}]}`
	a = do(t, h, "POST", "/api/v1/unsigned", "application/json", []byte(raw))
	want, _ := tx.Unsigned{ChainID: c.ChainID, Author: ada.Key, Nonce: 3, Body: &tx.Declare{Attributes: []tx.Attribute{{Name: "street", Value: "Oak"}}}}.Payload()
	if u := mustJSON[api.Unsigned](t, a.body); a.status != 200 || u.Payload != hex.EncodeToString(want) {
		t.Errorf("declare from JSON: %d %s, want payload %x", a.status, a.body, want)
	}
}
