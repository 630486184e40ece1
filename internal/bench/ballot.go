package bench

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"time"

	"github.com/gtank/ristretto255"

	"github.com/folkmoot/folkmoot/internal/ballot"
	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/core/coretest"
	"github.com/folkmoot/folkmoot/internal/trustee"
	"github.com/folkmoot/folkmoot/internal/tx"
)

// BallotOptions size the secret-ballot benchmark (issue 12). Zero values
// take the defaults.
type BallotOptions struct {
	// Ballots is the number of 5-choice single-choice ballots verified
	// (batched and one by one) and applied through the core (default 2,000).
	Ballots int
	// BlockSize is the number of secret-ballot transactions per block
	// applied through the core (default 200).
	BlockSize int
	// Casts is the number of ballots cast in Go for cast_ms (default 200).
	Casts int
	// TallyBallots is the number of ballots tallied (default 100,000).
	TallyBallots int
	// Workers is the number of goroutines that verify (all CPUs when 0).
	Workers int
	// Chromium is the path of a Chromium binary for browser_cast_ms; empty,
	// the browser figure is not measured.
	Chromium string
	// BrowserRuns is the number of casts timed in the browser (default 20).
	BrowserRuns int
	// VerifyRuns is how many times each verification is measured; the
	// best run is kept (default 3).
	VerifyRuns int
	// Progress, when not nil, is told what is being measured.
	Progress func(format string, args ...any)
}

// BallotFigures are the results of the secret-ballot benchmark. Every
// ballot is a 5-choice single-choice ballot (1,536 bytes).
type BallotFigures struct {
	CPUs     int     `json:"cpus"`
	CPUModel string  `json:"cpu_model"`
	LoadAvg  float64 `json:"load_avg_1m"` // one-minute load average at the end
	Workers  int     `json:"workers"`
	Ballots  int     `json:"ballots"`

	// CastMs is the mean time to encrypt and prove one ballot in Go;
	// CastCPUMs the CPU time of one (a cast runs on one core).
	CastMs    float64 `json:"cast_ms"`
	CastCPUMs float64 `json:"cast_cpu_ms"`
	// BrowserCastMs is the same in Chromium (0, and left out, when no
	// Chromium was given).
	BrowserCastMs float64 `json:"browser_cast_ms,omitempty"`

	// VerifyPerS is ballots parsed from their bytes and verified with
	// ballot.VerifyAll (batches of ballot.BatchSize, one multi-scalar
	// multiplication each, random 128-bit weights) on Workers goroutines,
	// per second of wall time, the best of VerifyRuns runs; VerifyCPUUs is
	// the least CPU time per ballot of those runs.
	VerifyPerS  float64 `json:"verify_ballots_per_s"`
	VerifyCPUUs float64 `json:"verify_cpu_us_per_ballot"`
	// ParseUs is the CPU time of parsing one ballot (32 point decodings and
	// 13 scalar decodings), included in both verification figures.
	ParseUs float64 `json:"parse_cpu_us_per_ballot"`
	// UnbatchedPerS is the same ballots parsed and checked one equation at
	// a time on Workers goroutines; UnbatchedCPUUs its CPU time per ballot.
	UnbatchedPerS  float64 `json:"unbatched_verify_ballots_per_s"`
	UnbatchedCPUUs float64 `json:"unbatched_verify_cpu_us_per_ballot"`
	// BatchSpeedup is VerifyPerS / UnbatchedPerS; BatchSpeedupCPU the
	// same by CPU time, which the neighbours on a shared machine disturb
	// less.
	BatchSpeedup    float64 `json:"batch_speedup"`
	BatchSpeedupCPU float64 `json:"batch_speedup_cpu"`
	VerifyRuns      int     `json:"verify_runs"`

	// GroupOpsPerBallot is the scalar multiplications of one ballot's
	// verification equations (docs/secret-ballot.md §4.3): two per
	// equation (z·Base and c·T), 4 equations per choice and 2 per allowed
	// sum. MSMTermsPerBallot is what remains of them in a batch (§4.5):
	// one term per commitment and one per ciphertext component.
	GroupOpsPerBallot int `json:"group_ops_per_ballot"`
	MSMTermsPerBallot int `json:"batched_msm_terms_per_ballot"`
	// MSMTermNs is the CPU time of one term of a 64-term variable-time
	// multi-scalar multiplication with full-size scalars (ristretto255's
	// Straus), on one goroutine.
	MSMTermNs float64 `json:"msm_term_ns"`

	// TallyS is the tally of TallyBallots decoded ballots: their sum
	// (ballot.Sum), the verification of 3 partial decryptions of 5
	// trustees, the Lagrange combination and the discrete logarithms.
	// The trustees' own decryptions are not counted.
	TallyBallots int     `json:"tally_ballots"`
	TallyS       float64 `json:"tally_100k_s"`
	TallyCPUS    float64 `json:"tally_100k_cpu_s"`
	// TallyFromBytesS is the same tally with the sum made from the stored
	// ciphertext bytes, one ballot after another, as the core's close does.
	TallyFromBytesS    float64 `json:"tally_100k_from_bytes_s"`
	TallyFromBytesCPUS float64 `json:"tally_100k_from_bytes_cpu_s"`

	// CoreBlockPerS is secret ballots applied through core.State.ApplyBlock
	// in blocks of BlockSize (signatures, parsing, batched proof checks,
	// the ballots' effects), per second; CoreCPUUs is the CPU time per
	// ballot.
	BlockSize     int     `json:"block_size"`
	CoreBlockPerS float64 `json:"core_block_ballots_per_s"`
	CoreCPUUs     float64 `json:"core_cpu_us_per_ballot"`
}

