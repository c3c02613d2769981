// Package gcsource reads the garbage collector of the service under test
// during a load run's measured window. Each constructor returns a
// loadrunner.GCSource; attach one with loadrunner.WithGCSource and the
// result's GC field holds the window's figures: cycles, pauses (count,
// total, max, distribution) and, where known, the bytes allocated.
//
//	res, err := loadrunner.Run(ctx, plan, target,
//		loadrunner.WithGCSource(gcsource.Expvar("http://127.0.0.1:8080")))
//
// The sources differ in what they can see and how precisely. GCStats.Exact
// says whether individual pauses were observed; GCStats.Notes say how the
// figures were made and Warnings what may be missing.
//
// # InProcess — a handler mounted in the test binary
//
// runtime/metrics: the /sched/pauses/total/gc:seconds histogram delta,
// /gc/cycles/total:gc-cycles and /gc/heap/allocs:bytes. Every
// stop-the-world phase is one pause (two per cycle). The runtime's buckets
// are up to 25% wide and each pause is taken at its bucket's upper bound, so
// percentiles, PauseMax and PauseTotal are upper bounds (Exact is false).
// The load generator shares the process: its own allocation and GC count.
//
// # Expvar — a Go service serving /debug/vars
//
// runtime.MemStats as JSON: the pause of every cycle in the window, exactly,
// from the 256-entry PauseNs ring (Exact is true). One pause per cycle: the
// cycle's sweep-termination and mark-termination pauses summed. When more
// than 256 cycles ran in the window the ring has wrapped: a Warning says how
// many pauses are not seen; Cycles, Pauses and PauseTotal still count them.
// AllocBytes is the TotalAlloc delta.
//
// # Prometheus — a Go service serving client_golang's /metrics
//
// The text exposition format, parsed strictly and with bounded input.
// With the runtime/metrics pause histogram (go_sched_pauses_total_gc_seconds,
// which client_golang exposes when its Go collector is told to) the pauses
// and their distribution come from its bucket delta, taken at bucket upper
// bounds; client_golang's buckets are a power of ten apart, so this is
// coarse. go_gc_duration_seconds gives the exact PauseTotal (its _sum) and
// cycles (its _count); alone it gives no distribution, only an upper bound
// of PauseMax (its quantile="1", the longest of the last 256 cycles).
// Exact is false.
//
// # GCTrace — a Go process the test starts, with GODEBUG=gctrace=1
//
// A GCTrace is the process's stderr writer. Each gctrace line is one cycle
// with two pauses (the first and third clock times), observed individually
// (Exact is true) but printed by the runtime with two significant digits,
// truncated: each pause may read up to 10% or 1 µs short. No allocation
// figure.
//
// # Runtime samples during the window
//
// InProcess, Expvar and Prometheus are also loadrunner.RuntimeSamplers: a
// run reads them once per time-series interval, so the result's time series
// shows the service's goroutines, heap, scheduling latency and GC per
// interval, and its Runtime field the window's maxima and scheduling-latency
// percentiles. InProcess reads runtime/metrics (/sched/latencies:seconds,
// /sched/goroutines:goroutines, /memory/classes/heap/objects:bytes).
// Expvar reads memstats.HeapAlloc and the GC counters, and a top-level
// "goroutines" number when the service publishes one (expvar does not by
// default); it has no scheduling latency. Prometheus reads go_goroutines,
// go_memory_classes_heap_objects_bytes or go_memstats_heap_alloc_bytes, the
// go_gc_duration_seconds counters, and go_sched_latencies_seconds when the
// service's Go collector exposes it. A scheduling latency comes from bucket
// deltas, each value taken at its bucket's upper bound.
//
// All sources measure from Begin to End: cycles that straddle an edge may
// be counted or not (±1 cycle). The HTTP sources bound each scrape
// (WithTimeout, WithMaxBody) and report a bad URL, a failed scrape or a
// malformed document as an error naming the URL and the field.
package gcsource
