package matchers

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"
	"github.com/slaspec/slaspec/loadrunner"
)

// WriteCapacity writes a capacity search for a person: the capacity and the
// knee, then one row per step ordered by rate (offered rate, status, p99
// latency, error rate, delivered share of the planned sends, whether the
// generator saturated, and why a step did not pass), then the notes.
// HaveCapacity, the CLI and the Ginkgo helper print it.
func WriteCapacity(w io.Writer, c *Capacity) {
	if c == nil {
		fmt.Fprintln(w, "capacity: (no search)")
		return
	}
	fmt.Fprintf(w, "%s: knee %s\n", CapacityHeadline(c), c.Knee)
	fmt.Fprintf(w, "  SLA %s; %s search over %s–%s req/s, %d steps run\n", c.SLA, c.Search, trimFloat(c.Min), trimFloat(c.Max), len(c.Steps))
	fmt.Fprintf(w, "  %9s  %-12s  %8s  %8s  %9s  %-9s  %s\n", "rate", "status", "p99", "errors", "delivered", "saturated", "why")
	for _, s := range c.StepsByRate() {
		p99, errs, delivered := "-", "-", "-"
		if r := s.Result; r != nil {
			if r.Latency != nil && r.Latency.Count() > 0 {
				p99 = fmtDur(r.Latency.Percentile(loadrunner.P99))
			}
			errs = formatObserved(ErrorRate, r.ErrorRate())
			delivered = formatObserved(Delivered, r.Delivered())
		}
		sat := "no"
		if s.GeneratorSaturated {
			sat = "yes"
		}
		fmt.Fprintf(w, "  %9s  %-12s  %8s  %8s  %9s  %-9s  %s\n", trimFloat(s.Rate), strings.ToUpper(string(s.Status)), p99, errs, delivered, sat, s.Why())
	}
	for _, n := range c.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
}

// CapacityHeadline is the capacity in a few words: "capacity 200 req/s",
// "capacity at least 200 req/s (generator bound)", "capacity: none found".
func CapacityHeadline(c *Capacity) string {
	switch {
	case c.Status != Passed:
		return "capacity: none found (" + string(c.Status) + ")"
	case c.GeneratorBound || c.Partial:
		reason := "generator bound"
		if !c.GeneratorBound {
			reason = "interrupted"
		}
		return fmt.Sprintf("capacity at least %s req/s (%s)", trimFloat(c.CapacityRPS), reason)
	}
	return fmt.Sprintf("capacity %s req/s", trimFloat(c.CapacityRPS))
}

// Why says why a step did not pass: its budgets that did not pass, with the
// observed figures, and its note; "" for a step that passed.
func (s CapacityStep) Why() string {
	if s.Status == Passed {
		return ""
	}
	var parts []string
	for _, v := range s.Verdicts {
		if v.Status != Passed {
			parts = append(parts, fmt.Sprintf("%s %s (observed %s)", v.Budget, v.Status, v.Observed))
		}
	}
	if s.Note != "" {
		parts = append(parts, s.Note)
	}
	if s.Result != nil && s.Result.Partial && s.Result.Aborted == "" {
		parts = append(parts, "partial: "+orDash(s.Result.PartialReason))
	}
	return strings.Join(parts, "; ")
}

// capacityMatcher runs a capacity search on a target and matches its capacity.
type capacityMatcher struct {
	ctx   context.Context
	inner types.GomegaMatcher
	sla   SLA
	err   error
	plan  CapacityPlan
	opts  []loadrunner.Option
	found *Capacity
}

// HaveCapacity runs a capacity search (FindCapacity) against the actual
// loadrunner.Target and matches its capacity — the highest offered rate in
// req/s whose step met sla — against m, a matcher of float64. The search
// runs under ctx (pass the spec's context so an interrupt stops the load),
// which is why ctx is the first argument rather than hidden in an option:
//
//	It("takes 800 req/s within its SLA", func(ctx SpecContext) {
//		Expect(loadrunner.HTTP(url)).To(HaveCapacity(ctx, BeNumerically(">=", 800), "p99<100ms, errors<0.1%",
//			CapacityPlan{Min: 200, Max: 1600, Steps: 8, StepDuration: 10 * time.Second}))
//	}, SpecTimeout(10*time.Minute))
//
// When the search cannot tell — the generator saturated before the service
// broke the SLA, the lowest rate was inconclusive, the search was
// interrupted — the capacity it shows is only a lower bound: if m matches
// that bound the match holds (m should then hold for every higher capacity,
// as ">=" does), otherwise Match returns an error, so neither To nor ToNot
// passes on a limit that may be the generator's. Failure messages carry the
// step table.
func HaveCapacity(ctx context.Context, m types.GomegaMatcher, sla string, cp CapacityPlan, opts ...loadrunner.Option) types.GomegaMatcher {
	cm := &capacityMatcher{ctx: ctx, inner: m, plan: cp, opts: opts}
	cm.sla, cm.err = Parse(sla)
	switch {
	case ctx == nil:
		cm.err = errors.New("HaveCapacity: ctx is nil: pass the spec's context")
	case m == nil:
		cm.err = errors.New("HaveCapacity: the capacity matcher is nil")
	}
	return cm
}

func (m *capacityMatcher) Match(actual any) (bool, error) {
	if m.err != nil {
		return false, m.err
	}
	target, ok := actual.(loadrunner.Target)
	if !ok || target == nil {
		return false, fmt.Errorf("HaveCapacity expects a loadrunner.Target, got %s", format.Object(actual, 1))
	}
	c, err := FindCapacity(m.ctx, target, m.sla, m.plan, m.opts...)
	if err != nil {
		return false, fmt.Errorf("HaveCapacity: %w", err)
	}
	m.found = c
	ok, err = m.inner.Match(c.CapacityRPS)
	if err != nil {
		return false, fmt.Errorf("HaveCapacity: %w", err)
	}
	if !ok && (c.Status == Inconclusive || c.GeneratorBound || c.Partial) {
		return false, fmt.Errorf("HaveCapacity: the search cannot tell the service's capacity, only a lower bound\n%s", m.table())
	}
	return ok, nil
}

func (m *capacityMatcher) FailureMessage(any) string {
	return m.message(m.inner.FailureMessage(m.capacity()))
}

func (m *capacityMatcher) NegatedFailureMessage(any) string {
	return m.message(m.inner.NegatedFailureMessage(m.capacity()))
}

func (m *capacityMatcher) capacity() float64 {
	if m.found == nil {
		return 0
	}
	return m.found.CapacityRPS
}

func (m *capacityMatcher) message(inner string) string {
	return "capacity (the highest offered req/s whose step met the SLA):\n" + inner + "\n" + m.table()
}

func (m *capacityMatcher) table() string {
	var b strings.Builder
	WriteCapacity(&b, m.found)
	return b.String()
}
