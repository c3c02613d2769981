package report

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// maxDocument bounds a report document read from disk.
const maxDocument = 512 << 20

// NewEntry makes the entry of one load spec or operation: it evaluates want
// (may be the zero SLA) against res and keeps both. A secret in name (a
// spec text quoting a URL with ?api_key=…) is redacted by the built-in
// rule, like everything a run records.
func NewEntry(name string, want sla.SLA, res *loadrunner.Result) Entry {
	e := Entry{Name: loadrunner.NewRedactor(nil, nil).String(name), Result: res}
	e.Judge(want)
	return e
}

// Judge (re-)evaluates the entry's result against want, e.g. after a
// merge, with its coverage when it has one (contract.Judge).
func (e *Entry) Judge(want sla.SLA) {
	e.SLA, e.Status, e.Verdicts = sla.SLA{}, "", nil
	if want.IsZero() && e.Coverage == nil {
		e.markSpec()
		return
	}
	ev := contract.Judge(e.Result, want, e.Coverage)
	e.SLA, e.Status, e.Verdicts = ev.SLA, ev.Status, ev.Verdicts
	e.markSpec()
}

// SpecBudget is the budget text of the verdict MarkSpec adds: a load
// entry is only as good as the spec that made it.
const SpecBudget = "spec"

// maxSpecFailure bounds the failure message MarkSpec keeps: its first line,
// cut to this many bytes.
const maxSpecFailure = 300

// MarkSpec records that the test spec which made the entry did not pass
// (state is Ginkgo's: "failed", "panicked", "interrupted", "timedout",
// "aborted"), so that no report says PASS where the test framework says
// otherwise: it adds a verdict SpecBudget with the failure's message —
// failed for a failed or panicked spec, inconclusive for one that was
// stopped — and lowers the entry's status to match.
func (e *Entry) MarkSpec(state, failure string) {
	failure, _, _ = strings.Cut(strings.TrimSpace(failure), "\n")
	if len(failure) > maxSpecFailure {
		failure = failure[:maxSpecFailure] + "…"
	}
	e.SpecState, e.SpecFailure = state, failure
	e.markSpec()
}

// markSpec adds the verdict of SpecState, when there is one.
func (e *Entry) markSpec() {
	if e.SpecState == "" {
		return
	}
	st := sla.Inconclusive
	if e.SpecState == "failed" || e.SpecState == "panicked" {
		st = sla.Failed
	}
	e.Verdicts = append(e.Verdicts, sla.Verdict{Budget: SpecBudget, Status: st, Observed: e.SpecState, Detail: e.SpecFailure, Implicit: true})
	e.Status = sla.Worse(e.Status, st)
}

// Failed reports whether the entry's SLA did not pass (failed or inconclusive).
func (e Entry) Failed() bool { return e.Status != "" && e.Status != sla.Passed }

// Counts returns how many entries passed, failed and were inconclusive
// (entries without an SLA count as neither).
func (d *Document) Counts() (passed, failed, inconclusive int) {
	for _, e := range d.Operations {
		switch e.Status {
		case sla.Passed:
			passed++
		case sla.Failed:
			failed++
		case sla.Inconclusive:
			inconclusive++
		}
	}
	return passed, failed, inconclusive
}

// Sort orders the entries by name, so reports of parallel runs are stable.
func (d *Document) Sort() {
	slices.SortStableFunc(d.Operations, func(a, b Entry) int { return strings.Compare(a.Name, b.Name) })
}

// commitEnv names the CI variables that hold the commit under test, in the
// order CurrentEnvironment looks them up.
var commitEnv = [...]string{"GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"}

// CurrentEnvironment describes this process's machine and build. The git
// commit is the first of GITHUB_SHA, CI_COMMIT_SHA and GIT_COMMIT that
// getenv finds set (the CLI and the Ginkgo plugin pass os.Getenv: the
// report package never reads the environment itself; nil skips them), else
// the binary's build info, else `git rev-parse HEAD`.
func CurrentEnvironment(getenv func(string) string) Environment {
	env := Environment{GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU()}
	env.Hostname, _ = os.Hostname()
	env.GitCommit = gitCommit(getenv)
	return env
}

