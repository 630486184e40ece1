package bench

import (
	"testing"
	"time"
)

func TestCoreSmall(t *testing.T) {
	f, err := Core(CoreOptions{Members: 200, Ballots: 1000, BlockSize: 300, SkipMemory: true}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if f.BallotsPerS <= 0 || f.SingleVerifyPerS <= 0 || f.BatchVerifyPerS <= 0 || f.ReplayTxPerS <= 0 || f.ProofNs <= 0 {
		t.Fatalf("a figure is missing: %+v", f)
	}
}
