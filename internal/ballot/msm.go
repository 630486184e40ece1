package ballot

import (
	"encoding/binary"
	"math/bits"

	"github.com/gtank/ristretto255"
)

// pippengerMin is the number of terms from which varTimeMSM uses buckets
// (Pippenger) instead of ristretto255's Straus method.
const pippengerMin = 256

// varTimeMSM returns Σ s_i·P_i in variable time (public inputs only). For
// large inputs it uses Pippenger's bucket method with signed digits, which
// needs no per-point table and skips the zero digits of the short batching
// weights; for small inputs it defers to ristretto255.
func varTimeMSM(scalars []*ristretto255.Scalar, points []*ristretto255.Element) *ristretto255.Element {
	n := len(scalars)
	if n < pippengerMin {
		return ristretto255.NewElement().VarTimeMultiScalarMult(scalars, points)
	}
	// ≈ log2(n) − 3 balances the additions into buckets (one per nonzero
	// digit) against the sums of the buckets (2^c per window).
	c := min(max(uint(bits.Len(uint(n)))-4, 4), 12)
	windows := (256+int(c)-1)/int(c) + 1
	// digits[i*windows+w]: signed digit of scalar i in window w.
	digits := make([]int32, n*windows)
	var buf [40]byte
	half, full := int32(1)<<(c-1), int32(1)<<c
	for i, s := range scalars {
		s.Encode(buf[:0])
		carry := int32(0)
		for w := 0; w < windows; w++ {
			pos := uint(w) * c
			var v int32
			if pos < 256 {
				v = int32(binary.LittleEndian.Uint64(buf[pos/8:])>>(pos%8)) & (full - 1)
			}
			v += carry
			carry = 0
			if v >= half {
				v -= full
				carry = 1
			}
			digits[i*windows+w] = v
		}
	}
	neg := make([]*ristretto255.Element, n)
	buckets := make([]*ristretto255.Element, half)
	var acc *ristretto255.Element
	for w := windows - 1; w >= 0; w-- {
		if acc != nil {
			for range c {
				acc.Add(acc, acc)
			}
		}
		clear(buckets)
		for i, P := range points {
			d := digits[i*windows+w]
			switch {
			case d > 0:
				if b := buckets[d-1]; b == nil {
					buckets[d-1] = ristretto255.NewElement().Add(P, ristretto255.NewElement())
				} else {
					b.Add(b, P)
				}
			case d < 0:
				if neg[i] == nil {
					neg[i] = ristretto255.NewElement().Negate(P)
				}
				if b := buckets[-d-1]; b == nil {
					buckets[-d-1] = ristretto255.NewElement().Add(neg[i], ristretto255.NewElement())
				} else {
					b.Add(b, neg[i])
				}
			}
		}
		// Σ (k+1)·bucket[k] by running sums.
		var running, total *ristretto255.Element
		for k := len(buckets) - 1; k >= 0; k-- {
			if b := buckets[k]; b != nil {
				if running == nil {
					running = b
				} else {
					running.Add(running, b)
				}
			}
			if running != nil {
				if total == nil {
					total = ristretto255.NewElement().Add(running, ristretto255.NewElement())
				} else {
					total.Add(total, running)
				}
			}
		}
		switch {
		case total == nil:
		case acc == nil:
			acc = total
		default:
			acc.Add(acc, total)
		}
	}
	if acc == nil {
		return ristretto255.NewElement()
	}
	return acc
}
