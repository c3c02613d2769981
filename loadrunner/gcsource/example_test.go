package gcsource_test

import (
	"context"
	"expvar"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

// A Go service that serves expvar: the run reads its GC pauses exactly, one
// per cycle, from the memstats ring.
func ExampleExpvar() {
	mux := http.NewServeMux()
	mux.Handle("/debug/vars", expvar.Handler())
	mux.HandleFunc("/orders/42", func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(make([]byte, 64<<10))
	})
	svc := httptest.NewServer(mux)
	defer svc.Close()

	ctx := context.Background()
	plan := loadrunner.Plan{Rate: 100, Duration: 500 * time.Millisecond}
	res, err := loadrunner.Run(ctx, plan, loadrunner.HTTP(svc.URL+"/orders/42"),
		loadrunner.WithGCSource(gcsource.Expvar(svc.URL)))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("exact:", res.GC.Exact)
	fmt.Println("one pause per cycle:", res.GC.Pauses == res.GC.Cycles)
	fmt.Println("warnings:", res.GC.Warnings)
	// Output:
	// exact: true
	// one pause per cycle: true
	// warnings: []
}

// A handler mounted in the test binary: runtime/metrics of this process,
// load generator included.
func ExampleInProcess() {
	var sink []byte
	work := loadrunner.Func(func(context.Context) error {
		sink = make([]byte, 1<<20) // the code under test allocates
		_ = sink
		return nil
	})
	ctx := context.Background()
	plan := loadrunner.Plan{Rate: 200, Duration: 500 * time.Millisecond, MaxInFlight: 1}
	res, err := loadrunner.Run(ctx, plan, work, loadrunner.WithGCSource(gcsource.InProcess()))
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("collected:", res.GC.Cycles > 0)
	fmt.Println("allocated at least 50 MB:", res.GC.AllocBytes >= 50<<20)
	fmt.Println("exact:", res.GC.Exact)
	// Output:
	// collected: true
	// allocated at least 50 MB: true
	// exact: false
}

// A Go service served over /metrics by client_golang.
func ExamplePrometheus() {
	src := gcsource.Prometheus("http://127.0.0.1:9090", gcsource.WithTimeout(2*time.Second))
	fmt.Println(src.Name())
	// Output:
	// prometheus http://127.0.0.1:9090/metrics
}

// A Go service the test starts: its gctrace lines on stderr.
func ExampleNewGCTrace() {
	trace := gcsource.NewGCTrace(os.Stderr) // still shows the service's stderr
	cmd := exec.Command("./orders-service", "-addr", "127.0.0.1:8080")
	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
	cmd.Stderr = trace
	if err := cmd.Start(); err != nil {
		fmt.Println(err)
		return
	}
	defer func() { _ = cmd.Process.Kill(); _ = cmd.Wait() }()

	res, err := loadrunner.Run(context.Background(),
		loadrunner.Plan{Rate: 500, Duration: 20 * time.Second, Warmup: 3 * time.Second},
		loadrunner.HTTP("http://127.0.0.1:8080/orders/42"),
		loadrunner.WithGCSource(trace))
	if err != nil {
		fmt.Println(err)
		return
	}
	p99, _ := res.GC.PausePercentile(loadrunner.P99)
	fmt.Println("cycles:", res.GC.Cycles, "pause p99:", p99, "max:", res.GC.PauseMax)
}
