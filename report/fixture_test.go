package report_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

// The secrets the fixture plants in the target's URL and in error examples:
// the run records them redacted, so no report can show them.
const (
	secretBearer = "s3cr3t-bearer-value"
	secretKey    = "k3y-in-query"
	secretCookie = "cookie-session-value"
)

// hostileName is an entry name built to break every format: Markdown table
// pipes, HTML tags, a CDATA end, control characters and invalid UTF-8.
const hostileName = "POST /items|x <script>alert(1)</script> ]]> \x00\x1b\x7f \xff"

var fixture struct {
	once sync.Once
	doc  *report.Document
	err  error
}

// realDocument returns a document made of real runs (built once per test
// binary): an HTTP service that fails a share of its requests, has a slow
// tail and whose check rejects some responses with a message that quotes
// credentials; and a service that allocates, measured with an in-process GC
// source. Its entries are a pass, a failed SLA, an inconclusive one, a
// hostile name with GC figures and findings, and an entry without a result.
func realDocument(t testing.TB) *report.Document {
	t.Helper()
	fixture.once.Do(func() { fixture.doc, fixture.err = buildDocument() })
	if fixture.err != nil {
		t.Fatalf("building the fixture document: %v", fixture.err)
	}
	return fixture.doc
}

func buildDocument() (*report.Document, error) {
	flaky := httptest.NewServer(flakyHandler())
	defer flaky.Close()
	alloc := httptest.NewServer(allocHandler())
	defer alloc.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// A rendering fixture, not a pacing measurement: a generous LateAfter keeps
	// a busy machine from making every verdict inconclusive.
	plan := loadrunner.Plan{Rate: 200, Duration: time.Second, Warmup: 200 * time.Millisecond, Timeout: 2 * time.Second, LateAfter: 20 * time.Millisecond}
	started := time.Now()
	var (
		wg                 sync.WaitGroup
		resFlaky, resAlloc *loadrunner.Result
		errFlaky, errAlloc error
	)
	wg.Go(func() {
		resFlaky, errFlaky = loadrunner.Run(ctx, plan,
			loadrunner.HTTP(flaky.URL, loadrunner.GET("/orders/42?api_key="+secretKey), loadrunner.WithCheck(leakyCheck)),
			loadrunner.WithInterval(100*time.Millisecond))
	})
	wg.Go(func() {
		resAlloc, errAlloc = loadrunner.Run(ctx, plan, loadrunner.HTTP(alloc.URL, loadrunner.GET("/search")),
			loadrunner.WithInterval(100*time.Millisecond), loadrunner.WithGCSource(gcsource.InProcess()))
	})
	wg.Wait()
	if err := errors.Join(errFlaky, errAlloc); err != nil {
		return nil, err
	}
	d := &report.Document{
		Suite:   "orders API",
		Started: started,
		Ended:   time.Now(),
		Seed:    7,
		Environment: report.Environment{GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0),
			NumCPU: runtime.NumCPU(), Hostname: "ci-runner", GitCommit: "0123abc"},
	}
	hostile := entry(hostileName, "max<10s, gc.max<1s", resAlloc)
	hostile.Findings = []report.Finding{
		{Operation: "POST /items", Status: 200, Pointer: "/id", Reason: "property \"id\" is missing | <b>bold</b>", Count: 3},
		{Operation: "POST /items", Status: 200, Pointer: "/name", Reason: "string too long", Count: 1},
		{Operation: "POST /items", Status: 200, Pointer: "/id", Reason: "property \"id\" is missing | <b>bold</b>", Count: 4},
	}
	noResult := entry("DELETE /orders/{id}", "p99<100ms", nil)
	noResult.Method, noResult.Path, noResult.OperationID = "DELETE", "/orders/{id}", "deleteOrder"
	d.Operations = []report.Entry{
		entry("GET /orders/{id} holds its SLA", "p50<1s, errors<50%", resFlaky),
		entry("GET /orders/{id} under a strict budget", "p99<1ms, errors<1%", resFlaky),
		entry("GET /search has too few samples for p99.99", "p99.99<1s", resAlloc),
		hostile,
		noResult,
	}
	return d, nil
}

// entry evaluates the SLA text against res the way the plugin does.
func entry(name, text string, res *loadrunner.Result) report.Entry {
	return report.NewEntry(name, sla.MustParse(text), res)
}

// flakyHandler fails every tenth request with a 500, delays every
// twenty-fifth by 30 ms (the slow tail) and marks every fiftieth response
// for leakyCheck to reject.
func flakyHandler() http.Handler {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := n.Add(1)
		switch {
		case i%10 == 0:
			http.Error(w, "boom", http.StatusInternalServerError)
			return
		case i%25 == 0:
			time.Sleep(30 * time.Millisecond)
		case i%50 == 1:
			w.Header().Set("X-Bad", "1")
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"id":42}`))
	})
}

// leakyCheck rejects marked responses with a message that quotes the
// request's credentials, as careless user checks do.
func leakyCheck(resp *http.Response, _ []byte) error {
	if resp.Header.Get("X-Bad") == "" {
		return nil
	}
	return errors.New(`bad response to Authorization: Bearer ` + secretBearer + ` {"token": "` + secretBearer +
		`"} url /orders/42?api_key=` + secretKey + "\ncookie: session=" + secretCookie)
}

// allocHandler allocates on every request so the service's GC runs.
func allocHandler() http.Handler {
	var sink atomic.Pointer[[]byte]
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 256<<10)
		b[len(b)-1] = 1
		sink.Store(&b)
		w.Write([]byte(`{"hits":[]}`))
	})
}

// statusCount counts the document's entries with status st.
func statusCount(d *report.Document, st sla.Status) int {
	n := 0
	for _, e := range d.Operations {
		if e.Status == st {
			n++
		}
	}
	return n
}
