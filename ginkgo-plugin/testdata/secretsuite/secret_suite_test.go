// Package secretsuite is a Ginkgo suite that plants secrets where users put
// credentials — the URL's query and userinfo, headers, a bearer token, the
// document's API key — against a service that echoes them, and fails: a
// load spec's SLA (a Gomega failure), a testify assertion and a contract
// spec. The plugin's test runs it with `ginkgo -p` and reads every output.
package secretsuite

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/slaspec/slaspec/contract"
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

func TestSecretSuite(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "secret suite")
}

var _ = ginkgoplugin.Enable(ginkgoplugin.WithReports("sla-report"))

var srv *httptest.Server

var _ = BeforeSuite(func() {
	srv = httptest.NewServer(testtool.SecretService())
	DeferCleanup(srv.Close)
})

// target posts to the service with every planted credential, and checks
// the responses with a check that quotes any unexpected body (and so the
// service's echo of the credentials).
func target() *loadrunner.HTTPTarget {
	return loadrunner.HTTP(testtool.SecretURL(srv.URL), loadrunner.Request{Method: http.MethodPost},
		loadrunner.WithHeader("Authorization", "Bearer "+testtool.SecretBearer),
		loadrunner.WithHeader("X-Api-Key", testtool.SecretHeader),
		loadrunner.WithHeader(testtool.CustomHeader, testtool.SecretCustom),
		loadrunner.WithSecretNames(testtool.CustomHeader),
		loadrunner.WithCheck(func(_ *http.Response, body []byte) error {
			if string(body) != `{"id":1}` {
				return fmt.Errorf("unexpected body %q", body)
			}
			return nil
		}))
}

var _ = Describe("planted secrets", func() {
	It("a load spec breaks its SLA", func(ctx SpecContext) {
		ginkgoplugin.Load(ctx, loadrunner.Plan{Rate: 40, Duration: 1500 * time.Millisecond}, target(), ginkgoplugin.WithSLA("errors<1%"))
	}, SpecTimeout(time.Minute))

	It("a testify assertion fails", func(ctx SpecContext) {
		res, err := loadrunner.Run(ctx, loadrunner.Plan{Rate: 40, Duration: 500 * time.Millisecond}, target())
		Expect(err).NotTo(HaveOccurred())
		matchers.AssertSLA(GinkgoT(), res, "errors<1%")
	}, SpecTimeout(time.Minute))

	ginkgoplugin.DescribeContract(testtool.SecretDocument(),
		func() string {
			return strings.TrimSuffix(testtool.SecretURL(srv.URL), "/echo?api_key="+testtool.SecretQuery)
		},
		ginkgoplugin.WithRequestOptions(contract.WithAPIKey(testtool.SecretScheme),
			contract.WithHeader("Authorization", "Bearer "+testtool.SecretBearer),
			contract.WithHeader(testtool.CustomHeader, testtool.SecretCustom),
			contract.WithHTTPOptions(loadrunner.WithSecretNames(testtool.CustomHeader))),
		ginkgoplugin.WithDefaultSLA(contract.LoadSpec{Rate: 40, Duration: time.Second}))
})
