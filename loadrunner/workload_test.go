package loadrunner_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// itemStore is a small loopback service: POST /items creates an item and
// answers {"id": N}; GET and DELETE /items/{id} read and remove it; every
// fifth created id is "lost" (GET answers 404), so journeys break at a known
// step and rate. GET /search is deliberately slower.
func itemStore(t *testing.T) *httptest.Server {
	t.Helper()
	var mu sync.Mutex
	items := map[string]bool{}
	var next atomic.Int64
	mux := http.NewServeMux()
	mux.HandleFunc("POST /items", func(w http.ResponseWriter, r *http.Request) {
		id := fmt.Sprint(next.Add(1))
		mu.Lock()
		items[id] = true
		mu.Unlock()
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"id": %s, "name": "item %s"}`, id, id)
	})
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("id")
		mu.Lock()
		ok := items[id]
		mu.Unlock()
		var n int
		fmt.Sscan(id, &n)
		if !ok || n%5 == 0 {
			http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
			return
		}
		fmt.Fprintf(w, `{"id": %s}`, id)
	})
	mux.HandleFunc("DELETE /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		delete(items, r.PathValue("id"))
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /search", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(2 * time.Millisecond)
		w.Write([]byte(`{"items":[{"id":1},{"id":2}]}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

func TestMixRecordsEachOperation(t *testing.T) {
	srv := itemStore(t)
	mix := loadrunner.Mix(
		loadrunner.Weighted{Name: "getItem", Weight: 7, Target: loadrunner.HTTP(srv.URL, loadrunner.GET("/items/1"))},
		loadrunner.Weighted{Name: "search", Weight: 2, Target: loadrunner.HTTP(srv.URL, loadrunner.GET("/search"))},
		loadrunner.Weighted{Name: "missing", Weight: 1, Target: loadrunner.HTTP(srv.URL, loadrunner.GET("/items/5"))},
	)
	// Create item 1 first, so getItem finds it.
	http.Post(srv.URL+"/items", "application/json", nil)
	res, err := loadrunner.Run(context.Background(), loadrunner.Plan{Rate: 200, Duration: 2 * time.Second}, mix)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]uint64{"getItem": 280, "search": 80, "missing": 40}
	var requests, errs, planned uint64
	for name, n := range want {
		op := res.Operations[name]
		if op == nil {
			t.Fatalf("no sub-result for %s: %v", name, res.Operations)
		}
		if op.Requests != n || op.Planned != n || op.Sent != n || op.Latency.Count()+op.FailedLatency.Count() != n || op.Latency.Count() != op.OK() {
			t.Errorf("%s: %d requests, %d planned, %d sent, %d+%d latencies; want %d", name, op.Requests, op.Planned, op.Sent, op.Latency.Count(), op.FailedLatency.Count(), n)
		}
		requests, errs, planned = requests+op.Requests, errs+op.Errors.Total, planned+op.Planned
	}
	if requests != res.Requests || errs != res.Errors.Total || planned != res.Planned {
		t.Errorf("operations add up to %d requests, %d errors, %d planned; total %d, %d, %d", requests, errs, planned, res.Requests, res.Errors.Total, res.Planned)
	}
	if m := res.Operations["missing"]; m.Errors.ByClass[loadrunner.Class4xx] != 40 || res.Operations["getItem"].Errors.Total != 0 {
		t.Errorf("errors by operation: missing %v, getItem %v", m.Errors.ByClass, res.Operations["getItem"].Errors.ByClass)
	}
	for name, op := range res.Operations {
		var done, planned uint64
		for _, iv := range op.Timeseries {
			done, planned = done+iv.OK+iv.Errors, planned+iv.Planned
		}
		if len(op.Timeseries) == 0 || done != op.Requests || planned != op.Planned {
			t.Errorf("%s: time series of %d intervals counts %d done, %d planned; totals %d, %d", name, len(op.Timeseries), done, planned, op.Requests, op.Planned)
		}
	}
	// The operations share the run's generator, so each carries its health:
	// the sla package weighs an operation's latency against its lag.
	for name, op := range res.Operations {
		if op.Generator != res.Generator || op.GeneratorLag == nil || !op.GeneratorLag.Equal(res.GeneratorLag) || op.GeneratorLag == res.GeneratorLag {
			t.Errorf("%s: generator %+v, lag %v; want a copy of the run's %+v", name, op.Generator, op.GeneratorLag, res.Generator)
		}
	}
	// Each operation's figures are its own: search's server sleeps 2 ms, so
	// none of its requests can be faster, however busy the machine.
	if s := res.Operations["search"].ServiceTime.Min(); s < 2*time.Millisecond {
		t.Errorf("search's fastest request took %s, below the 2 ms its server sleeps: another operation's figures", s)
	}

	// The sub-results survive JSON and merging.
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back loadrunner.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !back.Operations["search"].Latency.Equal(res.Operations["search"].Latency) {
		t.Error("an operation's histogram changed in the JSON round trip")
	}
	merged, err := loadrunner.Merge(res, &back)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Operations["getItem"].Requests != 560 || merged.Operations["missing"].Errors.Total != 80 {
		t.Errorf("merged operations: %d getItem requests, %d missing errors", merged.Operations["getItem"].Requests, merged.Operations["missing"].Errors.Total)
	}
}

func TestMixPatternInterleaves(t *testing.T) {
	ok := loadrunner.Func(func(context.Context) error { return nil })
	mix := loadrunner.Mix(loadrunner.Weighted{Name: "a", Weight: 7, Target: ok},
		loadrunner.Weighted{Name: "b", Weight: 2, Target: ok}, loadrunner.Weighted{Name: "c", Weight: 1, Target: ok})
	var pattern strings.Builder
	for seq := range uint64(10) {
		pattern.WriteString(mix.Operations()[mix.OperationOf(seq)])
	}
	if got := pattern.String(); strings.Contains(got, "aaa") || strings.Count(got, "a") != 7 || strings.Count(got, "c") != 1 {
		t.Fatalf("pattern %q: want 7 a, 2 b, 1 c, interleaved", got)
	}
	frac := loadrunner.Mix(loadrunner.Weighted{Name: "x", Weight: 0.3, Target: ok}, loadrunner.Weighted{Name: "y", Weight: 0.7, Target: ok})
	x := 0
	for seq := range uint64(1000) {
		if frac.OperationOf(seq) == 0 {
			x++
		}
	}
	if x != 300 {
		t.Fatalf("weights 0.3/0.7 gave %d of 1000 to x", x)
	}
}

func TestMixRejectsBadParts(t *testing.T) {
	ok := loadrunner.Func(func(context.Context) error { return nil })
	cases := []struct {
		parts []loadrunner.Weighted
		want  string
	}{
		{nil, "no operations"},
		{[]loadrunner.Weighted{{Name: "a", Weight: 0, Target: ok}}, `"a": weight 0 must be positive`},
		{[]loadrunner.Weighted{{Name: "a", Weight: 1, Target: ok}, {Name: "a", Weight: 1, Target: ok}}, `"a" appears twice`},
		{[]loadrunner.Weighted{{Name: "", Weight: 1, Target: ok}}, "operation 0 has no name"},
		{[]loadrunner.Weighted{{Name: "a", Weight: 1}}, `"a" has no target`},
		{[]loadrunner.Weighted{{Name: "a", Weight: 1, Target: loadrunner.HTTP("ftp://x")}}, `operation "a": loadrunner: http`},
	}
	for _, c := range cases {
		_, err := loadrunner.Run(context.Background(), loadrunner.Plan{Rate: 10, Duration: time.Second}, loadrunner.Mix(c.parts...))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Mix(%v): %v, want %q", c.parts, err, c.want)
		}
	}
}

