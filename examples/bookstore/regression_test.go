package bookstore_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
)

// runSLASuite runs the bookstore SLA suite's getBook and search specs with
// ginkgo -p, against the good or the regressed build, and returns the report
// directory, the output and whether it passed.
func runSLASuite(t *testing.T, regressed bool) (string, string, bool) {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(testtool.GinkgoCLI(t), "-p", "--no-color", "--label-filter=getBook || searchBooks", "./sla")
	cmd.Env = append(os.Environ(), "SLASPEC_REPORT_DIR="+dir, "BOOKSTORE_REGRESSED=")
	if regressed {
		// A regressed build that the machine leaves inconclusive must still
		// not pass: it fails here, whatever CI's SLASPEC_INCONCLUSIVE says.
		cmd.Env = append(cmd.Env, "BOOKSTORE_REGRESSED=1", "SLASPEC_INCONCLUSIVE=fail")
	}
	unlock := testtool.LockSuite(t, "./sla")
	out, err := cmd.CombinedOutput()
	unlock()
	return dir, string(out), err == nil
}

// TestRegressedBuildIsCaught is the release gate's demo: the good build
// passes; the regressed build fails, its failure messages point at the
// broken field and the slow endpoint, and slaspec compare against the good
// run names the regressed operations.
func TestRegressedBuildIsCaught(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the SLA suite twice")
	}
	goodDir, goodOut, ok := runSLASuite(t, false)
	if !ok {
		t.Fatalf("the good build failed its SLA suite:\n%s", goodOut)
	}
	badDir, badOut, ok := runSLASuite(t, true)
	if ok {
		t.Fatalf("the regressed build passed its SLA suite:\n%s", badOut)
	}
	for _, want := range []string{
		"SLA not met: p99<50ms, errors<0.1%, errors.contract==0", // GET /books/{id}
		"operation getBook: status 200: body schema at /price",   // the contract break, with its JSON pointer
	} {
		if !strings.Contains(badOut, want) {
			t.Errorf("the regressed run's output lacks %q", want)
		}
	}
	// The quadratic search fails its budget, or, on a machine its CPU burn
	// leaves too busy, runs out of its spec's time: never a pass.
	if !strings.Contains(badOut, "[FAIL] Bookstore GET /search") && !strings.Contains(badOut, "[TIMEDOUT] Bookstore GET /search") {
		t.Errorf("the regressed run's output does not fail GET /search:\n%s", badOut)
	}
	cmd := exec.Command("go", "run", "../../cmd/slaspec", "compare", "-baseline",
		filepath.Join(goodDir, "sla-report.json"), filepath.Join(badDir, "sla-report.json"))
	out, err := cmd.CombinedOutput()
	if ee, isExit := err.(*exec.ExitError); !isExit || ee.ExitCode() != 1 {
		t.Fatalf("slaspec compare: %v, want exit 1\n%s", err, out)
	}
	var regressedOps []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, " regressed ") {
			regressedOps = append(regressedOps, line)
		}
	}
	joined := strings.Join(regressedOps, "\n")
	if !strings.Contains(joined, "GET /search") || !strings.Contains(joined, "GET /books/{id}") {
		t.Fatalf("compare does not name both regressed operations:\n%s", out)
	}
}

// TestRegressedProcessNamesItsCause runs the suite's separate-process spec
// against the regressed build, profiled, at a fifth of its rate (at the full
// rate the regressed search needs more than two cores and the service stops
// answering even its profiler): the report's CPU profile has the regressed
// ranking among the service's top three cumulative frames, the console names
// it, and a spec that does not pass says "CPU in the window".
func TestRegressedProcessNamesItsCause(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the SLA suite")
	}
	dir := t.TempDir()
	cmd := exec.Command(testtool.GinkgoCLI(t), "-v", "--no-color", "--label-filter=process", "./sla")
	cmd.Env = append(os.Environ(), "SLASPEC_REPORT_DIR="+dir, "BOOKSTORE_REGRESSED=1", "SLASPEC_RATE_SCALE=0.2")
	unlock := testtool.LockSuite(t, "./sla")
	out, err := cmd.CombinedOutput()
	unlock()
	doc, rerr := report.ReadDocument(filepath.Join(dir, "sla-report.json"))
	if rerr != nil || len(doc.Operations) != 1 || doc.Operations[0].Result.Profiles == nil || doc.Operations[0].Result.Profiles.CPU == nil {
		t.Fatalf("no profiled entry in the report (%v):\n%s", rerr, out)
	}
	const want = "github.com/slaspec/slaspec/examples/bookstore/service.(*server).rankQuadratic"
	top := doc.Operations[0].Result.Profiles.CPU.TopOwn
	if !slices.ContainsFunc(top[:min(3, len(top))], func(f loadrunner.Frame) bool { return f.Function == want }) {
		t.Errorf("top three own CPU frames %+v lack %s", top[:min(3, len(top))], want)
	}
	if !strings.Contains(string(out), "service.(*server).rankQuadratic") {
		t.Errorf("the console does not name rankQuadratic:\n%s", out)
	}
	if err != nil && !strings.Contains(string(out), "CPU in the window: ") {
		t.Errorf("the failure does not say where the CPU went:\n%s", out)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "profiles", "*", "cpu.pb.gz")); len(files) != 1 {
		t.Errorf("CPU profiles beside the reports: %q, want one", files)
	}
}
