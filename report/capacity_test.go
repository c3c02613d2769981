package report_test

import (
	"bytes"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// capacityDocument returns a document holding one capacity search over
// 100, 200 and 300 req/s whose latency breaks p50<20ms at 300 req/s. The
// steps are synthetic, so what the renderers show does not depend on how
// busy the machine is (the search itself is tested in package capacity).
func capacityDocument(t *testing.T) (*report.Document, *capacity.Result) {
	t.Helper()
	want := sla.MustParse("p50<20ms, errors<1%")
	c := &capacity.Result{SLA: want, Search: capacity.SearchStep, Min: 100, Max: 300, CapacityRPS: 200,
		Status: sla.Passed, Knee: "between 200 and 300 req/s: 200 req/s held the SLA, 300 req/s broke it"}
	for _, st := range []struct {
		rate int
		lat  time.Duration
	}{{100, 4 * time.Millisecond}, {200, 9 * time.Millisecond}, {300, 40 * time.Millisecond}} {
		res := testtool.Result(2, st.rate, func(int) time.Duration { return st.lat }, 0, "")
		ev := sla.Evaluate(res, want)
		c.Steps = append(c.Steps, capacity.Step{Rate: float64(st.rate), Status: ev.Status, Verdicts: ev.Verdicts, Result: res})
	}
	if c.Steps[1].Status != sla.Passed || c.Steps[2].Status != sla.Failed {
		t.Fatalf("the fixture steps should pass at 200 req/s and fail at 300: %+v", c.Steps)
	}
	e := report.NewEntry("capacity of GET /items", c.SLA, c.Best().Result)
	e.Capacity = c
	return &report.Document{Suite: "capacity", Operations: []report.Entry{e}}, c
}

func TestCapacityRendering(t *testing.T) {
	d, c := capacityDocument(t)
	var page, md bytes.Buffer
	if err := report.WriteHTML(&page, d); err != nil {
		t.Fatal(err)
	}
	if err := report.WriteMarkdown(&md, d); err != nil {
		t.Fatal(err)
	}
	html := page.String()
	for _, want := range []string{"<h3>Capacity search</h3>", `id="op-1-capacity-p99"`, `id="op-1-capacity-errors"`,
		"Capacity: p99 latency against offered rate", "Capacity: error rate against offered rate",
		"capacity 200 req/s", "offered rate (req/s)", "budget p50&lt;20ms", "budget errors&lt;1%", `class="dot limit-fail"`, "<title>300 req/s: fail, p99"} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
	// One row per step in the step table, ordered by rate.
	table := between(html, `<table class="capacity">`, "</table>")
	rows := regexp.MustCompile(`<tr><td>(\d+)</td>`).FindAllStringSubmatch(table, -1)
	if len(rows) != len(c.Steps) || rows[0][1] != "100" || rows[2][1] != "300" {
		t.Errorf("capacity table rows %v", rows)
	}
	// Each series runs over all three steps: p99 and the budget's p50 on
	// the latency chart, the error rate on the other.
	for id, series := range map[string]int{"op-1-capacity-p99": 2, "op-1-capacity-errors": 1} {
		chart := between(html, `id="`+id+`"`, "</figure>")
		if n := strings.Count(chart, "<circle"); n != 3*series || strings.Count(chart, "<polyline") != series {
			t.Errorf("%s: %d dots, %d lines; want %d series over 3 steps", id, n, strings.Count(chart, "<polyline"), series)
		}
		if strings.Contains(chart, "NaN") || strings.Contains(chart, "Inf") {
			t.Errorf("%s has a coordinate that is not a number", id)
		}
	}
	if strings.Contains(md.String(), "the service at") || strings.Contains(html, "the service at") {
		t.Errorf("an unprofiled search shows a service section for its bounding step")
	}
	for _, want := range []string{"**capacity 200 req/s**", "knee between 200 and 300 req/s", "<summary>capacity steps</summary>", "| 300 | ❌ fail |"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md.String())
		}
	}

	// The document's JSON keeps the search losslessly.
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	back, err := report.DecodeDocument(b)
	if err != nil {
		t.Fatal(err)
	}
	got := back.Operations[0].Capacity
	if got == nil || got.CapacityRPS != 200 || len(got.Steps) != 3 || !got.Steps[2].Result.Latency.Equal(c.Steps[2].Result.Latency) {
		t.Fatalf("capacity lost in the JSON round trip: %+v", got)
	}
}

func TestCapacityRenderingGeneratorBoundAndHostile(t *testing.T) {
	d, c := capacityDocument(t)
	bound := *c
	bound.GeneratorBound = true
	bound.Knee = "at least 200 req/s <script>alert(1)</script>"
	bound.Notes = []string{"note | with a pipe"}
	d.Operations[0].Capacity = &bound
	for _, r := range []struct {
		name  string
		write func(*bytes.Buffer) error
		want  []string
	}{
		{"html", func(b *bytes.Buffer) error { return report.WriteHTML(b, d) },
			[]string{"capacity at least 200 req/s (lower bound)", "capacity ≥ 200 req/s (lower bound)", "the capacity shown is a lower bound", "&lt;script&gt;"}},
		{"markdown", func(b *bytes.Buffer) error { return report.WriteMarkdown(b, d) },
			[]string{"capacity at least 200 req/s (lower bound)", "the capacity shown is a lower bound", "&lt;script&gt;"}},
	} {
		t.Run(r.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.write(&b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, want := range r.want {
				if !strings.Contains(out, want) {
					t.Errorf("lacks %q", want)
				}
			}
			if strings.Contains(out, "<script>") {
				t.Errorf("shows the <script> tag")
			}
		})
	}
}

// between returns the text of s from the first from up to the next to.
func between(s, from, to string) string {
	_, rest, ok := strings.Cut(s, from)
	if !ok {
		return ""
	}
	body, _, _ := strings.Cut(rest, to)
	return body
}

func TestCapacityRenderingProfiledStep(t *testing.T) {
	d, c := capacityDocument(t)
	// The step at 300 req/s, which broke the SLA, profiled the service.
	c.Steps[2].Result.Profiles = &loadrunner.Profiles{Source: "pprof http://127.0.0.1:6060/debug/pprof/", Dir: "profiles/items/step-300rps", CPURate: 100,
		CPU: &loadrunner.ProfileSummary{File: "profiles/items/step-300rps/cpu.pb.gz", TopOwn: []loadrunner.Frame{{Function: "example.com/shop/items.scanAll", Flat: 0.5, Cum: 0.71}}}}
	for _, r := range []struct {
		name  string
		write func(*bytes.Buffer) error
	}{
		{"html", func(b *bytes.Buffer) error { return report.WriteHTML(b, d) }},
		{"markdown", func(b *bytes.Buffer) error { return report.WriteMarkdown(b, d) }},
	} {
		t.Run(r.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.write(&b); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"the service at 300 req/s, the step that broke the SLA", "71% items.scanAll", "profiles/items/step-300rps/cpu.pb.gz"} {
				if !strings.Contains(b.String(), want) {
					t.Errorf("%s lacks %q:\n%s", r.name, want, b.String())
				}
			}
		})
	}
	var text strings.Builder
	capacity.Write(&text, c)
	if !strings.Contains(text.String(), "  the service at 300 req/s, the step that broke the SLA:\n  profiles   pprof http://127.0.0.1:6060/debug/pprof/") {
		t.Errorf("the step table is not followed by the profiled step:\n%s", text.String())
	}
}
