package sortition

import (
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/optimize/convex/lp"
)

// loadInstance reads a fixture from testdata.
func loadInstance(t *testing.T, path string) Instance {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	in, err := ParseInstance(data)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return in
}

// brutePanels enumerates every panel (as sorted member indexes) that meets
// the quotas, by listing all subsets of the seats' size.
func brutePanels(in Instance) [][]int {
	n, k := len(in.Volunteers), in.Seats
	var out [][]int
	cur := make([]int, 0, k)
	var rec func(start int)
	rec = func(start int) {
		if len(cur) == k {
			if meetsQuotas(in, cur) {
				out = append(out, slices.Clone(cur))
			}
			return
		}
		for i := start; i <= n-(k-len(cur)); i++ {
			cur = append(cur, i)
			rec(i + 1)
			cur = cur[:len(cur)-1]
		}
	}
	rec(0)
	return out
}

func meetsQuotas(in Instance, panel []int) bool {
	for f, feat := range in.Features {
		for _, q := range feat.Values {
			n := 0
			for _, i := range panel {
				if in.Volunteers[i].Values[f] == q.Value {
					n++
				}
			}
			if n < q.Min || n > q.Max {
				return false
			}
		}
	}
	return true
}

// bruteLeximin computes the LEXIMIN probabilities over every feasible panel,
// member by member, with gonum's simplex (an independent solver): maximise
// the least probability of the members not yet fixed, then fix those who
// cannot get more, and repeat.
func bruteLeximin(t *testing.T, in Instance) []float64 {
	t.Helper()
	panels := brutePanels(in)
	n, N := len(in.Volunteers), len(panels)
	a := mat.NewDense(n, N, nil)
	for j, pn := range panels {
		for _, i := range pn {
			a.Set(i, j, 1)
		}
	}
	const tol = 1e-7
	seated := make([]bool, n)
	for _, pn := range panels {
		for _, i := range pn {
			seated[i] = true
		}
	}
	prob := make([]float64, n)
	fixed := slices.Clone(seated)
	for i := range fixed {
		fixed[i] = !fixed[i] // never seated: fixed at 0
	}
	// solve minimises cost over λ (columns 0…N−1), e (N…N+n−1) and, if
	// withZ, z (column N+n) in
	//   Σ_P λ a(i,P) − [withZ and i unfixed]·z − e_i = rhs_i,  Σ λ = 1.
	solve := func(withZ bool, rhs []float64, cost func(col int) float64) float64 {
		cols := N + n
		if withZ {
			cols++
		}
		A := mat.NewDense(n+1, cols, nil)
		b := make([]float64, n+1)
		c := make([]float64, cols)
		for i := range n {
			for j := range N {
				A.Set(i, j, a.At(i, j))
			}
			A.Set(i, N+i, -1)
			if withZ && !fixed[i] {
				A.Set(i, N+n, -1)
			}
			b[i] = rhs[i]
		}
		for j := range N {
			A.Set(n, j, 1)
		}
		b[n] = 1
		for j := range cols {
			c[j] = cost(j)
		}
		opt, _, err := lp.Simplex(c, A, b, 1e-10, nil)
		if err != nil {
			t.Fatalf("brute force LP: %v", err)
		}
		return opt
	}
	for slices.Contains(fixed, false) {
		rhs := make([]float64, n)
		for i := range n {
			if fixed[i] {
				rhs[i] = prob[i] - tol
			}
		}
		opt := solve(true, rhs, func(j int) float64 {
			if j == N+n {
				return -1
			}
			return 0
		})
		z := -opt
		for i := range n {
			if !fixed[i] {
				rhs[i] = z - tol
			}
		}
		var now []int
		for j := range n {
			if fixed[j] {
				continue
			}
			opt := solve(false, rhs, func(col int) float64 {
				if col < N {
					return -a.At(j, col)
				}
				return 0
			})
			if -opt <= z+1e-6 {
				now = append(now, j)
			}
		}
		if len(now) == 0 {
			t.Fatal("brute force: no member fixed")
		}
		for _, j := range now {
			fixed[j], prob[j] = true, z
		}
	}
	return prob
}

