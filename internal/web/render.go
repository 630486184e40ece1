package web

import (
	"bytes"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/util"

	"github.com/folkmoot/folkmoot/internal/core"
	"github.com/folkmoot/folkmoot/internal/query"
)

// markdown renders members' Markdown to HTML that is safe to embed and
// hides nothing the member signed: raw HTML (blocks, inline tags and
// comments) is shown as escaped text rather than passed through or
// dropped, and link reference definitions stay in the text as written,
// since either could otherwise carry words a voter never sees. bluemonday's
// user-content policy then removes whatever else could run or load
// (scripts, event handlers, javascript: links), as defence in depth.
type markdown struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
	// controls shows bidirectional controls, however written (raw or as
	// character references), as visible text.
	controls *strings.Replacer
}

func newMarkdown() *markdown {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	// The default parser without its one paragraph transformer, the one
	// that takes link reference definitions out of the text.
	ps := parser.NewParser(parser.WithBlockParsers(parser.DefaultBlockParsers()...),
		parser.WithInlineParsers(parser.DefaultInlineParsers()...))
	md := goldmark.New(goldmark.WithParser(ps), goldmark.WithExtensions(extension.GFM),
		goldmark.WithRendererOptions(renderer.WithNodeRenderers(util.Prioritized(visibleHTML{}, 100))))
	return &markdown{md: md, policy: p, controls: newControls()}
}

// HTML renders src.
func (m *markdown) HTML(src string) template.HTML {
	var buf bytes.Buffer
	if err := m.md.Convert([]byte(src), &buf); err != nil {
		return template.HTML(template.HTMLEscapeString(src))
	}
	return template.HTML(m.controls.Replace(m.policy.Sanitize(buf.String()))) // #nosec: sanitised just now
}

// newControls replaces each bidirectional embedding, override and
// isolate control (U+202A–U+202E, U+2066–U+2069) with its name in
// brackets, such as "[U+202E]": invisible, they reorder the text after
// them, so that what a reader sees is not the order the author signed.
// The replacement holds no markup, so it is safe in text and attributes.
func newControls() *strings.Replacer {
	var pairs []string
	for _, r := range []rune{0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069} {
		pairs = append(pairs, string(r), fmt.Sprintf("[U+%04X]", r))
	}
	return strings.NewReplacer(pairs...)
}

// visibleHTML renders raw HTML as the text it is: a block as preformatted
// text, inline tags and comments escaped in their place. It takes
// precedence over goldmark's renderer, which would drop them.
type visibleHTML struct{}

// RegisterFuncs implements renderer.NodeRenderer.
func (visibleHTML) RegisterFuncs(r renderer.NodeRendererFuncRegisterer) {
	r.Register(ast.KindHTMLBlock, renderHTMLBlock)
	r.Register(ast.KindRawHTML, renderRawHTML)
}

func renderHTMLBlock(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkContinue, nil
	}
	n := node.(*ast.HTMLBlock)
	_, _ = w.WriteString("<pre><code>")
	lines := n.Lines()
	for i := range lines.Len() {
		line := lines.At(i)
		template.HTMLEscape(w, line.Value(source))
	}
	if n.HasClosure() {
		template.HTMLEscape(w, n.ClosureLine.Value(source))
	}
	_, _ = w.WriteString("</code></pre>\n")
	return ast.WalkContinue, nil
}

func renderRawHTML(w util.BufWriter, source []byte, node ast.Node, entering bool) (ast.WalkStatus, error) {
	if !entering {
		return ast.WalkSkipChildren, nil
	}
	segs := node.(*ast.RawHTML).Segments
	for i := range segs.Len() {
		seg := segs.At(i)
		template.HTMLEscape(w, seg.Value(source))
	}
	return ast.WalkSkipChildren, nil
}

// tallyLabels are the words a chart needs, in the page's language.
type tallyLabels struct {
	Title, Yes, No, Abstain, Quorum, Threshold string
	// Delegated introduces the delegated part of a decided count.
	Delegated string
}

