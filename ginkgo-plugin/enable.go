package ginkgoplugin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// Enable turns the plugin on for a suite; call it once, at the top level of
// a suite file:
//
//	var _ = ginkgoplugin.Enable(ginkgoplugin.WithReports("sla-report"))
//
// After the suite (on process 1 under ginkgo -p, with every process's specs)
// it gathers each load spec's report entry, writes the reports, prints where
// they are, appends the Markdown report to $GITHUB_STEP_SUMMARY when that is
// set, and fails the suite on a regression against the baseline, if one is
// configured. Reports are written for whatever ran, also when the suite was
// interrupted (marked partial).
func Enable(opts ...Option) bool {
	enabledMu.Lock()
	enabled = append(enabled[:0:0], opts...)
	enabledMu.Unlock()
	return ginkgo.ReportAfterSuite("slaspec SLA reports", func(r ginkgo.Report) {
		cfg, err := currentConfig()
		if err != nil {
			ginkgo.Fail(err.Error())
		}
		doc, err := Collect(r)
		if err != nil {
			ginkgo.Fail(err.Error())
		}
		doc.Environment = report.CurrentEnvironment(environment)
		if cfg.Shard.Count > 1 {
			doc.Environment.Shard = fmt.Sprintf("%d/%d", cfg.Shard.Index, cfg.Shard.Count)
		}
		if err := publish(doc, cfg, os.Stdout); err != nil {
			ginkgo.Fail(err.Error())
		}
	})
}

// Collect builds the report document from a suite's report: one entry per
// load spec that attached one, decoded from its JSON (other processes' raw
// values are not available on process 1). Specs that were interrupted or
// timed out, and an interrupted suite, mark the document partial.
func Collect(r types.Report) (*report.Document, error) {
	doc := &report.Document{Suite: r.SuiteDescription, Started: r.StartTime, Ended: r.EndTime, Operations: []report.Entry{}}
	for _, reason := range r.SpecialSuiteFailureReasons {
		if strings.Contains(strings.ToLower(reason), "interrupt") {
			doc.Partial = true
		}
	}
	for _, spec := range r.SpecReports {
		for _, re := range spec.ReportEntries {
			if re.Name != EntryName {
				continue
			}
			// Entries of other processes arrive as JSON; this process's own
			// still hold their raw value, encoded here the same way.
			data := []byte(re.Value.AsJSON)
			if len(data) == 0 {
				var err error
				if data, err = json.Marshal(re.Value.GetRawValue()); err != nil {
					return nil, fmt.Errorf("ginkgoplugin: report entry of %q: %w", spec.FullText(), err)
				}
			}
			var e report.Entry
			if err := json.Unmarshal(data, &e); err != nil {
				return nil, fmt.Errorf("ginkgoplugin: report entry of %q: %w", spec.FullText(), err)
			}
			if e.Result == nil {
				return nil, fmt.Errorf("ginkgoplugin: report entry of %q has no result", spec.FullText())
			}
			if e.Result.Partial {
				doc.Partial = true
			}
			// A spec that failed for a reason other than its own load's
			// verdict (a later assertion, a panic, an interrupt) must not
			// leave its entry saying PASS.
			if spec.State.Is(types.SpecStateFailureStates) && (e.Status == sla.Passed || e.Status == "") {
				e.MarkSpec(spec.State.String(), spec.Failure.Message)
			}
			doc.Operations = append(doc.Operations, e)
		}
		if spec.State.Is(types.SpecStateInterrupted | types.SpecStateTimedout | types.SpecStateAborted) {
			doc.Partial = true
		}
	}
	doc.Sort()
	return doc, nil
}

// publish writes the reports, tells where, and gates on the baseline.
func publish(doc *report.Document, cfg Config, out io.Writer) error {
	if len(doc.Operations) == 0 {
		fmt.Fprintln(out, "slaspec: no load specs ran; no SLA report written")
		return nil
	}
	paths, err := doc.Write(cfg.ReportDir, cfg.Formats)
	if err != nil {
		return err
	}
	writeVerdictLines(out, doc)
	passed, failed, inconclusive := doc.Counts()
	partial := ""
	if doc.Partial {
		partial = " (partial: the run was interrupted)"
	}
	fmt.Fprintf(out, "slaspec: %s: %d passed, %d failed, %d inconclusive%s; reports: %s\n",
		sla.FormatCount(len(doc.Operations), "load spec"), passed, failed, inconclusive, partial, strings.Join(paths, " "))
	if summary := os.Getenv("GITHUB_STEP_SUMMARY"); summary != "" {
		var md bytes.Buffer
		if err := report.WriteMarkdown(&md, doc); err == nil {
			if f, err := os.OpenFile(summary, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644); err == nil {
				f.Write(md.Bytes())
				f.Close()
			}
		}
	}
	if cfg.Baseline == "" {
		return nil
	}
	base, err := report.ReadDocument(cfg.Baseline)
	if err != nil {
		return fmt.Errorf("ginkgoplugin: baseline: %w", err)
	}
	cmp := report.Compare(base, doc, report.Threshold{Relative: cfg.MaxRegression, Absolute: cfg.MinDelta})
	var table bytes.Buffer
	report.WriteComparison(&table, cmp)
	if len(cmp.Regressions()) > 0 {
		return fmt.Errorf("slaspec: regression against the baseline %s:\n%s", cfg.Baseline, table.String())
	}
	fmt.Fprint(out, table.String())
	return nil
}

// writeVerdictLines prints one line per load spec: its status, its name and
// each budget with what was observed, so the suite's output shows every
// verdict, not only the failures.
func writeVerdictLines(out io.Writer, doc *report.Document) {
	fmt.Fprintln(out, "slaspec: SLA verdicts")
	width := 0
	for _, e := range doc.Operations {
		width = max(width, min(len(e.Name), 60))
	}
	for _, e := range doc.Operations {
		status := strings.ToUpper(string(e.Status))
		if status == "" {
			status = "-"
		}
		var budgets []string
		for _, v := range e.Verdicts {
			if !v.Implicit || v.Status != sla.Passed {
				budgets = append(budgets, v.Budget+" "+v.Observed)
			}
		}
		if len(budgets) == 0 {
			budgets = []string{fmt.Sprintf("no SLA; p99 %s, errors %s", sla.FormatDuration(e.Result.Latency.Percentile(99)),
				sla.FormatNumber(100*e.Result.ErrorRate())+"%")}
		}
		fmt.Fprintf(out, "  %-12s %-*s  %s\n", status, width, e.Name, strings.Join(budgets, " · "))
	}
}