func TestJourneyCapturesAndCountsBrokenSteps(t *testing.T) {
	srv := itemStore(t)
	journey := loadrunner.Journey("item lifecycle", srv.URL, []loadrunner.JourneyStep{
		loadrunner.Step("createItem", loadrunner.POST("/items", "application/json", []byte(`{"name":"x"}`)), loadrunner.CaptureJSON("id", "/id")),
		loadrunner.Step("getItem", loadrunner.GET("/items/{id}")),
		loadrunner.Step("deleteItem", loadrunner.Request{Method: http.MethodDelete, URL: "/items/{id}"}),
	})
	res, err := loadrunner.Run(context.Background(), loadrunner.Plan{Rate: 100, Duration: 2 * time.Second}, journey)
	if err != nil {
		t.Fatal(err)
	}
	// 200 journeys; ids 1..200; every fifth id's GET answers 404, ending
	// that journey at step 2: 40 broken journeys, 160 deletes.
	create, get, del := res.Operations["createItem"], res.Operations["getItem"], res.Operations["deleteItem"]
	if res.Requests != 200 || res.Errors.ByClass[loadrunner.Class4xx] != 40 {
		t.Fatalf("%d journeys, errors %v; want 200 and 40 http.4xx", res.Requests, res.Errors.ByClass)
	}
	if create.Requests != 200 || get.Requests != 200 || get.Errors.ByClass[loadrunner.Class4xx] != 40 || del.Requests != 160 || del.Errors.Total != 0 {
		t.Fatalf("steps: create %d, get %d (%v), delete %d (%d errors)", create.Requests, get.Requests, get.Errors.ByClass, del.Requests, del.Errors.Total)
	}
	if ex := res.Errors.Examples[loadrunner.Class4xx]; len(ex) == 0 || !strings.Contains(ex[0], "journey item lifecycle: step 2 (getItem)") {
		t.Errorf("journey error examples %v lack the step", ex)
	}
	var deletes uint64
	for _, iv := range del.Timeseries {
		deletes += iv.OK + iv.Errors
	}
	if deletes != del.Requests {
		t.Errorf("deleteItem's time series counts %d, its total %d", deletes, del.Requests)
	}
	if res.Latency.Percentile(50) < get.Latency.Percentile(50) {
		t.Errorf("a journey (p50 %s) cannot be faster than one of its steps (p50 %s)", res.Latency.Percentile(50), get.Latency.Percentile(50))
	}
}

