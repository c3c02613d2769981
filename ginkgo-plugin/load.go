package ginkgoplugin

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/pprofsource"
	"github.com/slaspec/slaspec/matchers"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// EntryName is the name of the report entry each load spec attaches.
const EntryName = "slaspec"

// LoadOption configures one Load (or LoadCapacity).
type LoadOption interface{ applyLoad(*loadSpec) }

// loadFunc adapts a function to LoadOption.
type loadFunc func(*loadSpec)

func (f loadFunc) applyLoad(s *loadSpec) { f(s) }

type loadSpec struct {
	name     string
	slaText  string             // WithSLA's text, parsed when Load runs
	want     sla.SLA            // the SLA judged
	prepared *contract.Prepared // an OpenAPI operation, run through its pipeline
	runOpts  []loadrunner.Option
	profile  string // WithProfile's address

	operationID, method, path string
}

// WithSLA judges the run against text (the SLA grammar): the spec fails with
// MeetSLA's message unless every budget passes, and budgets marked "!" stop
// the run early.
func WithSLA(text string) LoadOption { return loadFunc(func(s *loadSpec) { s.slaText = text }) }

// WithName names the entry in the reports (default: the spec's full text).
func WithName(name string) LoadOption { return loadFunc(func(s *loadSpec) { s.name = name }) }

// WithOperationID records the OpenAPI operation (its operationId, method and
// path) the load exercises, for the reports' coverage.
func WithOperationID(operationID, method, path string) LoadOption {
	return loadFunc(func(s *loadSpec) { s.operationID, s.method, s.path = operationID, method, path })
}

// WithRunOptions passes options to loadrunner.Run (a GC source, an interval).
func WithRunOptions(opts ...loadrunner.Option) LoadOption {
	return loadFunc(func(s *loadSpec) { s.runOpts = append(s.runOpts, opts...) })
}

var (
	enabledMu sync.Mutex
	enabled   []Option // the options Enable was given
)

// currentConfig is the configuration of this process: Enable's options
// overridden by the environment.
func currentConfig() (Config, error) {
	enabledMu.Lock()
	opts := enabled
	enabledMu.Unlock()
	return resolve(opts, environment)
}

// profiler returns, when the spec or the configuration names a service to
// profile, the spec's profile folder and the option that profiles the
// service into a folder; nil otherwise.
func (s loadSpec) profiler(cfg Config) (string, func(dir string) loadrunner.Option) {
	url := cmp.Or(s.profile, cfg.Profile)
	if url == "" {
		return "", nil
	}
	return pprofsource.RunDir(filepath.Join(cfg.ReportDir, "profiles"), s.name), func(dir string) loadrunner.Option {
		return loadrunner.WithProfileSource(pprofsource.Remote(url, pprofsource.WithDir(dir), pprofsource.WithAllowHosts(cfg.ProfileAllow...)))
	}
}

// Load runs plan against target from inside a spec and returns the result.
// The plan is adjusted by the configuration (rate scale, duration override,
// shard, aligned start); a progress reporter shows live figures when Ginkgo
// polls progress; the result, with the SLA's verdicts, is attached to the
// spec as the report entry "slaspec" for the reports Enable writes (printed
// when the spec fails or with -v, unless the SLA's failure message already
// shows its verdicts and run); and with WithSLA the spec fails unless the
// SLA is met. Pass the spec's context so an interrupt or a spec timeout
// stops the load and still reports what was measured, marked partial.
// Called outside a running spec (in a container's body, a BeforeSuite, or
// without Ginkgo) it stops before sending anything, saying what to use
// instead; so do LoadOperation, LoadMix and LoadCapacity.
//
//	It("GET /orders/{id}", func(ctx SpecContext) {
//		ginkgoplugin.Load(ctx, loadrunner.Plan{Rate: 500, Duration: 20 * time.Second},
//			loadrunner.HTTP(url, loadrunner.GET("/orders/42")),
//			ginkgoplugin.WithSLA("p99<50ms, errors<0.1%"))
//	}, SpecTimeout(time.Minute))
func Load(ctx context.Context, plan loadrunner.Plan, target loadrunner.Target, opts ...LoadOption) *loadrunner.Result {
	ginkgo.GinkgoHelper()
	mustRunInSpec("Load")
	spec := loadSpec{}
	for _, o := range opts {
		o.applyLoad(&spec)
	}
	cfg, err := currentConfig()
	if err != nil {
		ginkgo.Fail(err.Error())
	}
	if spec.slaText != "" {
		if spec.want, err = sla.Parse(spec.slaText); err != nil {
			ginkgo.Fail(err.Error())
		}
	}
	specReport := ginkgo.CurrentSpecReport()
	if spec.name == "" {
		spec.name = specReport.FullText()
	}
	var live atomic.Pointer[loadrunner.Progress]
	detach := ginkgo.AttachProgressReporter(func() string { return progressText(spec.name, live.Load()) })
	defer detach()
	runOpts := append([]loadrunner.Option{loadrunner.WithProgress(func(p loadrunner.Progress) error {
		live.Store(&p)
		return nil
	})}, spec.runOpts...)
	runOpts = append(runOpts, cfg.safety()...)
	if dir, profile := spec.profiler(cfg); profile != nil {
		runOpts = append(runOpts, profile(dir))
	}
	entry, err := spec.run(ctx, cfg.Apply(plan, time.Now()), target, runOpts)
	if err != nil {
		ginkgo.Fail(fmt.Sprintf("slaspec: %s: %v", spec.name, err))
	}
	entry.Labels = specReport.Labels()
	judged := !spec.want.IsZero() && cfg.Shard.Count <= 1
	uncovered := coverageFailure(spec.name, entry)
	// MeetSLA's failure message shows the verdicts and the run; a coverage
	// failure shows the coverage, and the entry the run.
	ginkgo.AddReportEntry(EntryName, specEntry{entry}, entryVisibility(judged && uncovered == "" && sla.Evaluate(entry.Result, spec.want).Status != sla.Passed))
	switch {
	case spec.want.IsZero():
	case !judged:
		// One shard holds only its share of the samples: the SLA is judged
		// on the merged reports (slaspec merge, then slaspec check).
		fmt.Fprintf(ginkgo.GinkgoWriter, "slaspec: shard %d/%d: SLA %s is judged on the merged reports\n", cfg.Shard.Index, cfg.Shard.Count, spec.want)
	case uncovered != "":
		ginkgo.Fail(uncovered)
	case cfg.SkipInconclusive && sla.Evaluate(entry.Result, spec.want).Status == sla.Inconclusive:
		ginkgo.Skip("slaspec: " + spec.name + ": SLA inconclusive, not a pass (SLASPEC_INCONCLUSIVE=skip):\n" +
			sla.Explain(entry.Result, sla.Evaluate(entry.Result, spec.want)))
	default:
		gomega.Expect(entry.Result).To(matchers.MeetSLA(spec.want))
	}
	return entry.Result
}

