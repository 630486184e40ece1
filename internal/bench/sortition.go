package bench

import (
	"fmt"
	"runtime"
	"time"

	"github.com/folkmoot/folkmoot/internal/sortition"
)

// SortitionOptions size `folkmoot bench sortition`.
type SortitionOptions struct {
	// Volunteers and Seats size the LEXIMIN instance
	// (sortition.SyntheticInstance: four features, 25 quota cells).
	Volunteers, Seats int
	// Members and Drawn size the uniform draw.
	Members, Drawn int
	// GreedyRuns estimate the greedy method's chances, for comparison.
	GreedyRuns int
}

// SortitionFigures are the figures of `folkmoot bench sortition`.
type SortitionFigures struct {
	CPUs     int    `json:"cpus"`
	CPUModel string `json:"cpu_model"`
	// LeximinS is the wall time of LEXIMIN on the instance, LeximinCPUS its
	// CPU time (the machine may be shared).
	LeximinS          float64 `json:"leximin_s"`
	LeximinCPUS       float64 `json:"leximin_cpu_s"`
	LeximinVolunteers int     `json:"leximin_volunteers"`
	LeximinSeats      int     `json:"leximin_seats"`
	LeximinPanels     int     `json:"leximin_panels"`
	LeximinMinChance  float64 `json:"leximin_min_chance"`
	GreedyMinChance   float64 `json:"greedy_min_chance"`
	// DrawMS is a uniform draw of Drawn of Members, in milliseconds (mean of
	// several); StratifiedDrawMS a draw from the LEXIMIN lottery.
	DrawMS           float64 `json:"draw_ms"`
	DrawMembers      int     `json:"draw_members"`
	DrawSeats        int     `json:"draw_seats"`
	StratifiedDrawMS float64 `json:"stratified_draw_ms"`
	LoadAvg1m        float64 `json:"load_avg_1m"`
}

// Sortition measures LEXIMIN and the draws.
func Sortition(o SortitionOptions) (SortitionFigures, error) {
	f := SortitionFigures{CPUs: runtime.NumCPU(), CPUModel: CPUModel(), LeximinVolunteers: o.Volunteers, LeximinSeats: o.Seats,
		DrawMembers: o.Members, DrawSeats: o.Drawn, LoadAvg1m: loadAverage()}
	in := sortition.SyntheticInstance(1, o.Volunteers, o.Seats)
	c0, t0 := cpuTime(), time.Now()
	dist, err := sortition.Leximin(in)
	if err != nil {
		return f, fmt.Errorf("leximin: %w", err)
	}
	f.LeximinS, f.LeximinCPUS = time.Since(t0).Seconds(), (cpuTime() - c0).Seconds()
	f.LeximinPanels = len(dist.Panels)
	f.LeximinMinChance = minProbability(dist.Probabilities)
	if o.GreedyRuns > 0 {
		g, err := sortition.GreedyProbabilities([32]byte{7}, in, o.GreedyRuns)
		if err != nil {
			return f, fmt.Errorf("greedy: %w", err)
		}
		f.GreedyMinChance = minProbability(g)
	}
	members := make([]uint32, o.Members)
	for i := range members {
		members[i] = uint32(i + 1)
	}
	const reps = 20
	t0 = time.Now()
	for i := range reps {
		if _, err := sortition.Uniform([32]byte{byte(i)}, members, o.Drawn); err != nil {
			return f, fmt.Errorf("uniform draw: %w", err)
		}
	}
	f.DrawMS = float64(time.Since(t0).Microseconds()) / 1000 / reps
	t0 = time.Now()
	for i := range reps {
		if _, err := dist.Draw([32]byte{byte(i)}); err != nil {
			return f, fmt.Errorf("stratified draw: %w", err)
		}
	}
	f.StratifiedDrawMS = float64(time.Since(t0).Microseconds()) / 1000 / reps
	return f, nil
}

func minProbability(ps []sortition.MemberProbability) float64 {
	m := 1.0
	for _, p := range ps {
		m = min(m, p.Probability)
	}
	return m
}
