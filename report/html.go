package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// htmlPage is what the page template shows. Every text in it has been
// cleaned; html/template escapes it. (Secrets were redacted when the run
// recorded them.)
type htmlPage struct {
	Title   string
	Status  string
	Icon    string
	Counts  string
	Partial bool
	Env     string
	Ops     []htmlOp
}

// htmlOp is one operation's section.
type htmlOp struct {
	ID, Title, Status, Icon string
	Class                   string // the status as a CSS class
	Info                    string
	Summary                 htmlSummary
	Verdicts                []htmlVerdict
	Target                  string
	Load                    string
	Notes                   []string
	Percentiles             *htmlTable
	Charts                  []*svgChart
	Errors                  []htmlErrorClass
	GC                      *htmlGC
	Profiles                *htmlProfiles
	Findings                []Finding
	Coverage                []coverageRow
	Sources                 []sourceRow
	HasResult               bool
	Capacity                *htmlCapacity
}

// htmlSummary is an operation's row in the overview table.
type htmlSummary struct {
	P99, ErrorRate, Rate, Requests string
}

type htmlVerdict struct {
	Budget, Observed, CI, Samples, Detail, Status, Icon string
	Implicit                                            bool
}

type htmlTable struct {
	Head []string
	Rows [][]string
}

type htmlErrorClass struct {
	Class, Count, Share string
	Colour              string
	Examples            []string
}

type htmlGC struct {
	Figures  [][2]string
	Notes    []string
	Warnings []string
	Chart    *svgChart
}

// WriteHTML writes d as one self-contained HTML page: inline CSS, charts as
// inline SVG made here, no script, nothing fetched from the network (a
// Content-Security-Policy forbids it). Per operation it shows the verdict
// table, the load delivered, a percentile table, latency over time with the
// budget lines, throughput planned vs achieved, the percentile spectrum of
// latency and service time, errors by class over time with examples, the
// service's GC pauses, and when the run read them the service's goroutines,
// heap, GC pause time and scheduling latency over time and its profiles'
// top frames. Every text from the document is cleaned of control
// characters and escaped by html/template.
func WriteHTML(w io.Writer, d *Document) error {
	if d == nil {
		return fmt.Errorf("report: html: nil document")
	}
	page := buildPage(d)
	bw := bufio.NewWriter(w)
	if err := pageTemplate.Execute(bw, page); err != nil {
		return fmt.Errorf("report: html: suite %q: %w", page.Title, err)
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: html: %w", err)
	}
	return nil
}

// statusMark is a status's symbol for the page: plain text symbols that
// common fonts carry (emoji fonts are often missing where reports are
// printed or opened offline).
func statusMark(st sla.Status) string {
	switch st {
	case sla.Passed:
		return "✓"
	case sla.Failed:
		return "✗"
	case sla.Inconclusive:
		return "⚠"
	}
	return "–"
}

// statusClass is a status as a CSS class name.
func statusClass(st sla.Status) string {
	if st == "" {
		return "none"
	}
	return string(st)
}

// txt makes document text safe to show: control characters replaced.
func txt(s string) string { return clean(s) }

func buildPage(d *Document) htmlPage {
	c := countStatuses(d)
	st := c.overall()
	p := htmlPage{Title: txt(suiteName(d)), Status: string(st), Icon: statusMark(st), Counts: c.String(),
		Partial: d.Partial, Env: txt(environmentLine(d))}
	for i := range d.Operations {
		p.Ops = append(p.Ops, buildOp(fmt.Sprintf("op-%d", i+1), &d.Operations[i]))
	}
	return p
}

func buildOp(id string, e *Entry) htmlOp {
	st := statusOf(e)
	op := htmlOp{ID: id, Title: txt(entryTitle(e)), Status: statusWord(st), Icon: statusMark(st), Class: statusClass(st),
		Info: txt(operationLine(e))}
	for _, v := range e.Verdicts {
		op.Verdicts = append(op.Verdicts, buildVerdict(v))
	}
	for _, f := range dedupFindings(e.Findings) {
		op.Findings = append(op.Findings, Finding{Operation: txt(f.Operation), Status: f.Status, Pointer: txt(f.Pointer),
			Reason: txt(f.Reason), Count: f.Count})
	}
	op.Coverage = coverageRows(e.Coverage)
	op.Sources = sourceRows(e.Sources)
	op.Capacity = buildCapacity(id, e.Capacity)
	r := e.Result
	if r == nil {
		return op
	}
	op.HasResult = true
	op.Summary = buildSummary(r)
	op.Target = txt(r.Target)
	op.Load = txt(loadLine(r))
	op.Notes = runNotes(r)
	op.Percentiles = percentileTable(r)
	op.Charts = []*svgChart{latencyChart(id+"-latency", e), throughputChart(id+"-throughput", r),
		spectrumChart(id+"-spectrum", e), errorsChart(id+"-errors", r)}
	op.Charts = append(op.Charts, runtimeCharts(id, r)...)
	for _, ch := range op.Charts {
		cleanChart(ch)
	}
	op.Errors = errorTable(r)
	op.GC = buildGC(id, r)
	op.Profiles = buildProfiles(r)
	return op
}

func buildVerdict(v sla.Verdict) htmlVerdict {
	hv := htmlVerdict{Budget: txt(v.Budget), Observed: txt(v.Observed), Detail: txt(v.Detail), Status: statusWord(v.Status),
		Icon: statusMark(v.Status), Implicit: v.Implicit}
	if v.Lower != "" {
		hv.CI = txt(v.Lower + " – " + v.Upper)
	}
	if v.Samples > 0 {
		hv.Samples = fmt.Sprint(v.Samples)
		if v.Needed > v.Samples {
			hv.Samples += fmt.Sprintf(" (needs %d)", v.Needed)
		}
	}
	return hv
}

