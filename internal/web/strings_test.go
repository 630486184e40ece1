package web

import (
	"encoding/json"
	"io/fs"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// action matches one template action; actions never contain "}}".
var action = regexp.MustCompile(`{{.*?}}`)

// spokenAttrs are the attributes a person reads or hears.
var spokenAttrs = []string{"alt", "title", "aria-label", "placeholder"}

// literalWords lists the words in a template that a person reads but that
// do not come from the catalogue: text or a spoken attribute with a
// letter in it, outside <code>, <pre> and <script> (commands and code are
// the same in every language). Actions count as no text.
func literalWords(src string) []string {
	src = action.ReplaceAllString(src, "\x00")
	// The tokenizer reads <noscript> as raw text; its words are words too.
	src = strings.NewReplacer("<noscript>", "<div>", "</noscript>", "</div>").Replace(src)
	z := html.NewTokenizer(strings.NewReader(src))
	var found []string
	code := 0
	hasLetter := func(s string) bool { return strings.IndexFunc(s, unicode.IsLetter) >= 0 }
	for {
		switch z.Next() {
		case html.ErrorToken:
			return found
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			if tok.Data == "code" || tok.Data == "pre" || tok.Data == "script" {
				code++
			}
			for _, a := range tok.Attr {
				if slices.Contains(spokenAttrs, a.Key) && hasLetter(a.Val) {
					found = append(found, a.Key+`="`+a.Val+`"`)
				}
			}
		case html.EndTagToken:
			if tok := z.Token(); (tok.Data == "code" || tok.Data == "pre" || tok.Data == "script") && code > 0 {
				code--
			}
		case html.TextToken:
			if t := strings.Trim(string(z.Text()), " \t\n\x00"); code == 0 && hasLetter(t) {
				found = append(found, t)
			}
		}
	}
}

// TestTemplatesSpeakThroughCatalogue fails when a template holds words a
// person reads that are not in the message catalogue, so that a community
// can translate every sentence of its site.
func TestTemplatesSpeakThroughCatalogue(t *testing.T) {
	files, err := fs.Glob(templateFiles, "templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatalf("templates: %v %v", files, err)
	}
	for _, f := range files {
		src, err := fs.ReadFile(templateFiles, f)
		if err != nil {
			t.Fatal(err)
		}
		if words := literalWords(string(src)); len(words) > 0 {
			t.Errorf("%s has words outside the catalogue: %q", f, words)
		}
	}
}

// TestLiteralWords checks the check.
func TestLiteralWords(t *testing.T) {
	for _, tc := range []struct {
		name, src string
		want      []string
	}{
		{"actions only", `<p>{{t "a"}} · {{.N}} — {{t "b"}}…</p>`, nil},
		{"english text", `<p>{{t "a"}} Hello</p>`, []string{"Hello"}},
		{"catalan text", `<h2>Propostes</h2>`, []string{"Propostes"}},
		{"spoken attribute", `<img alt="Your key" src="/qr">`, []string{`alt="Your key"`}},
		{"attribute from catalogue", `<nav aria-label="{{t "nav"}}"></nav>`, nil},
		{"other attributes", `<input id="alias" value="me" pattern="[A-Za-z]">`, nil},
		{"commands", `<pre><code>folkmoot key new &lt;you&gt;</code></pre>`, nil},
		{"after code", `<p><code>x</code> then words</p>`, []string{"then words"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := literalWords(tc.src); !slices.Equal(got, tc.want) {
				t.Errorf("literalWords(%q) = %q, want %q", tc.src, got, tc.want)
			}
		})
	}
}

// TestCatalogueComplete: every language has exactly the keys English has,
// with the same formatting verbs and none empty, and every key a template
// names exists.
func TestCatalogueComplete(t *testing.T) {
	read := func(lang string) map[string]string {
		b, err := messageFiles.ReadFile("messages/" + lang + ".json")
		if err != nil {
			t.Fatal(err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			t.Fatalf("%s.json: %v", lang, err)
		}
		return m
	}
	en := read(DefaultLang)
	verbs := regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)
	cat, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, lang := range cat.Langs() {
		if lang == DefaultLang {
			continue
		}
		other := read(lang)
		for k, v := range en {
			o, ok := other[k]
			if !ok {
				t.Errorf("%s.json lacks %q", lang, k)
				continue
			}
			if a, b := verbs.FindAllString(v, -1), verbs.FindAllString(o, -1); !slices.Equal(a, b) {
				t.Errorf("%s.json %q has verbs %q, English %q", lang, k, b, a)
			}
			if strings.TrimSpace(o) == "" {
				t.Errorf("%s.json %q is empty", lang, k)
			}
		}
		for k := range other {
			if _, ok := en[k]; !ok {
				t.Errorf("%s.json has %q, which English lacks", lang, k)
			}
		}
	}
	used := regexp.MustCompile(`(?:{{|\()\s*t "([a-z0-9_.]+)"`)
	files, _ := fs.Glob(templateFiles, "templates/*.html")
	for _, f := range files {
		src, _ := fs.ReadFile(templateFiles, f)
		for _, m := range used.FindAllStringSubmatch(string(src), -1) {
			if _, ok := en[m[1]]; !ok {
				t.Errorf("%s uses %q, which en.json lacks", f, m[1])
			}
		}
	}
	for _, k := range scriptMessages() {
		if _, ok := en["js."+k]; !ok {
			t.Errorf("the signing script's %q is not in en.json", "js."+k)
		}
	}
	// Every sentence and word the signing script shows is handed to it.
	js, err := fs.ReadFile(staticFiles, "static/sign.js")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range regexp.MustCompile(`msg\("([a-z_]+)"`).FindAllStringSubmatch(string(js), -1) {
		if !strings.HasSuffix(m[1], "_") {
			want = append(want, m[1])
		}
	}
	// The tables of names: KINDS and CHOICES may run over several lines,
	// and a kind may have a hyphen (its key has an underscore).
	names := regexp.MustCompile(`\d+: "([a-z -]+)"`)
	prefix := ""
	for _, line := range strings.Split(string(js), "\n") {
		switch line = strings.TrimSpace(line); {
		case strings.HasPrefix(line, "var KINDS"):
			prefix = "k_"
		case strings.HasPrefix(line, "var CHOICES"):
			prefix = "c_"
		case strings.HasPrefix(line, "var ENVELOPE"), regexp.MustCompile(`^"?[a-z-]+"?: {`).MatchString(line):
			prefix = "f_"
		case strings.HasPrefix(line, "var "), prefix == "":
			prefix = ""
			continue
		}
		for _, m := range names.FindAllStringSubmatch(line, -1) {
			if k := prefix + strings.NewReplacer(" ", "_", "-", "_").Replace(m[1]); k != "f_body" {
				want = append(want, k)
			}
		}
		if strings.HasSuffix(line, ";") {
			prefix = ""
		}
	}
	if len(want) < 40 {
		t.Fatalf("found only %d of the script's messages: %q", len(want), want)
	}
	for _, k := range want {
		if !slices.Contains(scriptMessages(), k) {
			t.Errorf("sign.js says %q, which the page does not hand it (scriptMessages)", k)
		}
	}
}
