package matchers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	. "github.com/slaspec/slaspec/matchers"
	"github.com/slaspec/slaspec/sla"
)

func TestMatchers(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "matchers")
}

// failureOf runs a matcher that must fail and returns its message (or the
// error it returned).
func failureOf(m interface {
	Match(any) (bool, error)
	FailureMessage(any) string
}, actual any) string {
	ok, err := m.Match(actual)
	if err != nil {
		return err.Error()
	}
	Expect(ok).To(BeFalse(), "the matcher was expected to fail")
	return m.FailureMessage(actual)
}

var _ = Describe("figure matchers", func() {
	res := testtool.Result(10, 1000, testtool.Uniform, 50, loadrunner.Class5xx)

	It("match a Result and a pointer to one", func() {
		Expect(res).To(HaveLatencyPercentile(99, BeNumerically("<", 150*time.Millisecond)))
		Expect(*res).To(HaveLatencyPercentile(99, BeNumerically("<", 150*time.Millisecond)))
		Expect(res).To(HaveMaxLatency(BeNumerically("<=", 101*time.Millisecond)))
		Expect(res).To(HaveErrorRate(BeNumerically("~", 0.005, 1e-9)))
		Expect(res).To(HaveErrorClassRate(loadrunner.Class5xx, BeNumerically(">", 0)))
		Expect(res).To(HaveErrorClassRate("transport", BeZero()))
		Expect(res).To(HaveThroughput(BeNumerically("~", 1000, 1)))
		Expect(res).To(HaveDeliveredPlannedLoad(BeNumerically(">=", 0.99)))
		Expect(res).NotTo(HaveLatencyPercentile(50, BeNumerically(">", time.Second)))
	})

	It("reject what is not a Result", func() {
		msg := failureOf(HaveErrorRate(BeZero()), 42)
		Expect(msg).To(ContainSubstring("HaveErrorRate expects a loadrunner.Result or *loadrunner.Result, got"))
		msg = failureOf(HaveErrorRate(BeZero()), (*loadrunner.Result)(nil))
		Expect(msg).To(ContainSubstring("nil *loadrunner.Result"))
	})

	It("explain a failure with the figure, the budget and the run", func() {
		msg := failureOf(HaveLatencyPercentile(99, BeNumerically("<", 50*time.Millisecond)), res)
		Expect(msg).To(ContainSubstring("latency p99 was 99"))
		Expect(msg).To(ContainSubstring("10000 samples, 95% CI"))
		Expect(msg).To(ContainSubstring("to be <"))
		Expect(msg).To(ContainSubstring("p99.99"))   // the percentile table
		Expect(msg).To(ContainSubstring("http.5xx")) // errors by class
		Expect(msg).To(ContainSubstring("e.g. GET /items/1: 503 Service Unavailable"))
	})

	It("make a negated failure read well", func() {
		m := HaveLatencyPercentile(99, BeNumerically("<", 150*time.Millisecond))
		Expect(m.Match(res)).To(BeTrue())
		Expect(m.NegatedFailureMessage(res)).To(ContainSubstring("not to be <"))
	})

	It("fail an inconclusive percentile both ways, saying how many samples it needs", func() {
		small := testtool.Result(1, 100, testtool.Uniform, 0, "")
		for _, m := range []interface {
			Match(any) (bool, error)
		}{HaveLatencyPercentile(99.9, BeNumerically("<", time.Hour))} {
			_, err := m.Match(small)
			Expect(err).To(MatchError(ContainSubstring("latency p99.9 is inconclusive: 100 samples, at least 10000 needed")))
		}
	})

	It("need a GC source for GC matchers", func() {
		_, err := HaveGCPause(BeNumerically("<", time.Millisecond)).Match(res)
		Expect(err).To(MatchError(ContainSubstring("no GC source was attached")))
	})
})

