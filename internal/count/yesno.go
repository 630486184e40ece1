package count

import (
	"fmt"
	"math/bits"
	"strconv"
	"strings"
)

// Ratio is an exact fraction Num/Den used for quorums and thresholds. AtLeast
// makes a threshold inclusive ("at least two thirds"); otherwise a threshold
// must be strictly exceeded ("more than half"). Quorums are always
// inclusive.
type Ratio struct {
	Num, Den uint64
	AtLeast  bool
}

// ParseRatio reads "1/2" (more than half), ">=2/3" (at least two thirds),
// "0" or "0/1" (no requirement). Den must be 1..1,000,000 and Num <= Den.
func ParseRatio(s string) (Ratio, error) {
	var r Ratio
	t := strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(t, ">="); ok {
		r.AtLeast = true
		t = strings.TrimSpace(rest)
	}
	num, den, found := strings.Cut(t, "/")
	if !found {
		den = "1"
	}
	n, err1 := strconv.ParseUint(strings.TrimSpace(num), 10, 64)
	d, err2 := strconv.ParseUint(strings.TrimSpace(den), 10, 64)
	if err1 != nil || err2 != nil {
		return r, fmt.Errorf("ratio %q must look like 1/2 or >=2/3", s)
	}
	if d == 0 || d > 1_000_000 {
		return r, fmt.Errorf("ratio %q: the denominator must be between 1 and 1000000", s)
	}
	if n > d {
		return r, fmt.Errorf("ratio %q is more than 1", s)
	}
	r.Num, r.Den = n, d
	return r, nil
}

// String renders r in the form ParseRatio reads.
func (r Ratio) String() string {
	p := ""
	if r.AtLeast {
		p = ">="
	}
	return fmt.Sprintf("%s%d/%d", p, r.Num, r.Den)
}

// Words renders r for sentences: "more than 1/2", "at least 2/3".
func (r Ratio) Words() string {
	if r.AtLeast {
		return fmt.Sprintf("at least %d/%d", r.Num, r.Den)
	}
	return fmt.Sprintf("more than %d/%d", r.Num, r.Den)
}

// QuorumWords renders r as a quorum, which is always inclusive: "at least 1/3".
func (r Ratio) QuorumWords() string { return fmt.Sprintf("at least %d/%d", r.Num, r.Den) }

// cmp compares a/b with the fraction num/den, exactly (128-bit products):
// it returns -1, 0 or +1.
func cmp(a, b, num, den uint64) int {
	hi1, lo1 := bits.Mul64(a, den)
	hi2, lo2 := bits.Mul64(num, b)
	switch {
	case hi1 != hi2:
		if hi1 < hi2 {
			return -1
		}
		return 1
	case lo1 != lo2:
		if lo1 < lo2 {
			return -1
		}
		return 1
	}
	return 0
}

// YesNoResult is the outcome of a yes/no/abstain decision.
type YesNoResult struct {
	Yes, No, Abstain uint64
	Eligible         uint64 // members entitled to vote (snapshot at opening)
	Turnout          uint64 // yes + no + abstain
	QuorumReached    bool
	Passed           bool
}

// YesNo decides a yes/no/abstain vote by this rule:
//
//   - quorum: the ballots cast (yes, no and abstain alike) must be at least
//     quorum × eligible: turnout/eligible >= quorum. With eligible zero the
//     quorum is reached only when quorum is zero.
//   - threshold: yes/(yes+no) must be more than threshold (or at least, when
//     threshold.AtLeast). Abstentions count towards the quorum, not the
//     threshold. With no yes and no no ballots the proposal fails.
//   - passed: quorum reached and threshold met. An exact tie under a "more
//     than 1/2" threshold fails: the status quo stands.
//
// All comparisons are exact integer arithmetic.
func YesNo(yes, no, abstain, eligible uint64, quorum, threshold Ratio) YesNoResult {
	r := YesNoResult{Yes: yes, No: no, Abstain: abstain, Eligible: eligible, Turnout: yes + no + abstain}
	if eligible == 0 {
		r.QuorumReached = quorum.Num == 0
	} else {
		r.QuorumReached = cmp(r.Turnout, eligible, quorum.Num, quorum.Den) >= 0
	}
	decisive := yes + no
	if !r.QuorumReached || decisive == 0 {
		return r
	}
	c := cmp(yes, decisive, threshold.Num, threshold.Den)
	r.Passed = c > 0 || (c == 0 && threshold.AtLeast)
	return r
}
