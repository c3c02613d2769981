package ginkgoplugin

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// ContractOption configures DescribeContract.
type ContractOption interface{ applyContract(*contractSpecs) }

// contractFunc adapts a function to ContractOption.
type contractFunc func(*contractSpecs)

func (f contractFunc) applyContract(c *contractSpecs) { f(c) }

type contractSpecs struct {
	selectors []contract.Selector
	suite     contract.LoadSpec
	user      map[string]contract.LoadSpec
	requests  []contract.Option
	parallel  bool
	seed      uint64
	seeded    bool
	// allowInconclusive runs operations whose load cannot make their
	// budget conclusive.
	allowInconclusive bool
}

// WithSelectors limits the specs to the operations the selectors choose.
func WithSelectors(selectors ...contract.Selector) ContractOption {
	return contractFunc(func(c *contractSpecs) { c.selectors = append(c.selectors, selectors...) })
}

// WithDefaultSLA is the suite's default: the load and budget of operations whose
// document says nothing (the lowest priority, after x-sla).
func WithDefaultSLA(spec contract.LoadSpec) ContractOption {
	return contractFunc(func(c *contractSpecs) { c.suite = spec })
}

// WithOperationSLA sets an operation's load and budget from Go code (the highest
// priority, before its x-sla).
func WithOperationSLA(operationID string, spec contract.LoadSpec) ContractOption {
	return contractFunc(func(c *contractSpecs) { c.user[operationID] = spec })
}

// WithRequestOptions applies request options (credentials, fixed parameters,
// hooks) to every operation's requests; contract.ForOperation among them
// applies its own options to one operation only:
//
//	ginkgoplugin.WithRequestOptions(contract.WithBearer(token),
//		contract.ForOperation("getPetById", contract.WithParam("path", "petId", "1000")))
func WithRequestOptions(opts ...contract.Option) ContractOption {
	return contractFunc(func(c *contractSpecs) { c.requests = append(c.requests, opts...) })
}

// WithAllowInconclusive runs an operation even when its planned load cannot
// give a budget's percentile enough samples (p99 needs 1,000): by default
// its spec fails at once, before sending anything, saying what would make
// it conclusive.
func WithAllowInconclusive() ContractOption {
	return contractFunc(func(c *contractSpecs) { c.allowInconclusive = true })
}

// WithParallel lets the load specs run in parallel with other specs. By default
// they are Serial, so that parallel functional specs do not take the CPU the
// measurement needs.
func WithParallel() ContractOption { return contractFunc(func(c *contractSpecs) { c.parallel = true }) }

// WithSeed fixes the request-generation seed (default: Ginkgo's random seed, so
// `ginkgo --seed N` replays the same requests byte for byte).
func WithSeed(seed uint64) ContractOption {
	return contractFunc(func(c *contractSpecs) { c.seed, c.seeded = seed, true })
}

// DescribeContract builds, when the spec tree is constructed, one container
// per operation of the OpenAPI document at path ("GET /pets/{id}", labelled
// with its tags and operationId so --label-filter selects them), each holding
// one load spec: it generates the operation's requests, loads baseURL() with
// them at the operation's rate (Go code, then x-sla, then the document's
// x-sla, then WithDefaultSLA, then contract.DefaultLoadSpec), checks every
// response against the contract, and asserts the budget plus
// sla.ServiceErrorBudgets (each unless the budget already bounds that
// class) and the response coverage. An operation whose load cannot make its
// budget conclusive fails at once, before sending anything, unless
// WithAllowInconclusive. baseURL is called when the spec runs, so it can return
// a service started in BeforeSuite.
//
//	var _ = ginkgoplugin.DescribeContract("openapi.yaml", func() string { return svc.URL },
//		ginkgoplugin.WithDefaultSLA(contract.LoadSpec{Rate: 100, Duration: 10 * time.Second, SLA: sla.MustParse("p99<100ms")}))
func DescribeContract(path string, baseURL func() string, opts ...ContractOption) bool {
	c := &contractSpecs{user: map[string]contract.LoadSpec{}}
	for _, o := range opts {
		o.applyContract(c)
	}
	doc, err := contract.Load(path)
	var ops []*contract.Operation
	if err == nil {
		ops, err = doc.Operations(c.selectors...)
	}
	if err != nil {
		return ginkgo.Describe("contract "+path, func() {
			ginkgo.It("loads", func() { ginkgo.Fail(err.Error()) })
		})
	}
	return ginkgo.Describe(doc.Title(), func() {
		for _, op := range ops {
			c.describe(op, baseURL)
		}
	})
}

