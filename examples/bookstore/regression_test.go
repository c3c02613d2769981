package bookstore_test

import (
	"github.com/slaspec/slaspec/internal/testtool"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
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
		cmd.Env = append(cmd.Env, "BOOKSTORE_REGRESSED=1")
	}
	out, err := cmd.CombinedOutput()
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
		"[FAIL] Bookstore GET /search",                           // the quadratic search
	} {
		if !strings.Contains(badOut, want) {
			t.Errorf("the regressed run's output lacks %q", want)
		}
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
