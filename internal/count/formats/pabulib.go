package formats

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/folkmoot/folkmoot/internal/count"
)

// ReadPabulib reads a Pabulib .pb file (https://pabulib.org/format): a META
// section of key;value lines (budget and vote_type required), a PROJECTS
// section (project_id and cost columns required; name and selected used when
// present) and a VOTES section (voter_id and vote columns required; points
// used for cumulative and scoring ballots). Fields are separated by ';' and
// may be quoted. Money must be whole currency units. Identical ballots are
// aggregated.
func ReadPabulib(r io.Reader) (*count.PBElection, error) {
	cr := csv.NewReader(bufio.NewReader(r))
	cr.Comma = ';'
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	var (
		section  string
		header   map[string]int
		meta     [][2]string
		budget   uint64
		haveBud  bool
		voteType string
		projects []count.Project
		ids      = map[string]int{}
		b        *count.PBBuilder
		seenVote = map[string]bool{}
		order    []int
		points   []uint64
	)
	var rec []string
	pos := func(field int) (int, int) {
		// A missing column is reported at the record's last field.
		return cr.FieldPos(max(0, min(field, len(rec)-1)))
	}
	for {
		var err error
		rec, err = cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, errAt(pe.Line, pe.Column, "%v", pe.Err)
			}
			return nil, fmt.Errorf("read pabulib: %w", err)
		}
		first := strings.TrimSpace(strings.TrimPrefix(rec[0], "\ufeff"))
		if len(rec) == 1 && (first == "META" || first == "PROJECTS" || first == "VOTES") {
			want := map[string]string{"META": "", "PROJECTS": "META", "VOTES": "PROJECTS"}[first]
			if section != want {
				l, c := pos(0)
				return nil, errAt(l, c, "section %s out of order (after %q)", first, section)
			}
			section, header = first, nil
			if first == "VOTES" {
				if !haveBud {
					l, c := pos(0)
					return nil, errAt(l, c, "META has no budget")
				}
				if len(projects) == 0 {
					l, c := pos(0)
					return nil, errAt(l, c, "PROJECTS lists no project")
				}
				b = count.NewPBBuilder(budget, voteType, projects)
			}
			continue
		}
		if section == "" {
			l, c := pos(0)
			return nil, errAt(l, c, "expected META, got %q", first)
		}
		if header == nil {
			header = map[string]int{}
			for i, h := range rec {
				header[strings.TrimSpace(h)] = i
			}
			var need []string
			switch section {
			case "META":
				need = []string{"key", "value"}
			case "PROJECTS":
				need = []string{"project_id", "cost"}
			case "VOTES":
				need = []string{"voter_id", "vote"}
			}
			for _, k := range need {
				if _, ok := header[k]; !ok {
					l, c := pos(0)
					return nil, errAt(l, c, "%s header has no %q column", section, k)
				}
			}
			continue
		}
		get := func(k string) (string, int, bool) {
			i, ok := header[k]
			if !ok || i >= len(rec) {
				return "", i, false
			}
			return strings.TrimSpace(rec[i]), i, true
		}
		switch section {
		case "META":
			k, _, ok1 := get("key")
			v, vi, ok2 := get("value")
			if !ok1 || !ok2 {
				l, c := pos(0)
				return nil, errAt(l, c, "META line needs a key and a value")
			}
			meta = append(meta, [2]string{k, v})
			switch k {
			case "budget":
				m, ok := parseMoney(v)
				if !ok {
					l, c := pos(vi)
					return nil, errAt(l, c, "budget %q is not a whole amount", v)
				}
				budget, haveBud = m, true
			case "vote_type":
				voteType = v
			}
		case "PROJECTS":
			id, ii, ok := get("project_id")
			if !ok || id == "" {
				l, c := pos(0)
				return nil, errAt(l, c, "project without an id")
			}
			if _, dup := ids[id]; dup {
				l, c := pos(ii)
				return nil, errAt(l, c, "project %q listed twice", id)
			}
			cs, ci, ok := get("cost")
			cost, okc := parseMoney(cs)
			if !ok || !okc {
				l, c := pos(ci)
				return nil, errAt(l, c, "project %q: cost %q is not a whole amount", id, cs)
			}
			p := count.Project{ID: id, Cost: cost, Selected: -1}
			p.Name, _, _ = get("name")
			if s, si, ok := get("selected"); ok && s != "" {
				v, err := strconv.Atoi(s)
				if err != nil || v < 0 || v > 1 {
					l, c := pos(si)
					return nil, errAt(l, c, "project %q: selected must be 0 or 1, not %q", id, s)
				}
				p.Selected = v
			}
			ids[id] = len(projects)
			projects = append(projects, p)
		case "VOTES":
			vid, vi, _ := get("voter_id")
			if seenVote[vid] {
				l, c := pos(vi)
				return nil, errAt(l, c, "voter %q voted twice", vid)
			}
			seenVote[vid] = true
			vs, vci, _ := get("vote")
			order = order[:0]
			if vs != "" {
				for _, s := range strings.Split(vs, ",") {
					j, ok := ids[strings.TrimSpace(s)]
					if !ok {
						l, c := pos(vci)
						return nil, errAt(l, c, "voter %q: unknown project %q", vid, strings.TrimSpace(s))
					}
					order = append(order, j)
				}
			}
			points = points[:0]
			var pts []uint64
			if ps, pi, ok := get("points"); ok && (voteType == "cumulative" || voteType == "scoring") {
				var fields []string
				if ps != "" {
					fields = strings.Split(ps, ",")
				}
				if len(fields) != len(order) {
					l, c := pos(pi)
					return nil, errAt(l, c, "voter %q: %d points for %d projects", vid, len(fields), len(order))
				}
				for _, f := range fields {
					v, ok := parseCount(strings.TrimSpace(f))
					if !ok {
						l, c := pos(pi)
						return nil, errAt(l, c, "voter %q: points %q are not a whole number", vid, f)
					}
					points = append(points, v)
				}
				pts = points
			}
			if err := b.Add(order, pts, 1); err != nil {
				l, c := pos(vci)
				return nil, errAt(l, c, "voter %q: %v", vid, err)
			}
		}
	}
	if b == nil {
		return nil, errAt(1, 1, "no VOTES section")
	}
	e := b.Election()
	e.Meta = meta
	for _, kv := range meta {
		if kv[0] == "description" {
			e.Title = kv[1]
		}
	}
	return e, nil
}
