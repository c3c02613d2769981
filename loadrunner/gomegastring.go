package loadrunner

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
)

// GomegaString renders r in a few lines — the load planned and achieved,
// latency p50/p99/max and the errors by class — so that Gomega failures
// which print the actual value (Not(And(...)), Or(...), Equal) show the run,
// not its histogram counters. It implements Gomega's format.GomegaStringer
// without importing Gomega.
func (r *Result) GomegaString() string {
	if r == nil {
		return "nil *loadrunner.Result"
	}
	var b strings.Builder
	if r.Target != "" {
		fmt.Fprintf(&b, "target %s\n", r.Target)
	}
	b.WriteString(r.loadLine())
	if r.Partial {
		fmt.Fprintf(&b, "\npartial: %s", r.PartialReason)
	}
	if r.GeneratorSaturated {
		fmt.Fprintf(&b, "\ngenerator saturated: %s", strings.Join(r.Saturation, "; "))
	}
	if h := r.Latency; h != nil && h.Count() > 0 {
		fmt.Fprintf(&b, "\nlatency p50 %s, p99 %s, max %s (%d samples)",
			roundDuration(h.Percentile(P50)), roundDuration(h.Percentile(P99)), roundDuration(h.Max()), h.Count())
	}
	b.WriteString("\n" + r.errorsLine())
	return b.String()
}

func (r *Result) loadLine() string {
	if r.Plan.Concurrency > 0 {
		workers := "workers"
		if r.Plan.Concurrency == 1 {
			workers = "worker"
		}
		return fmt.Sprintf("closed model, %d %s for %s: %d requests (%.1f req/s)",
			r.Plan.Concurrency, workers, roundDuration(r.Duration), r.Requests, r.Throughput())
	}
	return fmt.Sprintf("planned %.1f req/s over %s, achieved %.1f req/s: %d of %d planned sends, %d completed",
		r.PlannedRate, roundDuration(r.Duration), r.AchievedRate, r.Sent, r.Planned, r.Requests)
}

func (r *Result) errorsLine() string {
	line := fmt.Sprintf("errors %d of %d (%.3f%%)", r.Errors.Total, r.Requests, 100*r.ErrorRate())
	classes := make([]Class, 0, len(r.Errors.ByClass))
	for c, n := range r.Errors.ByClass {
		if n > 0 {
			classes = append(classes, c)
		}
	}
	slices.Sort(classes)
	parts := make([]string, len(classes))
	for i, c := range classes {
		parts[i] = fmt.Sprintf("%s %d", c, r.Errors.ByClass[c])
	}
	if len(parts) > 0 {
		line += ": " + strings.Join(parts, ", ")
	}
	return line
}

// roundDuration keeps three significant digits of d, so 50.4317ms prints
// as 50.4ms.
func roundDuration(d time.Duration) time.Duration {
	if d < 1000 && d > -1000 {
		return d
	}
	digits := int(math.Floor(math.Log10(math.Abs(float64(d))))) + 1
	return d.Round(time.Duration(math.Pow10(digits - 3)))
}