// benchRace is the race every ballot of the benchmark is cast in.
var benchRace = ballot.SingleChoice(5)

// Ballot runs the secret-ballot benchmark.
func Ballot(ctx context.Context, o BallotOptions, clock func() time.Time) (BallotFigures, error) {
	if o.Ballots <= 0 {
		o.Ballots = 2000
	}
	if o.BlockSize <= 0 {
		o.BlockSize = 200
	}
	if o.Casts <= 0 {
		o.Casts = 200
	}
	if o.TallyBallots <= 0 {
		o.TallyBallots = 100_000
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.BrowserRuns <= 0 {
		o.BrowserRuns = 20
	}
	if o.VerifyRuns <= 0 {
		o.VerifyRuns = 3
	}
	say := o.Progress
	if say == nil {
		say = func(string, ...any) {}
	}
	f := BallotFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), Workers: o.Workers, Ballots: o.Ballots,
		BlockSize: o.BlockSize, TallyBallots: o.TallyBallots}
	f.GroupOpsPerBallot, f.MSMTermsPerBallot = GroupOps(benchRace)

	say("casting %d ballots in Go", o.Casts)
	var err error
	if f.CastMs, f.CastCPUMs, err = CastMs(o.Casts, clock); err != nil {
		return f, err
	}
	if o.Chromium != "" {
		say("casting %d ballots in Chromium (%s)", o.BrowserRuns, o.Chromium)
		if f.BrowserCastMs, err = BrowserCast(ctx, o.Chromium, o.BrowserRuns); err != nil {
			return f, err
		}
	}

	say("a community of %d members makes a 3-of-5 election key through trustee transactions", max(o.Ballots, 5))
	w, err := NewSecretWorkload(o.Ballots, o.BlockSize)
	if err != nil {
		return f, err
	}
	items := w.Items()
	raws := w.BallotBytes()

	say("verifying %d ballots, batched (ballot.VerifyAll) and one by one, on %d goroutines", len(raws), o.Workers)
	f.VerifyRuns = o.VerifyRuns
	v, err := bestOf(o.VerifyRuns, func() (Rate, error) { return VerifyBatched(items, raws, o.Workers, clock) })
	if err != nil {
		return f, err
	}
	f.VerifyPerS, f.VerifyCPUUs = v.PerS, v.CPUUs
	u, err := bestOf(o.VerifyRuns, func() (Rate, error) { return VerifyUnbatched(items, raws, o.Workers, clock) })
	if err != nil {
		return f, err
	}
	f.UnbatchedPerS, f.UnbatchedCPUUs = u.PerS, u.CPUUs
	if f.UnbatchedPerS > 0 && f.VerifyCPUUs > 0 {
		f.BatchSpeedup = f.VerifyPerS / f.UnbatchedPerS
		f.BatchSpeedupCPU = f.UnbatchedCPUUs / f.VerifyCPUUs
	}
	if f.ParseUs, err = ParseCPUUs(items, raws); err != nil {
		return f, err
	}

	say("applying %d secret ballots through the core in blocks of %d", len(raws), o.BlockSize)
	c, err := w.Apply(clock)
	if err != nil {
		return f, err
	}
	f.CoreBlockPerS, f.CoreCPUUs = c.PerS, c.CPUUs

	say("multi-scalar multiplication of 64 terms")
	f.MSMTermNs = MSMTermNs(64, 500*time.Millisecond)

	say("tally of %d ballots, 3 of 5 trustees", o.TallyBallots)
	t, err := Tally(o.TallyBallots, clock)
	if err != nil {
		return f, err
	}
	f.TallyS, f.TallyCPUS, f.TallyFromBytesS, f.TallyFromBytesCPUS = t.Seconds, t.CPUSeconds, t.FromBytesSeconds, t.FromBytesCPU
	f.LoadAvg = loadAverage()
	return f, nil
}