// tallySVG draws a proposal's tally: one bar for turnout against the
// electorate with the quorum line, one bar for yes against yes+no with the
// threshold line, and the counts. Once decided it draws the result, with
// the votes carried by delegation as lighter parts of each colour.
// Everything in it is numbers and the escaped labels, so it is safe to
// embed.
func tallySVG(p query.Proposal, l tallyLabels, quorum, threshold [2]uint64) template.HTML {
	const w, barW, x0 = 420.0, 300.0, 110.0
	yes, no, abstain := p.Yes, p.No, p.Abstain
	var dYes, dNo, dAbstain uint64
	if r := p.Result; r != nil {
		yes, no, abstain = r.Yes, r.No, r.Abstain
		if d := r.Delegated; d != nil {
			dYes, dNo, dAbstain = d.Yes, d.No, d.Abstain
		}
	}
	delegated := dYes+dNo+dAbstain > 0
	eligible := max(p.Eligible, yes+no+abstain, 1)
	frac := func(n, d uint64) float64 {
		if d == 0 {
			return 0
		}
		return float64(n) / float64(d) * barW
	}
	e := template.HTMLEscapeString
	counts := fmt.Sprintf("%s %d, %s %d, %s %d", e(l.Yes), yes, e(l.No), no, e(l.Abstain), abstain)
	line := fmt.Sprintf("%s %d · %s %d · %s %d", e(l.Yes), yes, e(l.No), no, e(l.Abstain), abstain)
	if delegated {
		counts += fmt.Sprintf(" (%s %d, %d, %d)", e(l.Delegated), dYes, dNo, dAbstain)
		line += fmt.Sprintf(" (%s %d/%d/%d)", e(l.Delegated), dYes, dNo, dAbstain)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, `<svg class="tally" role="img" aria-labelledby="tally-title-%d" viewBox="0 0 %.0f 110" width="100%%" xmlns="http://www.w3.org/2000/svg">`, p.ID, w)
	fmt.Fprintf(&b, `<title id="tally-title-%d">%s: %s</title>`, p.ID, e(l.Title), counts)
	type part struct {
		n    uint64
		fill string
	}
	// Each choice: its direct votes, then its delegated ones, lighter.
	parts := []part{{yes - dYes, "#1b7f3b"}, {dYes, "#6fbf86"}, {no - dNo, "#b3261e"}, {dNo, "#e08a84"},
		{abstain - dAbstain, "#7a7a7a"}, {dAbstain, "#b5b5b5"}}
	bar := func(y float64, ps []part, total uint64) {
		x := x0
		for _, pt := range ps {
			if pt.n == 0 {
				continue
			}
			wd := frac(pt.n, total)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.0f" width="%.1f" height="20" fill="%s"/>`, x, y, wd, pt.fill)
			x += wd
		}
	}
	// Turnout bar: yes, no, abstain stacked over the electorate.
	y := 10.0
	fmt.Fprintf(&b, `<text x="0" y="%.0f" font-size="14" fill="#222">%s</text>`, y+14, e(l.Quorum))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="20" fill="#e6e6e6"/>`, x0, y, barW)
	bar(y, parts, eligible)
	qx := x0 + frac(quorum[0], quorum[1])
	fmt.Fprintf(&b, `<line class="quorum" x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#000" stroke-width="2" stroke-dasharray="4 2"/>`, qx, y-6, qx, y+26)
	// Threshold bar: yes against yes+no.
	y = 55
	fmt.Fprintf(&b, `<text x="0" y="%.0f" font-size="14" fill="#222">%s</text>`, y+14, e(l.Threshold))
	fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="%.0f" height="20" fill="#e6e6e6"/>`, x0, y, barW)
	bar(y, parts[:4], yes+no)
	tx := x0 + frac(threshold[0], threshold[1])
	fmt.Fprintf(&b, `<line class="threshold" x1="%.1f" y1="%.0f" x2="%.1f" y2="%.0f" stroke="#000" stroke-width="2" stroke-dasharray="4 2"/>`, tx, y-6, tx, y+26)
	fmt.Fprintf(&b, `<text x="%.0f" y="102" font-size="14" fill="#222">%s</text>`, x0, line)
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // #nosec: numbers and escaped labels only
}

// span writes a duration of the constitution for people, in its largest
// whole units: "5s", "90m", "72h", "30d", "1d 12h".
func span(d core.Duration) string {
	switch t := d.Duration; {
	case t <= 0:
		return "0s"
	case t%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", t/(24*time.Hour))
	case t >= 48*time.Hour && t%time.Hour == 0:
		return fmt.Sprintf("%dd %dh", t/(24*time.Hour), t%(24*time.Hour)/time.Hour)
	case t%time.Hour == 0:
		return fmt.Sprintf("%dh", t/time.Hour)
	case t%time.Minute == 0:
		return fmt.Sprintf("%dm", t/time.Minute)
	}
	return d.String()
}

// ruleWords says a rule written by count.Ratio's Words or QuorumWords
// ("at least 1/3", "more than 1/2") in lang; anything else is returned as
// it is.
func ruleWords(cat *Catalog, lang, words string) string {
	var num, den uint64
	for _, form := range []struct{ key, format string }{{"rule.at_least", "at least %d/%d"}, {"rule.more_than", "more than %d/%d"}} {
		if n, err := fmt.Sscanf(words, form.format, &num, &den); err == nil && n == 2 && fmt.Sprintf(form.format, num, den) == words {
			return cat.T(lang, form.key, num, den)
		}
	}
	return words
}

// timeLeft says how long until t, coarsely, for people.
func timeLeft(now, t time.Time) string {
	d := t.Sub(now)
	switch {
	case d <= 0:
		return ""
	case d < time.Minute:
		return fmt.Sprintf("%ds", int(d.Seconds())+1)
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes())+1)
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh %dm", int(d.Hours()), int(d.Minutes())%60)
	}
	return fmt.Sprintf("%dd %dh", int(d.Hours())/24, int(d.Hours())%24)
}

// who shows a member's name isolated in <bdi>, so that a name written
// right to left cannot reorder the sentence around it, with the member's
// number beside it, since two members may share a name.
func who(name string, number any) template.HTML {
	return template.HTML(`<bdi>` + template.HTMLEscapeString(name) + `</bdi> <span class="member-no">` + // #nosec: escaped
		template.HTMLEscapeString(fmt.Sprintf("#%d", number)) + `</span>`)
}

// bdi isolates user text, such as a title, from the text around it.
func bdi(s string) template.HTML {
	return template.HTML(`<bdi>` + template.HTMLEscapeString(s) + `</bdi>`) // #nosec: escaped
}

// isolate wraps user text in FIRST STRONG ISOLATE and POP DIRECTIONAL
// ISOLATE, the plain-text form of <bdi>, where no element may go: an
// <option>, an attribute, a page's <title>, SVG text.
func isolate(s string) string { return "\u2068" + s + "\u2069" }

// sentence is a catalogue sentence as HTML: the sentence and its
// arguments escaped, except arguments that are HTML already (a name from
// who, a title from bdi).
func sentence(cat *Catalog, lang, key string, args ...any) template.HTML {
	format := template.HTMLEscapeString(cat.T(lang, key))
	for i, a := range args {
		if _, ok := a.(template.HTML); !ok {
			args[i] = escaped{a}
		}
	}
	return template.HTML(fmt.Sprintf(format, args...)) // #nosec: every part escaped
}

// escaped formats a value as fmt would, then escapes it for HTML.
type escaped struct{ v any }

// Format implements fmt.Formatter.
func (e escaped) Format(f fmt.State, verb rune) {
	template.HTMLEscape(f, []byte(fmt.Sprintf(fmt.FormatString(f, verb), e.v)))
}
