package capacity_test

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// serialWork is the fixed service time of the serialised service: one
// request at a time holds the lock for it, so the service completes at most
// 1/serialWork = 250 requests per second, whatever the load.
const serialWork = 4 * time.Millisecond

// serialService is a loopback HTTP service whose capacity is known: every
// request sleeps serialWork under one lock. It measures the time the lock
// is held, so a test can compare the search with the capacity this machine
// really gave it (a sleep overshoots a little, more on a busy machine).
type serialService struct {
	mu     sync.Mutex
	busy   atomic.Int64 // nanoseconds of service under the lock
	served atomic.Int64
}

func (s *serialService) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	if r.Context().Err() == nil { // the client gave up: do not serve it
		start := time.Now()
		time.Sleep(serialWork)
		s.busy.Add(int64(time.Since(start)))
		s.served.Add(1)
	}
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

// measured is the capacity the service had: requests served per second of
// lock time.
func (s *serialService) measured() float64 {
	return float64(s.served.Load()) / time.Duration(s.busy.Load()).Seconds()
}

func startSerial(t *testing.T) (*serialService, string) {
	t.Helper()
	s := &serialService{}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	return s, srv.URL
}

// parallelService sleeps d per request with no lock: its capacity is far
// above what one in-flight slot can offer it.
func parallelService(t *testing.T, d time.Duration) string {
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
var capacitySLA = sla.MustParse("p90<50ms, errors<1%")

func quickPlan(min, max float64, steps int, search string) capacity.Plan {
	return capacity.Plan{Min: min, Max: max, Steps: steps, Search: search,
		StepDuration: time.Second, Warmup: 200 * time.Millisecond, Plan: loadrunner.Plan{Timeout: 2 * time.Second}}
}

func within(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 45*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// TestFindCapacityKnownKnee is the proof: a step search over 50..600 req/s
// finds the serialised service's known capacity (250 req/s by construction,
// the served rate per second of lock time as measured) within one step.
func TestFindCapacityKnownKnee(t *testing.T) {
	svc, url := startSerial(t)
	cp := quickPlan(50, 600, 12, capacity.SearchStep) // steps of 50 req/s
	c, err := capacity.Find(within(t, t.Context()), loadrunner.HTTP(url), capacitySLA, cp)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	capacity.Write(&table, c)
	t.Log("\n" + table.String())
	const step = 50.0
	known := svc.measured()
	if known > 1/serialWork.Seconds()*1.01 || known < 100 {
		t.Fatalf("the service's measured capacity %.1f req/s is not near its analytical %.0f", known, 1/serialWork.Seconds())
	}
	if c.Status != sla.Passed || c.GeneratorBound || c.Partial {
		t.Fatalf("status %s, generator bound %v, partial %v", c.Status, c.GeneratorBound, c.Partial)
	}
	if math.Abs(c.CapacityRPS-known) > step {
		t.Errorf("capacity %.0f req/s is more than one step (%.0f) from the known %.1f", c.CapacityRPS, step, known)
	}
	last := c.Steps[len(c.Steps)-1]
	if last.Status != sla.Failed || last.Rate != c.CapacityRPS+step {
		t.Errorf("the search should stop at the first failing step, one above the capacity: last step %.0f %s", last.Rate, last.Status)
	}
	if !strings.Contains(c.Knee, "broke it") {
		t.Errorf("knee %q", c.Knee)
	}
	for _, s := range c.Steps[:len(c.Steps)-1] {
		if s.Status != sla.Passed || s.Result == nil || len(s.Verdicts) == 0 {
			t.Errorf("step %.0f: %s, %d verdicts", s.Rate, s.Status, len(s.Verdicts))
		}
	}
	// The lowest step ran long enough for p90's 100 samples, and says so.
	if n := c.Steps[0].Result.Latency.Count(); n < sla.NeededSamples(90) {
		t.Errorf("the step at 50 req/s has %d samples, fewer than p90 needs", n)
	}
	if len(c.Notes) == 0 || !strings.Contains(c.Notes[0], "the step at 50 req/s runs 2.1s instead of 1s") {
		t.Errorf("notes %q", c.Notes)
	}
}

// TestFindCapacityBinary narrows on the same knee with a binary search: its
// resolution after six steps is (600−50)/16 ≈ 34 req/s.
func TestFindCapacityBinary(t *testing.T) {
	svc, url := startSerial(t)
	cp := quickPlan(50, 600, 6, capacity.SearchBinary)
	cp.Cooldown = 200 * time.Millisecond // the 600 req/s step leaves a backlog
	c, err := capacity.Find(within(t, t.Context()), loadrunner.HTTP(url), capacitySLA, cp)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	capacity.Write(&table, c)
	t.Log("\n" + table.String())
	if len(c.Steps) != 6 || c.Steps[0].Rate != 50 || c.Steps[1].Rate != 600 || c.Steps[2].Rate != 325 {
		t.Fatalf("binary search ran %v", rates(c.Steps))
	}
	for i := 1; i < len(c.Steps); i++ {
		prev, next := c.Steps[i-1].Result, c.Steps[i].Result
		if gap := next.Started.Add(-cp.Warmup).Sub(prev.Ended); gap < cp.Cooldown*9/10 {
			t.Errorf("step %d started %s after the previous one ended, within the %s cooldown", i, gap, cp.Cooldown)
		}
	}
	best, bound := c.Best(), lowestFailAbove(c)
	if best == nil || bound == nil || c.GeneratorBound {
		t.Fatalf("no bracket: %s", c.Knee)
	}
	known := svc.measured()
	if best.Rate > known*1.1 || bound.Rate < known*0.8 || bound.Rate-best.Rate > (600-50)/16.0+1 {
		t.Errorf("bracket %.0f..%.0f req/s does not hold the known %.1f within the search's resolution", best.Rate, bound.Rate, known)
	}
}

// TestFindCapacityGeneratorBound starves the generator (one request in
// flight) against a service that could take far more: the search must
// report its limit as the generator's, a lower bound.
func TestFindCapacityGeneratorBound(t *testing.T) {
	url := parallelService(t, 12*time.Millisecond) // one slot offers under 85 req/s
	cp := quickPlan(50, 400, 8, capacity.SearchStep)
	cp.Plan.MaxInFlight = 1
	c, err := capacity.Find(within(t, t.Context()), loadrunner.HTTP(url), capacitySLA, cp)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	capacity.Write(&table, c)
	t.Log("\n" + table.String())
	if !c.GeneratorBound {
		t.Fatalf("a starved generator must make the result generator bound")
	}
	last := c.Steps[len(c.Steps)-1]
	if !last.GeneratorSaturated || last.Status != sla.Inconclusive || !strings.Contains(last.Note, "generator saturated") {
		t.Errorf("last step %.0f: saturated %v, %s, note %q", last.Rate, last.GeneratorSaturated, last.Status, last.Note)
	}
	if last.Rate > 150 {
		t.Errorf("one in-flight slot against a 12ms service cannot offer %.0f req/s", last.Rate)
	}
	if !strings.Contains(c.Knee, "lower bound") || !strings.Contains(table.String(), "generator bound") {
		t.Errorf("knee %q, table:\n%s", c.Knee, table.String())
	}
}

func rates(steps []capacity.Step) []float64 {
	out := make([]float64, len(steps))
	for i, s := range steps {
		out[i] = s.Rate
	}
	return out
}

func lowestFailAbove(c *capacity.Result) *capacity.Step {
	var bound *capacity.Step
	for i, s := range c.Steps {
		if s.Status != sla.Passed && s.Rate > c.CapacityRPS && (bound == nil || s.Rate < bound.Rate) {
			bound = &c.Steps[i]
		}
	}
	return bound
}

// TestCapacityJSON checks the documented JSON keys and a lossless round
// trip of the steps' results.
func TestCapacityJSON(t *testing.T) {
	_, url := startSerial(t)
	c, err := capacity.Find(within(t, t.Context()), loadrunner.HTTP(url), capacitySLA, quickPlan(100, 100, 0, ""))
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"capacity_rps", "generator_bound", "steps", "knee", "sla", "status"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	var back capacity.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.CapacityRPS != 100 || len(back.Steps) != 1 || back.Steps[0].Result == nil ||
		!back.Steps[0].Result.Latency.Equal(c.Steps[0].Result.Latency) || len(back.Steps[0].Verdicts) != len(c.Steps[0].Verdicts) {
		t.Errorf("round trip lost figures: %+v", back)
	}
}

func TestFindCapacityRefusesBadInput(t *testing.T) {
	target := loadrunner.Func(func(context.Context) error { return nil })
	base := quickPlan(50, 600, 12, "")
	cases := []struct {
		name   string
		sla    string
		edit   func(*capacity.Plan)
		target loadrunner.Target
		want   string
	}{
		{"no min", "p90<50ms", func(p *capacity.Plan) { p.Min = 0 }, target, "Min 0 req/s must be a positive number"},
		{"nan min", "p90<50ms", func(p *capacity.Plan) { p.Min = math.NaN() }, target, "Min NaN"},
		{"max below min", "p90<50ms", func(p *capacity.Plan) { p.Max = 10 }, target, "Max 10 req/s must be a number at least Min 50"},
		{"too many steps", "p90<50ms", func(p *capacity.Plan) { p.Steps = 1000 }, target, "Steps 1000 must be between 1 and 64"},
		{"one step two rates", "p90<50ms", func(p *capacity.Plan) { p.Steps = 1 }, target, "Steps 1 searches one rate"},
		{"negative duration", "p90<50ms", func(p *capacity.Plan) { p.StepDuration = -time.Second }, target, "StepDuration -1s is negative"},
		{"negative cooldown", "p90<50ms", func(p *capacity.Plan) { p.Cooldown = -time.Second }, target, "Cooldown -1s is negative"},
		{"bad search", "p90<50ms", func(p *capacity.Plan) { p.Search = "random" }, target, `search "random": want "step" or "binary"`},
		{"plan rate", "p90<50ms", func(p *capacity.Plan) { p.Plan.Rate = 5 }, target, "the search sets each step's"},
		{"closed model", "p90<50ms", func(p *capacity.Plan) { p.Plan.Concurrency = 4 }, target, "Plan.Concurrency 4"},
		{"sharded", "p90<50ms", func(p *capacity.Plan) { p.Plan.Shard = loadrunner.Shard{Index: 0, Count: 2} }, target, "shard"},
		{"bad timeout", "p90<50ms", func(p *capacity.Plan) { p.Plan.Timeout = -time.Second }, target, "step plan"},
		{"empty sla", "", func(*capacity.Plan) {}, target, "the SLA has no budget"},
		{"nil target", "p90<50ms", func(*capacity.Plan) {}, nil, "target is nil"},
		{"window too small", "p99@1s<50ms", func(*capacity.Plan) {}, target,
			"budget p99@1s<50ms needs 1000 samples in every 1s window, but at Min 50 req/s a window holds 50: raise Min to 1000 req/s"},
		{"too long", "p99.9<50ms", func(p *capacity.Plan) { p.Min = 1 }, target,
			"(12 steps; the step at 1 req/s alone runs 2h55m0s), more than MaxTotal 15m0s"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := base
			c.edit(&cp)
			var budget sla.SLA
			if c.sla != "" {
				budget = sla.MustParse(c.sla)
			}
			got, err := capacity.Find(t.Context(), c.target, budget, cp)
			if err == nil || got != nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("got %v, error %v; want an error with %q", got, err, c.want)
			}
			if !strings.HasPrefix(err.Error(), "capacity: ") {
				t.Errorf("error %q lacks the package prefix", err)
			}
		})
	}
}

// TestFindCapacityInterrupted stops the search from its context: the steps
// run so far come back, marked partial, never a pass beyond what ran.
func TestFindCapacityInterrupted(t *testing.T) {
	_, url := startSerial(t)
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	c, err := capacity.Find(ctx, loadrunner.HTTP(url), capacitySLA, quickPlan(100, 200, 2, ""))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Partial || len(c.Steps) == 0 || len(c.Steps) > 2 || !strings.Contains(strings.Join(c.Notes, "\n"), "interrupted") {
		t.Fatalf("partial %v, %d steps, notes %q", c.Partial, len(c.Steps), c.Notes)
	}
	if c.Status == sla.Passed && !strings.Contains(c.Knee, "at least") {
		t.Errorf("an interrupted pass must read as a lower bound: %q", c.Knee)
	}
}
