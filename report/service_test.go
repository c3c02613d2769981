package report_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// profiledDocument is one operation whose service was profiled and sampled
// once per interval, and whose p99 budget failed.
func profiledDocument() *report.Document {
	res := testtool.Result(5, 400, func(int) time.Duration { return 40 * time.Millisecond }, 0, "")
	for i := range res.Timeseries {
		res.Timeseries[i].Runtime = &loadrunner.RuntimeSample{Goroutines: int64(10 + 5*i), HeapBytes: uint64(i+1) << 20,
			SchedP99: time.Duration(i+1) * 100 * time.Microsecond, GCCycles: 2, GCPauseTotal: time.Millisecond, GCKnown: true}
	}
	res.Runtime = &loadrunner.RuntimeStats{Source: "runtime/metrics (in-process)", Samples: 5,
		GoroutinesMax: 30, GoroutinesKnown: true, HeapMax: 5 << 20, HeapKnown: true}
	const svc = "github.com/acme/shop/service."
	res.Profiles = &loadrunner.Profiles{Source: "pprof http://127.0.0.1:8080/debug/pprof/", CPURate: 100,
		CPU: &loadrunner.ProfileSummary{File: "profiles/search/cpu.pb.gz", Total: 4e9,
			TopOwn: []loadrunner.Frame{{Function: svc + "(*server).search", Cum: .63}, {Function: svc + "(*server).rankQuadratic", Cum: .62}}},
		Alloc: &loadrunner.ProfileSummary{File: "profiles/search/allocs.pb.gz", Total: 1 << 30,
			TopOwn: []loadrunner.Frame{{Function: svc + "tokenize", Flat: .9, Cum: .9}}},
		Warnings: []string{"mutex profile not taken: status 404"},
	}
	e := report.NewEntry("GET /search", sla.MustParse("p99<30ms"), res)
	return &report.Document{Suite: "shop", Operations: []report.Entry{e}}
}

func TestReportsShowTheServiceProfiles(t *testing.T) {
	d := profiledDocument()
	md := render(t, report.WriteMarkdown, d)
	for _, want := range []string{
		"service runtime: goroutines max 30, heap max 5MiB (5 readings)",
		"profiles: pprof http://127.0.0.1:8080/debug/pprof/: CPU profiled at 100 Hz (costs the service a few percent of its CPU)",
		"| profile | top functions (service code, cumulative) | file |",
		"| cpu | 63% service.(\\*server).search, 62% service.(\\*server).rankQuadratic | profiles/search/cpu.pb.gz |",
		"| alloc | 90% service.tokenize | profiles/search/allocs.pb.gz |",
		"⚠️ mutex profile not taken: status 404",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
	checkMarkdownTables(t, md)
	html := render(t, report.WriteHTML, d)
	for _, want := range []string{
		"Service runtime and profiles in the measured window",
		`<td class="mono">63% service.(*server).search, 62% service.(*server).rankQuadratic</td><td class="mono">profiles/search/cpu.pb.gz</td>`,
		`id="op-1-goroutines"`, `id="op-1-heap"`, `id="op-1-gcpause"`, `id="op-1-sched"`,
		"CPU profiled at 100 Hz",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("html lacks %q", want)
		}
	}
	junit := render(t, report.WriteJUnit, d)
	if !strings.Contains(junit, "CPU in the window: 63% service.(*server).search, 62% service.(*server).rankQuadratic") {
		t.Errorf("the JUnit failure does not name where the CPU went:\n%s", junit)
	}
}

func TestReportsWithoutProfilesHaveNoServiceSection(t *testing.T) {
	d := profiledDocument()
	d.Operations[0].Result.Profiles, d.Operations[0].Result.Runtime = nil, nil
	for i := range d.Operations[0].Result.Timeseries {
		d.Operations[0].Result.Timeseries[i].Runtime = nil
	}
	md := render(t, report.WriteMarkdown, d)
	html := render(t, report.WriteHTML, d)
	if strings.Contains(md, "profiles:") || strings.Contains(html, "Service runtime and profiles") || strings.Contains(html, "op-1-goroutines") {
		t.Error("a run without profiles or runtime readings shows a service section")
	}
}
