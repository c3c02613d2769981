package loadrunner

import (
	"math/rand/v2"
	"testing"
	"time"
)

// TestBucketPercentileMatchesHistogram checks the figures computed from
// buckets against a histogram holding the same values.
func TestBucketPercentileMatchesHistogram(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 200 {
		h := NewHistogram()
		for range 1 + rng.IntN(3000) {
			h.Record(time.Duration(rng.ExpFloat64() * float64(time.Duration(1+trial%7)*time.Millisecond)))
		}
		bs := h.Buckets()
		for _, p := range []float64{0.1, 1, 25, 50, 90, 99, 99.9, 99.99, 100} {
			if got, want := bucketPercentile(bs, p), h.Percentile(p); got != want {
				t.Fatalf("trial %d: p%v from buckets %v, histogram %v", trial, p, got, want)
			}
		}
	}
	if got := bucketPercentile(nil, 50); got != 0 {
		t.Fatalf("p50 of no buckets = %v, want 0", got)
	}
}
