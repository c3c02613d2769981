// Package loadsuite is a Ginkgo suite of load specs that the plugin's tests
// run for real with `ginkgo -p`: six load specs spread over the processes,
// two failing on demand (LOADSUITE_FAIL=1: a broken SLA, and a load that
// passes followed by an assertion that fails), one long on demand
// (LOADSUITE_LONG=1) for interrupt tests, and all slower on demand
// (LOADSUITE_SLOW=1) for baseline gating.
package loadsuite

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/loadrunner"
)

func TestLoadSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "load suite")
}

var _ = ginkgoplugin.Enable(ginkgoplugin.WithReports("sla-report"))

// ok answers at once, or after 2 ms with LOADSUITE_SLOW=1 (a regression).
var ok = loadrunner.Func(func(context.Context) error {
	if os.Getenv("LOADSUITE_SLOW") == "1" {
		time.Sleep(2 * time.Millisecond)
	}
	return nil
})

var _ = Describe("load specs", func() {
	for i := range 6 {
		It(fmt.Sprintf("spec %d holds its SLA", i), Label("load", fmt.Sprintf("n%d", i)), func(ctx SpecContext) {
			res := ginkgoplugin.Load(ctx, loadrunner.Plan{Rate: 100, Duration: time.Second, LateAfter: 20 * time.Millisecond}, ok,
				ginkgoplugin.WithSLA("p50<1s, errors==0"))
			Expect(res.Requests).To(BeEquivalentTo(100))
		}, SpecTimeout(time.Minute))
	}

	It("a failing spec", func(ctx SpecContext) {
		if os.Getenv("LOADSUITE_FAIL") != "1" {
			Skip("LOADSUITE_FAIL is not set")
		}
		n := 0
		failing := loadrunner.Func(func(context.Context) error {
			n++
			if n%4 == 0 {
				return loadrunner.ClassError(loadrunner.Class5xx, errors.New("503 Service Unavailable"))
			}
			return nil
		})
		ginkgoplugin.Load(ctx, loadrunner.Plan{Concurrency: 1, Duration: 500 * time.Millisecond}, failing,
			ginkgoplugin.WithSLA("errors<1%"))
	}, SpecTimeout(time.Minute))

	It("a spec whose load passes and a later assertion fails", func(ctx SpecContext) {
		if os.Getenv("LOADSUITE_FAIL") != "1" {
			Skip("LOADSUITE_FAIL is not set")
		}
		res := ginkgoplugin.Load(ctx, loadrunner.Plan{Rate: 100, Duration: 500 * time.Millisecond, LateAfter: 20 * time.Millisecond}, ok,
			ginkgoplugin.WithSLA("p50<1s, errors==0"))
		Expect(res.Requests).To(BeNumerically(">", 1000), "a later assertion of the spec")
	}, SpecTimeout(time.Minute))

	It("a long spec", func(ctx SpecContext) {
		if os.Getenv("LOADSUITE_LONG") != "1" {
			Skip("LOADSUITE_LONG is not set")
		}
		ginkgoplugin.Load(ctx, loadrunner.Plan{Rate: 100, Duration: time.Minute}, ok, ginkgoplugin.WithSLA("p50<1s"))
	}, SpecTimeout(2*time.Minute))
})
