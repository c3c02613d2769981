package ginkgoplugin_test

import (
	"context"
	"fmt"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"

	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

// Load runs inside a spec. An example cannot run a Ginkgo spec, so this one
// shows the spec's body as a suite writes it (spec below, for
// It("GET /orders/{id} holds its SLA", spec, SpecTimeout(time.Minute)) in a
// Serial Describe), then calls Load where no spec runs: it stops before
// sending anything and says what to use instead.
func ExampleLoad() {
	target := loadrunner.HTTP("http://127.0.0.1:8080", loadrunner.GET("/orders/42"))
	plan := loadrunner.Plan{Rate: 500, Duration: 20 * time.Second, Warmup: 3 * time.Second}

	spec := func(ctx ginkgo.SpecContext) {
		res := ginkgoplugin.Load(ctx, plan, target, ginkgoplugin.WithSLA("p99<50ms, errors<0.1%"))
		gomega.Expect(res).To(matchers.HaveLatencyPercentile(99.9, gomega.BeNumerically("<", 200*time.Millisecond)))
	}
	_ = spec // given to It in a suite

	defer func() { fmt.Println(recover()) }()
	ginkgoplugin.Load(context.Background(), plan, target)
	// Output:
	// ginkgoplugin.Load called outside a running Ginkgo spec; nothing was sent: inside a suite call it from an It; without Ginkgo use loadrunner.Run and judge the result with matchers.AssertSLA
}

// Config.Apply is what Load does to a plan before running it; here with
// SLASPEC_RATE_SCALE=0.1 and SLASPEC_DURATION=5s, as a quick pull-request
// run sets them.
func ExampleConfig_Apply() {
	cfg := ginkgoplugin.Config{RateScale: 0.1, Duration: 5 * time.Second}
	plan := cfg.Apply(loadrunner.Plan{Rate: 500, Duration: 20 * time.Second, Warmup: 3 * time.Second}, time.Now())
	fmt.Printf("%g req/s for %s after a %s warm-up\n", plan.Rate, plan.Duration, plan.Warmup)
	// Output:
	// 50 req/s for 5s after a 3s warm-up
}
