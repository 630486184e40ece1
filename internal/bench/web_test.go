package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"
	"time"
)

// loadClientEnv makes this test binary act as the load client of the web
// benchmark (what "folkmoot bench web-client" is for the real command).
const loadClientEnv = "FOLKMOOT_BENCH_WEB_CLIENT"

// nodeServerEnv makes this test binary act as the node process of the
// node benchmark (what "folkmoot bench node serve" is for the real
// command).
const nodeServerEnv = "FOLKMOOT_BENCH_NODE_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(nodeServerEnv) != "" {
		if err := ServeNode(os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	if os.Getenv(loadClientEnv) != "" {
		if err := ServeWebLoad(os.Stdin, os.Stdout, time.Now); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestWebSmall runs the whole web benchmark at a tiny size, its load from
// a second process, and checks that every figure is there and sane. It
// asserts no timing.
func TestWebSmall(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a real node and a second process")
	}
	o := WebOptions{Ballots: 500, Clients: 5, Duration: 2 * time.Second, Samples: 3, Dir: t.TempDir(),
		Client: []string{os.Args[0]}, ClientEnv: []string{loadClientEnv + "=1"}}
	f, err := Web(o, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"p50_ms", "p99_ms", "max_ms", "requests_per_s", "requests", "errors", "tally_update_ms",
		"tally_update_max_ms", "setup_s", "server_cpu_us_per_request", "load_avg_1m", "cpus", "cpu_model", "ballots", "clients", "page_bytes"} {
		if _, ok := got[k]; !ok {
			t.Errorf("the JSON lacks %q: %s", k, b)
		}
	}
	switch {
	case f.Ballots != 500 || f.Clients != 5 || f.CPUs < 1 || f.CPUModel == "":
		t.Errorf("the run's description is wrong: %s", b)
	case f.Requests < 1 || f.Errors != 0 || f.FirstError != "":
		t.Errorf("requests %d, errors %d (%s)", f.Requests, f.Errors, f.FirstError)
	case !(0 < f.P50Ms && f.P50Ms <= f.P99Ms && f.P99Ms <= f.MaxMs) || f.RequestsPerS <= 0 || f.DurationS <= 0:
		t.Errorf("latencies out of order or missing: %s", b)
	case len(f.TallySamplesMs) != 3 || f.TallyUpdateMs > f.TallyUpdateMaxMs || f.TallyUpdateMaxMs <= 0:
		t.Errorf("live-tally samples: %s", b)
	case f.ServerCPUS <= 0 || f.ServerCPUUsPerRequest <= 0:
		t.Errorf("server CPU: %s", b)
	case f.SetupS <= 0 || f.PageBytes < 1000:
		t.Errorf("setup or page size: %s", b)
	}
}

// TestWebLoadRefusesABadSpec checks the load client's input check.
func TestWebLoadRefusesABadSpec(t *testing.T) {
	for _, spec := range []WebLoadSpec{
		{Clients: 1, Duration: time.Second},
		{URL: "http://127.0.0.1:1/", Duration: time.Second},
		{URL: "http://127.0.0.1:1/", Clients: 1},
	} {
		if _, err := WebLoad(spec, time.Now); err == nil {
			t.Errorf("spec %+v accepted", spec)
		}
	}
}
