package sla

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// observe measures the budget's metric over the whole measured window.
func observe(res *loadrunner.Result, b Budget) Observation {
	switch b.Kind {
	case Latency:
		return observeLatency(res.Latency, b)
	case ErrorRate:
		return observeErrors(res.Requests, errorsOf(res.Errors.Total, res.Errors.ByClass, b.Class))
	case Delivered:
		o := Observation{Value: res.Delivered(), Samples: res.Planned, Needed: 1}
		if res.Plan.Concurrency > 0 {
			o.Samples, o.Notes = 1, []string{"closed-model run: there is no planned load to fall short of"}
		}
		return o
	case Throughput:
		return Observation{Value: res.Throughput(), Samples: res.Requests, Needed: 1}
	case SchedLatency, Goroutines, HeapBytes:
		return observeRuntime(res.Runtime, b)
	}
	return observeGC(res, b)
}

func observeLatency(h *loadrunner.Histogram, b Budget) Observation {
	if h == nil || h.Count() == 0 {
		return Observation{Missing: "no completed requests to measure latency from", Needed: NeededSamples(b.Percentile)}
	}
	o := Observation{Samples: h.Count(), Needed: NeededSamples(b.Percentile)}
	switch {
	case b.Mean:
		o.Value, o.Needed = float64(h.Mean()), 1
	case b.Percentile >= 100:
		o.Value = float64(h.Max())
	default:
		o.Value = float64(h.Percentile(b.Percentile))
		o.Lower, o.Upper, o.HaveBounds = percentileBounds(h, b.Percentile)
	}
	if h.Clamped() > 0 {
		o.Notes = append(o.Notes, fmt.Sprintf("%d samples above the histogram's 1h range were clamped", h.Clamped()))
	}
	return o
}

func percentileBounds(h *loadrunner.Histogram, pct float64) (lo, hi float64, ok bool) {
	l, u, ok := PercentileBounds(h, pct)
	return float64(l), float64(u), ok
}

// PercentileBounds returns a distribution-free 95% confidence interval for
// the pct-th percentile (0–100) of h: the values at the order statistics
// n·q ± 1.96·√(n·q·(1−q)). ok is false when h has fewer samples than
// NeededSamples(pct).
func PercentileBounds(h *loadrunner.Histogram, pct float64) (lo, hi time.Duration, ok bool) {
	n, q := float64(h.Count()), pct/100
	spread := 1.96 * math.Sqrt(n*q*(1-q))
	if n < float64(NeededSamples(pct)) || spread < 1 {
		return 0, 0, false
	}
	loRank, hiRank := math.Max(n*q-spread, 1), math.Min(n*q+spread, n)
	return h.Percentile(100 * loRank / n), h.Percentile(100 * hiRank / n), true
}

func observeErrors(requests, errs uint64) Observation {
	if requests == 0 {
		return Observation{Missing: "no completed requests", Needed: 1}
	}
	return Observation{Value: float64(errs) / float64(requests), Samples: requests, Needed: 1}
}

// errorsOf counts the errors of one class or class family ("transport"
// counts every transport.* class), or all of them when class is empty.
func errorsOf(total uint64, byClass map[loadrunner.Class]uint64, class loadrunner.Class) uint64 {
	if class == "" {
		return total
	}
	var n uint64
	for c, k := range byClass {
		if c.In(class) {
			n += k
		}
	}
	return n
}

func observeGC(res *loadrunner.Result, b Budget) Observation {
	g := res.GC
	if g == nil {
		return Observation{Missing: "no GC source was attached to the run (loadrunner.WithGCSource), so there are no service GC figures", Needed: 1}
	}
	o := Observation{Samples: g.Pauses, Needed: 1}
	if len(g.Warnings) > 0 {
		o.Notes = append(o.Notes, g.Warnings...)
	}
	switch b.Kind {
	case GCPause:
		if b.Percentile >= 100 {
			o.Value = float64(g.PauseMax)
			break
		}
		p, ok := g.PausePercentile(b.Percentile)
		if !ok {
			return Observation{Missing: g.Source + " gives no pause distribution, only totals: use gc.max or gc.total", Needed: 1}
		}
		o.Value, o.Needed = float64(p), NeededSamples(b.Percentile)
	case GCShare:
		o.Value, o.Samples = g.PauseShare(), max(g.Pauses, 1)
	case GCCycles:
		o.Value, o.Samples = float64(g.Cycles), 1
	case AllocPerRequest:
		if !g.AllocKnown || res.Requests == 0 {
			return Observation{Missing: g.Source + " does not report allocated bytes (or no request completed)", Needed: 1}
		}
		o.Value, o.Samples = float64(g.AllocBytes)/float64(res.Requests), res.Requests
	}
	if !g.Exact && b.Kind == GCPause {
		o.Notes = append(o.Notes, "pause figures come from buckets or summaries and are upper bounds ("+g.Source+")")
	}
	return o
}

// evaluateWindows holds a latency or error budget in every window of
// b.Window, sliding by the time-series interval, and reports the worst.
func evaluateWindows(res *loadrunner.Result, b Budget, v Verdict) Verdict {
	series := res.Timeseries
	if len(series) == 0 {
		v.Status, v.Observed, v.Detail = Inconclusive, "-", "the result has no time series"
		return v
	}
	step := series[0].Length
	if step <= 0 {
		step = time.Second
	}
	n := max(int((b.Window+step-1)/step), 1)
	note := ""
	if n > len(series) {
		n, note = len(series), fmt.Sprintf("the run is shorter than the %s window: one window covers it all", formatDuration(b.Window))
	}
	h := loadrunner.NewHistogram() // one scratch histogram for every window
	var worst *Observation
	worstAt, failed, unsure, windows := 0, 0, 0, 0
	for start := 0; start+n <= len(series); start++ {
		windows++
		var o Observation
		if b.Kind == Latency {
			h.Reset()
			for _, iv := range series[start : start+n] {
				h.AddBuckets(iv.Latency)
			}
			o = observeLatency(h, b)
		} else {
			var reqs, errs uint64
			for _, iv := range series[start : start+n] {
				reqs += iv.OK + iv.Errors
				errs += errorsOf(iv.Errors, iv.ErrorsByClass, b.Class)
			}
			o = observeErrors(reqs, errs)
		}
		switch {
		case o.Missing != "" || o.Samples < o.Needed:
			unsure++
			continue
		case !holds(b.Op, o.Value, b.Limit):
			failed++
		}
		if worst == nil || (upper(b.Op) == (o.Value > worst.Value)) && o.Value != worst.Value {
			worst, worstAt = &o, start
		}
	}
	if worst == nil {
		v.Status, v.Observed = Inconclusive, "-"
		v.Needed = NeededSamples(b.Percentile)
		v.Detail = fmt.Sprintf("no %s window has enough samples (a conclusive %s needs %d per window)", formatDuration(b.Window), b.Metric, v.Needed)
		return v
	}
	out := judge(b, v, *worst)
	at := series[worstAt].Start.Sub(series[0].Start)
	where := fmt.Sprintf("worst %s window starts %s into the run; %d of %d windows over budget", formatDuration(b.Window), fmtDur(at), failed, windows)
	if unsure > 0 {
		where += fmt.Sprintf(", %d with too few samples", unsure)
		if out.Status == Passed {
			out.Status = Inconclusive
		}
	}
	out.Detail = strings.Join(nonEmptyStrings(out.Detail, where, note), "; ")
	return out
}

func nonEmptyStrings(ss ...string) []string {
	out := ss[:0]
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}
