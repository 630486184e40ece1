package sortition

import (
	"os"
	"strconv"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("N"))
	k, _ := strconv.Atoi(os.Getenv("K"))
	l, _ := strconv.Atoi(os.Getenv("L"))
	s, _ := strconv.Atoi(os.Getenv("S"))
	if n == 0 {
		t.Skip()
	}
	in := SyntheticInstance(s, n, k)
	start := time.Now()
	d, err := leximin(in, l)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v stats %+v panels %d summary %+v", time.Since(start), d.Stats, len(d.Panels), Summarize(d.Probabilities))
}
