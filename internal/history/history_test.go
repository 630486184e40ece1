package history_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
	"github.com/folkmoot/folkmoot/internal/reject"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// simulate runs a random community and returns its history file, the
// blocks, and the final root.
func simulate(t testing.TB, seed uint64, blocks, perBlock int) ([]byte, []history.Block, *coretest.Sim) {
	t.Helper()
	sim := coretest.NewSim(seed, 6)
	var buf bytes.Buffer
	root := sim.State.Root()
	w, err := history.NewWriter(&buf, history.Header{ChainID: coretest.ChainID, GenesisTime: coretest.GenesisTime.UnixNano(),
		AppState: sim.AppState, GenesisRoot: root[:]})
	if err != nil {
		t.Fatal(err)
	}
	var hb []history.Block
	for i := 0; i < blocks; i++ {
		b, res := sim.Block(perBlock)
		codes := make([]uint32, len(res.Txs))
		for j, r := range res.Txs {
			codes[j] = uint32(r.Code)
		}
		h := history.Block{Height: b.Height, Time: b.Time.UnixNano(), Txs: b.Txs, Codes: codes, AppHash: res.Root[:]}
		hb = append(hb, h)
		if err := w.WriteBlock(h); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), hb, sim
}

func TestVerifyReproducesSimulatedHistories(t *testing.T) {
	var laws, ended, renewals, versions, qualified, lapsed int
	var delegated delegatedSeen
	for _, seed := range []uint64{1, 2, 3, 7} {
		file, _, sim := simulate(t, seed, 150, 25)
		sum, err := history.Verify(bytes.NewReader(file), history.Options{})
		if err != nil {
			t.Fatalf("seed %d: %v", seed, err)
		}
		if !sum.OK || sum.Error != "" || sum.Root != sim.State.Root() || sum.Blocks != 150 {
			t.Fatalf("seed %d: root %s blocks %d, want %s", seed, sum.Root, sum.Blocks, sim.State.Root())
		}
		if sum.Accepted == 0 || sum.Rejected == 0 || len(sum.Decisions) == 0 || sum.Members <= 6 {
			t.Fatalf("seed %d: the simulation exercised too little: %+v", seed, sum)
		}
		if sum.Laws != sim.State.LawsInForceCount() || sum.Rules != len(sim.State.RuleHistory()) {
			t.Fatalf("seed %d: summary laws %d rules %d", seed, sum.Laws, sum.Rules)
		}
		for _, l := range sim.State.Laws() {
			laws++
			if l.Status != core.InForce {
				ended++
			}
			renewals += len(l.Renewals)
		}
		versions += len(sim.State.RuleHistory()) - 1
		delegated.add(sim.State)
		for _, p := range sim.State.Proposals() {
			switch {
			case p.Initiative != nil && p.Status == core.Lapsed:
				lapsed++
			case p.Initiative != nil && p.Opens != 0:
				qualified++
			}
		}
	}
	// ... popular initiatives that qualified and that lapsed.
	if qualified == 0 || lapsed == 0 {
		t.Fatalf("initiatives: %d qualified, %d lapsed: the simulation exercised too little", qualified, lapsed)
	}
	// ... and liquid delegation: votes carried by chains, lost to cycles
	// and to a weight cap.
	if delegated.decisions == 0 || delegated.votes == 0 || delegated.cyclic == 0 || delegated.capped == 0 {
		t.Fatalf("delegation %+v: the simulation exercised too little", delegated)
	}
	t.Logf("laws %d, ended %d, renewals %d, amendments %d, delegation %+v", laws, ended, renewals, versions, delegated)
	// The replays covered laws enacted, renewed, repealed and expired, and
	// amendments of the constitution.
	if laws < 10 || ended < 5 || renewals == 0 || versions == 0 {
		t.Fatalf("laws %d, ended %d, renewals %d, amendments %d: the simulation exercised too little", laws, ended, renewals, versions)
	}
}

// delegatedSeen counts what delegation did in simulated histories.
type delegatedSeen struct{ decisions, votes, capped, cyclic uint64 }

func (d *delegatedSeen) add(s *core.State) {
	for _, p := range s.Proposals() {
		if t := p.Delegated; t != nil {
			d.decisions++
			d.votes += t.Yes + t.No + t.Abstain
			d.capped += t.Capped
			d.cyclic += t.Cyclic
		}
	}
}

