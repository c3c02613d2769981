package report_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// renderers are the three formats, by name.
var renderers = []struct {
	name  string
	write func(io.Writer, *report.Document) error
}{
	{"markdown", report.WriteMarkdown},
	{"junit", report.WriteJUnit},
	{"html", report.WriteHTML},
}

func render(t *testing.T, write func(io.Writer, *report.Document) error, d *report.Document) string {
	t.Helper()
	var b bytes.Buffer
	if err := write(&b, d); err != nil {
		t.Fatalf("render: %v", err)
	}
	return b.String()
}

// TestEveryFormatHidesSecretsAndHostileBytes renders a document of real
// runs whose target URL and check messages held secrets: the runs recorded
// them redacted, so no format (the JSON document included) shows them, and
// each format copes with a hostile entry name.
func TestEveryFormatHidesSecretsAndHostileBytes(t *testing.T) {
	d := realDocument(t)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{secretBearer, secretKey, secretCookie} {
		if strings.Contains(string(b), secret) {
			t.Errorf("the JSON document shows the secret %q", secret)
		}
	}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			out := render(t, r.write, d)
			for _, secret := range []string{secretBearer, secretKey, secretCookie} {
				if strings.Contains(out, secret) {
					t.Errorf("%s report shows the secret %q", r.name, secret)
				}
			}
			if !utf8.ValidString(out) {
				t.Errorf("%s report is not valid UTF-8", r.name)
			}
			if i := strings.IndexFunc(out, func(r rune) bool { return r < 0x20 && r != '\n' && r != '\t' || r == 0x7f }); i >= 0 {
				t.Errorf("%s report holds control character %q at byte %d", r.name, out[i], i)
			}
			if strings.Contains(out, "<script") {
				t.Errorf("%s report lets the name's <script> tag through", r.name)
			}
		})
	}
}

func TestRenderersRejectNilDocument(t *testing.T) {
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			err := r.write(io.Discard, nil)
			if err == nil || !strings.Contains(err.Error(), "nil document") {
				t.Errorf("%s(nil) = %v, want an error naming the nil document", r.name, err)
			}
		})
	}
}

func TestRenderersReportWriteErrors(t *testing.T) {
	d := realDocument(t)
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			if err := r.write(failingWriter{}, d); err == nil {
				t.Errorf("%s into a failing writer returned no error", r.name)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, fmt.Errorf("disk full") }

func TestEmptyDocumentRenders(t *testing.T) {
	d := &report.Document{Suite: "empty"}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			if out := render(t, r.write, d); !strings.Contains(out, "empty") {
				t.Errorf("%s report of an empty document does not name the suite:\n%s", r.name, out)
			}
		})
	}
}

// A report rendered from the JSON document (as `slaspec report` does) is the
// report rendered from the live one.
func TestRenderingFromJSONIsLossless(t *testing.T) {
	d := realDocument(t)
	b, err := json.Marshal(d)
	if err != nil {
		t.Fatal(err)
	}
	var decoded report.Document
	if err := json.Unmarshal(b, &decoded); err != nil {
		t.Fatal(err)
	}
	for _, r := range renderers {
		t.Run(r.name, func(t *testing.T) {
			if live, fromJSON := render(t, r.write, d), render(t, r.write, &decoded); live != fromJSON {
				t.Errorf("%s report differs after a JSON round trip (live %d bytes, from JSON %d bytes)", r.name, len(live), len(fromJSON))
			}
		})
	}
}

