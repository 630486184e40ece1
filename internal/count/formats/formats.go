// Package formats reads the standard election files of the field into the
// profiles package count counts: PrefLib (.soc, .soi, .toc, .toi), BLT (the
// ballot format of OpenSTV, Droop and the Electoral Reform Society) and
// Pabulib (.pb). Every reader names the line and column of malformed input.
package formats

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a malformed-input error at a position in a file.
type Error struct {
	// Line and Col are 1-based; Col counts bytes.
	Line, Col int
	// Msg says what is wrong.
	Msg string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Col, e.Msg) }

func errAt(line, col int, format string, a ...any) error {
	return &Error{Line: line, Col: col, Msg: fmt.Sprintf(format, a...)}
}

// maxVoters bounds a single ballot line's count so that sums cannot overflow.
const maxVoters = 1 << 48

// parseCount reads a positive-or-zero voter count.
func parseCount(s string) (uint64, bool) {
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > maxVoters {
		return 0, false
	}
	return v, true
}

// parseMoney reads a whole amount of money, allowing a zero fraction
// ("1000.00").
func parseMoney(s string) (uint64, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '.'); i >= 0 {
		if strings.Trim(s[i+1:], "0") != "" {
			return 0, false
		}
		s = s[:i]
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil || v > 1<<50 {
		return 0, false
	}
	return v, true
}
