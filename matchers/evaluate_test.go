package matchers_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

// result builds a result of n requests per second for secs seconds whose
// latencies are given by lat(i) for the i-th request, with errs failed
// requests of class c.
func result(secs, perSec int, lat func(i int) time.Duration, errs uint64, c loadrunner.Class) *loadrunner.Result {
	res := &loadrunner.Result{
		Plan:     loadrunner.Plan{Rate: float64(perSec), Duration: time.Duration(secs) * time.Second},
		Duration: time.Duration(secs) * time.Second, Latency: loadrunner.NewHistogram(),
		ServiceTime: loadrunner.NewHistogram(), SendLag: loadrunner.NewHistogram(),
		Errors: loadrunner.Errors{ByClass: map[loadrunner.Class]uint64{}},
	}
	start := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	res.Started, res.Ended = start, start.Add(res.Duration)
	i := 0
	for s := range secs {
		h := loadrunner.NewHistogram()
		for range perSec {
			d := lat(i)
			h.Record(d)
			res.Latency.Record(d)
			res.ServiceTime.Record(d)
			i++
		}
		enc, _ := h.Encode()
		res.Timeseries = append(res.Timeseries, loadrunner.Interval{
			Start: start.Add(time.Duration(s) * time.Second), Length: time.Second,
			Planned: uint64(perSec), Sent: uint64(perSec), OK: uint64(perSec), HDR: string(enc),
		})
	}
	total := uint64(secs * perSec)
	res.Planned, res.Sent, res.Requests = total, total, total
	res.PlannedRate, res.AchievedRate = float64(perSec), float64(perSec)
	if errs > 0 {
		res.Errors.Total, res.Errors.ByClass[c] = errs, errs
		res.Errors.Examples = map[loadrunner.Class][]string{c: {"GET /items/1: 503 Service Unavailable"}}
		last := &res.Timeseries[len(res.Timeseries)-1]
		last.OK -= errs
		last.Errors, last.ErrorsByClass = errs, map[loadrunner.Class]uint64{c: errs}
	}
	return res
}

// uniform spreads latencies evenly over 1–100 ms.
func uniform(i int) time.Duration {
	return time.Millisecond + time.Duration(i%1000)*99*time.Microsecond
}

func statusOf(ev matchers.Evaluation, budget string) matchers.Verdict {
	for _, v := range ev.Verdicts {
		if v.Budget == budget {
			return v
		}
	}
	return matchers.Verdict{}
}

func TestEvaluateVerdicts(t *testing.T) {
	res := result(10, 1000, uniform, 50, loadrunner.Class5xx) // 10,000 requests, 0.5% 5xx
	cases := []struct {
		budget string
		want   matchers.Status
		detail string
	}{
		{"p50<60ms", matchers.Passed, ""},
		{"p99<90ms", matchers.Failed, "over 90ms by"},
		{"p99<150ms", matchers.Passed, ""},
		{"p99.9<150ms", matchers.Passed, ""},
		{"p99.99<150ms", matchers.Inconclusive, "too few samples: 10000, a conclusive p99.99 needs at least 100000"},
		{"max<100ms", matchers.Passed, ""},
		{"max<50ms", matchers.Failed, "over 50ms"},
		{"mean<60ms", matchers.Passed, ""},
		{"errors<1%", matchers.Passed, ""},
		{"errors<0.1%", matchers.Failed, "over 0.1% by 0.4%"},
		{"errors.5xx<1%", matchers.Passed, ""},
		{"errors.http<0.1%", matchers.Failed, ""},
		{"errors.4xx==0", matchers.Passed, ""},
		{"errors.contract==0", matchers.Passed, ""},
		{"rate>=99%", matchers.Passed, ""},
		{"rps>=500", matchers.Passed, ""},
		{"rps>=2000", matchers.Failed, "under 2000 req/s"},
		{"gc.max<2ms", matchers.Inconclusive, "no GC source was attached"},
		{"p99@2s<150ms", matchers.Passed, "0 of 9 windows over budget"},
		{"errors@1s<1%", matchers.Failed, "worst 1s window starts 9s into the run; 1 of 10 windows over budget"},
		{"errors@5s<2%", matchers.Passed, ""},
	}
	for _, c := range cases {
		t.Run(c.budget, func(t *testing.T) {
			ev := matchers.Evaluate(res, matchers.MustParse(c.budget))
			v := statusOf(ev, matchers.MustParse(c.budget).String())
			if v.Status != c.want {
				t.Fatalf("%s: status %s, want %s (observed %s: %s)", c.budget, v.Status, c.want, v.Observed, v.Detail)
			}
			if !strings.Contains(v.Detail, c.detail) {
				t.Fatalf("%s: detail %q, want it to contain %q", c.budget, v.Detail, c.detail)
			}
			if ev.Status != c.want && !(c.want == matchers.Passed && ev.Status == matchers.Passed) {
				t.Fatalf("evaluation status %s, want %s", ev.Status, c.want)
			}
		})
	}
}

func TestEvaluateMarginAndBounds(t *testing.T) {
	res := result(10, 1000, uniform, 0, "")
	ev := matchers.Evaluate(res, matchers.MustParse("p99<200ms, p50<25ms"))
	p99 := ev.Verdicts[0]
	if p99.Margin <= 0.4 || p99.Margin >= 0.55 { // p99 ≈ 99ms against 200ms
		t.Fatalf("p99 margin %.3f, want about 0.5", p99.Margin)
	}
	if p99.Lower == "" || p99.Upper == "" || p99.Samples != 10000 {
		t.Fatalf("p99 verdict lacks confidence bounds or samples: %+v", p99)
	}
	p50 := ev.Verdicts[1]
	if p50.Status != matchers.Failed || p50.Margin >= -0.9 { // p50 ≈ 50ms against 25ms: exceeded by 100%
		t.Fatalf("p50 verdict %+v, want fail with margin about -1", p50)
	}
}

