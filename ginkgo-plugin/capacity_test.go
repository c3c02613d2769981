package ginkgoplugin_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/sla"
)

// TestLoadCapacityReports runs the capacity fixture suite with ginkgo -p:
// each search attaches its entry, process 1 gathers both (one decoded from
// another process's JSON when the specs spread), and the reports show the
// capacity and its plot.
func TestLoadCapacityReports(t *testing.T) {
	dir := t.TempDir()
	cmd := exec.Command(testtool.GinkgoCLI(t), "-p", "--procs=2", "--no-color", "./testdata/capacitysuite")
	cmd.Env = append(os.Environ(), "SLASPEC_REPORT_DIR="+dir)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("capacity suite: %v\n%s", err, out)
	}
	doc := readReport(t, dir, string(out))
	bounding := "" // the heading of the profiled search's bounding step
	if len(doc.Operations) != 2 {
		t.Fatalf("%d entries, want 2\n%s", len(doc.Operations), out)
	}
	for _, e := range doc.Operations {
		c := e.Capacity
		if c == nil || len(c.Steps) == 0 || e.Result == nil || len(e.Verdicts) == 0 {
			t.Fatalf("entry %q lacks its capacity search, result or verdicts", e.Name)
		}
		starved := e.Name == "starved generator"
		if !starved && c.GeneratorBound {
			// A busy machine starved the generator below the service's
			// capacity too: the suite skips that spec, saying so, and the
			// entry says it as the starved one does.
			t.Logf("entry %q is generator bound on this busy machine: %s", e.Name, c.Knee)
			starved = true
		}
		if c.GeneratorBound != starved || e.Status != c.Status {
			t.Errorf("entry %q: generator bound %v, status %s (search %s)", e.Name, c.GeneratorBound, e.Status, c.Status)
		}
		if !starved && (c.Status != sla.Passed || e.Result.Plan.Rate != c.CapacityRPS) { // the step's planned rate (PlannedRate is what its schedule measured)
			t.Errorf("entry %q: the result attached should be the step at the capacity %.0f req/s, is at %.0f", e.Name, c.CapacityRPS, e.Result.Plan.Rate)
		}
		if e.Name != "starved generator" {
			// WithProfile: each step profiled the service into its own folder.
			for _, s := range c.Steps {
				want := filepath.Join(dir, "profiles", "capacity_of_a_serialised_service", capacity.StepName(s.Rate))
				if p := s.Result.Profiles; p == nil || p.Dir != want {
					t.Errorf("entry %q, step at %g req/s: profiles %+v, want the folder %s", e.Name, s.Rate, p, want)
				} else if _, err := os.Stat(filepath.Join(want, "allocs.pb.gz")); err != nil {
					t.Errorf("entry %q, step at %g req/s: %v", e.Name, s.Rate, err)
				}
			}
			if b := c.BoundingStep(); b != nil {
				bounding = capacity.BoundingHeading(b)
			}
		}
	}
	page, err := os.ReadFile(filepath.Join(dir, "sla-report.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Capacity search", "Capacity: p99 latency against offered rate", "Capacity: error rate against offered rate", "the capacity shown is a lower bound", bounding} {
		if !strings.Contains(string(page), want) {
			t.Errorf("HTML report lacks %q", want)
		}
	}
}
