package report

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// spectrumDecades is how far the percentile spectrum reaches: 1/(1−q) up to
// 10^5, that is the 99.999th percentile.
const spectrumDecades = 5

// spectrumSteps is the number of points per decade of the spectrum.
const spectrumSteps = 40

// durUnit is the unit a duration axis is labelled in.
type durUnit struct {
	ns   float64
	name string
}

// pickDurUnit chooses the unit in which the largest value reads best.
func pickDurUnit(maxNs float64) durUnit {
	switch {
	case maxNs >= float64(time.Second):
		return durUnit{float64(time.Second), "s"}
	case maxNs >= float64(time.Millisecond):
		return durUnit{float64(time.Millisecond), "ms"}
	case maxNs >= float64(time.Microsecond):
		return durUnit{float64(time.Microsecond), "µs"}
	}
	return durUnit{1, "ns"}
}

// limitLine is a latency budget drawn on a chart.
type limitLine struct {
	label      string
	ns         float64
	percentile float64 // 0–100; 100 for max; 0 for mean
	status     sla.Status
}

// latencyLimits are the latency budgets of an entry's SLA, each coloured by
// its verdict's status when the entry was judged.
func latencyLimits(e *Entry) []limitLine {
	var out []limitLine
	for _, b := range e.SLA.Of(sla.Latency) {
		line := limitLine{label: b.String(), ns: b.Limit, percentile: b.Percentile}
		for _, v := range e.Verdicts {
			if v.Budget == line.label {
				line.status = v.Status
			}
		}
		out = append(out, line)
	}
	return out
}

func limitClass(st sla.Status) string {
	switch st {
	case sla.Failed:
		return "limit limit-fail"
	case sla.Passed:
		return "limit limit-pass"
	case sla.Inconclusive:
		return "limit limit-inconclusive"
	}
	return "limit"
}

// offScale is how far above the data a budget may lie and still set the
// scale; a budget further up would flatten the data into a line, so it is
// named at the top of the plot instead.
const offScale = 3

// scaleTop is the top of a latency axis: the data's top, raised to the
// budgets that are not far above it.
func scaleTop(top float64, limits []limitLine) float64 {
	for _, l := range limits {
		if top == 0 || l.ns <= offScale*top {
			top = max(top, l.ns)
		}
	}
	return top
}

// addLimits draws latency budgets as horizontal lines, with a dot where
// dotX places one, or names them at the top of the plot when they are above
// the scale.
func (c *svgChart) addLimits(limits []limitLine, y axis, u durUnit, dotX func(limitLine) (float64, bool)) {
	above := 0
	for _, l := range limits {
		v := l.ns / u.ns
		if v > y.max {
			above++
			c.Texts = append(c.Texts, svgText{X: c.Plot.X + c.Plot.W - 4, Y: c.Plot.Y + 12*float64(above), Anchor: "end",
				Class: "rule-label " + limitClass(l.status), Text: "↑ budget " + l.label + " (above the scale)"})
			continue
		}
		c.addRule(v, y, limitClass(l.status), "budget "+l.label)
		if dotX == nil {
			continue
		}
		if px, ok := dotX(l); ok {
			c.Dots = append(c.Dots, svgDot{X: px, Y: y.pos(v), Class: limitClass(l.status) + " limit-dot", Title: "budget " + l.label})
		}
	}
}

// timeAxis is the x axis of a time series: seconds from the start of the
// measured window, and each interval's midpoint on it.
func timeAxis(r *loadrunner.Result, c svgRect) (axis, []float64) {
	ts := r.Timeseries
	t0 := r.Started
	if t0.IsZero() && len(ts) > 0 {
		t0 = ts[0].Start
	}
	span := r.Duration.Seconds()
	xs := make([]float64, len(ts))
	for i, iv := range ts {
		xs[i] = iv.Start.Sub(t0).Seconds() + iv.Length.Seconds()/2
		span = max(span, iv.Start.Sub(t0).Seconds()+iv.Length.Seconds())
	}
	return linearAxis(0, span, c.X, c.X+c.W, trimFloat), xs
}

// plotArea is the plot rectangle every chart shares.
func plotArea() svgRect {
	return svgRect{X: marginLeft, Y: marginTop, W: chartW - marginLeft - marginRight, H: chartH - marginTop - marginBot}
}

func durAxis(maxNs float64, p svgRect) (axis, durUnit) {
	u := pickDurUnit(maxNs)
	return linearAxis(0, maxNs/u.ns, p.Y+p.H, p.Y, trimFloat), u
}

