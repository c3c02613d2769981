package sla

import (
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/slaspec/slaspec/contract"
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/loadrunner"
)

// The traffic the bookstore really gets, in one open-model run: gets, searches
// and listings in the proportions of their x-sla weights (6:2:2), each
// operation's budget judged on its own share under the mix.
var _ = Describe("the production mix", Serial, Label("mix"), func() {
	It("holds every operation's budget under mixed traffic", func(ctx SpecContext) {
		doc, err := contract.Load("../openapi.yaml")
		Expect(err).NotTo(HaveOccurred())
		ops, err := doc.Operations(contract.ByID("getBook", "searchBooks", "listBooks"))
		Expect(err).NotTo(HaveOccurred())
		ginkgoplugin.LoadMix(ctx, loadrunner.Plan{Rate: 450, Duration: 4 * time.Second, Warmup: time.Second}, ops, svc.URL)
	}, SpecTimeout(time.Minute))
})