var _ = Describe("MeetSLA", func() {
	res := testtool.Result(10, 1000, testtool.Uniform, 50, loadrunner.Class5xx)

	It("passes a met SLA given as text or parsed", func() {
		Expect(res).To(MeetSLA("p99<150ms, errors<1%, rate>=99%"))
		Expect(res).To(MeetSLA(sla.MustParse("p99<150ms")))
	})

	It("lists the failed budget first with the observed value and by how much", func() {
		msg := failureOf(MeetSLA("p50<100ms, p99<90ms, errors<0.1%"), res)
		Expect(msg).To(HavePrefix("SLA not met: p50<100ms, p99<90ms, errors<0.1%"))
		Expect(msg).To(MatchRegexp(`FAIL\s+p99<90ms\s+observed 99(\.\d+)?ms`))
		Expect(msg).To(ContainSubstring("over 90ms by"))
		Expect(msg).To(MatchRegexp(`FAIL\s+errors<0.1%\s+observed 0.5%`))
		Expect(msg).To(MatchRegexp(`PASS\s+p50<100ms`))
		Expect(msg).To(ContainSubstring("e.g. GET /items/1: 503"))
	})

	It("reports a bad SLA as an error naming the bad part", func() {
		_, err := MeetSLA("p99<abc").Match(res)
		Expect(err).To(MatchError(ContainSubstring(`budget "p99<abc" at column 1`)))
		_, err = MeetSLA(42).Match(res)
		Expect(err).To(MatchError(ContainSubstring("MeetSLA expects SLA text or an sla.SLA, got int")))
	})

	It("fails a run that did not deliver its planned load", func() {
		short := testtool.Result(10, 1000, testtool.Uniform, 0, "")
		short.Planned = 12000
		msg := failureOf(MeetSLA("p99<150ms"), short)
		Expect(msg).To(ContainSubstring("rate>=95%"))
		Expect(msg).To(ContainSubstring("latency figures are not trustworthy"))
	})

	It("fails an inconclusive SLA even when negated", func() {
		small := testtool.Result(1, 100, testtool.Uniform, 0, "")
		_, err := MeetSLA("p99.9<1s").Match(small)
		Expect(err).To(MatchError(ContainSubstring("SLA inconclusive (not a pass)")))
	})
})

var _ = Describe("a real service under load", Serial, func() {
	var (
		srv     *httptest.Server
		failing atomic.Bool
	)
	BeforeEach(func() {
		failing.Store(false)
		var n atomic.Uint64
		srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if failing.Load() && n.Add(1)%5 == 0 {
				http.Error(w, "overloaded", http.StatusServiceUnavailable)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true}`))
		}))
		DeferCleanup(srv.Close)
	})

	It("meets a generous SLA at 500 req/s", func(ctx SpecContext) {
		plan := loadrunner.Plan{Rate: 500, Duration: 3 * time.Second, Warmup: 500 * time.Millisecond}
		res, err := loadrunner.Run(ctx, plan, loadrunner.HTTP(srv.URL, loadrunner.GET("/")))
		Expect(err).NotTo(HaveOccurred())
		Expect(res).To(MeetSLA("p99<1s, errors==0, rate>=90%"))
		Expect(res).To(HaveErrorRate(BeZero()))
		Expect(res).To(HaveLatencyPercentile(99, BeNumerically("<", time.Second)))
	}, SpecTimeout(30*time.Second))

	It("fails on server errors, naming the class with an example", func(ctx SpecContext) {
		failing.Store(true)
		plan := loadrunner.Plan{Rate: 500, Duration: 2 * time.Second}
		res, err := loadrunner.Run(ctx, plan, loadrunner.HTTP(srv.URL, loadrunner.GET("/")))
		Expect(err).NotTo(HaveOccurred())
		msg := failureOf(MeetSLA("errors<1%"), res)
		Expect(msg).To(MatchRegexp(`FAIL\s+errors<1%\s+observed 20%`))
		Expect(msg).To(ContainSubstring("http.5xx"))
		Expect(msg).To(ContainSubstring("503"))
	}, SpecTimeout(30*time.Second))

	It("aborts the run once an errors budget marked ! can no longer pass", func(ctx SpecContext) {
		failing.Store(true)
		want := sla.MustParse("errors<1%!")
		plan := loadrunner.Plan{Rate: 200, Duration: 60 * time.Second}
		res, err := loadrunner.Run(ctx, plan, loadrunner.HTTP(srv.URL, loadrunner.GET("/")), sla.AbortWhenLost(want))
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Partial).To(BeTrue())
		Expect(res.Aborted).To(ContainSubstring("budget errors<1%! can no longer pass"))
		Expect(res.Duration).To(BeNumerically("<", 50*time.Second))
		Expect(sla.Evaluate(res, want).Status).To(Equal(sla.Failed))
	}, SpecTimeout(90*time.Second))
})

var _ = Describe("AbortWhenLost", func() {
	It("does nothing without marked budgets", func(ctx context.Context) {
		res, err := loadrunner.Run(ctx, loadrunner.Plan{Rate: 100, Duration: 1500 * time.Millisecond},
			loadrunner.Func(func(context.Context) error { return nil }), sla.AbortWhenLost(sla.MustParse("errors<1%")))
		Expect(err).NotTo(HaveOccurred())
		Expect(res.Partial).To(BeFalse())
	})
})
