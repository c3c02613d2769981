package matchers

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
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
	name   string     // "HaveLatencyPercentile"
	what   string     // "latency p99.9"
	budget sla.Budget // the metric to observe (Op and Limit unused)
	inner  types.GomegaMatcher
	// value converts the observed figure to what inner matches.
	value func(float64) any

	res *loadrunner.Result
	obs sla.Observation
}

func (m *figureMatcher) Match(actual any) (bool, error) {
	res, err := resultOf(m.name, actual)
	if err != nil {
		return false, err
	}
	m.res, m.obs = res, sla.Observe(res, m.budget)
	if m.obs.Missing != "" {
		return false, fmt.Errorf("%s: %s is unknown: %s\n%s", m.name, m.what, m.obs.Missing, sla.DescribeRun(res))
	}
	if m.obs.Samples < m.obs.Needed {
		return false, fmt.Errorf("%s: %s is inconclusive: %d samples, at least %d needed (run longer or at a higher rate)\n%s",
			m.name, m.what, m.obs.Samples, m.obs.Needed, sla.DescribeRun(res))
	}
	return m.inner.Match(m.value(m.obs.Value))
}

func (m *figureMatcher) FailureMessage(any) string {
	return m.message(m.inner.FailureMessage(m.value(m.obs.Value)))
}

func (m *figureMatcher) NegatedFailureMessage(any) string {
	return m.message(m.inner.NegatedFailureMessage(m.value(m.obs.Value)))
}

func (m *figureMatcher) message(inner string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s was %s (%d samples", m.what, m.budget.Kind.Format(m.obs.Value), m.obs.Samples)
	if m.obs.HaveBounds {
		fmt.Fprintf(&b, ", 95%% CI %s–%s", m.budget.Kind.Format(m.obs.Lower), m.budget.Kind.Format(m.obs.Upper))
	}
	b.WriteString(")\n")
	for _, n := range m.obs.Notes {
		fmt.Fprintf(&b, "note: %s\n", n)
	}
	b.WriteString(inner)
	b.WriteString("\n")
	b.WriteString(sla.DescribeRun(m.res))
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
	b := sla.Budget{Kind: sla.Latency, Percentile: percentile, Metric: "p" + sla.FormatPercentile(percentile)}
	return &figureMatcher{name: "HaveLatencyPercentile", what: "latency " + b.Metric, budget: b, inner: m, value: asDuration}
}

// HaveMaxLatency matches a result whose largest latency satisfies m.
func HaveMaxLatency(m types.GomegaMatcher) types.GomegaMatcher {
	b := sla.Budget{Kind: sla.Latency, Percentile: 100, Metric: "max"}
	return &figureMatcher{name: "HaveMaxLatency", what: "latency max", budget: b, inner: m, value: asDuration}
}

// HaveErrorRate matches a result whose error rate (a 0–1 share of completed
// requests, every class) satisfies m, a matcher of float64:
//
//	Expect(res).To(HaveErrorRate(BeNumerically("<", 0.001)))
func HaveErrorRate(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveErrorRate", what: "error rate", budget: sla.Budget{Kind: sla.ErrorRate}, inner: m, value: asFloat}
}

// HaveErrorClassRate is HaveErrorRate for one error class or family
// ("http.5xx", "contract", "transport").
func HaveErrorClassRate(class loadrunner.Class, m types.GomegaMatcher) types.GomegaMatcher {
	b := sla.Budget{Kind: sla.ErrorRate, Class: class}
	return &figureMatcher{name: "HaveErrorClassRate", what: "rate of " + string(class) + " errors", budget: b, inner: m, value: asFloat}
}

// HaveThroughput matches a result whose completed requests per second
// satisfy m, a matcher of float64.
func HaveThroughput(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveThroughput", what: "throughput (req/s)", budget: sla.Budget{Kind: sla.Throughput}, inner: m, value: asFloat}
}

// HaveDeliveredPlannedLoad matches a result whose delivered share of the
// planned sends (0–1) satisfies m:
//
//	Expect(res).To(HaveDeliveredPlannedLoad(BeNumerically(">=", 0.99)))
func HaveDeliveredPlannedLoad(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveDeliveredPlannedLoad", what: "delivered share of planned sends", budget: sla.Budget{Kind: sla.Delivered}, inner: m, value: asFloat}
}

// HaveGCPause matches a result whose longest service GC pause in the window
// satisfies m, a matcher of time.Duration. The run needs a GC source.
func HaveGCPause(m types.GomegaMatcher) types.GomegaMatcher {
	b := sla.Budget{Kind: sla.GCPause, Percentile: 100, Metric: "gc.max"}
	return &figureMatcher{name: "HaveGCPause", what: "service GC pause max", budget: b, inner: m, value: asDuration}
}

// HaveGCPausePercentile matches a result whose service GC pause percentile
// satisfies m, a matcher of time.Duration.
func HaveGCPausePercentile(percentile float64, m types.GomegaMatcher) types.GomegaMatcher {
	b := sla.Budget{Kind: sla.GCPause, Percentile: percentile, Metric: "gc.p" + sla.FormatPercentile(percentile)}
	return &figureMatcher{name: "HaveGCPausePercentile", what: "service GC pause " + b.Metric[3:], budget: b, inner: m, value: asDuration}
}

// HaveGCPauseShare matches a result whose share of the window (0–1) spent in
// service GC pauses satisfies m.
func HaveGCPauseShare(m types.GomegaMatcher) types.GomegaMatcher {
	return &figureMatcher{name: "HaveGCPauseShare", what: "service GC pause share", budget: sla.Budget{Kind: sla.GCShare}, inner: m, value: asFloat}
}

// slaMatcher judges a whole sla.SLA.
type slaMatcher struct {
	want   sla.SLA
	err    error
	res    *loadrunner.Result
	result sla.Evaluation
}

// MeetSLA matches a result that meets every budget of sla, given as text in
// the sla.SLA grammar or as a parsed SLA:
//
//	Expect(res).To(MeetSLA("p99<150ms, p99.9<400ms, errors<0.1%"))
//
// A budget that is inconclusive (too few samples, no GC source), a run that
// delivered less than DefaultMinDelivered of its planned load, and a partial
// run all fail it with the reason.
func MeetSLA(budget any) types.GomegaMatcher {
	m := &slaMatcher{}
	switch s := budget.(type) {
	case string:
		m.want, m.err = sla.Parse(s)
	case sla.SLA:
		m.want = s
	default:
		m.err = fmt.Errorf("MeetSLA expects SLA text or an sla.SLA, got %T", budget)
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
	m.res, m.result = res, sla.Evaluate(res, m.want)
	if m.result.Status == sla.Inconclusive {
		return false, errors.New(sla.Explain(res, m.result))
	}
	return m.result.Status == sla.Passed, nil
}

func (m *slaMatcher) FailureMessage(any) string { return sla.Explain(m.res, m.result) }

func (m *slaMatcher) NegatedFailureMessage(any) string {
	return "expected the run not to meet the sla.SLA, but it did\n" + sla.Explain(m.res, m.result)
}
