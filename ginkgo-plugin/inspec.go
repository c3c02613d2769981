package ginkgoplugin

import (
	"fmt"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// mustRunInSpec stops fn (Load, LoadOperation, LoadMix, LoadCapacity)
// before it sends anything unless it runs inside a spec (an It, or the
// setup nodes of one), whose report carries the load's entry. In the body
// of a container, or outside a Ginkgo suite, there is no spec to fail: it
// panics with the reason, which Ginkgo prints as the tree's construction
// error. In a suite-level node (BeforeSuite, AfterSuite, a report node) it
// fails that node.
func mustRunInSpec(fn string) {
	ginkgo.GinkgoHelper()
	leaf := ginkgo.CurrentSpecReport().LeafNodeType
	if leaf == types.NodeTypeIt {
		return
	}
	if leaf != types.NodeTypeInvalid {
		ginkgo.Fail(fmt.Sprintf("ginkgoplugin.%s called in a %s node; nothing was sent: a load runs inside an It, whose report carries its result "+
			"(start the service in %s and load it from It(\"…\", func(ctx SpecContext) { ginkgoplugin.%s(ctx, …) })), "+
			"or use loadrunner.Run here and judge it with matchers.MeetSLA", fn, leaf, leaf, fn))
	}
	if buildingTree() {
		panic(fmt.Sprintf("ginkgoplugin.%s called in the body of a container (Describe, Context) while Ginkgo builds the spec tree; nothing was sent: "+
			"call it inside It(\"…\", func(ctx SpecContext) { ginkgoplugin.%s(ctx, …) }), or build one spec per operation with ginkgoplugin.DescribeContract", fn, fn))
	}
	panic(fmt.Sprintf("ginkgoplugin.%s called outside a running Ginkgo spec; nothing was sent: inside a suite call it from an It; "+
		"without Ginkgo use loadrunner.Run and judge the result with matchers.AssertSLA", fn))
}

// buildingTree reports whether Ginkgo is running the body of a container
// node: CurrentTreeConstructionNodeReport panics at any other time.
func buildingTree() (building bool) {
	defer func() {
		if recover() != nil {
			building = false
		}
	}()
	ginkgo.CurrentTreeConstructionNodeReport()
	return true
}
