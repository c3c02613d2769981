package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

func init() {
	register("report", "render a JSON report (or result) as md, html, junit or json", renderReport)
	register("merge", "merge the JSON reports or results of several shards or processes into one", mergeReports)
	register("compare", "compare a run with a baseline report; exit 1 on a regression beyond the noise", compareReports)
}

// readDocuments reads and, when there are several, merges report documents.
func readDocuments(paths []string) (*report.Document, error) {
	docs := make([]*report.Document, 0, len(paths))
	for _, p := range paths {
		d, err := report.ReadDocument(p)
		if err != nil {
			return nil, err
		}
		docs = append(docs, d)
	}
	if len(docs) == 1 {
		return docs[0], nil
	}
	return report.Merge(docs...)
}

func renderReport(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("report", "[-format md|html|junit|json] [-sla SLA] report.json... > out", stderr)
	format := fs.String("format", "md", "output format: md, html, junit or json")
	sla := fs.String("sla", "", "judge every entry against this SLA instead of its own")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	doc, err := readDocuments(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "slaspec report: %s\n", errorText(err))
		return exitUsage
	}
	if err := rejudge(doc, *sla); err != nil {
		fmt.Fprintf(stderr, "slaspec report: -sla: %s\n", errorText(err))
		return exitUsage
	}
	if _, err := doc.Render(stdout, *format); err != nil {
		fmt.Fprintf(stderr, "slaspec report: %s\n", errorText(err))
		return exitUsage
	}
	return exitOK
}

// rejudge evaluates every entry against the SLA text, when given.
func rejudge(doc *report.Document, text string) error {
	if text == "" {
		return nil
	}
	want, err := sla.Parse(text)
	if err != nil {
		return err
	}
	for i := range doc.Operations {
		doc.Operations[i].Judge(want)
	}
	return nil
}

func mergeReports(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("merge", "out.json shard-0.json shard-1.json...", stderr)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() < 2 {
		fs.Usage()
		return exitUsage
	}
	out, inputs := fs.Arg(0), fs.Args()[1:]
	for _, in := range inputs {
		if in == out {
			fmt.Fprintf(stderr, "slaspec merge: the output %s is also an input\n", out)
			return exitUsage
		}
	}
	doc, err := readDocuments(inputs)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec merge: %s\n", errorText(err))
		return exitUsage
	}
	b, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		fmt.Fprintf(stderr, "slaspec merge: %s\n", errorText(err))
		return exitFail
	}
	if err := os.WriteFile(out, append(b, '\n'), 0o644); err != nil {
		fmt.Fprintf(stderr, "slaspec merge: %s\n", errorText(err))
		return exitFail
	}
	passed, failed, inconclusive := doc.Counts()
	fmt.Fprintf(stdout, "merged %s into %s: %s (%d passed, %d failed, %d inconclusive)\n",
		sla.FormatCount(len(inputs), "file"), out, sla.FormatCount(len(doc.Operations), "entry"), passed, failed, inconclusive)
	return exitOK
}

func compareReports(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("compare", "-baseline base.json [-max-regression 10%] [-min-delta 1ms] current.json...", stderr)
	baseline := fs.String("baseline", "", "the baseline report (required)")
	maxReg := fs.String("max-regression", "10%", "tolerated worsening of a figure (a percentage, or a share such as 0.1)")
	minDelta := fs.Duration("min-delta", report.DefaultThreshold.Absolute, "smallest latency change that can count as a regression (the noise floor of runs at different moments)")
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if *baseline == "" || fs.NArg() == 0 {
		fs.Usage()
		return exitUsage
	}
	threshold, err := report.ParseThreshold(*maxReg)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec compare: -max-regression %q: %v\n", *maxReg, err)
		return exitUsage
	}
	base, err := report.ReadDocument(*baseline)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec compare: -baseline: %s\n", errorText(err))
		return exitUsage
	}
	cur, err := readDocuments(fs.Args())
	if err != nil {
		fmt.Fprintf(stderr, "slaspec compare: %s\n", errorText(err))
		return exitUsage
	}
	if *minDelta < 0 {
		fmt.Fprintf(stderr, "slaspec compare: -min-delta %s is negative\n", *minDelta)
		return exitUsage
	}
	cmp := report.Compare(base, cur, report.Threshold{Relative: threshold, Absolute: *minDelta})
	report.WriteComparison(stdout, cmp)
	if len(cmp.Regressions()) > 0 {
		return exitFail
	}
	return exitOK
}
