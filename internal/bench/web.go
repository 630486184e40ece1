package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	abcitypes "github.com/cometbft/cometbft/abci/types"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/node"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// WebOptions size the web benchmark.
type WebOptions struct {
	Ballots  int           // ballots on the proposal, one per member; default 100,000
	Clients  int           // concurrent HTTP clients; default 100
	Duration time.Duration // how long the clients load the page; default 20s
	Samples  int           // live-tally samples; default 10
	// Client is the command that runs the load: it reads a WebLoadSpec as
	// JSON on stdin and writes WebLoadFigures as JSON on stdout ("folkmoot
	// bench web-client"). It runs as a second process, as browsers would.
	Client []string
	// ClientEnv is added to the client's environment.
	ClientEnv []string
	// CPUProfile, when set, is where the server's CPU profile of the load
	// phase is written (go tool pprof).
	CPUProfile string
	Dir        string
	Progress   func(format string, args ...any)
}

// WebFigures are the results of the web benchmark.
type WebFigures struct {
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpu_model"`
	Ballots  int    `json:"ballots"`
	Clients  int    `json:"clients"`
	Path     string `json:"path"`
	// SetupS is the time to build the community: signing, submitting and
	// committing every ballot through the node.
	SetupS    float64 `json:"setup_s"`
	PageBytes int     `json:"page_bytes"` // the proposal page, uncompressed
	WebLoadFigures
	// TallyUpdateMs is the median time from the end of FinalizeBlock of a
	// block that changes the tally (the moment readers see it) to the
	// live-tally event reaching a subscribed client; TallyUpdateMaxMs the
	// longest.
	TallyUpdateMs    float64   `json:"tally_update_ms"`
	TallyUpdateMaxMs float64   `json:"tally_update_max_ms"`
	TallySamplesMs   []float64 `json:"tally_samples_ms"`
	// ServerCPUS is the CPU time the node's process (site, node and the
	// live-tally sampler) used during the load, and ServerCPUUsPerRequest
	// that per request: a figure other work on the machine does not move
	// as much as latency.
	ServerCPUS            float64 `json:"server_cpu_s"`
	ServerCPUUsPerRequest float64 `json:"server_cpu_us_per_request"`
	// LoadAvg is the machine's one-minute load average when the load
	// ended: above the number of CPUs, other work competed for them.
	LoadAvg float64 `json:"load_avg_1m"`
}

// WebLoadSpec tells the load client what to do.
type WebLoadSpec struct {
	URL      string        `json:"url"`
	Clients  int           `json:"clients"`
	Duration time.Duration `json:"duration"`
	// Warmup runs before the measured Duration; its requests are not
	// counted (connections opening, caches filling).
	Warmup time.Duration `json:"warmup"`
}

// WebLoadFigures are what the load client measured.
type WebLoadFigures struct {
	DurationS    float64 `json:"duration_s"`
	Requests     int     `json:"requests"`
	Errors       int     `json:"errors"`
	FirstError   string  `json:"first_error,omitempty"`
	P50Ms        float64 `json:"p50_ms"`
	P99Ms        float64 `json:"p99_ms"`
	MaxMs        float64 `json:"max_ms"`
	RequestsPerS float64 `json:"requests_per_s"`
}