func TestEvaluateImplicitDeliveredLoad(t *testing.T) {
	res := result(10, 1000, uniform, 0, "")
	res.Planned = 20000 // half the planned sends never went out
	res.Delivered()
	ev := matchers.Evaluate(res, matchers.MustParse("p99<200ms"))
	if ev.Status != matchers.Failed || len(ev.Verdicts) != 2 || !ev.Verdicts[1].Implicit {
		t.Fatalf("evaluation %+v, want a failed implicit rate verdict", ev)
	}
	if !strings.Contains(ev.Verdicts[1].Detail, "latency figures are not trustworthy") {
		t.Fatalf("implicit verdict detail %q", ev.Verdicts[1].Detail)
	}
	// Writing a rate budget replaces the implicit one.
	ev = matchers.Evaluate(res, matchers.MustParse("p99<200ms, rate>=40%"))
	if ev.Status != matchers.Passed || len(ev.Verdicts) != 2 || ev.Verdicts[1].Implicit {
		t.Fatalf("evaluation with an explicit rate budget: %+v", ev)
	}
}

func TestEvaluatePartialIsNeverAPass(t *testing.T) {
	res := result(10, 1000, uniform, 0, "")
	res.Partial, res.PartialReason = true, "interrupted"
	ev := matchers.Evaluate(res, matchers.MustParse("p99<200ms"))
	if ev.Status != matchers.Inconclusive || !strings.Contains(strings.Join(ev.Notes, ";"), "interrupted") {
		t.Fatalf("partial run: %+v", ev)
	}
	res.Aborted = "budget errors<1%! can no longer pass"
	if ev = matchers.Evaluate(res, matchers.MustParse("p99<200ms")); ev.Status != matchers.Failed {
		t.Fatalf("aborted run status %s, want fail", ev.Status)
	}
}

func TestEvaluateWindowCatchesCollapse(t *testing.T) {
	// 60 s at 1000 rps; seconds 30–31 collapse to 800 ms. Overall p95 stays
	// at 5 ms but p95 over 10 s windows sees the collapse.
	lat := func(i int) time.Duration {
		if s := i / 1000; s >= 30 && s < 32 {
			return 800 * time.Millisecond
		}
		return 5 * time.Millisecond
	}
	res := result(60, 1000, lat, 0, "")
	ev := matchers.Evaluate(res, matchers.MustParse("p95<100ms, p95@10s<100ms"))
	if ev.Verdicts[0].Status != matchers.Passed {
		t.Fatalf("overall p95: %+v", ev.Verdicts[0])
	}
	w := ev.Verdicts[1]
	if w.Status != matchers.Failed || !strings.Contains(w.Detail, "windows over budget") || w.Value < float64(700*time.Millisecond) {
		t.Fatalf("windowed p95: %+v", w)
	}
}

func TestEvaluateGC(t *testing.T) {
	res := result(10, 1000, uniform, 0, "")
	pauses := loadrunner.NewHistogram()
	for i := range 200 {
		pauses.Record(time.Duration(100+i) * time.Microsecond)
	}
	res.GC = &loadrunner.GCStats{Source: "test", Window: 10 * time.Second, Cycles: 100, Pauses: 200,
		PauseTotal: 60 * time.Millisecond, PauseMax: 299 * time.Microsecond, PauseHist: pauses,
		AllocBytes: 10000 * 2048, AllocKnown: true, Exact: true}
	cases := []struct {
		budget string
		want   matchers.Status
	}{
		{"gc.max<1ms", matchers.Passed},
		{"gc.max<200µs", matchers.Failed},
		{"gc.p90<300µs", matchers.Passed},
		{"gc.p99.9<1ms", matchers.Inconclusive}, // 200 pauses, p99.9 needs 10,000
		{"gc.total<1%", matchers.Passed},        // 60ms of 10s = 0.6%
		{"gc.total<0.5%", matchers.Failed},
		{"gc.cycles<=100", matchers.Passed},
		{"gc.cycles<50", matchers.Failed},
		{"alloc/req<4KiB", matchers.Passed}, // 2 KiB per request
		{"alloc/req<1KiB", matchers.Failed},
	}
	for _, c := range cases {
		v := matchers.Evaluate(res, matchers.MustParse(c.budget)).Verdicts[0]
		if v.Status != c.want {
			t.Errorf("%s: %s (observed %s: %s), want %s", c.budget, v.Status, v.Observed, v.Detail, c.want)
		}
	}
}

func TestEvaluateEmptyResultIsInconclusive(t *testing.T) {
	res := result(1, 0, uniform, 0, "")
	for _, b := range []string{"p99<1s", "max<1s", "errors<1%", "p99@1s<1s"} {
		if v := matchers.Evaluate(res, matchers.MustParse(b)).Verdicts[0]; v.Status != matchers.Inconclusive {
			t.Errorf("%s on an empty run: %s", b, v.Status)
		}
	}
	if ev := matchers.Evaluate(nil, matchers.MustParse("p99<1s")); ev.Status != matchers.Inconclusive {
		t.Errorf("nil result: %s", ev.Status)
	}
}

func TestNeededSamples(t *testing.T) {
	for q, want := range map[float64]uint64{50: 20, 90: 100, 99: 1000, 99.9: 10000, 99.99: 100000, 100: 1} {
		if got := matchers.NeededSamples(q); got != want {
			t.Errorf("NeededSamples(%v) = %d, want %d", q, got, want)
		}
	}
}
