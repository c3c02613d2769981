package loadrunner

import (
	"context"
	"time"
)

// RuntimeSampler is implemented by the GC sources that can also read the
// service's runtime at any moment (gcsource's InProcess, Expvar and
// Prometheus). A run whose GC source has it samples the service once per
// time-series interval between Begin and End, from a goroutine of its own
// so that a slow scrape never delays the run's clock; each interval of the
// result's time series gets its sample, and the result's Runtime field the
// window's summary.
type RuntimeSampler interface {
	// SampleRuntime reads the service now: its gauges, and its counters
	// since the previous call (or since Begin).
	SampleRuntime(ctx context.Context) (RuntimeSample, error)
}

// RuntimeSample is one reading of the service's runtime. A figure the
// source cannot read is left zero (a Go service always has goroutines and
// a heap, so zero means unknown); GCKnown says whether the GC figures are.
type RuntimeSample struct {
	// Goroutines is the number of goroutines at the reading.
	Goroutines int64 `json:"goroutines,omitempty"`
	// HeapBytes is the heap held by objects at the reading: live ones and
	// dead ones not yet swept (runtime.MemStats.HeapAlloc,
	// /memory/classes/heap/objects:bytes), an upper bound of the live heap.
	HeapBytes uint64 `json:"heap_bytes,omitempty"`
	// SchedLatency is the distribution of the time goroutines waited to be
	// scheduled since the previous reading (runtime/metrics
	// /sched/latencies:seconds; bucket upper bounds), nil when unknown. The
	// JSON keeps SchedP99 and SchedMax.
	SchedLatency *Histogram    `json:"-"`
	SchedP99     time.Duration `json:"sched_p99_ns,omitempty"`
	SchedMax     time.Duration `json:"sched_max_ns,omitempty"`
	// GCCycles and GCPauseTotal are the GC cycles completed and the pause
	// time since the previous reading, valid when GCKnown.
	GCCycles     uint64        `json:"gc_cycles,omitempty"`
	GCPauseTotal time.Duration `json:"gc_pause_total_ns,omitempty"`
	GCKnown      bool          `json:"gc_known,omitempty"`
}

// RuntimeStats summarizes the runtime samples of a run's measured window.
// A figure no sample knew is zero, its Known flag false.
type RuntimeStats struct {
	// Source is the Name of the GC source sampled.
	Source string `json:"source"`
	// Samples is the number of readings taken; an interval whose reading
	// was still running when the next one was due has none.
	Samples int `json:"samples"`
	// GoroutinesMax is the most goroutines seen at a reading.
	GoroutinesMax   int64 `json:"goroutines_max,omitempty"`
	GoroutinesKnown bool  `json:"goroutines_known,omitempty"`
	// HeapMax is the largest heap seen at a reading (see RuntimeSample.HeapBytes).
	HeapMax   uint64 `json:"heap_max_bytes,omitempty"`
	HeapKnown bool   `json:"heap_known,omitempty"`
	// SchedP50, SchedP99 and SchedMax summarize the scheduling latency of
	// the whole window (bucket upper bounds).
	SchedP50   time.Duration `json:"sched_p50_ns,omitempty"`
	SchedP99   time.Duration `json:"sched_p99_ns,omitempty"`
	SchedMax   time.Duration `json:"sched_max_ns,omitempty"`
	SchedKnown bool          `json:"sched_known,omitempty"`
	// SchedLatency is the window's scheduling-latency distribution (bucket
	// upper bounds), nil when unknown.
	SchedLatency *Histogram `json:"sched_latency,omitempty"`
	// Warnings say what may be missing (failed readings).
	Warnings []string `json:"warnings,omitempty"`
}
