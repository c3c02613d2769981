package sla

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// maxSLAText bounds the text Parse accepts, so hostile input costs little.
const maxSLAText = 4096

// errorClasses maps the class names an error budget may name to the
// loadrunner class (or class family) they count.
var errorClasses = map[string]loadrunner.Class{
	"4xx": loadrunner.Class4xx, "5xx": loadrunner.Class5xx, "http": loadrunner.FamilyHTTP,
	"transport": loadrunner.FamilyTransport, "refused": loadrunner.ClassRefused, "reset": loadrunner.ClassReset,
	"timeout": loadrunner.ClassTimeout, "dns": loadrunner.ClassDNS, "tls": loadrunner.ClassTLS,
	"check": loadrunner.ClassCheck, "contract": loadrunner.ClassContract,
}

// Parse parses the SLA grammar: budgets separated by commas, each
// "metric[@window] op limit[!]", e.g.
//
//	p99<150ms, p99.9<400ms, max<2s, errors<0.1%, errors.5xx<0.01%,
//	errors.contract==0, rate>=99%, rps>=500, p99@10s<200ms, errors<1%!,
//	gc.max<2ms, gc.p99<1ms, gc.total<1%, gc.cycles<=50, alloc/req<64KiB,
//	sched.p99<1ms, goroutines.max<10000, heap.max<512MiB
//
// Metrics: pN (any percentile 0<N<100) max mean — latency from the intended
// send time, in a duration; errors and errors.CLASS (4xx 5xx http transport
// refused reset timeout dns tls check contract) — a percentage, or 0; rate — the
// delivered share of planned sends, a percentage; rps — completed requests per
// second; gc.max gc.pN — pauses of the service's GC, a duration; gc.total —
// pause time as a percentage of the window; gc.cycles — a count; alloc/req —
// bytes (B KB KiB MB MiB GB GiB); sched.max sched.pN — the service's
// scheduling latency, a duration; goroutines.max — a count; heap.max — bytes
// (the runtime figures need a GC source that can be sampled). Operators: < <= > >= ==. "@window" (pN, max,
// mean, errors) holds the budget in every window of that length. A trailing
// "!" (errors, errors.CLASS, max) aborts the run as soon as the budget can no
// longer pass. Every error names the budget and its column.
func Parse(s string) (SLA, error) {
	if len(s) > maxSLAText {
		return SLA{}, &ParseError{Column: 1, Reason: fmt.Sprintf("text is %d bytes, more than the %d allowed", len(s), maxSLAText)}
	}
	if strings.TrimSpace(s) == "" {
		return SLA{}, &ParseError{Column: 1, Reason: "empty SLA: write at least one budget, e.g. p99<150ms"}
	}
	var sla SLA
	seen := map[string]int{}
	col := 1
	for _, part := range strings.Split(s, ",") {
		text := strings.TrimSpace(part)
		at := col + strings.Index(part, text)
		col += len(part) + 1
		if text == "" {
			return SLA{}, &ParseError{Column: at, Reason: "empty budget between commas"}
		}
		b, err := parseBudget(text)
		if err != nil {
			return SLA{}, &ParseError{Text: text, Column: at, Reason: err.Error()}
		}
		key := b.Metric + "@" + formatDuration(b.Window) + string(b.Op[0])
		if prev, dup := seen[key]; dup {
			return SLA{}, &ParseError{Text: text, Column: at, Reason: fmt.Sprintf("duplicates the budget at column %d", prev)}
		}
		seen[key] = at
		sla.Budgets = append(sla.Budgets, b)
	}
	return sla, nil
}

