package ginkgoplugin_test

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/sla"

	"github.com/slaspec/slaspec/report"
)

// runSuite runs testdata/loadsuite with ginkgo -p and returns the report dir,
// the combined output and the exit error.
func runSuite(t *testing.T, env ...string) (string, string, error) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(testtool.GinkgoCLI(t), "-p", "--procs=3", "--no-color", "./testdata/loadsuite")
	cmd.Env = append(os.Environ(), append(env, "SLASPEC_REPORT_DIR="+dir)...)
	out, err := cmd.CombinedOutput()
	return dir, string(out), err
}

func readReport(t *testing.T, dir, out string) *report.Document {
	t.Helper()
	doc, err := report.ReadDocument(filepath.Join(dir, "sla-report.json"))
	if err != nil {
		t.Fatalf("%v\nginkgo output:\n%s", err, out)
	}
	return doc
}

func TestParallelRunAggregatesEverySpecOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo -p suite")
	}
	dir, out, err := runSuite(t)
	if err != nil {
		t.Fatalf("suite failed: %v\n%s", err, out)
	}
	doc := readReport(t, dir, out)
	if len(doc.Operations) != 6 {
		t.Fatalf("%d entries, want 6 (one per load spec, from every process)\n%s", len(doc.Operations), out)
	}
	seen := map[string]bool{}
	for _, e := range doc.Operations {
		if seen[e.Name] {
			t.Fatalf("entry %q counted twice", e.Name)
		}
		seen[e.Name] = true
		if e.Result.Requests != 100 || e.Status != sla.Passed || len(e.Verdicts) == 0 {
			t.Errorf("%s: %d requests, status %s", e.Name, e.Result.Requests, e.Status)
		}
		if !strings.Contains(strings.Join(e.Labels, ","), "load") {
			t.Errorf("%s: labels %v lack the spec's labels", e.Name, e.Labels)
		}
	}
	if doc.Partial || doc.Environment.GoVersion == "" || doc.Environment.NumCPU == 0 {
		t.Errorf("document partial %v, environment %+v", doc.Partial, doc.Environment)
	}
	for _, f := range []string{"sla-report.md", "sla-report.html", "sla-report.junit.xml"} {
		if st, err := os.Stat(filepath.Join(dir, f)); err != nil || st.Size() == 0 {
			t.Errorf("report %s missing or empty: %v", f, err)
		}
	}
	if !strings.Contains(out, "slaspec: 6 load specs: 6 passed, 0 failed, 0 inconclusive") {
		t.Errorf("the suite does not say where the reports are:\n%s", out)
	}
}

func TestFailingSLAFailsTheSuiteAndTheReportSaysWhy(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo -p suite")
	}
	dir, out, err := runSuite(t, "LOADSUITE_FAIL=1", "SLASPEC_REPORT_FORMATS=json,md")
	if err == nil {
		t.Fatalf("the suite passed with a failing SLA\n%s", out)
	}
	for _, want := range []string{"SLA not met: errors<1%", "observed 25%", "http.5xx"} {
		if !strings.Contains(out, want) {
			t.Errorf("ginkgo output lacks %q", want)
		}
	}
	// Each failed spec prints its verdicts and run once: the SLA failure in
	// its failure message only, the later failure's load in its timeline.
	for _, spec := range []string{"[It] a failing spec", "[It] a spec whose load passes and a later assertion fails"} {
		block := specBlock(out, spec)
		if n := strings.Count(block, "(latency of the successful requests"); n != 1 {
			t.Errorf("%s: %d run tables, want 1:\n%s", spec, n, block)
		}
	}
	if n := strings.Count(out, "FAIL         errors<1%"); n != 1 {
		t.Errorf("the failing verdict is printed %d times, want once:\n%s", n, out)
	}
	doc := readReport(t, dir, out)
	if _, failed, _ := doc.Counts(); failed != 2 || len(doc.Operations) != 8 {
		t.Fatalf("%d entries with %d failed; want 8 and 2\n%s", len(doc.Operations), failed, out)
	}
	// The report says what Ginkgo says: a load that met its SLA in a spec
	// that then failed is not a PASS anywhere.
	var later *report.Entry
	for i, e := range doc.Operations {
		if strings.Contains(e.Name, "later assertion fails") {
			later = &doc.Operations[i]
		}
	}
	if later == nil || later.Status != sla.Failed || later.SpecState != "failed" || !strings.Contains(later.SpecFailure, "a later assertion of the spec") {
		t.Fatalf("the entry of the spec that failed after its load: %+v", later)
	}
	md, err := os.ReadFile(filepath.Join(dir, "sla-report.md"))
	if err != nil || !strings.Contains(string(md), report.SpecBudget) || !strings.Contains(string(md), "a later assertion of the spec") {
		t.Errorf("the Markdown report does not say the spec failed (%v)", err)
	}
	if !strings.Contains(out, "slaspec: 8 load specs: 6 passed, 2 failed") {
		t.Errorf("the suite's summary does not count the failed spec:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "sla-report.html")); !os.IsNotExist(err) {
		t.Errorf("SLASPEC_REPORT_FORMATS=json,md still wrote HTML")
	}
}

