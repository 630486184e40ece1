package bench

import (
	"fmt"
	"path/filepath"
	"runtime"
	"time"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/count/counttest"
	"github.com/folkmoot/folkmoot/internal/count/formats"
)

// CountFigures are the results of the count benchmark. Each *_s is
// the wall time to aggregate the ballots into a profile and count them
// (generation of the synthetic ballots is not timed); *_count_s is the count
// alone.
type CountFigures struct {
	CPUs            int     `json:"cpus"`
	IRVBallots      int     `json:"irv_ballots"`
	IRVDistinct     int     `json:"irv_distinct"`
	IRVS            float64 `json:"irv_s"`
	IRVCountS       float64 `json:"irv_count_s"`
	SchulzeBallots  int     `json:"schulze_ballots"`
	SchulzeDistinct int     `json:"schulze_distinct"`
	SchulzeS        float64 `json:"schulze_s"`
	SchulzeCountS   float64 `json:"schulze_count_s"`
	STVBallots      int     `json:"stv_ballots"`
	STVDistinct     int     `json:"stv_distinct"`
	STVS            float64 `json:"stv_s"`
	STVCountS       float64 `json:"stv_count_s"`
	STVStages       int     `json:"stv_stages"`
	MESInstance     string  `json:"mes_instance"`
	MESVoters       uint64  `json:"mes_voters"`
	MESProjects     int     `json:"mes_projects"`
	MESS            float64 `json:"mes_s"`
	MESReadS        float64 `json:"mes_read_s"`
	MESIncrements   uint64  `json:"mes_increments"`
	HeapMiB         float64 `json:"irv_heap_mib"`
}

// CountOptions size the count benchmark.
type CountOptions struct {
	IRV, Schulze, STV int // ballots for each method (10, 20 and 30 candidates)
	// MESFile is a Pabulib instance (.pb or .pb.gz) for MES; "" skips it.
	MESFile  string
	Progress func(format string, args ...any)
}

// flatBallots holds generated rankings back to back, so that timing covers
// aggregation and counting, not generation.
type flatBallots struct {
	cands []int
	ends  []int
}

func generate(r counttest.Ranked) (*flatBallots, error) {
	f := &flatBallots{}
	err := r.Each(func(o []int) error {
		f.cands = append(f.cands, o...)
		f.ends = append(f.ends, len(f.cands))
		return nil
	})
	return f, err
}

func (f *flatBallots) profile(n int) (*count.Profile, error) {
	names := make([]string, n)
	for i := range names {
		names[i] = fmt.Sprintf("C%d", i+1)
	}
	b, err := count.NewBuilder(names)
	if err != nil {
		return nil, err
	}
	start := 0
	for _, end := range f.ends {
		if err := b.Add(f.cands[start:end], nil, 1); err != nil {
			return nil, err
		}
		start = end
	}
	return b.Profile(), nil
}

// Count runs the count benchmark: IRV, Schulze and STV on synthetic
// ballots (generation not timed), and MES on a real Pabulib instance. The
// clock measures only.
func Count(o CountOptions, clock func() time.Time) (*CountFigures, error) {
	progress := o.Progress
	if progress == nil {
		progress = func(string, ...any) {}
	}
	f := &CountFigures{CPUs: runtime.NumCPU()}
	ranked := func(name string, r counttest.Ranked, run func(*count.Profile) error) (total, countOnly float64, distinct int, err error) {
		progress("%s: generating %d ballots over %d candidates", name, r.Voters, r.Candidates)
		fb, err := generate(r)
		if err != nil {
			return 0, 0, 0, err
		}
		runtime.GC()
		t0 := clock()
		p, err := fb.profile(r.Candidates)
		if err != nil {
			return 0, 0, 0, err
		}
		t1 := clock()
		if err := run(p); err != nil {
			return 0, 0, 0, err
		}
		t2 := clock()
		progress("%s: %.3f s (%d distinct ballots)", name, t2.Sub(t0).Seconds(), len(p.Ballots))
		return t2.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), len(p.Ballots), nil
	}
	var err error
	f.IRVBallots = o.IRV
	f.IRVS, f.IRVCountS, f.IRVDistinct, err = ranked("irv", counttest.Ranked{Seed: 1, Voters: o.IRV, Candidates: 10, Spread: 2}, func(p *count.Profile) error {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		f.HeapMiB = float64(ms.HeapAlloc) / (1 << 20)
		_, err := count.IRV(p, count.Options{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("irv: %w", err)
	}
	f.SchulzeBallots = o.Schulze
	f.SchulzeS, f.SchulzeCountS, f.SchulzeDistinct, err = ranked("schulze", counttest.Ranked{Seed: 2, Voters: o.Schulze, Candidates: 20, Spread: 2}, func(p *count.Profile) error {
		_, err := count.Schulze(p, count.Options{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("schulze: %w", err)
	}
	f.STVBallots = o.STV
	f.STVS, f.STVCountS, f.STVDistinct, err = ranked("stv", counttest.Ranked{Seed: 3, Voters: o.STV, Candidates: 30, Spread: 4}, func(p *count.Profile) error {
		r, err := count.STV(p, count.Options{Seats: 5})
		if err == nil {
			f.STVStages = len(r.Stages)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("stv: %w", err)
	}
	if o.MESFile != "" {
		progress("mes: %s", o.MESFile)
		t0 := clock()
		e, err := readPBFile(o.MESFile)
		if err != nil {
			return nil, fmt.Errorf("mes: %w", err)
		}
		t1 := clock()
		r, err := count.MES(e, count.MESOptions{Utility: count.CostUtility, Add1: true})
		if err != nil {
			return nil, fmt.Errorf("mes: %w", err)
		}
		f.MESReadS = t1.Sub(t0).Seconds()
		f.MESS = clock().Sub(t1).Seconds()
		f.MESInstance = filepath.Base(o.MESFile)
		f.MESVoters = e.NumVoters()
		f.MESProjects = len(e.Projects)
		f.MESIncrements = r.Increments
	}
	return f, nil
}

func readPBFile(path string) (*count.PBElection, error) {
	f, err := formats.Open(path, formats.Pabulib)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	e, err := f.Election()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}
