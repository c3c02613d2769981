package sla_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

func statusOf(ev sla.Evaluation, budget string) sla.Verdict {
	for _, v := range ev.Verdicts {
		if v.Budget == budget {
			return v
		}
	}
	return sla.Verdict{}
}

func TestEvaluateVerdicts(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 50, loadrunner.Class5xx) // 10,000 requests, 0.5% 5xx
	cases := []struct {
		budget string
		want   sla.Status
		detail string
	}{
		{"p50<60ms", sla.Passed, ""},
		{"p99<90ms", sla.Failed, "over 90ms by 8.96ms (observed 110.0% of the limit)"},
		{"p99<150ms", sla.Passed, ""},
		{"p99.9<150ms", sla.Passed, ""},
		{"p99.99<150ms", sla.Inconclusive, "too few samples: 10000, a conclusive p99.99 needs at least 100000"},
		{"max<100ms", sla.Passed, ""},
		{"max<50ms", sla.Failed, "over 50ms"},
		{"mean<60ms", sla.Passed, ""},
		{"errors<1%", sla.Passed, ""},
		{"errors<0.1%", sla.Failed, "over 0.1% by 0.4% (observed 500.0% of the limit)"},
		{"errors<0.04%", sla.Failed, "over 0.04% by 0.46% (observed 12.5× the limit)"},
		{"errors.5xx<1%", sla.Passed, ""},
		{"errors.http<0.1%", sla.Failed, ""},
		{"errors.4xx==0", sla.Passed, ""},
		{"errors.contract==0", sla.Passed, ""},
		{"rate>=99%", sla.Passed, ""},
		{"rps>=500", sla.Passed, ""},
		{"rps>=2000", sla.Failed, "under 2000 req/s by 1000 req/s (observed 50.0% of the limit)"},
		{"gc.max<2ms", sla.Inconclusive, "no GC source was attached"},
		{"p99@2s<150ms", sla.Passed, "0 of 9 windows over budget"},
		{"errors@1s<1%", sla.Failed, "worst 1s window starts 9s into the run; 1 of 10 windows over budget"},
		{"errors@5s<2%", sla.Passed, ""},
	}
	for _, c := range cases {
		t.Run(c.budget, func(t *testing.T) {
			ev := sla.Evaluate(res, sla.MustParse(c.budget))
			v := statusOf(ev, sla.MustParse(c.budget).String())
			if v.Status != c.want {
				t.Fatalf("%s: status %s, want %s (observed %s: %s)", c.budget, v.Status, c.want, v.Observed, v.Detail)
			}
			if !strings.Contains(v.Detail, c.detail) {
				t.Fatalf("%s: detail %q, want it to contain %q", c.budget, v.Detail, c.detail)
			}
			if ev.Status != c.want && !(c.want == sla.Passed && ev.Status == sla.Passed) {
				t.Fatalf("evaluation status %s, want %s", ev.Status, c.want)
			}
		})
	}
}

func TestEvaluateMarginAndBounds(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
	ev := sla.Evaluate(res, sla.MustParse("p99<200ms, p50<25ms"))
	p99 := ev.Verdicts[0]
	if p99.Margin <= 0.4 || p99.Margin >= 0.55 { // p99 ≈ 99ms against 200ms
		t.Fatalf("p99 margin %.3f, want about 0.5", p99.Margin)
	}
	if p99.Lower == "" || p99.Upper == "" || p99.Samples != 10000 {
		t.Fatalf("p99 verdict lacks confidence bounds or samples: %+v", p99)
	}
	p50 := ev.Verdicts[1]
	if p50.Status != sla.Failed || p50.Margin >= -0.9 { // p50 ≈ 50ms against 25ms: exceeded by 100%
		t.Fatalf("p50 verdict %+v, want fail with margin about -1", p50)
	}
}

func TestEvaluateImplicitDeliveredLoad(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
	res.Planned = 20000 // half the planned sends never went out
	res.Delivered()
	ev := sla.Evaluate(res, sla.MustParse("p99<200ms"))
	if ev.Status != sla.Failed || len(ev.Verdicts) != 2 || !ev.Verdicts[1].Implicit {
		t.Fatalf("evaluation %+v, want a failed implicit rate verdict", ev)
	}
	if !strings.Contains(ev.Verdicts[1].Detail, "latency figures are not trustworthy") {
		t.Fatalf("implicit verdict detail %q", ev.Verdicts[1].Detail)
	}
	// Writing a rate budget replaces the implicit one.
	ev = sla.Evaluate(res, sla.MustParse("p99<200ms, rate>=40%"))
	if ev.Status != sla.Passed || len(ev.Verdicts) != 2 || ev.Verdicts[1].Implicit {
		t.Fatalf("evaluation with an explicit rate budget: %+v", ev)
	}
}

