package report_test

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// intervals makes n one-second intervals from t0 with the given counts.
func intervals(t0 time.Time, n int, length time.Duration, planned, ok uint64, maxLatency time.Duration) []loadrunner.Interval {
	out := make([]loadrunner.Interval, n)
	for i := range out {
		out[i] = loadrunner.Interval{Start: t0.Add(time.Duration(i) * time.Second), Length: length, Planned: planned,
			Sent: planned, OK: ok, P50: maxLatency / 4, P99: maxLatency / 2, Max: maxLatency}
	}
	return out
}

// Documents a renderer may meet from other producers or old files: each
// renders in every format, without NaN coordinates or a panic.
func TestOddDocumentsRender(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name  string
		entry report.Entry
		want  string // in the Markdown
	}{
		{"result without histograms or time series", report.Entry{Name: "bare", SLA: sla.MustParse("p99<1s"),
			Result: &loadrunner.Result{Plan: loadrunner.Plan{Rate: 10, Duration: time.Second}}}, "0 requests"},
		{"closed model", report.Entry{Name: "closed", Result: &loadrunner.Result{Plan: loadrunner.Plan{Concurrency: 4, Duration: 3 * time.Second},
			Started: t0, Duration: 3 * time.Second, Requests: 300, Sent: 300, Timeseries: intervals(t0, 3, time.Second, 0, 100, time.Millisecond)}},
			"closed model, 4 workers"},
		{"zero-length intervals and a NaN rate", report.Entry{Name: "nan", Result: &loadrunner.Result{PlannedRate: math.NaN(),
			AchievedRate: math.Inf(1), Started: t0, Timeseries: intervals(t0, 2, 0, 5, 5, time.Millisecond)}}, "nan"},
		{"hour-long latencies", report.Entry{Name: "slow", SLA: sla.MustParse("max<1h"), Result: &loadrunner.Result{Started: t0, Duration: 2 * time.Second,
			Timeseries: intervals(t0, 2, time.Second, 1, 1, time.Hour)}}, "slow"},
		{"no SLA", report.Entry{Name: "figures only", Result: &loadrunner.Result{}}, "no SLA"},
		{"nothing at all", report.Entry{}, "(unnamed)"},
	}
	badCoord := regexp.MustCompile(`\s[a-z0-9-]+="[^"]*\b(NaN|Inf)\b[^"]*"`)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &report.Document{Suite: "odd", Operations: []report.Entry{tt.entry}}
			if md := render(t, report.WriteMarkdown, d); !strings.Contains(md, tt.want) {
				t.Errorf("Markdown lacks %q:\n%s", tt.want, md)
			}
			checkWellFormed(t, render(t, report.WriteJUnit, d))
			page := render(t, report.WriteHTML, d)
			if m := badCoord.FindString(page); m != "" {
				t.Errorf("HTML holds a non-number attribute %s", m)
			}
			if got, want := strings.Count(page, "<svg"), expectedCharts(tt.entry); got != want {
				t.Errorf("HTML has %d charts, want %d", got, want)
			}
		})
	}
}
