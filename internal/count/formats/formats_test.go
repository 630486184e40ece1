package formats

import (
	"errors"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/count"
)

func TestReadersReportLineAndColumn(t *testing.T) {
	tests := []struct {
		name, in, kind string
		line, col      int
	}{
		{"preflib unknown alternative", "# NUMBER ALTERNATIVES: 2\n3: 1,3\n", "soi", 2, 6},
		{"preflib tie in strict", "# NUMBER ALTERNATIVES: 2\n3: {1,2}\n", "soi", 2, 3},
		{"preflib incomplete soc", "# NUMBER ALTERNATIVES: 3\n3: 1,2\n", "soc", 2, 3},
		{"preflib bad count", "# NUMBER ALTERNATIVES: 2\nx: 1,2\n", "soi", 2, 1},
		{"preflib open brace", "# NUMBER ALTERNATIVES: 2\n1: {1,2\n", "toi", 2, 8},
		{"preflib twice", "# NUMBER ALTERNATIVES: 2\n1: 1,1\n", "soi", 2, 3},
		{"blt header", "2\n", "blt", 1, 1},
		{"blt seats", "2 3\n", "blt", 1, 3},
		{"blt candidate", "2 1\n1 1 3 0\n0\n\"a\"\n\"b\"\n", "blt", 2, 5},
		{"blt no end zero", "2 1\n1 1 2\n0\n\"a\"\n\"b\"\n", "blt", 2, 5},
		{"blt weight", "2 1\nx 1 0\n0\n", "blt", 2, 1},
		{"blt names", "2 1\n1 1 0\n0\n\"a\"\n", "blt", 5, 1},
		{"pb no meta", "PROJECTS\n", "pb", 1, 1},
		{"pb bad cost", "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;ten\n", "pb", 6, 3},
		{"pb unknown project", "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv1;1,2\n", "pb", 9, 4},
		{"pb voter twice", "META\nkey;value\nbudget;10\nPROJECTS\nproject_id;cost\n1;5\nVOTES\nvoter_id;vote\nv1;1\nv1;1\n", "pb", 10, 1},
		{"pb bad quote", "META\nkey;value\nbudget;\"10\n", "pb", 3, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			switch tt.kind {
			case "blt":
				_, err = ReadBLT(strings.NewReader(tt.in))
			case "pb":
				_, err = ReadPabulib(strings.NewReader(tt.in))
			default:
				_, err = ReadPrefLib(strings.NewReader(tt.in), tt.kind)
			}
			var fe *Error
			if !errors.As(err, &fe) {
				t.Fatalf("error %v is not a positioned error", err)
			}
			if fe.Line != tt.line || (tt.col != 0 && fe.Col != tt.col) {
				t.Fatalf("error at %d:%d (%v), want %d:%d", fe.Line, fe.Col, err, tt.line, tt.col)
			}
		})
	}
}

func TestReadPrefLibFormats(t *testing.T) {
	newFmt := "# TITLE: t\n# NUMBER ALTERNATIVES: 3\n# ALTERNATIVE NAME 1: Ann\n# ALTERNATIVE NAME 2: Bob\n# ALTERNATIVE NAME 3: Cy\n2: 1,{2,3}\n1: 3\n"
	old := "3\n1,Ann\n2,Bob\n3,Cy\n3,3,2\n2,1,{2,3}\n1,3\n"
	for name, in := range map[string]string{"current": newFmt, "before 2022": old} {
		t.Run(name, func(t *testing.T) {
			p, err := ReadPrefLib(strings.NewReader(in), "toi")
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(p.Candidates, ",") != "Ann,Bob,Cy" || p.Voters() != 3 || len(p.Ballots) != 2 {
				t.Fatalf("%+v", p)
			}
			b := p.Ballots[0]
			if b.Count != 2 || len(b.Order) != 3 || b.Tied == nil || !b.Tied[2] || b.Tied[1] {
				t.Fatalf("ballot %+v", b)
			}
		})
	}
}

func TestReadBLTFeatures(t *testing.T) {
	in := "3 2\n-2\n(b1) 2 1=3 0\n1 3 - 1 0\n2 1=3 0\n0\n\"Ann\"\n\"Bob\"\n\"Cy\"\n\"Test\"\n"
	p, err := ReadBLT(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if p.Seats != 2 || p.Title != "Test" || len(p.Withdrawn) != 1 || p.Withdrawn[0] != 1 || p.Voters() != 5 || len(p.Ballots) != 2 {
		t.Fatalf("%+v", p)
	}
	if _, err := count.STV(p, count.Options{}); err != nil {
		t.Fatal(err)
	}
}

func TestReadPabulibPoints(t *testing.T) {
	in := "META\nkey;value\nbudget;100\nvote_type;cumulative\nPROJECTS\nproject_id;cost;name;selected\na;60;\"A; the first\";1\nb;50;B;0\nVOTES\nvoter_id;vote;points\n1;a,b;3,1\n2;b,a;1,3\n3;b;4\n"
	e, err := ReadPabulib(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if e.Projects[0].Name != "A; the first" || e.Projects[0].Selected != 1 || len(e.Voters) != 2 || e.NumVoters() != 3 {
		t.Fatalf("%+v", e)
	}
	g, _ := count.Greedy(e)
	if g.Scores[0] != 6 || g.Scores[1] != 6 || g.Winners[0] != 1 {
		t.Fatalf("greedy %+v", g)
	}
}