func gitCommit(getenv func(string) string) string {
	for _, k := range commitEnv {
		if v := lookup(getenv, k); v != "" {
			return v
		}
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				return s.Value
			}
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "git", "rev-parse", "HEAD").Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// lookup returns getenv(key), or "" when getenv is nil.
func lookup(getenv func(string) string, key string) string {
	if getenv == nil {
		return ""
	}
	return getenv(key)
}

// ReadDocument reads a report document, or a single loadrunner result JSON,
// which becomes a document of one entry named after the file.
func ReadDocument(path string) (*Document, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxDocument+1))
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	if len(b) > maxDocument {
		return nil, fmt.Errorf("report: %s: larger than %d bytes", path, maxDocument)
	}
	d, err := DecodeDocument(b)
	if err != nil {
		return nil, fmt.Errorf("report: %s: %w", path, err)
	}
	if e := &d.Operations[0]; d.Suite == "" && len(d.Operations) == 1 && e.Name == "" {
		// A plain result: named after its target, so that the results of
		// the shards of one load merge into one entry.
		e.Name = cmp.Or(e.Result.Target, strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)))
	}
	return d, nil
}

// DecodeDocument decodes a report document or a single result.
func DecodeDocument(b []byte) (*Document, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, err
	}
	if _, isCapacity := probe["capacity_rps"]; isCapacity {
		var c capacity.Result
		if err := json.Unmarshal(b, &c); err != nil {
			return nil, err
		}
		e, err := NewCapacityEntry("capacity search", &c)
		if err != nil {
			return nil, err
		}
		return &Document{Operations: []Entry{e}}, nil
	}
	_, isResult := probe["planned_rate"]
	_, isReport := probe["operations"]
	if !isResult && !isReport {
		return nil, fmt.Errorf("neither a report (no \"operations\"), a result (no \"planned_rate\") nor a capacity search (no \"capacity_rps\")")
	}
	if !isResult {
		var d Document
		if err := json.Unmarshal(b, &d); err != nil {
			return nil, err
		}
		for i, e := range d.Operations {
			if e.Result == nil {
				return nil, fmt.Errorf("operation %d (%s) has no result", i, e.Name)
			}
		}
		return &d, nil
	}
	var res loadrunner.Result
	if err := json.Unmarshal(b, &res); err != nil {
		return nil, err
	}
	return &Document{Started: res.Started, Ended: res.Ended, Partial: res.Partial, Operations: []Entry{{Result: &res}}}, nil
}

// Merge merges the documents of several shards or processes: entries with
// the same name have their results merged exactly (loadrunner.Merge) and
// their SLA evaluated again on the merged distribution.
func Merge(docs ...*Document) (*Document, error) {
	if len(docs) == 0 {
		return nil, fmt.Errorf("report: merge: no documents")
	}
	out := &Document{Suite: docs[0].Suite, Seed: docs[0].Seed, Environment: docs[0].Environment}
	out.Environment.Shard = ""
	byName := map[string][]Entry{}
	var order []string
	for _, d := range docs {
		if out.Started.IsZero() || !d.Started.IsZero() && d.Started.Before(out.Started) {
			out.Started = d.Started
		}
		if d.Ended.After(out.Ended) {
			out.Ended = d.Ended
		}
		out.Partial = out.Partial || d.Partial
		for _, e := range d.Operations {
			if _, seen := byName[e.Name]; !seen {
				order = append(order, e.Name)
			}
			byName[e.Name] = append(byName[e.Name], e)
		}
	}
	for _, name := range order {
		parts := byName[name]
		merged := parts[0]
		results := make([]*loadrunner.Result, len(parts))
		for i, p := range parts {
			if p.SLA.String() != merged.SLA.String() {
				return nil, fmt.Errorf("report: merge: %s: SLA %q in one document, %q in another", name, merged.SLA, p.SLA)
			}
			if merged.SpecState == "" {
				merged.SpecState, merged.SpecFailure = p.SpecState, p.SpecFailure
			}
			results[i] = p.Result
		}
		if len(results) > 1 {
			res, err := loadrunner.Merge(results...)
			if err != nil {
				return nil, fmt.Errorf("report: merge: %s: %w", name, err)
			}
			merged.Result = res
			merged.Findings = mergeFindings(parts)
			merged.Coverage = mergeCoverage(parts)
		}
		merged.Judge(merged.SLA)
		if merged.Capacity != nil {
			merged.Status = merged.Capacity.Status // the search's verdict, not one step's
		}
		out.Operations = append(out.Operations, merged)
	}
	out.Sort()
	return out, nil
}

