package count

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"sort"
)

// Project is one project of a participatory budget.
type Project struct {
	// ID is the project's identifier in its file.
	ID string `json:"id"`
	// Name is the project's title; may be empty.
	Name string `json:"name,omitempty"`
	// Cost is what the project costs, in whole currency units.
	Cost uint64 `json:"cost"`
	// Selected is the published outcome when the file records one: 1
	// funded, 0 not funded, -1 unknown.
	Selected int `json:"selected"`
}

// PBVoter is one distinct ballot of a participatory budget and the number
// of voters who cast it.
type PBVoter struct {
	Count uint64
	// Projects lists the projects the ballot supports, by index, in the
	// order given (a ranking for ordinal ballots).
	Projects []int32
	// Points holds the points given to each of Projects (cumulative and
	// scoring ballots); nil for approval and ordinal ballots.
	Points []uint64
}

// PBElection is a participatory budgeting election: a budget, projects and
// ballots, identical ballots aggregated.
type PBElection struct {
	// Title describes the election, as given by its file.
	Title string
	// Meta holds the file's META section as key/value pairs, in order.
	Meta [][2]string
	// Budget is the money available, in whole currency units.
	Budget uint64
	// VoteType is the ballot kind: "approval", "ordinal", "cumulative",
	// "scoring" or "choose-1".
	VoteType string
	// Projects lists the projects in file order.
	Projects []Project
	// Voters holds the distinct ballots.
	Voters []PBVoter
}

// NumVoters returns the number of voters.
func (e *PBElection) NumVoters() uint64 {
	var n uint64
	for i := range e.Voters {
		n += e.Voters[i].Count
	}
	return n
}

// PBBuilder aggregates participatory budgeting ballots.
type PBBuilder struct {
	e     PBElection
	index map[string]int
	key   []byte
	seen  map[int]bool
}

// NewPBBuilder starts an election over the given projects and budget.
func NewPBBuilder(budget uint64, voteType string, projects []Project) *PBBuilder {
	return &PBBuilder{
		e:     PBElection{Budget: budget, VoteType: voteType, Projects: append([]Project(nil), projects...)},
		index: make(map[string]int),
		seen:  make(map[int]bool),
	}
}

// Add records count voters who cast this ballot. For approval ballots the
// order of projects does not matter and ballots approving the same set are
// aggregated (with their points, when given, which pair with projects);
// ordinal ballots keep their order. It rejects, wrapping
// ErrBallot, unknown or repeated projects.
func (b *PBBuilder) Add(projects []int, points []uint64, count uint64) error {
	if points != nil && len(points) != len(projects) {
		return fmt.Errorf("%w: %d points for %d projects", ErrBallot, len(points), len(projects))
	}
	clear(b.seen)
	ps := make([]int32, len(projects))
	for i, p := range projects {
		if p < 0 || p >= len(b.e.Projects) {
			return fmt.Errorf("%w: project %d does not exist", ErrBallot, p)
		}
		if b.seen[p] {
			return fmt.Errorf("%w: project %s is listed twice", ErrBallot, b.e.Projects[p].ID)
		}
		b.seen[p] = true
		ps[i] = int32(p)
	}
	var pts []uint64
	if points != nil {
		pts = append([]uint64(nil), points...)
	}
	if b.e.VoteType != "ordinal" {
		sort.Sort(byProject{ps, pts})
	}
	b.key = b.key[:0]
	for i, p := range ps {
		b.key = binary.LittleEndian.AppendUint32(b.key, uint32(p))
		if pts != nil {
			b.key = binary.LittleEndian.AppendUint64(b.key, pts[i])
		}
	}
	if i, ok := b.index[string(b.key)]; ok {
		b.e.Voters[i].Count += count
		return nil
	}
	b.index[string(b.key)] = len(b.e.Voters)
	b.e.Voters = append(b.e.Voters, PBVoter{Count: count, Projects: ps, Points: pts})
	return nil
}

// Election returns the aggregated election. The builder must not be used
// afterwards.
func (b *PBBuilder) Election() *PBElection {
	b.index = nil
	e := b.e
	return &e
}

func (e *PBElection) check() error {
	if len(e.Projects) == 0 {
		return errors.New("the election has no projects")
	}
	if e.Budget > math.MaxUint64/uint64(1<<24) {
		return fmt.Errorf("budget %d is too large", e.Budget)
	}
	for i := range e.Projects {
		if e.Projects[i].Cost > math.MaxUint64/uint64(1<<24) {
			return fmt.Errorf("project %s: cost %d is too large", e.Projects[i].ID, e.Projects[i].Cost)
		}
	}
	for i := range e.Voters {
		for _, p := range e.Voters[i].Projects {
			if p < 0 || int(p) >= len(e.Projects) {
				return fmt.Errorf("ballot %d names project %d; there are %d", i+1, p, len(e.Projects))
			}
		}
	}
	return nil
}

