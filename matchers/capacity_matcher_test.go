package matchers_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

// capacitySLA is lenient for a noisy machine: a service below its capacity
// answers in a few milliseconds, one above it queues for hundreds.
const capacitySLA = "p90<50ms, errors<1%"

func quickCapacityPlan(min, max float64, steps int) capacity.Plan {
	return capacity.Plan{Min: min, Max: max, Steps: steps,
		StepDuration: time.Second, Warmup: 200 * time.Millisecond, Plan: loadrunner.Plan{Timeout: 2 * time.Second}}
}

// TestHaveCapacity runs the matcher on a service whose knee, 250 req/s,
// does not depend on the machine: it passes a bound the service meets,
// fails one it does not with the step table, and refuses to judge a
// generator-bound search either way.
func TestHaveCapacity(t *testing.T) {
	url := testtool.NewKnee(t, 250, 200*time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	t.Run("meets", func(t *testing.T) {
		m := matchers.HaveCapacity(ctx, gomega.BeNumerically(">=", 100), capacitySLA, quickCapacityPlan(100, 100, 0))
		ok, err := m.Match(loadrunner.HTTP(url))
		skipIfCannotTell(t, err)
		if err != nil || !ok {
			t.Fatalf("ok %v, error %v\n%s", ok, err, m.FailureMessage(nil))
		}
	})
	t.Run("fails with the step table", func(t *testing.T) {
		coarse := quickCapacityPlan(150, 300, 2)
		coarse.Resolution = 0.5 // no bisection: the message is what this checks
		m := matchers.HaveCapacity(ctx, gomega.BeNumerically(">=", 1000), capacitySLA, coarse)
		ok, err := m.Match(loadrunner.HTTP(url))
		skipIfCannotTell(t, err)
		if err != nil || ok {
			t.Fatalf("a capacity of 1000 req/s must fail plainly: ok %v, error %v", ok, err)
		}
		msg := m.FailureMessage(nil)
		for _, want := range []string{"to be >=", "capacity 150 req/s", "rate  status", "FAIL"} {
			if !strings.Contains(msg, want) {
				t.Errorf("failure message lacks %q:\n%s", want, msg)
			}
		}
		// Why 300 req/s failed: the budget, or (when the generator lagged
		// too) the service time that breaks it.
		if !strings.Contains(msg, "p90<50ms fail (observed") && !strings.Contains(msg, "the service alone breaks p90<50ms") {
			t.Errorf("failure message does not say why 300 req/s failed:\n%s", msg)
		}
	})
	t.Run("generator bound is an error", func(t *testing.T) {
		// 2M req/s is far beyond what one generator can send.
		starved := capacity.Plan{Min: 100, Max: 2e6, Steps: 2, Search: capacity.SearchBinary, StepDuration: 200 * time.Millisecond}
		instant := loadrunner.Func(func(context.Context) error { return nil })
		m := matchers.HaveCapacity(ctx, gomega.BeNumerically(">=", 1000), capacitySLA, starved)
		if _, err := m.Match(instant); err == nil ||
			!strings.Contains(err.Error(), "cannot tell the service's capacity, only a lower bound") {
			t.Errorf("a generator-bound search must be an error, not a verdict: %v", err)
		}
	})
}

// skipIfCannotTell skips the test when the machine was too loaded for the
// generator and the search said so.
func skipIfCannotTell(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), "cannot tell the service's capacity") {
		t.Skipf("the machine is too loaded for the generator, the search says so: %v", err)
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
