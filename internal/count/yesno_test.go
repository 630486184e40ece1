package count

import "testing"

func TestParseRatio(t *testing.T) {
	tests := []struct {
		in      string
		want    Ratio
		wantErr bool
	}{
		{"1/2", Ratio{1, 2, false}, false},
		{">=2/3", Ratio{2, 3, true}, false},
		{" >= 3 / 4 ", Ratio{3, 4, true}, false},
		{"0", Ratio{0, 1, false}, false},
		{"1", Ratio{1, 1, false}, false},
		{"3/2", Ratio{}, true},
		{"1/0", Ratio{}, true},
		{"half", Ratio{}, true},
		{"-1/2", Ratio{}, true},
		{"1/2000000", Ratio{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseRatio(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("ParseRatio(%q) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			}
			if !tt.wantErr && got != tt.want {
				t.Fatalf("ParseRatio(%q) = %+v, want %+v", tt.in, got, tt.want)
			}
			if !tt.wantErr {
				back, err := ParseRatio(got.String())
				if err != nil || back != got {
					t.Fatalf("round trip of %q gave %+v, %v", got.String(), back, err)
				}
			}
		})
	}
}

func TestYesNo(t *testing.T) {
	half := Ratio{1, 2, false}
	third := Ratio{1, 3, false}
	twoThirdsAtLeast := Ratio{2, 3, true}
	twoThirdsMore := Ratio{2, 3, false}
	none := Ratio{0, 1, false}
	tests := []struct {
		name                   string
		yes, no, abstain, elig uint64
		quorum, threshold      Ratio
		wantQuorum, wantPassed bool
	}{
		{"simple majority passes", 3, 2, 0, 10, third, half, true, true},
		{"tie fails under more-than-half", 2, 2, 0, 10, third, half, true, false},
		{"quorum exactly reached", 1, 0, 0, 3, third, half, true, true},
		{"quorum missed by one", 1, 0, 0, 4, third, half, false, false},
		{"abstentions count for quorum only", 1, 0, 3, 12, third, half, true, true},
		{"only abstentions fail", 0, 0, 5, 5, third, half, true, false},
		{"exactly two thirds passes when inclusive", 2, 1, 0, 3, none, twoThirdsAtLeast, true, true},
		{"exactly two thirds fails when strict", 2, 1, 0, 3, none, twoThirdsMore, true, false},
		{"no electorate, no quorum", 0, 0, 0, 0, third, half, false, false},
		{"no electorate, zero quorum", 0, 0, 0, 0, none, half, true, false},
		{"huge counts are exact", 1 << 40, (1 << 40) - 1, 0, 1 << 42, third, half, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := YesNo(tt.yes, tt.no, tt.abstain, tt.elig, tt.quorum, tt.threshold)
			if r.QuorumReached != tt.wantQuorum || r.Passed != tt.wantPassed {
				t.Fatalf("got quorum=%v passed=%v, want quorum=%v passed=%v", r.QuorumReached, r.Passed, tt.wantQuorum, tt.wantPassed)
			}
			if r.Turnout != tt.yes+tt.no+tt.abstain {
				t.Fatalf("turnout %d", r.Turnout)
			}
		})
	}
}