// latencyChart draws p50, p99 and max latency per interval, with the latency
// budgets as horizontal lines.
func latencyChart(id string, e *Entry) *svgChart {
	r, p := e.Result, plotArea()
	limits := latencyLimits(e)
	top := 0.0
	for _, iv := range r.Timeseries {
		top = max(top, float64(iv.Max))
	}
	top = scaleTop(top, limits)
	y, u := durAxis(top, p)
	x, xs := timeAxis(r, p)
	c := newChart(id, "Latency over time", x, y, "time in the measured window (s)", "latency ("+u.name+"), from intended send")
	if len(r.Timeseries) == 0 {
		c.setEmpty("no time series recorded")
		return c
	}
	ok := make([]bool, len(xs))
	series := map[string][]float64{}
	for i, iv := range r.Timeseries {
		ok[i] = iv.OK+iv.Errors > 0
		series["max"] = append(series["max"], float64(iv.Max)/u.ns)
		series["p99"] = append(series["p99"], float64(iv.P99)/u.ns)
		series["p50"] = append(series["p50"], float64(iv.P50)/u.ns)
	}
	for _, name := range []string{"p50", "p99", "max"} { // max dotted on top: it often equals p99
		c.addSeries("s-"+name, xs, series[name], ok, x, y)
	}
	c.addLimits(limits, y, u, nil)
	c.addLegend(svgLegend{Class: "s-p50", Label: "p50"}, svgLegend{Class: "s-p99", Label: "p99"},
		svgLegend{Class: "s-max", Label: "max", Dash: true}, svgLegend{Class: "limit", Label: "budget", Dash: true})
	return c
}

// throughputChart draws the planned, sent and successfully completed
// requests per second of each interval.
func throughputChart(id string, r *loadrunner.Result) *svgChart {
	p := plotArea()
	series := map[string][]float64{}
	top := 0.0
	if !math.IsNaN(r.PlannedRate) {
		top = r.PlannedRate
	}
	for _, iv := range r.Timeseries {
		secs := iv.Length.Seconds()
		if secs <= 0 {
			secs = 1
		}
		for _, s := range []struct {
			name string
			n    uint64
		}{{"planned", iv.Planned}, {"sent", iv.Sent}, {"ok", iv.OK}} {
			v := float64(s.n) / secs
			series[s.name] = append(series[s.name], v)
			top = max(top, v)
		}
	}
	y := linearAxis(0, top, p.Y+p.H, p.Y, trimFloat)
	x, xs := timeAxis(r, p)
	c := newChart(id, "Throughput: planned vs achieved", x, y, "time in the measured window (s)", "requests per second")
	if len(r.Timeseries) == 0 {
		c.setEmpty("no time series recorded")
		return c
	}
	// A closed model has no plan to draw; planned goes on top, as it often
	// equals sent.
	closed := r.Plan.Concurrency > 0
	for _, name := range []string{"sent", "ok", "planned"} {
		if name != "planned" || !closed {
			c.addSeries("s-"+name, xs, series[name], nil, x, y)
		}
	}
	legend := []svgLegend{{Class: "s-sent", Label: "sent"}, {Class: "s-ok", Label: "completed ok"}}
	if !closed {
		legend = append([]svgLegend{{Class: "s-planned", Label: "planned", Dash: true}}, legend...)
	}
	c.addLegend(legend...)
	return c
}

// spectrumChart draws the percentile spectrum of latency and service time,
// the x axis log-scaled in 1/(1−q) as HdrHistogram's plots are, with the
// latency budgets as lines and a dot where each percentile budget applies.
func spectrumChart(id string, e *Entry) *svgChart {
	r, p := e.Result, plotArea()
	hists := []struct {
		class, label string
		h            *loadrunner.Histogram
	}{{"s-latency", "latency", r.Latency}, {"s-service", "service time", r.ServiceTime}}
	limits := latencyLimits(e)
	top := 0.0
	for _, h := range hists {
		if h.h != nil {
			top = max(top, float64(h.h.Max()))
		}
	}
	top = scaleTop(top, limits)
	y, u := durAxis(top, p)
	x := axis{min: 0, max: spectrumDecades, from: p.X, to: p.X + p.W}
	for d := 0; d <= spectrumDecades; d++ {
		x.ticks = append(x.ticks, float64(d))
		x.tickLabels = append(x.tickLabels, fmtPercentile(100*(1-math.Pow(10, -float64(d))))+"%")
	}
	c := newChart(id, "Percentile spectrum", x, y, "percentile (log scale in 1/(1−q))", "latency ("+u.name+")")
	if r.Latency == nil || r.Latency.Count() == 0 {
		c.setEmpty("no requests completed")
		return c
	}
	var legend []svgLegend
	for _, h := range hists {
		if h.h == nil || h.h.Count() == 0 {
			continue
		}
		xs, ys := spectrum(h.h, u)
		c.addSeries(h.class, xs, ys, nil, x, y)
		legend = append(legend, svgLegend{Class: h.class, Label: h.label})
	}
	c.addLimits(limits, y, u, func(l limitLine) (float64, bool) {
		switch {
		case l.percentile >= 100:
			return x.pos(spectrumDecades), true
		case l.percentile > 0:
			return x.pos(math.Min(spectrumDecades, -math.Log10(1-l.percentile/100))), true
		}
		return 0, false
	})
	c.addLegend(append(legend, svgLegend{Class: "limit", Label: "budget", Dash: true})...)
	return c
}