// PBRound is one step of a participatory budgeting rule: the project chosen
// and what it cost.
type PBRound struct {
	// Project is the project funded, by index.
	Project int `json:"project"`
	// Score is the greedy score (approvals or points) or, for MES, the
	// number of supporters who paid.
	Score uint64 `json:"score"`
	// Rho is MES's price per unit of utility, as a decimal (MES only).
	Rho string `json:"rho,omitempty"`
	// Phase is "mes" or "greedy" (the completion that fills what is left).
	Phase string `json:"phase"`
}

// PBResult is the outcome of a participatory budgeting rule.
type PBResult struct {
	// Method names the rule and its options.
	Method string `json:"method"`
	// Budget is the budget the outcome must fit in.
	Budget uint64 `json:"budget"`
	// Winners lists the funded projects in order of selection.
	Winners []int `json:"winners"`
	// Cost is the total cost of the funded projects.
	Cost uint64 `json:"cost"`
	// Scores holds each project's approvals (or points), by index.
	Scores []uint64 `json:"scores"`
	// Rounds records each selection.
	Rounds []PBRound `json:"rounds"`
	// Increments is how many times MES's add-one completion raised every
	// voter's budget by one currency unit before the outcome was kept.
	Increments uint64 `json:"increments,omitempty"`
	// Ties lists the ties broken.
	Ties []Tie `json:"ties"`
}

// scores returns each project's approvals (or points).
func (e *PBElection) scores() []uint64 {
	s := make([]uint64, len(e.Projects))
	for i := range e.Voters {
		v := &e.Voters[i]
		for j, p := range v.Projects {
			if v.Points != nil {
				s[p] += v.Count * v.Points[j]
			} else {
				s[p] += v.Count
			}
		}
	}
	return s
}

// Greedy funds projects by the greedy utilitarian rule that most cities use
// (Pabulib's "greedy"; Faliszewski et al., "Participatory Budgeting: Data,
// Tools and Analysis", IJCAI 2023, §2): projects are taken in order of
// score, most first, and each is funded if its cost fits in what is left of
// the budget, otherwise skipped. The score is the number of voters who
// approve (or rank) the project, or for cumulative and scoring ballots the
// points it received. Equal scores are ordered by lower cost, then by file
// order; a tie that decided whether a project was funded is recorded.
func Greedy(e *PBElection) (*PBResult, error) {
	if err := e.check(); err != nil {
		return nil, fmt.Errorf("greedy: %w", err)
	}
	r := &PBResult{Method: "greedy", Budget: e.Budget, Scores: e.scores()}
	order := make([]int, len(e.Projects))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(i, j int) bool {
		a, b := order[i], order[j]
		if r.Scores[a] != r.Scores[b] {
			return r.Scores[a] > r.Scores[b]
		}
		return e.Projects[a].Cost < e.Projects[b].Cost
	})
	left := e.Budget
	for k, p := range order {
		c := e.Projects[p].Cost
		if c > left {
			continue
		}
		if k+1 < len(order) && r.Scores[order[k+1]] == r.Scores[p] && e.Projects[order[k+1]].Cost == c && left-c < e.Projects[order[k+1]].Cost {
			var among []int
			for _, q := range order {
				if r.Scores[q] == r.Scores[p] && e.Projects[q].Cost == c {
					among = append(among, q)
				}
			}
			r.Ties = append(r.Ties, Tie{Round: len(r.Winners) + 1, Purpose: "select", Among: among, Chosen: p, By: "file order"})
		}
		left -= c
		r.Winners = append(r.Winners, p)
		r.Cost += c
		r.Rounds = append(r.Rounds, PBRound{Project: p, Score: r.Scores[p], Phase: "greedy"})
	}
	return r, nil
}

// byProject sorts a ballot's projects, and their points, by project index.
type byProject struct {
	ps  []int32
	pts []uint64
}

func (b byProject) Len() int           { return len(b.ps) }
func (b byProject) Less(i, j int) bool { return b.ps[i] < b.ps[j] }
func (b byProject) Swap(i, j int) {
	b.ps[i], b.ps[j] = b.ps[j], b.ps[i]
	if b.pts != nil {
		b.pts[i], b.pts[j] = b.pts[j], b.pts[i]
	}
}
