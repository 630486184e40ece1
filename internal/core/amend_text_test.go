package core_test

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// schedule has alice propose a text whose voting opens in an hour.
func (w *world) schedule() uint64 {
	w.t.Helper()
	opens := w.now.Add(time.Hour).Unix()
	w.ok(w.m["alice"].Sign(&tx.Propose{Title: "Plant trees", Body: "On the *green*.", Category: "general", Opens: opens, Closes: opens + 600}))
	return uint64(len(w.s.Proposals()))
}

func amend(id uint64, title, body string) *tx.AmendText {
	return &tx.AmendText{Proposal: id, Title: title, Body: body}
}

func TestAmendText(t *testing.T) {
	w := newWorld(t)
	id := w.schedule()
	r := w.ok(w.m["alice"].Sign(amend(id, "Plant oaks", "On the *green*, by the pond.")))
	p, _ := w.s.Proposal(id)
	if p.Title != "Plant oaks" || p.Body != "On the *green*, by the pond." || p.Revisions != 1 || p.Status != core.Scheduled {
		t.Fatalf("after the amendment: %+v", p)
	}
	res := r.Txs[0]
	want := core.TextAmended{Proposal: id, Revision: 1, Author: 1, OldTitle: "Plant trees", OldBody: "On the *green*.",
		Title: "Plant oaks", Body: "On the *green*, by the pond."}
	if len(res.Events) != 1 || res.Events[0] != want {
		t.Fatalf("events %+v, want %+v", res.Events, want)
	}
	if len(res.Leaves) != 2 {
		t.Fatalf("%d leaves, want the transaction's and the fact's", len(res.Leaves))
	}
	f, err := core.DecodeFact(res.Leaves[1])
	digest := sha256.Sum256([]byte("Plant oaks\nOn the *green*, by the pond."))
	if err != nil || f.Type != core.FactTextAmended || f.Proposal != id || f.Revision != 1 || string(f.Digest) != string(digest[:]) || f.Time != w.now.UnixNano() {
		t.Fatalf("fact %+v %v", f, err)
	}
	// The title alone may change; every change is a new revision.
	w.ok(w.m["alice"].Sign(amend(id, "Plant oaks and limes", p.Body)))
	if p.Title != "Plant oaks and limes" || p.Revisions != 2 {
		t.Fatalf("after the second amendment: %+v", p)
	}
	w.block(time.Hour)
	if p.Status != core.Open {
		t.Fatalf("status %v after the opening time", p.Status)
	}
	w.replay()
}

func TestAmendTextRejections(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world) []byte
		code  reject.Code
		says  string
	}{
		{"unknown proposal", func(w *world) []byte {
			return w.m["alice"].Sign(amend(9, "T", "B"))
		}, reject.UnknownProposal, "text amendment rejected: there is no proposal 9"},
		{"proposal number 0", func(w *world) []byte {
			return w.m["alice"].Sign(amend(0, "T", "B"))
		}, reject.BadBody, "text amendment rejected: proposal numbers start at 1"},
		{"empty title", func(w *world) []byte {
			return w.m["alice"].Sign(amend(w.schedule(), "", "B"))
		}, reject.BadBody, "text amendment rejected: the title is empty"},
		{"title too long", func(w *world) []byte {
			long := make([]rune, tx.MaxTitle+1)
			for i := range long {
				long[i] = 'a'
			}
			return w.m["alice"].Sign(amend(w.schedule(), string(long), "B"))
		}, reject.BadBody, "text amendment rejected: the title has 201 characters; at most 200 are allowed"},
		{"not the author", func(w *world) []byte {
			return w.m["bob"].Sign(amend(w.schedule(), "Mine now", "B"))
		}, reject.NotAuthor, "text amendment rejected: only the author (member 1) may amend the text of proposal 1"},
		{"voting opened", func(w *world) []byte {
			id := w.propose(time.Hour)
			return w.m["alice"].Sign(amend(id, "Plant oaks", "B"))
		}, reject.VotingStarted, "text amendment rejected: voting on proposal 1 opened at 2026-12-01 09:00:01 UTC; its text can no longer change"},
		{"decided", func(w *world) []byte {
			id := w.propose(2 * time.Minute)
			w.block(3 * time.Minute)
			return w.m["alice"].Sign(amend(id, "Plant oaks", "B"))
		}, reject.VotingStarted, "its text can no longer change"},
		{"withdrawn", func(w *world) []byte {
			id := w.schedule()
			w.ok(w.m["alice"].Sign(&tx.Withdraw{Proposal: id}))
			return w.m["alice"].Sign(amend(id, "Plant oaks", "B"))
		}, reject.ProposalWithdrawn, "text amendment rejected: proposal 1 was withdrawn"},
		{"unchanged text", func(w *world) []byte {
			return w.m["alice"].Sign(amend(w.schedule(), "Plant trees", "On the *green*."))
		}, reject.TextUnchanged, "text amendment rejected: the title and body are the same as proposal 1's current text"},
		{"former member", func(w *world) []byte {
			id := w.schedule()
			w.ok(w.m["alice"].Sign(&tx.Leave{}))
			return w.m["alice"].Sign(amend(id, "Plant oaks", "B"))
		}, reject.FormerMember, "left the community"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t)
			bad := tt.setup(w)
			if _, err := w.s.BeginBlock(w.s.Height()+1, w.now); err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, bad, tt.code, tt.says)
		})
	}
}

func TestAmendTextOfAnInitiative(t *testing.T) {
	tests := []struct {
		name  string
		setup func(w *world, id uint64) []byte
		code  reject.Code
		says  string
	}{
		{"endorsed", func(w *world, id uint64) []byte {
			w.ok(endorse(w.m["bob"], id))
			return w.m["alice"].Sign(amend(id, "Better", "B"))
		}, reject.TextEndorsed, "text amendment rejected: 1 members have endorsed initiative 1 as it stands; its text can no longer change"},
		{"lapsed", func(w *world, id uint64) []byte {
			w.block(31 * day)
			return w.m["alice"].Sign(amend(id, "Better", "B"))
		}, reject.InitiativeLapsed, "text amendment rejected: initiative 1 lapsed at"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := initiativeWorld(t)
			id := w.start("alice", tx.Propose{})
			bad := tt.setup(w, id)
			if _, err := w.s.BeginBlock(w.s.Height()+1, w.now); err != nil {
				t.Fatal(err)
			}
			refuses(t, w.s, bad, tt.code, tt.says)
		})
	}
	// Before any endorsement the author may still fix it.
	w := initiativeWorld(t)
	id := w.start("alice", tx.Propose{})
	w.ok(w.m["alice"].Sign(amend(id, "A better initiative", "Now with a body.")))
	if p, _ := w.s.Proposal(id); p.Title != "A better initiative" || p.Revisions != 1 || p.Status != core.Gathering {
		t.Fatalf("after the amendment: %+v", p)
	}
	w.replay()
}

// TestAmendTextIsUndone checks that a checkpoint reverts an amendment to the
// very bytes of the state before it.
func TestAmendTextIsUndone(t *testing.T) {
	w := newWorld(t)
	id := w.schedule()
	before, err := w.s.MarshalBinary()
	if err != nil {
		t.Fatal(err)
	}
	root := w.s.Root()
	w.s.Checkpoint()
	w.block(time.Second, w.m["alice"].Sign(amend(id, "Plant oaks", "Elsewhere.")))
	w.s.Revert()
	after, _ := w.s.MarshalBinary()
	if string(before) != string(after) || w.s.Root() != root {
		t.Fatal("the reverted amendment left a trace")
	}
}
