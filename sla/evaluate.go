package sla

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// Status is the outcome of one budget or of a whole SLA.
type Status string

// The statuses a verdict can have.
const (
	Passed Status = "pass"
	Failed Status = "fail"
	// Inconclusive means the run cannot tell: too few samples for the
	// percentile, no GC source attached, a partial run. It is never a pass.
	Inconclusive Status = "inconclusive"
)

// DefaultMinDelivered is the share of planned sends an open-model run must
// deliver for its latency figures to be trusted. Evaluate adds the implicit
// budget "rate>=95%" to an SLA that has no rate budget of its own; write a
// rate budget to change it.
const DefaultMinDelivered = 0.95

// Verdict is the evaluation of one budget against one result.
type Verdict struct {
	// Budget is the budget's canonical text.
	Budget string `json:"budget"`
	Status Status `json:"status"`
	// Observed is the measured figure, human-readable ("182ms", "0.31%").
	Observed string `json:"observed"`
	// Value and Limit are the measured figure and the bound in the budget's
	// base unit (nanoseconds, a 0–1 share, req/s, cycles, bytes).
	Value float64 `json:"value"`
	Limit float64 `json:"limit"`
	// Margin is the relative headroom: above 0 the budget holds with that
	// share to spare, below 0 it is exceeded by that share of its limit.
	Margin float64 `json:"margin"`
	// Samples is how many samples the figure rests on; Needed, when more
	// than Samples, is how many a conclusive verdict needs.
	Samples uint64 `json:"samples"`
	Needed  uint64 `json:"needed,omitempty"`
	// Lower and Upper bound the percentile with 95% confidence, when the
	// sample count allows (distribution-free, from order statistics).
	Lower string `json:"ci_lower,omitempty"`
	Upper string `json:"ci_upper,omitempty"`
	// Detail explains the verdict: by how much it failed, the worst window,
	// why it is inconclusive, what the figure's precision is.
	Detail string `json:"detail,omitempty"`
	// Implicit marks a budget Evaluate added (the delivered-load check).
	Implicit bool `json:"implicit,omitempty"`
}

// Evaluation is the evaluation of a whole SLA.
type Evaluation struct {
	// SLA is the SLA evaluated (canonical text in JSON).
	SLA SLA `json:"sla"`
	// Status is Failed when a verdict failed, else Inconclusive when one was
	// inconclusive (or the run was partial, or its generator saturated),
	// else Passed.
	Status   Status    `json:"status"`
	Verdicts []Verdict `json:"verdicts"`
	// Notes are facts about the run that bear on every verdict.
	Notes []string `json:"notes,omitempty"`
}

// Failing returns the verdicts that did not pass.
func (e Evaluation) Failing() []Verdict {
	var out []Verdict
	for _, v := range e.Verdicts {
		if v.Status != Passed {
			out = append(out, v)
		}
	}
	return out
}

// NeededSamples is the rule for a conclusive percentile: at least
// 10/(1−q) samples, so that ten samples lie above the percentile (p99 needs
// 1,000, p99.9 10,000, p50 20). Max and mean need one sample.
func NeededSamples(percentile float64) uint64 {
	if percentile >= 100 || percentile <= 0 {
		return 1
	}
	return uint64(math.Ceil(math.Round(1e6*10/(1-percentile/100)) / 1e6))
}

