package ballot

import (
	"crypto/rand"
	"fmt"
	"testing"
)

func benchBallots(b *testing.B, n int) []Item {
	b.Helper()
	kp := testKey(b, "bench")
	race := SingleChoice(5)
	items := make([]Item, n)
	for i := range items {
		ctx := testContext(kp, fmt.Sprintf("voter-%d", i))
		votes := make([]int, 5)
		votes[i%5] = 1
		bl, err := Cast(ctx, race, votes, rand.Reader)
		if err != nil {
			b.Fatal(err)
		}
		if bl, err = ParseBallot(race, bl.Bytes()); err != nil {
			b.Fatal(err)
		}
		items[i] = Item{ctx, race, bl}
	}
	return items
}

// BenchmarkCast: cast_ms, one 5-choice single-choice ballot.
func BenchmarkCast(b *testing.B) {
	kp := testKey(b, "bench")
	ctx := testContext(kp, "alice")
	race := SingleChoice(5)
	for b.Loop() {
		if _, err := Cast(ctx, race, []int{0, 0, 1, 0, 0}, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyUnbatched: unbatched_verify_ballots_per_s (one core: parse
// and check one equation at a time).
func BenchmarkVerifyUnbatched(b *testing.B) {
	items := benchBallots(b, 64)
	b.ResetTimer()
	n := 0
	for b.Loop() {
		it := items[n%len(items)]
		n++
		bl, err := ParseBallot(it.Race, it.Ballot.Bytes())
		if err != nil {
			b.Fatal(err)
		}
		if err := bl.Verify(it.Context, it.Race); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkVerifyBatched: verify_ballots_per_s, parse + batches of
// BatchSize on every core.
func BenchmarkVerifyBatched(b *testing.B) {
	items := benchBallots(b, 256)
	raws := make([][]byte, len(items))
	for i, it := range items {
		raws[i] = it.Ballot.Bytes()
	}
	b.ResetTimer()
	for b.Loop() {
		parsed := make([]Item, len(items))
		for i, it := range items {
			parsed[i] = it
		}
		// parse in parallel inside VerifyAll's workers would be fairer; parse here on all cores
		parseAll(b, parsed, raws)
		for _, err := range VerifyAll(parsed, 0, rand.Reader) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "ballots/s")
}

func parseAll(b *testing.B, items []Item, raws [][]byte) {
	b.Helper()
	done := make(chan error, 2)
	half := len(items) / 2
	for _, r := range [][2]int{{0, half}, {half, len(items)}} {
		go func() {
			for i := r[0]; i < r[1]; i++ {
				bl, err := ParseBallot(items[i].Race, raws[i])
				if err != nil {
					done <- err
					return
				}
				items[i].Ballot = bl
			}
			done <- nil
		}()
	}
	for range 2 {
		if err := <-done; err != nil {
			b.Fatal(err)
		}
	}
}
