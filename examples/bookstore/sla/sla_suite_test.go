// Package sla is the example bookstore service's SLA suite: every way of
// using slaspec in one place. Run it with
//
//	go run github.com/onsi/ginkgo/v2/ginkgo -p ./examples/bookstore/sla
//
// and against the deliberately regressed build with BOOKSTORE_REGRESSED=1.
// The reports land in examples/bookstore/sla/sla-report/.
package sla

import (
	"net/http/httptest"
	"os"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/slaspec/slaspec/examples/bookstore/service"
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
)

func TestBookstoreSLA(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "bookstore SLA")
}

// One line turns the plugin on: after the suite, the reports are written to
// sla-report/ (SLASPEC_REPORT_DIR and the other SLASPEC_* variables override
// it in CI).
var _ = ginkgoplugin.Enable(ginkgoplugin.WithReports("sla-report"))

// regressed says whether to test the deliberately regressed build.
var regressed = os.Getenv("BOOKSTORE_REGRESSED") == "1"

// svc is the bookstore served in this test process.
var svc *httptest.Server

var _ = BeforeSuite(func() {
	opts := service.Options{Regressed: regressed}
	Expect(opts.Validate()).To(Succeed())
	svc = httptest.NewServer(service.New(opts))
	DeferCleanup(svc.Close)
})
