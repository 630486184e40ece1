package history_test

import (
	"bytes"
	"testing"

	"github.com/folkmoot/folkmoot/internal/history"
)

// FuzzVerify feeds arbitrary bytes to folkmoot verify's code. A history
// file comes from anyone, so whatever it holds, Verify must return (a
// summary or an error) and never panic. The seed is a small valid history
// (initiatives, laws, delegation and bad transactions among its
// blocks); the fuzzer mutates it.
func FuzzVerify(f *testing.F) {
	file, _, _ := simulate(f, 3, 4, 6)
	f.Add(file)
	f.Add([]byte{})
	f.Add(file[:len(file)/2])
	f.Fuzz(func(t *testing.T, raw []byte) {
		sum, err := history.Verify(bytes.NewReader(raw), history.Options{})
		if err == nil && sum.Blocks == 0 && len(raw) == 0 {
			t.Fatal("an empty file verified")
		}
	})
}