func TestLeximinAgainstBruteForce(t *testing.T) {
	files, err := filepath.Glob("testdata/leximin/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("fixtures: %v %v", files, err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			in := loadInstance(t, file)
			d, err := Leximin(in)
			if err != nil {
				t.Fatal(err)
			}
			if !d.Stats.Exact {
				t.Errorf("not proven optimal: %+v", d.Stats)
			}
			if err := d.Check(in); err != nil {
				t.Fatal(err)
			}
			want := bruteLeximin(t, in)
			sum := 0.0
			for i, mp := range d.Probabilities {
				if mp.Member != in.Volunteers[i].Member {
					t.Fatalf("probability %d is of member %d, want %d", i, mp.Member, in.Volunteers[i].Member)
				}
				if math.Abs(mp.Probability-want[i]) > 1e-6 {
					t.Errorf("member %d: probability %.9f, brute force %.9f", mp.Member, mp.Probability, want[i])
				}
				sum += mp.Probability
			}
			if math.Abs(sum-float64(in.Seats)) > 1e-6 {
				t.Errorf("probabilities add up to %v, want %d", sum, in.Seats)
			}
			for i, pn := range d.Panels {
				var members []int
				for _, ts := range pn.Seats {
					for _, m := range d.Types[ts.Type].Members[:ts.Count] {
						members = append(members, slices.IndexFunc(in.Volunteers, func(v Volunteer) bool { return v.Member == m }))
					}
				}
				if !meetsQuotas(in, members) {
					t.Errorf("panel %d breaks a quota", i)
				}
			}
		})
	}
}

// Leximin's support consists of panel profiles; checked above against
// the quotas one representative at a time, which suffices because members
// of a type share every value.

func TestLeximinKnownValues(t *testing.T) {
	cases := []struct {
		file string
		want map[uint32]float64
	}{
		{"no-features.json", map[uint32]float64{1: 3.0 / 7, 4: 3.0 / 7, 7: 3.0 / 7}},
		{"forced.json", map[uint32]float64{1: 1, 2: 0.4, 6: 0.4}},
		{"unseatable.json", map[uint32]float64{3: 0, 1: 0.5, 2: 1.0 / 3}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			d, err := Leximin(loadInstance(t, "testdata/leximin/"+c.file))
			if err != nil {
				t.Fatal(err)
			}
			for _, mp := range d.Probabilities {
				if w, ok := c.want[mp.Member]; ok && math.Abs(mp.Probability-w) > 1e-8 {
					t.Errorf("member %d: %.10f, want %.10f", mp.Member, mp.Probability, w)
				}
			}
		})
	}
}

func TestLeximinRepeatable(t *testing.T) {
	in := SyntheticInstance(3, 60, 6)
	a, err := Leximin(in)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Leximin(in)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two runs on the same instance differ")
	}
	if err := a.Check(in); err != nil {
		t.Fatal(err)
	}
	seed := [32]byte{7}
	p1, err := a.Draw(seed)
	if err != nil {
		t.Fatal(err)
	}
	p2, _ := b.Draw(seed)
	if !slices.Equal(p1, p2) || len(p1) != in.Seats {
		t.Fatalf("draws differ or wrong size: %v %v", p1, p2)
	}
}

