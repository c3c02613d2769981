package gcsource

import (
	"context"
	"fmt"

	"github.com/slaspec/slaspec/loadrunner"
)

// SampleRuntime scrapes the endpoint: go_goroutines, the heap held by
// objects (go_memory_classes_heap_objects_bytes or
// go_memstats_heap_alloc_bytes), and since the previous scrape (or Begin)
// the scheduling latency (go_sched_latencies_seconds, when exposed) and the
// GC cycles and pause time (go_gc_duration_seconds' _count and _sum).
func (s *promSource) SampleRuntime(ctx context.Context) (loadrunner.RuntimeSample, error) {
	if !s.isBegun() {
		return loadrunner.RuntimeSample{}, fmt.Errorf("gcsource: %s: SampleRuntime outside Begin and End", s.Name())
	}
	snap, err := s.scrape(ctx)
	if err != nil {
		return loadrunner.RuntimeSample{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.last
	s.last = snap
	sample, err := promRuntime(prev, snap)
	if err != nil {
		return sample, fmt.Errorf("gcsource: %s: %w", s.Name(), err)
	}
	return sample, nil
}

// promRuntime turns two consecutive scrapes into one runtime reading.
func promRuntime(prev, now promSnapshot) (loadrunner.RuntimeSample, error) {
	var sample loadrunner.RuntimeSample
	if g := now.goroutines; g != nil && isCount(*g) {
		sample.Goroutines = int64(*g)
	}
	if h := now.heap; h != nil && isCount(*h) {
		sample.HeapBytes = uint64(*h)
	}
	if prev.sched != nil && now.sched != nil {
		b, err := promHistDelta(prev.sched, now.sched)
		if err != nil {
			return sample, fmt.Errorf("histogram %s: %w", famSched, err)
		}
		sample.SchedLatency = b.hist
	}
	if p, n := prev.summary, now.summary; p != nil && n != nil {
		cycles, err := countDelta(famSummary+"_count", *p.count, *n.count)
		if err != nil {
			return sample, err
		}
		if total, ok := secondsDelta(*p.sum, *n.sum); ok {
			sample.GCCycles, sample.GCPauseTotal, sample.GCKnown = cycles, total, true
		}
	}
	return sample, nil
}
