package sortition

import (
	"errors"
	"fmt"
	"math"
	"slices"

	"gonum.org/v1/gonum/floats"
	"gonum.org/v1/gonum/mat"
)

// column is one column of a linear program in equality form: its nonzero
// entries by row, and its cost.
type column struct {
	rows []int
	vals []float64
	cost float64
}

// revised is a revised primal simplex for min c·x, Ax = b, x ≥ 0, with the
// basis inverse kept dense and updated by pivots (refactorised with gonum
// every refactorEvery pivots), Dantzig's rule (ties to the lower column)
// and Bland's rule on degenerate pivots, so that it cannot cycle. Columns
// may be appended between solves; the basis stays feasible, which is what
// column generation needs. Its arithmetic is a fixed sequence of float64
// operations, so the same inputs give the same result.
type revised struct {
	m      int
	b      []float64
	cols   []column
	basis  []int     // column in each basic position
	pos    []int     // basic position of each column, −1 if nonbasic
	binv   []float64 // m×m, row-major
	xb     []float64
	pivots int
	// sinceRefactor counts pivots since the inverse was last computed.
	sinceRefactor int
}

const (
	refactorEvery = 1000
	blandAfter    = 50
	residualTol   = 1e-7
	pivotTol      = 1e-9
	harrisTol     = 1e-9
	costTol       = 1e-10
	maxPivots     = 1_000_000
)

var errUnbounded = errors.New("linear program unbounded")

// newRevised starts from the given basis (one column per row), which must
// be feasible for b.
func newRevised(m int, b []float64, cols []column, basis []int) (*revised, error) {
	s := &revised{m: m, b: b, cols: cols, basis: basis}
	s.pos = make([]int, len(cols))
	for i := range s.pos {
		s.pos[i] = -1
	}
	for i, j := range basis {
		s.pos[j] = i
	}
	if err := s.refactor(); err != nil {
		return nil, err
	}
	for _, v := range s.xb {
		if v < -1e-9 {
			return nil, errors.New("initial basis infeasible")
		}
	}
	return s, nil
}

// add appends a column, nonbasic.
func (s *revised) add(c column) {
	s.cols = append(s.cols, c)
	s.pos = append(s.pos, -1)
}

