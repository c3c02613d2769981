package sla

import (
	"fmt"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// AbortWhenLost returns a run option that stops the run as soon as a budget
// marked with "!" can no longer pass: "errors<1%!" once the errors exceed 1%
// of every send the whole measured window plans (even if every remaining
// request succeeded the rate would stay above it), "max<2s!" once one
// request took 2s. The result is marked partial and its Aborted field names
// the budget, and Evaluate fails it. Without such budgets the option does
// nothing.
func AbortWhenLost(sla SLA) loadrunner.Option {
	var marked []Budget
	for _, b := range sla.Budgets {
		if b.Abort {
			marked = append(marked, b)
		}
	}
	return loadrunner.WithProgress(func(p loadrunner.Progress) error {
		if p.Warmup {
			return nil
		}
		for _, b := range marked {
			if reason := lost(b, p); reason != "" {
				return fmt.Errorf("budget %s can no longer pass: %s", b, reason)
			}
		}
		return nil
	})
}

// lost says why b can no longer pass given the progress so far, or "".
func lost(b Budget, p loadrunner.Progress) string {
	switch b.Kind {
	case ErrorRate:
		if p.Total == 0 {
			return ""
		}
		// The final rate is at least Errors/Total whatever happens next.
		if floor := float64(p.Errors) / float64(p.Total); !holds(b.Op, floor, b.Limit) {
			return fmt.Sprintf("%d errors already, %s of the %d planned sends", p.Errors, ErrorRate.Format(floor), p.Total)
		}
	case Latency:
		if !holds(b.Op, float64(p.Max), b.Limit) {
			return fmt.Sprintf("a request took %s", fmtDur(time.Duration(p.Max)))
		}
	}
	return ""
}
