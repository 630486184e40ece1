package query

import "time"

// TextAmendment is one change an author made to a proposal's title and body
// before voting opened (tx.AmendText): the text before and after.
type TextAmendment struct {
	Revision uint32    `json:"revision"`
	Height   int64     `json:"height"`
	Time     time.Time `json:"time"`
	Author   uint32    `json:"author"`
	OldTitle string    `json:"old_title"`
	OldBody  string    `json:"old_body"`
	Title    string    `json:"title"`
	Body     string    `json:"body"`
}

// DiffLine is one line of a diff: Op is "=" for a line both texts share,
// "-" for one only the old text has, "+" for one only the new text has.
type DiffLine struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// TitleChanged reports whether the amendment changed the title.
func (a TextAmendment) TitleChanged() bool { return a.Title != a.OldTitle }

// BodyDiff returns the change to the body, line by line.
func (a TextAmendment) BodyDiff() []DiffLine { return Diff(a.OldBody, a.Body) }

// maxDiffCells bounds the work of Diff: beyond it the changed middle of
// the texts is shown as removed, then added, whole.
const maxDiffCells = 1 << 20

// Diff compares two texts line by line and returns, in order, the lines of
// a shortest edit from old to new: a longest common subsequence of lines
// kept, the rest removed or added. The lines the texts share at their
// start and end are always kept; when the middle is too long to compare
// cheaply (a body has at most tx.MaxBodyBytes), it is removed and added
// whole.
func Diff(old, new string) []DiffLine {
	a, b := lines(old), lines(new)
	var head, tail []DiffLine
	for len(a) > 0 && len(b) > 0 && a[0] == b[0] {
		head = append(head, DiffLine{"=", a[0]})
		a, b = a[1:], b[1:]
	}
	for len(a) > 0 && len(b) > 0 && a[len(a)-1] == b[len(b)-1] {
		tail = append([]DiffLine{{"=", a[len(a)-1]}}, tail...)
		a, b = a[:len(a)-1], b[:len(b)-1]
	}
	out := head
	if (len(a)+1)*(len(b)+1) > maxDiffCells {
		for _, l := range a {
			out = append(out, DiffLine{"-", l})
		}
		for _, l := range b {
			out = append(out, DiffLine{"+", l})
		}
		return append(out, tail...)
	}
	return append(append(out, lcsDiff(a, b)...), tail...)
}

// lcsDiff is Diff's comparison of the changed middle.
func lcsDiff(a, b []string) []DiffLine {
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var out []DiffLine
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			out = append(out, DiffLine{"=", a[i]})
			i, j = i+1, j+1
		case lcs[i+1][j] >= lcs[i][j+1]:
			out = append(out, DiffLine{"-", a[i]})
			i++
		default:
			out = append(out, DiffLine{"+", b[j]})
			j++
		}
	}
	for ; i < len(a); i++ {
		out = append(out, DiffLine{"-", a[i]})
	}
	for ; j < len(b); j++ {
		out = append(out, DiffLine{"+", b[j]})
	}
	return out
}

// lines splits a text into lines; an empty text has none.
func lines(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