func parseBudget(text string) (Budget, error) {
	i := strings.IndexAny(text, "<>=")
	if i <= 0 {
		return Budget{}, fmt.Errorf("want metric, operator and limit, e.g. p99<150ms")
	}
	var b Budget
	metric, rest := strings.TrimSpace(text[:i]), text[i:]
	if m, w, ok := strings.Cut(metric, "@"); ok {
		d, err := time.ParseDuration(w)
		if err != nil || d <= 0 {
			return Budget{}, fmt.Errorf("window %q is not a positive duration such as 10s", w)
		}
		metric, b.Window = m, d
	}
	if err := b.setMetric(metric); err != nil {
		return Budget{}, err
	}
	if b.Window > 0 && b.Kind != Latency && b.Kind != ErrorRate {
		return Budget{}, fmt.Errorf("a window applies to latency and error budgets, not %s", b.Metric)
	}
	for _, op := range []Op{OpLessEqual, OpGreaterEqual, OpEqual, OpLess, OpGreater} {
		if strings.HasPrefix(rest, string(op)) {
			b.Op, rest = op, rest[len(op):]
			break
		}
	}
	if b.Op == "" {
		return Budget{}, fmt.Errorf("unknown operator in %q: use <, <=, >, >= or ==", rest)
	}
	rest = strings.TrimSpace(rest)
	if strings.HasSuffix(rest, "!") {
		b.Abort, rest = true, strings.TrimSpace(strings.TrimSuffix(rest, "!"))
		if !(b.Kind == ErrorRate && b.Class == "" || b.Kind == Latency && b.Percentile == 100) || b.Window > 0 {
			return Budget{}, fmt.Errorf("early abort (!) applies to errors and max budgets without a window, not %s", b.Metric)
		}
		if b.Op != OpLess && b.Op != OpLessEqual && b.Op != OpEqual {
			return Budget{}, fmt.Errorf("early abort (!) needs an upper bound (<, <= or ==)")
		}
	}
	limit, err := parseLimit(b.Kind, rest)
	if err != nil {
		return Budget{}, err
	}
	b.Limit = limit
	return b, nil
}

// setMetric recognises a metric name and sets the budget's kind.
func (b *Budget) setMetric(m string) error {
	b.Metric = m
	switch {
	case m == "max":
		b.Kind, b.Percentile = Latency, 100
	case m == "mean":
		b.Kind, b.Mean = Latency, true
	case strings.HasPrefix(m, "p"):
		q, err := parsePercentile(m[1:])
		if err != nil {
			return fmt.Errorf("metric %s: %w", m, err)
		}
		b.Kind, b.Percentile = Latency, q
	case m == "errors":
		b.Kind = ErrorRate
	case strings.HasPrefix(m, "errors."):
		c, ok := errorClasses[m[len("errors."):]]
		if !ok {
			return fmt.Errorf("unknown error class %q: use one of 4xx 5xx http transport refused reset timeout dns tls check contract", m[len("errors."):])
		}
		b.Kind, b.Class = ErrorRate, c
	case m == "rate":
		b.Kind = Delivered
	case m == "rps":
		b.Kind = Throughput
	case m == "gc.max":
		b.Kind, b.Percentile = GCPause, 100
	case strings.HasPrefix(m, "gc.p"):
		q, err := parsePercentile(m[len("gc.p"):])
		if err != nil {
			return fmt.Errorf("metric %s: %w", m, err)
		}
		b.Kind, b.Percentile = GCPause, q
	case m == "gc.total":
		b.Kind = GCShare
	case m == "gc.cycles":
		b.Kind = GCCycles
	case m == "alloc/req":
		b.Kind = AllocPerRequest
	default:
		return b.setRuntimeMetric(m)
	}
	return nil
}

// setRuntimeMetric recognises the metrics of the service's runtime.
func (b *Budget) setRuntimeMetric(m string) error {
	switch {
	case m == "sched.max":
		b.Kind, b.Percentile = SchedLatency, 100
	case strings.HasPrefix(m, "sched.p"):
		q, err := parsePercentile(m[len("sched.p"):])
		if err != nil {
			return fmt.Errorf("metric %s: %w", m, err)
		}
		b.Kind, b.Percentile = SchedLatency, q
	case m == "goroutines.max":
		b.Kind = Goroutines
	case m == "heap.max":
		b.Kind = HeapBytes
	default:
		return fmt.Errorf("unknown metric %q: use pN, max, mean, errors, errors.CLASS, rate, rps, gc.max, gc.pN, gc.total, gc.cycles, alloc/req, sched.max, sched.pN, goroutines.max or heap.max", m)
	}
	return nil
}

func parsePercentile(s string) (float64, error) {
	q, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "eE+-") || math.IsNaN(q) {
		return 0, fmt.Errorf("percentile %q is not a number", s)
	}
	if q <= 0 || q >= 100 {
		return 0, fmt.Errorf("percentile %s is out of range: want more than 0 and less than 100 (use max for the largest)", s)
	}
	return q, nil
}

