package sla

import (
	"runtime/debug"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
	. "github.com/slaspec/slaspec/matchers"
)

// A hand-written load spec: an open-model load at 200 req/s on the catalog's
// first pages, judged figure by figure with the matchers. The GC source is
// in-process: the service and the load generator share this process, so the
// GC figures include the HTTP client's own allocations (the runner's pacing
// and recording allocate nothing).
var _ = Describe("browsing the catalog", Serial, Label("books", "handwritten"), func() {
	It("serves the first pages quickly at 200 req/s", func(ctx SpecContext) {
		// The service shares this process with what earlier specs left
		// (their results and reports, tens of MiB live): at the default
		// GOGC the collector would wait for as much again, and the about
		// 10 MiB the service allocates in the 5 s window often made no
		// cycle at all, which leaves HaveGCPause inconclusive. A tighter
		// GOGC for this spec makes the service's own allocation bring
		// collections into the window; their pauses are measured as ever.
		DeferCleanup(debug.SetGCPercent, debug.SetGCPercent(10))
		pages := []loadrunner.HTTPOption{
			loadrunner.GET("/books?limit=20"),
			loadrunner.GET("/books?limit=20&offset=20"),
			loadrunner.GET("/books?limit=50&offset=100"),
		}
		plan := loadrunner.Plan{Rate: 200, Duration: 5 * time.Second, Warmup: time.Second}
		res := ginkgoplugin.Load(ctx, plan, loadrunner.HTTP(svc.URL, pages...),
			ginkgoplugin.WithRunOptions(loadrunner.WithGCSource(gcsource.InProcess())))

		Expect(res).To(HaveLatencyPercentile(99, BeNumerically("<", 100*time.Millisecond)))
		Expect(res).To(HaveLatencyPercentile(50, BeNumerically("<", 20*time.Millisecond)))
		Expect(res).To(HaveErrorRate(BeZero()))
		Expect(res).To(HaveDeliveredPlannedLoad(BeNumerically(">=", 0.99)))
		Expect(res).To(HaveGCPause(BeNumerically("<", 50*time.Millisecond)))
		Expect(res).To(MeetSLA("alloc/req<96KiB, gc.total<5%"))
	}, SpecTimeout(time.Minute))
})
