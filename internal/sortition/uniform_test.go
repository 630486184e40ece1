package sortition

import (
	"crypto/sha256"
	"encoding/binary"
	"os"
	"slices"
	"strings"
	"testing"
)

// TestStreamLayout recomputes the first blocks of a stream straight from
// the documented layout.
func TestStreamLayout(t *testing.T) {
	var seed [32]byte
	for i := range seed {
		seed[i] = byte(i)
	}
	s := NewStream(seed, TagUniform)
	for block := range uint64(3) {
		var in []byte
		in = append(in, "folkmoot/sortition/v1"...)
		in = append(in, 0)
		in = append(in, "uniform"...)
		in = append(in, 0)
		in = append(in, seed[:]...)
		in = binary.BigEndian.AppendUint64(in, block)
		h := sha256.Sum256(in)
		for k := range 4 {
			if got, want := s.Uint64(), binary.BigEndian.Uint64(h[8*k:]); got != want {
				t.Fatalf("block %d word %d: %x, want %x", block, k, got, want)
			}
		}
	}
	if NewStream(seed, TagPanel).Uint64() == NewStream(seed, TagUniform).Uint64() {
		t.Error("tags do not separate streams")
	}
}

func TestUniformKnownAnswer(t *testing.T) {
	eligible := make([]uint32, 20)
	for i := range eligible {
		eligible[i] = uint32(100 + i)
	}
	got, err := Uniform([32]byte{1, 2, 3}, eligible, 5)
	if err != nil {
		t.Fatal(err)
	}
	// Frozen: a change here changes every published draw.
	want := []uint32{118, 114, 104, 112, 116}
	if !slices.Equal(got, want) {
		t.Errorf("Uniform = %v, want %v", got, want)
	}
}

func TestUniformPrefix(t *testing.T) {
	eligible := make([]uint32, 1000)
	for i := range eligible {
		eligible[i] = uint32(3*i + 1)
	}
	seed := [32]byte{9}
	all, err := Uniform(seed, eligible, 40)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[uint32]bool{}
	for _, m := range all {
		if seen[m] || !slices.Contains(eligible, m) {
			t.Fatalf("member %d repeated or not eligible", m)
		}
		seen[m] = true
	}
	for k := range 41 {
		some, _ := Uniform(seed, eligible, k)
		if !slices.Equal(some, all[:k]) {
			t.Fatalf("draw of %d is not the first %d of the draw of 40", k, k)
		}
	}
}

// TestUniformChiSquare draws 3 of 10 under 30,000 fixed seeds and checks
// how often each member is chosen, and how often each comes first, against
// the uniform expectation. The seeds are fixed, so the test cannot flake;
// the bound is the 0.1% point of χ² with 9 degrees of freedom.
func TestUniformChiSquare(t *testing.T) {
	eligible := []uint32{2, 3, 5, 7, 11, 13, 17, 19, 23, 29}
	const runs = 30000
	chosen := map[uint32]int{}
	first := map[uint32]int{}
	for r := range runs {
		var seed [32]byte
		binary.BigEndian.PutUint64(seed[:], uint64(r))
		got, err := Uniform(seed, eligible, 3)
		if err != nil {
			t.Fatal(err)
		}
		first[got[0]]++
		for _, m := range got {
			chosen[m]++
		}
	}
	chi := func(counts map[uint32]int, expect float64) float64 {
		x := 0.0
		for _, m := range eligible {
			d := float64(counts[m]) - expect
			x += d * d / expect
		}
		return x
	}
	const limit = 27.88
	if x := chi(chosen, runs*3/10.0); x > limit {
		t.Errorf("χ² of membership %.2f > %.2f", x, limit)
	}
	if x := chi(first, runs/10.0); x > limit {
		t.Errorf("χ² of first place %.2f > %.2f", x, limit)
	}
}

func TestBelowUnbiased(t *testing.T) {
	s := NewStream([32]byte{5}, "test")
	const n, runs = 6, 60000
	var c [n]int
	for range runs {
		c[s.Below(n)]++
	}
	x := 0.0
	for _, v := range c {
		d := float64(v) - runs/n
		x += d * d / (runs / n)
	}
	if x > 20.52 { // 0.1% point of χ² with 5 degrees of freedom
		t.Errorf("χ² %.2f", x)
	}
	if s.Below(1) != 0 {
		t.Error("Below(1) must be 0")
	}
}

