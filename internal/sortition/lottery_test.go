package sortition

import (
	"slices"
	"testing"
)

// TestLotteryRebuildsLeximin checks that the panels alone give back the
// LEXIMIN distribution, and that altered panels are refused.
func TestLotteryRebuildsLeximin(t *testing.T) {
	in := SyntheticInstance(3, 60, 8)
	d, err := Leximin(in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := Lottery(in, d.Panels)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Probabilities, d.Probabilities) || len(got.Types) != len(d.Types) {
		t.Fatal("the rebuilt lottery differs from LEXIMIN's")
	}
	bad := slices.Clone(d.Panels)
	bad[0].Weight++
	if _, err := Lottery(in, bad); err == nil {
		t.Fatal("weights adding up to more than Units were accepted")
	}
	seed := [32]byte{1}
	a, _ := d.Draw(seed)
	b, _ := got.Draw(seed)
	if !slices.Equal(a, b) {
		t.Fatal("the rebuilt lottery draws other members")
	}
}
