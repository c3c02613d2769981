package sla

import (
	"github.com/slaspec/slaspec/contract"
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
)

// One load spec per operation of the OpenAPI document: requests generated from
// its schemas and examples, every response checked against the contract, each
// operation's rate and budget from its x-sla extension. Ids are learned from
// the service's own list; reservations are pinned to the document's example,
// a bestseller with deep stock, so that they measure the reservation path and
// not a run of documented 409 out-of-stock answers on the first books listed.
var _ = ginkgoplugin.DescribeContract("../openapi.yaml", func() string { return svc.URL },
	ginkgoplugin.WithRequestOptions(contract.ForOperation("reserveBook", contract.WithParam("path", "id", "100"))))
