package sla

import (
	"fmt"

	"github.com/slaspec/slaspec/loadrunner"
)

// observeRuntime measures a budget of the service's runtime from the
// readings a run took once per interval.
func observeRuntime(rt *loadrunner.RuntimeStats, b Budget) Observation {
	if rt == nil || rt.Samples == 0 {
		return Observation{Missing: "no runtime readings of the service: attach a GC source that can be sampled (gcsource.InProcess, Expvar or Prometheus) with loadrunner.WithGCSource", Needed: 1}
	}
	o := Observation{Samples: uint64(rt.Samples), Needed: 1, Notes: rt.Warnings}
	switch b.Kind {
	case Goroutines:
		if !rt.GoroutinesKnown {
			return Observation{Missing: rt.Source + " reports no goroutine count (publish one as \"goroutines\" in expvar, or read Prometheus' go_goroutines)", Needed: 1}
		}
		o.Value = float64(rt.GoroutinesMax)
		o.Notes = append(o.Notes, readingsNote(rt))
	case HeapBytes:
		if !rt.HeapKnown {
			return Observation{Missing: rt.Source + " reports no heap size", Needed: 1}
		}
		o.Value = float64(rt.HeapMax)
		o.Notes = append(o.Notes, readingsNote(rt), "heap held by objects, live and not yet swept (HeapAlloc): an upper bound of the live heap")
	case SchedLatency:
		return observeSched(rt, b, o)
	}
	return o
}

// observeSched reads a scheduling-latency figure from the window's
// distribution.
func observeSched(rt *loadrunner.RuntimeStats, b Budget, o Observation) Observation {
	h := rt.SchedLatency
	if !rt.SchedKnown || h == nil || h.Count() == 0 {
		return Observation{Missing: rt.Source + " gives no scheduling latency (runtime/metrics /sched/latencies:seconds: in-process, or Prometheus' go_sched_latencies_seconds)", Needed: 1}
	}
	o.Samples, o.Needed = h.Count(), NeededSamples(b.Percentile)
	if b.Percentile >= 100 {
		o.Value = float64(h.Max())
	} else {
		o.Value = float64(h.Percentile(b.Percentile))
	}
	o.Notes = append(o.Notes, "scheduling latency from runtime buckets: each value at its bucket's upper bound")
	return o
}

// readingsNote says how often a gauge was read.
func readingsNote(rt *loadrunner.RuntimeStats) string {
	return fmt.Sprintf("the largest of %d readings, one per interval: a peak between readings is not seen", rt.Samples)
}
