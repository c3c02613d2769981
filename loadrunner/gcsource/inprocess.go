package gcsource

import (
	"context"
	"fmt"
	"runtime/metrics"
	"slices"
	"sync"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// The runtime/metrics the in-process source reads.
const (
	metricPauses = "/sched/pauses/total/gc:seconds"
	metricCycles = "/gc/cycles/total:gc-cycles"
	metricAllocs = "/gc/heap/allocs:bytes"
)

// InProcess returns a source that reads this process's own garbage collector
// through runtime/metrics: the /sched/pauses/total/gc:seconds histogram, the
// /gc/cycles/total:gc-cycles counter and /gc/heap/allocs:bytes, each as a
// delta between Begin and End. Use it when the service's handler runs in the
// test binary.
//
// The load generator shares the process, so its own allocation and GC are
// part of the figures. The runtime keeps pauses in buckets up to 25% wide:
// each pause is taken at its bucket's upper bound, so percentiles, PauseMax
// and PauseTotal are upper bounds (Exact is false). Every stop-the-world
// phase (sweep termination, mark termination) is one pause: about two per
// cycle.
func InProcess() loadrunner.GCSource {
	return &inProcess{}
}

var _ loadrunner.GCSource = (*inProcess)(nil)

type inProcess struct {
	mu    sync.Mutex
	begun bool
	start time.Time
	at    rmSnapshot
	// last is the previous runtime reading (see SampleRuntime); lastErr
	// why there is none.
	last    rtReading
	lastErr error
}

// rmSnapshot is one reading of the metrics the source uses.
type rmSnapshot struct {
	bounds []float64
	counts []uint64
	cycles uint64
	allocs uint64
}

func (s *inProcess) Name() string { return "runtime/metrics (in-process)" }

// Begin reads the metrics at the start of the window.
func (s *inProcess) Begin(context.Context) error {
	snap, err := readRuntimeMetrics()
	if err != nil {
		return err
	}
	last, lastErr := readRuntimeSample()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begun, s.start, s.at = true, time.Now(), snap
	s.last, s.lastErr = last, lastErr
	return nil
}

// End reads the metrics again and returns the difference.
func (s *inProcess) End(context.Context) (loadrunner.GCStats, error) {
	end, err := readRuntimeMetrics()
	if err != nil {
		return loadrunner.GCStats{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.begun {
		return loadrunner.GCStats{}, fmt.Errorf("gcsource: %s: End without Begin", s.Name())
	}
	s.begun = false
	return s.stats(s.at, end, time.Since(s.start))
}

func (s *inProcess) stats(begin, end rmSnapshot, window time.Duration) (loadrunner.GCStats, error) {
	b, err := bucketDelta(begin.bounds, begin.counts, end.bounds, end.counts)
	if err != nil {
		return loadrunner.GCStats{}, fmt.Errorf("gcsource: %s: %s: %w", s.Name(), metricPauses, err)
	}
	g := loadrunner.GCStats{
		Source: s.Name(), Window: window,
		Cycles: end.cycles - begin.cycles,
		Pauses: b.count, PauseTotal: b.total, PauseMax: b.max, PauseHist: b.hist,
		AllocBytes: end.allocs - begin.allocs, AllocKnown: true,
		Notes: []string{
			"in-process: the load generator shares the process, its own allocation and GC are included",
			fmt.Sprintf("pauses from runtime/metrics %s: each stop-the-world phase is one pause", metricPauses),
			fmt.Sprintf("pause figures are bucket upper bounds (buckets up to %.0f%% wide): percentiles, max and total may read high", (b.widest-1)*100),
			fmt.Sprintf("allocated bytes from %s", metricAllocs),
		},
	}
	if b.open > 0 {
		g.Warnings = append(g.Warnings, fmt.Sprintf("%d pauses above %v are taken at %v, a lower bound", b.open, b.openAt, b.openAt))
	}
	return g, nil
}

// readRuntimeMetrics reads the three metrics, checking that the runtime
// supports each.
func readRuntimeMetrics() (rmSnapshot, error) {
	s := []metrics.Sample{{Name: metricPauses}, {Name: metricCycles}, {Name: metricAllocs}}
	metrics.Read(s)
	want := []metrics.ValueKind{metrics.KindFloat64Histogram, metrics.KindUint64, metrics.KindUint64}
	for i, k := range want {
		if s[i].Value.Kind() != k {
			return rmSnapshot{}, fmt.Errorf("gcsource: runtime/metrics %s: not supported by this runtime", s[i].Name)
		}
	}
	h := s[0].Value.Float64Histogram()
	return rmSnapshot{
		bounds: slices.Clone(h.Buckets), counts: slices.Clone(h.Counts),
		cycles: s[1].Value.Uint64(), allocs: s[2].Value.Uint64(),
	}, nil
}
