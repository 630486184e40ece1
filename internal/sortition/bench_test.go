package sortition

import (
	"syscall"
	"testing"
	"time"
)

// cpuTime is the process's user and system CPU time so far: on a shared
// machine it says what a benchmark cost better than the wall clock.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkUniform draws 40 of 100,000 (target ≤ 50 ms).
func BenchmarkUniform(b *testing.B) {
	eligible := make([]uint32, 100_000)
	for i := range eligible {
		eligible[i] = uint32(i + 1)
	}
	var seed [32]byte
	for i := 0; b.Loop(); i++ {
		seed[0] = byte(i)
		if _, err := Uniform(seed, eligible, 40); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLeximin computes LEXIMIN for 40 seats from 2,000 synthetic
// volunteers with 4 features and 25 quota cells (target ≤ 60 s). Run with
// -benchtime=1x.
func BenchmarkLeximin(b *testing.B) {
	in := SyntheticInstance(1, 2000, 40)
	for b.Loop() {
		start := cpuTime()
		d, err := Leximin(in)
		b.ReportMetric((cpuTime() - start).Seconds(), "cpu-s")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(d.Stats.Columns), "columns")
		b.ReportMetric(float64(d.Stats.Stages), "stages")
		b.ReportMetric(Summarize(d.Probabilities).Min, "minprob")
	}
}

// BenchmarkDraw draws one panel from a LEXIMIN distribution.
func BenchmarkDraw(b *testing.B) {
	d, err := Leximin(SyntheticInstance(1, 100, 10))
	if err != nil {
		b.Fatal(err)
	}
	var seed [32]byte
	for i := 0; b.Loop(); i++ {
		seed[0] = byte(i)
		if _, err := d.Draw(seed); err != nil {
			b.Fatal(err)
		}
	}
}
