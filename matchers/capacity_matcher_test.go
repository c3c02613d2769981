package matchers_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/onsi/gomega"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

// serialURL starts a loopback service that serves one request at a time for
// 4ms: at most 250 req/s, whatever the load.
func serialURL(t *testing.T) string {
	t.Helper()
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		if r.Context().Err() == nil {
			time.Sleep(4 * time.Millisecond)
		}
		mu.Unlock()
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// sleepURL starts a loopback service that sleeps d per request, with no lock.
func sleepURL(t *testing.T, d time.Duration) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(d)
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// capacitySLA is lenient for a noisy machine: a service below its capacity
// answers in a few milliseconds, one above it queues for hundreds.
const capacitySLA = "p90<50ms, errors<1%"

func quickCapacityPlan(min, max float64, steps int) capacity.Plan {
	return capacity.Plan{Min: min, Max: max, Steps: steps,
		StepDuration: time.Second, Warmup: 200 * time.Millisecond, Plan: loadrunner.Plan{Timeout: 2 * time.Second}}
}

// TestHaveCapacity runs the matcher on the serialised service: it passes a
// bound the service meets, fails one it does not with the step table, and
// refuses to judge a generator-bound search either way.
func TestHaveCapacity(t *testing.T) {
	g := gomega.NewWithT(t)
	url := serialURL(t)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	g.Expect(loadrunner.HTTP(url)).To(matchers.HaveCapacity(ctx, gomega.BeNumerically(">=", 100), capacitySLA, quickCapacityPlan(100, 100, 0)))

	coarse := quickCapacityPlan(150, 300, 2)
	coarse.Resolution = 0.5 // no bisection: the message is what this checks
	m := matchers.HaveCapacity(ctx, gomega.BeNumerically(">=", 1000), capacitySLA, coarse)
	ok, err := m.Match(loadrunner.HTTP(url))
	if err != nil || ok {
		t.Fatalf("a capacity of 1000 req/s must fail plainly: ok %v, error %v", ok, err)
	}
	msg := m.FailureMessage(nil)
	for _, want := range []string{"to be >=", "capacity ", "rate  status", "FAIL", "p90<50ms fail (observed"} {
		if !strings.Contains(msg, want) {
			t.Errorf("failure message lacks %q:\n%s", want, msg)
		}
	}

	starved := quickCapacityPlan(60, 400, 4) // one slot offers a 20ms service under 50 req/s
	starved.Plan.MaxInFlight = 1
	m = matchers.HaveCapacity(ctx, gomega.BeNumerically(">=", 1000), capacitySLA, starved)
	if _, err := m.Match(loadrunner.HTTP(sleepURL(t, 20*time.Millisecond))); err == nil ||
		!strings.Contains(err.Error(), "cannot tell the service's capacity, only a lower bound") {
		t.Errorf("a generator-bound search must be an error, not a verdict: %v", err)
	}
}

func TestHaveCapacityBadInput(t *testing.T) {
	cp := quickCapacityPlan(100, 400, 4)
	target := loadrunner.HTTP("http://127.0.0.1:1")
	bad := cp
	bad.Min = -1
	cases := []struct {
		name   string
		m      gomega.OmegaMatcher
		actual any
		wanted string
	}{
		{"bad sla", matchers.HaveCapacity(t.Context(), gomega.BeNumerically(">", 0), "p99<abc", cp), target, `budget "p99<abc" at column 1`},
		{"not a target", matchers.HaveCapacity(t.Context(), gomega.BeNumerically(">", 0), "p99<1s", cp), "http://127.0.0.1:1", "HaveCapacity expects a loadrunner.Target"},
		{"nil matcher", matchers.HaveCapacity(t.Context(), nil, "p99<1s", cp), target, "the capacity matcher is nil"},
		{"bad plan", matchers.HaveCapacity(t.Context(), gomega.BeNumerically(">", 0), "p99<1s", bad), target, "HaveCapacity: capacity: Min -1 req/s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, err := c.m.Match(c.actual)
			if ok || err == nil || !strings.Contains(err.Error(), c.wanted) {
				t.Fatalf("ok %v, error %v; want an error with %q", ok, err, c.wanted)
			}
		})
	}
}
