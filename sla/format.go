package sla

import (
	"cmp"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// tablePercentiles are the rows of the compact percentile table.
var tablePercentiles = []float64{50, 90, 99, 99.9, 99.99}

// DescribeResult writes a compact, human-readable account of res: the load
// planned and delivered, a percentile table of latency (from the intended
// send time), service time and send lag, the errors by class with example
// messages, and the generator's health. Failure messages, the CLI and the
// Markdown report all use it, so a CI log alone explains a verdict.
func DescribeResult(w io.Writer, res *loadrunner.Result) {
	if res == nil {
		fmt.Fprintln(w, "  (no result)")
		return
	}
	if res.Target != "" {
		fmt.Fprintf(w, "  target     %s\n", res.Target)
	}
	if p := FormatProtocols(res.Protocols); p != "" {
		fmt.Fprintf(w, "  protocol   %s\n", p)
	}
	fmt.Fprintf(w, "  load       %s\n", describeLoad(res))
	if res.Partial {
		fmt.Fprintf(w, "  PARTIAL    %s\n", orDash(res.PartialReason))
	}
	if res.Aborted != "" {
		fmt.Fprintf(w, "  ABORTED    %s\n", res.Aborted)
	}
	if res.GeneratorSaturated {
		fmt.Fprintf(w, "  SATURATED  the generator could not keep its schedule: %s\n", strings.Join(res.Saturation, "; "))
	}
	if res.ServiceBacklogged {
		fmt.Fprintf(w, "  BACKLOGGED %s\n", strings.Join(res.Backlog, "; "))
	}
	writePercentileTable(w, res)
	writeErrors(w, res)
	if g := res.GC; g != nil {
		fmt.Fprintf(w, "  service GC %d cycles, %d pauses, total %s (%.3f%% of %s), max %s [%s]\n",
			g.Cycles, g.Pauses, fmtDur(g.PauseTotal), 100*g.PauseShare(), fmtDur(g.Window), fmtDur(g.PauseMax), g.Source)
		for _, warn := range g.Warnings {
			fmt.Fprintf(w, "             warning: %s\n", warn)
		}
	}
	WriteService(w, res)
	gen := res.Generator
	if res.Duration > 0 {
		fmt.Fprintf(w, "  generator  cpu %.0f%% of one core, peak in flight %d, own GC pauses max %s\n",
			100*gen.CPU.Seconds()/res.Duration.Seconds(), gen.PeakInFlight, fmtDur(gen.GCPauseMax))
	}
}

// FormatProtocols names the protocols responses came over
// (Result.Protocols), with their counts when there were several, most
// first: "HTTP/2.0", "HTTP/2.0 980, HTTP/1.1 20"; "" for none.
func FormatProtocols(protos map[string]uint64) string {
	names := slices.Collect(maps.Keys(protos))
	if len(names) == 1 {
		return names[0]
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(protos[b], protos[a]), cmp.Compare(a, b)) })
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, protos[n])
	}
	return strings.Join(parts, ", ")
}

func describeLoad(res *loadrunner.Result) string {
	if res.Plan.Concurrency > 0 {
		return fmt.Sprintf("closed model, %s for %s: %s, %.1f req/s",
			FormatCount(res.Plan.Concurrency, "worker"), fmtDur(res.Duration), FormatCount(res.Requests, "request"), res.Throughput())
	}
	return fmt.Sprintf("planned %.1f req/s over %s, achieved %.1f req/s (%.2f%% of planned sends); sent %d, completed %d, dropped %d, late %d",
		res.PlannedRate, fmtDur(res.Duration), res.AchievedRate, 100*res.Delivered(), res.Sent, res.Requests, res.Dropped, res.Late)
}

func writePercentileTable(w io.Writer, res *loadrunner.Result) {
	rows := []struct {
		name string
		h    *loadrunner.Histogram
	}{{"latency", res.Latency}, {"service", res.ServiceTime}, {"send lag", res.SendLag}, {"failed", res.FailedLatency}, {"checks", res.Checks}}
	var b strings.Builder
	b.WriteString("  ")
	fmt.Fprintf(&b, "%-10s", "")
	for _, p := range tablePercentiles {
		fmt.Fprintf(&b, " %9s", "p"+FormatPercentile(p))
	}
	fmt.Fprintf(&b, " %9s %9s\n", "max", "mean")
	for _, r := range rows {
		if r.h == nil || r.h.Count() == 0 {
			continue
		}
		fmt.Fprintf(&b, "  %-10s", r.name)
		for _, p := range tablePercentiles {
			fmt.Fprintf(&b, " %9s", fmtDur(r.h.Percentile(p)))
		}
		fmt.Fprintf(&b, " %9s %9s\n", fmtDur(r.h.Max()), fmtDur(r.h.Mean()))
	}
	io.WriteString(w, b.String())
	if res.Latency != nil && res.Latency.Count() > 0 {
		fmt.Fprintf(w, "  (latency of the successful requests, from the intended send time to the response read; service time from the actual send; %d samples)\n", res.Latency.Count())
	}
}

