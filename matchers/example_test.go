package matchers_test

import (
	"fmt"
	"strings"
	"time"

	"github.com/onsi/gomega"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

// exampleResult stands in for what loadrunner.Run returns: 10,000 requests
// over 10 s with latencies spread evenly over 1–100 ms and 50 of them
// answered 503 (a synthetic result, so the output below is the same on
// every machine).
func exampleResult() *loadrunner.Result {
	return testtool.Result(10, 1000, testtool.Uniform, 50, loadrunner.Class5xx)
}

// printT stands in for the test's *testing.T: it prints the "Error:" field
// of testify's message as `go test` shows it, leaving out the "Error Trace"
// (file paths differ from one checkout to the next); brief stops at the
// run's figures.
type printT struct{ brief bool }

// FailNow is where *testing.T would stop the test.
func (printT) FailNow() { fmt.Println("(the test stops here)") }

func (t printT) Errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	_, errText, _ := strings.Cut(msg, "Error:")
	if t.brief {
		errText, _, _ = strings.Cut(errText, "run:")
	}
	for line := range strings.Lines(errText) {
		if fields := strings.SplitN(line, "\t", 3); len(fields) == 3 && strings.TrimSpace(fields[2]) != "" {
			fmt.Println(strings.TrimRight(fields[2], "\n"))
		} else if len(fields) < 3 && strings.TrimSpace(line) != "" {
			fmt.Println(strings.TrimSpace(line))
		}
	}
}

// In a plain `go test`, AssertSLA judges a result against an SLA written in
// the grammar, reports a failure through t with the verdicts and the run,
// and returns whether every budget held.
func ExampleAssertSLA() {
	res := exampleResult() // res, err := loadrunner.Run(ctx, plan, target)
	var t printT

	fmt.Println("met:", matchers.AssertSLA(t, res, "p99<150ms, errors<1%"))
	fmt.Println("met:", matchers.AssertSLA(t, res, "p99<90ms, errors<1%"))
	// Output:
	// met: true
	// SLA not met: p99<90ms, errors<1%
	//   FAIL         p99<90ms               observed 99ms (95% CI 98.8ms–99.2ms) [10000 samples]: over 90ms by 8.96ms (observed 110.0% of the limit)
	//   PASS         errors<1%              observed 0.5% [10000 samples]
	//   PASS         rate>=95%              observed 100% [10000 samples] (implicit)
	// run:
	//   load       planned 1000.0 req/s over 10s, achieved 1000.0 req/s (100.00% of planned sends); sent 10000, completed 10000, dropped 0, late 0
	//                    p50       p90       p99     p99.9    p99.99       max      mean
	//   latency       50.4ms      90ms      99ms    99.8ms    99.9ms    99.9ms    50.5ms
	//   service       50.4ms      90ms      99ms    99.8ms    99.9ms    99.9ms    50.5ms
	//   (latency of the successful requests, from the intended send time to the response read; service time from the actual send; 10000 samples)
	//   errors     50 of 10000 (0.500%)
	//     http.5xx           50
	//       e.g. GET /items/1: 503 Service Unavailable
	//   generator  cpu 0% of one core, peak in flight 0, own GC pauses max 0
	// met: false
}

// RequireSLA is AssertSLA that stops the test when a budget breaks.
func ExampleRequireSLA() {
	res := exampleResult()
	t := printT{brief: true}

	matchers.RequireSLA(t, res, "p99<150ms, errors<1%") // holds: the test goes on
	matchers.RequireSLA(t, res, "errors==0")
	// Output:
	// SLA not met: errors==0
	//   FAIL         errors==0              observed 0.5% [10000 samples]: over 0% by 0.5%
	//   PASS         rate>=95%              observed 100% [10000 samples] (implicit)
	// (the test stops here)
}

// upToRun prints a failure message up to the run's figures, which follow
// "run:" as in AssertSLA's example.
func upToRun(message string, _ ...int) {
	before, _, _ := strings.Cut(message, "run:")
	fmt.Print(before)
}

// MeetSLA judges the whole SLA in one Gomega assertion; a failure lists the
// budgets that broke first, by how much, then the run. (In a Ginkgo spec,
// Expect fails the spec; gomega.NewGomega here prints instead.)
func ExampleMeetSLA() {
	res := exampleResult()
	g := gomega.NewGomega(upToRun)

	g.Expect(res).To(matchers.MeetSLA("p99<150ms, errors<1%")) // holds: prints nothing
	g.Expect(res).To(matchers.MeetSLA("p50<40ms, p99<150ms, errors<0.1%"))
	// Output:
	// SLA not met: p50<40ms, p99<150ms, errors<0.1%
	//   FAIL         p50<40ms               observed 50.4ms (95% CI 49.5ms–51.4ms) [10000 samples]: over 40ms by 10.4ms (observed 126.1% of the limit)
	//   FAIL         errors<0.1%            observed 0.5% [10000 samples]: over 0.1% by 0.4% (observed 500.0% of the limit)
	//   PASS         p99<150ms              observed 99ms (95% CI 98.8ms–99.2ms) [10000 samples]
	//   PASS         rate>=95%              observed 100% [10000 samples] (implicit)
}

// HaveLatencyPercentile checks one percentile of the latency (from each
// request's intended send time) with any Gomega matcher of time.Duration.
func ExampleHaveLatencyPercentile() {
	res := exampleResult()
	g := gomega.NewGomega(upToRun)

	g.Expect(res).To(matchers.HaveLatencyPercentile(99.9, gomega.BeNumerically("<", 200*time.Millisecond))) // holds
	g.Expect(res).To(matchers.HaveLatencyPercentile(99, gomega.BeNumerically("<", 50*time.Millisecond)))
	// Output:
	// latency p99 was 99ms (10000 samples, 95% CI 98.8ms–99.2ms)
	// Expected
	//     <time.Duration>: 98959359
	// to be <
	//     <time.Duration>: 50000000
}
