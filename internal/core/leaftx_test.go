package core_test

import (
	"crypto/sha256"
	"testing"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
)

// TestLeafTx: in random histories, the first leaf of every included
// transaction, accepted or not, names it, and no other leaf names any.
func TestLeafTx(t *testing.T) {
	sim := coretest.NewOfficeSim(9, 8)
	for _, l := range sim.State.GenesisLeaves() {
		if _, ok := core.LeafTx(l); ok {
			t.Fatal("a genesis leaf names a transaction")
		}
	}
	named := 0
	for range 40 {
		b, res := sim.Block(6)
		for _, r := range []core.Result{res.Begin, res.End} {
			for _, l := range r.Leaves {
				if _, ok := core.LeafTx(l); ok {
					t.Fatal("a leaf of BeginBlock or EndBlock names a transaction")
				}
			}
		}
		for i, r := range res.Txs {
			for j, l := range r.Leaves {
				id, ok := core.LeafTx(l)
				if j > 0 {
					if ok {
						t.Fatalf("block %d tx %d: leaf %d names a transaction", b.Height, i, j)
					}
					continue
				}
				if !ok || id != sha256.Sum256(b.Txs[i]) {
					t.Fatalf("block %d tx %d (code %d): its first leaf does not name it", b.Height, i, r.Code)
				}
				named++
			}
		}
	}
	if named == 0 {
		t.Fatal("no transactions")
	}
}
