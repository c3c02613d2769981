package sla_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

const svcPkg = "github.com/acme/shop/service."

// profiled returns a result whose service was profiled and sampled.
func profiled() *loadrunner.Result {
	res := testtool.Result(10, 1000, func(int) time.Duration { return 40 * time.Millisecond }, 0, "")
	res.Profiles = &loadrunner.Profiles{
		Source: "pprof http://127.0.0.1:8080/debug/pprof/", Dir: "profiles/search", CPURate: 100,
		CPU: &loadrunner.ProfileSummary{File: "profiles/search/cpu.pb.gz", SampleType: "cpu", Unit: "nanoseconds", Total: 9e9,
			Top: []loadrunner.Frame{{Function: "strings.ToLower", Flat: .4, Cum: .4}},
			TopOwn: []loadrunner.Frame{
				{Function: svcPkg + "(*server).search", Cum: .634},
				{Function: svcPkg + "(*server).rankQuadratic", Flat: .02, Cum: .63},
				{Function: svcPkg + "score", Flat: .05, Cum: .61},
				{Function: svcPkg + "tokenize", Flat: .2, Cum: .58},
			}},
		Goroutine: &loadrunner.ProfileSummary{File: "profiles/search/goroutine.pb.gz", SampleType: "goroutine", Unit: "count", Total: 40,
			Parked: []loadrunner.Frame{{Function: "net.(*netFD).Read", Flat: .5, Cum: .5}, {Function: svcPkg + "(*store).lock", Flat: .25, Cum: .25}}},
	}
	res.Runtime = &loadrunner.RuntimeStats{Source: "expvar http://127.0.0.1:8080/debug/vars", Samples: 10,
		GoroutinesMax: 41, GoroutinesKnown: true, HeapMax: 12 << 20, HeapKnown: true}
	return res
}

func TestCPUInWindow(t *testing.T) {
	res := profiled()
	want := "CPU in the window: 63% service.(*server).search, 63% service.(*server).rankQuadratic, 61% service.score"
	if got := sla.CPUInWindow(res); got != want {
		t.Errorf("CPUInWindow = %q, want %q", got, want)
	}
	res.Profiles.CPU.TopOwn = nil
	if got := sla.CPUInWindow(res); got != "CPU in the window: 40% strings.ToLower" {
		t.Errorf("without own frames: %q", got)
	}
	res.Profiles.CPU = nil
	if got := sla.CPUInWindow(res); got != "" {
		t.Errorf("without a CPU profile: %q", got)
	}
}

func TestExplainNamesTheCauseOfAFailure(t *testing.T) {
	res := profiled()
	failed := sla.Explain(res, sla.Evaluate(res, sla.MustParse("p99<30ms")))
	for _, want := range []string{
		"SLA not met: p99<30ms",
		"  CPU in the window: 63% service.(*server).search, 63% service.(*server).rankQuadratic, 61% service.score\n",
		"  runtime    goroutines max 41, heap max 12MiB (10 readings) [expvar http://127.0.0.1:8080/debug/vars]",
		"  profiles   pprof http://127.0.0.1:8080/debug/pprof/: CPU profiled at 100 Hz (costs the service a few percent of its CPU)",
		"    cpu        63% service.(*server).search, 63% service.(*server).rankQuadratic, 61% service.score (cpu.pb.gz)",
		"    goroutines 40: 20 in net.(*netFD).Read, 10 in service.(*store).lock (goroutine.pb.gz)",
	} {
		if !strings.Contains(failed, want) {
			t.Errorf("failure text lacks %q:\n%s", want, failed)
		}
	}
	passed := sla.Explain(res, sla.Evaluate(res, sla.MustParse("p99<1s")))
	if strings.Contains(passed, "CPU in the window") {
		t.Errorf("a met SLA names a cause:\n%s", passed)
	}
	if inconclusive := sla.Explain(res, sla.Evaluate(res, sla.MustParse("p99.999<30ms"))); !strings.Contains(inconclusive, "CPU in the window") {
		t.Errorf("an SLA not met for want of samples does not name where the CPU went:\n%s", inconclusive)
	}
}

func TestShortFunction(t *testing.T) {
	cases := map[string]string{
		"github.com/acme/shop/service.(*server).search": "service.(*server).search",
		"net/http.(*conn).serve":                        "http.(*conn).serve",
		"main.main":                                     "main.main",
		"slices.SortFunc[go.shape.[]github.com/x/y.T]":  "slices.SortFunc[go.shape.[]github.com/x/y.T]",
	}
	for in, want := range cases {
		if got := sla.ShortFunction(in); got != want {
			t.Errorf("ShortFunction(%q) = %q, want %q", in, got, want)
		}
	}
}
