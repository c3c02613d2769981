package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/slaspec/slaspec/ginkgo-plugin/report"
	"github.com/slaspec/slaspec/matchers"
)

func init() {
	register("check", "judge saved JSON results or reports against an SLA (exit 0 pass, 1 fail, 3 inconclusive)", check)
}

func check(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slaspec check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	slaText := fs.String("sla", "", "the SLA, e.g. \"p99<150ms, errors<0.1%\" (default: each report entry's own SLA)")
	asJSON := fs.Bool("json", false, "print the evaluation as JSON instead of text")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: slaspec check [-sla SLA] result-or-report.json... (several are merged first)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	var given *matchers.SLA
	if *slaText != "" {
		sla, err := matchers.Parse(*slaText)
		if err != nil {
			fmt.Fprintf(stderr, "slaspec check: -sla: %v\n", err)
			return exitUsage
		}
		given = &sla
	}
	doc, err := readDocuments(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "slaspec check: %v\n", err)
		return exitUsage
	}
	worst := matchers.Passed
	var evals []matchers.Evaluation
	for i, e := range doc.Operations {
		sla, err := slaOf(e, given)
		if err != nil {
			fmt.Fprintf(stderr, "slaspec check: %v\n", err)
			return exitUsage
		}
		ev := matchers.Evaluate(e.Result, sla)
		evals = append(evals, ev)
		if rank(ev.Status) > rank(worst) {
			worst = ev.Status
		}
		if !*asJSON {
			if len(doc.Operations) > 1 {
				fmt.Fprintf(stdout, "%s%s\n", map[bool]string{true: "\n"}[i > 0], e.Name)
			}
			fmt.Fprint(stdout, matchers.Explain(e.Result, ev))
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(evals); err != nil {
			fmt.Fprintf(stderr, "slaspec check: %v\n", err)
			return exitFail
		}
	}
	return exitCode(worst)
}

// slaOf is the SLA to judge an entry by: the one given, else its own.
func slaOf(e report.Entry, given *matchers.SLA) (matchers.SLA, error) {
	if given != nil {
		return *given, nil
	}
	if e.SLA == "" {
		return matchers.SLA{}, fmt.Errorf("%s has no SLA of its own: give one with -sla", e.Name)
	}
	sla, err := matchers.Parse(e.SLA)
	if err != nil {
		return matchers.SLA{}, fmt.Errorf("%s: %w", e.Name, err)
	}
	return sla, nil
}