func TestMarkdown(t *testing.T) {
	d := realDocument(t)
	md := render(t, report.WriteMarkdown, d)
	headline := fmt.Sprintf("%d passed, %d failed, %d inconclusive of %d operations",
		statusCount(d, sla.Passed), statusCount(d, sla.Failed), statusCount(d, sla.Inconclusive), len(d.Operations))
	if !strings.HasPrefix(md, "## ❌ SLA report: orders API\n") || !strings.Contains(md, headline) {
		t.Errorf("headline missing or wrong, want %q:\n%s", headline, md)
	}
	if strings.Contains(md, "partial") {
		t.Errorf("a complete run is flagged partial:\n%s", md)
	}
	if got, want := strings.Count(md, "\n### "), len(d.Operations); got != want {
		t.Errorf("%d operation headings, want %d", got, want)
	}
	if got, want := strings.Count(md, "| budget | observed | status |"), len(d.Operations); got != want {
		t.Errorf("%d verdict tables, want %d", got, want)
	}
	for _, e := range d.Operations {
		for _, v := range e.Verdicts {
			row := "| " + strings.NewReplacer("<", "&lt;", ">", "&gt;").Replace(v.Budget)
			if !strings.Contains(md, row) || !strings.Contains(md, v.Observed) {
				t.Errorf("no row for verdict %s (observed %s)", v.Budget, v.Observed)
			}
		}
		if e.Result != nil && !strings.Contains(md, fmt.Sprintf("%d requests", e.Result.Requests)) {
			t.Errorf("no load line with %d requests for %q", e.Result.Requests, e.Name)
		}
	}
	if got, want := strings.Count(md, "load: planned 200 req/s"), resultCount(d); got != want {
		t.Errorf("%d load lines with the planned rate, want %d", got, want)
	}
	for _, icon := range []string{"✅ pass", "❌ fail", "⚠️ inconclusive"} {
		if !strings.Contains(md, icon) {
			t.Errorf("no verdict marked %q", icon)
		}
	}
	checkMarkdownTables(t, md)
}

func TestMarkdownEscapesAndDeduplicates(t *testing.T) {
	d := realDocument(t)
	md := render(t, report.WriteMarkdown, d)
	if !strings.Contains(md, `POST /items\|x &lt;script&gt;`) {
		t.Errorf("the hostile name is not escaped:\n%s", md)
	}
	findings := d.Operations[3].Findings
	merged := fmt.Sprintf("| %d | 200 | POST /items /id |", findings[0].Count+findings[2].Count)
	if !strings.Contains(md, merged) {
		t.Errorf("the repeated finding is not merged into %q:\n%s", merged, md)
	}
	if n := strings.Count(md, "string too long"); n != 1 {
		t.Errorf("finding listed %d times, want once", n)
	}
	partial := *d
	partial.Partial = true
	if !strings.Contains(render(t, report.WriteMarkdown, &partial), "**partial**") {
		t.Error("a partial run is not flagged in the headline")
	}
}

// checkMarkdownTables checks that every table row has as many cells as its
// header: an unescaped pipe in a cell would add one.
func checkMarkdownTables(t *testing.T, md string) {
	t.Helper()
	unescapedPipe := regexp.MustCompile(`(^|[^\\])\|`)
	cells := -1
	for _, line := range strings.Split(md, "\n") {
		if !strings.HasPrefix(line, "|") {
			cells = -1
			continue
		}
		n := len(unescapedPipe.FindAllString(line, -1))
		if cells < 0 {
			cells = n
		} else if n != cells {
			t.Errorf("table row has %d pipes, header has %d: %s", n, cells, line)
		}
	}
}

func resultCount(d *report.Document) int {
	n := 0
	for _, e := range d.Operations {
		if e.Result != nil {
			n++
		}
	}
	return n
}