func TestJourneyRejectsBadSteps(t *testing.T) {
	cases := []struct {
		steps []loadrunner.JourneyStep
		want  string
	}{
		{nil, "no steps"},
		{[]loadrunner.JourneyStep{loadrunner.Step("get", loadrunner.GET("/items/{id}"))}, "step 1 (get) uses {id}, which no earlier step captures"},
		{[]loadrunner.JourneyStep{loadrunner.Step("c", loadrunner.GET("/"), loadrunner.CaptureJSON("id", "id"))}, "want a variable name and a JSON pointer"},
		{[]loadrunner.JourneyStep{loadrunner.Step("", loadrunner.GET("/"))}, "step 1 has no name"},
	}
	for _, c := range cases {
		_, err := loadrunner.Run(context.Background(), loadrunner.Plan{Rate: 10, Duration: time.Second}, loadrunner.Journey("j", "http://127.0.0.1:1", c.steps))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %v, want %q", c.steps, err, c.want)
		}
	}
}

func TestJourneyCaptureFailures(t *testing.T) {
	srv := itemStore(t)
	journey := loadrunner.Journey("search then get", srv.URL, []loadrunner.JourneyStep{
		loadrunner.Step("search", loadrunner.GET("/search"), loadrunner.CaptureJSON("id", "/items")),
		loadrunner.Step("getItem", loadrunner.GET("/items/{id}")),
	})
	res, err := loadrunner.Run(context.Background(), loadrunner.Plan{Rate: 50, Duration: time.Second}, journey)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors.ByClass[loadrunner.ClassCheck] != res.Requests || res.Operations["getItem"] == nil || res.Operations["getItem"].Requests != 0 {
		t.Fatalf("errors %v of %d; getItem %+v", res.Errors.ByClass, res.Requests, res.Operations["getItem"])
	}
	if ex := res.Errors.Examples[loadrunner.ClassCheck][0]; !strings.Contains(ex, "capture id at /items: the value is an array of 2, not a scalar") {
		t.Fatalf("example %q", ex)
	}
}
