package bench_test

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"syscall"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/bench"
)

// TestBallotFigures runs the secret-ballot benchmark at tiny sizes (no
// browser) and checks that every figure is reported and positive; speed is
// reported, not asserted.
func TestBallotFigures(t *testing.T) {
	f, err := bench.Ballot(context.Background(), bench.BallotOptions{Ballots: 12, BlockSize: 5, Casts: 2, TallyBallots: 50}, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"cpus", "workers", "ballots", "cast_ms", "verify_ballots_per_s", "verify_cpu_us_per_ballot",
		"parse_cpu_us_per_ballot", "unbatched_verify_ballots_per_s", "unbatched_verify_cpu_us_per_ballot", "batch_speedup", "batch_speedup_cpu", "verify_runs", "cast_cpu_ms", "tally_100k_cpu_s",
		"group_ops_per_ballot", "batched_msm_terms_per_ballot", "msm_term_ns", "tally_ballots", "tally_100k_s",
		"tally_100k_from_bytes_s", "tally_100k_from_bytes_cpu_s", "block_size", "core_block_ballots_per_s", "core_cpu_us_per_ballot"} {
		v, ok := m[k].(float64)
		if !ok || v <= 0 {
			t.Errorf("%s = %v, want a positive number", k, m[k])
		}
	}
	if s, _ := m["cpu_model"].(string); s == "" {
		t.Error("cpu_model missing")
	}
	if _, ok := m["browser_cast_ms"]; ok {
		t.Error("browser_cast_ms reported without a browser")
	}
	if f.GroupOpsPerBallot != 44 || f.MSMTermsPerBallot != 32 {
		t.Errorf("group operations %d and %d MSM terms, want 44 and 32", f.GroupOpsPerBallot, f.MSMTermsPerBallot)
	}
}

// TestGroupOps checks the count of scalar multiplications against the
// equations of docs/secret-ballot.md §4.3 for a few races.
func TestGroupOps(t *testing.T) {
	for _, c := range []struct {
		name          string
		race          ballot.Race
		unbatched, ms int
	}{
		{"yes/no/abstain", ballot.SingleChoice(3), 2 * (12 + 2), 14 + 6},
		{"single choice of 5", ballot.SingleChoice(5), 2 * (20 + 2), 22 + 10},
		{"approve up to 2 of 4", ballot.Approval(4, 2), 2 * (16 + 6), 22 + 8},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, m := bench.GroupOps(c.race)
			if u != c.unbatched || m != c.ms {
				t.Errorf("GroupOps = %d, %d; want %d, %d", u, m, c.unbatched, c.ms)
			}
		})
	}
}

// benchWorkload is a secret workload of n ballots for the benchmarks below.
func benchWorkload(b *testing.B, n int) *bench.SecretWorkload {
	b.Helper()
	w, err := bench.NewSecretWorkload(n, 200)
	if err != nil {
		b.Fatal(err)
	}
	return w
}

// BenchmarkBallotVerifyBatched parses and verifies 256 ballots with
// ballot.VerifyAll on all CPUs per iteration (run with -cpuprofile to see
// where verify_ballots_per_s goes).
func BenchmarkBallotVerifyBatched(b *testing.B) {
	w := benchWorkload(b, 256)
	for b.Loop() {
		if _, err := bench.VerifyBatched(w.Items(), w.BallotBytes(), 0, time.Now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*256)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkBallotVerifyUnbatched is BenchmarkBallotVerifyBatched one
// equation at a time.
func BenchmarkBallotVerifyUnbatched(b *testing.B) {
	w := benchWorkload(b, 256)
	for b.Loop() {
		if _, err := bench.VerifyUnbatched(w.Items(), w.BallotBytes(), 0, time.Now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*256)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkBallotCoreApply applies 1,000 secret ballots through the core in
// blocks of 200 per iteration (the workload is rebuilt, untimed).
func BenchmarkBallotCoreApply(b *testing.B) {
	for range b.N {
		b.StopTimer()
		w := benchWorkload(b, 1000)
		b.StartTimer()
		if _, err := w.Apply(time.Now); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N*1000)/b.Elapsed().Seconds(), "ballots/s")
}

// BenchmarkBallotBatchSize verifies 1,024 parsed ballots on one goroutine
// with ballot.VerifyBatch in batches of several sizes (VerifyAll uses
// ballot.BatchSize), to choose the size.
func BenchmarkBallotBatchSize(b *testing.B) {
	items := benchWorkload(b, 1024).Items()
	for _, size := range []int{32, 64, 128, 256, 512, 1024} {
		b.Run(fmt.Sprint(size), func(b *testing.B) {
			cpu0 := cpuTime()
			for b.Loop() {
				for lo := 0; lo < len(items); lo += size {
					if err := ballot.VerifyBatch(items[lo:min(lo+size, len(items))], rand.Reader); err != nil {
						b.Fatal(err)
					}
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/float64(b.N*len(items)), "cpu-µs/ballot")
		})
	}
}

// cpuTime is the CPU time this process has used: on a shared machine the
// wall clock also measures the neighbours.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
