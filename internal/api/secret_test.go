package api_test

import (
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/api"
	"github.com/folkmoot/folkmoot/internal/api/apitest"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestSecretAPI reads a secret vote's public record, refuses it for an
// open vote and an unknown proposal, and builds every secret-ballot kind
// (and a secret proposal) for signing, refusing the bad inputs with the
// nodes' sentences.
func TestSecretAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node")
	}
	c := apitest.StartWith(t, func(c *core.Constitution) {
		c.Secret.KeyPeriod.Duration = time.Hour
		c.MaxLead.Duration = 720 * time.Hour
	}, "Ada", "Bram")
	ada := c.Founders[0]
	h := c.Service.Handler()
	opens := time.Now().Add(2 * time.Hour).Unix()
	c.Do(t, ada, &tx.Propose{Title: "Footbridge", Category: "general", Opens: opens, Closes: opens + 3600,
		Secret: true, Trustees: []uint32{1, 2}, Threshold: 2})
	c.Do(t, ada, &tx.Propose{Title: "Benches", Category: "general", Closes: time.Now().Add(time.Hour).Unix()})

	a := do(t, h, "GET", "/api/v1/proposals/1/secret", "", nil)
	if a.status != 200 {
		t.Fatalf("secret: %d %s", a.status, a.body)
	}
	d := mustJSON[query.SecretDetail](t, a.body)
	if d.Proposal != 1 || d.ChainID != c.ChainID || d.ElectionID == "" || d.Status != "scheduled" || len(d.Secret.Trustees) != 2 ||
		d.Secret.Trustees[1].Name != "Bram" || d.Secret.Threshold != 2 || d.Secret.Choices != 3 || len(d.Dealers) != 2 || d.Cast == nil {
		t.Fatalf("secret detail %+v", d)
	}
	for _, r := range []struct {
		path   string
		status int
		want   string
	}{
		{"/api/v1/proposals/2/secret", 409, "not a secret vote"},
		{"/api/v1/proposals/9/secret", 404, "no proposal 9"},
		{"/api/v1/proposals/x/secret", 400, "proposal number"},
	} {
		if a := do(t, h, "GET", r.path, "", nil); a.status != r.status || !strings.Contains(a.body, r.want) {
			t.Errorf("GET %s: %d %s, want %d %q", r.path, a.status, a.body, r.status, r.want)
		}
	}

	author := ada.Key.String()
	sealed := strings.Repeat("ab", 40)
	cases := []struct {
		name   string
		action api.Action
		status int
		want   string // in the error, or the body's kind
		body   tx.Body
	}{
		{"ballot", api.Action{Kind: "secret-ballot", Proposal: 1, SecretAction: api.SecretAction{Ballot: "0102"}}, 200, "secret-ballot",
			&tx.SecretBallot{Proposal: 1, Ballot: []byte{1, 2}}},
		{"ballot missing", api.Action{Kind: "secret-ballot", Proposal: 1}, 400, "The ballot is missing", nil},
		{"ballot not hex", api.Action{Kind: "secret-ballot", Proposal: 1, SecretAction: api.SecretAction{Ballot: "xyz"}}, 400, "must be hex", nil},
		{"ballot no proposal", api.Action{Kind: "secret-ballot", SecretAction: api.SecretAction{Ballot: "01"}}, 400, "secret ballot rejected", nil},
		{"commit", api.Action{Kind: "trustee-commit", Proposal: 1, SecretAction: api.SecretAction{Recipient: "age1xyz", Commitments: strings.Repeat("07", 64)}}, 200, "trustee-commit",
			&tx.TrusteeCommit{Proposal: 1, Recipient: "age1xyz", Commitments: bytesOf(7, 64)}},
		{"commit bad recipient", api.Action{Kind: "trustee-commit", Proposal: 1, SecretAction: api.SecretAction{Recipient: "ssh-ed25519 AAA", Commitments: strings.Repeat("07", 32)}}, 400, "age X25519 recipient", nil},
		{"commit odd commitments", api.Action{Kind: "trustee-commit", Proposal: 1, SecretAction: api.SecretAction{Recipient: "age1xyz", Commitments: strings.Repeat("07", 33)}}, 400, "32 bytes per coefficient", nil},
		{"shares", api.Action{Kind: "trustee-shares", Proposal: 1, SecretAction: api.SecretAction{Shares: []api.SealedShare{{To: 2, Sealed: sealed}}}}, 200, "trustee-shares",
			&tx.TrusteeShares{Proposal: 1, Shares: []tx.SealedShare{{To: 2, Sealed: bytesOf(0xab, 40)}}}},
		{"shares none", api.Action{Kind: "trustee-shares", Proposal: 1}, 400, "1 to 24 shares", nil},
		{"shares out of order", api.Action{Kind: "trustee-shares", Proposal: 1, SecretAction: api.SecretAction{Shares: []api.SealedShare{{To: 3, Sealed: sealed}, {To: 2, Sealed: sealed}}}}, 400, "increasing order", nil},
		{"shares not hex", api.Action{Kind: "trustee-shares", Proposal: 1, SecretAction: api.SecretAction{Shares: []api.SealedShare{{To: 2, Sealed: "zz"}}}}, 400, "A sealed share must be hex", nil},
		{"complain", api.Action{Kind: "trustee-complain", Proposal: 1, SecretAction: api.SecretAction{Dealer: 2}}, 200, "trustee-complain",
			&tx.TrusteeComplain{Proposal: 1, Dealer: 2}},
		{"complain no dealer", api.Action{Kind: "trustee-complain", Proposal: 1}, 400, "trustees are numbered 1 to 25", nil},
		{"answer", api.Action{Kind: "trustee-answer", Proposal: 1, SecretAction: api.SecretAction{Complainer: 2, Share: strings.Repeat("05", 32)}}, 200, "trustee-answer",
			&tx.TrusteeAnswer{Proposal: 1, Complainer: 2, Share: bytesOf(5, 32)}},
		{"answer short share", api.Action{Kind: "trustee-answer", Proposal: 1, SecretAction: api.SecretAction{Complainer: 2, Share: "05"}}, 400, "must be 32 bytes, not 1", nil},
		{"decrypt", api.Action{Kind: "trustee-decrypt", Proposal: 1, SecretAction: api.SecretAction{Partial: "0000000109"}}, 200, "trustee-decrypt",
			&tx.TrusteeDecrypt{Proposal: 1, Partial: []byte{0, 0, 0, 1, 9}}},
		{"decrypt short", api.Action{Kind: "trustee-decrypt", Proposal: 1, SecretAction: api.SecretAction{Partial: "00"}}, 400, "4 to 60000 bytes", nil},
		{"propose secret", api.Action{Kind: "propose", Title: "Trees", Category: "general", Opens: opens, Closes: opens + 3600, Secret: true,
			Options: []string{"oak", "lime"}, Approve: 2, Trustees: []uint32{1, 2}, Threshold: 1}, 200, "propose",
			&tx.Propose{Title: "Trees", Category: "general", Opens: opens, Closes: opens + 3600, Secret: true, Options: []string{"oak", "lime"}, Approve: 2, Trustees: []uint32{1, 2}, Threshold: 1}},
		{"propose options not secret", api.Action{Kind: "propose", Title: "Trees", Category: "general", Closes: opens, Options: []string{"oak", "lime"}}, 400, "belong to a secret vote", nil},
		{"propose one option", api.Action{Kind: "propose", Title: "Trees", Category: "general", Closes: opens, Secret: true, Options: []string{"oak"}}, 400, "2 to 64 options", nil},
		{"propose approve too many", api.Action{Kind: "propose", Title: "Trees", Category: "general", Closes: opens, Secret: true, Options: []string{"oak", "lime"}, Approve: 3}, 400, "at most the 2 options", nil},
		{"propose trustee twice", api.Action{Kind: "propose", Title: "Trees", Category: "general", Closes: opens, Secret: true, Trustees: []uint32{1, 1}}, 400, "named twice as a trustee", nil},
		{"propose secret initiative", api.Action{Kind: "propose", Title: "Trees", Category: "general", Secret: true, Initiative: true}, 400, "initiative cannot be secret", nil},
	}
	for _, tc := range cases {
		t.Run("unsigned "+tc.name, func(t *testing.T) {
			tc.action.Author = author
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
			if u.Payload != hex.EncodeToString(want) {
				t.Errorf("payload %s, want the body %+v (%x)", u.Payload, tc.body, want)
			}
		})
	}
}

func bytesOf(b byte, n int) []byte { return []byte(strings.Repeat(string([]byte{b}), n)) }
