package loadrunner_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// An open-model HTTP run: 200 requests per second for one second after a
// short warm-up, against a service on loopback.
func ExampleRun() {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"id":42}`))
	}))
	defer srv.Close()

	plan := loadrunner.Plan{Rate: 200, Duration: time.Second, Warmup: 200 * time.Millisecond}
	res, err := loadrunner.Run(context.Background(), plan, loadrunner.HTTP(srv.URL, loadrunner.GET("/orders/42")))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("sent", res.Sent, "completed", res.Requests, "errors", res.Errors.Total)
	fmt.Println("latency samples", res.Latency.Count(), "p99 measured:", res.Latency.Percentile(loadrunner.P99) > 0)
	// Output:
	// sent 200 completed 200 errors 0
	// latency samples 200 p99 measured: true
}

// A function target loads anything: a gRPC call, a database query. Returned
// errors are counted by class.
func ExampleFunc() {
	calls := 0
	target := loadrunner.Func(func(ctx context.Context) error {
		calls++ // a closed model with one worker calls serially
		if calls%10 == 0 {
			return loadrunner.ClassError(loadrunner.ClassCheck, errors.New("stale read"))
		}
		return nil
	})
	plan := loadrunner.Plan{Concurrency: 1, Duration: 100 * time.Millisecond}
	res, err := loadrunner.Run(context.Background(), plan, target)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("every tenth call failed:", res.Errors.ByClass[loadrunner.ClassCheck] == res.Requests/10)
	// Output:
	// every tenth call failed: true
}

// Results of several processes or machines merge exactly.
func ExampleMerge() {
	plan := loadrunner.Plan{Rate: 100, Duration: 500 * time.Millisecond}
	ok := loadrunner.Func(func(context.Context) error { return nil })
	var shards []*loadrunner.Result
	for i := range 2 {
		p := plan
		p.Shard = loadrunner.Shard{Index: i, Count: 2}
		res, err := loadrunner.Run(context.Background(), p, ok)
		if err != nil {
			fmt.Println(err)
			return
		}
		shards = append(shards, res)
	}
	all, err := loadrunner.Merge(shards...)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("shards sent", shards[0].Sent, "+", shards[1].Sent, "=", all.Sent)
	// Output:
	// shards sent 25 + 25 = 50
}
