// Package capacitysuite is a Ginkgo suite of capacity searches that the
// plugin's tests run for real with `ginkgo -p`: one against a service whose
// capacity is known (serialised on a lock, 4ms a request: 250 req/s at
// most), one against a fast service offered more than a generator can send.
package capacitysuite

import (
	"context"
	"net/http"
	"net/http/httptest"
	_ "net/http/pprof"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/slaspec/slaspec/capacity"
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/loadrunner"
)

func TestCapacitySuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "capacity suite")
}

var _ = ginkgoplugin.Enable(ginkgoplugin.WithReports("sla-report"))

// pprofURL is this process's net/http/pprof, which the serialised
// service's search profiles (the service runs in the process).
var pprofURL string

var _ = BeforeSuite(func() {
	srv := httptest.NewServer(http.DefaultServeMux) // net/http/pprof's handlers
	DeferCleanup(srv.Close)
	pprofURL = srv.URL + "/debug/pprof/"
})

// sleeper is a target that takes d per request, one request at a time when
// serial.
func sleeper(d time.Duration, serial bool) loadrunner.Target {
	var mu sync.Mutex
	return loadrunner.Func(func(ctx context.Context) error {
		if serial {
			mu.Lock()
			defer mu.Unlock()
		}
		select {
		case <-time.After(d):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

func plan(min, max float64, steps int) capacity.Plan {
	return capacity.Plan{Min: min, Max: max, Steps: steps, StepDuration: 500 * time.Millisecond,
		Plan: loadrunner.Plan{Timeout: time.Second}}
}

var _ = Describe("capacity", func() {
	It("of a serialised service", Label("capacity"), func(ctx SpecContext) {
		c := ginkgoplugin.LoadCapacity(ctx, sleeper(4*time.Millisecond, true), "p50<20ms, errors<1%", plan(100, 300, 3),
			ginkgoplugin.WithProfile(pprofURL))
		if c.GeneratorBound { // a machine too busy for the generator: the search says so
			Skip("the generator, not the service, bounded the search: " + c.Knee)
		}
		Expect(c.CapacityRPS).To(BeNumerically("~", 200, 100))
	}, SpecTimeout(time.Minute))

	It("with a starved generator", Label("capacity"), func(ctx SpecContext) {
		// 2M req/s is far beyond what one generator can send (one in-flight
		// slot would be the service's backlog, not the generator's limit).
		p := plan(100, 2e6, 2)
		p.Search, p.StepDuration = capacity.SearchBinary, 200*time.Millisecond // Min and Max only
		c := ginkgoplugin.LoadCapacity(ctx, sleeper(0, false), "p50<50ms", p,
			ginkgoplugin.WithName("starved generator"))
		Expect(c.GeneratorBound).To(BeTrue())
	}, SpecTimeout(time.Minute))
})
