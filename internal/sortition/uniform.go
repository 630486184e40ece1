package sortition

import "fmt"

// Uniform draws k distinct members from eligible, each k-subset equally
// likely, by a partial Fisher–Yates shuffle on the stream of seed under
// TagUniform: with a a copy of eligible and n = len(eligible), for i = 0 … k−1
// it takes j = i + Below(n−i) and swaps a[i] and a[j]; the result is a[0:k]
// in the order drawn. Drawing k members and then j < k is the same as taking
// the first j, so the order can rank substitutes.
//
// eligible must be strictly increasing (sorted, no repeats), which makes the
// draw independent of how the caller happened to list the members.
func Uniform(seed [32]byte, eligible []uint32, k int) ([]uint32, error) {
	if err := checkSorted(eligible); err != nil {
		return nil, fmt.Errorf("uniform draw: %w", err)
	}
	if k < 0 || k > len(eligible) {
		return nil, fmt.Errorf("uniform draw: cannot draw %d of %d eligible members", k, len(eligible))
	}
	return shuffleDraw(NewStream(seed, TagUniform), eligible, k), nil
}

// shuffleDraw is the partial Fisher–Yates shuffle of Uniform on a given
// stream; it leaves members unchanged. When k is small beside n it keeps
// only the displaced entries (in a map read by key, never iterated), so a
// draw of 40 from 100,000 costs microseconds; the result is the same.
func shuffleDraw(s *Stream, members []uint32, k int) []uint32 {
	n := uint64(len(members))
	if 8*k >= len(members) {
		a := make([]uint32, len(members))
		copy(a, members)
		for i := 0; i < k; i++ {
			j := i + int(s.Below(n-uint64(i)))
			a[i], a[j] = a[j], a[i]
		}
		return a[:k:k]
	}
	moved := make(map[int]uint32, k)
	at := func(i int) uint32 {
		if v, ok := moved[i]; ok {
			return v
		}
		return members[i]
	}
	out := make([]uint32, k)
	for i := 0; i < k; i++ {
		j := i + int(s.Below(n-uint64(i)))
		out[i], moved[j] = at(j), at(i) // position i is never read again
	}
	return out
}

// checkSorted reports the first place where members is not strictly
// increasing.
func checkSorted(members []uint32) error {
	for i := 1; i < len(members); i++ {
		if members[i] <= members[i-1] {
			return fmt.Errorf("members not strictly increasing: %d follows %d at position %d", members[i], members[i-1], i)
		}
	}
	return nil
}
