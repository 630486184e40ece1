package web

import (
	"slices"
	"strings"
	"testing"
)

// TestCatalogueComplete checks that every language has every sentence of
// the English catalogue, with the same formatting verbs, and no sentence
// English lacks.
func TestCatalogueComplete(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	verbs := func(s string) []string {
		var out []string
		for i := 0; i+1 < len(s); i++ {
			if s[i] == '%' {
				out = append(out, s[i:i+2])
				i++
			}
		}
		return out
	}
	en := c.langs[DefaultLang]
	for _, lang := range c.Langs() {
		if lang == DefaultLang {
			continue
		}
		t.Run(lang, func(t *testing.T) {
			m := c.langs[lang]
			for k, s := range en {
				tr, ok := m[k]
				if !ok {
					t.Errorf("%s lacks %q", lang, k)
					continue
				}
				if !slices.Equal(verbs(s), verbs(tr)) {
					t.Errorf("%s %q has verbs %v, English %v", lang, k, verbs(tr), verbs(s))
				}
				if strings.TrimSpace(tr) == "" {
					t.Errorf("%s %q is empty", lang, k)
				}
			}
			for k := range m {
				if _, ok := en[k]; !ok {
					t.Errorf("%s has %q, which English lacks", lang, k)
				}
			}
		})
	}
}
