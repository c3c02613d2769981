package gcsource

import (
	"context"
	"fmt"
	"runtime/metrics"
	"slices"

	"github.com/slaspec/slaspec/loadrunner"
)

// The runtime/metrics the in-process source samples during the window.
const (
	metricSched      = "/sched/latencies:seconds"
	metricGoroutines = "/sched/goroutines:goroutines"
	metricHeap       = "/memory/classes/heap/objects:bytes"
)

var (
	_ loadrunner.RuntimeSampler = (*inProcess)(nil)
	_ loadrunner.RuntimeSampler = (*expvarSource)(nil)
	_ loadrunner.RuntimeSampler = (*promSource)(nil)
)

// rtReading is one in-process reading of the sampled metrics.
type rtReading struct {
	goroutines  uint64
	heap        uint64
	schedBounds []float64
	schedCounts []uint64
	pauseBounds []float64
	pauseCounts []uint64
	cycles      uint64
}

// readRuntimeSample reads the sampled metrics of this process.
func readRuntimeSample() (rtReading, error) {
	s := []metrics.Sample{{Name: metricSched}, {Name: metricGoroutines}, {Name: metricHeap}, {Name: metricPauses}, {Name: metricCycles}}
	metrics.Read(s)
	want := []metrics.ValueKind{metrics.KindFloat64Histogram, metrics.KindUint64, metrics.KindUint64, metrics.KindFloat64Histogram, metrics.KindUint64}
	for i, k := range want {
		if s[i].Value.Kind() != k {
			return rtReading{}, fmt.Errorf("gcsource: runtime/metrics %s: not supported by this runtime", s[i].Name)
		}
	}
	sched, pauses := s[0].Value.Float64Histogram(), s[3].Value.Float64Histogram()
	return rtReading{
		schedBounds: slices.Clone(sched.Buckets), schedCounts: slices.Clone(sched.Counts),
		goroutines: s[1].Value.Uint64(), heap: s[2].Value.Uint64(),
		pauseBounds: slices.Clone(pauses.Buckets), pauseCounts: slices.Clone(pauses.Counts),
		cycles: s[4].Value.Uint64(),
	}, nil
}

// SampleRuntime reads this process's goroutines, heap, and scheduling
// latency and GC since the previous reading (or Begin).
func (s *inProcess) SampleRuntime(context.Context) (loadrunner.RuntimeSample, error) {
	now, err := readRuntimeSample()
	if err != nil {
		return loadrunner.RuntimeSample{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.begun {
		return loadrunner.RuntimeSample{}, fmt.Errorf("gcsource: %s: SampleRuntime outside Begin and End", s.Name())
	}
	if s.lastErr != nil {
		return loadrunner.RuntimeSample{}, s.lastErr
	}
	prev := s.last
	s.last = now
	sample := loadrunner.RuntimeSample{Goroutines: int64(now.goroutines), HeapBytes: now.heap}
	sched, err := bucketDelta(prev.schedBounds, prev.schedCounts, now.schedBounds, now.schedCounts)
	if err != nil {
		return sample, fmt.Errorf("gcsource: %s: %s: %w", s.Name(), metricSched, err)
	}
	pauses, err := bucketDelta(prev.pauseBounds, prev.pauseCounts, now.pauseBounds, now.pauseCounts)
	if err != nil {
		return sample, fmt.Errorf("gcsource: %s: %s: %w", s.Name(), metricPauses, err)
	}
	sample.SchedLatency = sched.hist
	sample.GCCycles, sample.GCPauseTotal, sample.GCKnown = now.cycles-prev.cycles, pauses.total, true
	return sample, nil
}

// bucketDelta builds the distribution of what a cumulative runtime/metrics
// histogram gained between two readings.
func bucketDelta(bBounds []float64, bCounts []uint64, eBounds []float64, eCounts []uint64) (bucketed, error) {
	if !slices.Equal(bBounds, eBounds) || len(bCounts) != len(eCounts) {
		return bucketed{}, fmt.Errorf("bucket boundaries changed")
	}
	delta := make([]uint64, len(eCounts))
	for i := range delta {
		if eCounts[i] < bCounts[i] {
			return bucketed{}, fmt.Errorf("bucket %d fell from %d to %d", i, bCounts[i], eCounts[i])
		}
		delta[i] = eCounts[i] - bCounts[i]
	}
	return fromBuckets(eBounds, delta)
}
