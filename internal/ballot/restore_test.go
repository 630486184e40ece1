package ballot

import (
	"bytes"
	"errors"
	"testing"
)

// TestRestoreDealer: a dealer rebuilt from its coefficients deals the same
// commitments and shares; bad coefficients are refused.
func TestRestoreDealer(t *testing.T) {
	d, err := NewDealer(2, 3, 5, newDetRand("restore"))
	if err != nil {
		t.Fatal(err)
	}
	r, err := RestoreDealer(2, 3, 5, d.Coefficients())
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(r.Commitments().Bytes(), d.Commitments().Bytes()) {
		t.Error("restored dealer commits to another polynomial")
	}
	for j := 1; j <= 5; j++ {
		a, _ := d.Share(j)
		b, _ := r.Share(j)
		if a.Equal(b) != 1 {
			t.Errorf("share %d differs", j)
		}
	}
	unreduced := append(bytes.Repeat([]byte{0xff}, 32), d.Coefficients()[32:]...)
	for _, c := range []struct {
		name        string
		index, t, n int
		coeffs      []byte
		want        error
	}{
		{"short", 2, 3, 5, d.Coefficients()[:64], ErrEncoding},
		{"not reduced", 2, 3, 5, unreduced, ErrEncoding},
		{"index 0", 0, 3, 5, d.Coefficients(), ErrInput},
		{"threshold above n", 2, 6, 5, d.Coefficients(), ErrInput},
	} {
		if _, err := RestoreDealer(c.index, c.t, c.n, c.coeffs); !errors.Is(err, c.want) {
			t.Errorf("%s: %v, want %v", c.name, err, c.want)
		}
	}
}