func TestEvaluatePartialIsNeverAPass(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
	res.Partial, res.PartialReason = true, "interrupted"
	ev := sla.Evaluate(res, sla.MustParse("p99<200ms"))
	if ev.Status != sla.Inconclusive || !strings.Contains(strings.Join(ev.Notes, ";"), "interrupted") {
		t.Fatalf("partial run: %+v", ev)
	}
	res.Aborted = "budget errors<1%! can no longer pass"
	if ev = sla.Evaluate(res, sla.MustParse("p99<200ms")); ev.Status != sla.Failed {
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
	res := testtool.Result(60, 1000, lat, 0, "")
	ev := sla.Evaluate(res, sla.MustParse("p95<100ms, p95@10s<100ms"))
	if ev.Verdicts[0].Status != sla.Passed {
		t.Fatalf("overall p95: %+v", ev.Verdicts[0])
	}
	w := ev.Verdicts[1]
	if w.Status != sla.Failed || !strings.Contains(w.Detail, "windows over budget") || w.Value < float64(700*time.Millisecond) {
		t.Fatalf("windowed p95: %+v", w)
	}
}

func TestEvaluateGC(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
	pauses := loadrunner.NewHistogram()
	for i := range 200 {
		pauses.Record(time.Duration(100+i) * time.Microsecond)
	}
	res.GC = &loadrunner.GCStats{Source: "test", Window: 10 * time.Second, Cycles: 100, Pauses: 200,
		PauseTotal: 60 * time.Millisecond, PauseMax: 299 * time.Microsecond, PauseHist: pauses,
		AllocBytes: 10000 * 2048, AllocKnown: true, Exact: true}
	cases := []struct {
		budget string
		want   sla.Status
	}{
		{"gc.max<1ms", sla.Passed},
		{"gc.max<200µs", sla.Failed},
		{"gc.p90<300µs", sla.Passed},
		{"gc.p99.9<1ms", sla.Inconclusive}, // 200 pauses, p99.9 needs 10,000
		{"gc.total<1%", sla.Passed},        // 60ms of 10s = 0.6%
		{"gc.total<0.5%", sla.Failed},
		{"gc.cycles<=100", sla.Passed},
		{"gc.cycles<50", sla.Failed},
		{"alloc/req<4KiB", sla.Passed}, // 2 KiB per request
		{"alloc/req<1KiB", sla.Failed},
	}
	for _, c := range cases {
		v := sla.Evaluate(res, sla.MustParse(c.budget)).Verdicts[0]
		if v.Status != c.want {
			t.Errorf("%s: %s (observed %s: %s), want %s", c.budget, v.Status, v.Observed, v.Detail, c.want)
		}
	}
}

func TestEvaluateRuntime(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
	sched := loadrunner.NewHistogram()
	for i := range 5000 {
		sched.Record(time.Duration(1+i%100) * 10 * time.Microsecond) // 10µs to 1ms, evenly
	}
	res.Runtime = &loadrunner.RuntimeStats{Source: "test", Samples: 10,
		GoroutinesMax: 12000, GoroutinesKnown: true, HeapMax: 300 << 20, HeapKnown: true,
		SchedKnown: true, SchedLatency: sched}
	cases := []struct {
		budget string
		want   sla.Status
		detail string
	}{
		{"sched.p99<1ms", sla.Passed, "upper bound"},
		{"sched.p50<400µs", sla.Failed, "over 400µs by"},
		{"sched.max<=1.1ms", sla.Passed, ""},
		{"sched.p99.99<2ms", sla.Inconclusive, "too few samples"}, // 5,000 values, p99.99 needs 100,000
		{"goroutines.max<10000", sla.Failed, "over 10000 by 2000"},
		{"goroutines.max<20000", sla.Passed, "the largest of 10 readings"},
		{"heap.max<512MiB", sla.Passed, "upper bound of the live heap"},
		{"heap.max<256MiB", sla.Failed, "over 256MiB by 44MiB"},
	}
	for _, c := range cases {
		v := sla.Evaluate(res, sla.MustParse(c.budget)).Verdicts[0]
		if v.Status != c.want || !strings.Contains(v.Detail, c.detail) {
			t.Errorf("%s: %s (observed %s: %s), want %s saying %q", c.budget, v.Status, v.Observed, v.Detail, c.want, c.detail)
		}
	}
}

func TestEvaluateRuntimeUnknownIsInconclusive(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
	cases := []struct {
		name    string
		rt      *loadrunner.RuntimeStats
		budget  string
		missing string
	}{
		{"no source", nil, "heap.max<1GiB", "attach a GC source that can be sampled"},
		{"expvar without goroutines", &loadrunner.RuntimeStats{Source: "expvar", Samples: 3, HeapKnown: true, HeapMax: 1}, "goroutines.max<10", "reports no goroutine count"},
		{"no scheduling latency", &loadrunner.RuntimeStats{Source: "expvar", Samples: 3}, "sched.p99<1ms", "gives no scheduling latency"},
	}
	for _, c := range cases {
		res.Runtime = c.rt
		v := sla.Evaluate(res, sla.MustParse(c.budget)).Verdicts[0]
		if v.Status != sla.Inconclusive || !strings.Contains(v.Detail, c.missing) {
			t.Errorf("%s: %s (%s), want inconclusive saying %q", c.name, v.Status, v.Detail, c.missing)
		}
	}
}

func TestEvaluateEmptyResultIsInconclusive(t *testing.T) {
	res := testtool.Result(1, 0, testtool.Uniform, 0, "")
	for _, b := range []string{"p99<1s", "max<1s", "errors<1%", "p99@1s<1s"} {
		if v := sla.Evaluate(res, sla.MustParse(b)).Verdicts[0]; v.Status != sla.Inconclusive {
			t.Errorf("%s on an empty run: %s", b, v.Status)
		}
	}
	if ev := sla.Evaluate(nil, sla.MustParse("p99<1s")); ev.Status != sla.Inconclusive {
		t.Errorf("nil result: %s", ev.Status)
	}
}

func TestNeededSamples(t *testing.T) {
	for q, want := range map[float64]uint64{50: 20, 90: 100, 99: 1000, 99.9: 10000, 99.99: 100000, 100: 1} {
		if got := sla.NeededSamples(q); got != want {
			t.Errorf("NeededSamples(%v) = %d, want %d", q, got, want)
		}
	}
}

func TestEvaluateNothingSucceededFails(t *testing.T) {
	cases := []struct {
		name, budget string
		class        loadrunner.Class
		want         string
	}{
		{"refused, latency-only budget", "p50<100ms", loadrunner.ClassRefused, "transport.refused 1000 of 1000"},
		{"refused, generous errors budget", "errors<100%", loadrunner.ClassRefused, "is the service running and reachable"},
		{"every answer a 500", "p99<1s", loadrunner.Class5xx, "http.5xx 1000 of 1000"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := testtool.Result(1, 1000, testtool.Uniform, 1000, c.class)
			res.Target = "GET http://127.0.0.1:18099/"
			ev := sla.Evaluate(res, sla.MustParse(c.budget))
			last := ev.Verdicts[len(ev.Verdicts)-1]
			if ev.Status != sla.Failed || last.Budget != sla.NoSuccessBudget || last.Status != sla.Failed || !strings.Contains(last.Detail, c.want) {
				t.Fatalf("status %s, last verdict %+v; want a failure saying %q", ev.Status, last, c.want)
			}
		})
	}
	ok := testtool.Result(1, 1000, testtool.Uniform, 999, loadrunner.ClassRefused)
	if ev := sla.Evaluate(ok, sla.MustParse("p50<1s")); ev.Verdicts[len(ev.Verdicts)-1].Budget == sla.NoSuccessBudget {
		t.Fatalf("one success is a success: %+v", ev)
	}
}

