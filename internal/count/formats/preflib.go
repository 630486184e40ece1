package formats

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/folkmoot/folkmoot/internal/count"
)

// ReadPrefLib reads a PrefLib ordinal file (https://preflib.org/format):
// .soc (strict, complete), .soi (strict, incomplete), .toc (ties, complete)
// or .toi (ties, incomplete). dataType is "soc", "soi", "toc" or "toi", or
// empty to take it from the file's "# DATA TYPE" line. Both the current
// format ("# ALTERNATIVE NAME i: name" headers, then "count: 1,2,{3,4}"
// lines) and the format before 2022 (the number of alternatives, "i,name"
// lines, a "voters,sum,unique" line, then "count,1,2,{3,4}" lines) are read.
// Alternatives are numbered from 1 in the file; ties are written in braces.
// A strict type may not contain ties; a complete type must rank every
// alternative. Identical ballots are aggregated.
func ReadPrefLib(r io.Reader, dataType string) (*count.Profile, error) {
	switch dataType {
	case "", "soc", "soi", "toc", "toi":
	default:
		return nil, fmt.Errorf("preflib: unknown data type %q (want soc, soi, toc or toi)", dataType)
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16*1024*1024)
	var (
		lineNo    int
		names     = map[int]string{}
		nAlt      = -1
		title     string
		b         *count.Builder
		oldFormat bool
		oldState  int // 0: want n, 1: names, 2: voters line, 3: ballots
		oldNames  int
		order     []int
		tied      []bool
		declared  uint64
		haveDecl  bool
	)
	start := func(l int) error {
		if nAlt < 0 {
			nAlt = len(names)
		}
		if nAlt == 0 {
			return errAt(l, 1, "no alternatives declared")
		}
		cands := make([]string, nAlt)
		for i := range cands {
			n, ok := names[i+1]
			if !ok {
				n = strconv.Itoa(i + 1)
			}
			cands[i] = n
		}
		var err error
		b, err = count.NewBuilder(cands)
		if err != nil {
			return errAt(l, 1, "%v", err)
		}
		return nil
	}
	for sc.Scan() {
		lineNo++
		line := strings.TrimRight(sc.Text(), " \t\r")
		if lineNo == 1 {
			line = strings.TrimPrefix(line, "\ufeff")
		}
		if strings.TrimSpace(line) == "" {
			continue
		}
		if b == nil && !oldFormat && strings.HasPrefix(line, "#") {
			key, val, ok := strings.Cut(strings.TrimSpace(line[1:]), ":")
			if !ok {
				continue
			}
			key, val = strings.TrimSpace(key), strings.TrimSpace(val)
			switch {
			case strings.HasPrefix(key, "ALTERNATIVE NAME "):
				i, err := strconv.Atoi(strings.TrimPrefix(key, "ALTERNATIVE NAME "))
				if err != nil || i < 1 || i > count.MaxCandidates {
					return nil, errAt(lineNo, 3, "bad alternative number in %q", key)
				}
				names[i] = val
			case key == "NUMBER ALTERNATIVES":
				n, err := strconv.Atoi(val)
				if err != nil || n < 1 || n > count.MaxCandidates {
					return nil, errAt(lineNo, strings.Index(line, ":")+2, "number of alternatives %q must be 1 to %d", val, count.MaxCandidates)
				}
				nAlt = n
			case key == "TITLE":
				title = val
			case key == "DATA TYPE":
				if dataType == "" {
					dataType = val
				} else if val != dataType {
					return nil, errAt(lineNo, strings.Index(line, ":")+2, "data type %q in a .%s file", val, dataType)
				}
			case key == "NUMBER VOTERS":
				if v, ok := parseCount(val); ok {
					declared, haveDecl = v, true
				}
			}
			continue
		}
		// The first line that is not a comment decides the format: the
		// old one starts with the bare number of alternatives.
		if b == nil && !oldFormat && len(names) == 0 && nAlt < 0 && !strings.Contains(line, ":") {
			oldFormat = true
		}
		if oldFormat {
			switch oldState {
			case 0:
				n, err := strconv.Atoi(strings.TrimSpace(line))
				if err != nil || n < 1 || n > count.MaxCandidates {
					return nil, errAt(lineNo, 1, "expected the number of alternatives, got %q", line)
				}
				nAlt, oldState = n, 1
				continue
			case 1:
				num, name, ok := strings.Cut(line, ",")
				i, err := strconv.Atoi(strings.TrimSpace(num))
				if !ok || err != nil || i < 1 || i > nAlt {
					return nil, errAt(lineNo, 1, "expected \"number,name\" for alternative %d, got %q", oldNames+1, line)
				}
				names[i] = strings.TrimSpace(name)
				if oldNames++; oldNames == nAlt {
					oldState = 2
				}
				continue
			case 2:
				oldState = 3
				if err := start(lineNo); err != nil {
					return nil, err
				}
				continue
			}
		} else if b == nil {
			if err := start(lineNo); err != nil {
				return nil, err
			}
		}
		sep := ":"
		if oldFormat {
			sep = ","
		}
		cs, rest, ok := strings.Cut(line, sep)
		if !ok {
			return nil, errAt(lineNo, 1, "expected \"count%s ranking\", got %q", sep, line)
		}
		cnt, okc := parseCount(strings.TrimSpace(cs))
		if !okc {
			return nil, errAt(lineNo, 1, "count %q is not a whole number of voters", strings.TrimSpace(cs))
		}
		var err error
		order, tied, err = parseRanking(rest, len(cs)+2, lineNo, nAlt, order[:0], tied[:0])
		if err != nil {
			return nil, err
		}
		hasTie := false
		for _, t := range tied {
			hasTie = hasTie || t
		}
		if hasTie && (dataType == "soc" || dataType == "soi") {
			return nil, errAt(lineNo, len(cs)+2, "ties in a strict (%s) ranking", dataType)
		}
		if len(order) != nAlt && (dataType == "soc" || dataType == "toc") {
			return nil, errAt(lineNo, len(cs)+2, "a complete (%s) ranking must rank all %d alternatives, not %d", dataType, nAlt, len(order))
		}
		var t []bool
		if hasTie {
			t = tied
		}
		if err := b.Add(order, t, cnt); err != nil {
			return nil, errAt(lineNo, len(cs)+2, "%v", err)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read preflib, line %d: %w", lineNo+1, err)
	}
	if b == nil {
		if oldFormat || nAlt > 0 || len(names) > 0 {
			if err := start(lineNo); err != nil {
				return nil, err
			}
		} else {
			return nil, errAt(max(lineNo, 1), 1, "no alternatives and no ballots")
		}
	}
	p := b.Profile()
	p.Title = title
	if haveDecl && p.Voters() != declared {
		return nil, errAt(lineNo, 1, "the header declares %d voters; the ballots hold %d", declared, p.Voters())
	}
	return p, nil
}

// parseRanking reads "1,2,{3,4},5" starting at column col.
func parseRanking(s string, col, line, n int, order []int, tied []bool) ([]int, []bool, error) {
	inGroup, first := false, false
	i := 0
	for i < len(s) {
		ch := s[i]
		switch {
		case ch == ' ' || ch == '\t':
			i++
		case ch == '{':
			if inGroup {
				return nil, nil, errAt(line, col+i, "nested '{'")
			}
			inGroup, first = true, true
			i++
		case ch == '}':
			if !inGroup || first {
				return nil, nil, errAt(line, col+i, "unexpected '}'")
			}
			inGroup = false
			i++
		case ch == ',':
			i++
		case ch >= '0' && ch <= '9':
			j := i
			for j < len(s) && s[j] >= '0' && s[j] <= '9' {
				j++
			}
			v, err := strconv.Atoi(s[i:j])
			if err != nil || v < 1 || v > n {
				return nil, nil, errAt(line, col+i, "alternative %q does not exist (there are %d)", s[i:j], n)
			}
			order = append(order, v-1)
			tied = append(tied, inGroup && !first)
			first = false
			i = j
		default:
			return nil, nil, errAt(line, col+i, "unexpected %q in a ranking", ch)
		}
	}
	if inGroup {
		return nil, nil, errAt(line, col+len(s), "'{' is not closed")
	}
	return order, tied, nil
}
