package loadrunner

import (
	"strings"
	"testing"
	"time"
)

// lagged returns a histogram of n values of d.
func lagged(n int, d time.Duration) *Histogram {
	h := NewHistogram()
	for range n {
		h.Record(d)
	}
	return h
}

// TestSaturationAndBacklogReasons is the detection logic as a table: what
// flags the generator (its own lag, a stall, drops with free slots, CPU,
// GC) and what flags a backlog of the service (slot waits, drops after
// waiting for a slot), never the one for the other.
func TestSaturationAndBacklogReasons(t *testing.T) {
	plan := withDefaults(Plan{Rate: 1000, Duration: 10 * time.Second, MaxInFlight: 50})
	healthy := func() *Result {
		return &Result{Plan: plan, Duration: 10 * time.Second, Sent: 10000,
			SendLag: lagged(10000, 50*time.Microsecond), ServiceTime: lagged(10000, time.Millisecond),
			GeneratorLag: lagged(10000, 50*time.Microsecond),
			Generator:    Generator{CPU: 2 * time.Second, GOMAXPROCS: 2, GCPauseTotal: 10 * time.Millisecond}}
	}
	tests := []struct {
		name        string
		edit        func(r *Result)
		droppedFree uint64
		saturated   string // a reason must contain it; "" for none
		backlogged  string
	}{
		{name: "healthy", edit: func(*Result) {}},
		{name: "generator lag p99 above 500ms", edit: func(r *Result) { r.GeneratorLag = lagged(10000, 600*time.Millisecond) },
			saturated: "exceeds 500ms: sends went out late although in-flight slots were free"},
		{name: "scheduling noise is tolerated", edit: func(r *Result) { r.GeneratorLag = lagged(10000, 200*time.Millisecond) }},
		{name: "one long stall", edit: func(r *Result) { r.GeneratorLag.Record(1500 * time.Millisecond) },
			saturated: "stalled for 1.5s"},
		{name: "a short stall is tolerated", edit: func(r *Result) { r.GeneratorLag.Record(800 * time.Millisecond) }},
		{name: "drops with free slots", edit: func(r *Result) { r.Dropped = 7 }, droppedFree: 7,
			saturated: "7 planned sends dropped although in-flight slots were free"},
		{name: "CPU at GOMAXPROCS", edit: func(r *Result) { r.Generator.CPU = 19800 * time.Millisecond },
			saturated: "process CPU at 99% of GOMAXPROCS=2"},
		{name: "GC pauses", edit: func(r *Result) {
			r.Generator.GCPauseTotal, r.Generator.GCPauseMax = 1500*time.Millisecond, 50*time.Millisecond
		},
			saturated: "15.0% of the window in GC pauses (longest 50ms)"},
		{name: "slots full: the service's backlog", edit: func(r *Result) {
			r.SlotWaits, r.SendLag = 4000, lagged(10000, 400*time.Millisecond)
		}, backlogged: "4000 of 10000 sends (40.0%) found all 50 in-flight slots busy"},
		{name: "drops after waiting for a slot", edit: func(r *Result) { r.SlotWaits, r.Dropped = 10, 3 },
			backlogged: "3 planned sends dropped after waiting max_lag 10s for an in-flight slot"},
		{name: "checks holding the slots are named", edit: func(r *Result) {
			r.SlotWaits, r.Checks = 10, lagged(100, 5*time.Millisecond)
		}, backlogged: "response checks also held each slot 5ms on average"},
		{name: "closed model: no lag to judge", edit: func(r *Result) { r.GeneratorLag = nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := healthy()
			tt.edit(res)
			sat := strings.Join(saturation(res, plan, tt.droppedFree), "\n")
			back := strings.Join(backlog(res, plan, tt.droppedFree), "\n")
			if (tt.saturated == "") != (sat == "") || !strings.Contains(sat, tt.saturated) {
				t.Errorf("saturation %q, want one mentioning %q", sat, tt.saturated)
			}
			if (tt.backlogged == "") != (back == "") || !strings.Contains(back, tt.backlogged) {
				t.Errorf("backlog %q, want one mentioning %q", back, tt.backlogged)
			}
		})
	}
}
