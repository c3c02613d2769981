package main

import (
	"fmt"
	"io"

	"github.com/slaspec/slaspec/contract"
)

// planShortfalls lists, before anything is sent, each selected operation's
// budgets that its planned load cannot make conclusive (for a mix, at the
// operation's share of the rate).
func planShortfalls(doc *contract.Document, ops []*contract.Operation, override, suite contract.LoadSpec, mix bool) []string {
	var out []string
	shares := map[string]float64{}
	if mix {
		plan := override.Or(doc.LoadSpec()).Or(suite)
		total := 0.0
		for _, op := range ops {
			total += weight(op.Resolve(contract.LoadSpec{}, suite))
		}
		for _, op := range ops {
			shares[op.ID] = plan.Rate * weight(op.Resolve(contract.LoadSpec{}, suite)) / total
		}
	}
	for _, op := range ops {
		spec := op.Resolve(override, suite)
		if mix {
			plan := override.Or(doc.LoadSpec()).Or(suite)
			spec.Rate, spec.Duration = shares[op.ID], plan.Duration
		}
		for _, f := range spec.Shortfalls() {
			out = append(out, fmt.Sprintf("%s (%s): %s", op, op.ID, f.Explain(true)))
		}
	}
	return out
}

func weight(s contract.LoadSpec) float64 {
	if s.Weight == 0 {
		return 1
	}
	return s.Weight
}

// refuseInconclusive prints the shortfalls and what to do; it reports
// whether the run must stop.
func refuseInconclusive(w io.Writer, cmd string, shortfalls []string, allow bool) bool {
	if len(shortfalls) == 0 {
		return false
	}
	if allow {
		for _, s := range shortfalls {
			fmt.Fprintf(w, "%s: warning: will be inconclusive: %s\n", cmd, s)
		}
		return false
	}
	fmt.Fprintf(w, "%s: the planned load cannot make these budgets conclusive, so nothing was sent (-allow-inconclusive runs anyway):\n", cmd)
	for _, s := range shortfalls {
		fmt.Fprintf(w, "  %s\n", s)
	}
	return true
}
