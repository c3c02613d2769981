package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

func init() {
	register("check", "judge saved JSON results against an SLA (exit 0 pass, 1 fail, 3 inconclusive)", check)
}

// maxResultFile bounds a result file read from disk.
const maxResultFile = 256 << 20

func check(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("slaspec check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	slaText := fs.String("sla", "", "the SLA, e.g. \"p99<150ms, errors<0.1%\" (required)")
	asJSON := fs.Bool("json", false, "print the evaluation as JSON instead of text")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: slaspec check -sla SLA result.json...")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *slaText == "" || fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	sla, err := matchers.Parse(*slaText)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec check: -sla: %v\n", err)
		return exitUsage
	}
	res, err := loadResults(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "slaspec check: %v\n", err)
		return exitUsage
	}
	ev := matchers.Evaluate(res, sla)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(ev); err != nil {
			fmt.Fprintf(stderr, "slaspec check: %v\n", err)
			return exitFail
		}
	} else {
		fmt.Fprint(stdout, matchers.Explain(res, ev))
	}
	return exitCode(ev.Status)
}

// loadResults reads result files and merges them into one (exactly, as one
// run over all their samples would be).
func loadResults(paths []string) (*loadrunner.Result, error) {
	var results []*loadrunner.Result
	for _, p := range paths {
		b, err := readBounded(p, maxResultFile)
		if err != nil {
			return nil, err
		}
		var r loadrunner.Result
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		results = append(results, &r)
	}
	if len(results) == 1 {
		return results[0], nil
	}
	merged, err := loadrunner.Merge(results...)
	if err != nil {
		return nil, fmt.Errorf("merge %d results: %w", len(results), err)
	}
	return merged, nil
}
