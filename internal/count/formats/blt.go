package formats

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/folkmoot/folkmoot/internal/count"
)

// ReadBLT reads a BLT ballot file, the format of OpenSTV, Droop and the
// Electoral Reform Society's counting programs:
//
//	4 2              number of candidates, number of seats
//	-4               optional: withdrawn candidates, negated
//	3 1 3 4 0        weight, preferences (candidates from 1), 0
//	(id) 1 2=3 0     optional ballot id in parentheses; '=' ties; '-' skips
//	0                end of ballots
//	"Anne"           one quoted name per candidate
//	...
//	"Title"          the election's title
//
// Weights must be whole numbers of voters. Identical ballots are aggregated;
// the profile's Seats and Withdrawn come from the file.
func ReadBLT(r io.Reader) (*count.Profile, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	lineNo := 0
	type tok struct {
		s   string
		col int
	}
	var toks []tok
	nextLine := func() bool {
		for sc.Scan() {
			lineNo++
			line := sc.Text()
			if lineNo == 1 {
				line = strings.TrimPrefix(line, "\ufeff")
			}
			if k := strings.Index(line, "#"); k >= 0 && !strings.Contains(line[:k], "\"") {
				line = line[:k]
			}
			toks = toks[:0]
			for i := 0; i < len(line); {
				for i < len(line) && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r') {
					i++
				}
				if i >= len(line) {
					break
				}
				j := i
				for j < len(line) && line[j] != ' ' && line[j] != '\t' && line[j] != '\r' {
					j++
				}
				toks = append(toks, tok{line[i:j], i + 1})
				i = j
			}
			if len(toks) > 0 {
				return true
			}
		}
		return false
	}
	if !nextLine() {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read blt: %w", err)
		}
		return nil, errAt(1, 1, "empty file: expected \"candidates seats\"")
	}
	if len(toks) != 2 {
		return nil, errAt(lineNo, 1, "expected \"candidates seats\", got %d fields", len(toks))
	}
	nc, err1 := strconv.Atoi(toks[0].s)
	seats, err2 := strconv.Atoi(toks[1].s)
	if err1 != nil || nc < 1 || nc > count.MaxCandidates {
		return nil, errAt(lineNo, toks[0].col, "number of candidates %q must be 1 to %d", toks[0].s, count.MaxCandidates)
	}
	if err2 != nil || seats < 1 || seats > nc {
		return nil, errAt(lineNo, toks[1].col, "number of seats %q must be 1 to %d", toks[1].s, nc)
	}
	cands := make([]string, nc)
	for i := range cands {
		cands[i] = strconv.Itoa(i + 1)
	}
	b, err := count.NewBuilder(cands)
	if err != nil {
		return nil, errAt(lineNo, 1, "%v", err)
	}
	var withdrawn []int
	var order []int
	var tied []bool
	ended := false
	for first := true; nextLine(); first = false {
		if first && strings.HasPrefix(toks[0].s, "-") {
			for _, t := range toks {
				v, err := strconv.Atoi(t.s)
				if err != nil || v >= 0 || -v > nc {
					return nil, errAt(lineNo, t.col, "withdrawn candidate %q must be -1 to -%d", t.s, nc)
				}
				withdrawn = append(withdrawn, -v-1)
			}
			continue
		}
		ts := toks
		if strings.HasPrefix(ts[0].s, "(") {
			if !strings.HasSuffix(ts[0].s, ")") {
				return nil, errAt(lineNo, ts[0].col, "ballot id %q is not closed by ')'", ts[0].s)
			}
			ts = ts[1:]
			if len(ts) == 0 {
				return nil, errAt(lineNo, toks[0].col, "ballot id without a ballot")
			}
		}
		w, ok := parseCount(ts[0].s)
		if !ok {
			return nil, errAt(lineNo, ts[0].col, "weight %q is not a whole number of voters", ts[0].s)
		}
		if w == 0 && len(ts) == 1 {
			ended = true
			break
		}
		if ts[len(ts)-1].s != "0" {
			return nil, errAt(lineNo, ts[len(ts)-1].col, "a ballot must end with 0")
		}
		order, tied = order[:0], tied[:0]
		for _, t := range ts[1 : len(ts)-1] {
			if t.s == "-" {
				continue
			}
			off := 0
			for k, part := range strings.Split(t.s, "=") {
				v, err := strconv.Atoi(part)
				if err != nil || v < 1 || v > nc {
					return nil, errAt(lineNo, t.col+off, "candidate %q must be 1 to %d", part, nc)
				}
				order = append(order, v-1)
				tied = append(tied, k > 0)
				off += len(part) + 1
			}
		}
		var tt []bool
		for _, x := range tied {
			if x {
				tt = tied
				break
			}
		}
		if err := b.Add(order, tt, w); err != nil {
			return nil, errAt(lineNo, ts[0].col, "%v", err)
		}
	}
	if !ended {
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("read blt: %w", err)
		}
		return nil, errAt(lineNo+1, 1, "missing the 0 line that ends the ballots")
	}
	var strs []string
	for nextLine() {
		line := strings.TrimSpace(sc.Text())
		s, err := strconv.Unquote(line)
		if err != nil {
			if !strings.HasPrefix(line, "\"") || !strings.HasSuffix(line, "\"") || len(line) < 2 {
				return nil, errAt(lineNo, toks[0].col, "expected a quoted name, got %q", line)
			}
			s = line[1 : len(line)-1]
		}
		strs = append(strs, s)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read blt: %w", err)
	}
	if len(strs) < nc {
		return nil, errAt(lineNo+1, 1, "%d candidate names for %d candidates", len(strs), nc)
	}
	if len(strs) > nc+1 {
		return nil, errAt(lineNo, 1, "%d quoted lines after the ballots; expected %d names and a title", len(strs), nc)
	}
	p := b.Profile()
	copy(p.Candidates, strs[:nc])
	if len(strs) == nc+1 {
		p.Title = strs[nc]
	}
	p.Seats = seats
	p.Withdrawn = withdrawn
	return p, nil
}
