package gcsource

import (
	"fmt"
	"math"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// maxBucketCount bounds the pauses a bucketed distribution may claim, so a
// hostile or corrupt endpoint cannot make the histogram arithmetic overflow.
const maxBucketCount = 1 << 40

// maxPause is the largest pause a histogram records (its geometry's top).
const maxPause = time.Hour

// bucketed is a pause distribution rebuilt from bucket counts.
type bucketed struct {
	hist  *loadrunner.Histogram
	count uint64
	// total sums the recorded values: upper bounds, and lower bounds for an
	// open-ended top bucket.
	total time.Duration
	// max is the upper bound of the highest populated bucket; it is only a
	// lower bound when open > 0.
	max time.Duration
	// open counts values in an open-ended top bucket, recorded at its lower
	// bound openAt.
	open   uint64
	openAt time.Duration
	// widest is the largest ratio of upper to lower bound among the
	// populated buckets with a positive lower bound (1 when none).
	widest float64
}

// fromBuckets builds a distribution from bucket counts. bounds holds
// len(counts)+1 ascending boundaries in seconds: bucket i holds values in
// [bounds[i], bounds[i+1]). Each value is recorded at its bucket's upper bound
// (so percentiles and max are upper bounds), except in a bucket whose upper
// bound is +Inf, where it is recorded at the lower bound and counted in open.
func fromBuckets(bounds []float64, counts []uint64) (bucketed, error) {
	if len(bounds) != len(counts)+1 {
		return bucketed{}, fmt.Errorf("%d bucket boundaries for %d buckets", len(bounds), len(counts))
	}
	b := bucketed{hist: loadrunner.NewHistogram(), widest: 1}
	var total float64
	for i, n := range counts {
		if n == 0 {
			continue
		}
		lo, hi := bounds[i], bounds[i+1]
		if math.IsNaN(lo) || math.IsNaN(hi) || !(lo < hi) {
			return bucketed{}, fmt.Errorf("bucket [%g, %g): boundaries not ascending", lo, hi)
		}
		if b.count += n; b.count > maxBucketCount || b.count < n {
			return bucketed{}, fmt.Errorf("more than %d values in the buckets", uint64(maxBucketCount))
		}
		at := hi
		if math.IsInf(hi, 1) {
			at = lo
			b.open += n
			b.openAt = seconds(lo)
		} else if lo > 0 {
			b.widest = max(b.widest, hi/lo)
		}
		d := seconds(at)
		recordN(b.hist, d, n)
		total += float64(d) * float64(n)
		b.max = d
	}
	if total > float64(math.MaxInt64) {
		return bucketed{}, fmt.Errorf("pause total %g ns overflows", total)
	}
	b.total = time.Duration(total)
	return b, nil
}

// seconds converts a bucket boundary to a duration: negative values (and
// -Inf) become zero, values past maxPause become maxPause.
func seconds(s float64) time.Duration {
	switch {
	case !(s > 0): // also NaN
		return 0
	case s >= maxPause.Seconds():
		return maxPause
	}
	return time.Duration(math.Round(s * 1e9))
}

// recordN records d n times into h in O(log n) merges.
func recordN(h *loadrunner.Histogram, d time.Duration, n uint64) {
	const direct = 1 << 12
	if n <= direct {
		for range n {
			h.Record(d)
		}
		return
	}
	block := loadrunner.NewHistogram()
	block.Record(d)
	for n > 0 {
		if n&1 == 1 {
			_ = h.Merge(block) // same geometry: nothing can be dropped
		}
		if n >>= 1; n > 0 {
			_ = block.Merge(block.Clone())
		}
	}
}
