package sla_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// TestEvaluateGeneratorLagAndBacklog: the generator's own lag, below the
// saturation bounds, keeps a latency fail it could account for from being
// conclusive and leaves passes alone; a backlogged service changes no
// verdict, only adds a note.
func TestEvaluateGeneratorLagAndBacklog(t *testing.T) {
	s := sla.MustParse("p99<50ms, p50<200ms, errors<1%")
	lag := func(d time.Duration) *loadrunner.Histogram {
		h := loadrunner.NewHistogram()
		for range 100 {
			h.Record(d)
		}
		return h
	}
	tests := []struct {
		name   string
		edit   func(r *loadrunner.Result)
		p99    sla.Status
		detail string
	}{
		{"no generator lag", func(*loadrunner.Result) {}, sla.Failed, "over 50ms"},
		{"lag that could account for the excess", func(r *loadrunner.Result) { r.GeneratorLag = lag(60 * time.Millisecond) },
			sla.Inconclusive, "the generator's own send lag (up to 60ms"},
		{"lag too small to matter", func(r *loadrunner.Result) { r.GeneratorLag = lag(5 * time.Millisecond) }, sla.Failed, "over 50ms"},
		{"a backlogged service: verdicts stand", func(r *loadrunner.Result) {
			r.ServiceBacklogged, r.Backlog = true, []string{"900 of 2000 sends found all 50 in-flight slots busy"}
		}, sla.Failed, "over 50ms"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testtool.Result(2, 1000, testtool.Uniform, 0, "") // p99 ≈ 99ms, p50 ≈ 50ms
			tt.edit(res)
			ev := sla.Evaluate(res, s)
			if v := statusOf(ev, "p99<50ms"); v.Status != tt.p99 || !strings.Contains(v.Detail, tt.detail) {
				t.Errorf("p99<50ms: %s (%s), want %s (%s)", v.Status, v.Detail, tt.p99, tt.detail)
			}
			if v := statusOf(ev, "p50<200ms"); v.Status != sla.Passed {
				t.Errorf("p50<200ms: %s (%s): a pass stands", v.Status, v.Detail)
			}
			if ev.Status != tt.p99 {
				t.Errorf("overall %s, want %s", ev.Status, tt.p99)
			}
			if notes := strings.Join(ev.Notes, "; "); res.ServiceBacklogged != strings.Contains(notes, "the service backlogged") {
				t.Errorf("notes %q: a backlogged service, and only one, is noted", notes)
			}
		})
	}
}
