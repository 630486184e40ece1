package core

import (
	"testing"

	"github.com/folkmoot/folkmoot/internal/tx"
)

// TestEveryKindHasAHandler: the table from kind to handler covers exactly
// the kinds tx decodes.
func TestEveryKindHasAHandler(t *testing.T) {
	for _, k := range tx.Kinds() {
		if handlers[k] == nil {
			t.Errorf("kind %s has no handler", k)
		}
	}
	if len(handlers) != len(tx.Kinds()) {
		t.Errorf("%d handlers for %d kinds", len(handlers), len(tx.Kinds()))
	}
}
