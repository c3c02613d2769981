package capacity

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// Write writes a capacity search for a person: the capacity and the
// knee, then one row per step ordered by rate (offered rate, status, p99
// latency, error rate, delivered share of the planned sends, whether the
// generator saturated, and why a step did not pass), then the notes.
// HaveCapacity, the CLI and the Ginkgo helper print it.
func Write(w io.Writer, c *Result) {
	if c == nil {
		fmt.Fprintln(w, "capacity: (no search)")
		return
	}
	fmt.Fprintf(w, "%s: knee %s\n", Headline(c), c.Knee)
	fmt.Fprintf(w, "  SLA %s; %s search over %s–%s req/s%s, %d steps run\n", c.SLA, c.Search, sla.FormatNumber(c.Min), sla.FormatNumber(c.Max), resolution(c), len(c.Steps))
	fmt.Fprintf(w, "  %9s  %-12s  %8s  %8s  %9s  %-9s  %s\n", "rate", "status", "p99", "errors", "delivered", "saturated", "why")
	for _, s := range c.StepsByRate() {
		p99, errs, delivered := "-", "-", "-"
		if r := s.Result; r != nil {
			if r.Latency != nil && r.Latency.Count() > 0 {
				p99 = sla.FormatDuration(r.Latency.Percentile(loadrunner.P99))
			}
			errs = sla.ErrorRate.Format(r.ErrorRate())
			delivered = sla.Delivered.Format(r.Delivered())
		}
		sat := "no"
		if s.GeneratorSaturated {
			sat = "yes"
		}
		fmt.Fprintf(w, "  %9s  %-12s  %8s  %8s  %9s  %-9s  %s\n", sla.FormatNumber(s.Rate), strings.ToUpper(string(s.Status)), p99, errs, delivered, sat, s.Why())
	}
	for _, n := range c.Notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	if b := c.ServiceAtBound(); b != nil {
		fmt.Fprintf(w, "  %s:\n", BoundingHeading(b))
		sla.WriteService(w, b.Result)
	}
}

// BoundingHeading heads what the step bounding a capacity read of the
// service (Result.ServiceAtBound): "the service at 1500 req/s, the step
// that broke the SLA" (or "that could not tell", when inconclusive).
func BoundingHeading(s *Step) string {
	did := "could not tell"
	if s.Status == sla.Failed {
		did = "broke the SLA"
	}
	return fmt.Sprintf("the service at %s req/s, the step that %s", sla.FormatNumber(s.Rate), did)
}

// Headline is the capacity in a few words: "capacity 200 req/s",
// "capacity at least 200 req/s (lower bound)", "capacity: none found".
func Headline(c *Result) string {
	switch {
	case c.Status != sla.Passed:
		return "capacity: none found (" + string(c.Status) + ")"
	case c.GeneratorBound || c.Partial:
		reason := "lower bound"
		if !c.GeneratorBound {
			reason = "interrupted"
		}
		return fmt.Sprintf("capacity at least %s req/s (%s)", sla.FormatNumber(c.CapacityRPS), reason)
	}
	return fmt.Sprintf("capacity %s req/s", sla.FormatNumber(c.CapacityRPS))
}

// Why says why a step did not pass: its budgets that did not pass, with the
// observed figures, and its note; "" for a step that passed.
func (s Step) Why() string {
	if s.Status == sla.Passed {
		return ""
	}
	var parts []string
	for _, v := range s.Verdicts {
		if v.Status != sla.Passed {
			parts = append(parts, fmt.Sprintf("%s %s (observed %s)", v.Budget, v.Status, v.Observed))
		}
	}
	if s.Note != "" {
		parts = append(parts, s.Note)
	}
	if s.Result != nil && s.Result.Partial && s.Result.Aborted == "" {
		parts = append(parts, "partial: "+cmp.Or(s.Result.PartialReason, "-"))
	}
	return strings.Join(parts, "; ")
}

// resolution is " to 5%" for a search that bisected to 5%, "" when unknown.
func resolution(c *Result) string {
	if c.Resolution <= 0 {
		return ""
	}
	return " to " + sla.FormatNumber(100*c.Resolution) + "%"
}

// LowerBound says why a generator-bound capacity is only a lower bound of
// the service's, naming what held the step above it back (the load
// generator, or the in-flight bound); "" when the capacity is not
// generator-bound.
func (c *Result) LowerBound() string {
	if !c.GeneratorBound {
		return ""
	}
	what := "the load generator saturated"
	if _, bound := bracket(c.Steps); bound != nil {
		what = bound.stall()
	}
	return what + " before the service broke the SLA: the capacity shown is a lower bound of the service's, not its limit"
}
