package sla

import (
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
)

// One load spec per operation of the OpenAPI document: requests generated from
// its schemas and examples, every response checked against the contract, each
// operation's rate and budget from its x-sla extension.
var _ = ginkgoplugin.DescribeContract("../openapi.yaml", func() string { return svc.URL })
