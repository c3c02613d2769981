// Package contractsuite is a Ginkgo suite that the plugin's tests run for
// real: DescribeContract over the petstore-expanded document against the
// in-repo pet store (ids from 1000). With CONTRACTSUITE_NO_DISCOVER=1 the
// requests use made-up ids, and the specs of the operations on /pets/{id}
// must fail as inconclusive, naming the cause.
package contractsuite

import (
	"net/http/httptest"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/slaspec/slaspec/contract"
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/internal/petstore"
	"github.com/slaspec/slaspec/sla"
)

func TestContractSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "contract suite")
}

var _ = ginkgoplugin.Enable(ginkgoplugin.WithReports("sla-report"))

var srv *httptest.Server

var _ = BeforeSuite(func() {
	srv = httptest.NewServer(petstore.New().Handler("/api", nil))
	DeferCleanup(srv.Close)
})

func requestOptions() []contract.Option {
	if os.Getenv("CONTRACTSUITE_NO_DISCOVER") == "1" {
		return []contract.Option{contract.WithoutDiscovery()}
	}
	return nil
}

// budget is p50 (20 samples: conclusive at 50 req/s × 1 s), or with
// CONTRACTSUITE_P99=1 p99, which that load cannot make conclusive: every
// spec must then fail at once, before sending anything.
func budget() sla.SLA {
	if os.Getenv("CONTRACTSUITE_P99") == "1" {
		return sla.MustParse("p99<2s")
	}
	return sla.MustParse("p50<2s")
}

var _ = ginkgoplugin.DescribeContract("../../../contract/testdata/specs/oapi-codegen__petstore-expanded.yaml",
	func() string { return srv.URL + "/api" },
	ginkgoplugin.WithDefaultSLA(contract.LoadSpec{Rate: 50, Duration: time.Second, Warmup: 100 * time.Millisecond, SLA: budget()}),
	ginkgoplugin.WithRequestOptions(requestOptions()...))
