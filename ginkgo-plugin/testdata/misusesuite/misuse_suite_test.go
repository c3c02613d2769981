// Package misusesuite is a Ginkgo suite that calls the plugin where a load
// cannot run: in the body of a Describe (MISUSE=describe) or in a
// BeforeSuite (MISUSE=beforesuite). Its target creates the file
// $MISUSE_SENT when a request is sent, so the plugin's tests can check that
// nothing was.
package misusesuite

import (
	"context"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/loadrunner"
)

func TestMisuseSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "misuse suite")
}

var target = loadrunner.Func(func(context.Context) error {
	return os.WriteFile(os.Getenv("MISUSE_SENT"), []byte("sent"), 0o644)
})

var plan = loadrunner.Plan{Rate: 50, Duration: time.Second}

var _ = BeforeSuite(func(ctx SpecContext) {
	if os.Getenv("MISUSE") == "beforesuite" {
		ginkgoplugin.Load(ctx, plan, target)
	}
})

var _ = Describe("a service", func() {
	if os.Getenv("MISUSE") == "describe" {
		ginkgoplugin.Load(context.Background(), plan, target)
	}
	It("is loaded from an It", func(ctx SpecContext) {
		Expect(ginkgoplugin.Load(ctx, loadrunner.Plan{Rate: 50, Duration: 100 * time.Millisecond}, loadrunner.Func(func(context.Context) error {
			return nil
		})).Requests).To(BeEquivalentTo(5))
	})
})
