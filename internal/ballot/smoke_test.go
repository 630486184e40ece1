package ballot

import (
	"crypto/rand"
	"testing"
)

func TestSmoke(t *testing.T) {
	kp := testKey(t, "k")
	ctx := testContext(kp, "alice")
	for _, race := range []Race{SingleChoice(5), Approval(5, 3)} {
		b, err := Cast(ctx, race, []int{0, 1, 0, 0, 0}, rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if err := b.Verify(ctx, race); err != nil {
			t.Fatal(err)
		}
		b2, err := ParseBallot(race, b.Bytes())
		if err != nil {
			t.Fatal(err)
		}
		if err := b2.Verify(ctx, race); err != nil {
			t.Fatal(err)
		}
		if err := VerifyBatch([]Item{{ctx, race, b2}, {ctx, race, b}}, rand.Reader); err != nil {
			t.Fatal(err)
		}
		if err := b2.Verify(testContext(kp, "bob"), race); err == nil {
			t.Fatal("copied")
		}
		if err := VerifyBatch([]Item{{ctx, race, b2}, {testContext(kp, "bob"), race, b}}, rand.Reader); err == nil {
			t.Fatal("batch copied")
		}
	}
}
