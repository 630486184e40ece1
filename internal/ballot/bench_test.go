package ballot

import (
	"crypto/rand"
	"fmt"
	"github.com/gtank/ristretto255"
	"syscall"
	"testing"
	"time"
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

// BenchmarkCast: cast_ms, encrypt and prove one 5-choice single-choice ballot.
func BenchmarkCast(b *testing.B) {
	kp := testKey(b, "bench")
	ctx := testContext(kp, "alice")
	race := SingleChoice(5)
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := Cast(ctx, race, []int{0, 0, 1, 0, 0}, rand.Reader); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, 1, "ballot")
}

// BenchmarkVerifyUnbatched: unbatched_verify_ballots_per_s, the same work
// as BenchmarkVerifyBatched (parse 256 ballots, verify them on both cores)
// with each equation checked on its own.
func BenchmarkVerifyUnbatched(b *testing.B) {
	items := benchBallots(b, 256)
	raws := make([][]byte, len(items))
	for i, it := range items {
		raws[i] = it.Ballot.Bytes()
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		parsed := append([]Item(nil), items...)
		parseAll(b, parsed, raws)
		errs := make(chan error, 2)
		half := len(parsed) / 2
		for _, r := range [][2]int{{0, half}, {half, len(parsed)}} {
			go func() {
				for _, it := range parsed[r[0]:r[1]] {
					if err := it.Ballot.Verify(it.Context, it.Race); err != nil {
						errs <- err
						return
					}
				}
				errs <- nil
			}()
		}
		for range 2 {
			if err := <-errs; err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "ballots/s")
	reportCPU(b, cpu0, len(items), "ballot")
}

// BenchmarkVerifyBatched: verify_ballots_per_s, parse 256 ballots on both
// cores and verify them with VerifyAll (batches of BatchSize, both cores).
func BenchmarkVerifyBatched(b *testing.B) {
	items := benchBallots(b, 256)
	raws := make([][]byte, len(items))
	for i, it := range items {
		raws[i] = it.Ballot.Bytes()
	}
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		parsed := append([]Item(nil), items...)
		parseAll(b, parsed, raws)
		for _, err := range VerifyAll(parsed, 0, rand.Reader) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ReportMetric(float64(b.N*len(items))/b.Elapsed().Seconds(), "ballots/s")
	reportCPU(b, cpu0, len(items), "ballot")
}

// parseAll parses raws into items on two goroutines.
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

// tallyCiphertexts returns n valid 5-choice single-choice ballots' ciphertexts
// cheaply: ballot k uses randomness r0 + k, so each is the previous plus
// (G, X) plus the change of vote.
func tallyCiphertexts(b *testing.B, X *ristretto255.Element, n int) ([][]Ciphertext, []uint64) {
	b.Helper()
	G := ristretto255.NewElement().Base()
	cur := make([]Ciphertext, 5)
	for i := range cur {
		cur[i] = Encrypt(X, 0, smallScalar(uint64(1000+i)))
	}
	want := make([]uint64, 5)
	out := make([][]Ciphertext, n)
	prev := -1
	for k := range out {
		choice := (k * 7 % 11) % 5
		row := make([]Ciphertext, 5)
		for i := range cur {
			cur[i].A.Add(cur[i].A, G)
			cur[i].B.Add(cur[i].B, X)
			if i == choice {
				cur[i].B.Add(cur[i].B, G)
			}
			if i == prev {
				cur[i].B.Subtract(cur[i].B, G)
			}
			row[i] = Ciphertext{A: ristretto255.NewElement().Add(cur[i].A, ristretto255.NewElement()), B: ristretto255.NewElement().Add(cur[i].B, ristretto255.NewElement())}
		}
		prev = choice
		want[choice]++
		out[k] = row
	}
	return out, want
}

// benchTally: tally_100k_s, aggregate n ballots (already decoded, as the
// core holds them after verifying each at cast), three trustees of five
// decrypt with proofs, every proof is verified, Lagrange, BSGS up to n.
func benchTally(b *testing.B, n int) {
	e, err := runDKG(b, 3, 5, nil, "bench-tally")
	if err != nil {
		b.Fatal(err)
	}
	cts, want := tallyCiphertexts(b, e.key, n)
	ctx := electionContext(e, "")
	b.ResetTimer()
	cpu0 := cpuTime()
	for b.Loop() {
		agg, err := Sum(5, cts)
		if err != nil {
			b.Fatal(err)
		}
		got, err := tally(b, e, ctx, agg, []int{1, 3, 5}, uint64(n))
		if err != nil {
			b.Fatal(err)
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			b.Fatalf("tally %v, want %v", got, want)
		}
	}
	reportCPU(b, cpu0, 1, "tally")
}

// BenchmarkTally10k and BenchmarkTally100k: see benchTally.
func BenchmarkTally10k(b *testing.B)  { benchTally(b, 10_000) }
func BenchmarkTally100k(b *testing.B) { benchTally(b, 100_000) }

// BenchmarkParseCiphertexts: decoding one stored 5-choice ballot's
// ciphertexts (10 points), for a tally that starts from bytes.
func BenchmarkParseCiphertexts(b *testing.B) {
	items := benchBallots(b, 1)
	raw := items[0].Ballot.Bytes()[:5*CiphertextSize]
	cpu0 := cpuTime()
	for b.Loop() {
		for i := 0; i < 5; i++ {
			if _, err := ParseCiphertext(raw[i*CiphertextSize : (i+1)*CiphertextSize]); err != nil {
				b.Fatal(err)
			}
		}
	}
	reportCPU(b, cpu0, 1, "ballot")
}

// BenchmarkMSM64: msm_term_ns, one 64-term variable-time multi-scalar
// multiplication with full-size scalars, reported per term.
func BenchmarkMSM64(b *testing.B) {
	rng := newDetRand("msm")
	scalars := make([]*ristretto255.Scalar, 64)
	points := make([]*ristretto255.Element, 64)
	for i := range scalars {
		scalars[i], _ = randomScalar(rng)
		s, _ := randomScalar(rng)
		points[i] = ristretto255.NewElement().ScalarBaseMult(s)
	}
	cpu0 := cpuTime()
	for b.Loop() {
		ristretto255.NewElement().VarTimeMultiScalarMult(scalars, points)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/64, "ns/term")
	reportCPU(b, cpu0, 64, "term")
}

// BenchmarkDecodePoint: one strict point decoding.
func BenchmarkDecodePoint(b *testing.B) {
	p := enc(testKey(b, "x").Public)
	cpu0 := cpuTime()
	for b.Loop() {
		if _, err := DecodePoint(p); err != nil {
			b.Fatal(err)
		}
	}
	reportCPU(b, cpu0, 1, "op")
}

// BenchmarkScalarMult: one constant-time variable-base scalar multiplication.
func BenchmarkScalarMult(b *testing.B) {
	kp := testKey(b, "x")
	cpu0 := cpuTime()
	for b.Loop() {
		ristretto255.NewElement().ScalarMult(kp.Secret, kp.Public)
	}
	reportCPU(b, cpu0, 1, "op")
}

// cpuTime is the CPU time this process has used (user + system). The
// benchmarks report it per operation beside the wall time, because the
// machine is shared: on two busy cores wall time measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportCPU reports CPU ns per unit (ops × per) since start.
func reportCPU(b *testing.B, start time.Duration, per int, unit string) {
	b.Helper()
	b.ReportMetric(float64(cpuTime()-start)/float64(b.N*per), "cpu-ns/"+unit)
}