func writeErrors(w io.Writer, res *loadrunner.Result) {
	fmt.Fprintf(w, "  errors     %d of %d (%.3f%%)\n", res.Errors.Total, res.Requests, 100*res.ErrorRate())
	classes := make([]loadrunner.Class, 0, len(res.Errors.ByClass))
	for c := range res.Errors.ByClass {
		classes = append(classes, c)
	}
	slices.Sort(classes)
	for _, c := range classes {
		fmt.Fprintf(w, "    %-18s %d\n", c, res.Errors.ByClass[c])
		for _, ex := range res.Errors.Examples[c] {
			fmt.Fprintf(w, "      e.g. %s\n", ex)
		}
	}
}

// FormatDuration renders a duration with three significant digits in its
// natural unit ("1.23ms", "482µs", "2.5s"), as every slaspec report and
// message shows durations.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d < 0:
		return "-" + FormatDuration(-d)
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond-time.Microsecond/2: // 999.7µs would read "1000µs"
		return FormatNumber(float64(d)/1e3) + "µs"
	case d < time.Second-time.Millisecond/2:
		return FormatNumber(float64(d)/1e6) + "ms"
	}
	return FormatNumber(d.Seconds()) + "s"
}

// FormatNumber renders v with three significant digits (more above 1000)
// and no trailing zeros.
func FormatNumber(v float64) string {
	var s string
	switch a := max(v, -v); {
	case a >= 100:
		s = fmt.Sprintf("%.0f", v)
	case a >= 10:
		s = fmt.Sprintf("%.1f", v)
	default:
		s = fmt.Sprintf("%.2f", v)
	}
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s
}

func fmtDur(d time.Duration) string { return FormatDuration(d) }
func trimFloat(v float64) string    { return FormatNumber(v) }

// FormatCount writes n and a noun, plural unless n is 1: "1 operation",
// "2 operations", "3 entries".
func FormatCount[N ~int | ~int64 | ~uint64](n N, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	switch {
	case strings.HasSuffix(noun, "y") && !strings.ContainsAny(noun[max(len(noun)-2, 0):len(noun)-1], "aeiou"):
		noun = noun[:len(noun)-1] + "ies"
	case strings.HasSuffix(noun, "s"), strings.HasSuffix(noun, "x"), strings.HasSuffix(noun, "ch"), strings.HasSuffix(noun, "sh"):
		noun += "es"
	default:
		noun += "s"
	}
	return fmt.Sprintf("%d %s", n, noun)
}

// FormatPercentile writes a percentile (0–100) as the grammar does: 99.9,
// not 99.9000.
func FormatPercentile(p float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.4f", p), "0"), ".")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// WriteVerdicts writes one line per verdict, those that did not pass first,
// then the evaluation's notes.
func WriteVerdicts(w io.Writer, ev Evaluation) {
	ordered := append(ev.Failing(), passing(ev.Verdicts)...)
	for _, v := range ordered {
		fmt.Fprintf(w, "  %-12s %-22s observed %s", strings.ToUpper(string(v.Status)), v.Budget, v.Observed)
		if v.Lower != "" {
			fmt.Fprintf(w, " (95%% CI %s–%s)", v.Lower, v.Upper)
		}
		if v.Samples > 0 {
			fmt.Fprintf(w, " [%d samples]", v.Samples)
		}
		if v.Implicit {
			w.Write([]byte(" (implicit)"))
		}
		if v.Detail != "" {
			fmt.Fprintf(w, ": %s", v.Detail)
		}
		w.Write([]byte("\n"))
	}
	for _, n := range ev.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

func passing(vs []Verdict) []Verdict {
	var out []Verdict
	for _, v := range vs {
		if v.Status == Passed {
			out = append(out, v)
		}
	}
	return out
}

// Explain renders an evaluation for a person: the SLA's status, one line per
// budget (failing ones first, with by how much), the notes, for an SLA not
// met by a profiled run where the service's CPU went (CPUInWindow), and the
// run's figures. MeetSLA, AssertSLA and the CLI print it.
func Explain(res *loadrunner.Result, ev Evaluation) string {
	var b strings.Builder
	switch ev.Status {
	case Passed:
		fmt.Fprintf(&b, "SLA met: %s\n", ev.SLA)
	case Inconclusive:
		fmt.Fprintf(&b, "SLA inconclusive (not a pass): %s\n", ev.SLA)
	default:
		fmt.Fprintf(&b, "SLA not met: %s\n", ev.SLA)
	}
	WriteVerdicts(&b, ev)
	if cause := CPUInWindow(res); cause != "" && ev.Status != Passed {
		fmt.Fprintf(&b, "  %s\n", cause)
	}
	b.WriteString(DescribeRun(res))
	return b.String()
}

// DescribeRun is DescribeResult under a "run:" heading, as failure messages
// end.
func DescribeRun(res *loadrunner.Result) string {
	var b strings.Builder
	b.WriteString("run:\n")
	DescribeResult(&b, res)
	return b.String()
}
