package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Chart geometry, in SVG user units (the charts scale with the page).
const (
	chartW      = 560
	chartH      = 270
	marginLeft  = 64
	marginRight = 32
	marginTop   = 14
	marginBot   = 64 // x tick labels, the x axis label and the legend
	maxTicks    = 6
)

// svgChart is a chart laid out for the page template: every coordinate is
// computed here, so the template only places primitives, and every text goes
// through html/template's escaping.
type svgChart struct {
	ID, Title string
	W, H      int
	Plot      svgRect
	Grid      []svgLine
	Lines     []svgLine
	Texts     []svgText
	Polylines []svgPolyline
	Dots      []svgDot
	Bars      []svgRect
	Legend    []svgLegend
	Empty     string // shown inside the plot when there is nothing to draw
}

type svgLine struct {
	X1, Y1, X2, Y2 float64
	Class          string
	Title          string
}

type svgText struct {
	X, Y      float64
	Anchor    string // start, middle, end
	Class     string
	Transform string
	Text      string
}

type svgPolyline struct {
	Points string
	Class  string
}

type svgDot struct {
	X, Y  float64
	Class string
	Title string
}

type svgRect struct {
	X, Y, W, H float64
	Class      string
	Title      string
}

type svgLegend struct {
	X, Y, X2, TX, TY float64
	Class            string
	Label            string
	Dash             bool
}

// axis maps data values to one axis of the plot area.
type axis struct {
	min, max   float64 // data range shown
	from, to   float64 // pixel range
	ticks      []float64
	tickLabels []string
}

// pos maps v to its pixel; a value that is not a number, or far outside the
// axis, is held to the axis' ends so that no coordinate reads NaN or Inf.
func (a axis) pos(v float64) float64 {
	if a.max == a.min || math.IsNaN(v) || math.IsNaN(a.max-a.min) {
		return a.from
	}
	f := math.Max(-0.1, math.Min(1.1, (v-a.min)/(a.max-a.min)))
	return round1(a.from + f*(a.to-a.from))
}

// linearAxis is an axis from 0 (or lo) to a round value at or above hi, with
// round ticks labelled by label.
func linearAxis(lo, hi, from, to float64, label func(float64) string) axis {
	if !(hi > lo) || math.IsInf(hi, 0) || math.IsNaN(hi) {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / (maxTicks - 1))
	top := lo + step*math.Ceil((hi-lo)/step-1e-9)
	a := axis{min: lo, max: top, from: from, to: to}
	for i := 0; i < 2*maxTicks+1; i++ {
		v := lo + float64(i)*step
		if v > top+step/1e6 {
			break
		}
		a.ticks = append(a.ticks, v)
		a.tickLabels = append(a.tickLabels, label(v))
	}
	return a
}

// niceStep rounds a raw tick step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	if raw <= 0 || math.IsNaN(raw) || math.IsInf(raw, 0) {
		return 1
	}
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*pow >= raw*(1-1e-9) {
			return m * pow
		}
	}
	return 10 * pow
}

// newChart lays out an empty chart with its axes, grid, tick labels and axis
// labels; the builders then add series.
func newChart(id, title string, x, y axis, xLabel, yLabel string) *svgChart {
	c := &svgChart{ID: id, Title: title, W: chartW, H: chartH,
		Plot: svgRect{X: marginLeft, Y: marginTop, W: chartW - marginLeft - marginRight, H: chartH - marginTop - marginBot, Class: "plot"}}
	bottom := c.Plot.Y + c.Plot.H
	for i, v := range y.ticks {
		py := y.pos(v)
		c.Grid = append(c.Grid, svgLine{X1: c.Plot.X, Y1: py, X2: c.Plot.X + c.Plot.W, Y2: py, Class: "grid"})
		c.Texts = append(c.Texts, svgText{X: c.Plot.X - 6, Y: py + 4, Anchor: "end", Class: "tick", Text: y.tickLabels[i]})
	}
	for i, v := range x.ticks {
		px := x.pos(v)
		c.Grid = append(c.Grid, svgLine{X1: px, Y1: c.Plot.Y, X2: px, Y2: bottom, Class: "grid"})
		c.Texts = append(c.Texts, svgText{X: px, Y: bottom + 16, Anchor: "middle", Class: "tick", Text: x.tickLabels[i]})
	}
	c.Lines = append(c.Lines,
		svgLine{X1: c.Plot.X, Y1: bottom, X2: c.Plot.X + c.Plot.W, Y2: bottom, Class: "axis"},
		svgLine{X1: c.Plot.X, Y1: c.Plot.Y, X2: c.Plot.X, Y2: bottom, Class: "axis"})
	c.Texts = append(c.Texts,
		svgText{X: c.Plot.X + c.Plot.W/2, Y: bottom + 34, Anchor: "middle", Class: "label", Text: xLabel},
		svgText{X: 14, Y: c.Plot.Y + c.Plot.H/2, Anchor: "middle", Class: "label",
			Transform: fmt.Sprintf("rotate(-90 14 %s)", fmtCoord(c.Plot.Y+c.Plot.H/2)), Text: yLabel})
	return c
}

// addSeries draws one series as polylines, broken where ok is false, with
// dots when the series is short enough for them to be read one by one.
func (c *svgChart) addSeries(class string, xs, ys []float64, ok []bool, x, y axis) {
	var seg []string
	flush := func() {
		if len(seg) > 1 {
			c.Polylines = append(c.Polylines, svgPolyline{Points: strings.Join(seg, " "), Class: class})
		}
		seg = seg[:0]
	}
	dots := len(xs) <= 60
	for i := range xs {
		if ok != nil && !ok[i] {
			flush()
			continue
		}
		px, py := x.pos(xs[i]), y.pos(ys[i])
		seg = append(seg, fmtCoord(px)+","+fmtCoord(py))
		if dots {
			c.Dots = append(c.Dots, svgDot{X: px, Y: py, Class: class})
		}
	}
	flush()
}

// addRule draws a labelled horizontal line across the plot at value v, such
// as a budget's limit.
func (c *svgChart) addRule(v float64, y axis, class, label string) {
	py := y.pos(v)
	c.Lines = append(c.Lines, svgLine{X1: c.Plot.X, Y1: py, X2: c.Plot.X + c.Plot.W, Y2: py, Class: class, Title: label})
	c.Texts = append(c.Texts, svgText{X: c.Plot.X + c.Plot.W - 4, Y: py - 4, Anchor: "end", Class: "rule-label " + class, Text: label})
}

// addLegend places legend entries in a row under the x axis label.
func (c *svgChart) addLegend(items ...svgLegend) {
	x := c.Plot.X
	for _, it := range items {
		it.X, it.Y = x, float64(c.H-10)
		it.X2, it.TX, it.TY = x+20, x+25, it.Y+4
		c.Legend = append(c.Legend, it)
		x += 34 + 7*float64(len([]rune(it.Label)))
	}
}

// setEmpty marks the chart as having no data, with why.
func (c *svgChart) setEmpty(why string) {
	c.Empty = why
	c.Texts = append(c.Texts, svgText{X: c.Plot.X + c.Plot.W/2, Y: c.Plot.Y + c.Plot.H/2, Anchor: "middle", Class: "empty", Text: why})
}

// fmtCoord renders a coordinate compactly.
func fmtCoord(v float64) string {
	return strconv.FormatFloat(round1(v), 'f', -1, 64)
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }
