package report

import (
	"bufio"
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// maxMarkdownFindings bounds the findings listed per operation in Markdown,
// which must stay short enough for a PR comment.
const maxMarkdownFindings = 10

// WriteMarkdown writes d as GitHub-flavoured Markdown, short enough for
// $GITHUB_STEP_SUMMARY and a PR comment: a headline (suite, counts by
// status, the partial flag), then per operation a verdict table (budget |
// observed | status), one line of load figures and the contract findings,
// deduplicated with counts. Every text from the document is escaped.
func WriteMarkdown(w io.Writer, d *Document) error {
	if d == nil {
		return fmt.Errorf("report: markdown: nil document")
	}
	bw := bufio.NewWriter(w)
	writeMarkdownHeadline(bw, d)
	for i := range d.Operations {
		writeMarkdownEntry(bw, &d.Operations[i])
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("report: markdown: %w", err)
	}
	return nil
}

func writeMarkdownHeadline(w io.Writer, d *Document) {
	c := countStatuses(d)
	fmt.Fprintf(w, "## %s SLA report: %s\n\n", statusIcon(c.overall()), mdText(suiteName(d)))
	fmt.Fprintf(w, "**%s**", c.String())
	if d.Partial {
		fmt.Fprint(w, " · ⚠️ **partial**: the run was interrupted, figures cover what ran")
	}
	fmt.Fprint(w, "\n\n")
	if env := environmentLine(d); env != "" {
		fmt.Fprintf(w, "<sub>%s</sub>\n\n", mdText(env))
	}
}

func writeMarkdownEntry(w io.Writer, e *Entry) {
	st := statusOf(e)
	fmt.Fprintf(w, "### %s %s\n\n", statusIcon(st), mdText(entryTitle(e)))
	if id := operationLine(e); id != "" {
		fmt.Fprintf(w, "%s\n\n", mdText(id))
	}
	if len(e.Verdicts) > 0 {
		fmt.Fprint(w, "| budget | observed | status |\n|---|---|---|\n")
		for _, v := range e.Verdicts {
			fmt.Fprintf(w, "| %s | %s | %s |\n", mdCell(budgetText(v)), mdCell(observedText(v)), mdCell(statusIcon(v.Status)+" "+statusWord(v.Status)))
		}
		fmt.Fprintln(w)
	} else if e.SLA.IsZero() {
		fmt.Fprint(w, "_no SLA: figures only_\n\n")
	}
	writeMarkdownCapacity(w, e.Capacity)
	if e.Result != nil {
		fmt.Fprintf(w, "%s\n\n", mdText(loadLine(e.Result)))
		writeMarkdownService(w, e.Result)
	} else {
		fmt.Fprint(w, "_no result recorded_\n\n")
	}
	writeMarkdownSources(w, sourceRows(e.Sources))
	writeMarkdownCoverage(w, coverageRows(e.Coverage))
	writeMarkdownFindings(w, e.Findings)
}

func writeMarkdownSources(w io.Writer, rows []sourceRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprint(w, "<details><summary>request values</summary>\n\n| parameter | values from | first values |\n|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s |\n", mdCell(r.Parameter), mdCell(r.From), mdCell(r.Values))
	}
	fmt.Fprint(w, "\n</details>\n\n")
}

func writeMarkdownCoverage(w io.Writer, rows []coverageRow) {
	if len(rows) == 0 {
		return
	}
	fmt.Fprint(w, "<details><summary>response coverage</summary>\n\n| status | content type | seen | documented |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(w, "| %s | %s | %s | %s |\n", mdCell(r.Status), mdCell(r.ContentType), r.Seen, r.Documented)
	}
	fmt.Fprint(w, "\n</details>\n\n")
}

// writeMarkdownService writes the service's runtime readings and, for a
// profiled run, a short table of each profile's top frames and its file.
func writeMarkdownService(w io.Writer, r *loadrunner.Result) {
	if r.Runtime != nil {
		fmt.Fprintf(w, "service runtime: %s\n\n", mdText(sla.RuntimeLine(r.Runtime)))
	}
	if r.Profiles == nil {
		return
	}
	fmt.Fprintf(w, "profiles: %s\n\n", mdText(sla.ProfilingLine(r.Profiles)))
	if rows := sla.ProfileRows(r.Profiles); len(rows) > 0 {
		fmt.Fprint(w, "| profile | top functions (service code, cumulative) | file |\n|---|---|---|\n")
		for _, row := range rows {
			fmt.Fprintf(w, "| %s | %s | %s |\n", row.Kind, mdCell(row.Top), mdCell(row.File))
		}
		fmt.Fprintln(w)
	}
	for _, warn := range r.Profiles.Warnings {
		fmt.Fprintf(w, "⚠️ %s\n\n", mdText(warn))
	}
}

func writeMarkdownFindings(w io.Writer, fs []Finding) {
	fs = dedupFindings(fs)
	if len(fs) == 0 {
		return
	}
	fmt.Fprint(w, "<details><summary>contract findings</summary>\n\n| count | status | where | reason |\n|---|---|---|---|\n")
	for i, f := range fs {
		if i == maxMarkdownFindings {
			fmt.Fprintf(w, "| | | | … and %d more kinds |\n", len(fs)-i)
			break
		}
		fmt.Fprintf(w, "| %d | %s | %s | %s |\n", f.Count, mdCell(findingStatus(f)), mdCell(findingWhere(f)), mdCell(f.Reason))
	}
	fmt.Fprint(w, "\n</details>\n\n")
}

// budgetText is a verdict's budget, marked when Evaluate added it.
func budgetText(v sla.Verdict) string {
	if v.Implicit {
		return v.Budget + " (implicit)"
	}
	return v.Budget
}

// observedText is a verdict's observed figure with its confidence bounds and,
// when it did not pass, the detail that says why.
func observedText(v sla.Verdict) string {
	s := v.Observed
	if v.Lower != "" {
		s += " (95% CI " + v.Lower + "–" + v.Upper + ")"
	}
	if v.Status != sla.Passed && v.Detail != "" {
		s += ": " + v.Detail
	}
	return s
}

// loadLine is one line of an entry's load figures (the protocol when not
// plain HTTP/1.1): planned against achieved
// rate, requests and errors.
func loadLine(r *loadrunner.Result) string {
	var b strings.Builder
	if r.Plan.Concurrency > 0 {
		fmt.Fprintf(&b, "closed model, %s: %s req/s", sla.FormatCount(r.Plan.Concurrency, "worker"), fmtRate(r.Throughput()))
	} else {
		fmt.Fprintf(&b, "load: planned %s req/s, achieved %s req/s (%s of planned sends)",
			fmtRate(r.PlannedRate), fmtRate(r.AchievedRate), fmtPct(r.Delivered()))
	}
	fmt.Fprintf(&b, " · %s in %s · %s (%s)", sla.FormatCount(r.Requests, "request"), fmtDur(r.Duration), sla.FormatCount(r.Errors.Total, "error"), fmtPct(r.ErrorRate()))
	if r.Dropped > 0 {
		fmt.Fprintf(&b, " · %d dropped", r.Dropped)
	}
	if _, plain := r.Protocols["HTTP/1.1"]; len(r.Protocols) > 1 || len(r.Protocols) == 1 && !plain {
		b.WriteString(" · " + sla.FormatProtocols(r.Protocols))
	}
	if r.Late > 0 {
		fmt.Fprintf(&b, " · %d late", r.Late)
	}
	if r.Partial {
		b.WriteString(" · partial: " + orDash(r.PartialReason))
	}
	if r.Aborted != "" {
		b.WriteString(" · aborted: " + r.Aborted)
	}
	if r.GeneratorSaturated {
		b.WriteString(" · generator saturated: " + strings.Join(r.Saturation, "; "))
	}
	return b.String()
}

// mdEscaper backslash-escapes the characters that Markdown or GitHub would
// read as markup, and the angle brackets an HTML-aware renderer would read
// as tags.
var mdEscaper = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", `*`, `\*`, `_`, `\_`, `[`, `\[`, `]`, `\]`,
	`<`, `&lt;`, `>`, `&gt;`, `|`, `\|`, `~`, `\~`, `#`, `\#`, `@`, `@&#8203;`,
)

// mdText renders document text as inline Markdown: control characters and
// line breaks flattened, markup escaped.
func mdText(s string) string {
	return mdEscaper.Replace(oneLine(s))
}

// mdCell is mdText for a table cell; `|` is escaped there too, so a cell
// never splits.
func mdCell(s string) string {
	if s == "" {
		return "-"
	}
	return mdText(s)
}

// The helpers below are shared by the three renderers.

// clean replaces control characters (other than tab and line breaks) and
// invalid UTF-8 with U+FFFD, so that no renderer can emit them.
func clean(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r':
			return r
		case r == unicode.ReplacementChar, unicode.IsControl(r), r == 0xFFFE, r == 0xFFFF:
			return unicode.ReplacementChar
		}
		return r
	}, s)
}

// oneLine is clean with tabs and line breaks turned into spaces.
func oneLine(s string) string {
	return strings.Join(strings.Fields(clean(s)), " ")
}

// statusOf is an entry's status: its own, else the worst of its verdicts;
// empty when it has neither (a run without an SLA).
func statusOf(e *Entry) sla.Status {
	if e.Status != "" {
		return e.Status
	}
	var st sla.Status
	for _, v := range e.Verdicts {
		switch {
		case v.Status == sla.Failed:
			return sla.Failed
		case v.Status == sla.Inconclusive, st == "":
			st = v.Status
		}
	}
	return st
}

// statusIcon is the emoji for a status.
func statusIcon(st sla.Status) string {
	switch st {
	case sla.Passed:
		return "✅"
	case sla.Failed:
		return "❌"
	case sla.Inconclusive:
		return "⚠️"
	}
	return "➖"
}

// statusWord is a status as a word.
func statusWord(st sla.Status) string {
	if st == "" {
		return "no SLA"
	}
	return string(st)
}

// statusCounts counts a document's entries by status.
type statusCounts struct {
	total, passed, failed, inconclusive, none int
}