func TestUniformRefuses(t *testing.T) {
	cases := []struct {
		name     string
		eligible []uint32
		k        int
		want     string
	}{
		{"unsorted", []uint32{1, 3, 2}, 1, "uniform draw: members not strictly increasing: 2 follows 3 at position 2"},
		{"repeated", []uint32{1, 1}, 1, "uniform draw: members not strictly increasing: 1 follows 1 at position 1"},
		{"too many", []uint32{1, 2}, 3, "uniform draw: cannot draw 3 of 2 eligible members"},
		{"negative", []uint32{1, 2}, -1, "uniform draw: cannot draw -1 of 2 eligible members"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Uniform([32]byte{}, c.eligible, c.k)
			if err == nil || err.Error() != c.want || got != nil {
				t.Errorf("Uniform = %v, %v; want error %q", got, err, c.want)
			}
		})
	}
	if got, err := Uniform([32]byte{}, nil, 0); err != nil || len(got) != 0 {
		t.Errorf("empty draw: %v, %v", got, err)
	}
}

func TestParseInstanceRefuses(t *testing.T) {
	cases := []struct{ name, json, want string }{
		{"unknown field", `{"seats":1,"extra":1}`, "unknown field"},
		{"trailing data", `{"seats":1,"volunteers":[{"member":1,"values":[]}]} {}`, "data after the instance"},
		{"no seats", `{"seats":0}`, "seats 0"},
		{"value undeclared", `{"seats":1,"features":[{"name":"a","values":[{"value":"x","min":0,"max":1}]}],"volunteers":[{"member":1,"values":["y"]}]}`, `"y" is not a value of feature "a"`},
		{"members unordered", `{"seats":1,"volunteers":[{"member":2,"values":[]},{"member":1,"values":[]}]}`, "strictly increasing"},
		{"quota reversed", `{"seats":1,"features":[{"name":"a","values":[{"value":"x","min":2,"max":1}]}]}`, "need 0 ≤ min ≤ max"},
		{"duplicate value", `{"seats":1,"features":[{"name":"a","values":[{"value":"x","min":0,"max":1},{"value":"x","min":0,"max":1}]}]}`, "declared twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := ParseInstance([]byte(c.json))
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.HasPrefix(err.Error(), "parse instance: ") {
				t.Errorf("ParseInstance = %v, want an error containing %q", err, c.want)
			}
		})
	}
}

func FuzzParseInstance(f *testing.F) {
	for _, name := range []string{"two-features", "three-features", "no-features", "forced"} {
		f.Add(mustRead(f, "testdata/leximin/"+name+".json"))
	}
	f.Add([]byte(`{"seats":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := ParseInstance(data)
		if err != nil {
			return
		}
		if err := in.Validate(); err != nil {
			t.Fatalf("parsed instance fails Validate: %v", err)
		}
		if len(in.Volunteers) <= 12 && in.Seats <= 4 {
			d, err := Leximin(in)
			if err == nil {
				if err := d.Check(in); err != nil {
					t.Fatalf("Leximin's result fails Check: %v", err)
				}
			}
		}
	})
}

func mustRead(f *testing.F, path string) []byte {
	f.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	return data
}

// TestShuffleDrawSparseMatchesDense checks that the sparse path of the
// shuffle gives exactly the dense path's result.
func TestShuffleDrawSparseMatchesDense(t *testing.T) {
	members := make([]uint32, 500)
	for i := range members {
		members[i] = uint32(7*i + 3)
	}
	for k := range 60 {
		sparse := shuffleDraw(NewStream([32]byte{byte(k)}, "t"), members, k)
		s := NewStream([32]byte{byte(k)}, "t")
		a := slices.Clone(members)
		for i := range k {
			j := i + int(s.Below(uint64(len(a)-i)))
			a[i], a[j] = a[j], a[i]
		}
		if !slices.Equal(sparse, a[:k]) {
			t.Fatalf("k=%d: sparse %v, dense %v", k, sparse, a[:k])
		}
	}
}
