package sla

import "github.com/slaspec/slaspec/loadrunner"

// ServiceErrorBudgets is the text of the error budgets WithServiceErrors
// adds: failures that are the service's — transport failures (refused,
// reset, timeout, DNS), 5xx answers and contract violations. A documented
// 4xx (a 404 for an id that does not exist) is not among them: it is the
// contract working, and response coverage judges whether the success path
// was exercised.
const ServiceErrorBudgets = "errors.transport<1%, errors.5xx<1%, errors.contract==0"

// WithServiceErrors returns s with each budget of ServiceErrorBudgets added
// that s does not already bound: a budget on the same class, on a family
// holding it, or (for transport and 5xx) on all errors bounds it. Every
// default SLA of slaspec (the CLI's, x-sla's without errors,
// DescribeContract's, `slaspec check` without -sla) goes through it, so a
// failed request is never evidence of health.
func WithServiceErrors(s SLA) SLA {
	out := SLA{Budgets: append([]Budget(nil), s.Budgets...)}
	for _, b := range MustParse(ServiceErrorBudgets).Budgets {
		if !s.bounds(b.Class) {
			out.Budgets = append(out.Budgets, b)
		}
	}
	return out
}

// bounds reports whether s holds a whole-window error budget counting every
// error of class c.
func (s SLA) bounds(c loadrunner.Class) bool {
	for _, b := range s.Of(ErrorRate) {
		if b.Window > 0 {
			continue
		}
		if c.In(b.Class) || b.Class == "" && c != loadrunner.ClassContract {
			return true
		}
	}
	return false
}