// spectrum samples h at evenly spaced points of log10(1/(1−q)).
func spectrum(h *loadrunner.Histogram, u durUnit) (xs, ys []float64) {
	n := spectrumDecades * spectrumSteps
	for i := 0; i <= n; i++ {
		lx := float64(i) / spectrumSteps
		q := 100 * (1 - math.Pow(10, -lx))
		xs = append(xs, lx)
		ys = append(ys, float64(h.Percentile(q))/u.ns)
	}
	return xs, ys
}

// fmtPercentile renders 99.9 as "99.9" and 0 as "0".
func fmtPercentile(p float64) string {
	return trimZeros(fmt.Sprintf("%.4f", p))
}

func trimZeros(s string) string {
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// errorClasses are the classes of a result's errors, in a stable order.
func errorClasses(r *loadrunner.Result) []loadrunner.Class {
	seen := map[loadrunner.Class]bool{}
	for c := range r.Errors.ByClass {
		seen[c] = true
	}
	for _, iv := range r.Timeseries {
		for c := range iv.ErrorsByClass {
			seen[c] = true
		}
	}
	out := make([]loadrunner.Class, 0, len(seen))
	for c := range seen {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// classColour is the palette class of the i-th error class.
func classColour(i int) string { return fmt.Sprintf("c%d", i%8) }

// errorsChart draws the errors per second of each interval as bars stacked
// by class.
func errorsChart(id string, r *loadrunner.Result) *svgChart {
	p := plotArea()
	classes := errorClasses(r)
	top := 0.0
	for _, iv := range r.Timeseries {
		top = max(top, float64(iv.Errors)/perSecond(iv))
	}
	y := linearAxis(0, top, p.Y+p.H, p.Y, trimFloat)
	x, xs := timeAxis(r, p)
	c := newChart(id, "Errors by class over time", x, y, "time in the measured window (s)", "errors per second")
	if r.Errors.Total == 0 || len(r.Timeseries) == 0 {
		c.setEmpty("no errors in the measured window")
		return c
	}
	for i, iv := range r.Timeseries {
		w := 0.8 * (x.pos(iv.Length.Seconds()) - x.pos(0))
		base := 0.0
		for ci, cl := range classes {
			n := iv.ErrorsByClass[cl]
			if n == 0 {
				continue
			}
			v := float64(n) / perSecond(iv)
			y0, y1 := y.pos(base), y.pos(base+v)
			c.Bars = append(c.Bars, svgRect{X: round1(x.pos(xs[i]) - w/2), Y: y1, W: round1(w), H: round1(y0 - y1),
				Class: classColour(ci), Title: fmt.Sprintf("%s: %d in %s", cl, n, fmtDur(iv.Length))})
			base += v
		}
	}
	var legend []svgLegend
	for ci, cl := range classes {
		legend = append(legend, svgLegend{Class: classColour(ci), Label: string(cl)})
	}
	c.addLegend(legend...)
	return c
}

// perSecond is an interval's length in seconds, 1 when unknown.
func perSecond(iv loadrunner.Interval) float64 {
	if s := iv.Length.Seconds(); s > 0 {
		return s
	}
	return 1
}

// gcPauseChart draws the service's GC pause distribution as a histogram
// with logarithmic bins (four per decade); nil when there is none.
func gcPauseChart(id string, g *loadrunner.GCStats) *svgChart {
	if g == nil || g.PauseHist == nil || g.PauseHist.Count() == 0 {
		return nil
	}
	bins := map[int]uint64{}
	lo, hi := math.MaxInt, math.MinInt
	for _, b := range g.PauseHist.Buckets() {
		k := int(math.Floor(4 * math.Log10(math.Max(1, float64(b.To)))))
		bins[k] += b.Count
		lo, hi = min(lo, k), max(hi, k)
	}
	lo, hi = 4*(lo/4), 4*((hi+4)/4) // whole decades
	top := 0.0
	for _, n := range bins {
		top = max(top, float64(n))
	}
	p := plotArea()
	y := linearAxis(0, top, p.Y+p.H, p.Y, trimFloat)
	x := axis{min: float64(lo) / 4, max: float64(hi) / 4, from: p.X, to: p.X + p.W}
	for d := lo / 4; d <= hi/4; d++ {
		x.ticks = append(x.ticks, float64(d))
		x.tickLabels = append(x.tickLabels, fmtDur(time.Duration(math.Pow(10, float64(d)))))
	}
	c := newChart(id, "Service GC pauses", x, y, "pause length (log scale)", "pauses")
	for k := lo; k < hi; k++ {
		n := bins[k]
		if n == 0 {
			continue
		}
		x0, x1 := x.pos(float64(k)/4), x.pos(float64(k+1)/4)
		from, to := time.Duration(math.Pow(10, float64(k)/4)), time.Duration(math.Pow(10, float64(k+1)/4))
		c.Bars = append(c.Bars, svgRect{X: x0 + 1, Y: y.pos(float64(n)), W: round1(x1 - x0 - 2), H: round1(y.pos(0) - y.pos(float64(n))),
			Class: "s-gc", Title: fmt.Sprintf("%d pauses of %s–%s", n, fmtDur(from), fmtDur(to))})
	}
	return c
}
