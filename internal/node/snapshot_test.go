package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cometbft/cometbft/p2p"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// founder is a key a test community's founder signs with.
type founder struct {
	priv  ed25519.PrivateKey
	key   tx.PublicKey
	nonce uint64
}

// snapshotHome makes a one-validator folkmoot home whose founder admits a
// newcomer with one vouch, and returns it with the founder.
func snapshotHome(t *testing.T, chainID string) (string, *founder) {
	t.Helper()
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	f := &founder{priv: priv}
	copy(f.key[:], pub)
	cons := core.DefaultConstitution("Snapshot Street", []core.Founder{{Key: f.key, Name: "ada"}})
	cons.VouchesRequired = 1
	appState, err := json.Marshal(core.Genesis{Constitution: cons})
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "home")
	o := fastOptions(t, chainID)
	o.AppState, o.NoMetrics = appState, true
	if err := Init(home, o); err != nil {
		t.Fatal(err)
	}
	return home, f
}

// every5 takes a snapshot every 5 blocks.
func every5(c *Config) { c.Folkmoot.SnapshotInterval = 5 }

// vouchFor has f vouch for n newcomers, each committed before the next,
// and returns their ids.
func vouchFor(t *testing.T, c *Community, f *founder, n int) []tx.ID {
	t.Helper()
	var ids []tx.ID
	for i := range n {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		f.nonce++
		raw, err := tx.Sign(f.priv, tx.Unsigned{ChainID: c.Node().ChainID(), Author: f.key, Nonce: f.nonce,
			Body: &tx.Vouch{Key: pub, Name: fmt.Sprintf("newcomer %d", i)}})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		res, err := c.Client().SubmitAndWait(ctx, raw)
		cancel()
		if err != nil || res.Code != reject.OK {
			t.Fatalf("vouch %d: %v %+v", i, err, res)
		}
		ids = append(ids, res.ID)
	}
	return ids
}

