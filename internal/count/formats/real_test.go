package formats

import (
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/folkmoot/folkmoot/internal/count"
)

const data = "../../../testdata/count/"

func open(t *testing.T, name string) io.Reader {
	t.Helper()
	f, err := os.Open(data + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if strings.HasSuffix(name, ".gz") {
		z, err := gzip.NewReader(f)
		if err != nil {
			t.Fatal(err)
		}
		return z
	}
	return f
}

func readPB(t *testing.T, name string) *count.PBElection {
	t.Helper()
	e, err := ReadPabulib(open(t, name))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return e
}

func readPrefLib(t *testing.T, name string) *count.Profile {
	t.Helper()
	p, err := ReadPrefLib(open(t, name), strings.TrimPrefix(filepath.Ext(name), "."))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return p
}

// published returns the projects a Pabulib file records as funded.
func published(e *count.PBElection) []string {
	var ids []string
	for _, p := range e.Projects {
		if p.Selected == 1 {
			ids = append(ids, p.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

func funded(e *count.PBElection, r *count.PBResult) []string {
	var ids []string
	for _, j := range r.Winners {
		ids = append(ids, e.Projects[j].ID)
	}
	sort.Strings(ids)
	return ids
}

// TestMESMatchesPublishedOutcomes counts the three Pabulib instances whose
// cities used the Method of Equal Shares and compares with what they funded.
func TestMESMatchesPublishedOutcomes(t *testing.T) {
	for _, name := range []string{"Netherlands_Assen_2024.pb", "Poland_Swiecie_2023.pb", "Poland_Wieliczka_2023_Green_Budget.pb"} {
		t.Run(name, func(t *testing.T) {
			e := readPB(t, name)
			r, err := count.MES(e, count.MESOptions{Utility: count.CostUtility, Add1: true})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := funded(e, r), published(e); !slices.Equal(got, want) {
				t.Fatalf("funded %v\npublished %v", got, want)
			}
			if r.Cost > e.Budget {
				t.Fatalf("cost %d over budget %d", r.Cost, e.Budget)
			}
		})
	}
}

func TestGreedyMatchesPublishedOutcome(t *testing.T) {
	e := readPB(t, "Poland_Lodz_2022.pb.gz")
	if e.NumVoters() != 90494 || len(e.Projects) != 160 {
		t.Fatalf("read %d voters, %d projects", e.NumVoters(), len(e.Projects))
	}
	r, err := count.Greedy(e)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := funded(e, r), published(e); !slices.Equal(got, want) {
		t.Fatalf("funded %v\npublished %v", got, want)
	}
}

// TestScottishSTVEdinburgh2017 counts the 17 wards of Edinburgh's 2017
// council election and compares with the councillors declared elected.
func TestScottishSTVEdinburgh2017(t *testing.T) {
	want := map[string][]string{
		"1":  {"Kevin  LANG", "Louise YOUNG", "Graham HUTCHISON", "Norrie WORK"},
		"2":  {"Graeme BRUCE", "Neil GARDINER", "Ricky HENDERSON", "Susan WEBBER"},
		"3":  {"Robert Christopher ALDRIDGE", "Claire BRIDGMAN", "Mark BROWN"},
		"4":  {"Eleanor BIRD", "Jim CAMPBELL", "Cammy DAY", "George GORDON"},
		"5":  {"Gavin BARRIE", "Max MITCHELL", "Hal OSLER", "Iain  WHYTE"},
		"6":  {"Scott DOUGLAS", "Gillian GLOYER", "Frank ROSS"},
		"7":  {"Denis DIXON", "Catherine FULLERTON", "Ashley GRACZYK", "Donald WILSON"},
		"8":  {"Scott ARTHUR", "Phil DOGGART", "Jason RUST"},
		"9":  {"Gavin CORBETT", "Andrew JOHNSTON", "David KEY"},
		"10": {"Nick COOK", "Melanie MAIN", "Neil ROSS", "Mandy WATT"},
		"11": {"Karen DORAN", "Claire MILLER", "Jo MOWAT", "Alasdair RANKIN"},
		"12": {"Marion DONALDSON", "Amy MCNEESE-MECHAN", "Susan RAE", "Lewis RITCHIE"},
		"13": {"Chas BOOTH", "Adam MCVEY", "Gordon John MUNRO"},
		"14": {"Ian CAMPBELL", "Joan GRIFFITHS", "John MCLELLAN", "Alex STANIFORTH"},
		"15": {"Steve BURGESS", "Alison DICKIE", "Ian PERRY", "Cameron ROSE"},
		"16": {"Lezley Marion CAMERON", "Derek HOWIE", "Lesley MACINNES", "Stephanie SMITH"},
		"17": {"KATE CAMPBELL", "MARY CAMPBELL", "Maureen CHILD", "Callum LAIDLAW"},
	}
	files, err := filepath.Glob(data + "edinburgh_2017_ward_*.blt")
	if err != nil || len(files) != 17 {
		t.Fatalf("found %d ward files (%v)", len(files), err)
	}
	for _, f := range files {
		ward := strings.SplitN(strings.TrimPrefix(filepath.Base(f), "edinburgh_2017_ward_"), "_", 2)[0]
		t.Run("ward "+ward, func(t *testing.T) {
			p, err := ReadBLT(open(t, filepath.Base(f)))
			if err != nil {
				t.Fatal(err)
			}
			r, err := count.STV(p, count.Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := p.Names(r.Winners)
			sort.Strings(got)
			w := append([]string(nil), want[ward]...)
			sort.Strings(w)
			if !slices.Equal(got, w) {
				t.Fatalf("elected %q, published %q", got, w)
			}
			if len(r.Ties) != 0 {
				t.Fatalf("unexpected ties %+v", r.Ties)
			}
			last := r.Stages[len(r.Stages)-1]
			var total count.Value
			for _, v := range last.Votes {
				total += v
			}
			if total+last.NonTransferable+last.Fractions != count.Value(r.Valid)*count.One {
				t.Fatalf("votes not conserved: %v + %v + %v != %d", total, last.NonTransferable, last.Fractions, r.Valid)
			}
		})
	}
}

func TestDebianLeaderElections(t *testing.T) {
	tests := []struct{ file, winner string }{
		{"00002-00000001.soi", "Bdale Garbee"},
		{"00002-00000001.toc", "Bdale Garbee"},
		{"00002-00000003.soi", "Branden Robinson"},
		{"00002-00000005.soi", "Sam Hocevar"},
		{"00002-00000006.soi", "Stefano Zacchiroli"},
		{"00002-00000007.soi", "Stefano Zacchiroli"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			p := readPrefLib(t, tt.file)
			r, err := count.Schulze(p, count.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Candidates[r.Winner]; got != tt.winner || len(r.Potential) != 1 {
				t.Fatalf("Schulze winner %q (potential %v), published %q", got, p.Names(r.Potential), tt.winner)
			}
		})
	}
}

func TestBurlington(t *testing.T) {
	p := readPrefLib(t, "00005-00000002.toi")
	irv, err := count.IRV(p, count.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := count.Schulze(p, count.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.Candidates[irv.Winner]; got != "Bob Kiss" {
		t.Fatalf("IRV elected %q, published Bob Kiss", got)
	}
	if got := p.Candidates[s.Condorcet]; got != "Andy Montroll" || s.Winner != s.Condorcet {
		t.Fatalf("Condorcet winner %q, Schulze %q; want Andy Montroll", got, p.Candidates[s.Winner])
	}
	last := irv.Rounds[len(irv.Rounds)-1]
	if last.Votes[0] != 4314 || last.Votes[4] != 4064 || last.Exhausted != 602 {
		t.Fatalf("final round %v exhausted %d", last.Votes, last.Exhausted)
	}
	if got := p.Names(irv.Eliminated); !slices.Equal(got, []string{"James Simpson", "Write-In", "Dan Smith", "Andy Montroll"}) {
		t.Fatalf("elimination order %q", got)
	}
	p = readPrefLib(t, "00005-00000001.toi")
	if irv, err = count.IRV(p, count.Options{}); err != nil || p.Candidates[irv.Winner] != "Bob Kiss" {
		t.Fatalf("2006: %v %v", err, irv)
	}
}

func TestDublinWest2002(t *testing.T) {
	p := readPrefLib(t, "00001-00000002.soi")
	if p.Voters() != 29988 {
		t.Fatalf("%d voters", p.Voters())
	}
	r, err := count.STV(p, count.Options{Seats: 3})
	if err != nil {
		t.Fatal(err)
	}
	got := p.Names(r.Winners)
	sort.Strings(got)
	want := []string{"Brian Lenihan F.F.", "Joan Burton Lab", "Joe Higgins S.P."}
	if !slices.Equal(got, want) {
		t.Fatalf("elected %q, published %q", got, want)
	}
}
