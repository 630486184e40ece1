package query

import (
	"slices"
	"strings"
	"testing"
)

func TestDiff(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		want     string // one line per DiffLine: op and text
	}{
		{"same", "a\nb", "a\nb", "=a =b"},
		{"both empty", "", "", ""},
		{"from empty", "", "a\nb", "+a +b"},
		{"to empty", "a", "", "-a"},
		{"one line changed", "a\nb\nc", "a\nB\nc", "=a -b +B =c"},
		{"line added in the middle", "a\nc", "a\nb\nc", "=a +b =c"},
		{"lines removed", "a\nb\nc\nd", "a\nd", "=a -b -c =d"},
		{"moved line", "a\nb\nc", "b\nc\na", "-a =b =c +a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range Diff(tt.old, tt.new) {
				got = append(got, l.Op+l.Text)
			}
			if want := strings.Fields(tt.want); !slices.Equal(got, want) {
				t.Fatalf("Diff = %v, want %v", got, want)
			}
		})
	}
}

// TestDiffOfLongTexts checks that texts too long to compare line by line
// still give a correct (if not shortest) diff, quickly.
func TestDiffOfLongTexts(t *testing.T) {
	old := "head\n" + strings.Repeat("x\n", 3000) + "tail"
	new := "head\n" + strings.Repeat("y\n", 3000) + "tail"
	d := Diff(old, new)
	if len(d) != 6002 || d[0] != (DiffLine{"=", "head"}) || d[1].Op != "-" || d[3001].Op != "+" || d[6001] != (DiffLine{"=", "tail"}) {
		t.Fatalf("diff of %d lines: %v ... %v", len(d), d[:3], d[len(d)-2:])
	}
}