func countStatuses(d *Document) statusCounts {
	c := statusCounts{total: len(d.Operations)}
	for i := range d.Operations {
		switch statusOf(&d.Operations[i]) {
		case sla.Passed:
			c.passed++
		case sla.Failed:
			c.failed++
		case sla.Inconclusive:
			c.inconclusive++
		default:
			c.none++
		}
	}
	return c
}

// overall is the document's status: failed when an entry failed, else
// inconclusive when one was, else passed (also when it has no SLA at all).
func (c statusCounts) overall() sla.Status {
	switch {
	case c.failed > 0:
		return sla.Failed
	case c.inconclusive > 0:
		return sla.Inconclusive
	}
	return sla.Passed
}

// String is e.g. "2 passed, 1 failed, 1 inconclusive of 4 operations".
func (c statusCounts) String() string {
	parts := []string{fmt.Sprintf("%d passed", c.passed), fmt.Sprintf("%d failed", c.failed)}
	if c.inconclusive > 0 {
		parts = append(parts, fmt.Sprintf("%d inconclusive", c.inconclusive))
	}
	if c.none > 0 {
		parts = append(parts, fmt.Sprintf("%d without SLA", c.none))
	}
	return strings.Join(parts, ", ") + " of " + sla.FormatCount(c.total, "operation")
}

func suiteName(d *Document) string {
	if d.Suite == "" {
		return "slaspec"
	}
	return d.Suite
}

// environmentLine is the run's window and environment on one line.
func environmentLine(d *Document) string {
	var parts []string
	if !d.Started.IsZero() {
		parts = append(parts, "started "+d.Started.UTC().Format(time.RFC3339))
	}
	if !d.Started.IsZero() && !d.Ended.IsZero() {
		parts = append(parts, "took "+fmtDur(d.Ended.Sub(d.Started).Round(time.Millisecond)))
	}
	env := d.Environment
	for _, kv := range [][2]string{
		{"", env.GoVersion},
		{"GOMAXPROCS ", itoaNonZero(env.GOMAXPROCS)},
		{"CPUs ", itoaNonZero(env.NumCPU)},
		{"host ", env.Hostname},
		{"commit ", env.GitCommit},
		{"shard ", env.Shard},
	} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+kv[1])
		}
	}
	if d.Seed != 0 {
		parts = append(parts, fmt.Sprintf("seed %d", d.Seed))
	}
	return strings.Join(parts, " · ")
}

func itoaNonZero(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprint(n)
}

// entryTitle names an entry: its name, else its operation.
func entryTitle(e *Entry) string {
	switch {
	case e.Name != "":
		return e.Name
	case e.Method != "" || e.Path != "":
		return strings.TrimSpace(e.Method + " " + e.Path)
	case e.OperationID != "":
		return e.OperationID
	}
	return "(unnamed)"
}

// operationLine identifies the entry's operation and SLA when known.
func operationLine(e *Entry) string {
	var parts []string
	if op := strings.TrimSpace(e.Method + " " + e.Path); op != "" && op != e.Name {
		parts = append(parts, op)
	}
	if e.OperationID != "" {
		parts = append(parts, "operationId "+e.OperationID)
	}
	if len(e.Labels) > 0 {
		parts = append(parts, "labels "+strings.Join(e.Labels, ", "))
	}
	if !e.SLA.IsZero() {
		parts = append(parts, "SLA "+e.SLA.String())
	}
	return strings.Join(parts, " · ")
}

// dedupFindings merges findings of the same kind (operation, status,
// pointer, reason), adding their counts, most frequent first.
func dedupFindings(fs []Finding) []Finding {
	type key struct {
		op      string
		status  int
		pointer string
		reason  string
	}
	idx := map[key]int{}
	var out []Finding
	for _, f := range fs {
		k := key{f.Operation, f.Status, f.Pointer, f.Reason}
		if i, ok := idx[k]; ok {
			out[i].Count += f.Count
			continue
		}
		idx[k] = len(out)
		out = append(out, f)
	}
	slices.SortStableFunc(out, func(a, b Finding) int { return cmp.Compare(b.Count, a.Count) })
	return out
}

func findingStatus(f Finding) string {
	if f.Status == 0 {
		return ""
	}
	return fmt.Sprint(f.Status)
}

// findingWhere is the operation and the JSON pointer of a finding.
func findingWhere(f Finding) string {
	return strings.TrimSpace(f.Operation + " " + f.Pointer)
}

func fmtDur(d time.Duration) string { return sla.FormatDuration(d) }
func trimFloat(v float64) string    { return sla.FormatNumber(v) }

// fmtRate renders a rate in requests per second.
func fmtRate(r float64) string { return trimFloat(r) }

// fmtPct renders a 0–1 share as a percentage.
func fmtPct(share float64) string {
	switch p := 100 * share; {
	case p == 0 || p >= 10:
		return trimFloat(p) + "%"
	case p >= 0.01:
		return fmt.Sprintf("%.2f%%", p)
	default:
		return fmt.Sprintf("%.2g%%", p)
	}
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
