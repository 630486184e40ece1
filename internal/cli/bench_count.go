package cli

import (
	"compress/gzip"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/spf13/cobra"

	"github.com/folkmoot/folkmoot/internal/count"
	"github.com/folkmoot/folkmoot/internal/count/counttest"
	"github.com/folkmoot/folkmoot/internal/count/formats"
)

// countFigures are the figures "folkmoot bench count" prints. Each *_s is
// the wall time to aggregate the ballots into a profile and count them
// (generation of the synthetic ballots is not timed); *_count_s is the count
// alone.
type countFigures struct {
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

type benchCountOptions struct {
	irv, schulze, stv int
	mesFile           string
}

func newBenchCountCmd(s *Streams) *cobra.Command {
	var o benchCountOptions
	var output string
	c := &cobra.Command{
		Use:   "count",
		Short: "Measure the counting methods: IRV, Schulze, STV on synthetic ballots, MES on a real Pabulib instance",
		Example: `  folkmoot bench count --output json
  folkmoot bench count --irv-ballots 100000 --mes-file testdata/count/Poland_Lodz_2022.pb.gz`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := checkOutput(output); err != nil {
				return err
			}
			f, err := benchCount(o, func(format string, a ...any) { fmt.Fprintf(s.Err, format+"\n", a...) })
			if err != nil {
				return fmt.Errorf("bench count: %w", err)
			}
			if output == "json" {
				return json.NewEncoder(s.Out).Encode(f)
			}
			fmt.Fprintf(s.Out, "machine   %d CPUs\n", f.CPUs)
			fmt.Fprintf(s.Out, "irv       %.3f s  (%d ballots x 10 candidates, %d distinct; count alone %.3f s)\n", f.IRVS, f.IRVBallots, f.IRVDistinct, f.IRVCountS)
			fmt.Fprintf(s.Out, "schulze   %.3f s  (%d ballots x 20 candidates, %d distinct; count alone %.3f s)\n", f.SchulzeS, f.SchulzeBallots, f.SchulzeDistinct, f.SchulzeCountS)
			fmt.Fprintf(s.Out, "stv       %.3f s  (%d ballots x 30 candidates, 5 seats, %d distinct, %d stages; count alone %.3f s)\n", f.STVS, f.STVBallots, f.STVDistinct, f.STVStages, f.STVCountS)
			fmt.Fprintf(s.Out, "mes       %.3f s  (%s: %d voters, %d projects, %d add-one steps; reading %.3f s)\n", f.MESS, f.MESInstance, f.MESVoters, f.MESProjects, f.MESIncrements, f.MESReadS)
			return nil
		},
	}
	outputFlag(c, &output)
	c.Flags().IntVar(&o.irv, "irv-ballots", 1_000_000, "IRV ballots (10 candidates)")
	c.Flags().IntVar(&o.schulze, "schulze-ballots", 1_000_000, "Schulze ballots (20 candidates)")
	c.Flags().IntVar(&o.stv, "stv-ballots", 100_000, "STV ballots (30 candidates, 5 seats)")
	c.Flags().StringVar(&o.mesFile, "mes-file", "testdata/count/Poland_Lodz_2022.pb.gz", "Pabulib instance for MES (.pb or .pb.gz)")
	return c
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

func benchCount(o benchCountOptions, progress func(string, ...any)) (*countFigures, error) {
	f := &countFigures{CPUs: runtime.NumCPU()}
	ranked := func(name string, r counttest.Ranked, run func(*count.Profile) error) (total, countOnly float64, distinct int, err error) {
		progress("%s: generating %d ballots over %d candidates", name, r.Voters, r.Candidates)
		fb, err := generate(r)
		if err != nil {
			return 0, 0, 0, err
		}
		runtime.GC()
		t0 := time.Now()
		p, err := fb.profile(r.Candidates)
		if err != nil {
			return 0, 0, 0, err
		}
		t1 := time.Now()
		if err := run(p); err != nil {
			return 0, 0, 0, err
		}
		t2 := time.Now()
		progress("%s: %.3f s (%d distinct ballots)", name, t2.Sub(t0).Seconds(), len(p.Ballots))
		return t2.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), len(p.Ballots), nil
	}
	var err error
	f.IRVBallots = o.irv
	f.IRVS, f.IRVCountS, f.IRVDistinct, err = ranked("irv", counttest.Ranked{Seed: 1, Voters: o.irv, Candidates: 10, Spread: 2}, func(p *count.Profile) error {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		f.HeapMiB = float64(ms.HeapAlloc) / (1 << 20)
		_, err := count.IRV(p, count.Options{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("irv: %w", err)
	}
	f.SchulzeBallots = o.schulze
	f.SchulzeS, f.SchulzeCountS, f.SchulzeDistinct, err = ranked("schulze", counttest.Ranked{Seed: 2, Voters: o.schulze, Candidates: 20, Spread: 2}, func(p *count.Profile) error {
		_, err := count.Schulze(p, count.Options{})
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("schulze: %w", err)
	}
	f.STVBallots = o.stv
	f.STVS, f.STVCountS, f.STVDistinct, err = ranked("stv", counttest.Ranked{Seed: 3, Voters: o.stv, Candidates: 30, Spread: 4}, func(p *count.Profile) error {
		r, err := count.STV(p, count.Options{Seats: 5})
		if err == nil {
			f.STVStages = len(r.Stages)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("stv: %w", err)
	}
	if o.mesFile != "" {
		progress("mes: %s", o.mesFile)
		t0 := time.Now()
		e, err := readPBFile(o.mesFile)
		if err != nil {
			return nil, fmt.Errorf("mes: %w", err)
		}
		t1 := time.Now()
		r, err := count.MES(e, count.MESOptions{Utility: count.CostUtility, Add1: true})
		if err != nil {
			return nil, fmt.Errorf("mes: %w", err)
		}
		f.MESReadS = t1.Sub(t0).Seconds()
		f.MESS = time.Since(t1).Seconds()
		f.MESInstance = filepath.Base(o.mesFile)
		f.MESVoters = e.NumVoters()
		f.MESProjects = len(e.Projects)
		f.MESIncrements = r.Increments
	}
	return f, nil
}

func readPBFile(path string) (*count.PBElection, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	var r io.Reader = fh
	if filepath.Ext(path) == ".gz" {
		z, err := gzip.NewReader(fh)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		r = z
	}
	e, err := formats.ReadPabulib(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return e, nil
}
