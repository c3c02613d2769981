package sla_test

import (
	"context"
	"fmt"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// The SLA grammar: strict, and canonical when rendered back.
func ExampleParse() {
	got, err := sla.Parse("p99 < 150ms, p99.9<0.4s, errors<0.1%, rate>=99%")
	fmt.Println(got, err)
	_, err = sla.Parse("p99<150ms, p101<1ms")
	fmt.Println(err)
	// Output:
	// p99<150ms, p99.9<400ms, errors<0.1%, rate>=99% <nil>
	// sla: budget "p101<1ms" at column 12: metric p101: percentile 101 is out of range: want more than 0 and less than 100 (use max for the largest)
}

// Evaluate judges a result: one verdict per budget, inconclusive when a
// percentile has too few samples.
func ExampleEvaluate() {
	res, err := loadrunner.Run(context.Background(), loadrunner.Plan{Rate: 200, Duration: time.Second},
		loadrunner.Func(func(context.Context) error { return nil }))
	if err != nil {
		fmt.Println(err)
		return
	}
	ev := sla.Evaluate(res, sla.MustParse("p50<1s, p99.9<1s, errors==0"))
	for _, v := range ev.Verdicts {
		fmt.Println(v.Budget, v.Status)
	}
	fmt.Println("overall:", ev.Status)
	// Output:
	// p50<1s pass
	// p99.9<1s inconclusive
	// errors==0 pass
	// rate>=95% pass
	// overall: inconclusive
}