// Evaluate judges res against every budget of sla. A nil result makes every
// verdict inconclusive. Beyond the budgets, three rules keep a verdict about
// the service: a run whose generator was saturated (it could not keep its
// schedule for reasons of its own) is inconclusive, never a pass or a fail;
// a latency budget of a run that dropped planned sends can fail but not
// pass; and a run in which requests completed but none succeeded fails,
// naming the dominant error class (the implicit verdict NoSuccessBudget).
func Evaluate(res *loadrunner.Result, sla SLA) Evaluation {
	ev := Evaluation{SLA: sla, Status: Passed}
	budgets := sla.Budgets
	implicit := res != nil && res.Plan.Concurrency == 0 && !sla.Has(Delivered)
	if implicit {
		budgets = append(budgets[:len(budgets):len(budgets)], Budget{Metric: "rate", Kind: Delivered, Op: OpGreaterEqual, Limit: DefaultMinDelivered})
	}
	for i, b := range budgets {
		v := evaluate(res, b)
		v.Implicit = implicit && i == len(budgets)-1
		if v.Implicit && v.Status == Failed {
			v.Detail += "; the run did not deliver its planned load, so its latency figures are not trustworthy"
		}
		ev.Verdicts = append(ev.Verdicts, v)
		ev.Status = Worse(ev.Status, v.Status)
	}
	if res == nil {
		return ev
	}
	if res.Aborted != "" {
		ev.Notes = append(ev.Notes, "the run was aborted early: "+res.Aborted)
		ev.Status = Worse(ev.Status, Failed)
	} else if res.Partial {
		ev.Notes = append(ev.Notes, "the run was partial ("+orDash(res.PartialReason)+"): a pass would not be conclusive")
		ev.Status = Worse(ev.Status, Inconclusive)
	}
	if res.ServiceBacklogged {
		ev.Notes = append(ev.Notes, "the service backlogged (a measurement of the service: verdicts stand): "+strings.Join(res.Backlog, "; "))
	}
	ev = judgeGenerator(res, ev)
	ev = judgeDropped(res, ev)
	ev = judgeGeneratorLag(res, ev)
	return judgeNoSuccess(res, ev)
}

// judgeGenerator makes every verdict inconclusive when the generator could
// not keep its schedule for reasons of its own: the figures then measure
// slaspec, not the service, and are neither a pass nor a fail.
func judgeGenerator(res *loadrunner.Result, ev Evaluation) Evaluation {
	if !res.GeneratorSaturated {
		return ev
	}
	why := "the load generator could not keep its schedule (" + orDash(strings.Join(res.Saturation, "; ")) +
		"): lower the rate, raise GOMAXPROCS, or shard the load over more generators"
	ev.Notes = append(ev.Notes, why)
	ev.Status = Inconclusive
	for i := range ev.Verdicts {
		if ev.Verdicts[i].Status != Inconclusive {
			ev.Verdicts[i].Status = Inconclusive
			ev.Verdicts[i].Detail = joinDetail(ev.Verdicts[i].Detail, "not judged: the generator was saturated")
		}
	}
	return ev
}

// judgeDropped keeps a latency budget from passing when planned sends were
// dropped: the distribution then lacks its worst samples, so it can show a
// failure but not a pass.
func judgeDropped(res *loadrunner.Result, ev Evaluation) Evaluation {
	if res.Dropped == 0 {
		return ev
	}
	for i, v := range ev.Verdicts {
		if v.Status != Passed || !isLatency(ev.SLA, v.Budget) {
			continue
		}
		ev.Verdicts[i].Status = Inconclusive
		ev.Verdicts[i].Detail = joinDetail(v.Detail, fmt.Sprintf("%d planned sends were dropped (their latency is unknown and would be the worst): the figure can fail but not pass", res.Dropped))
		ev.Status = Worse(ev.Status, Inconclusive)
	}
	return ev
}

// judgeGeneratorLag keeps a latency budget from failing on the generator's
// own lag: below the saturation bounds (the scheduling noise of a busy
// machine) that lag only adds to latencies, so a pass stands, but a
// failure by less than the longest generator lag could be the generator's
// and is inconclusive.
func judgeGeneratorLag(res *loadrunner.Result, ev Evaluation) Evaluation {
	lag := res.GeneratorLag
	if lag == nil || lag.Max() <= 0 {
		return ev
	}
	changed := false
	for i, v := range ev.Verdicts {
		b, ok := latencyBudget(ev.SLA, v.Budget)
		if v.Status != Failed || !ok || !upper(b.Op) || !holds(b.Op, v.Value-float64(lag.Max()), b.Limit) {
			continue
		}
		changed = true
		ev.Verdicts[i].Status = Inconclusive
		ev.Verdicts[i].Detail = joinDetail(v.Detail, fmt.Sprintf("the generator's own send lag (up to %s, p99 %s: a busy machine) could account for the excess; a quieter machine, a lower rate or more GOMAXPROCS would tell",
			FormatDuration(lag.Max()), FormatDuration(lag.Percentile(loadrunner.P99))))
	}
	if changed && res.Aborted == "" && !anyFailed(ev.Verdicts) {
		ev.Status = Inconclusive
	}
	return ev
}

