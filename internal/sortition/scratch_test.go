package sortition

import (
	"math"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("N"))
	k, _ := strconv.Atoi(os.Getenv("K"))
	if n == 0 {
		t.Skip()
	}
	in := SyntheticInstance(1, n, k)
	p, _ := compile(&in)
	t.Logf("types %d", len(p.types))
	start := time.Now()
	d, err := Leximin(in)
	if err != nil {
		t.Fatal(err)
	}
	min := 1.0
	for _, m := range d.Probabilities {
		min = math.Min(min, m.Probability)
	}
	t.Logf("%v stats %+v panels %d min %v", time.Since(start), d.Stats, len(d.Panels), min)
}
