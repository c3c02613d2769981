package gcsource_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

func TestPrometheusWindow(t *testing.T) {
	cases := []struct {
		name           string
		begin, end     string // fixtures under testdata/prom
		cycles, pauses uint64
		total, max     time.Duration
		p50            time.Duration // 0: no distribution expected
		alloc          uint64
		allocKnown     bool
		note, warning  string
	}{
		{
			name: "client_golang with runtime metrics", begin: "full_begin.txt", end: "full_end.txt",
			cycles: 60, pauses: 120, total: 10 * time.Millisecond, max: 500 * time.Microsecond,
			p50: 81920 * time.Nanosecond, alloc: 200_000_000, allocKnown: true,
			note: "go_gc_heap_allocs_bytes_total",
		},
		{
			name: "summary only", begin: "summary_begin.txt", end: "summary_end.txt",
			cycles: 100, pauses: 100, total: 2 * time.Millisecond, max: 750 * time.Microsecond,
			alloc: 2 << 20, allocKnown: true,
			note: "one per GC cycle",
		},
		{
			name: "summary only, more cycles than it covers", begin: "summary_begin.txt", end: "summary_end_wrapped.txt",
			cycles: 300, pauses: 300, total: 2 * time.Millisecond, max: 750 * time.Microsecond,
			alloc: 2 << 20, allocKnown: true,
			warning: "PauseMax may read low",
		},
		{
			name: "histogram only, pauses past the last bound", begin: "hist_begin.txt", end: "hist_end.txt",
			cycles: 0, pauses: 9, total: 3 * time.Millisecond, max: time.Millisecond,
			p50:  time.Millisecond, // 4 pauses ≤ 100µs, 2 ≤ 1ms, 3 above
			note: "an underestimate", warning: "3 pauses above 1ms are taken at 1ms, a lower bound",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeService(t, fixture(t, "prom/"+tc.begin), fixture(t, "prom/"+tc.end))
			g := window(t, gcsource.Prometheus(srv.URL))
			if g.Cycles != tc.cycles || g.Pauses != tc.pauses || g.PauseTotal != tc.total || g.PauseMax != tc.max {
				t.Errorf("cycles %d pauses %d total %v max %v; want %d, %d, %v, %v",
					g.Cycles, g.Pauses, g.PauseTotal, g.PauseMax, tc.cycles, tc.pauses, tc.total, tc.max)
			}
			if g.AllocBytes != tc.alloc || g.AllocKnown != tc.allocKnown || g.Exact {
				t.Errorf("alloc %d (known %v), exact %v; want %d (%v), inexact", g.AllocBytes, g.AllocKnown, g.Exact, tc.alloc, tc.allocKnown)
			}
			checkDistribution(t, g, tc.p50)
			if notes := strings.Join(g.Notes, "\n"); !strings.Contains(notes, tc.note) {
				t.Errorf("Notes = %q, want one containing %q", g.Notes, tc.note)
			}
			if ws := strings.Join(g.Warnings, "\n"); !strings.Contains(ws, tc.warning) || (tc.warning == "" && ws != "") {
				t.Errorf("Warnings = %q, want %q", g.Warnings, tc.warning)
			}
		})
	}
}

// checkDistribution checks PauseHist against the expected median (0: none).
func checkDistribution(t *testing.T, g loadrunner.GCStats, p50 time.Duration) {
	t.Helper()
	got, ok := g.PausePercentile(loadrunner.P50)
	switch {
	case p50 == 0 && ok:
		t.Errorf("PauseHist present (p50 %v), want none", got)
	case p50 != 0 && !ok:
		t.Errorf("PauseHist missing, want p50 %v", p50)
	case p50 != 0 && (got < p50 || got > p50+p50/500):
		t.Errorf("p50 = %v, want %v within 0.1%%", got, p50)
	case p50 != 0 && g.PauseHist.Count() != g.Pauses:
		t.Errorf("PauseHist count %d, want %d", g.PauseHist.Count(), g.Pauses)
	}
}

func TestPrometheusErrors(t *testing.T) {
	cases := []struct {
		name       string
		begin, end string // fixtures under testdata/prom; end "" means Begin fails
		want       string
	}{
		{"several series", "several_series.txt", "", "several series"},
		{"no gc metrics", "no_gc.txt", "", "no GC pause metrics"},
		{"no +Inf bucket", "no_inf_bucket.txt", "", `no le="+Inf" bucket`},
		{"falling buckets", "falling_buckets.txt", "", "below the previous bucket"},
		{"malformed", "malformed.txt", "", "line 3: metric go_gc_duration_seconds_count: label quantile: unterminated value"},
		{"bounds changed", "hist_begin.txt", "other_bounds.txt", "bucket bounds changed"},
		{"restart", "full_end.txt", "full_begin.txt", "did the service restart?"},
		{"families changed", "full_begin.txt", "summary_end.txt", "pause metrics changed"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bodies := [][]byte{fixture(t, "prom/"+tc.begin)}
			if tc.end != "" {
				bodies = append(bodies, fixture(t, "prom/"+tc.end))
			}
			srv := fakeService(t, bodies...)
			src := gcsource.Prometheus(srv.URL + "/metrics")
			err := src.Begin(context.Background())
			if tc.end != "" {
				if err != nil {
					t.Fatalf("Begin: %v", err)
				}
				_, err = src.End(context.Background())
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), srv.URL) {
				t.Fatalf("err = %v, want it to name the URL and contain %q", err, tc.want)
			}
		})
	}
}
