package ballot

import (
	"fmt"
	"testing"

	"github.com/gtank/ristretto255"
)

// TestVarTimeMSM compares the bucket method with ristretto255's Straus
// method, for full and short scalars, zeros, and repeated points.
func TestVarTimeMSM(t *testing.T) {
	rng := newDetRand("msm-test")
	for _, n := range []int{0, 1, 5, pippengerMin, pippengerMin + 1, 700, 2100} {
		for _, kind := range []string{"full", "short", "zeros and repeats"} {
			t.Run(fmt.Sprintf("%d %s", n, kind), func(t *testing.T) {
				scalars := make([]*ristretto255.Scalar, n)
				points := make([]*ristretto255.Element, n)
				for i := range scalars {
					s, _ := randomScalar(rng)
					p, _ := randomScalar(rng)
					points[i] = ristretto255.NewElement().ScalarBaseMult(p)
					switch kind {
					case "short":
						var b [32]byte
						rng.Read(b[:16])
						s = ristretto255.NewScalar()
						_ = s.Decode(b[:])
					case "zeros and repeats":
						if i%3 == 0 {
							s = ristretto255.NewScalar()
						}
						if i%5 == 1 {
							points[i] = points[i-1]
						}
						if i%7 == 2 {
							s = ristretto255.NewScalar().Negate(smallScalar(1))
						}
					}
					scalars[i] = s
				}
				want := ristretto255.NewElement().VarTimeMultiScalarMult(scalars, points)
				if got := varTimeMSM(scalars, points); got.Equal(want) != 1 {
					t.Fatal("bucket method disagrees with Straus")
				}
			})
		}
	}
}