// junitDoc is the part of JUnit XML a CI system reads.
type junitDoc struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Suites   []struct {
		Name       string          `xml:"name,attr"`
		Tests      int             `xml:"tests,attr"`
		Properties []junitProperty `xml:"properties>property"`
		Cases      []struct {
			Classname  string          `xml:"classname,attr"`
			Name       string          `xml:"name,attr"`
			Properties []junitProperty `xml:"properties>property"`
			Failure    *junitProblem   `xml:"failure"`
			Error      *junitProblem   `xml:"error"`
			Skipped    *junitProblem   `xml:"skipped"`
			SystemOut  string          `xml:"system-out"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

func TestJUnit(t *testing.T) {
	d := realDocument(t)
	out := render(t, report.WriteJUnit, d)
	checkWellFormed(t, out)
	var j junitDoc
	if err := xml.Unmarshal([]byte(out), &j); err != nil {
		t.Fatalf("JUnit XML does not parse: %v\n%s", err, out)
	}
	failed, inconclusive := statusCount(d, sla.Failed), statusCount(d, sla.Inconclusive)
	if j.Tests != len(d.Operations) || j.Failures != failed || j.Errors != inconclusive || len(j.Suites) != 1 {
		t.Fatalf("tests=%d failures=%d errors=%d suites=%d, want %d, %d, %d, 1", j.Tests, j.Failures, j.Errors, len(j.Suites),
			len(d.Operations), failed, inconclusive)
	}
	s := j.Suites[0]
	if s.Name != d.Suite || len(s.Cases) != len(d.Operations) || property(s.Properties, "slaspec.go_version") != d.Environment.GoVersion {
		t.Errorf("suite %q with %d cases and go %q, want %q, %d, %q", s.Name, len(s.Cases),
			property(s.Properties, "slaspec.go_version"), d.Suite, len(d.Operations), d.Environment.GoVersion)
	}
	for i, c := range s.Cases {
		e := d.Operations[i]
		if c.Classname != d.Suite {
			t.Errorf("case %d classname %q, want the suite", i, c.Classname)
		}
		if e.Name != hostileName && c.Name != e.Name {
			t.Errorf("case %d name %q, want %q", i, c.Name, e.Name)
		}
		checkJUnitCase(t, e, c.Failure, c.Error, c.Properties)
	}
	hostile := s.Cases[3].Name
	if !strings.Contains(hostile, "<script>") || !strings.Contains(hostile, "]]>") || strings.Contains(hostile, "\x00") {
		t.Errorf("hostile name %q should survive as text, without its control characters", hostile)
	}
}

func checkJUnitCase(t *testing.T, e report.Entry, failure, errElem *junitProblem, props []junitProperty) {
	t.Helper()
	switch e.Status {
	case sla.Failed:
		if failure == nil {
			t.Fatalf("%q failed its SLA but has no <failure>", e.Name)
		}
		for _, v := range e.Verdicts {
			if v.Status == sla.Failed && !strings.Contains(failure.Message, v.Budget) {
				t.Errorf("failure message %q does not name the failed budget %s", failure.Message, v.Budget)
			}
		}
		if !strings.HasPrefix(failure.Body, "SLA not met: "+e.SLA.String()) || !strings.Contains(failure.Body, "latency") {
			t.Errorf("failure body is not the Explain text:\n%s", failure.Body)
		}
	case sla.Inconclusive:
		if errElem == nil || !strings.Contains(errElem.Message, "inconclusive") || errElem.Body == "" {
			t.Errorf("inconclusive %q has no <error> saying why: %+v", e.Name, errElem)
		}
	default:
		if failure != nil || errElem != nil {
			t.Errorf("passing %q has a failure or error", e.Name)
		}
	}
	if property(props, "slaspec.status") != string(e.Status) {
		t.Errorf("%q status property %q, want %q", e.Name, property(props, "slaspec.status"), e.Status)
	}
	for _, v := range e.Verdicts {
		want := v.Budget + " → " + v.Observed + " " + string(v.Status)
		if got := property(props, "slaspec.verdict."+v.Budget); got != want {
			t.Errorf("verdict property %q, want %q", got, want)
		}
	}
	if e.Result == nil {
		return
	}
	for _, name := range []string{"p50", "p99", "p99.9", "max"} {
		if property(props, "slaspec.latency."+name) == "" {
			t.Errorf("%q has no %s latency property", e.Name, name)
		}
	}
	if got := property(props, "slaspec.requests"); got != fmt.Sprint(e.Result.Requests) {
		t.Errorf("requests property %q, want %d", got, e.Result.Requests)
	}
	for _, name := range []string{"slaspec.error_rate", "slaspec.rate.achieved", "slaspec.rate.planned"} {
		if property(props, name) == "" {
			t.Errorf("%q has no %s property", e.Name, name)
		}
	}
}

func property(ps []junitProperty, name string) string {
	for _, p := range ps {
		if p.Name == name {
			return p.Value
		}
	}
	return ""
}

// checkWellFormed reads every token of an XML document strictly.
func checkWellFormed(t *testing.T, doc string) {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	dec.Strict = true
	for {
		_, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
	}
}

// TestOperationValuesAndCoverage checks that the Markdown and HTML reports
// say where each parameter's values came from and which documented
// responses were seen, escaping what the service or document chose.
func TestOperationValuesAndCoverage(t *testing.T) {
	e := entry("GET /pets/{id}", "p50<1s", nil)
	e.Sources = []contract.ParamSource{
		{In: "path", Name: "id", From: map[string]int{"learned from listPets": 140, "schema": 10}, Values: []string{"1000", "1001"}},
		{In: "query", Name: "tag|<b>", From: map[string]int{"example": 150}},
	}
	e.Coverage = &contract.Coverage{Responses: []contract.ResponseCount{
		{Status: "200", ContentType: "application/json", Count: 150, Documented: true},
		{Status: "404", Documented: true},
	}}
	d := &report.Document{Suite: "pets", Operations: []report.Entry{e}}
	md := render(t, report.WriteMarkdown, d)
	for _, want := range []string{
		"| parameter | values from | first values |",
		"| id (path) | learned from listPets ×140, schema ×10 | 1000, 1001 |",
		"| tag\\|&lt;b&gt; (query) | example ×150 | - |",
		"| 200 | application/json | 150 | yes |",
		"| 404 | - | never | yes |",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("Markdown lacks %q:\n%s", want, md)
		}
	}
	checkMarkdownTables(t, md)
	html := render(t, report.WriteHTML, d)
	for _, want := range []string{
		"<h3>Request values</h3>",
		`<td class="mono">id (path)</td><td>learned from listPets ×140, schema ×10</td><td class="mono">1000, 1001</td>`,
		`<td class="mono">tag|&lt;b&gt; (query)</td>`,
		"<h3>Response coverage</h3>",
		"<td>never</td>",
	} {
		if !strings.Contains(html, want) {
			t.Errorf("HTML lacks %q", want)
		}
	}
}

// TestEntryNameIsRedacted: a spec text that quotes a secret-bearing URL
// names the entry with the secret redacted.
func TestEntryNameIsRedacted(t *testing.T) {
	e := report.NewEntry("GET /orders?api_key="+secretKey+" holds", sla.SLA{}, nil)
	if strings.Contains(e.Name, secretKey) || !strings.Contains(e.Name, "api_key=REDACTED") {
		t.Errorf("entry name %q, want api_key=REDACTED", e.Name)
	}
}

// TestLoadLineNamesTheProtocol: a run over HTTP/2 says so in the Markdown
// and HTML reports; plain HTTP/1.1 is not mentioned.
func TestLoadLineNamesTheProtocol(t *testing.T) {
	for _, c := range []struct {
		protocols map[string]uint64
		want      string
	}{
		{map[string]uint64{"HTTP/2.0": 200}, " · HTTP/2.0"},
		{map[string]uint64{"HTTP/2.0": 150, "HTTP/1.1": 50}, " · HTTP/2.0 150, HTTP/1.1 50"},
		{map[string]uint64{"HTTP/1.1": 200}, ""},
	} {
		res := *realDocument(t).Operations[0].Result
		res.Protocols = c.protocols
		d := &report.Document{Suite: "protocols", Operations: []report.Entry{entry("GET /x", "p50<1s", &res)}}
		for name, write := range map[string]func(io.Writer, *report.Document) error{"markdown": report.WriteMarkdown, "html": report.WriteHTML} {
			out := render(t, write, d)
			if c.want != "" && !strings.Contains(out, c.want) || c.want == "" && strings.Contains(out, "HTTP/1.1") {
				t.Errorf("%s with %v: want %q in the load line", name, c.protocols, c.want)
			}
		}
	}
}
