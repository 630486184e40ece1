package count_test

import (
	"testing"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/count/counttest"
)

func benchProfile(b *testing.B, r counttest.Ranked) *count.Profile {
	b.Helper()
	p, err := r.Profile()
	if err != nil {
		b.Fatal(err)
	}
	return p
}

// The figures for the targets (1,000,000 ballots) come from
// "folkmoot bench count"; these run a tenth of the size.

func BenchmarkIRV100k(b *testing.B) {
	p := benchProfile(b, counttest.Ranked{Seed: 1, Voters: 100_000, Candidates: 10, Spread: 2})
	for b.Loop() {
		count.IRV(p, count.Options{})
	}
}

func BenchmarkSchulze100k(b *testing.B) {
	p := benchProfile(b, counttest.Ranked{Seed: 2, Voters: 100_000, Candidates: 20, Spread: 2})
	for b.Loop() {
		count.Schulze(p, count.Options{})
	}
}

func BenchmarkSTV100k(b *testing.B) {
	p := benchProfile(b, counttest.Ranked{Seed: 3, Voters: 100_000, Candidates: 30, Spread: 4})
	for b.Loop() {
		count.STV(p, count.Options{Seats: 5})
	}
}

func BenchmarkAggregate100k(b *testing.B) {
	r := counttest.Ranked{Seed: 1, Voters: 100_000, Candidates: 10, Spread: 2}
	var ballots [][]int
	r.Each(func(o []int) error { ballots = append(ballots, append([]int(nil), o...)); return nil })
	names := make([]string, 10)
	for b.Loop() {
		bl, _ := count.NewBuilder(names)
		for _, o := range ballots {
			bl.Add(o, nil, 1)
		}
	}
}
