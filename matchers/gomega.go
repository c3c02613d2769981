package matchers

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"
	"github.com/slaspec/slaspec/loadrunner"
)

// resultOf accepts a loadrunner.Result or a pointer to one.
func resultOf(matcher string, actual any) (*loadrunner.Result, error) {
	switch r := actual.(type) {
	case *loadrunner.Result:
		if r == nil {
			return nil, fmt.Errorf("%s expects a loadrunner.Result, got a nil *loadrunner.Result", matcher)
		}
		return r, nil
	case loadrunner.Result:
		return &r, nil
	}
	return nil, fmt.Errorf("%s expects a loadrunner.Result or *loadrunner.Result, got %s", matcher, format.Object(actual, 1))
}

// figureMatcher applies a Gomega matcher to one measured figure of a result.
type figureMatcher struct {
	name   string // "HaveLatencyPercentile"
	what   string // "latency p99.9"
	budget Budget // the metric to observe (Op and Limit unused)
	inner  types.GomegaMatcher
	// value converts the observed figure to what inner matches.
	value func(float64) any

	res *loadrunner.Result
	obs observation
}

func (m *figureMatcher) Match(actual any) (bool, error) {
	res, err := resultOf(m.name, actual)
	if err != nil {
		return false, err
	}
	m.res, m.obs = res, observe(res, m.budget)
	if m.obs.missing != "" {
		return false, fmt.Errorf("%s: %s is unknown: %s\n%s", m.name, m.what, m.obs.missing, describe(res))
	}
	if m.obs.samples < m.obs.needed {
		return false, fmt.Errorf("%s: %s is inconclusive: %d samples, at least %d needed (run longer or at a higher rate)\n%s",
			m.name, m.what, m.obs.samples, m.obs.needed, describe(res))
	}
	return m.inner.Match(m.value(m.obs.value))
}

func (m *figureMatcher) FailureMessage(any) string {
	return m.message(m.inner.FailureMessage(m.value(m.obs.value)))
}

func (m *figureMatcher) NegatedFailureMessage(any) string {
	return m.message(m.inner.NegatedFailureMessage(m.value(m.obs.value)))
}