func TestInfeasibleQuotas(t *testing.T) {
	base := func() Instance {
		return loadInstance(t, "testdata/leximin/two-features.json")
	}
	cases := []struct {
		name  string
		edit  func(in *Instance)
		quota string
		want  string
	}{
		{"too few volunteers", func(in *Instance) { in.Seats = 13 }, "",
			"no panel of 13 can be filled: only 12 volunteers"},
		{"minimum above volunteers", func(in *Instance) {
			in.Features[1].Values[0] = Quota{Value: "young", Min: 4, Max: 4}
		}, "age=young", "no panel of 4 meets age=young ≥ 4: only 3 volunteers have it"},
		{"minimums add up to more than the seats", func(in *Instance) {
			in.Features[0].Values[0].Min, in.Features[0].Values[0].Max = 3, 3
		}, "gender", "no panel of 4 meets the minimums of gender: they add up to 5 seats"},
		{"maximums too low", func(in *Instance) {
			in.Features[1].Values[1] = Quota{Value: "old", Min: 1, Max: 1}
		}, "age", "no panel of 4 meets the maximums of age: with the volunteers there are, they allow only 3 seats"},
		{"only together", func(in *Instance) {
			// Every young volunteer is a man; the panel needs two young
			// people but has one seat for a man.
			in.Features[0].Values[0] = Quota{Value: "f", Min: 3, Max: 3}
			in.Features[0].Values[1] = Quota{Value: "m", Min: 1, Max: 1}
			in.Features[1].Values[0] = Quota{Value: "young", Min: 2, Max: 2}
			in.Features[1].Values[1] = Quota{Value: "old", Min: 2, Max: 2}
		}, "", "no panel of 4 meets all the quotas at once: each feature's quotas can be met alone, but not together"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := base()
			c.edit(&in)
			_, err := Leximin(in)
			var ie *InfeasibleError
			if !errors.As(err, &ie) {
				t.Fatalf("error %v, want an *InfeasibleError", err)
			}
			if ie.Quota != c.quota || ie.Error() != c.want {
				t.Errorf("got quota %q, %q\nwant quota %q, %q", ie.Quota, ie.Error(), c.quota, c.want)
			}
			if !strings.HasPrefix(err.Error(), "leximin: ") {
				t.Errorf("error not wrapped with its step: %v", err)
			}
		})
	}
}

func TestCheckRefusesTampering(t *testing.T) {
	in := loadInstance(t, "testdata/leximin/three-features.json")
	cases := []struct {
		name   string
		tamper func(d *Distribution)
		want   string
	}{
		{"weight moved", func(d *Distribution) { d.Panels[0].Weight++ }, "weights add up to"},
		{"probability edited", func(d *Distribution) { d.Probabilities[0].Probability += 0.01 }, "published probabilities differ"},
		{"seat moved", func(d *Distribution) { d.Panels[0].Seats[0].Count++ }, "seats"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d, err := Leximin(in)
			if err != nil {
				t.Fatal(err)
			}
			c.tamper(d)
			if err := d.Check(in); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Check = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func TestDrawFollowsDistribution(t *testing.T) {
	in := loadInstance(t, "testdata/leximin/three-features.json")
	d, err := Leximin(in)
	if err != nil {
		t.Fatal(err)
	}
	const runs = 4000
	hits := map[uint32]int{}
	for r := range runs {
		var seed [32]byte
		seed[0], seed[1] = byte(r), byte(r>>8)
		panel, err := d.Draw(seed)
		if err != nil {
			t.Fatal(err)
		}
		idx := make([]int, len(panel))
		for i, m := range panel {
			idx[i] = slices.IndexFunc(in.Volunteers, func(v Volunteer) bool { return v.Member == m })
		}
		if !meetsQuotas(in, idx) {
			t.Fatalf("draw %d breaks a quota: %v", r, panel)
		}
		for _, m := range panel {
			hits[m]++
		}
	}
	for _, mp := range d.Probabilities {
		got := float64(hits[mp.Member]) / runs
		// 5 standard deviations of a binomial proportion; the seeds are
		// fixed, so this either always passes or always fails.
		sd := math.Sqrt(mp.Probability*(1-mp.Probability)/runs) + 1e-9
		if math.Abs(got-mp.Probability) > 5*sd {
			t.Errorf("member %d drawn %.4f of the time, probability %.4f", mp.Member, got, mp.Probability)
		}
	}
}
