package ginkgoplugin

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/onsi/ginkgo/v2"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// LoadCapacity runs a capacity search (capacity.Find) against target
// from inside a spec and returns it: the highest offered rate at which sla
// (the SLA grammar) holds, the knee, and every step. The configuration
// scales the search (SLASPEC_RATE_SCALE multiplies Min and Max,
// SLASPEC_DURATION replaces StepDuration); a progress reporter shows the
// running step when Ginkgo polls progress; the step table goes to
// GinkgoWriter; and the search is attached as the report entry "slaspec",
// with the highest passing step's result (the first step's when none
// passed), so the HTML report plots p99 latency and error rate against the
// offered rate. Under a shard other than 0 the spec is skipped: one
// generator searches, not every shard at once.
//
// LoadCapacity fails the spec only when the search cannot run (a bad SLA or
// plan); assert on what it found:
//
//	It("takes 800 req/s within its SLA", func(ctx SpecContext) {
//		c := ginkgoplugin.LoadCapacity(ctx, loadrunner.HTTP(url), "p99<100ms, errors<0.1%",
//			capacity.Plan{Min: 200, Max: 1600, Steps: 8, StepDuration: 10 * time.Second})
//		Expect(c.GeneratorBound).To(BeFalse(), "the generator, not the service, set the limit")
//		Expect(c.CapacityRPS).To(BeNumerically(">=", 800))
//	}, SpecTimeout(10*time.Minute))
//
// Options: WithName, WithOperationID, WithRunOptions and WithProfile (or
// SLASPEC_PROFILE) apply; WithSLA is not needed (sla is the search's).
// Profiled, each step profiles the service into a folder of its own under
// the spec's (profiles/<spec>/step-<rate>rps), and the step table is
// followed by where the service spent its time in the step that broke the
// SLA.
func LoadCapacity(ctx context.Context, target loadrunner.Target, budget string, cp capacity.Plan, opts ...LoadOption) *capacity.Result {
	ginkgo.GinkgoHelper()
	mustRunInSpec("LoadCapacity")
	spec := loadSpec{}
	for _, o := range opts {
		o.applyLoad(&spec)
	}
	parsed, err := sla.Parse(budget)
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	cfg, err := currentConfig()
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	if cfg.Shard.Count > 1 && cfg.Shard.Index != 0 {
		ginkgo.Skip(fmt.Sprintf("slaspec: a capacity search runs on shard 0 only (this is shard %d/%d)", cfg.Shard.Index, cfg.Shard.Count))
	}
	cp.Min, cp.Max = cp.Min*cfg.RateScale, cp.Max*cfg.RateScale
	if cfg.Duration > 0 {
		cp.StepDuration = cfg.Duration
	}
	specReport := ginkgo.CurrentSpecReport()
	if spec.name == "" {
		spec.name = specReport.FullText()
	}
	var live atomic.Pointer[loadrunner.Progress]
	detach := ginkgo.AttachProgressReporter(func() string { return progressText(spec.name+" (capacity search)", live.Load()) })
	defer detach()
	runOpts := append([]loadrunner.Option{loadrunner.WithProgress(func(p loadrunner.Progress) error {
		live.Store(&p)
		return nil
	})}, spec.runOpts...)
	runOpts = append(runOpts, cfg.safety()...)
	if dir, profile := spec.profiler(cfg); profile != nil {
		// Each step profiles the service into a folder of its own.
		own := cp.StepOptions
		cp.StepOptions = func(rate float64) []loadrunner.Option {
			var opts []loadrunner.Option
			if own != nil {
				opts = own(rate)
			}
			return append(opts, profile(filepath.Join(dir, capacity.StepName(rate))))
		}
	}
	highest := loadrunner.Plan{Rate: cp.Max, Duration: cp.StepDuration, Warmup: cp.Warmup}
	if err := loadrunner.CheckSafety(highest, target, runOpts...); err != nil {
		ginkgo.Fail(fmt.Sprintf("slaspec: %s: the highest step, %g req/s: %v", spec.name, cp.Max, err))
	}
	c, err := capacity.Find(ctx, target, parsed, cp, runOpts...)
	if err != nil {
		ginkgo.Fail(fmt.Sprintf("slaspec: %s: %v", spec.name, err))
	}
	capacity.Write(ginkgo.GinkgoWriter, c)
	if len(c.Steps) > 0 {
		entry, err := spec.capacityEntry(c, specReport.Labels())
		if err != nil {
			ginkgo.Fail(err.Error())
		}
		// The step table went to GinkgoWriter above: the entry is for the
		// reports, not printed a second time.
		ginkgo.AddReportEntry(EntryName, capacitySpecEntry{entry}, ginkgo.ReportEntryVisibilityNever)
	}
	return c
}

// capacityEntry is the report entry of a search (report.NewCapacityEntry)
// with the spec's name, labels and operation.
func (s loadSpec) capacityEntry(c *capacity.Result, labels []string) (report.Entry, error) {
	e, err := report.NewCapacityEntry(s.name, c)
	if err != nil {
		return report.Entry{}, err
	}
	e.OperationID, e.Method, e.Path, e.Labels = s.operationID, s.method, s.path, labels
	return e, nil
}

// capacitySpecEntry is the value of a capacity search's report entry: its
// JSON is the report entry, its String the step table.
type capacitySpecEntry struct{ report.Entry }

func (e capacitySpecEntry) MarshalJSON() ([]byte, error) { return json.Marshal(e.Entry) }

func (e capacitySpecEntry) String() string {
	var b strings.Builder
	capacity.Write(&b, e.Capacity)
	return b.String()
}
