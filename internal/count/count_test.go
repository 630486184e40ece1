package count

import (
	"reflect"
	"slices"
	"testing"
)

// profile builds a profile from "count: a b c" shorthand: candidates are
// letters, in order; "a=b" ranks two equal.
func profile(t *testing.T, names string, ballots ...any) *Profile {
	t.Helper()
	cands := make([]string, len(names))
	for i, r := range names {
		cands[i] = string(r)
	}
	b, err := NewBuilder(cands)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(ballots); i += 2 {
		n := ballots[i].(int)
		var order []int
		var tied []bool
		prevEq := false
		for _, r := range ballots[i+1].(string) {
			if r == '=' {
				prevEq = true
				continue
			}
			if r == ' ' {
				continue
			}
			c := slices.Index(cands, string(r))
			if c < 0 {
				t.Fatalf("unknown candidate %q", r)
			}
			order = append(order, c)
			tied = append(tied, prevEq)
			prevEq = false
		}
		if err := b.Add(order, tied, uint64(n)); err != nil {
			t.Fatal(err)
		}
	}
	return b.Profile()
}

func TestBuilderAggregatesAndRejects(t *testing.T) {
	b, _ := NewBuilder([]string{"a", "b", "c"})
	for _, o := range [][]int{{0, 1}, {0, 1}, {1}, {0, 1, 2}} {
		if err := b.Add(o, nil, 2); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Add([]int{0, 1}, []bool{false, true}, 1); err != nil {
		t.Fatal(err)
	}
	p := b.Profile()
	if len(p.Ballots) != 4 || p.Ballots[0].Count != 4 || p.Voters() != 9 {
		t.Fatalf("aggregated %+v", p.Ballots)
	}
	b, _ = NewBuilder([]string{"a", "b"})
	for _, bad := range [][]int{{0, 0}, {2}, {-1}} {
		if err := b.Add(bad, nil, 1); err == nil {
			t.Fatalf("accepted %v", bad)
		}
	}
}

// TestTennessee is the textbook example of Wikipedia's voting-method
// articles (Memphis 42%, Nashville 26%, Chattanooga 15%, Knoxville 17%):
// plurality elects Memphis, IRV Knoxville, Schulze the Condorcet winner
// Nashville.
func TestTennessee(t *testing.T) {
	p := profile(t, "MNCK", 42, "MNCK", 26, "NCKM", 15, "CKNM", 17, "KCNM")
	pl, err := Plurality(p, Options{})
	if err != nil || pl.Winners[0] != 0 || pl.Votes[0] != 42 {
		t.Fatalf("plurality %+v %v", pl, err)
	}
	irv, err := IRV(p, Options{})
	if err != nil || irv.Winner != 3 || !slices.Equal(irv.Eliminated, []int{2, 1}) {
		t.Fatalf("irv %+v %v", irv, err)
	}
	if last := irv.Rounds[len(irv.Rounds)-1]; last.Votes[3] != 58 || last.Votes[0] != 42 {
		t.Fatalf("irv last round %v", last.Votes)
	}
	s, err := Schulze(p, Options{})
	if err != nil || s.Winner != 1 || s.Condorcet != 1 || !slices.Equal(s.Ranking, []int{1, 2, 3, 0}) {
		t.Fatalf("schulze %+v %v", s, err)
	}
}

// TestSchulzeWikipedia is the 45-voter example of Schulze's paper and of
// Wikipedia's "Schulze method": no Condorcet winner, E wins, ranking
// E > A > C > B > D.
func TestSchulzeWikipedia(t *testing.T) {
	p := profile(t, "ABCDE", 5, "ACBED", 5, "ADECB", 8, "BEDAC", 3, "CABED", 7, "CAEBD", 2, "CBADE", 7, "DCEBA", 8, "EBADC")
	s, err := Schulze(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s.Condorcet != -1 || s.Winner != 4 || !slices.Equal(s.Ranking, []int{4, 0, 2, 1, 3}) {
		t.Fatalf("winner %d ranking %v condorcet %d", s.Winner, s.Ranking, s.Condorcet)
	}
	if s.Pairwise[0][1] != 20 || s.Pairwise[1][0] != 25 || s.Pairwise[3][4] != 14 {
		t.Fatalf("pairwise %v", s.Pairwise)
	}
	want := [][]uint64{
		{0, 28, 28, 30, 24},
		{25, 0, 28, 33, 24},
		{25, 29, 0, 29, 24},
		{25, 28, 28, 0, 24},
		{25, 28, 28, 31, 0},
	}
	if !reflect.DeepEqual(s.Strongest, want) {
		t.Fatalf("strongest %v", s.Strongest)
	}
}

// TestSTVWikipedia is the example of Wikipedia's "Single transferable vote"
// (20 voters, 3 seats, Droop quota 6): Chocolate, Oranges, Strawberries.
func TestSTVWikipedia(t *testing.T) {
	p := profile(t, "OPCSB", 4, "O", 2, "PO", 8, "CS", 4, "CB", 1, "S", 1, "B")
	r, err := STV(p, Options{Seats: 3})
	if err != nil {
		t.Fatal(err)
	}
	if r.Quota != 6*One || !slices.Equal(r.Winners, []int{2, 0, 3}) || !slices.Equal(r.Excluded, []int{1}) {
		t.Fatalf("quota %v winners %v excluded %v", r.Quota, r.Winners, r.Excluded)
	}
	s2 := r.Stages[1]
	if s2.Action != "surplus" || s2.TransferValue != One/2 || s2.Votes[3] != 5*One || s2.Votes[4] != 3*One {
		t.Fatalf("stage 2 %+v", s2)
	}
}

func TestSTVFractionsTruncate(t *testing.T) {
	// 3 seats, 10 voters: quota 3. A has 7, surplus 4, TV 4/7 = 0.57142.
	p := profile(t, "ABCD", 7, "AB", 2, "C", 1, "D")
	r, err := STV(p, Options{Seats: 3})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.Stages[1].TransferValue; got != 57142 {
		t.Fatalf("transfer value %v", got)
	}
	if got := r.Stages[1].Votes[1]; got != 7*57142 {
		t.Fatalf("B got %v", got)
	}
	if r.Stages[1].Fractions != 4*One-7*57142 {
		t.Fatalf("fractions %v", r.Stages[1].Fractions)
	}
}

func TestIRVTieBreaks(t *testing.T) {
	// Round 1: A 3, B 2, C 2, D 1. D out; its ballot goes to B: B 3, C 2.
	// Round 2: C out. Then B v A.
	p := profile(t, "ABCD", 3, "A", 2, "B", 2, "CB", 1, "DB")
	r, _ := IRV(p, Options{})
	if !slices.Equal(r.Eliminated, []int{3, 2}) || r.Winner != 1 || len(r.Ties) != 0 {
		t.Fatalf("%+v", r)
	}
	// B and C tie on 2 in round 1 and 2 in no earlier round: the lot decides.
	p = profile(t, "ABC", 3, "A", 2, "BA", 2, "CA")
	r, _ = IRV(p, Options{})
	if r.Eliminated[0] != 2 || len(r.Ties) != 1 || r.Ties[0].By != "lot" || !slices.Equal(r.Ties[0].Among, []int{1, 2}) {
		t.Fatalf("ballot-order lot: %+v", r)
	}
	r, _ = IRV(p, Options{TieOrder: []int{2, 1, 0}})
	if r.Eliminated[0] != 1 || r.Ties[0].Chosen != 1 {
		t.Fatalf("tie order: %+v", r)
	}
	if _, err := IRV(p, Options{TieOrder: []int{0, 0, 1}}); err == nil {
		t.Fatal("accepted a tie order naming a candidate twice")
	}
	// Backwards: D and C tie in round 2 but C had fewer in round 1.
	p = profile(t, "ABCDE", 10, "A", 6, "B", 4, "C", 5, "D", 1, "EC")
	r, _ = IRV(p, Options{})
	if r.Eliminated[0] != 4 || r.Eliminated[1] != 2 || r.Ties[0].By != "fewest votes in an earlier round" {
		t.Fatalf("backwards: %+v", r)
	}
}

func TestTiedRanksCountForNoneWhileTied(t *testing.T) {
	p := profile(t, "ABC", 2, "A=B C", 3, "C", 2, "A", 2, "B")
	r, err := IRV(p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Rounds[0].Ambiguous != 2 || r.Rounds[0].Votes[0] != 2 {
		t.Fatalf("round 1 %+v", r.Rounds[0])
	}
	// After A or B leaves, the tied ballot counts for the other.
	if r.Rounds[1].Ambiguous != 0 {
		t.Fatalf("round 2 %+v", r.Rounds[1])
	}
	s, _ := Schulze(p, Options{})
	if s.Pairwise[0][1] != 2 || s.Pairwise[1][0] != 2 || s.Pairwise[0][2] != 4 || s.Pairwise[2][0] != 3 {
		t.Fatalf("pairwise %v", s.Pairwise)
	}
}

func TestApprovalAndWithdrawn(t *testing.T) {
	p := profile(t, "ABC", 3, "AB", 2, "C", 1, "")
	p.Withdrawn = []int{1}
	r, err := Approval(p, Options{Seats: 2})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Votes, []uint64{3, 0, 2}) || !slices.Equal(r.Winners, []int{0, 2}) || r.Blank != 1 {
		t.Fatalf("%+v", r)
	}
	pl, _ := Plurality(p, Options{})
	if pl.Winners[0] != 0 {
		t.Fatalf("%+v", pl)
	}
}

func TestErrors(t *testing.T) {
	empty := &Profile{}
	if _, err := IRV(empty, Options{}); err == nil {
		t.Fatal("IRV accepted no candidates")
	}
	p := profile(t, "AB", 1, "A")
	if _, err := STV(p, Options{Seats: 3}); err == nil {
		t.Fatal("STV accepted more seats than candidates")
	}
	bad := &Profile{Candidates: []string{"a"}, Ballots: []Ballot{{Count: 1, Order: []int32{3}}}}
	if _, err := Schulze(bad, Options{}); err == nil {
		t.Fatal("Schulze accepted a ballot naming candidate 4 of 1")
	}
}

func TestGreedyAndMESSmall(t *testing.T) {
	projects := []Project{{ID: "a", Cost: 60}, {ID: "b", Cost: 50}, {ID: "c", Cost: 40}}
	b := NewPBBuilder(100, "approval", projects)
	// 6 voters want a and b; 4 voters want c.
	for range 6 {
		b.Add([]int{0, 1}, nil, 1)
	}
	for range 4 {
		b.Add([]int{2}, nil, 1)
	}
	e := b.Election()
	g, err := Greedy(e)
	if err != nil {
		t.Fatal(err)
	}
	// Greedy: a and b tie on 6 votes; b is cheaper, funded (50), a no
	// longer fits, c (40) fits.
	if !slices.Equal(g.Winners, []int{1, 2}) {
		t.Fatalf("greedy winners %v", g.Winners)
	}
	// MES: the 6 a/b voters hold 60. With cost utilities a and b have the
	// same price per unit of utility (1/6): the tie goes to the cheaper b,
	// and is recorded. The 4 c-voters hold 40 and buy c.
	m, err := MES(e, MESOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got := slices.Clone(m.Winners)
	slices.Sort(got)
	if !slices.Equal(got, []int{1, 2}) || m.Cost != 90 || len(m.Ties) != 1 || m.Ties[0].Chosen != 1 {
		t.Fatalf("mes %+v", m)
	}
}
