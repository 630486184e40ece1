package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed messages/*.json
var messageFiles embed.FS

// Catalog holds every user-facing sentence of the site in each language,
// read from messages/<lang>.json. English is the fallback for a missing
// key; a key missing everywhere renders as itself, so it is seen.
type Catalog struct {
	langs map[string]map[string]string
	names []string // sorted language codes
}

// DefaultLang is the language of the site when a visitor asks for none we
// have.
const DefaultLang = "en"

// LoadCatalog reads the embedded message files.
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{langs: make(map[string]map[string]string)}
	files, err := fs.Glob(messageFiles, "messages/*.json")
	if err != nil {
		return nil, fmt.Errorf("message catalogue: %w", err)
	}
	for _, f := range files {
		b, err := messageFiles.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", f, err)
		}
		m := make(map[string]string)
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("message catalogue %s: %w", f, err)
		}
		lang := strings.TrimSuffix(path.Base(f), ".json")
		c.langs[lang] = m
		c.names = append(c.names, lang)
	}
	sort.Strings(c.names)
	if _, ok := c.langs[DefaultLang]; !ok {
		return nil, fmt.Errorf("message catalogue: no %s.json", DefaultLang)
	}
	return c, nil
}

// Langs lists the languages the catalogue has.
func (c *Catalog) Langs() []string { return c.names }

// T returns the sentence key in lang, formatted with args.
func (c *Catalog) T(lang, key string, args ...any) string {
	s, ok := c.langs[lang][key]
	if !ok {
		if s, ok = c.langs[DefaultLang][key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Lang picks the language for a request: ?lang= if we have it, else the
// first language of Accept-Language we have, else DefaultLang.
func (c *Catalog) Lang(r *http.Request) string {
	if l := r.URL.Query().Get("lang"); c.langs[l] != nil {
		return l
	}
	for part := range strings.SplitSeq(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		base, _, _ := strings.Cut(strings.ToLower(tag), "-")
		if c.langs[base] != nil {
			return base
		}
	}
	return DefaultLang
}
