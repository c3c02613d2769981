package contract

import (
	"fmt"
	"math"
	"sync/atomic"
)

// Sampling is the response-checking policy of a target, for rates at which
// checking every response would cost too much. Every non-2xx response is
// checked; of the 2xx responses, the First are checked, and after them a
// Fraction (0–1, spread evenly). The zero value checks every response.
// Findings.Stats says how many responses were checked.
type Sampling struct {
	// First is the number of 2xx responses checked before sampling starts.
	First int64 `json:"first"`
	// Fraction is the share (0–1) of later 2xx responses checked; with
	// First it must not both be zero unless every response is to be checked.
	Fraction float64 `json:"fraction"`
}

// Validate reports a fraction outside 0–1 or a negative First.
func (s Sampling) Validate() error {
	if s.First < 0 || s.Fraction < 0 || s.Fraction > 1 || math.IsNaN(s.Fraction) {
		return fmt.Errorf("contract: sampling first %d fraction %g: want first ≥ 0 and 0 ≤ fraction ≤ 1", s.First, s.Fraction)
	}
	return nil
}

// all reports whether the policy checks everything.
func (s Sampling) all() bool { return s.First == 0 && s.Fraction == 0 || s.Fraction == 1 }

// sampler applies a Sampling to a stream of responses; safe for concurrent use.
type sampler struct {
	policy Sampling
	n      atomic.Int64
}

// take reports whether a response with status should be checked.
func (s *sampler) take(status int) bool {
	if s.policy.all() || status < 200 || status > 299 {
		return true
	}
	n := s.n.Add(1) - 1
	if n < s.policy.First {
		return true
	}
	k := float64(n - s.policy.First)
	return math.Floor((k+1)*s.policy.Fraction) > math.Floor(k*s.policy.Fraction)
}
