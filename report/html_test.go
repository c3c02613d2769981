package report_test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// chartsPerResult is the charts every operation with a result has: latency
// over time, throughput, percentile spectrum, errors by class.
const chartsPerResult = 4

// expectedCharts is the number of <svg> charts an entry's section holds.
func expectedCharts(e report.Entry) int {
	if e.Result == nil {
		return 0
	}
	n := chartsPerResult
	if g := e.Result.GC; g != nil && g.PauseHist != nil && g.PauseHist.Count() > 0 {
		n++
	}
	return n + runtimeCharts(e.Result)
}

// runtimeCharts counts the runtime figures some interval of r read: each
// has a chart (goroutines, heap, GC pause time, scheduling latency).
func runtimeCharts(r *loadrunner.Result) int {
	var goroutines, heap, gc, sched bool
	for _, iv := range r.Timeseries {
		if s := iv.Runtime; s != nil {
			goroutines, heap, gc, sched = goroutines || s.Goroutines > 0, heap || s.HeapBytes > 0, gc || s.GCKnown, sched || s.SchedP99 > 0
		}
	}
	n := 0
	for _, has := range []bool{goroutines, heap, gc, sched} {
		if has {
			n++
		}
	}
	return n
}

// sections splits a page into its operations' sections, by id.
func sections(page string) map[string]string {
	out := map[string]string{}
	parts := strings.Split(page, `<section class="op" id="`)
	for _, p := range parts[1:] {
		id, _, _ := strings.Cut(p, `"`)
		body, _, _ := strings.Cut(p, "</section>")
		out[id] = body
	}
	return out
}

func TestHTMLIsSelfContained(t *testing.T) {
	page := render(t, report.WriteHTML, realDocument(t))
	for _, bad := range []string{"<script", "<link", "<img", "<iframe", "@import", "url(", "src=", "<object"} {
		if strings.Contains(strings.ToLower(page), bad) {
			t.Errorf("page holds %q: it must fetch and run nothing", bad)
		}
	}
	if !strings.Contains(page, `Content-Security-Policy" content="default-src 'none'`) {
		t.Error("page has no Content-Security-Policy forbidding fetches")
	}
	// The only URLs are the loaded targets, shown as text.
	for _, m := range regexp.MustCompile(`https?://[^\s<"]*`).FindAllString(page, -1) {
		if !strings.HasPrefix(m, "http://127.0.0.1:") {
			t.Errorf("page names a URL other than the loopback target: %s", m)
		}
	}
}

func TestHTMLSectionsAndCharts(t *testing.T) {
	d := realDocument(t)
	page := render(t, report.WriteHTML, d)
	secs := sections(page)
	if len(secs) != len(d.Operations) {
		t.Fatalf("%d sections, want %d", len(secs), len(d.Operations))
	}
	for i, e := range d.Operations {
		id := fmt.Sprintf("op-%d", i+1)
		sec := secs[id]
		if got, want := strings.Count(sec, "<svg"), expectedCharts(e); got != want {
			t.Errorf("%s (%q): %d charts, want %d", id, e.Name, got, want)
		}
		if got, want := strings.Count(sec, `<tr class="st-`), len(e.Verdicts); got != want {
			t.Errorf("%s: %d verdict rows, want %d", id, got, want)
		}
		if !strings.HasPrefix(sec, id+`" data-status="`+string(e.Status)+`"`) {
			t.Errorf("%s: section not marked with status %s", id, e.Status)
		}
		if e.Result == nil {
			if !strings.Contains(sec, "No result was recorded") {
				t.Errorf("%s: an entry without a result does not say so", id)
			}
			continue
		}
		for _, title := range []string{"Latency over time", "Throughput: planned vs achieved", "Percentile spectrum", "Errors by class over time"} {
			if !strings.Contains(sec, "<figcaption>"+title+"</figcaption>") {
				t.Errorf("%s: no chart %q", id, title)
			}
		}
		for _, label := range []string{"time in the measured window (s)", "requests per second", "percentile (log scale in 1/(1−q))", "99.999%"} {
			if !strings.Contains(sec, label) {
				t.Errorf("%s: no axis label %q", id, label)
			}
		}
	}
}

func TestHTMLShowsBudgetsErrorsAndGC(t *testing.T) {
	d := realDocument(t)
	secs := sections(render(t, report.WriteHTML, d))
	strict := secs["op-2"]
	if d.Operations[1].Status != sla.Failed {
		t.Fatalf("fixture: op-2 should fail, is %s", d.Operations[1].Status)
	}
	// A budget drawn on the latency chart, coloured by its verdict.
	if !strings.Contains(strict, `<line class="limit limit-inconclusive"`) && !strings.Contains(strict, `<line class="limit limit-fail"`) {
		t.Error("the strict budget p99<1ms is not drawn as a line")
	}
	if !strings.Contains(strict, "budget p99&lt;1ms") {
		t.Error("the budget line is not labelled")
	}
	res := d.Operations[1].Result
	for class, n := range res.Errors.ByClass {
		row := fmt.Sprintf(`</span>%s</td><td>%d</td>`, class, n)
		if !strings.Contains(strict, row) {
			t.Errorf("no error row for %s with count %d", class, n)
		}
	}
	if !strings.Contains(strict, "GET /orders/42: status 500") {
		t.Error("the 5xx example message is not shown")
	}
	if !strings.Contains(strict, `<rect class="bar c`) {
		t.Error("the errors chart has no bars")
	}
	gc := secs["op-4"]
	g := d.Operations[3].Result.GC
	if g == nil {
		t.Fatal("fixture: op-4 has no GC figures")
	}
	for _, want := range []string{"Service GC in the measured window", fmt.Sprintf("<dt>GC cycles</dt><dd>%d</dd>", g.Cycles),
		fmt.Sprintf("<dt>pauses</dt><dd>%d</dd>", g.Pauses), "<dt>longest pause</dt>", "Contract findings"} {
		if !strings.Contains(gc, want) {
			t.Errorf("op-4 has no %q", want)
		}
	}
}

func TestHTMLEscapesHostileText(t *testing.T) {
	d := realDocument(t)
	page := render(t, report.WriteHTML, d)
	if !strings.Contains(page, "POST /items|x &lt;script&gt;alert(1)&lt;/script&gt; ]]&gt;") {
		t.Error("the hostile name is not shown escaped")
	}
	if strings.Contains(page, "<b>bold</b>") {
		t.Error("a finding's reason is inserted as markup")
	}
}
