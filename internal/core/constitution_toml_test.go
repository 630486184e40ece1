package core

import (
	"strings"
	"testing"
	"time"
)

// TestParseConstitutionTOML reads a TOML constitution with the genesis
// JSON's keys, and refuses a misspelt key instead of defaulting it.
func TestParseConstitutionTOML(t *testing.T) {
	c, err := ParseConstitutionTOML([]byte(`
name = "Elm Street"
vouches_required = 2
quorum = "1/3"
min_voting_period = "48h"
categories = ["general", "streets"]
`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "Elm Street" || c.VouchesRequired != 2 || c.MinVoting.Duration != 48*time.Hour ||
		c.Quorum.Num != 1 || c.Quorum.Den != 3 || len(c.Categories) != 2 {
		t.Fatalf("parsed %+v", c)
	}
	for _, bad := range []struct{ in, err string }{
		{`vouches_requird = 2`, `unknown field "vouches_requird"`},
		{`name = `, "expected value"},
		{`quorum = "lots"`, "lots"},
	} {
		if _, err := ParseConstitutionTOML([]byte(bad.in)); err == nil || !strings.Contains(err.Error(), bad.err) {
			t.Errorf("%q: error %v, want one saying %q", bad.in, err, bad.err)
		}
	}
}
