package contract_test

import (
	"fmt"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/sla"
)

// Load a document, select operations and build each one's requests and
// budget: what DescribeContract and slaspec contract do for every operation.
func ExampleLoad() {
	doc, err := contract.Load("testdata/specs/swagger-petstore__openapi.yaml")
	if err != nil {
		fmt.Println(err)
		return
	}
	ops, err := doc.Operations(contract.ByID("getPetById"))
	if err != nil {
		fmt.Println(err)
		return
	}
	op := ops[0]
	pool, err := op.Pool(contract.WithSeed(1), contract.WithPoolSize(4), contract.WithAPIKey("demo-key"))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(op, "labels", op.Labels(), "requests", len(pool.Requests))
	fmt.Println("budget:", op.Resolve(contract.LoadSpec{}, contract.LoadSpec{Rate: 100, SLA: sla.MustParse("p99<100ms")}).SLA)
	// Output:
	// GET /pet/{petId} labels [pet getPetById] requests 4
	// budget: p99<100ms
}