func TestEvaluateSaturatedGeneratorIsInconclusive(t *testing.T) {
	for _, budget := range []string{"p99<1ms", "p99<1s, errors<1%"} { // one that would fail, one that would pass
		res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
		res.GeneratorSaturated, res.Saturation = true, []string{"send lag p99 400ms while in-flight slots were free"}
		ev := sla.Evaluate(res, sla.MustParse(budget))
		if ev.Status != sla.Inconclusive {
			t.Fatalf("%s: status %s, want inconclusive", budget, ev.Status)
		}
		for _, v := range ev.Verdicts {
			if v.Status != sla.Inconclusive {
				t.Errorf("%s: verdict %+v judged though the generator was saturated", budget, v)
			}
		}
		if notes := strings.Join(ev.Notes, ";"); !strings.Contains(notes, "lower the rate") || !strings.Contains(notes, "send lag p99 400ms") {
			t.Errorf("notes do not say why and what to do: %q", notes)
		}
	}
}

func TestEvaluateDroppedSendsCannotPassLatency(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 0, "")
	res.Dropped = 7
	ev := sla.Evaluate(res, sla.MustParse("p99<1s, p50<1ms, errors<1%"))
	want := []sla.Status{sla.Inconclusive, sla.Failed, sla.Passed}
	for i, w := range want {
		if ev.Verdicts[i].Status != w {
			t.Errorf("%s: %s, want %s (%s)", ev.Verdicts[i].Budget, ev.Verdicts[i].Status, w, ev.Verdicts[i].Detail)
		}
	}
	if !strings.Contains(ev.Verdicts[0].Detail, "7 planned sends were dropped") {
		t.Errorf("detail does not count the dropped sends: %q", ev.Verdicts[0].Detail)
	}
}

func TestWithServiceErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"p99<100ms", "p99<100ms, errors.transport<1%, errors.5xx<1%, errors.contract==0"},
		{"p99<100ms, errors<5%", "p99<100ms, errors<5%, errors.contract==0"},
		{"errors.transport<10%, errors.contract<1%", "errors.transport<10%, errors.contract<1%, errors.5xx<1%"},
		{"errors.http<2%", "errors.http<2%, errors.transport<1%, errors.contract==0"},
		{"errors@10s<1%", "errors@10s<1%, errors.transport<1%, errors.5xx<1%, errors.contract==0"},
	}
	for _, c := range cases {
		if got := sla.WithServiceErrors(sla.MustParse(c.in)).String(); got != c.want {
			t.Errorf("WithServiceErrors(%s) = %s, want %s", c.in, got, c.want)
		}
	}
}