// Web runs the web benchmark: a single-validator node (real CometBFT,
// real SQLite projection) whose community has one open proposal with
// o.Ballots ballots, all signed and committed through the node; the site
// served on loopback as "folkmoot start" serves it; o.Clients clients in
// a second process fetching the proposal page for o.Duration; and,
// meanwhile, a client subscribed to the proposal's live tally timing each
// of o.Samples ballots from its block's commit to the event. The clock
// measures only.
func Web(o WebOptions, clock func() time.Time) (WebFigures, error) {
	if o.Ballots <= 0 {
		o.Ballots = 100_000
	}
	if o.Clients <= 0 {
		o.Clients = 100
	}
	if o.Duration <= 0 {
		o.Duration = 20 * time.Second
	}
	if o.Samples <= 0 {
		o.Samples = 10
	}
	if len(o.Client) == 0 {
		return WebFigures{}, errors.New("bench web: no load client command")
	}
	say := o.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	f := WebFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), Ballots: o.Ballots, Clients: o.Clients, Path: "/proposals/1"}
	dir, cleanup, err := workDir(o.Dir, "folkmoot-bench-web-")
	if err != nil {
		return f, err
	}
	defer cleanup()

	setup := clock()
	say("making %d member keys", o.Ballots+o.Samples)
	const chain = "bench-web"
	ms := members(o.Ballots+o.Samples, chain)
	voters, spare := ms[:o.Ballots], ms[o.Ballots:]
	g := coretest.Genesis(ms...)
	g.Constitution.Name = "Benchtown"
	g.Constitution.MaxVoting.Duration = 24 * time.Hour
	appState := coretest.AppState(g)

	home := filepath.Join(dir, "home")
	genesisTime := time.Now().UTC().Truncate(time.Second)
	if err := node.Init(home, node.HomeOptions{ChainID: chain, AppState: appState, GenesisTime: genesisTime,
		TimeoutCommit: 100 * time.Millisecond, EmptyBlocksInterval: time.Second, LogLevel: "error", NoMetrics: true,
		P2PAddress: "tcp://" + freeLoopback(), RPCAddress: "tcp://" + freeLoopback(), MetricsAddress: freeLoopback(),
		WebAddress: freeLoopback()}); err != nil {
		return f, err
	}
	commits := &commitTimes{at: make(map[int64]time.Time), clock: clock}
	say("starting the node (genesis with %d founders)", len(ms))
	ctx := context.Background()
	// The site is served as "folkmoot start" serves it, on the home's
	// loopback address.
	c, err := node.Open(ctx, home, node.Options{Config: webTuning, Clock: clock,
		Wrap: func(app abcitypes.Application) abcitypes.Application { return timedApp{app, commits} }})
	if err != nil {
		return f, err
	}
	defer c.Stop()
	app, rpc, cl := c.App(), c.RPC(), c.Client()

	// The proposal, a discussion and endorsements, then every ballot.
	author := voters[0]
	proposal := author.Sign(&tx.Propose{Title: "Resurface the high street", Category: "general",
		Body: proposalBody, Closes: time.Now().Add(12 * time.Hour).Unix()})
	if err := submitAll(rpc, [][][]byte{{proposal}}, nil); err != nil {
		return f, fmt.Errorf("proposal: %w", err)
	}
	if err := waitFor(func() bool {
		var ok bool
		app.View(func(s *core.State) error { p, found := s.Proposal(1); ok = found && p.Status == core.Open; return nil })
		return ok
	}); err != nil {
		return f, fmt.Errorf("proposal: %w", err)
	}
	var discussion [][]byte
	for i := 1; i <= min(20, len(voters)-1); i++ {
		discussion = append(discussion, voters[i].Sign(&tx.Comment{Proposal: 1,
			Text: fmt.Sprintf("Comment %d: the pavement by the school needs it first, and the bus stop after.", i)}))
	}
	for i := 21; i <= min(40, len(voters)-1); i++ {
		discussion = append(discussion, voters[i].Sign(&tx.Endorse{Proposal: 1}))
	}
	if err := submitAll(rpc, [][][]byte{discussion}, nil); err != nil {
		return f, fmt.Errorf("discussion: %w", err)
	}
	say("signing and submitting %d ballots", len(voters))
	const workers = 32
	streams := make([][][]byte, workers)
	signed := signAll(voters, func(i int, m *coretest.Member) []byte { return m.Ballot(1, tx.Choice(1+i%3)) })
	for i, raw := range signed {
		streams[i%workers] = append(streams[i%workers], raw)
	}
	if err := submitAll(rpc, streams, nil); err != nil {
		return f, fmt.Errorf("ballots: %w", err)
	}
	counted := func() int {
		var total int
		app.View(func(s *core.State) error {
			p, _ := s.Proposal(1)
			total = int(p.Yes + p.No + p.Abstain)
			return nil
		})
		return total
	}
	if err := waitFor(func() bool { return counted() >= len(voters) }); err != nil {
		return f, fmt.Errorf("ballots: %d of %d counted: %w", counted(), len(voters), err)
	}
	if err := app.Flush(); err != nil {
		return f, err
	}
	f.SetupS = clock().Sub(setup).Seconds()
	say("community ready in %.1f s", f.SetupS)

	url := c.Site()
	base, cancel := context.WithCancel(ctx)
	defer cancel()

	page, err := fetch(url + f.Path)
	if err != nil {
		return f, err
	}
	f.PageBytes = len(page)
	if !bytes.Contains(page, []byte("Resurface the high street")) {
		return f, fmt.Errorf("the proposal page does not show the proposal")
	}

	// The live tally: subscribe, then load and sample at once.
	events, err := subscribe(base, url+"/events/proposals/1", clock)
	if err != nil {
		return f, err
	}
	<-events // the current tally
	if o.CPUProfile != "" {
		pf, err := os.Create(o.CPUProfile)
		if err != nil {
			return f, fmt.Errorf("cpu profile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return f, fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	say("%d clients load %s for %s from a second process", o.Clients, f.Path, o.Duration)
	type loadResult struct {
		f   WebLoadFigures
		err error
	}
	cpu0 := processCPU()
	loaded := make(chan loadResult, 1)
	spec := WebLoadSpec{URL: url + f.Path, Clients: o.Clients, Duration: o.Duration, Warmup: min(2*time.Second, o.Duration/5)}
	go func() {
		lf, err := runLoadClient(o.Client, o.ClientEnv, spec)
		loaded <- loadResult{lf, err}
	}()

	spacing := o.Duration / time.Duration(o.Samples+1)
	for i, m := range spare {
		time.Sleep(spacing)
		c, err := cl.SubmitAndWait(ctx, m.Ballot(1, tx.Choice(1+i%3)))
		if err != nil {
			return f, fmt.Errorf("tally sample %d: %w", i+1, err)
		}
		ev, err := nextEvent(events, c.Height)
		if err != nil {
			return f, fmt.Errorf("tally sample %d: %w", i+1, err)
		}
		at, ok := commits.get(c.Height)
		if !ok || ev.at.Before(at) {
			return f, fmt.Errorf("tally sample %d: no commit recorded for block %d", i+1, c.Height)
		}
		f.TallySamplesMs = append(f.TallySamplesMs, ms64(ev.at.Sub(at)))
	}
	r := <-loaded
	if r.err != nil {
		return f, r.err
	}
	f.WebLoadFigures = r.f
	f.ServerCPUS = (processCPU() - cpu0).Seconds()
	f.LoadAvg = loadAverage()
	if f.Requests > 0 {
		f.ServerCPUUsPerRequest = f.ServerCPUS * 1e6 / float64(f.Requests)
	}
	sorted := slices.Clone(f.TallySamplesMs)
	slices.Sort(sorted)
	f.TallyUpdateMs = sorted[len(sorted)/2]
	f.TallyUpdateMaxMs = sorted[len(sorted)-1]
	say("p50 %.1f ms, p99 %.1f ms, %.0f requests/s, %d errors; tally update p50 %.0f ms, max %.0f ms",
		f.P50Ms, f.P99Ms, f.RequestsPerS, f.Errors, f.TallyUpdateMs, f.TallyUpdateMaxMs)
	return f, nil
}

// proposalBody is the Markdown of the benchmark's proposal: a page of
// ordinary text, as a real proposal would have.
const proposalBody = `The high street has not been resurfaced since 1998. This proposal asks the
community to **resurface it this summer**, in three stages, so that the shops
stay open throughout.

## Why now

- Potholes by the school crossing have caused two falls this winter.
- The council's matching fund closes at the end of the year.
- Prices for asphalt have dropped by a tenth since spring.

## Stages

1. The school crossing and the pavement beside it (two weeks).
2. From the bakery to the square (three weeks).
3. The rest, to the bridge (three weeks).

Quotes from three contractors are in the [shared folder](https://example.org/quotes).
`

// members makes n deterministic member keys on chain, on every core.
func members(n int, chain string) []*coretest.Member {
	ms := make([]*coretest.Member, n)
	parallel(n, func(i int) {
		ms[i] = coretest.NewMember("voter " + strconv.Itoa(i))
		ms[i].Chain = chain
	})
	return ms
}

// signAll signs one transaction per member, on every core.
func signAll(ms []*coretest.Member, sign func(i int, m *coretest.Member) []byte) [][]byte {
	out := make([][]byte, len(ms))
	parallel(len(ms), func(i int) { out[i] = sign(i, ms[i]) })
	return out
}

func parallel(n int, fn func(i int)) {
	var wg sync.WaitGroup
	w := runtime.NumCPU()
	for k := range w {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := k; i < n; i += w {
				fn(i)
			}
		}()
	}
	wg.Wait()
}

// webTuning is nodeTuning with room for a loaded machine: an RPC batch
// of submissions may wait longer than CometBFT's default write timeout
// (10 s) while the other process takes the CPU.
func webTuning(c *node.Config) {
	nodeTuning(c)
	c.Comet.RPC.TimeoutBroadcastTxCommit = time.Minute
}

// timedApp is the app with the moment each FinalizeBlock returns noted:
// from then on readers see the block's state.
type timedApp struct {
	abcitypes.Application
	times *commitTimes
}

// FinalizeBlock applies the block and notes when it finished.
func (a timedApp) FinalizeBlock(ctx context.Context, req *abcitypes.FinalizeBlockRequest) (*abcitypes.FinalizeBlockResponse, error) {
	res, err := a.Application.FinalizeBlock(ctx, req)
	if err == nil {
		a.times.record(req.Height)
	}
	return res, err
}

// commitTimes remembers when each block's FinalizeBlock finished: the
// moment its state became what every reader sees.
type commitTimes struct {
	mu    sync.Mutex
	at    map[int64]time.Time
	clock func() time.Time
}

func (c *commitTimes) record(h int64) {
	now := c.clock()
	c.mu.Lock()
	c.at[h] = now
	c.mu.Unlock()
}

func (c *commitTimes) get(h int64) (time.Time, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	t, ok := c.at[h]
	return t, ok
}

func fetch(url string) ([]byte, error) {
	res, err := http.Get(url)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", url, err)
	}
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return b, nil
}

