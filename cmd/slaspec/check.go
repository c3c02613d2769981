package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

func init() {
	register("check", "judge saved JSON results or reports against an SLA (exit 0 pass, 1 fail, 3 inconclusive)", check)
}

func check(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("check", "[-sla SLA] result-or-report.json... (several are merged first)", stderr)
	slaText := fs.String("sla", "", "the SLA, e.g. \"p99<150ms, errors<0.1%\" (default: each report entry's own SLA, else "+sla.ServiceErrorBudgets+")")
	asJSON := fs.Bool("json", false, "print the evaluation as JSON instead of text")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	var given sla.SLA
	if *slaText != "" {
		var err error
		if given, err = sla.Parse(*slaText); err != nil {
			fmt.Fprintf(stderr, "slaspec check: -sla: %s\n", errorText(err))
			return exitUsage
		}
	}
	doc, err := readDocuments(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "slaspec check: %s\n", errorText(err))
		return exitUsage
	}
	worst := sla.Passed
	var evals []sla.Evaluation
	for i, e := range doc.Operations {
		ev := sla.Evaluate(e.Result, slaOf(e, given))
		evals = append(evals, ev)
		worst = sla.Worse(worst, ev.Status)
		if !*asJSON {
			if len(doc.Operations) > 1 {
				fmt.Fprintf(stdout, "%s%s\n", map[bool]string{true: "\n"}[i > 0], e.Name)
			}
			fmt.Fprint(stdout, sla.Explain(e.Result, ev))
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(evals); err != nil {
			fmt.Fprintf(stderr, "slaspec check: %s\n", errorText(err))
			return exitFail
		}
	}
	return exitCode(worst)
}

// slaOf is the SLA to judge an entry by: the one given, else its own,
// else the service error budgets (a run of failed requests is not a pass).
func slaOf(e report.Entry, given sla.SLA) sla.SLA {
	switch {
	case !given.IsZero():
		return given
	case !e.SLA.IsZero():
		return e.SLA
	}
	return sla.WithServiceErrors(sla.SLA{})
}
