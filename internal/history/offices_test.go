package history_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/history"
)

// TestVerifyReproducesOfficeHistories replays random histories of
// communities with offices: elections counted by IRV and STV, by-elections,
// term limits, recalls and notices all reproduce every code and root, also
// through states serialised and restored along the way.
func TestVerifyReproducesOfficeHistories(t *testing.T) {
	var decided, seated, vacated, refused, recalls int
	for _, seed := range []uint64{1, 2, 5} {
		sim := coretest.NewOfficeSim(seed, 6)
		var buf bytes.Buffer
		root := sim.State.Root()
		w, err := history.NewWriter(&buf, history.Header{ChainID: coretest.ChainID, GenesisTime: coretest.GenesisTime.UnixNano(),
			AppState: sim.AppState, GenesisRoot: root[:]})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 150; i++ {
			b, res := sim.Block(25)
			codes := make([]uint32, len(res.Txs))
			for j, r := range res.Txs {
				codes[j] = uint32(r.Code)
				if r.Code == 114 || r.Code == 115 {
					refused++
				}
			}
			if err := w.WriteBlock(history.Block{Height: b.Height, Time: b.Time.UnixNano(), Txs: b.Txs, Codes: codes, AppHash: res.Root[:]}); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		sum, err := history.Verify(bytes.NewReader(buf.Bytes()), history.Options{})
		if err != nil || sum.Root != sim.State.Root() {
			t.Fatalf("seed %d: %v, root %s want %s", seed, err, sum.Root, sim.State.Root())
		}
		// Serialised and restored every ten blocks, the replay still
		// reaches every root.
		s, err := core.New(coretest.ChainID, coretest.GenesisTime, sim.AppState)
		if err != nil {
			t.Fatal(err)
		}
		hr, err := history.NewReader(bytes.NewReader(buf.Bytes()))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			b, err := hr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			if i%10 == 5 {
				data, err := s.MarshalBinary()
				if err != nil {
					t.Fatal(err)
				}
				if s, err = core.Restore(data); err != nil {
					t.Fatal(err)
				}
				if again, _ := s.MarshalBinary(); !bytes.Equal(data, again) {
					t.Fatalf("seed %d block %d: restore then serialise changed the bytes", seed, b.Height)
				}
			}
			res, err := s.ApplyBlock(core.Block{Height: b.Height, Time: time.Unix(0, b.Time), Txs: b.Txs}, 1)
			if err != nil || !bytes.Equal(res.Root[:], b.AppHash) {
				t.Fatalf("seed %d: restored replay diverged at block %d: %v", seed, b.Height, err)
			}
		}
		for _, e := range sim.State.Elections() {
			if e.Status == core.ElectionDecided && len(e.Winners) > 0 {
				decided++
			}
		}
		for _, tm := range sim.State.Terms() {
			seated++
			if tm.EndedBy == core.EndRecalled || tm.EndedBy == core.EndLeft {
				vacated++
			}
		}
		recalls += len(sim.State.Petitions())
	}
	t.Logf("elections decided %d, terms %d, vacated %d, term-limit refusals %d, petitions %d", decided, seated, vacated, refused, recalls)
	if decided == 0 || seated == 0 || vacated == 0 || refused == 0 || recalls == 0 {
		t.Fatal("the simulation exercised too little of the offices")
	}
}
