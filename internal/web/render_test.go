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