// TestReplayIsDeterministic replays the same blocks twice from genesis, and
// once through a serialise/restore of the state half way, and compares the
// root after every block.
func TestReplayIsDeterministic(t *testing.T) {
	_, blocks, sim := simulate(t, 42, 200, 30)
	replay := func(restoreAt int) []string {
		s, err := core.New(coretest.ChainID, coretest.GenesisTime, sim.AppState)
		if err != nil {
			t.Fatal(err)
		}
		var roots []string
		for i, b := range blocks {
			if i == restoreAt {
				data, err := s.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if s, err = core.Restore(data); err != nil {
					t.Fatal(err)
				}
				again, _ := s.MarshalBinary()
				if !bytes.Equal(data, again) {
					t.Fatal("restore then serialise changed the bytes")
				}
			}
			res, err := s.ApplyBlock(core.Block{Height: b.Height, Time: time.Unix(0, b.Time), Txs: b.Txs}, 1+i%2)
			if err != nil {
				t.Fatal(err)
			}
			roots = append(roots, res.Root.String())
		}
		return roots
	}
	a, b, c := replay(-1), replay(-1), replay(100)
	for i := range a {
		if a[i] != b[i] || a[i] != c[i] || a[i] != string(hexOf(blocks[i].AppHash)) {
			t.Fatalf("roots differ at block %d: %s %s %s", i+1, a[i], b[i], c[i])
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	out := make([]byte, 0, 2*len(b))
	for _, x := range b {
		out = append(out, digits[x>>4], digits[x&15])
	}
	return string(out)
}

// TestTamperedHistoryFails flips one bit of every byte of a small history
// in turn: every single change must make Verify fail. The seed gives a
// history with accepted delegations among its transactions.
func TestTamperedHistoryFails(t *testing.T) {
	file, blocks, _ := simulate(t, 5, 6, 4)
	delegations := 0
	for _, b := range blocks {
		for i, raw := range b.Txs {
			if d, err := tx.Decode(raw); err == nil && b.Codes[i] == 0 && (d.Kind == tx.KindDelegate || d.Kind == tx.KindUndelegate) {
				delegations++
			}
		}
	}
	if delegations == 0 {
		t.Fatal("the small history has no accepted delegation")
	}
	if _, err := history.Verify(bytes.NewReader(file), history.Options{Workers: 1}); err != nil {
		t.Fatalf("untampered: %v", err)
	}
	for i := range file {
		bad := bytes.Clone(file)
		bad[i] ^= 0x01
		if _, err := history.Verify(bytes.NewReader(bad), history.Options{Workers: 1}); err == nil {
			t.Fatalf("flipping byte %d of %d was not detected", i, len(file))
		}
	}
}

func TestDroppedOrReorderedTransactionFails(t *testing.T) {
	_, blocks, sim := simulate(t, 9, 40, 10)
	write := func(bs []history.Block) []byte {
		var buf bytes.Buffer
		g, _ := core.New(coretest.ChainID, coretest.GenesisTime, sim.AppState)
		root := g.Root()
		w, _ := history.NewWriter(&buf, history.Header{ChainID: coretest.ChainID, GenesisTime: coretest.GenesisTime.UnixNano(), AppState: sim.AppState, GenesisRoot: root[:]})
		for _, b := range bs {
			if err := w.WriteBlock(b); err != nil {
				t.Fatal(err)
			}
		}
		w.Close()
		return buf.Bytes()
	}
	clone := func() []history.Block {
		out := make([]history.Block, len(blocks))
		for i, b := range blocks {
			b.Txs = append([][]byte(nil), b.Txs...)
			b.Codes = append([]uint32(nil), b.Codes...)
			out[i] = b
		}
		return out
	}
	// Find a block with two accepted transactions.
	target := -1
	for i, b := range blocks {
		if len(b.Txs) >= 2 && b.Codes[0] == 0 && b.Codes[1] == 0 {
			target = i
			break
		}
	}
	if target < 0 {
		t.Fatal("no block with two accepted transactions")
	}
	tests := []struct {
		name string
		edit func(bs []history.Block) []history.Block
	}{
		{"dropped transaction", func(bs []history.Block) []history.Block {
			b := &bs[target]
			b.Txs, b.Codes = b.Txs[1:], b.Codes[1:]
			return bs
		}},
		{"swapped transactions", func(bs []history.Block) []history.Block {
			b := &bs[target]
			b.Txs[0], b.Txs[1] = b.Txs[1], b.Txs[0]
			return bs
		}},
		{"transaction moved to the next block", func(bs []history.Block) []history.Block {
			b, n := &bs[target], &bs[target+1]
			n.Txs = append([][]byte{b.Txs[len(b.Txs)-1]}, n.Txs...)
			n.Codes = append([]uint32{0}, n.Codes...)
			b.Txs, b.Codes = b.Txs[:len(b.Txs)-1], b.Codes[:len(b.Codes)-1]
			return bs
		}},
		{"dropped block, later heights renumbered", func(bs []history.Block) []history.Block {
			bs = append(bs[:target], bs[target+1:]...)
			for i := target; i < len(bs); i++ {
				bs[i].Height--
			}
			return bs
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := history.Verify(bytes.NewReader(write(tt.edit(clone()))), history.Options{})
			if err == nil {
				t.Fatal("tampered history verified")
			}
			var mm *history.MismatchError
			if !errors.As(err, &mm) && !strings.Contains(err.Error(), "missing or out of order") {
				t.Fatalf("error %v does not name the mismatch", err)
			}
		})
	}
}

func TestVerifyRejectsBadFiles(t *testing.T) {
	file, _, _ := simulate(t, 3, 3, 3)
	tests := []struct {
		name   string
		data   []byte
		height int64
		says   string
	}{
		{"empty", nil, 0, "cannot read the header: the file is empty"},
		{"not cbor", []byte("hello world"), 0, "cannot read the header: not a folkmoot history file"},
		{"zeros", make([]byte, 1<<16), 0, "cannot read the header: not a folkmoot history file"},
		{"truncated", file[:len(file)-5], 3, "cannot read the block at height 3: the file ends inside it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum, err := history.Verify(bytes.NewReader(tt.data), history.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("error %v, want one saying %q", err, tt.says)
			}
			var re *history.ReadError
			if !errors.As(err, &re) || re.Height != tt.height {
				t.Fatalf("error %#v, want a *ReadError at height %d", err, tt.height)
			}
			if sum.OK || sum.Error != err.Error() || sum.ReadError != re || sum.FirstError != nil {
				t.Fatalf("summary ok %v error %q read error %v mismatch %v", sum.OK, sum.Error, sum.ReadError, sum.FirstError)
			}
		})
	}
	_ = reject.OK
}
