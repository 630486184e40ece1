package bench_test

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/folkmoot/folkmoot/internal/bench"
)

// TestBrowserCast runs the browser's ballot benchmark once in a real
// headless Chromium: it must cast and time every run (no threshold: speed
// is reported, not asserted).
func TestBrowserCast(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a browser")
	}
	bin := os.Getenv("FOLKMOOT_CHROMIUM")
	if bin == "" {
		bin, _ = exec.LookPath("chromium")
	}
	if bin == "" {
		t.Skip("no chromium binary found (apt-get install chromium, or set FOLKMOOT_CHROMIUM)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ms, err := bench.BrowserCast(ctx, bin, 10)
	if err != nil {
		t.Fatal(err)
	}
	if ms <= 0 {
		t.Fatalf("browser_cast_ms = %v", ms)
	}
	t.Logf("browser_cast_ms = %.1f", ms)
	if _, err := bench.BrowserCast(ctx, bin, 0); err == nil {
		t.Error("0 runs accepted")
	}
}
