package sortition

import (
	"math"
	"slices"
	"testing"
)

func TestGreedyMeetsQuotas(t *testing.T) {
	in := loadInstance(t, "testdata/leximin/three-features.json")
	for r := range 200 {
		panel, err := Greedy([32]byte{byte(r), byte(r >> 8)}, in)
		if err != nil {
			t.Fatal(err)
		}
		idx := make([]int, len(panel))
		for i, m := range panel {
			idx[i] = slices.IndexFunc(in.Volunteers, func(v Volunteer) bool { return v.Member == m })
		}
		if len(panel) != in.Seats || !meetsQuotas(in, idx) {
			t.Fatalf("greedy panel %v breaks a quota", panel)
		}
	}
	a, _ := Greedy([32]byte{1}, in)
	b, _ := Greedy([32]byte{1}, in)
	if !slices.Equal(a, b) {
		t.Error("greedy is not deterministic")
	}
}

func TestSummarize(t *testing.T) {
	ps := func(v ...float64) []MemberProbability {
		var out []MemberProbability
		for i, x := range v {
			out = append(out, MemberProbability{Member: uint32(i), Probability: x})
		}
		return out
	}
	cases := []struct {
		name string
		in   []MemberProbability
		want Summary
	}{
		{"equal", ps(0.5, 0.5, 0.5, 0.5), Summary{Min: 0.5, Max: 0.5, Mean: 0.5}},
		{"one holds all", ps(0, 0, 0, 1), Summary{Min: 0, Max: 1, Mean: 0.25, Gini: 0.75, BelowHalfMean: 0.75}},
		{"empty", nil, Summary{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := Summarize(c.in)
			if math.Abs(got.Gini-c.want.Gini) > 1e-12 || got.Min != c.want.Min || got.Max != c.want.Max ||
				got.Mean != c.want.Mean || got.BelowHalfMean != c.want.BelowHalfMean {
				t.Errorf("Summarize = %+v, want %+v", got, c.want)
			}
		})
	}
}

// TestGreedyVersusLeximin compares the two methods on a seeded synthetic
// pool (the figures in docs/sortition.md come from this test with -v).
// LEXIMIN maximises the least probability, so it must do at least as well
// there as the greedy estimate (allowing for the estimate's error).
func TestGreedyVersusLeximin(t *testing.T) {
	if testing.Short() {
		t.Skip("slow")
	}
	in := SyntheticInstance(2, 150, 15)
	d, err := Leximin(in)
	if err != nil {
		t.Fatal(err)
	}
	g, err := GreedyProbabilities([32]byte{42}, in, 4000)
	if err != nil {
		t.Fatal(err)
	}
	ls, gs := Summarize(d.Probabilities), Summarize(g)
	t.Logf("instance: 150 volunteers, 15 seats, %d types; LEXIMIN %+v", len(d.Types), d.Stats)
	t.Logf("LEXIMIN: min %.4f max %.4f mean %.4f Gini %.3f below half the mean %.1f%%", ls.Min, ls.Max, ls.Mean, ls.Gini, 100*ls.BelowHalfMean)
	t.Logf("greedy : min %.4f max %.4f mean %.4f Gini %.3f below half the mean %.1f%%", gs.Min, gs.Max, gs.Mean, gs.Gini, 100*gs.BelowHalfMean)
	zero := 0
	for _, p := range g {
		if p.Probability == 0 {
			zero++
		}
	}
	t.Logf("greedy: %d of %d volunteers never chosen in 4000 runs", zero, len(g))
	if ls.Min+0.005 < gs.Min {
		t.Errorf("LEXIMIN's least probability %.4f below greedy's %.4f", ls.Min, gs.Min)
	}
}