// latencyBudget returns the latency budget of s whose text is budget.
func latencyBudget(s SLA, budget string) (Budget, bool) {
	for _, b := range s.Of(Latency) {
		if b.String() == budget {
			return b, true
		}
	}
	return Budget{}, false
}

// anyFailed reports whether a verdict failed.
func anyFailed(vs []Verdict) bool {
	for _, v := range vs {
		if v.Status == Failed {
			return true
		}
	}
	return false
}

// isLatency reports whether the budget text names a latency budget of s.
func isLatency(s SLA, budget string) bool {
	_, ok := latencyBudget(s, budget)
	return ok
}

// NoSuccessBudget is the text of the implicit verdict Evaluate adds when no
// request of a run succeeded: such a run fails whatever its budget says.
const NoSuccessBudget = "some request succeeded"

// judgeNoSuccess fails a run in which requests completed but none
// succeeded, naming the dominant error class and an example.
func judgeNoSuccess(res *loadrunner.Result, ev Evaluation) Evaluation {
	if res.Requests == 0 || res.Errors.Total < res.Requests {
		return ev
	}
	var top loadrunner.Class
	for c, n := range res.Errors.ByClass {
		if n > res.Errors.ByClass[top] || n == res.Errors.ByClass[top] && c < top {
			top = c
		}
	}
	detail := fmt.Sprintf("%s %d of %d", top, res.Errors.ByClass[top], res.Requests)
	if ex := res.Errors.Examples[top]; len(ex) > 0 {
		detail += ": " + ex[0]
	}
	switch {
	case top == loadrunner.ClassTLS:
		detail += " — does the client trust the service's certificate authority, have the client certificate it asks for, and speak its protocol?"
	case top.In(loadrunner.FamilyTransport):
		detail += fmt.Sprintf(" — is the service running and reachable at %s?", orDash(res.Target))
	}
	ev.Verdicts = append(ev.Verdicts, Verdict{Budget: NoSuccessBudget, Status: Failed, Observed: "0 of " + FormatNumber(float64(res.Requests)),
		Samples: res.Requests, Detail: detail, Implicit: true})
	ev.Status = Failed
	return ev
}

// joinDetail appends more to a verdict's detail.
func joinDetail(detail, more string) string {
	if detail == "" {
		return more
	}
	return detail + "; " + more
}

// Worse returns the worse of two statuses: Failed over Inconclusive over
// Passed (and over no status at all, "").
func Worse(a, b Status) Status {
	if rank(b) > rank(a) {
		return b
	}
	return a
}

func rank(s Status) int {
	switch s {
	case Failed:
		return 2
	case Inconclusive:
		return 1
	}
	return 0
}

// Observation is one measured figure of a result and what it rests on.
type Observation struct {
	// Value is the figure in its budget kind's unit (nanoseconds for
	// durations, a 0–1 share for rates, req/s, bytes).
	Value float64
	// Samples is how many samples the figure rests on; Needed how many a
	// conclusive figure needs.
	Samples, Needed uint64
	// Lower and Upper bound the figure (a 95 % confidence interval for a
	// percentile) when HaveBounds.
	Lower, Upper float64
	HaveBounds   bool
	// Missing says why there is no figure at all ("" when there is one).
	Missing string
	// Notes are facts the figure's reader needs (bucketed sources, models).
	Notes []string
}

