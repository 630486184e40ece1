package bench

import (
	"testing"
	"time"
)

func TestConstitutionSmall(t *testing.T) {
	o := ConstitutionOptions{Members: 3000, Voters: 1000, Delegations: 1500, MaxWeight: 5, Laws: 200, Offices: 20, Closes: 3}
	f, err := Constitution(o, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if f.DelegatedCloseMs <= 0 || f.IdleEndBlockUs <= 0 || f.DelegatedVotes == 0 || f.Capped == 0 || f.Cyclic == 0 || f.Offices != 20 || f.Holders != 24 {
		t.Fatalf("a figure is missing: %+v", f)
	}
	again, err := Constitution(o, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	if again.DelegatedVotes != f.DelegatedVotes || again.Capped != f.Capped || again.Cyclic != f.Cyclic {
		t.Fatalf("the workload is not deterministic: %+v, then %+v", f, again)
	}
	if _, err := Constitution(ConstitutionOptions{Members: 10, Voters: 6, Delegations: 6}, time.Now); err == nil {
		t.Fatal("more voters and delegators than members was accepted")
	}
}