func (m *figureMatcher) message(inner string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s was %s (%d samples", m.what, formatObserved(m.budget.Kind, m.obs.value), m.obs.samples)
	if m.obs.haveBounds {
		fmt.Fprintf(&b, ", 95%% CI %s–%s", formatObserved(m.budget.Kind, m.obs.lower), formatObserved(m.budget.Kind, m.obs.upper))
	}
	b.WriteString(")\n")
	for _, n := range m.obs.notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	b.WriteString(inner)
	b.WriteString("\n")
	b.WriteString(describe(m.res))
	return b.String()
}

func describe(res *loadrunner.Result) string {
	var b strings.Builder
	b.WriteString("run:\n")
	DescribeResult(&b, res)
	return b.String()
}

func asDuration(v float64) any { return time.Duration(v) }
func asFloat(v float64) any    { return v }

// HaveLatencyPercentile matches a result whose latency percentile
// (0<percentile<100, from each request's intended send time) satisfies m, a
// matcher of time.Duration:
//
//	Expect(res).To(HaveLatencyPercentile(99.9, BeNumerically("<", 200*time.Millisecond)))
//
// With fewer samples than NeededSamples it fails (also when negated), saying
// how many are needed.
func HaveLatencyPercentile(percentile float64, m types.GomegaMatcher) types.GomegaMatcher {
	b := Budget{Kind: Latency, Percentile: percentile, Metric: "p" + fmtPercentile(percentile)}
	return &figureMatcher{name: "HaveLatencyPercentile", what: "latency " + b.Metric, budget: b, inner: m, value: asDuration}
}

// HaveMaxLatency matches a result whose largest latency satisfies m.
func HaveMaxLatency(m types.GomegaMatcher) types.GomegaMatcher {
	b := Budget{Kind: Latency, Percentile: 100, Metric: "max"}
	return &figureMatcher{name: "HaveMaxLatency", what: "latency max", budget: b, inner: m, value: asDuration}
}

// HaveErrorRate matches a result whose error rate (a 0–1 share of completed
// requests, every class) satisfies m, a matcher of float64:
//
//	Expect(res).To(HaveErrorRate(BeNumerically("<", 0.001)))
func HaveErrorRate(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveErrorRate", what: "error rate", budget: Budget{Kind: ErrorRate}, inner: m, value: asFloat}
}

// HaveErrorClassRate is HaveErrorRate for one error class or family
// ("http.5xx", "contract", "transport").
func HaveErrorClassRate(class loadrunner.Class, m types.GomegaMatcher) types.GomegaMatcher {
	b := Budget{Kind: ErrorRate, Class: string(class)}
	return &figureMatcher{name: "HaveErrorClassRate", what: "rate of " + string(class) + " errors", budget: b, inner: m, value: asFloat}
}

// HaveThroughput matches a result whose completed requests per second
// satisfy m, a matcher of float64.
func HaveThroughput(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveThroughput", what: "throughput (req/s)", budget: Budget{Kind: Throughput}, inner: m, value: asFloat}
}

// HaveDeliveredPlannedLoad matches a result whose delivered share of the
// planned sends (0–1) satisfies m:
//
//	Expect(res).To(HaveDeliveredPlannedLoad(BeNumerically(">=", 0.99)))
func HaveDeliveredPlannedLoad(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveDeliveredPlannedLoad", what: "delivered share of planned sends", budget: Budget{Kind: Delivered}, inner: m, value: asFloat}
}

// HaveGCPause matches a result whose longest service GC pause in the window
// satisfies m, a matcher of time.Duration. The run needs a GC source.
func HaveGCPause(m types.GomegaMatcher) types.GomegaMatcher {
	b := Budget{Kind: GCPause, Percentile: 100, Metric: "gc.max"}
	return &figureMatcher{name: "HaveGCPause", what: "service GC pause max", budget: b, inner: m, value: asDuration}
}

// HaveGCPausePercentile matches a result whose service GC pause percentile
// satisfies m, a matcher of time.Duration.
func HaveGCPausePercentile(percentile float64, m types.GomegaMatcher) types.GomegaMatcher {
	b := Budget{Kind: GCPause, Percentile: percentile, Metric: "gc.p" + fmtPercentile(percentile)}
	return &figureMatcher{name: "HaveGCPausePercentile", what: "service GC pause " + b.Metric[3:], budget: b, inner: m, value: asDuration}
}

// HaveGCPauseShare matches a result whose share of the window (0–1) spent in
// service GC pauses satisfies m.
func HaveGCPauseShare(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveGCPauseShare", what: "service GC pause share", budget: Budget{Kind: GCShare}, inner: m, value: asFloat}
}

// slaMatcher judges a whole SLA.
type slaMatcher struct {
	sla    SLA
	err    error
	res    *loadrunner.Result
	result Evaluation
}

// MeetSLA matches a result that meets every budget of sla, given as text in
// the SLA grammar or as a parsed SLA:
//
//	Expect(res).To(MeetSLA("p99<150ms, p99.9<400ms, errors<0.1%"))
//
// A budget that is inconclusive (too few samples, no GC source), a run that
// delivered less than DefaultMinDelivered of its planned load, and a partial
// run all fail it with the reason.
func MeetSLA(sla any) types.GomegaMatcher {
	m := &slaMatcher{}
	switch s := sla.(type) {
	case string:
		m.sla, m.err = Parse(s)
	case SLA:
		m.sla = s
	default:
		m.err = fmt.Errorf("MeetSLA expects SLA text or a matchers.SLA, got %T", sla)
	}
	return m
}

func (m *slaMatcher) Match(actual any) (bool, error) {
	if m.err != nil {
		return false, m.err
	}
	res, err := resultOf("MeetSLA", actual)
	if err != nil {
		return false, err
	}
	m.res, m.result = res, Evaluate(res, m.sla)
	if m.result.Status == Inconclusive {
		return false, errors.New(Explain(res, m.result))
	}
	return m.result.Status == Passed, nil
}

func (m *slaMatcher) FailureMessage(any) string { return Explain(m.res, m.result) }

func (m *slaMatcher) NegatedFailureMessage(any) string {
	return "expected the run not to meet the SLA, but it did\n" + Explain(m.res, m.result)
}

// Explain renders an evaluation for a person: the SLA's status, one line per
// budget (failing ones first, with by how much), the notes, and the run's
// figures. MeetSLA, AssertSLA and the CLI print it.
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
	b.WriteString(describe(res))
	return b.String()
}
