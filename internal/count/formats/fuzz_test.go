package formats

import (
	"bytes"
	"os"
	"testing"

	"github.com/folkmoot/folkmoot/internal/count"
)

func seed(f *testing.F, files ...string) {
	for _, name := range files {
		b, err := os.ReadFile(data + name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 8192 {
			b = b[:8192]
		}
		f.Add(b)
	}
}

// countSmall runs the ranked methods on a profile small enough to count
// quickly: parsed input must always be countable.
func countSmall(t *testing.T, p *count.Profile) {
	if len(p.Candidates) > 40 || len(p.Ballots) > 2000 {
		return
	}
	if _, err := count.IRV(p, count.Options{}); err != nil && len(p.Withdrawn) < len(p.Candidates) {
		t.Fatalf("irv: %v", err)
	}
	count.Schulze(p, count.Options{})
	count.STV(p, count.Options{})
	count.Plurality(p, count.Options{})
}

func FuzzReadPrefLib(f *testing.F) {
	seed(f, "00002-00000001.soi", "00002-00000001.toc", "00005-00000002.toi")
	f.Add([]byte("3\n1,a\n2,b\n3,c\n2,2,2\n1,1,{2,3}\n1,3\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadPrefLib(bytes.NewReader(b), "")
		if err != nil {
			return
		}
		countSmall(t, p)
	})
}

func FuzzReadBLT(f *testing.F) {
	seed(f, "edinburgh_2017_ward_13_-_leith.blt")
	f.Add([]byte("3 2\n-2\n(b1) 2 1=3 0\n1 3 - 1 0\n0\n\"a\"\n\"b\"\n\"c\"\n\"t\"\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := ReadBLT(bytes.NewReader(b))
		if err != nil {
			return
		}
		countSmall(t, p)
	})
}

func FuzzReadPabulib(f *testing.F) {
	seed(f, "Netherlands_Assen_2024.pb")
	f.Add([]byte("META\nkey;value\nbudget;100\nvote_type;cumulative\nPROJECTS\nproject_id;cost\na;60\nb;50\nVOTES\nvoter_id;vote;points\n1;a,b;3,1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		e, err := ReadPabulib(bytes.NewReader(b))
		if err != nil {
			return
		}
		if len(e.Projects) > 50 || len(e.Voters) > 500 {
			return
		}
		r, err := count.MES(e, count.MESOptions{})
		if err == nil && r.Cost > e.Budget {
			t.Fatalf("MES over budget: %d > %d", r.Cost, e.Budget)
		}
		if g, err := count.Greedy(e); err == nil && g.Cost > e.Budget {
			t.Fatalf("greedy over budget")
		}
	})
}