// specBlock is the part of Ginkgo's output about the spec whose heading
// holds name (between the separator lines Ginkgo prints around a spec).
func specBlock(out, name string) string {
	for _, block := range strings.Split(out, "------------------------------") {
		if strings.Contains(block, name) {
			return block
		}
	}
	return ""
}

func TestInterruptedRunStillWritesPartialReports(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo -p suite")
	}
	dir := t.TempDir()
	cmd := exec.Command(testtool.GinkgoCLI(t), "-p", "--procs=2", "--no-color", "./testdata/loadsuite")
	cmd.Env = append(os.Environ(), "LOADSUITE_LONG=1", "SLASPEC_REPORT_DIR="+dir, "SLASPEC_REPORT_FORMATS=json")
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // signal the group, as Ctrl-C does
	stdout, _ := cmd.StdoutPipe()
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	done := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			out.WriteString(sc.Text() + "\n")
		}
		close(done)
	}()
	time.Sleep(8 * time.Second) // the short specs finish; the long one is loading
	syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		t.Fatal("ginkgo did not stop within 60s of SIGINT")
	}
	cmd.Wait()
	doc := readReport(t, dir, out.String())
	if !doc.Partial {
		t.Fatalf("an interrupted run's report is not marked partial\n%s", out.String())
	}
	var long *report.Entry
	for i, e := range doc.Operations {
		if strings.Contains(e.Name, "a long spec") {
			long = &doc.Operations[i]
		}
	}
	if long == nil || !long.Result.Partial || long.Result.Requests == 0 || long.Result.Requests >= 6000 {
		t.Fatalf("the interrupted spec's entry is missing or not partial: %+v\n%s", long, out.String())
	}
}

// TestProgressAndGinkgoJUnit polls Ginkgo's progress during a long load spec
// and writes Ginkgo's own JUnit report: the progress report shows the live
// figures of the running load, and the JUnit report carries each load spec's
// figures as properties.
func TestProgressAndGinkgoJUnit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo suite")
	}
	dir := t.TempDir()
	junit := filepath.Join(dir, "ginkgo-junit.xml")
	cmd := exec.Command(testtool.GinkgoCLI(t), "--no-color", "--poll-progress-after=2s", "--poll-progress-interval=1s", "--label-filter=!load",
		"--junit-report="+junit, "./testdata/loadsuite")
	cmd.Env = append(os.Environ(), "LOADSUITE_LONG=1", "SLASPEC_DURATION=5s", "SLASPEC_REPORT_DIR="+dir, "SLASPEC_REPORT_FORMATS=json")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("suite failed: %v\n%s", err, out)
	}
	if !regexp.MustCompile(`slaspec: load specs a long spec: measuring, [0-9.]+s elapsed; sent \d+ of 500 at [0-9.]+ req/s`).Match(out) {
		t.Fatalf("no live load figures in Ginkgo's progress report:\n%s", out)
	}
	b, err := os.ReadFile(junit)
	if err != nil {
		t.Fatal(err)
	}
	// The property carries the entry's JSON (verdicts and result); the
	// spec's output carries its readable figures.
	for _, want := range []string{`<property name="slaspec" value="{&#34;name&#34;:&#34;load specs a long spec&#34;`, "&#34;status&#34;:&#34;pass&#34;", "SLA pass: p50&lt;1s", "achieved 100.0 req/s"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("Ginkgo's JUnit report lacks %q:\n%s", want, b)
		}
	}
}

