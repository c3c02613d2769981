package gcsource_test

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

// The proofs: each source against a real Go program that collects garbage
// many times, compared with the program's own view over the same window.
// The program switches its GC off while idle, so no cycle falls on an edge
// and counts must agree exactly.

func TestExpvarAgainstRealProcess(t *testing.T) {
	c := startChild(t, nil, nil, "-expvar")
	g, t0, t1 := c.measure(gcsource.Expvar(c.url), 150, 30)

	cycles := uint64(t1.NumGC - t0.NumGC)
	if cycles > 256 {
		t.Skipf("%d cycles: the ring wrapped, covered by TestExpvarRingWrapsInRealProcess", cycles)
	}
	total, longest := sum(ringPauses(t0, t1))
	t.Logf("%d cycles in %v, pause total %v, max %v", g.Cycles, g.Window, g.PauseTotal, g.PauseMax)
	checks := []struct {
		name      string
		got, want any
	}{
		{"Cycles", g.Cycles, cycles},
		{"Pauses", g.Pauses, cycles},
		{"PauseHist count", g.PauseHist.Count(), cycles},
		{"PauseTotal", g.PauseTotal, time.Duration(t1.PauseTotalNs - t0.PauseTotalNs)},
		{"PauseTotal from the ring", g.PauseTotal, total},
		{"PauseMax", g.PauseMax, longest},
		{"Exact", g.Exact, true},
		{"AllocKnown", g.AllocKnown, true},
		{"Warnings", len(g.Warnings), 0},
	}
	for _, ck := range checks {
		if ck.got != ck.want {
			t.Errorf("%s = %v, want %v", ck.name, ck.got, ck.want)
		}
	}
	if want := t1.TotalAlloc - t0.TotalAlloc; !within(g.AllocBytes, want, 0.01) {
		t.Errorf("AllocBytes = %d, want within 1%% of %d", g.AllocBytes, want)
	}
}

func TestExpvarRingWrapsInRealProcess(t *testing.T) {
	c := startChild(t, nil, []string{"GOGC=20"}, "-expvar")
	g, t0, t1 := c.measure(gcsource.Expvar(c.url), 4000, 300)

	cycles := uint64(t1.NumGC - t0.NumGC)
	total, longest := sum(ringPauses(t0, t1))
	t.Logf("%d cycles in %v; warnings %q", g.Cycles, g.Window, g.Warnings)
	if g.Cycles != cycles || g.Pauses != cycles {
		t.Errorf("Cycles, Pauses = %d, %d, want %d", g.Cycles, g.Pauses, cycles)
	}
	if want := time.Duration(t1.PauseTotalNs - t0.PauseTotalNs); g.PauseTotal != want {
		t.Errorf("PauseTotal = %v, want the full delta %v", g.PauseTotal, want)
	}
	if g.PauseHist.Count() != 256 || g.PauseMax != longest {
		t.Errorf("hist count %d, max %v; want the last 256 cycles' (max %v, total %v)", g.PauseHist.Count(), g.PauseMax, longest, total)
	}
	if len(g.Warnings) != 1 || !strings.Contains(g.Warnings[0], fmt.Sprintf("%d pauses are not seen", cycles-256)) {
		t.Errorf("Warnings = %q, want one saying %d pauses are not seen", g.Warnings, cycles-256)
	}
}

func TestPrometheusAgainstRealProcess(t *testing.T) {
	c := startChild(t, nil, nil, "-prom")
	g, t0, t1 := c.measure(gcsource.Prometheus(c.url), 150, 30)

	cycles := uint64(t1.NumGC - t0.NumGC)
	pauses, maxLower := histDelta(t, t0, t1)
	t.Logf("%d cycles, %d pauses, total %v, max ≤ %v; notes %q", g.Cycles, g.Pauses, g.PauseTotal, g.PauseMax, g.Notes)
	if g.Cycles != cycles || t1.Cycles-t0.Cycles != cycles {
		t.Errorf("Cycles = %d, want %d", g.Cycles, cycles)
	}
	if g.Pauses != pauses || g.PauseHist.Count() != pauses {
		t.Errorf("Pauses, PauseHist count = %d, %d, want %d (runtime/metrics)", g.Pauses, g.PauseHist.Count(), pauses)
	}
	want := time.Duration(t1.PauseTotalNs - t0.PauseTotalNs)
	if d := g.PauseTotal - want; d < -time.Microsecond || d > time.Microsecond {
		t.Errorf("PauseTotal = %v, want %v ± 1µs (float seconds)", g.PauseTotal, want)
	}
	if g.PauseMax < maxLower {
		t.Errorf("PauseMax = %v, want an upper bound, at least %v", g.PauseMax, maxLower)
	}
	if g.Exact || len(g.Warnings) != 0 || !g.AllocKnown {
		t.Errorf("Exact %v, AllocKnown %v, Warnings %q; want inexact, allocs known, no warnings", g.Exact, g.AllocKnown, g.Warnings)
	}
	if want := t1.TotalAlloc - t0.TotalAlloc; !within(g.AllocBytes, want, 0.01) {
		t.Errorf("AllocBytes = %d, want within 1%% of %d", g.AllocBytes, want)
	}
}

func TestGCTraceAgainstRealProcess(t *testing.T) {
	var teed countingWriter
	trace := gcsource.NewGCTrace(&teed)
	c := startChild(t, trace, []string{"GODEBUG=gctrace=1"}, "-expvar")
	g, t0, t1 := c.measure(trace, 150, 30)

	cycles := uint64(t1.NumGC - t0.NumGC)
	truthTotal := time.Duration(t1.PauseTotalNs - t0.PauseTotalNs)
	t.Logf("%d cycles, total %v (runtime %v), max %v", g.Cycles, g.PauseTotal, truthTotal, g.PauseMax)
	if g.Cycles != cycles || g.Pauses != 2*cycles || g.PauseHist.Count() != 2*cycles {
		t.Errorf("Cycles, Pauses, hist count = %d, %d, %d; want %d cycles, two pauses each", g.Cycles, g.Pauses, g.PauseHist.Count(), cycles)
	}
	// gctrace truncates each pause to two significant digits and whole µs,
	// and the runtime's own total may include a restarted mark termination.
	lo := time.Duration(float64(truthTotal)*0.8) - time.Duration(g.Pauses)*time.Microsecond
	hi := time.Duration(float64(truthTotal)*1.05) + time.Duration(g.Cycles)*5*time.Microsecond
	if g.PauseTotal < lo || g.PauseTotal > hi {
		t.Errorf("PauseTotal = %v, want within [%v, %v] of the runtime's %v", g.PauseTotal, lo, hi, truthTotal)
	}
	if !g.Exact || len(g.Warnings) != 0 {
		t.Errorf("Exact %v, Warnings %q; want exact, none", g.Exact, g.Warnings)
	}
	if teed.n.Load() == 0 {
		t.Error("nothing was copied on to the tee")
	}
}

type countingWriter struct{ n atomic.Int64 }

func (w *countingWriter) Write(p []byte) (int, error) {
	w.n.Add(int64(len(p)))
	return len(p), nil
}