func (c *contractSpecs) describe(op *contract.Operation, baseURL func() string) {
	spec := op.Resolve(c.user[op.ID], c.suite.Or(contract.DefaultLoadSpec()))
	refusal := c.refusal(op, spec)
	want := sla.WithServiceErrors(spec.SLA)
	args := []any{ginkgo.Label(op.Labels()...)}
	if !c.parallel {
		args = append(args, ginkgo.Serial)
	}
	plan := spec.Plan()
	timeout := 2*(plan.Warmup+plan.MeasuredDuration()) + 30*time.Second
	args = append(args, func() {
		ginkgo.It(fmt.Sprintf("holds %s at %g req/s", want, plan.Rate), func(ctx ginkgo.SpecContext) {
			if refusal != "" {
				ginkgo.Fail(refusal)
			}
			opts := append([]contract.Option{}, c.requests...)
			if c.seeded {
				opts = append(opts, contract.WithSeed(c.seed))
			}
			LoadOperation(ctx, op, baseURL(), spec, opts...)
		}, ginkgo.SpecTimeout(timeout))
	})
	ginkgo.Describe(op.String(), args...)
}

// refusal says why an operation's spec must not run: its load cannot make
// a budget conclusive (unless WithAllowInconclusive); "" when it may.
func (c *contractSpecs) refusal(op *contract.Operation, spec contract.LoadSpec) string {
	short := spec.Shortfalls()
	if len(short) == 0 || c.allowInconclusive {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "slaspec: %s (%s): the planned load cannot make these budgets conclusive, so nothing was sent (ginkgoplugin.WithAllowInconclusive() runs anyway):", op, op.ID)
	for _, f := range short {
		b.WriteString("\n  " + f.Explain(false))
	}
	return b.String()
}

// LoadOperation runs one operation's load from inside a spec: it prepares
// the operation (the SLA given, then x-sla, then the document's x-sla),
// learns values for its parameters from the service's own responses
// (contract.Operation.Discover; contract.WithoutDiscovery turns it off),
// generates its requests (seeded with Ginkgo's random seed unless opts set
// one, so `ginkgo --seed N` replays them byte for byte), loads baseURL,
// checks every response against the contract, records the findings, and
// asserts the budget plus sla.ServiceErrorBudgets with Load.
// DescribeContract and the suites `slaspec gen` writes use it.
func LoadOperation(ctx context.Context, op *contract.Operation, baseURL string, spec contract.LoadSpec, opts ...contract.Option) *loadrunner.Result {
	ginkgo.GinkgoHelper()
	mustRunInSpec("LoadOperation")
	cfg, err := currentConfig()
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	opts = append([]contract.Option{contract.WithSeed(uint64(ginkgo.GinkgoRandomSeed())), contract.WithSafety(cfg.guard())}, opts...)
	learned, err := op.Discover(ctx, baseURL, opts...)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	p, err := op.Prepare(baseURL, spec, contract.LoadSpec{}, append(opts, contract.WithLearned(learned))...)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	return Load(ctx, p.Plan(), p.Target, WithName(op.String()), loadFunc(func(s *loadSpec) { s.prepared, s.want = p, p.SLA }))
}

// LoadMix runs the operations together in one weighted open-model run (each
// operation's share is its x-sla weight, default 1) from inside a spec,
// after learning each operation's parameter values from the service as
// LoadOperation does (contract.DiscoverEach), and
// judges each operation's budget (plus errors.contract==0) on its own share
// of the traffic: the spec fails listing every operation whose budget did
// not hold under the mix. The reports get the whole mix and one entry per
// operation.
//
//	It("holds every budget under the production mix", func(ctx SpecContext) {
//		ops, _ := doc.Operations(contract.ByTag("books"))
//		ginkgoplugin.LoadMix(ctx, loadrunner.Plan{Rate: 300, Duration: 20 * time.Second}, ops, svc.URL)
//	})
func LoadMix(ctx context.Context, plan loadrunner.Plan, ops []*contract.Operation, baseURL string, opts ...contract.Option) *loadrunner.Result {
	ginkgo.GinkgoHelper()
	mustRunInSpec("LoadMix")
	cfg, err := currentConfig()
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	opts = append([]contract.Option{contract.WithSeed(uint64(ginkgo.GinkgoRandomSeed())), contract.WithSafety(cfg.guard())}, opts...)
	opts, err = contract.DiscoverEach(ctx, ops, baseURL, opts...)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	mix, prepared, err := contract.Mix(ops, baseURL, nil, contract.LoadSpec{}, opts...)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	name := ginkgo.CurrentSpecReport().FullText()
	res := Load(ctx, plan, mix, WithName(name))
	entries, err := report.MixEntries(name, res, prepared)
	gomega.Expect(err).NotTo(gomega.HaveOccurred())
	var failed []string
	for _, e := range entries {
		ginkgo.AddReportEntry(EntryName, specEntry{e}, entryVisibility(e.Failed()))
		if e.Failed() {
			failed = append(failed, e.Name+"\n"+sla.Explain(e.Result, contract.Judge(e.Result, e.SLA, e.Coverage)))
		}
	}
	if len(failed) > 0 {
		ginkgo.Fail(fmt.Sprintf("%d of %s broke their budget under the mix:\n%s", len(failed), sla.FormatCount(len(entries), "operation"), strings.Join(failed, "\n")))
	}
	return res
}
