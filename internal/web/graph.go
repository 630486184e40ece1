package web

import (
	"bytes"
	"fmt"
	"html/template"
	"time"

	"github.com/folkmoot/folkmoot/internal/query"
)

// days writes a duration (Go duration text) in whole days when it is a
// whole number of them, as it is otherwise.
func days(cat *Catalog, lang, d string) string {
	v, err := time.ParseDuration(d)
	if err != nil || v < 24*time.Hour || v%(24*time.Hour) != 0 {
		return d
	}
	n := int64(v / (24 * time.Hour))
	if n == 1 {
		return cat.T(lang, "time.one_day")
	}
	return cat.T(lang, "time.days", n)
}

// Drawing of a delegation graph: columns from left to right are the
// delegators by depth (deepest first), the member, then the member's own
// chain of delegates; an arrow goes from each member to the one they
// delegate to. The drawing is bounded (graphDepth columns each side,
// graphRows boxes a column); the nested list beside it is complete.
const (
	graphDepth = 4
	graphRows  = 10
	graphColW  = 150.0
	graphBoxW  = 132.0
	graphBoxH  = 26.0
	graphRowH  = 34.0
	graphName  = 16 // runes of a name shown in a box
)

type graphBox struct {
	col, row int
	label    string
	root     bool
}

type graphEdge struct{ from, to int } // box indexes

// graph draws member g's delegations on one category as SVG. Everything
// in it is numbers and escaped names.
func (s *Site) graph(lang string, g query.DelegationGraph, c query.CategoryDelegations) template.HTML {
	depth := 0
	var measure func(ds []query.Delegator)
	measure = func(ds []query.Delegator) {
		for _, d := range ds {
			depth = max(depth, min(d.Depth, graphDepth))
			measure(d.Delegators)
		}
	}
	measure(c.Delegators)
	chain := min(len(c.Chain), graphDepth)
	cols := depth + 1 + chain
	rows := make([]int, cols)
	more := make([]int, cols)
	var boxes []graphBox
	var edges []graphEdge
	add := func(col int, label string, root bool) int {
		if rows[col] >= graphRows {
			more[col]++
			return -1
		}
		boxes = append(boxes, graphBox{col: col, row: rows[col], label: label, root: root})
		rows[col]++
		return len(boxes) - 1
	}
	name := func(n uint32, nm string) string {
		r := []rune(nm)
		if len(r) > graphName {
			nm = string(r[:graphName-1]) + "…"
		}
		return fmt.Sprintf("%d · %s", n, isolate(nm))
	}
	root := add(depth, name(g.Member, g.Name), true)
	var place func(ds []query.Delegator, parent int)
	place = func(ds []query.Delegator, parent int) {
		for _, d := range ds {
			if d.Depth > graphDepth || parent < 0 {
				continue
			}
			i := add(depth-d.Depth, name(d.Member, d.Name), false)
			if i >= 0 {
				edges = append(edges, graphEdge{from: i, to: parent})
			}
			place(d.Delegators, i)
		}
	}
	place(c.Delegators, root)
	prev := root
	for k := range chain {
		i := add(depth+1+k, name(c.Chain[k].Member, c.Chain[k].Name), false)
		edges = append(edges, graphEdge{from: prev, to: i})
		prev = i
	}
	tallest := 1
	for col := range cols {
		tallest = max(tallest, rows[col]+min(more[col], 1))
	}
	w := float64(cols)*graphColW + 10
	h := float64(tallest)*graphRowH + 10
	pos := func(b graphBox) (float64, float64) {
		return 5 + float64(b.col)*graphColW, 5 + float64(b.row)*graphRowH
	}
	e := template.HTMLEscapeString
	id := fmt.Sprintf("graph-%s", slug(c.Category))
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg class="graph" role="img" aria-labelledby="%s-title" viewBox="0 0 %.0f %.0f" width="%.0f" xmlns="http://www.w3.org/2000/svg">`, id, w, h, w)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, e(s.cat.T(lang, "deleg.graph_title", c.Category, isolate(g.Name), c.Total, len(c.Chain))))
	fmt.Fprintf(&b, `<defs><marker id="%s-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#4a4a4f"/></marker></defs>`, id)
	for _, ed := range edges {
		if ed.from < 0 || ed.to < 0 {
			continue
		}
		x1, y1 := pos(boxes[ed.from])
		x2, y2 := pos(boxes[ed.to])
		fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" stroke="#4a4a4f" stroke-width="1.5" marker-end="url(#%s-arrow)"/>`,
			x1+graphBoxW, y1+graphBoxH/2, x2, y2+graphBoxH/2, id)
	}
	for _, bx := range boxes {
		x, y := pos(bx)
		fill, ink := "#f0f0ec", "#1d1d1f"
		if bx.root {
			fill, ink = "#0b5cad", "#ffffff"
		}
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="%.0f" rx="4" fill="%s" stroke="#4a4a4f"/>`, x, y, graphBoxW, graphBoxH, fill)
		fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="12" fill="%s">%s</text>`, x+6, y+17, ink, e(bx.label))
	}
	for col, n := range more {
		if n > 0 {
			x := 5 + float64(col)*graphColW
			y := 5 + float64(rows[col])*graphRowH
			fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" font-size="12" fill="#4a4a4f">%s</text>`, x+6, y+17, e(s.cat.T(lang, "deleg.more", n)))
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: numbers and escaped text only
}

// slug makes an id fragment of a category name: letters and digits kept,
// anything else as its code point.
func slug(s string) string {
	var b bytes.Buffer
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "_%x", r)
		}
	}
	return b.String()
}
