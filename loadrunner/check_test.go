package loadrunner_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// memTransport answers every request after delay with body, in memory: on
// a synctest bubble's clock, an HTTP exchange whose timing is exact.
type memTransport struct {
	delay time.Duration
	body  string
}

func (m memTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	select {
	case <-time.After(m.delay):
	case <-req.Context().Done():
		return nil, req.Context().Err()
	}
	return &http.Response{
		StatusCode: http.StatusOK, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: http.Header{"Content-Type": {"application/json"}}, ContentLength: int64(len(m.body)),
		Body: io.NopCloser(strings.NewReader(m.body)), Request: req,
	}, nil
}

// near reports whether a histogram figure is want within the histogram's
// precision (three significant digits).
func near(got, want time.Duration) bool {
	d := got - want
	return d < 0 && -d <= want/500 || d >= 0 && d <= want/500
}

// sleepyCheck is a response check that takes d.
func sleepyCheck(d time.Duration) loadrunner.HTTPOption {
	return loadrunner.WithCheck(func(*http.Response, []byte) error { time.Sleep(d); return nil })
}

// TestCheckTimeIsNotLatency: on the fake clock, a service that answers in
// 2 ms and a check that takes 30 ms give a latency of exactly 2 ms and a
// check time of exactly 30 ms per request, per operation too.
func TestCheckTimeIsNotLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client := &http.Client{Transport: memTransport{delay: 2 * time.Millisecond, body: `{"id":7}`}}
		get := loadrunner.HTTP("http://127.0.0.1:1", loadrunner.WithClient(client), sleepyCheck(30*time.Millisecond))
		plain := loadrunner.HTTP("http://127.0.0.1:1", loadrunner.WithClient(client))
		mix := loadrunner.Mix(loadrunner.Weighted{Name: "checked", Weight: 1, Target: get},
			loadrunner.Weighted{Name: "plain", Weight: 1, Target: plain})
		res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 100, Duration: time.Second}, mix)
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Latency.Max(); !near(got, 2*time.Millisecond) {
			t.Errorf("latency max %s, want the service's 2ms: the check is not latency", got)
		}
		if res.Checks == nil || res.Checks.Count() != 50 || !near(res.Checks.Min(), 30*time.Millisecond) || !near(res.Checks.Max(), 30*time.Millisecond) {
			t.Fatalf("checks %+v, want 50 of 30ms", res.Checks.Summary())
		}
		checked, unchecked := res.Operations["checked"], res.Operations["plain"]
		if checked.Checks == nil || checked.Checks.Count() != 50 || unchecked.Checks != nil {
			t.Errorf("per operation: checked %+v, plain %+v", checked.Checks.Summary(), unchecked.Checks.Summary())
		}
		if !near(checked.Latency.Max(), 2*time.Millisecond) || !near(checked.ServiceTime.Max(), 2*time.Millisecond) {
			t.Errorf("checked operation: latency max %s, service max %s", checked.Latency.Max(), checked.ServiceTime.Max())
		}
	})
}

// TestJourneyCheckAndCaptureTimeIsNotLatency: a three-step journey whose
// steps each take 2 ms and whose checks each take 10 ms is 6 ms long; its
// 30 ms of checks (and its capture) are recorded apart, per step too.
func TestJourneyCheckAndCaptureTimeIsNotLatency(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client := &http.Client{Transport: memTransport{delay: 2 * time.Millisecond, body: `{"id":7}`}}
		journey := loadrunner.Journey("lifecycle", "http://127.0.0.1:1", []loadrunner.JourneyStep{
			loadrunner.Step("create", loadrunner.POST("/items", "application/json", []byte(`{}`)), loadrunner.CaptureJSON("id", "/id")),
			loadrunner.Step("get", loadrunner.GET("/items/{id}")),
			loadrunner.Step("delete", loadrunner.Request{Method: http.MethodDelete, URL: "/items/{id}"}),
		}, loadrunner.WithClient(client), sleepyCheck(10*time.Millisecond))
		res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 20, Duration: time.Second}, journey)
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors.Total != 0 || res.Requests != 20 {
			t.Fatalf("requests %d, errors %+v", res.Requests, res.Errors)
		}
		if got := res.Latency.Max(); !near(got, 6*time.Millisecond) {
			t.Errorf("journey latency max %s, want its three 2ms steps", got)
		}
		if res.Checks.Count() != 20 || !near(res.Checks.Min(), 30*time.Millisecond) {
			t.Errorf("journey checks %+v, want 20 of 30ms", res.Checks.Summary())
		}
		for _, name := range []string{"create", "get", "delete"} {
			op := res.Operations[name]
			if !near(op.Latency.Max(), 2*time.Millisecond) || op.Checks.Count() != 20 || !near(op.Checks.Max(), 10*time.Millisecond) {
				t.Errorf("%s: latency max %s, checks %+v", name, op.Latency.Max(), op.Checks.Summary())
			}
		}
	})
}

// TestCheckTimeIsNotLatencyOverHTTP: the same on a real loopback server and
// clock. A check that sleeps 30 ms leaves the fastest latencies below 30 ms
// — where every one would be at least 30 ms if the check counted — whatever
// else the machine is doing, while the check figures show the 30 ms.
func TestCheckTimeIsNotLatencyOverHTTP(t *testing.T) {
	const check = 30 * time.Millisecond
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, `{"ok":true}`) }))
	defer srv.Close()
	plan := loadrunner.Plan{Rate: 50, Duration: time.Second}
	plain, err := loadrunner.Run(t.Context(), plan, loadrunner.HTTP(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	checked, err := loadrunner.Run(t.Context(), plan, loadrunner.HTTP(srv.URL, sleepyCheck(check)))
	if err != nil {
		t.Fatal(err)
	}
	if plain.Checks != nil || checked.Checks == nil || checked.Checks.Count() != checked.Requests || checked.Requests != 50 {
		t.Fatalf("checks: unchecked run %v, checked run %+v of %d requests", plain.Checks, checked.Checks.Summary(), checked.Requests)
	}
	if p50 := checked.Checks.Percentile(loadrunner.P50); p50 < check {
		t.Errorf("check p50 %s, below the %s the check sleeps", p50, check)
	}
	// Counted as latency, the check would put every request at 30 ms or more.
	if fastest := checked.Latency.Min(); fastest >= check {
		t.Errorf("fastest latency %s with a %s check (unchecked run: %s): the check is counted as latency",
			fastest, check, plain.Latency.Min())
	}
	b, err := json.Marshal(checked)
	if err != nil {
		t.Fatal(err)
	}
	var back struct {
		Checks struct {
			Count uint64 `json:"count"`
			Mean  int64  `json:"mean_ns"`
			Max   int64  `json:"max_ns"`
		} `json:"checks"`
	}
	if err := json.Unmarshal(b, &back); err != nil || back.Checks.Count != 50 || back.Checks.Mean < int64(check) || back.Checks.Max < back.Checks.Mean {
		t.Errorf("JSON checks %+v (%v)", back.Checks, err)
	}
	t.Logf("latency p50: unchecked %s, checked %s; checks %+v", plain.Latency.Percentile(50), checked.Latency.Percentile(50), checked.Checks.Summary())
}
