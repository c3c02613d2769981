package report

import (
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// NewCapacityEntry makes the entry of a capacity search: the search, with
// the result of its highest passing step (its first step's when none
// passed) judged against its SLA, and the search's own status.
func NewCapacityEntry(name string, c *capacity.Result) (Entry, error) {
	if c == nil || len(c.Steps) == 0 {
		return Entry{}, fmt.Errorf("report: entry %s: the capacity search ran no step", name)
	}
	step := c.Best()
	if step == nil {
		step = &c.Steps[0]
	}
	e := NewEntry(name, c.SLA, step.Result)
	e.Capacity, e.Status = c, c.Status
	return e, nil
}

// htmlCapacity is an entry's capacity search on the page.
type htmlCapacity struct {
	Headline, Knee, Search string
	Class, Icon            string
	Warning                string
	Notes                  []string
	Table                  *htmlTable
	Charts                 []*svgChart
	// Bounding is the service section of the step that bounds the
	// capacity from above, under its heading, when that step read the
	// service.
	BoundingHeading string
	Bounding        *htmlProfiles
}

// capacityHTML draws an entry's capacity search: the capacity and knee, the
// step table, and p99 latency and error rate against the offered rate.
const capacityHTML = `{{define "capacity"}}<h3>Capacity search</h3>
<p class="load"><strong class="st-{{.Class}}">{{.Icon}} {{.Headline}}</strong> · knee {{.Knee}}</p>
<p class="info">{{.Search}}</p>
{{with .Warning}}<p class="warn">⚠ {{.}}</p>
{{end}}{{range .Notes}}<p class="note">{{.}}</p>
{{end}}{{with .Table}}<table class="capacity">
<thead><tr>{{range .Head}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</tbody>
</table>{{end}}
<div class="charts">
{{range .Charts}}{{template "chart" .}}{{end}}
</div>
{{with .Bounding}}<h4>{{$.BoundingHeading}}</h4>
{{template "profiles" .}}{{end}}{{end}}`

// buildCapacity lays out an entry's capacity search, nil without one.
func buildCapacity(id string, c *capacity.Result) *htmlCapacity {
	if c == nil {
		return nil
	}
	hc := &htmlCapacity{Headline: txt(capacity.Headline(c)), Knee: txt(c.Knee), Class: statusClass(c.Status), Icon: statusMark(c.Status),
		Search: txt(capacitySearchLine(c))}
	hc.Warning = c.LowerBound()
	for _, n := range c.Notes {
		hc.Notes = append(hc.Notes, txt(n))
	}
	hc.Table = &htmlTable{Head: []string{"offered req/s", "status", "p99 latency", "error rate", "delivered", "generator saturated", "why not a pass"}}
	for _, s := range c.StepsByRate() {
		p99, errs, delivered := capacityFigures(s.Result)
		sat := "no"
		if s.GeneratorSaturated {
			sat = "yes"
		}
		hc.Table.Rows = append(hc.Table.Rows, []string{fmtRate(s.Rate), statusMark(s.Status) + " " + statusWord(s.Status),
			p99, errs, delivered, sat, orDash(txt(s.Why()))})
	}
	hc.Charts = []*svgChart{capacityLatencyChart(id+"-capacity-p99", c), capacityErrorChart(id+"-capacity-errors", c)}
	for _, ch := range hc.Charts {
		cleanChart(ch)
	}
	if b := c.ServiceAtBound(); b != nil {
		hc.Bounding, hc.BoundingHeading = buildProfiles(b.Result), txt(capacity.BoundingHeading(b))
	}
	return hc
}

// capacitySearchLine says what was searched.
func capacitySearchLine(c *capacity.Result) string {
	return fmt.Sprintf("SLA %s · %s search over %s–%s req/s · %s run", c.SLA, c.Search, fmtRate(c.Min), fmtRate(c.Max), sla.FormatCount(len(c.Steps), "step"))
}

// capacityFigures are a step's p99 latency, error rate and delivered share.
func capacityFigures(r *loadrunner.Result) (p99, errs, delivered string) {
	if r == nil {
		return "-", "-", "-"
	}
	p99 = "-"
	if r.Latency != nil && r.Latency.Count() > 0 {
		p99 = fmtDur(r.Latency.Percentile(loadrunner.P99))
	}
	return p99, fmtPct(r.ErrorRate()), fmtPct(r.Delivered())
}

// rateAxis is the x axis of offered rates, from 0 to the highest searched.
func rateAxis(c *capacity.Result, p svgRect) axis {
	top := c.Max
	for _, s := range c.Steps {
		top = max(top, s.Rate)
	}
	return linearAxis(0, top, p.X, p.X+p.W, trimFloat)
}

// stepDotClass colours a step's dot by its status.
func stepDotClass(series string, st sla.Status) string {
	switch st {
	case sla.Failed:
		return "limit-fail"
	case sla.Inconclusive:
		return "limit-inconclusive"
	}
	return series
}

// capacityPercentiles are the latency percentiles a capacity chart plots:
// p99, then each percentile (or max) a latency budget of the SLA bounds,
// each with its series class.
func capacityPercentiles(budgets []sla.Budget) (pcts []float64, classes []string) {
	pcts, classes = []float64{loadrunner.P99}, []string{"s-p99"}
	others := []string{"s-p50", "c2", "c6"}
	for _, b := range budgets {
		if b.Mean || b.Percentile <= 0 || slices.Contains(pcts, b.Percentile) || len(pcts) == 4 {
			continue
		}
		class := "s-max"
		if b.Percentile < 100 {
			class, others = others[0], others[1:]
		}
		pcts, classes = append(pcts, b.Percentile), append(classes, class)
	}
	return pcts, classes
}

func latencyAt(h *loadrunner.Histogram, pct float64) time.Duration {
	if pct >= 100 {
		return h.Max()
	}
	return h.Percentile(pct)
}

// capacityLatencyChart draws each step's p99 latency — and the percentiles
// the SLA's latency budgets bound — against its offered rate, dots coloured
// by the step's status, with the budgets and the capacity. A figure far
// above the budgets (an overloaded step) is drawn at the top of the scale,
// its dot's title giving the figure.
func capacityLatencyChart(id string, c *capacity.Result) *svgChart {
	p := plotArea()
	budgets := c.SLA.Of(sla.Latency)
	var limits []limitLine
	budgetTop := 0.0
	for _, b := range budgets {
		limits = append(limits, limitLine{label: b.String(), ns: b.Limit, percentile: b.Percentile})
		budgetTop = max(budgetTop, b.Limit)
	}
	pcts, classes := capacityPercentiles(budgets)
	steps := c.StepsByRate()
	top := 0.0
	for _, s := range steps {
		if r := s.Result; r != nil && r.Latency != nil && r.Latency.Count() > 0 {
			for _, q := range pcts {
				top = max(top, float64(latencyAt(r.Latency, q)))
			}
		}
	}
	if budgetTop > 0 {
		top = min(max(top, budgetTop), offScale*budgetTop)
	}
	y, u := durAxis(top, p)
	x := rateAxis(c, p)
	ch := newChart(id, "Capacity: p99 latency against offered rate", x, y, "offered rate (req/s)", "latency ("+u.name+"), from intended send")
	var legend []svgLegend
	drawn := false
	for i, q := range pcts {
		name := "p" + fmtPercentile(q)
		if q >= 100 {
			name = "max"
		}
		xs, ys, ok, titles := make([]float64, len(steps)), make([]float64, len(steps)), make([]bool, len(steps)), make([]string, len(steps))
		for j, s := range steps {
			xs[j] = s.Rate
			if r := s.Result; r != nil && r.Latency != nil && r.Latency.Count() > 0 {
				v := latencyAt(r.Latency, q)
				ys[j], ok[j], drawn = min(float64(v)/u.ns, y.max), true, true
				titles[j] = fmt.Sprintf("%s req/s: %s, %s %s", fmtRate(s.Rate), statusWord(s.Status), name, fmtDur(v))
			}
		}
		ch.plotSteps(steps, xs, ys, ok, titles, x, y, classes[i])
		legend = append(legend, svgLegend{Class: classes[i], Label: name})
	}
	if !drawn {
		ch.setEmpty("no step completed a request")
		return ch
	}
	ch.addLimits(limits, y, u, nil)
	ch.markCapacity(c, x)
	ch.addLegend(append(legend, svgLegend{Class: "limit-fail", Label: "failed step"}, svgLegend{Class: "limit", Label: "budget", Dash: true})...)
	return ch
}

// capacityErrorChart draws each step's error rate against its offered rate,
// with the error budgets and the capacity.
func capacityErrorChart(id string, c *capacity.Result) *svgChart {
	p := plotArea()
	budgets := c.SLA.Of(sla.ErrorRate)
	steps := c.StepsByRate()
	top := 0.0
	for _, s := range steps {
		if s.Result != nil {
			top = max(top, 100*s.Result.ErrorRate())
		}
	}
	for _, b := range budgets {
		if top == 0 || 100*b.Limit <= offScale*top {
			top = max(top, 100*b.Limit)
		}
	}
	y := linearAxis(0, top, p.Y+p.H, p.Y, func(v float64) string { return trimFloat(v) + "%" })
	x := rateAxis(c, p)
	ch := newChart(id, "Capacity: error rate against offered rate", x, y, "offered rate (req/s)", "error rate (% of completed requests)")
	xs, ys, ok, titles := make([]float64, len(steps)), make([]float64, len(steps)), make([]bool, len(steps)), make([]string, len(steps))
	for i, s := range steps {
		xs[i] = s.Rate
		if r := s.Result; r != nil && r.Requests > 0 {
			ys[i], ok[i] = 100*r.ErrorRate(), true
			titles[i] = fmt.Sprintf("%s req/s: %s, errors %s of %d", fmtRate(s.Rate), statusWord(s.Status), fmtPct(r.ErrorRate()), r.Requests)
		}
	}
	ch.plotSteps(steps, xs, ys, ok, titles, x, y, "c0")
	if !slices.Contains(ok, true) {
		ch.setEmpty("no step completed a request")
		return ch
	}
	for _, b := range budgets {
		if v := 100 * b.Limit; v <= y.max {
			ch.addRule(v, y, "limit", "budget "+b.String())
		}
	}
	ch.markCapacity(c, x)
	ch.addLegend(svgLegend{Class: "c0", Label: "error rate"}, svgLegend{Class: "limit-fail", Label: "failed step"},
		svgLegend{Class: "limit", Label: "budget", Dash: true})
	return ch
}

// plotSteps draws a series over the steps and colours each step's dot by
// its status, titled with its figures.
func (c *svgChart) plotSteps(steps []capacity.Step, xs, ys []float64, ok []bool, titles []string, x, y axis, class string) {
	first := len(c.Dots)
	c.addSeries(class, xs, ys, ok, x, y)
	dot := first
	for i, s := range steps {
		if !ok[i] || dot >= len(c.Dots) {
			continue
		}
		c.Dots[dot].Class, c.Dots[dot].Title = stepDotClass(class, s.Status), titles[i]
		dot++
	}
}

// markCapacity draws the capacity as a vertical line at its rate, marked as
// a lower bound when the generator, not the service, bounded it.
func (c *svgChart) markCapacity(capa *capacity.Result, x axis) {
	if capa.Status != sla.Passed {
		return
	}
	px, bottom := x.pos(capa.CapacityRPS), c.Plot.Y+c.Plot.H
	class, label := "limit limit-pass", "capacity "+fmtRate(capa.CapacityRPS)+" req/s"
	if capa.GeneratorBound || capa.Partial {
		class, label = "limit limit-inconclusive", "capacity ≥ "+fmtRate(capa.CapacityRPS)+" req/s (lower bound)"
	}
	c.Lines = append(c.Lines, svgLine{X1: px, Y1: c.Plot.Y, X2: px, Y2: bottom, Class: class, Title: label})
	anchor, tx := "start", px+4
	if px > c.Plot.X+c.Plot.W/2 {
		anchor, tx = "end", px-4
	}
	c.Texts = append(c.Texts, svgText{X: tx, Y: c.Plot.Y + 12, Anchor: anchor, Class: "rule-label " + class, Text: label})
}

// writeMarkdownCapacity writes an entry's capacity search: one line with the
// capacity and the knee, then the steps in a collapsed table.
func writeMarkdownCapacity(w io.Writer, c *capacity.Result) {
	if c == nil {
		return
	}
	fmt.Fprintf(w, "%s **%s** · knee %s · %s\n\n", statusIcon(c.Status), mdText(capacity.Headline(c)), mdText(c.Knee), mdText(capacitySearchLine(c)))
	if why := c.LowerBound(); why != "" {
		fmt.Fprintf(w, "⚠️ %s\n\n", mdText(why))
	}
	fmt.Fprint(w, "<details><summary>capacity steps</summary>\n\n| offered req/s | status | p99 | errors | delivered | saturated |\n|---|---|---|---|---|---|\n")
	for _, s := range c.StepsByRate() {
		p99, errs, delivered := capacityFigures(s.Result)
		sat := "no"
		if s.GeneratorSaturated {
			sat = "yes"
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %s |\n", fmtRate(s.Rate), mdCell(statusIcon(s.Status)+" "+statusWord(s.Status)), p99, errs, delivered, sat)
	}
	fmt.Fprint(w, "\n</details>\n\n")
	if b := c.ServiceAtBound(); b != nil {
		fmt.Fprintf(w, "%s:\n\n", mdText(capacity.BoundingHeading(b)))
		writeMarkdownService(w, b.Result)
	}
}
