package count_test

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/count/counttest"
)

// ballots draws a small synthetic election as a list of rankings.
func ballots(t *testing.T, seed uint64, voters, cands int) [][]int {
	t.Helper()
	var out [][]int
	r := counttest.Ranked{Seed: seed, Voters: voters, Candidates: cands, Spread: 1 + float64(seed%5)}
	if err := r.Each(func(o []int) error { out = append(out, append([]int(nil), o...)); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func build(t *testing.T, cands int, bs [][]int) *count.Profile {
	t.Helper()
	names := make([]string, cands)
	for i := range names {
		names[i] = string(rune('A' + i))
	}
	b, err := count.NewBuilder(names)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range bs {
		if err := b.Add(o, nil, 1); err != nil {
			t.Fatal(err)
		}
	}
	return b.Profile()
}

const trials = 300

func TestPropertyCondorcetWinnerWinsSchulze(t *testing.T) {
	found := 0
	for seed := range uint64(trials) {
		cands := 2 + int(seed%6)
		p := build(t, cands, ballots(t, seed, 5+int(seed%40), cands))
		r, err := count.Schulze(p, count.Options{})
		if err != nil {
			t.Fatal(err)
		}
		if r.Condorcet < 0 {
			continue
		}
		found++
		if r.Winner != r.Condorcet || len(r.Potential) != 1 {
			t.Fatalf("seed %d: Condorcet winner %d, Schulze %d (potential %v)", seed, r.Condorcet, r.Winner, r.Potential)
		}
	}
	if found < trials/3 {
		t.Fatalf("only %d of %d elections had a Condorcet winner: the generator is too flat", found, trials)
	}
}

func TestPropertyIRVMajorityWinsRoundOne(t *testing.T) {
	found := 0
	for seed := range uint64(trials) {
		cands := 2 + int(seed%6)
		p := build(t, cands, ballots(t, seed, 5+int(seed%40), cands))
		first := make([]uint64, cands)
		var total uint64
		for _, b := range p.Ballots {
			first[b.Order[0]] += b.Count
			total += b.Count
		}
		for c, v := range first {
			if 2*v <= total {
				continue
			}
			found++
			r, err := count.IRV(p, count.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if r.Winner != c || len(r.Rounds) != 1 || !r.Majority {
				t.Fatalf("seed %d: %d has %d of %d first preferences; IRV elected %d in %d rounds", seed, c, v, total, r.Winner, len(r.Rounds))
			}
		}
	}
	if found == 0 {
		t.Fatal("no election had a majority winner")
	}
}

func randomPB(seed uint64) *count.PBElection {
	rng := rand.New(rand.NewPCG(seed, 7))
	np := 2 + rng.IntN(12)
	projects := make([]count.Project, np)
	for i := range projects {
		projects[i] = count.Project{ID: string(rune('a' + i)), Cost: uint64(1 + rng.IntN(1000)), Selected: -1}
	}
	b := count.NewPBBuilder(uint64(500+rng.IntN(3000)), "approval", projects)
	for range 1 + rng.IntN(60) {
		var ps []int
		for j := range np {
			if rng.IntN(3) == 0 {
				ps = append(ps, j)
			}
		}
		b.Add(ps, nil, 1)
	}
	return b.Election()
}

func TestPropertyMESWithinBudget(t *testing.T) {
	for seed := range uint64(trials) {
		e := randomPB(seed)
		for _, o := range []count.MESOptions{{}, {Add1: true}, {Utility: count.ApprovalUtility, Add1: true, Fill: true}} {
			r, err := count.MES(e, o)
			if err != nil {
				t.Fatal(err)
			}
			var sum uint64
			seen := map[int]bool{}
			for _, j := range r.Winners {
				if seen[j] {
					t.Fatalf("seed %d: project %d funded twice", seed, j)
				}
				seen[j] = true
				sum += e.Projects[j].Cost
			}
			if sum != r.Cost || sum > e.Budget {
				t.Fatalf("seed %d %+v: cost %d (reported %d), budget %d", seed, o, sum, r.Cost, e.Budget)
			}
		}
	}
}

// TestPropertyBallotOrderIrrelevant counts every election twice, its
// ballots added in two different orders, and requires identical results.
func TestPropertyBallotOrderIrrelevant(t *testing.T) {
	for seed := range uint64(100) {
		cands := 3 + int(seed%8)
		bs := ballots(t, seed, 10+int(seed%90), cands)
		p1 := build(t, cands, bs)
		rng := rand.New(rand.NewPCG(seed, 99))
		rng.Shuffle(len(bs), func(i, j int) { bs[i], bs[j] = bs[j], bs[i] })
		p2 := build(t, cands, bs)
		seats := 1 + int(seed%3)
		for name, f := range map[string]func(*count.Profile) (any, error){
			"irv":       func(p *count.Profile) (any, error) { return count.IRV(p, count.Options{}) },
			"schulze":   func(p *count.Profile) (any, error) { return count.Schulze(p, count.Options{}) },
			"stv":       func(p *count.Profile) (any, error) { return count.STV(p, count.Options{Seats: seats}) },
			"plurality": func(p *count.Profile) (any, error) { return count.Plurality(p, count.Options{Seats: seats}) },
			"approval":  func(p *count.Profile) (any, error) { return count.Approval(p, count.Options{Seats: seats}) },
		} {
			r1, err1 := f(p1)
			r2, err2 := f(p2)
			if err1 != nil || err2 != nil {
				t.Fatalf("%s: %v %v", name, err1, err2)
			}
			if !reflect.DeepEqual(r1, r2) {
				t.Fatalf("seed %d: %s depends on ballot order:\n%+v\n%+v", seed, name, r1, r2)
			}
		}
		e1 := randomPB(seed)
		vs := append([]count.PBVoter(nil), e1.Voters...)
		rng.Shuffle(len(vs), func(i, j int) { vs[i], vs[j] = vs[j], vs[i] })
		e2 := *e1
		e2.Voters = vs
		for _, o := range []count.MESOptions{{Add1: true}, {Utility: count.ApprovalUtility}} {
			m1, _ := count.MES(e1, o)
			m2, _ := count.MES(&e2, o)
			if !reflect.DeepEqual(m1, m2) {
				t.Fatalf("seed %d: MES depends on ballot order", seed)
			}
		}
		g1, _ := count.Greedy(e1)
		g2, _ := count.Greedy(&e2)
		if !reflect.DeepEqual(g1, g2) {
			t.Fatalf("seed %d: greedy depends on ballot order", seed)
		}
	}
}

// TestPropertySchulzeISDA removes a candidate outside the Smith set and
// requires the same set of Schulze winners (independence of
// Smith-dominated alternatives, Schulze 2011 §4.7).
func TestPropertySchulzeISDA(t *testing.T) {
	checked := 0
	for seed := range uint64(trials) {
		cands := 3 + int(seed%6)
		bs := ballots(t, seed, 5+int(seed%50), cands)
		p := build(t, cands, bs)
		r, err := count.Schulze(p, count.Options{})
		if err != nil {
			t.Fatal(err)
		}
		smith := smithSet(r.Pairwise)
		for x := range cands {
			if smith[x] {
				continue
			}
			checked++
			var reduced [][]int
			for _, o := range bs {
				var k []int
				for _, c := range o {
					switch {
					case c < x:
						k = append(k, c)
					case c > x:
						k = append(k, c-1)
					}
				}
				reduced = append(reduced, k)
			}
			r2, err := count.Schulze(build(t, cands-1, reduced), count.Options{})
			if err != nil {
				t.Fatal(err)
			}
			var before, after []string
			for _, c := range r.Potential {
				before = append(before, p.Candidates[c])
			}
			for _, c := range r2.Potential {
				if c >= x {
					c++
				}
				after = append(after, p.Candidates[c])
			}
			if !reflect.DeepEqual(before, after) {
				t.Fatalf("seed %d: removing %s changed the winners %v -> %v", seed, p.Candidates[x], before, after)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no candidate outside a Smith set was ever removed")
	}
}

// smithSet returns the smallest set of candidates each of whom beats or
// ties every candidate outside it: those who reach everyone through the
// "beats or ties" relation.
func smithSet(d [][]uint64) []bool {
	n := len(d)
	reach := make([][]bool, n)
	for a := range n {
		reach[a] = make([]bool, n)
		for b := range n {
			reach[a][b] = a == b || d[a][b] >= d[b][a]
		}
	}
	for k := range n {
		for a := range n {
			for b := range n {
				reach[a][b] = reach[a][b] || reach[a][k] && reach[k][b]
			}
		}
	}
	in := make([]bool, n)
	for a := range n {
		in[a] = true
		for b := range n {
			in[a] = in[a] && reach[a][b]
		}
	}
	return in
}