// mergeCoverage adds up the parts' coverage (nil when none has one).
func mergeCoverage(parts []Entry) *contract.Coverage {
	var out *contract.Coverage
	for _, p := range parts {
		if p.Coverage == nil {
			continue
		}
		if out == nil {
			out = &contract.Coverage{}
		}
		out.Merge(*p.Coverage)
	}
	return out
}

func mergeFindings(parts []Entry) []Finding {
	var out []Finding
	index := map[Finding]int{}
	for _, p := range parts {
		for _, f := range p.Findings {
			key := f
			key.Count = 0
			if i, ok := index[key]; ok {
				out[i].Count += f.Count
				continue
			}
			index[key] = len(out)
			out = append(out, f)
		}
	}
	return out
}

// Formats are the report formats Write knows.
var Formats = []string{"json", "md", "html", "junit"}

// Write writes the document into dir in each of formats, as sla-report.json,
// sla-report.md, sla-report.html and sla-report.junit.xml, and returns the
// paths written.
func (d *Document) Write(dir string, formats []string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("report: %w", err)
	}
	var paths []string
	for _, f := range formats {
		var buf bytes.Buffer
		name, err := d.Render(&buf, f)
		if err != nil {
			return paths, err
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			return paths, fmt.Errorf("report: %w", err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

// Render writes the document in one format (json, md, html or junit) and
// returns the file name that format is written to.
func (d *Document) Render(w io.Writer, format string) (string, error) {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", " ")
		return "sla-report.json", enc.Encode(d)
	case "md", "markdown":
		return "sla-report.md", WriteMarkdown(w, d)
	case "html":
		return "sla-report.html", WriteHTML(w, d)
	case "junit", "xml":
		return "sla-report.junit.xml", WriteJUnit(w, d)
	}
	return "", fmt.Errorf("report: unknown format %q: use json, md, html or junit", format)
}

// FindingsFrom converts the contract checker's findings to the report's shape.
func FindingsFrom(fs []contract.Finding) []Finding {
	out := make([]Finding, 0, len(fs))
	for _, f := range fs {
		out = append(out, Finding{Operation: f.OperationID, Status: f.Status, Pointer: f.Pointer,
			Reason: string(f.Kind) + ": " + f.Reason, Count: uint64(max(f.Count, 0))})
	}
	return out
}

// OperationEntry makes the entry of one operation's judged run.
func OperationEntry(o *contract.Outcome) Entry {
	op := o.Operation
	return Entry{Name: op.String(), OperationID: op.ID, Method: op.Method, Path: op.Path, Labels: op.Labels(),
		SLA: o.Evaluation.SLA, Status: o.Evaluation.Status, Verdicts: o.Evaluation.Verdicts,
		Result: o.Result, Fingerprint: o.Fingerprint, Sources: o.Sources, Findings: FindingsFrom(o.Findings), Coverage: o.Coverage}
}

// MixEntries makes one entry per operation of a mixed run, named
// "name: METHOD /path", holding the operation's sub-result judged against
// its own budget.
func MixEntries(name string, res *loadrunner.Result, ops []*contract.Prepared) ([]Entry, error) {
	var out []Entry
	for _, p := range ops {
		op := p.Operation
		sub := res.Operations[op.ID]
		if sub == nil {
			return nil, fmt.Errorf("report: mix %s: no result for operation %s", name, op.ID)
		}
		e := OperationEntry(p.Outcome(sub))
		e.Name = name + ": " + op.String()
		out = append(out, e)
	}
	return out, nil
}