// TestBaselineGatesTheSuite runs the suite once to make a baseline, then
// again with every load spec 2 ms slower and SLASPEC_BASELINE set: the
// second run must fail on the regression and say which specs regressed.
func TestBaselineGatesTheSuite(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo -p suite twice")
	}
	baseDir, out, err := runSuite(t, "SLASPEC_REPORT_FORMATS=json")
	if err != nil {
		t.Fatalf("baseline run failed: %v\n%s", err, out)
	}
	baseline := filepath.Join(baseDir, "sla-report.json")
	if _, out, err := runSuite(t, "SLASPEC_REPORT_FORMATS=json", "SLASPEC_BASELINE="+baseline); err != nil {
		t.Fatalf("an unchanged run failed against its baseline: %v\n%s", err, out)
	}
	_, out, err = runSuite(t, "SLASPEC_REPORT_FORMATS=json", "SLASPEC_BASELINE="+baseline, "LOADSUITE_SLOW=1")
	if err == nil {
		t.Fatalf("a 2 ms slower run passed against its baseline:\n%s", out)
	}
	for _, want := range []string{"regression against the baseline", "load specs spec 0 holds its SLA", "regressed"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestContractSuiteCoverage runs DescribeContract against the in-repo pet
// store: with discovery every operation sees its documented 2xx; without it
// the operations on /pets/{id} do not pass and say why, and the report
// carries the coverage and the values' sources.
func TestContractSuiteCoverage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo suite")
	}
	for _, noDiscover := range []bool{false, true} {
		dir := t.TempDir()
		cmd := exec.Command(testtool.GinkgoCLI(t), "--no-color", "./testdata/contractsuite")
		cmd.Env = append(os.Environ(), "SLASPEC_REPORT_DIR="+dir)
		if noDiscover {
			cmd.Env = append(cmd.Env, "CONTRACTSUITE_NO_DISCOVER=1")
		}
		b, _ := cmd.CombinedOutput()
		out := string(b)
		doc := readReport(t, dir, out)
		if !noDiscover && strings.Contains(out, "no 2xx response") {
			t.Errorf("with discovery an operation saw no 2xx:\n%s", out)
		}
		if noDiscover && (!strings.Contains(out, "no 2xx response in") || !strings.Contains(out, "204 (no content)")) {
			t.Errorf("without discovery the failure does not say why:\n%s", out)
		}
		if len(doc.Operations) != 4 {
			t.Fatalf("%d entries, want 4\n%s", len(doc.Operations), out)
		}
		for _, e := range doc.Operations {
			if e.Coverage == nil || e.Coverage.Total == 0 || len(e.Sources) == 0 && e.Path != "/pets" {
				t.Errorf("%s: coverage %+v, sources %+v", e.Name, e.Coverage, e.Sources)
				continue
			}
			// The generator of a loaded machine may make budgets
			// inconclusive; the coverage verdict does not depend on it.
			want := sla.Passed
			if noDiscover && e.Path == "/pets/{id}" {
				want = sla.Inconclusive
			}
			if got := e.Coverage.Verdict().Status; got != want || e.Status == sla.Passed && want != sla.Passed {
				t.Errorf("discovery off %v: %s: coverage %s, entry %s; want coverage %s", noDiscover, e.Name, got, e.Status, want)
			}
		}
	}
}

// TestContractSuiteRefusesAnInconclusivePlan: DescribeContract fails every
// operation whose load cannot make its budget conclusive, at once, saying
// what would.
func TestContractSuiteRefusesAnInconclusivePlan(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo suite")
	}
	cmd := exec.Command(testtool.GinkgoCLI(t), "--no-color", "./testdata/contractsuite")
	cmd.Env = append(os.Environ(), "SLASPEC_REPORT_DIR="+t.TempDir(), "CONTRACTSUITE_P99=1")
	b, err := cmd.CombinedOutput()
	out := string(b)
	if err == nil || strings.Count(out, "p99 needs 1,000 samples; 50 req/s × 1s gives 50: use Duration 20s or Rate 1000, or budget p80") != 4 ||
		!strings.Contains(out, "so nothing was sent") || strings.Contains(out, "slaspec: SLA verdicts") {
		t.Errorf("the suite did not refuse its four inconclusive specs at once (%v):\n%s", err, out)
	}
}

// TestPlantedSecretsNeverShow runs testdata/secretsuite — secrets planted
// in URLs, headers, a bearer token and an API key, echoed by the service,
// failing a Gomega SLA, a testify assertion and a contract spec — with
// ginkgo -p, Ginkgo's own JUnit and JSON reports and progress polling: no
// secret appears in the console, Ginkgo's reports or the SLA reports.
func TestPlantedSecretsNeverShow(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo -p suite")
	}
	dir := t.TempDir()
	cmd := exec.Command(testtool.GinkgoCLI(t), "-p", "--procs=2", "--no-color", "--poll-progress-after=1s", "--poll-progress-interval=1s",
		"--junit-report="+filepath.Join(dir, "ginkgo-junit.xml"), "--json-report="+filepath.Join(dir, "ginkgo.json"), "./testdata/secretsuite")
	cmd.Env = append(os.Environ(), "SLASPEC_REPORT_DIR="+filepath.Join(dir, "sla-report"))
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the suite passed, yet its specs fail on purpose:\n%s", out)
	}
	outputs := map[string]string{"console": string(out)}
	filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(path)
			outputs[path] = string(b)
		}
		return nil
	})
	if len(outputs) < 7 { // the console, Ginkgo's two reports, the SLA report in four formats
		t.Fatalf("outputs %d, want 7:\n%s", len(outputs), out)
	}
	for name, text := range outputs {
		for _, secret := range testtool.Secrets() {
			if n := strings.Count(text, secret); n > 0 {
				t.Errorf("%s shows %q %d times", name, secret, n)
			}
		}
	}
	for _, want := range []string{"SLA not met: errors<1%", "Error Trace:", "api_key=REDACTED", "shop_ref=REDACTED"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("the console lacks %q (the failure did not happen or did not quote the echo):\n%s", want, out)
		}
	}
}
