package loadrunner

import (
	"context"
	"time"
)

// GCSource reads the garbage collector of the service under test. A run calls
// Begin when its measured window opens and End when it closes; End returns
// the GC activity inside that window. Implementations live in package
// loadrunner/gcsource (in-process runtime/metrics, expvar, Prometheus text,
// gctrace lines). A source is used by one run at a time.
type GCSource interface {
	// Name describes the source for reports, e.g. "expvar http://127.0.0.1:8080/debug/vars".
	Name() string
	// Begin marks the start of the measured window.
	Begin(ctx context.Context) error
	// End returns the GC activity since Begin.
	End(ctx context.Context) (GCStats, error)
}

// GCStats is the GC activity of the service under test during a run's
// measured window: the one shape every GCSource yields and matchers read.
type GCStats struct {
	// Source is the Name of the source that produced the figures.
	Source string `json:"source"`
	// Window is the length of the window the figures cover.
	Window time.Duration `json:"window_ns"`
	// Cycles is the number of GC cycles completed in the window.
	Cycles uint64 `json:"cycles"`
	// Pauses is the number of stop-the-world pauses in the window.
	Pauses uint64 `json:"pauses"`
	// PauseTotal is the summed length of the pauses.
	PauseTotal time.Duration `json:"pause_total_ns"`
	// PauseMax is the longest pause (an upper bound when Exact is false).
	PauseMax time.Duration `json:"pause_max_ns"`
	// PauseHist is the pause distribution, nil when the source has none.
	PauseHist *Histogram `json:"pause_hist,omitempty"`
	// AllocBytes is the heap allocated in the window, valid when AllocKnown.
	AllocBytes uint64 `json:"alloc_bytes,omitempty"`
	AllocKnown bool   `json:"alloc_known,omitempty"`
	// Exact is true when individual pauses were observed; false when they
	// come from bucketed or summarized data (see Notes for the precision).
	Exact bool `json:"exact"`
	// Notes say what the figures are and how precise (e.g. "pause
	// percentiles from runtime/metrics buckets: upper bounds").
	Notes []string `json:"notes,omitempty"`
	// Warnings say what may be missing (e.g. "more than 256 GCs: the expvar
	// ring wrapped, 40 pauses are not seen").
	Warnings []string `json:"warnings,omitempty"`
}

// PausePercentile returns the pause at percentile p (0–100) and whether the
// source has a distribution to answer from.
func (g GCStats) PausePercentile(p float64) (time.Duration, bool) {
	if g.PauseHist == nil {
		return 0, false
	}
	return g.PauseHist.Percentile(p), true
}

// PauseShare returns the share (0–1) of the window spent in GC pauses.
func (g GCStats) PauseShare() float64 {
	if g.Window <= 0 {
		return 0
	}
	return float64(g.PauseTotal) / float64(g.Window)
}
