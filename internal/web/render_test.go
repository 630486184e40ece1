package web

import (
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/core"
)

// TestSpan writes the constitution's durations in their largest whole
// units.
func TestSpan(t *testing.T) {
	for _, tc := range []struct {
		in   time.Duration
		want string
	}{
		{0, "0s"},
		{5 * time.Second, "5s"},
		{90 * time.Minute, "90m"},
		{time.Hour, "1h"},
		{72 * time.Hour, "3d"},
		{36 * time.Hour, "36h"},
		{60 * time.Hour, "2d 12h"},
		{30 * 24 * time.Hour, "30d"},
		{90*time.Second + 500*time.Millisecond, "1m30.5s"},
	} {
		if got := span(core.Duration{Duration: tc.in}); got != tc.want {
			t.Errorf("span(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRuleWords says the rules of the count in the page's language.
func TestRuleWords(t *testing.T) {
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ lang, in, want string }{
		{"en", "at least 1/3", "at least 1/3"},
		{"en", "more than 1/2", "more than 1/2"},
		{"ca", "at least 1/3", "com a mínim 1/3"},
		{"ca", "more than 2/3", "més de 2/3"},
		{"ca", "more than 2/3 and then some", "more than 2/3 and then some"},
		{"ca", "2/3", "2/3"},
	} {
		if got := ruleWords(cat, tc.lang, tc.in); got != tc.want {
			t.Errorf("ruleWords(%s, %q) = %q, want %q", tc.lang, tc.in, got, tc.want)
		}
	}
}
