package gcsource_test

import (
	"context"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

var inProcessSink [16][]byte

// TestInProcessAgainstMemStats allocates in the test itself and compares the
// source with runtime.ReadMemStats over the same window. runtime.GC at both
// edges leaves no cycle half done at Begin or End.
func TestInProcessAgainstMemStats(t *testing.T) {
	ctx := context.Background()
	src := gcsource.InProcess()
	runtime.GC()
	var ms0, ms1 runtime.MemStats
	runtime.ReadMemStats(&ms0)
	if err := src.Begin(ctx); err != nil {
		t.Fatal(err)
	}
	const minCycles = 30
	deadline := time.Now().Add(20 * time.Second)
	for i := 0; ; i++ {
		inProcessSink[i%len(inProcessSink)] = make([]byte, 32<<10)
		if i%1024 == 0 {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.NumGC-ms0.NumGC >= minCycles {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d GC cycles in 20s", minCycles)
			}
		}
	}
	runtime.GC()
	g, err := src.End(ctx)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&ms1)

	cycles := uint64(ms1.NumGC - ms0.NumGC)
	truth := time.Duration(ms1.PauseTotalNs - ms0.PauseTotalNs)
	t.Logf("%d cycles, %d pauses, total %v (MemStats %v), max %v", g.Cycles, g.Pauses, g.PauseTotal, truth, g.PauseMax)
	if g.Cycles+1 < cycles || g.Cycles > cycles {
		t.Errorf("Cycles = %d, want %d (or one less)", g.Cycles, cycles)
	}
	// two stop-the-world pauses per cycle, and a restarted mark termination
	// now and then
	if g.Pauses < 2*g.Cycles || g.Pauses > 2*g.Cycles+g.Cycles/4+2 {
		t.Errorf("Pauses = %d, want about two per cycle (%d cycles)", g.Pauses, g.Cycles)
	}
	// bucket upper bounds: never below the truth, at most 25% above, plus the
	// forced cycle's stop-the-world sweep, which MemStats leaves out, and
	// slack for a descheduled thread on a busy machine
	if g.PauseTotal < truth || g.PauseTotal > truth*3/2+5*time.Millisecond {
		t.Errorf("PauseTotal = %v, want between %v and about 25%% more", g.PauseTotal, truth)
	}
	if d := g.PauseHist.Max() - g.PauseMax; g.PauseHist.Count() != g.Pauses || d < 0 || d > g.PauseMax/500 {
		t.Errorf("PauseHist count %d max %v, want %d and PauseMax %v (within the histogram's 0.1%%)", g.PauseHist.Count(), g.PauseHist.Max(), g.Pauses, g.PauseMax)
	}
	if want := ms1.TotalAlloc - ms0.TotalAlloc; !g.AllocKnown || !within(g.AllocBytes, want, 0.01) {
		t.Errorf("AllocBytes = %d (known %v), want within 1%% of %d", g.AllocBytes, g.AllocKnown, want)
	}
	if g.Exact || !strings.Contains(strings.Join(g.Notes, "\n"), "shares the process") {
		t.Errorf("Exact %v, Notes %q: want inexact, noting the shared process", g.Exact, g.Notes)
	}
}

func TestInProcessEndWithoutBegin(t *testing.T) {
	_, err := gcsource.InProcess().End(context.Background())
	if err == nil || !strings.Contains(err.Error(), "End without Begin") {
		t.Fatalf("End without Begin: err = %v", err)
	}
}