// event is one live-tally event: the height it was sent at and when it
// arrived.
type event struct {
	height int64
	at     time.Time
}

// subscribe opens the live-tally stream at url and delivers each event
// with its arrival time, until ctx ends.
func subscribe(ctx context.Context, url string, clock func() time.Time) (<-chan event, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/event-stream")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("live tally: %w", err)
	}
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/event-stream") {
		res.Body.Close()
		return nil, fmt.Errorf("live tally: %s, %s", res.Status, res.Header.Get("Content-Type"))
	}
	out := make(chan event, 64)
	go func() {
		defer res.Body.Close()
		defer close(out)
		sc := bufio.NewScanner(res.Body)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		var ev event
		var data bool
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "id: "):
				ev.height, _ = strconv.ParseInt(strings.TrimPrefix(line, "id: "), 10, 64)
			case strings.HasPrefix(line, "data: "):
				data = true
			case line == "" && data:
				ev.at = clock()
				out <- ev
				ev, data = event{}, false
			}
		}
	}()
	return out, nil
}

// nextEvent waits for the first event sent at height h or later.
func nextEvent(events <-chan event, h int64) (event, error) {
	timeout := time.After(time.Minute)
	for {
		select {
		case ev, ok := <-events:
			if !ok {
				return ev, errors.New("the live-tally stream ended")
			}
			if ev.height >= h {
				return ev, nil
			}
		case <-timeout:
			return event{}, fmt.Errorf("no live-tally event for block %d within a minute", h)
		}
	}
}