// refactor recomputes the basis inverse and the basic values from scratch.
func (s *revised) refactor() error {
	B := mat.NewDense(s.m, s.m, nil)
	for i, j := range s.basis {
		c := s.cols[j]
		for k, r := range c.rows {
			B.Set(r, i, c.vals[k])
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(B); err != nil {
		var cond mat.Condition
		if !errors.As(err, &cond) || math.IsInf(float64(cond), 1) {
			return fmt.Errorf("basis singular: %w", err)
		}
		// Ill-conditioned but invertible: the inverse is still used.
	}
	s.binv = make([]float64, s.m*s.m)
	for i := range s.m {
		for j := range s.m {
			s.binv[i*s.m+j] = inv.At(i, j)
		}
	}
	s.sinceRefactor = 0
	s.xb = make([]float64, s.m)
	for i := range s.m {
		v := 0.0
		for j := range s.m {
			v += s.binv[i*s.m+j] * s.b[j]
		}
		s.xb[i] = v
	}
	return nil
}

// duals returns π = c_B B⁻¹.
func (s *revised) duals() []float64 {
	pi := make([]float64, s.m)
	for i, j := range s.basis {
		cb := s.cols[j].cost
		if cb == 0 {
			continue
		}
		row := s.binv[i*s.m : (i+1)*s.m]
		for k := range pi {
			pi[k] += cb * row[k]
		}
	}
	return pi
}

func (s *revised) reduced(j int, pi []float64) float64 {
	c := s.cols[j]
	d := c.cost
	for k, r := range c.rows {
		d -= pi[r] * c.vals[k]
	}
	return d
}

// solve pivots to optimality and returns the duals.
func (s *revised) solve() ([]float64, error) {
	alpha := make([]float64, s.m)
	degenerate := false // Bland's rule for this pivot
	run := 0            // consecutive degenerate pivots
	for {
		if s.pivots > maxPivots {
			return nil, errors.New("simplex pivot limit reached")
		}
		pi := s.duals()
		q, best := -1, -costTol
		for j := range s.cols {
			if s.pos[j] >= 0 {
				continue
			}
			d := s.reduced(j, pi)
			if degenerate {
				if d < -costTol {
					q = j
					break
				}
			} else if d < best {
				q, best = j, d
			}
		}
		if q < 0 {
			if s.sinceRefactor == 0 || s.residual() <= residualTol {
				return pi, nil
			}
			// The updated inverse has drifted: confirm on a fresh one.
			if err := s.refactor(); err != nil {
				return nil, err
			}
			continue
		}
		c := s.cols[q]
		for i := range s.m {
			v := 0.0
			row := s.binv[i*s.m : (i+1)*s.m]
			for k, r := range c.rows {
				v += row[r] * c.vals[k]
			}
			alpha[i] = v
		}
		// Harris's two-pass ratio test: the largest pivot among the rows
		// whose ratio is within harrisTol of the least, for stability.
		theta := math.Inf(1)
		for i := range s.m {
			if alpha[i] > pivotTol {
				theta = min(theta, (max(s.xb[i], 0)+harrisTol)/alpha[i])
			}
		}
		r, ratio := -1, 0.0
		for i := range s.m {
			if alpha[i] <= pivotTol {
				continue
			}
			t := max(s.xb[i], 0) / alpha[i]
			if degenerate {
				// Bland's rule: the least ratio, ties to the lowest column.
				if r < 0 || t < ratio || (t == ratio && s.basis[i] < s.basis[r]) {
					r, ratio = i, t
				}
				continue
			}
			if t <= theta && (r < 0 || alpha[i] > alpha[r] || (alpha[i] == alpha[r] && s.basis[i] < s.basis[r])) {
				r, ratio = i, t
			}
		}
		ratio = max(ratio, 0)
		if r < 0 {
			return nil, errUnbounded
		}
		if ratio <= 1e-12 {
			run++
		} else {
			run = 0
		}
		degenerate = run > blandAfter
		s.pivot(r, q, alpha, ratio)
	}
}

func (s *revised) pivot(r, q int, alpha []float64, ratio float64) {
	m := s.m
	for i := range m {
		if i != r {
			s.xb[i] -= ratio * alpha[i]
		}
	}
	s.xb[r] = ratio
	prow := s.binv[r*m : (r+1)*m]
	inv := 1 / alpha[r]
	for k := range prow {
		prow[k] *= inv
	}
	for i := range m {
		if i == r || alpha[i] == 0 {
			continue
		}
		// Elementwise y −= a·x (gonum's kernel; no reassociation).
		floats.AddScaled(s.binv[i*m:(i+1)*m], -alpha[i], prow)
	}
	s.pos[s.basis[r]] = -1
	s.basis[r] = q
	s.pos[q] = r
	s.pivots++
	s.sinceRefactor++
	if s.sinceRefactor >= refactorEvery {
		// A failed refactorisation leaves the updated inverse in place,
		// which is what the pivots produced.
		_ = s.refactor()
	}
}

// value returns x_j.
func (s *revised) value(j int) float64 {
	if p := s.pos[j]; p >= 0 {
		return max(s.xb[p], 0)
	}
	return 0
}

// residual is the largest |(B·x_B − b)_i|: how far the updated basic
// solution has drifted from the one a fresh inverse would give.
func (s *revised) residual() float64 {
	r := slices.Clone(s.b)
	for i, j := range s.basis {
		c := s.cols[j]
		for k, row := range c.rows {
			r[row] -= c.vals[k] * s.xb[i]
		}
	}
	worst := 0.0
	for _, v := range r {
		worst = max(worst, math.Abs(v))
	}
	return worst
}