// parseLimit reads a limit in the unit the kind needs.
func parseLimit(k Kind, s string) (float64, error) {
	if s == "" {
		return 0, fmt.Errorf("missing limit after the operator")
	}
	switch k {
	case Latency, GCPause, SchedLatency:
		if s == "0" {
			return 0, nil
		}
		d, err := time.ParseDuration(s)
		if err != nil {
			return 0, fmt.Errorf("limit %q is not a duration such as 150ms", s)
		}
		if d < 0 {
			return 0, fmt.Errorf("limit %s is negative", s)
		}
		return float64(d), nil
	case ErrorRate, Delivered, GCShare:
		if s == "0" {
			return 0, nil
		}
		num, ok := strings.CutSuffix(s, "%")
		if !ok {
			return 0, fmt.Errorf("limit %q needs a unit: write a percentage such as 0.1%%", s)
		}
		v, err := parseNumber(num)
		if err != nil {
			return 0, fmt.Errorf("limit %q: %w", s, err)
		}
		if v > 100 {
			return 0, fmt.Errorf("limit %s is more than 100%%", s)
		}
		return v / 100, nil
	case Throughput, GCCycles, Goroutines:
		v, err := parseNumber(s)
		if err != nil {
			return 0, fmt.Errorf("limit %q: %w", s, err)
		}
		if k != Throughput && v != math.Trunc(v) {
			return 0, fmt.Errorf("limit %q: a count is a whole number", s)
		}
		return v, nil
	case AllocPerRequest, HeapBytes:
		return parseBytes(s)
	}
	return 0, fmt.Errorf("no limit for this metric")
}

func parseNumber(s string) (float64, error) {
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || strings.ContainsAny(s, "eExXpP_") || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("%s is negative", s)
	}
	return v, nil
}

var byteUnits = []struct {
	suffix string
	size   float64
}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}

func byteSize(suffix string) float64 {
	for _, u := range byteUnits {
		if u.suffix == suffix {
			return u.size
		}
	}
	return 1
}

func parseBytes(s string) (float64, error) {
	if s == "0" {
		return 0, nil
	}
	for _, u := range byteUnits {
		if num, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := parseNumber(num)
			if err != nil {
				return 0, fmt.Errorf("limit %q: %w", s, err)
			}
			return math.Round(v * u.size), nil
		}
	}
	return 0, fmt.Errorf("limit %q needs a byte unit: B, KB, KiB, MB, MiB, GB or GiB", s)
}

// formatLimit renders a limit canonically in the kind's unit.
func formatLimit(k Kind, v float64) string {
	switch k {
	case Latency, GCPause, SchedLatency:
		return formatDuration(time.Duration(v))
	case ErrorRate, Delivered, GCShare:
		if v == 0 {
			return "0"
		}
		return strconv.FormatFloat(v*100, 'f', -1, 64) + "%"
	case AllocPerRequest, HeapBytes:
		return formatBytes(v)
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// formatDuration renders d in Go syntax in its largest unit that shows it
// exactly with at most three decimals ("150ms", "1.5s", "2m", "1.234µs"), so
// the text parses back to the same duration; "0" for zero.
func formatDuration(d time.Duration) string {
	if d == 0 {
		return "0"
	}
	for _, u := range []struct {
		name string
		size time.Duration
	}{{"h", time.Hour}, {"m", time.Minute}, {"s", time.Second}, {"ms", time.Millisecond}, {"µs", time.Microsecond}} {
		if d >= u.size && d%(u.size/1000) == 0 {
			text := strconv.FormatInt(int64(d/u.size), 10)
			if frac := d % u.size / (u.size / 1000); frac != 0 {
				text += strings.TrimRight(fmt.Sprintf(".%03d", frac), "0")
			}
			return text + u.name
		}
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

func formatBytes(v float64) string {
	if v == 0 {
		return "0"
	}
	for _, u := range []string{"GiB", "GB", "MiB", "MB", "KiB", "KB"} {
		size := byteSize(u)
		if v >= size && math.Mod(v, size) == 0 {
			return strconv.FormatFloat(v/size, 'f', -1, 64) + u
		}
	}
	return strconv.FormatFloat(v, 'f', -1, 64) + "B"
}