// processCPU returns the CPU time (user and system) this process has used.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// loadAverage returns the one-minute load average, or 0 if unknown.
func loadAverage() float64 {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return 0
	}
	first, _, _ := strings.Cut(string(b), " ")
	v, _ := strconv.ParseFloat(first, 64)
	return v
}

func ms64(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// runLoadClient runs the load client command with spec on its stdin and
// decodes its figures.
func runLoadClient(command, env []string, spec WebLoadSpec) (WebLoadFigures, error) {
	var f WebLoadFigures
	in, err := json.Marshal(spec)
	if err != nil {
		return f, err
	}
	cmd := exec.Command(command[0], command[1:]...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdin = bytes.NewReader(in)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return f, fmt.Errorf("load client %s: %w: %s", command[0], err, strings.TrimSpace(errOut.String()))
	}
	if err := json.Unmarshal(out.Bytes(), &f); err != nil {
		return f, fmt.Errorf("load client %s: its answer: %w: %q", command[0], err, out.String())
	}
	return f, nil
}

// ServeWebLoad is the load client's side: it reads a WebLoadSpec from in,
// runs WebLoad, and writes the figures to out as JSON.
func ServeWebLoad(in io.Reader, out io.Writer, clock func() time.Time) error {
	var spec WebLoadSpec
	if err := json.NewDecoder(in).Decode(&spec); err != nil {
		return fmt.Errorf("read the load spec: %w", err)
	}
	f, err := WebLoad(spec, clock)
	if err != nil {
		return err
	}
	return json.NewEncoder(out).Encode(f)
}

// WebLoad fetches spec.URL from spec.Clients concurrent clients, each
// with its own kept-alive connection and asking for gzip as browsers do,
// for spec.Warmup (not counted) and then spec.Duration, and reports the
// latency of whole answers (the last byte read). An answer other than
// 200 is an error.
func WebLoad(spec WebLoadSpec, clock func() time.Time) (WebLoadFigures, error) {
	var f WebLoadFigures
	if spec.Clients <= 0 || spec.Duration <= 0 || spec.URL == "" {
		return f, fmt.Errorf("load spec needs a URL, clients and a duration: %+v", spec)
	}
	// Like wrk or hey, the client asks for gzip and reads the compressed
	// bytes without inflating them: the figures are the server's, not the
	// cost of this process's decompression on a shared CPU.
	tr := &http.Transport{MaxIdleConnsPerHost: spec.Clients, MaxIdleConns: spec.Clients, IdleConnTimeout: time.Minute,
		DisableCompression: true}
	defer tr.CloseIdleConnections()
	hc := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	start := clock()
	measure := start.Add(spec.Warmup)
	end := measure.Add(spec.Duration)
	var mu sync.Mutex
	var all []time.Duration
	var wg sync.WaitGroup
	for range spec.Clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			var errs int
			var first string
			for {
				t0 := clock()
				if !t0.Before(end) {
					break
				}
				err := get(hc, spec.URL)
				d := clock().Sub(t0)
				if t0.Before(measure) {
					continue
				}
				if err != nil {
					errs++
					if first == "" {
						first = err.Error()
					}
					continue
				}
				mine = append(mine, d)
			}
			mu.Lock()
			all = append(all, mine...)
			f.Errors += errs
			if f.FirstError == "" {
				f.FirstError = first
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := clock().Sub(measure)
	f.DurationS = elapsed.Seconds()
	f.Requests = len(all)
	if len(all) == 0 {
		return f, fmt.Errorf("no request succeeded: %s", f.FirstError)
	}
	slices.Sort(all)
	q := func(p float64) float64 { return ms64(all[min(len(all)-1, int(p*float64(len(all))))]) }
	f.P50Ms, f.P99Ms, f.MaxMs = q(0.50), q(0.99), ms64(all[len(all)-1])
	f.RequestsPerS = float64(len(all)) / elapsed.Seconds()
	return f, nil
}

func get(hc *http.Client, url string) error {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept-Encoding", "gzip")
	res, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if _, err := io.Copy(io.Discard, res.Body); err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return nil
}
