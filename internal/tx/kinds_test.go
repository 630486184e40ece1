package tx

import (
	"fmt"
	"testing"
)

// TestKindsTable: every kind has a name of its own and decodes into a body
// of that kind.
func TestKindsTable(t *testing.T) {
	names := map[string]Kind{}
	for _, k := range Kinds() {
		b := newBody(k)
		if b == nil || b.Kind() != k {
			t.Errorf("kind %d decodes into %T", k, b)
		}
		n := k.String()
		if n == fmt.Sprintf("kind %d", uint16(k)) {
			t.Errorf("kind %d has no name", k)
		}
		if other, dup := names[n]; dup {
			t.Errorf("kinds %d and %d are both named %q", other, k, n)
		}
		names[n] = k
	}
	if newBody(9) != nil || Kind(9).String() != "kind 9" {
		t.Error("an unknown kind has a body or a name")
	}
}