// waitApp waits until the community's app has committed height h.
func waitApp(t *testing.T, c *Community, h int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		var got int64
		_ = c.App().View(func(s *core.State) error { got = s.Height(); return nil })
		if got >= h {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("height %d not reached (at %d)", h, got)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// waitSnapshot waits until home holds a snapshot at height h or above.
func waitSnapshot(t *testing.T, home string, h int64) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		names, _ := filepath.Glob(filepath.Join(SnapshotDir(home), "*.snapshot"))
		for _, n := range names {
			var got int64
			if _, err := fmt.Sscanf(filepath.Base(n), "%d.snapshot", &got); err == nil && got >= h {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no snapshot at %d or above: %v", h, names)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// answers is what a community says about transactions and proofs at
// heights up to top: the same on every honest node.
func answers(t *testing.T, c *Community, ids []tx.ID, top int64) string {
	t.Helper()
	var out strings.Builder
	for _, id := range ids {
		st, err := c.App().TxStatus(id)
		fmt.Fprintf(&out, "%+v %v\n", st, err)
		p, err := c.App().LeafProof(st.Leaf, top)
		fmt.Fprintf(&out, "%x %s %d %v %v\n", p.Leaf, p.AppHash, p.Height, p.Proof, err)
	}
	for h := int64(1); h <= top; h++ {
		_, root, err := c.App().Proof(0, h)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&out, "%d %s\n", h, root)
	}
	var members []query.Member
	_ = c.App().View(func(s *core.State) error { members = query.Members(s, true); return nil })
	fmt.Fprintf(&out, "%d members\n", len(members))
	return out.String()
}

// TestRestartFromSnapshot: a community restarted from its snapshot (the
// newest being damaged, from the one before) gives the same app hashes and
// the same answers as one that replays the whole chain, and says in its
// log where it started from and why.
func TestRestartFromSnapshot(t *testing.T) {
	if testing.Short() {
		t.Skip("runs three nodes one after the other")
	}
	home, f := snapshotHome(t, "restart-snap-1")
	c, err := Open(context.Background(), home, Options{Config: every5})
	if err != nil {
		t.Fatal(err)
	}
	ids := vouchFor(t, c, f, 6)
	waitApp(t, c, 12)
	waitSnapshot(t, home, 10)
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
	var top int64
	_ = c.App().View(func(s *core.State) error { top = s.Height(); return nil })

	// A copy of the home without snapshots replays every block.
	replayHome := filepath.Join(t.TempDir(), "replay")
	if err := os.CopyFS(replayHome, os.DirFS(home)); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(SnapshotDir(replayHome)); err != nil {
		t.Fatal(err)
	}

	// The newest snapshot is damaged: the node falls back to the one
	// before, and says so.
	names, err := filepath.Glob(filepath.Join(SnapshotDir(home), "*.snapshot"))
	if err != nil || len(names) < 2 {
		t.Fatalf("snapshots %v (%v): want two or more", names, err)
	}
	newest := names[len(names)-1]
	b, err := os.ReadFile(newest)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 1
	if err := os.WriteFile(newest, b, 0o600); err != nil {
		t.Fatal(err)
	}

	var log lockedBuffer
	r, err := Open(context.Background(), home, Options{Config: every5, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	waitApp(t, r, top+1)
	for _, want := range []string{"snapshot is unusable; falling back to the one before", "restarting from snapshot"} {
		if !strings.Contains(log.String(), want) {
			t.Fatalf("the log does not say %q:\n%s", want, log.String())
		}
	}
	fromSnapshot := answers(t, r, ids, top)
	if err := r.Stop(); err != nil {
		t.Fatal(err)
	}

	full, err := Open(context.Background(), replayHome, Options{Config: func(c *Config) { c.Folkmoot.SnapshotInterval = 0 }})
	if err != nil {
		t.Fatal(err)
	}
	defer full.Stop()
	waitApp(t, full, top+1)
	if replayed := answers(t, full, ids, top); replayed != fromSnapshot {
		t.Fatalf("restart from snapshot answers\n%s\nfull replay answers\n%s", fromSnapshot, replayed)
	}
}

// TestJoinByStateSync: a new node joins a running community by state sync
// from its snapshots, then follows it with the same app hashes, answers
// for transactions before the snapshot from the restored leaves, and
// starts its projection at the snapshot's height.
func TestJoinByStateSync(t *testing.T) {
	if testing.Short() {
		t.Skip("two nodes and state sync")
	}
	home, f := snapshotHome(t, "statesync-1")
	// Blocks come every 300 ms without traffic: the first node keeps its
	// snapshots while the joining one spends 5 s discovering them.
	a, err := Open(context.Background(), home, Options{Config: func(c *Config) { every5(c); c.Folkmoot.SnapshotKeep = 50 }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	ids := vouchFor(t, a, f, 4)
	waitApp(t, a, 12)
	waitSnapshot(t, home, 10)

	joinHome := filepath.Join(t.TempDir(), "join")
	o := fastOptions(t, "statesync-1")
	o.NoMetrics = true
	if err := Init(joinHome, o); err != nil {
		t.Fatal(err)
	}
	gen, err := os.ReadFile(filepath.Join(home, "config", "genesis.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(joinHome, "config", "genesis.json"), gen, 0o600); err != nil {
		t.Fatal(err)
	}
	aConf := a.Node().Config().Comet
	aKey, err := p2p.LoadNodeKey(aConf.NodeKeyFile())
	if err != nil {
		t.Fatal(err)
	}
	b1, _ := a.Node().Comet().BlockStore().LoadBlock(1)
	rpc := strings.TrimPrefix(aConf.RPC.ListenAddress, "tcp://")
	join := func(c *Config) {
		c.Comet.P2P.PersistentPeers = p2p.IDAddressString(aKey.ID(), strings.TrimPrefix(aConf.P2P.ListenAddress, "tcp://"))
		c.Comet.P2P.AllowDuplicateIP = true
		c.Comet.StateSync.Enable = true
		c.Comet.StateSync.RPCServers = []string{rpc, rpc}
		c.Comet.StateSync.TrustHeight = 1
		c.Comet.StateSync.TrustHash = hex.EncodeToString(b1.Hash())
		c.Comet.StateSync.DiscoveryTime = 5 * time.Second
		c.Folkmoot.SnapshotInterval = 5
	}
	var log lockedBuffer
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("the joining node's log:\n%s", log.String())
		}
	})
	b, err := Open(context.Background(), joinHome, Options{Config: join, Log: &log})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	var top int64
	_ = a.App().View(func(s *core.State) error { top = s.Height(); return nil })
	waitApp(t, b, top+1)
	if !strings.Contains(log.String(), "restored from a snapshot") {
		t.Fatalf("the joining node's log does not say it restored a snapshot:\n%s", log.String())
	}
	// After state sync the block store is empty until the first block
	// after the snapshot is stored, a moment after the app has it.
	base := b.Node().Comet().BlockStore().Base()
	for deadline := time.Now().Add(20 * time.Second); base == 0 && time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		base = b.Node().Comet().BlockStore().Base()
	}
	if base <= 1 {
		t.Fatalf("the joining node holds blocks from %d: it replayed instead of syncing state", base)
	}
	// The app hash each app computed after every block from the snapshot
	// on, and before it (from the restored leaves).
	for h := int64(1); h <= top; h++ {
		_, want, err1 := a.App().Proof(0, h)
		_, got, err2 := b.App().Proof(0, h)
		if err1 != nil || err2 != nil || want != got {
			t.Fatalf("height %d: app hash %s on the joined node (%v), %s on the first (%v)", h, got, err2, want, err1)
		}
	}
	for _, id := range ids {
		want, err1 := a.App().TxStatus(id)
		got, err2 := b.App().TxStatus(id)
		if err1 != nil || err2 != nil || want != got {
			t.Fatalf("tx %s: %+v %v on the joined node, %+v %v on the first", id, got, err2, want, err1)
		}
	}
	// The projection starts at the snapshot and follows.
	deadline := time.Now().Add(30 * time.Second)
	for {
		held, _, err := b.Store().Height()
		if err == nil && held >= top {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the joined projection holds %d (%v), not %d", held, err, top)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