func buildSummary(r *loadrunner.Result) htmlSummary {
	s := htmlSummary{ErrorRate: fmtPct(r.ErrorRate()), Requests: fmt.Sprint(r.Requests),
		Rate: fmtRate(r.AchievedRate) + " / " + fmtRate(r.PlannedRate)}
	if r.Latency != nil && r.Latency.Count() > 0 {
		s.P99 = fmtDur(r.Latency.Percentile(loadrunner.P99))
	}
	return s
}

// runNotes are the facts that bear on every verdict of a run.
func runNotes(r *loadrunner.Result) []string {
	var out []string
	if r.Partial {
		out = append(out, "partial run: "+orDash(r.PartialReason))
	}
	if r.Aborted != "" {
		out = append(out, "aborted early: "+r.Aborted)
	}
	if r.GeneratorSaturated {
		out = append(out, "the load generator was saturated: "+strings.Join(r.Saturation, "; "))
	}
	for i := range out {
		out[i] = txt(out[i])
	}
	return out
}

// tablePercentiles are the columns of the percentile table.
var tablePercentiles = []float64{50, 90, 99, 99.9, 99.99}

func percentileTable(r *loadrunner.Result) *htmlTable {
	t := &htmlTable{Head: []string{"distribution"}}
	for _, q := range tablePercentiles {
		t.Head = append(t.Head, "p"+fmtPercentile(q))
	}
	t.Head = append(t.Head, "max", "mean", "samples")
	for _, h := range []struct {
		name string
		h    *loadrunner.Histogram
	}{{"latency (from intended send)", r.Latency}, {"service time (from actual send)", r.ServiceTime},
		{"send lag", r.SendLag}, {"connect (new connections)", r.Connect}, {"time to first byte", r.TTFB}} {
		if h.h == nil || h.h.Count() == 0 {
			continue
		}
		row := []string{h.name}
		for _, q := range tablePercentiles {
			row = append(row, fmtDur(h.h.Percentile(q)))
		}
		t.Rows = append(t.Rows, append(row, fmtDur(h.h.Max()), fmtDur(h.h.Mean()), fmt.Sprint(h.h.Count())))
	}
	if len(t.Rows) == 0 {
		return nil
	}
	return t
}

func errorTable(r *loadrunner.Result) []htmlErrorClass {
	var out []htmlErrorClass
	for i, c := range errorClasses(r) {
		n := r.Errors.ByClass[c]
		ec := htmlErrorClass{Class: txt(string(c)), Count: fmt.Sprint(n), Share: fmtPct(r.ClassRate(c)), Colour: classColour(i)}
		for _, ex := range r.Errors.Examples[c] {
			ec.Examples = append(ec.Examples, txt(ex))
		}
		out = append(out, ec)
	}
	return out
}

func buildGC(id string, r *loadrunner.Result) *htmlGC {
	g := r.GC
	if g == nil {
		return nil
	}
	gc := &htmlGC{Chart: gcPauseChart(id+"-gc", g)}
	add := func(k, v string) { gc.Figures = append(gc.Figures, [2]string{k, txt(v)}) }
	add("source", g.Source)
	add("window", fmtDur(g.Window))
	add("GC cycles", fmt.Sprint(g.Cycles))
	add("pauses", fmt.Sprint(g.Pauses))
	add("pause total", fmt.Sprintf("%s (%s of the window)", fmtDur(g.PauseTotal), fmtPct(g.PauseShare())))
	add("longest pause", fmtDur(g.PauseMax))
	for _, q := range []float64{50, 99} {
		if v, ok := g.PausePercentile(q); ok {
			add("pause p"+fmtPercentile(q), fmtDur(v))
		}
	}
	if g.AllocKnown {
		add("allocated", fmtBytes(float64(g.AllocBytes)))
		if r.Requests > 0 {
			add("allocated per request", fmtBytes(float64(g.AllocBytes)/float64(r.Requests)))
		}
	}
	add("exact", fmt.Sprint(g.Exact))
	for _, n := range g.Notes {
		gc.Notes = append(gc.Notes, txt(n))
	}
	for _, n := range g.Warnings {
		gc.Warnings = append(gc.Warnings, txt(n))
	}
	if gc.Chart != nil {
		cleanChart(gc.Chart)
	}
	return gc
}

// fmtBytes renders a byte count in binary units.
func fmtBytes(b float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB"}
	i := 0
	for b >= 1024 && i < len(units)-1 {
		b /= 1024
		i++
	}
	return trimFloat(b) + " " + units[i]
}

// cleanChart passes every text of a chart through txt: chart titles and
// legends can hold budget text and error class names.
func cleanChart(c *svgChart) {
	c.Title = txt(c.Title)
	for i := range c.Texts {
		c.Texts[i].Text = txt(c.Texts[i].Text)
	}
	for i := range c.Legend {
		c.Legend[i].Label = txt(c.Legend[i].Label)
	}
	for i := range c.Bars {
		c.Bars[i].Title = txt(c.Bars[i].Title)
	}
	for i := range c.Lines {
		c.Lines[i].Title = txt(c.Lines[i].Title)
	}
	for i := range c.Dots {
		c.Dots[i].Title = txt(c.Dots[i].Title)
	}
}

// pageTemplate is parsed once; a template error is a bug caught by every test.
var pageTemplate = template.Must(template.New("page").Parse(pageHTML + chartHTML + capacityHTML + profilesHTML))