// coverageFailure is the failure message of an entry whose coverage
// verdict did not pass (no documented success was observed, whatever the
// budget says), "" when it passed or there is none.
func coverageFailure(name string, e report.Entry) string {
	if e.Coverage == nil {
		return ""
	}
	for _, v := range e.Verdicts {
		if v.Budget == contract.CoverageBudget && v.Status != sla.Passed {
			var b strings.Builder
			fmt.Fprintf(&b, "slaspec: %s: %s: %s\n", name, strings.ToUpper(string(v.Status)), v.Detail)
			e.Coverage.WriteText(&b)
			return b.String()
		}
	}
	return ""
}

// entryVisibility is when Ginkgo prints a load spec's report entry: when
// the spec fails or runs verbose, unless the spec's failure message already
// carries the same verdicts and run (failing is true), so that a failed spec
// prints its tables once. The entry is in the spec's report (and Ginkgo's
// JUnit properties) either way.
func entryVisibility(failing bool) ginkgo.ReportEntryVisibility {
	if failing {
		return ginkgo.ReportEntryVisibilityNever
	}
	return ginkgo.ReportEntryVisibilityFailureOrVerbose
}

// run runs the load and makes its report entry: an OpenAPI operation
// through contract's pipeline, any other target with loadrunner.Run.
func (s *loadSpec) run(ctx context.Context, plan loadrunner.Plan, target loadrunner.Target, opts []loadrunner.Option) (report.Entry, error) {
	if s.prepared != nil {
		out, err := s.prepared.Run(ctx, plan, opts...)
		if err != nil {
			return report.Entry{}, err
		}
		e := report.OperationEntry(out)
		e.Name = s.name
		return e, nil
	}
	if !s.want.IsZero() {
		opts = append(opts, sla.AbortWhenLost(s.want))
	}
	res, err := loadrunner.Run(ctx, plan, target, opts...)
	if err != nil {
		return report.Entry{}, err
	}
	e := report.NewEntry(s.name, s.want, res)
	e.OperationID, e.Method, e.Path = s.operationID, s.method, s.path
	return e, nil
}

// specEntry is the value of a load spec's report entry: its JSON is the
// report entry (decoded on process 1 under ginkgo -p), its String the run's
// figures for the console and Ginkgo's JUnit properties.
type specEntry struct{ report.Entry }

func (e specEntry) MarshalJSON() ([]byte, error) { return json.Marshal(e.Entry) }

func (e specEntry) String() string {
	var b strings.Builder
	if !e.SLA.IsZero() {
		fmt.Fprintf(&b, "SLA %s: %s\n", e.Status, e.SLA)
		sla.WriteVerdicts(&b, sla.Evaluation{Verdicts: e.Verdicts})
	}
	sla.DescribeResult(&b, e.Result)
	return b.String()
}

// progressText is what a Ginkgo progress report shows of a running load.
func progressText(name string, p *loadrunner.Progress) string {
	if p == nil {
		return fmt.Sprintf("slaspec: %s: starting", name)
	}
	phase := "measuring"
	if p.Warmup {
		phase = "warming up"
	}
	return fmt.Sprintf("slaspec: %s: %s, %s elapsed; sent %d of %d at %.1f req/s; %d completed, %d errors, %d dropped, %d in flight; p99 %s, max %s so far",
		name, phase, p.Elapsed.Round(time.Millisecond), p.Sent, p.Total, p.AchievedRate, p.Requests, p.Errors, p.Dropped, p.InFlight, p.P99, p.Max)
}
