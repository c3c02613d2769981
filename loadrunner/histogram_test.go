package loadrunner

import (
	"math"
	"math/rand/v2"
	"slices"
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

// TestBucketsMatchDistribution checks the buckets read from the counters
// against HdrHistogram's own distribution, over the whole range.
func TestBucketsMatchDistribution(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 100 {
		h := NewHistogram()
		for range 1 + rng.IntN(2000) {
			// Log-uniform over 1 ns to an hour, so every bucket size is met.
			h.Record(time.Duration(math.Exp(rng.Float64() * math.Log(float64(histHighest)))))
		}
		h.Record(0)
		h.Record(time.Duration(histHighest))
		var want []Bucket
		for _, b := range h.h.Distribution() {
			if b.Count > 0 {
				want = append(want, Bucket{From: time.Duration(b.From), To: time.Duration(b.To), Count: uint64(b.Count)})
			}
		}
		if got := h.Buckets(); !slices.Equal(got, want) {
			t.Fatalf("trial %d: buckets differ from the distribution: %d against %d", trial, len(got), len(want))
		}
	}
	if got := NewHistogram().Buckets(); len(got) != 0 {
		t.Fatalf("an empty histogram has buckets %v", got)
	}
}