// Observe measures b's metric over res's whole measured window (its Op,
// Limit and Window are not used). The matchers read single figures with it.
func Observe(res *loadrunner.Result, b Budget) Observation { return observe(res, b) }

func evaluate(res *loadrunner.Result, b Budget) Verdict {
	v := Verdict{Budget: b.String(), Limit: b.Limit}
	if res == nil {
		v.Status, v.Observed, v.Detail = Inconclusive, "-", "no result"
		return v
	}
	if b.Window > 0 {
		return evaluateWindows(res, b, v)
	}
	return judge(b, v, observe(res, b))
}

// judge turns an Observation into a verdict.
func judge(b Budget, v Verdict, o Observation) Verdict {
	v.Samples, v.Needed = o.Samples, o.Needed
	if o.Missing != "" {
		v.Status, v.Observed, v.Detail = Inconclusive, "-", o.Missing
		return v
	}
	v.Value, v.Observed = o.Value, b.Kind.Format(o.Value)
	v.Margin = margin(b, o.Value)
	if o.HaveBounds {
		v.Lower, v.Upper = b.Kind.Format(o.Lower), b.Kind.Format(o.Upper)
	}
	details := []string{}
	switch {
	case o.Samples < o.Needed:
		v.Status = Inconclusive
		details = append(details, fmt.Sprintf("too few samples: %d, a conclusive %s needs at least %d", o.Samples, b.Metric, o.Needed))
	case holds(b.Op, o.Value, b.Limit):
		v.Status = Passed
	default:
		v.Status = Failed
		details = append(details, overBy(b, o.Value))
	}
	v.Detail = strings.Join(append(details, o.Notes...), "; ")
	return v
}

func holds(op Op, v, limit float64) bool {
	switch op {
	case OpLess:
		return v < limit
	case OpLessEqual:
		return v <= limit
	case OpGreater:
		return v > limit
	case OpGreaterEqual:
		return v >= limit
	}
	return v == limit
}

func upper(op Op) bool { return op == OpLess || op == OpLessEqual || op == OpEqual }

// margin is the relative headroom of v against the budget.
func margin(b Budget, v float64) float64 {
	d := b.Limit - v
	if !upper(b.Op) {
		d = -d
	}
	if b.Op == OpEqual {
		d = -math.Abs(d)
	}
	if b.Limit == 0 {
		return d
	}
	return d / b.Limit
}

func overBy(b Budget, v float64) string {
	diff := math.Abs(v - b.Limit)
	rel := ""
	switch r := v / b.Limit; {
	case b.Limit == 0:
	case r >= 10:
		rel = fmt.Sprintf(" (observed %s× the limit)", trimFloat(r))
	default:
		rel = fmt.Sprintf(" (observed %.1f%% of the limit)", 100*r)
	}
	dir := "over"
	if !upper(b.Op) || b.Op == OpEqual && v < b.Limit {
		dir = "under"
	}
	return fmt.Sprintf("%s %s by %s%s", dir, b.Kind.Format(b.Limit), b.Kind.Format(diff), rel)
}

// Format renders v, a figure of kind k in the SLA's units (a duration,
// a percentage, req/s, bytes), as verdicts and reports show it.
func (k Kind) Format(v float64) string {
	switch k {
	case Latency, GCPause, SchedLatency:
		return fmtDur(time.Duration(math.Round(v)))
	case ErrorRate, Delivered, GCShare:
		return trimFloat(100*v) + "%"
	case Throughput:
		return trimFloat(v) + " req/s"
	case AllocPerRequest, HeapBytes:
		return humanBytes(v)
	}
	return trimFloat(v)
}

func humanBytes(v float64) string {
	switch {
	case v >= 1<<30:
		return trimFloat(v/(1<<30)) + "GiB"
	case v >= 1<<20:
		return trimFloat(v/(1<<20)) + "MiB"
	case v >= 1<<10:
		return trimFloat(v/(1<<10)) + "KiB"
	}
	return trimFloat(v) + "B"
}
