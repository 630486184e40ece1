package ballot

import (
	"crypto/rand"
	"testing"

	"github.com/gtank/ristretto255"
)

// The figures of issue 12 (cast, batched and one-by-one verification, the
// tally, MSM terms) are measured by internal/bench (`folkmoot bench ballot`;
// `go test -bench Ballot ./internal/bench/` for profiles). These are the
// package's own building blocks.

// BenchmarkParseCiphertexts: decoding one stored 5-choice ballot's
// ciphertexts (10 points), for a tally that starts from bytes.
func BenchmarkParseCiphertexts(b *testing.B) {
	kp := testKey(b, "bench")
	bl, err := Cast(testContext(kp, "alice"), SingleChoice(5), []int{0, 0, 1, 0, 0}, rand.Reader)
	if err != nil {
		b.Fatal(err)
	}
	raw := bl.Bytes()[:5*CiphertextSize]
	for b.Loop() {
		for i := 0; i < 5; i++ {
			if _, err := ParseCiphertext(raw[i*CiphertextSize : (i+1)*CiphertextSize]); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkDecodePoint: one strict point decoding.
func BenchmarkDecodePoint(b *testing.B) {
	p := enc(testKey(b, "x").Public)
	for b.Loop() {
		if _, err := DecodePoint(p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkScalarMult: one constant-time variable-base scalar multiplication.
func BenchmarkScalarMult(b *testing.B) {
	kp := testKey(b, "x")
	for b.Loop() {
		ristretto255.NewElement().ScalarMult(kp.Secret, kp.Public)
	}
}
