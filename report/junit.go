package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// The JUnit XML shape, as CI systems (Jenkins, GitLab, GitHub test
// reporters) read it.
type (
	junitSuites struct {
		XMLName  xml.Name     `xml:"testsuites"`
		Name     string       `xml:"name,attr"`
		Tests    int          `xml:"tests,attr"`
		Failures int          `xml:"failures,attr"`
		Errors   int          `xml:"errors,attr"`
		Skipped  int          `xml:"skipped,attr"`
		Time     string       `xml:"time,attr"`
		Suites   []junitSuite `xml:"testsuite"`
	}
	junitSuite struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Failures   int             `xml:"failures,attr"`
		Errors     int             `xml:"errors,attr"`
		Skipped    int             `xml:"skipped,attr"`
		Time       string          `xml:"time,attr"`
		Timestamp  string          `xml:"timestamp,attr,omitempty"`
		Hostname   string          `xml:"hostname,attr,omitempty"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Cases      []junitCase     `xml:"testcase"`
	}
	junitCase struct {
		Classname  string          `xml:"classname,attr"`
		Name       string          `xml:"name,attr"`
		Time       string          `xml:"time,attr"`
		Properties []junitProperty `xml:"properties>property,omitempty"`
		Failure    *junitProblem   `xml:"failure,omitempty"`
		Error      *junitProblem   `xml:"error,omitempty"`
		SystemOut  *junitOutput    `xml:"system-out,omitempty"`
	}
	junitOutput struct {
		Text string `xml:",cdata"`
	}
	junitProperty struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	}
	junitProblem struct {
		Message string `xml:"message,attr"`
		Type    string `xml:"type,attr"`
		Body    string `xml:",cdata"`
	}
)

// maxJUnitMessage bounds the message attribute of a failure, which CI
// systems show as a one-line summary.
const maxJUnitMessage = 300

// WriteJUnit writes d as JUnit XML: one testsuite named after the suite, one
// testcase per entry (classname the suite, name the entry's name). A failed
// SLA is a <failure> whose message lists the failed budgets and whose body is
// sla.Explain's account; an inconclusive one is an <error> (it is never
// a pass, and the suite's gate fails on it too) saying why. Each testcase
// carries its key figures and verdicts as <properties>. Every text is
// stripped of characters XML cannot hold.
func WriteJUnit(w io.Writer, d *Document) error {
	if d == nil {
		return fmt.Errorf("report: junit: nil document")
	}
	suite := junitSuite{
		Name:       clean(suiteName(d)),
		Tests:      len(d.Operations),
		Properties: documentProperties(d),
	}
	if !d.Started.IsZero() {
		suite.Timestamp = d.Started.UTC().Format("2006-01-02T15:04:05")
	}
	suite.Hostname = clean(d.Environment.Hostname)
	var total time.Duration
	for i := range d.Operations {
		c := junitTestcase(suite.Name, &d.Operations[i])
		switch {
		case c.Failure != nil:
			suite.Failures++
		case c.Error != nil:
			suite.Errors++
		}
		if r := d.Operations[i].Result; r != nil {
			total += r.Duration
		}
		suite.Cases = append(suite.Cases, c)
	}
	suite.Time = seconds(total)
	if !d.Started.IsZero() && d.Ended.After(d.Started) {
		suite.Time = seconds(d.Ended.Sub(d.Started))
	}
	all := junitSuites{Name: suite.Name, Tests: suite.Tests, Failures: suite.Failures, Errors: suite.Errors,
		Time: suite.Time, Suites: []junitSuite{suite}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(all); err != nil {
		return fmt.Errorf("report: junit: suite %q: %w", suite.Name, err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("report: junit: %w", err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func junitTestcase(classname string, e *Entry) junitCase {
	c := junitCase{Classname: classname, Name: clean(entryTitle(e)), Properties: entryProperties(e)}
	if e.Result != nil {
		c.Time = seconds(e.Result.Duration)
	} else {
		c.Time = seconds(0)
	}
	explain := clean(sla.Explain(e.Result, evaluationOf(e)))
	switch statusOf(e) {
	case sla.Failed:
		c.Failure = &junitProblem{Type: "sla", Message: shortMessage("SLA not met: ", e, sla.Failed), Body: explain}
	case sla.Inconclusive:
		c.Error = &junitProblem{Type: "sla.inconclusive", Message: shortMessage("SLA inconclusive: ", e, sla.Inconclusive), Body: explain}
	default:
		c.SystemOut = &junitOutput{Text: explain}
	}
	return c
}

// evaluationOf rebuilds the evaluation an entry records, for Explain.
func evaluationOf(e *Entry) sla.Evaluation {
	return sla.Evaluation{SLA: e.SLA, Status: statusOf(e), Verdicts: e.Verdicts}
}

// shortMessage lists the budgets with the given status and what was observed,
// e.g. "SLA not met: p99<1ms (observed 12ms); errors<1% (observed 9.5%)",
// bounded for a one-line summary.
func shortMessage(prefix string, e *Entry, st sla.Status) string {
	var parts []string
	for _, v := range e.Verdicts {
		if v.Status == st {
			parts = append(parts, fmt.Sprintf("%s (observed %s)", v.Budget, v.Observed))
		}
	}
	if len(parts) == 0 {
		parts = append(parts, runNote(e.Result))
	}
	msg := oneLine(prefix + strings.Join(parts, "; "))
	if r := []rune(msg); len(r) > maxJUnitMessage {
		msg = string(r[:maxJUnitMessage-1]) + "…"
	}
	return msg
}

// runNote says why a run without a failing budget did not pass.
func runNote(r *loadrunner.Result) string {
	switch {
	case r == nil:
		return "no result"
	case r.Aborted != "":
		return "aborted: " + r.Aborted
	case r.Partial:
		return "partial run: " + orDash(r.PartialReason)
	}
	return "see the verdicts"
}

// entryProperties are an entry's key figures and verdicts.
func entryProperties(e *Entry) []junitProperty {
	var ps []junitProperty
	add := func(name, value string) {
		ps = append(ps, junitProperty{Name: clean(name), Value: clean(value)})
	}
	add("slaspec.status", statusWord(statusOf(e)))
	if !e.SLA.IsZero() {
		add("slaspec.sla", e.SLA.String())
	}
	if e.OperationID != "" {
		add("slaspec.operation_id", e.OperationID)
	}
	if op := strings.TrimSpace(e.Method + " " + e.Path); op != "" {
		add("slaspec.operation", op)
	}
	if r := e.Result; r != nil {
		if r.Latency != nil {
			for _, p := range []struct {
				name string
				q    float64
			}{{"p50", loadrunner.P50}, {"p99", loadrunner.P99}, {"p99.9", loadrunner.P999}} {
				add("slaspec.latency."+p.name, fmtDur(r.Latency.Percentile(p.q)))
			}
			add("slaspec.latency.max", fmtDur(r.Latency.Max()))
		}
		add("slaspec.error_rate", fmtPct(r.ErrorRate()))
		add("slaspec.rate.achieved", fmtRate(r.AchievedRate)+" req/s")
		add("slaspec.rate.planned", fmtRate(r.PlannedRate)+" req/s")
		add("slaspec.requests", fmt.Sprint(r.Requests))
		add("slaspec.errors", fmt.Sprint(r.Errors.Total))
		if r.GC != nil {
			add("slaspec.gc.pause_max", fmtDur(r.GC.PauseMax))
			add("slaspec.gc.cycles", fmt.Sprint(r.GC.Cycles))
		}
	}
	for _, v := range e.Verdicts {
		add("slaspec.verdict."+v.Budget, fmt.Sprintf("%s → %s %s", v.Budget, v.Observed, v.Status))
	}
	return ps
}

// documentProperties describe the environment of the whole run.
func documentProperties(d *Document) []junitProperty {
	var ps []junitProperty
	add := func(name, value string) {
		if value != "" {
			ps = append(ps, junitProperty{Name: name, Value: clean(value)})
		}
	}
	env := d.Environment
	add("slaspec.go_version", env.GoVersion)
	add("slaspec.gomaxprocs", itoaNonZero(env.GOMAXPROCS))
	add("slaspec.num_cpu", itoaNonZero(env.NumCPU))
	add("slaspec.git_commit", env.GitCommit)
	add("slaspec.shard", env.Shard)
	if d.Partial {
		add("slaspec.partial", "true")
	}
	if d.Seed != 0 {
		add("slaspec.seed", fmt.Sprint(d.Seed))
	}
	return ps
}

// seconds renders a duration as JUnit's decimal seconds.
func seconds(d time.Duration) string {
	return fmt.Sprintf("%.3f", d.Seconds())
}