// GroupOps counts the scalar multiplications of verifying one ballot of
// race r: each equation of docs/secret-ballot.md §4.3 is P = z·Base − c·T
// (two scalar multiplications); there are 4 per choice and 2 per allowed
// sum. Batched (§4.5), the ballot brings one MSM term per equation (its
// commitment P) and one per ciphertext component (A_i, B_i: the aggregate's
// coefficients are folded into them); Base and the election key are shared
// by the whole batch.
func GroupOps(r ballot.Race) (unbatched, batchedTerms int) {
	eqs := 4*r.Choices + 2*(r.Max-r.Min+1)
	return 2 * eqs, eqs + 2*r.Choices
}

// CastMs returns the mean wall and CPU time in milliseconds of n casts of
// a 5-choice single-choice ballot in Go, under a fresh election key.
func CastMs(n int, clock func() time.Time) (wallMs, cpuMs float64, err error) {
	kp, err := ballot.GenerateKey(rand.Reader)
	if err != nil {
		return 0, 0, fmt.Errorf("cast: %w", err)
	}
	ctx := ballot.Context{ElectionID: []byte("bench"), ChainID: "folkmoot-bench", PublicKey: kp.Public.Encode(nil), VoterKey: make([]byte, 32)}
	votes := []int{0, 0, 1, 0, 0}
	r, err := measure(n, clock, func() error {
		for range n {
			if _, err := ballot.Cast(ctx, benchRace, votes, rand.Reader); err != nil {
				return fmt.Errorf("cast: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	return 1000 / r.PerS, r.CPUUs / 1000, nil
}

// bestOf runs fn runs times and returns the highest rate with the least
// CPU time per item: on a shared machine the best run is the one the
// neighbours disturbed least.
func bestOf(runs int, fn func() (Rate, error)) (Rate, error) {
	var best Rate
	for i := range max(runs, 1) {
		r, err := fn()
		if err != nil {
			return r, err
		}
		if i == 0 || r.PerS > best.PerS {
			best.PerS = r.PerS
		}
		if i == 0 || r.CPUUs < best.CPUUs {
			best.CPUUs = r.CPUUs
		}
	}
	return best, nil
}

// Rate is a throughput measured on the wall clock with the process's CPU
// time beside it, since on a shared machine the wall clock also measures
// the neighbours.
type Rate struct {
	PerS  float64 // items per second of wall time
	CPUUs float64 // CPU time per item, µs
}

func measure(n int, clock func() time.Time, fn func() error) (Rate, error) {
	cpu0, start := cpuTime(), clock()
	if err := fn(); err != nil {
		return Rate{}, err
	}
	wall, cpu := clock().Sub(start), cpuTime()-cpu0
	return Rate{PerS: float64(n) / wall.Seconds(), CPUUs: float64(cpu.Nanoseconds()) / 1000 / float64(n)}, nil
}

// cpuTime is the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// parseAll parses raws[i] into a copy of items[i] on workers goroutines,
// as a node receives ballots: as bytes.
func parseAll(items []ballot.Item, raws [][]byte, workers int) ([]ballot.Item, error) {
	out := make([]ballot.Item, len(items))
	err := forEach(len(items), workers, func(i int) error {
		b, err := ballot.ParseBallot(items[i].Race, raws[i])
		if err != nil {
			return fmt.Errorf("parse ballot %d: %w", i, err)
		}
		out[i] = ballot.Item{Context: items[i].Context, Race: items[i].Race, Ballot: b}
		return nil
	})
	return out, err
}

// forEach runs fn(0..n-1) on workers goroutines, each taking a contiguous
// part, and returns the first error.
func forEach(n, workers int, fn func(i int) error) error {
	workers = max(1, min(workers, n))
	errs := make([]error, workers)
	var wg sync.WaitGroup
	per := (n + workers - 1) / workers
	for wk := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := wk * per; i < min((wk+1)*per, n); i++ {
				if err := fn(i); err != nil {
					errs[wk] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// VerifyBatched parses the ballots raws (for the contexts and races of
// items) and verifies them with ballot.VerifyAll on workers goroutines; it
// fails unless every ballot is valid.
func VerifyBatched(items []ballot.Item, raws [][]byte, workers int, clock func() time.Time) (Rate, error) {
	return measure(len(items), clock, func() error {
		parsed, err := parseAll(items, raws, workers)
		if err != nil {
			return err
		}
		for i, err := range ballot.VerifyAll(parsed, workers, rand.Reader) {
			if err != nil {
				return fmt.Errorf("batched verification: ballot %d: %w", i, err)
			}
		}
		return nil
	})
}

// VerifyUnbatched is VerifyBatched with each ballot checked one equation
// at a time (Ballot.Verify).
func VerifyUnbatched(items []ballot.Item, raws [][]byte, workers int, clock func() time.Time) (Rate, error) {
	return measure(len(items), clock, func() error {
		return forEach(len(items), workers, func(i int) error {
			b, err := ballot.ParseBallot(items[i].Race, raws[i])
			if err != nil {
				return fmt.Errorf("parse ballot %d: %w", i, err)
			}
			if err := b.Verify(items[i].Context, items[i].Race); err != nil {
				return fmt.Errorf("unbatched verification: ballot %d: %w", i, err)
			}
			return nil
		})
	})
}

// ParseCPUUs returns the CPU time in µs of parsing one ballot, on one
// goroutine.
func ParseCPUUs(items []ballot.Item, raws [][]byte) (float64, error) {
	r, err := measure(len(items), time.Now, func() error {
		_, err := parseAll(items, raws, 1)
		return err
	})
	return r.CPUUs, err
}

// MSMTermNs returns the CPU time in ns of one term of a variable-time
// multi-scalar multiplication of n terms with random full-size scalars and
// points, repeated on one goroutine for at least d of CPU time.
func MSMTermNs(n int, d time.Duration) float64 {
	scalars := make([]*ristretto255.Scalar, n)
	points := make([]*ristretto255.Element, n)
	var buf [64]byte
	for i := range scalars {
		_, _ = rand.Read(buf[:])
		scalars[i] = ristretto255.NewScalar().FromUniformBytes(buf[:])
		_, _ = rand.Read(buf[:])
		points[i] = ristretto255.NewElement().ScalarBaseMult(ristretto255.NewScalar().FromUniformBytes(buf[:]))
	}
	reps, start := 0, cpuTime()
	for reps == 0 || cpuTime()-start < d {
		for range 10 {
			ristretto255.NewElement().VarTimeMultiScalarMult(scalars, points)
		}
		reps += 10
	}
	return float64((cpuTime() - start).Nanoseconds()) / float64(reps*n)
}

// Chromium returns the Chromium binary to time the browser's cast with:
// $FOLKMOOT_CHROMIUM, else "chromium" on the PATH, else "".
func Chromium() string {
	if bin := os.Getenv("FOLKMOOT_CHROMIUM"); bin != "" {
		return bin
	}
	bin, _ := exec.LookPath("chromium")
	return bin
}

// sortedKeys returns m's keys in increasing order.
func sortedKeys[V any](m map[int]V) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// SecretWorkload is a community with a secret 5-choice single-choice
// proposal whose 3-of-5 election key was made by its trustees' own
// transactions (commitments, then sealed shares), voting open, and one
// signed secret ballot from each member, ready to be applied in blocks.
type SecretWorkload struct {
	state    *core.State
	proposal *core.Proposal
	at       time.Time
	ballots  [][]byte // signed transactions
	items    []ballot.Item
	raws     [][]byte
	block    int
}

// NewSecretWorkload builds the community (max(members, 5) members, the
// first five its trustees) and casts one ballot per member on all CPUs.
func NewSecretWorkload(members, blockSize int) (*SecretWorkload, error) {
	ms := make([]*coretest.Member, max(members, 5))
	for i := range ms {
		ms[i] = coretest.NewMember(fmt.Sprintf("voter %d", i))
	}
	g := coretest.Genesis(ms...)
	g.Constitution.Secret.KeyPeriod.Duration = 20 * time.Second
	g.Constitution.Secret.DecryptPeriod.Duration = 30 * time.Second
	s, err := core.New(coretest.ChainID, coretest.GenesisTime, coretest.AppState(g))
	if err != nil {
		return nil, fmt.Errorf("secret workload: genesis: %w", err)
	}
	w := &SecretWorkload{state: s, at: coretest.GenesisTime, block: blockSize}
	opens := w.at.Add(time.Second + 40*time.Second)
	if err := w.apply(time.Second, ms[0].Sign(&tx.Propose{Title: "Where should the bridge go?", Body: "Pick one.",
		Category: "general", Opens: opens.Unix(), Closes: opens.Add(24 * time.Hour).Unix(), Secret: true,
		Options: []string{"north", "south", "east", "west", "nowhere"}, Trustees: []uint32{1, 2, 3, 4, 5}})); err != nil {
		return nil, err
	}
	id := uint64(len(s.Proposals()))
	p, _ := s.Proposal(id)
	w.proposal = p
	if p.Secret == nil || p.Secret.Threshold != 3 {
		return nil, fmt.Errorf("secret workload: proposal %d is not a 3-of-5 secret vote", id)
	}

	// The key generation, as trustees' devices make it (internal/trustee).
	secrets := make([]*trustee.Secret, 5)
	recipients := map[int]string{}
	var commits [][]byte
	for i := range secrets {
		sec, err := trustee.New(fmt.Sprintf("%s/proposal/%d", coretest.ChainID, id), i+1, 3, 5, rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("secret workload: %w", err)
		}
		rcp, err := sec.Recipient()
		if err != nil {
			return nil, fmt.Errorf("secret workload: %w", err)
		}
		cms, err := sec.Commitments()
		if err != nil {
			return nil, fmt.Errorf("secret workload: %w", err)
		}
		secrets[i], recipients[i+1] = sec, rcp
		commits = append(commits, ms[i].Sign(&tx.TrusteeCommit{Proposal: id, Recipient: rcp, Commitments: cms}))
	}
	if err := w.apply(time.Second, commits...); err != nil {
		return nil, err
	}
	var shares [][]byte
	for i, sec := range secrets {
		sealed, err := sec.Seal(recipients)
		if err != nil {
			return nil, fmt.Errorf("secret workload: %w", err)
		}
		var out []tx.SealedShare
		for _, j := range sortedKeys(sealed) {
			out = append(out, tx.SealedShare{To: uint32(j), Sealed: sealed[j]})
		}
		shares = append(shares, ms[i].Sign(&tx.TrusteeShares{Proposal: id, Shares: out}))
	}
	if err := w.apply(time.Second, shares...); err != nil {
		return nil, err
	}
	if err := w.apply(opens.Sub(w.at)); err != nil {
		return nil, err
	}
	if p.Status != core.Open || len(p.Secret.Key) != ballot.PointSize || len(p.Secret.Qualified) != 5 {
		return nil, fmt.Errorf("secret workload: after the key generation proposal %d is %v with %d qualified trustees", id, p.Status, len(p.Secret.Qualified))
	}

	// One ballot per member, cast on all CPUs.
	race := p.Secret.Race()
	if race != benchRace {
		return nil, fmt.Errorf("secret workload: race %+v, want %+v", race, benchRace)
	}
	w.ballots = make([][]byte, members)
	w.items = make([]ballot.Item, members)
	w.raws = make([][]byte, members)
	err = forEach(members, runtime.GOMAXPROCS(0), func(i int) error {
		ctx := s.BallotContext(p, ms[i].Key)
		votes := make([]int, race.Choices)
		votes[i*7%race.Choices] = 1
		b, err := ballot.Cast(ctx, race, votes, rand.Reader)
		if err != nil {
			return fmt.Errorf("secret workload: cast: %w", err)
		}
		w.items[i], w.raws[i] = ballot.Item{Context: ctx, Race: race, Ballot: b}, b.Bytes()
		w.ballots[i] = ms[i].Sign(&tx.SecretBallot{Proposal: id, Ballot: b.Bytes()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

// Items returns the ballots with their contexts, already parsed.
func (w *SecretWorkload) Items() []ballot.Item { return w.items }

// BallotBytes returns the ballots' bytes, as their transactions carry them.
func (w *SecretWorkload) BallotBytes() [][]byte { return w.raws }

// apply applies txs in a block d after the previous one and fails unless
// every transaction is accepted.
func (w *SecretWorkload) apply(d time.Duration, txs ...[]byte) error {
	w.at = w.at.Add(d)
	h := w.state.Height() + 1
	res, err := w.state.ApplyBlock(core.Block{Height: h, Time: w.at, Txs: txs}, 0)
	if err != nil {
		return fmt.Errorf("block %d: %w", h, err)
	}
	for i, r := range res.Txs {
		if r.Code != 0 {
			return fmt.Errorf("block %d: transaction %d refused: %s", h, i, r.Log)
		}
	}
	return nil
}

// Apply applies the ballots in blocks and returns the ballots applied per
// second. It can be called once.
func (w *SecretWorkload) Apply(clock func() time.Time) (Rate, error) {
	if w.ballots == nil {
		return Rate{}, errors.New("secret workload: ballots already applied")
	}
	n := len(w.ballots)
	r, err := measure(n, clock, func() error {
		for lo := 0; lo < n; lo += w.block {
			if err := w.apply(time.Second, w.ballots[lo:min(lo+w.block, n)]...); err != nil {
				return fmt.Errorf("apply secret ballots: %w", err)
			}
		}
		return nil
	})
	if err != nil {
		return r, err
	}
	if got := len(w.proposal.Secret.Ballots); got != n {
		return r, fmt.Errorf("apply secret ballots: %d counted of %d", got, n)
	}
	w.ballots = nil
	return r, nil
}

// TallyTimes are the results of Tally.
type TallyTimes struct {
	Seconds          float64 // sum of decoded ballots, verification, combination
	CPUSeconds       float64 // the CPU time of the same
	FromBytesSeconds float64 // the same with the sum made from bytes
	FromBytesCPU     float64 // the CPU time of the same, seconds
}

// Tally measures the tally of n 5-choice single-choice ballots under a
// 3-of-5 key made by a real key generation (ballot.NewDealer, shares
// checked against the commitments): the sum, the verification of the
// partial decryptions of trustees 1, 3 and 5 (their making is not
// counted), the dlog table and the combination; it checks the counts.
// The ballots' ciphertexts are made cheaply (their proofs are not needed
// by the tally): choice i of ballot k encrypts the vote with randomness
// r_i + k, r_i random, so each ballot is the previous one plus (G, X) on
// every choice, plus or minus G where the vote moves.
func Tally(n int, clock func() time.Time) (TallyTimes, error) {
	var out TallyTimes
	const t, nt, choices = 3, 5, 5
	dealers := make([]*ballot.Dealer, nt)
	cms := make([]ballot.Commitments, nt)
	for i := range dealers {
		d, err := ballot.NewDealer(i+1, t, nt, rand.Reader)
		if err != nil {
			return out, fmt.Errorf("tally: %w", err)
		}
		dealers[i], cms[i] = d, d.Commitments()
	}
	X, err := ballot.JointKey(t, cms)
	if err != nil {
		return out, fmt.Errorf("tally: %w", err)
	}
	trustees := make([]ballot.Trustee, nt)
	for j := 1; j <= nt; j++ {
		var shares []*ristretto255.Scalar
		for i, d := range dealers {
			s, err := d.Share(j)
			if err != nil {
				return out, fmt.Errorf("tally: %w", err)
			}
			if err := cms[i].VerifyShare(j, s); err != nil {
				return out, fmt.Errorf("tally: %w", err)
			}
			shares = append(shares, s)
		}
		trustees[j-1] = ballot.Trustee{Index: j, Share: ballot.CombineShares(shares)}
	}
	ctx := ballot.Context{ElectionID: []byte("bench-tally"), ChainID: "folkmoot-bench", PublicKey: X.Encode(nil)}

	cts, want, err := tallyCiphertexts(X, n, choices)
	if err != nil {
		return out, err
	}
	decrypt := []int{1, 3, 5}
	var cpu time.Duration
	tally := func(sum func() ([]ballot.Ciphertext, error)) (time.Duration, error) {
		cpu0, start := cpuTime(), clock()
		agg, err := sum()
		if err != nil {
			return 0, fmt.Errorf("tally: %w", err)
		}
		took := clock().Sub(start)
		cpu = cpuTime() - cpu0
		parts := make([]*ballot.PartialDecryption, len(decrypt))
		for k, j := range decrypt {
			if parts[k], err = trustees[j-1].Decrypt(ctx, agg, rand.Reader); err != nil {
				return 0, fmt.Errorf("tally: trustee %d: %w", j, err)
			}
		}
		cpu0, start = cpuTime(), clock()
		for k, j := range decrypt {
			if err := parts[k].Verify(ctx, agg, ballot.VerificationKey(cms, j)); err != nil {
				return 0, fmt.Errorf("tally: trustee %d: %w", j, err)
			}
		}
		table, err := ballot.NewDlogTable(uint64(n))
		if err != nil {
			return 0, fmt.Errorf("tally: %w", err)
		}
		counts, err := ballot.Combine(agg, parts, t, table)
		if err != nil {
			return 0, fmt.Errorf("tally: %w", err)
		}
		took, cpu = took+clock().Sub(start), cpu+cpuTime()-cpu0
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			return 0, fmt.Errorf("tally: counts %v, want %v", counts, want)
		}
		return took, nil
	}
	d, err := tally(func() ([]ballot.Ciphertext, error) { return ballot.Sum(choices, cts) })
	if err != nil {
		return out, err
	}
	out.Seconds, out.CPUSeconds = d.Seconds(), cpu.Seconds()

	stored := make([][]byte, n)
	for k, row := range cts {
		for _, c := range row {
			stored[k] = append(stored[k], c.Bytes()...)
		}
	}
	cts = nil
	d, err = tally(func() ([]ballot.Ciphertext, error) {
		agg := make([]ballot.Ciphertext, choices)
		for i := range agg {
			agg[i] = ballot.ZeroCiphertext()
		}
		for _, raw := range stored {
			for i := range agg {
				c, err := ballot.ParseCiphertext(raw[i*ballot.CiphertextSize : (i+1)*ballot.CiphertextSize])
				if err != nil {
					return nil, err
				}
				agg[i] = agg[i].Add(c)
			}
		}
		return agg, nil
	})
	if err != nil {
		return out, err
	}
	out.FromBytesSeconds, out.FromBytesCPU = d.Seconds(), cpu.Seconds()
	return out, nil
}

// tallyCiphertexts returns n ballots of the given number of choices under
// key X (see Tally) and the count of each choice.
func tallyCiphertexts(X *ristretto255.Element, n, choices int) ([][]ballot.Ciphertext, []uint64, error) {
	G := ristretto255.NewElement().Base()
	var buf [64]byte
	cur := make([]ballot.Ciphertext, choices)
	for i := range cur {
		if _, err := rand.Read(buf[:]); err != nil {
			return nil, nil, fmt.Errorf("tally ciphertexts: %w", err)
		}
		cur[i] = ballot.Encrypt(X, 0, ristretto255.NewScalar().FromUniformBytes(buf[:]))
	}
	want := make([]uint64, choices)
	out := make([][]ballot.Ciphertext, n)
	prev := -1
	for k := range out {
		vote := k * 7 % choices
		row := make([]ballot.Ciphertext, choices)
		for i := range cur {
			a := ristretto255.NewElement().Add(cur[i].A, G)
			b := ristretto255.NewElement().Add(cur[i].B, X)
			switch i {
			case vote:
				if i != prev {
					b.Add(b, G)
				}
			case prev:
				b.Subtract(b, G)
			}
			cur[i] = ballot.Ciphertext{A: a, B: b}
			row[i] = cur[i]
		}
		prev = vote
		want[vote]++
		out[k] = row
	}
	return out, want, nil
}
