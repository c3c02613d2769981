package sla

import (
	"os/exec"
	"regexp"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/gbytes"
	"github.com/onsi/gomega/gexec"

	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

// listening is the line the bookstore prints once it accepts connections.
var listening = regexp.MustCompile(`listening on (http://\S+)`)

// The service as its own process, the way it runs in production: built and
// started with gexec, its GC and runtime read remotely from expvar's
// /debug/vars and its profiles from /debug/pprof/, so the figures are the
// service's alone. Against the regressed build the failure names the
// function that made search slow.
var _ = Describe("the bookstore as a separate process", Serial, Ordered, Label("search", "process"), func() {
	var url string

	BeforeAll(func() {
		bin, err := gexec.Build("github.com/slaspec/slaspec/examples/bookstore/cmd/bookstore")
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(gexec.CleanupBuildArtifacts)
		args := []string{"-addr", "127.0.0.1:0"}
		if regressed {
			args = append(args, "-regressed")
		}
		session, err := gexec.Start(exec.Command(bin, args...), GinkgoWriter, GinkgoWriter)
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { session.Terminate().Wait(10 * time.Second) })
		Eventually(session.Out).WithTimeout(10 * time.Second).Should(gbytes.Say(`listening on (http://\S+)\n`))
		url = listening.FindStringSubmatch(string(session.Out.Contents()))[1]
	})

	It("searches within budget, with short GC pauses and a bounded runtime", func(ctx SpecContext) {
		plan := loadrunner.Plan{Rate: 100, Duration: 5 * time.Second, Warmup: time.Second}
		target := loadrunner.HTTP(url,
			loadrunner.GET("/search?q=river"), loadrunner.GET("/search?q=night"), loadrunner.GET("/search?q=garden"))
		ginkgoplugin.Load(ctx, plan, target,
			ginkgoplugin.WithRunOptions(loadrunner.WithGCSource(gcsource.Expvar(url+"/debug/vars"))),
			ginkgoplugin.WithProfile(url+"/debug/pprof/"),
			ginkgoplugin.WithSLA("p95<50ms, p90@2s<100ms, errors==0, gc.max<25ms, alloc/req<1MiB, goroutines.max<10000, heap.max<512MiB"))
	}, SpecTimeout(time.Minute))
})
