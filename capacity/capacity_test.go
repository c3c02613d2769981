package capacity_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/pprofsource"
	"github.com/slaspec/slaspec/sla"
)

// serialWork is the service time of the serialised service: one request at
// a time holds its lock for it, so it completes at most 1/serialWork = 250
// requests per second, whatever the load (testtool.Serial measures what
// the machine really gave it).
const serialWork = 4 * time.Millisecond

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

// TestFindCapacityKnownKnee is the proof against a real capacity: a step
// search over 50..600 req/s brackets the serialised service's knee between
// two steps 50 req/s apart, bisects the bracket to 5%, and answers near the
// capacity the machine really gave the service.
func TestFindCapacityKnownKnee(t *testing.T) {
	svc := testtool.NewSerial(t, serialWork)
	cp := quickPlan(50, 600, 12, capacity.SearchStep) // steps of 50 req/s
	// The service shares this machine: a stall of half the budget or more
	// (a descheduled lock holder) queues everything behind it and breaks
	// p90<50ms below the mean capacity; the search rightly counts that as
	// the service's latency, and the comparison below no longer applies.
	stalled := func() (string, bool) {
		n, longest := svc.Stalls()
		return fmt.Sprintf("the machine stalled the service %d times, once for %s: its capacity under the SLA is below its mean %.1f req/s",
			n, longest, svc.Capacity()), longest >= 25*time.Millisecond
	}
	c := find(t, svc.URL, cp, stalled)
	checkClimbsThenBisects(t, c.Steps, 50)
	// The lowest step ran long enough for p90's 100 samples, and says so.
	if n := c.Steps[0].Result.Latency.Count(); n < sla.NeededSamples(90) {
		t.Errorf("the step at 50 req/s has %d samples, fewer than p90 needs", n)
	}
	if len(c.Notes) == 0 || !strings.Contains(c.Notes[0], "the step at 50 req/s runs 2.1s instead of 1s") {
		t.Errorf("notes %q", c.Notes)
	}
	// A short step lets a slight overload pass (its queue has not grown past
	// the budget yet): generous bounds around what the service really gave.
	known := svc.Capacity()
	stalls, longest := svc.Stalls()
	t.Logf("measured capacity %.1f req/s (nominal %.0f), %d stalls, longest %s: found %.2f of it", known, svc.Nominal(), stalls, longest, c.CapacityRPS/known)
	if c.CapacityRPS < 0.7*known || c.CapacityRPS > 1.1*known {
		if why, ok := stalled(); ok {
			t.Skipf("%s (found %g)", why, c.CapacityRPS)
		}
		t.Errorf("capacity %g req/s is not within [0.7, 1.1] of the measured %.1f", c.CapacityRPS, known)
	}
}

// TestFindCapacityStepKnee runs the step search against a service whose
// knee, 245 req/s, does not depend on the machine: the steps are exactly
// those of the search's design and the capacity within 5% below the knee.
func TestFindCapacityStepKnee(t *testing.T) {
	cp := quickPlan(50, 600, 12, capacity.SearchStep)
	cp.Cooldown = time.Second // the knee counts the last second's arrivals
	c := find(t, testtool.NewKnee(t, 245, 200*time.Millisecond), cp, nil)
	if want := []float64{50, 100, 150, 200, 250, 225, 238}; !slices.Equal(rates(c.Steps), want) {
		t.Errorf("steps %v, want %v", rates(c.Steps), want)
	}
	if c.CapacityRPS != 238 || !strings.Contains(c.Knee, "between 238 and 250 req/s") {
		t.Errorf("capacity %g, knee %q; want 238, between 238 and 250", c.CapacityRPS, c.Knee)
	}
	var table strings.Builder
	capacity.Write(&table, c)
	if !strings.Contains(table.String(), "step search over 50–600 req/s to 5%, 7 steps run") {
		t.Errorf("table:\n%s", table.String())
	}
}

// TestFindCapacityProfilesEachStep gives each step a profile source of its
// own (the in-process one: the service runs in this process), writing into
// a folder named after the step; the table then says where the service
// spent its time in the step that broke the SLA.
func TestFindCapacityProfilesEachStep(t *testing.T) {
	dir := t.TempDir()
	cp := quickPlan(100, 300, 3, capacity.SearchStep)
	cp.Resolution = 0.5 // 200 passes, 300 breaks: no bisection
	var asked []float64
	cp.StepOptions = func(rate float64) []loadrunner.Option {
		asked = append(asked, rate)
		return []loadrunner.Option{loadrunner.WithProfileSource(pprofsource.InProcess(pprofsource.WithDir(filepath.Join(dir, capacity.StepName(rate)))))}
	}
	c, err := capacity.Find(within(t, t.Context()), loadrunner.HTTP(testtool.NewKnee(t, 245, 200*time.Millisecond)), capacitySLA, cp)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	capacity.Write(&table, c)
	t.Log("\n" + table.String())
	bound := c.BoundingStep()
	if bound == nil || bound.Status != sla.Failed {
		t.Skipf("no step broke the SLA on this machine now: %s", c.Knee)
	}
	if !slices.Equal(asked, rates(c.Steps)) {
		t.Errorf("StepOptions was asked for %v, the steps ran %v", asked, rates(c.Steps))
	}
	for _, s := range c.Steps {
		want := filepath.Join(dir, capacity.StepName(s.Rate))
		if p := s.Result.Profiles; p == nil || p.Dir != want || p.Alloc == nil {
			t.Errorf("the step at %g req/s: profiles %+v, want the folder %s", s.Rate, p, want)
			continue
		}
		if _, err := os.Stat(filepath.Join(want, "allocs.pb.gz")); err != nil {
			t.Errorf("the step at %g req/s: %v", s.Rate, err)
		}
	}
	for _, want := range []string{
		fmt.Sprintf("  the service at %s req/s, the step that broke the SLA:\n", sla.FormatNumber(bound.Rate)),
		"  profiles   runtime/pprof (in-process)", "files in " + filepath.Join(dir, capacity.StepName(bound.Rate)),
	} {
		if !strings.Contains(table.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, table.String())
		}
	}
}

// TestFindCapacityBinary narrows on the same knee with a binary search: 50,
// 600, 325, then halves until the bracket is within 5%.
func TestFindCapacityBinary(t *testing.T) {
	cp := quickPlan(50, 600, 10, capacity.SearchBinary)
	cp.Cooldown = time.Second
	c := find(t, testtool.NewKnee(t, 245, 200*time.Millisecond), cp, nil)
	if want := []float64{50, 600, 325, 188, 256, 222, 239, 248}; !slices.Equal(rates(c.Steps), want) {
		t.Errorf("steps %v, want %v", rates(c.Steps), want)
	}
	if c.CapacityRPS < 245*(1-capacity.DefaultResolution) || c.CapacityRPS >= 245 {
		t.Errorf("capacity %g, not within 5%% below the knee 245", c.CapacityRPS)
	}
	for i := 1; i < len(c.Steps); i++ {
		prev, next := c.Steps[i-1].Result, c.Steps[i].Result
		if gap := next.Started.Add(-cp.Warmup).Sub(prev.Ended); gap < cp.Cooldown*9/10 {
			t.Errorf("step %d started %s after the previous one ended, within the %s cooldown", i, gap, cp.Cooldown)
		}
	}
}

// find runs cp's search against url and checks what every search that
// found a knee must hold: a bracket within the resolution, the knee in
// words. It skips the test, saying why, when the search itself says it
// cannot tell (the machine is too loaded for the generator), or when no
// knee was found and excuse (if any) says why that is the machine's doing.
func find(t *testing.T, url string, cp capacity.Plan, excuse func() (string, bool)) *capacity.Result {
	t.Helper()
	c, err := capacity.Find(within(t, t.Context()), loadrunner.HTTP(url), capacitySLA, cp)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	capacity.Write(&table, c)
	t.Log("\n" + table.String())
	if c.Partial {
		t.Fatalf("partial: %q", c.Notes)
	}
	if c.GeneratorBound || c.Status == sla.Inconclusive {
		checkSaysWhy(t, c)
		t.Skipf("the search cannot tell on this machine now: %s", c.Knee)
	}
	best, bound := c.Best(), lowestFailAbove(c)
	if got := c.BoundingStep(); got != bound {
		t.Errorf("BoundingStep %+v, want the lowest step above the capacity that did not pass, %+v", got, bound)
	}
	if c.Status != sla.Passed || best == nil || bound == nil || !strings.Contains(c.Knee, "broke it") {
		if excuse != nil {
			if why, ok := excuse(); ok {
				t.Skipf("%s (the search: %s)", why, c.Knee)
			}
		}
		t.Fatalf("status %s, knee %q", c.Status, c.Knee)
	}
	if bound.Rate-best.Rate > capacity.DefaultResolution*bound.Rate {
		t.Errorf("bracket %g..%g req/s is wider than the resolution", best.Rate, bound.Rate)
	}
	return c
}

// checkClimbsThenBisects checks a step search's steps: rates climbing by
// step to the first that does not pass, then only rates inside that bracket.
func checkClimbsThenBisects(t *testing.T, steps []capacity.Step, step float64) {
	t.Helper()
	first := 0 // the first step that did not pass: the bracket's top
	for first < len(steps) && steps[first].Status == sla.Passed {
		first++
	}
	if first == 0 || first == len(steps) || steps[first].Rate != steps[first-1].Rate+step {
		t.Fatalf("the steps should climb by %g req/s to a step that does not pass: %v", step, rates(steps))
	}
	for _, s := range steps[first+1:] {
		if s.Rate <= steps[first-1].Rate || s.Rate >= steps[first].Rate {
			t.Errorf("bisection step %g outside the bracket %g..%g", s.Rate, steps[first-1].Rate, steps[first].Rate)
		}
	}
	if len(steps) == first+1 && steps[first].Rate-steps[first-1].Rate > capacity.DefaultResolution*steps[first].Rate {
		t.Errorf("no bisection after the bracket %g..%g", steps[first-1].Rate, steps[first].Rate)
	}
}

// checkSaysWhy checks that a search that cannot tell says why: a step above
// its capacity saturated the generator and its note says so, or the lowest
// step was inconclusive.
func checkSaysWhy(t *testing.T, c *capacity.Result) {
	t.Helper()
	for _, s := range c.Steps {
		if s.GeneratorSaturated && s.Status == sla.Inconclusive && strings.Contains(s.Note, "generator saturated") && s.Rate > c.CapacityRPS {
			return
		}
	}
	if c.Status == sla.Inconclusive && !c.GeneratorBound && strings.Contains(c.Knee, "inconclusive") {
		return
	}
	t.Errorf("the search cannot tell but no step says why: %q", c.Knee)
}

// TestFindCapacityGeneratorBound offers a rate far beyond what one
// generator can send (2M req/s) to a target that answers at once: the
// search must report the limit as the generator's, a lower bound.
func TestFindCapacityGeneratorBound(t *testing.T) {
	instant := loadrunner.Func(func(context.Context) error { return nil })
	cp := quickPlan(100, 2e6, 2, capacity.SearchBinary)  // Min and Max only
	cp.StepDuration, cp.Warmup = 200*time.Millisecond, 0 // 400,000 sends planned at Max
	c, err := capacity.Find(within(t, t.Context()), instant, capacitySLA, cp)
	if err != nil {
		t.Fatal(err)
	}
	var table strings.Builder
	capacity.Write(&table, c)
	t.Log("\n" + table.String())
	if !c.GeneratorBound {
		t.Fatalf("a generator that cannot send the rate must make the result generator bound")
	}
	checkSaysWhy(t, c)
	// Either Min passed (a lower bound) or, on a loaded machine, even Min
	// saturated the generator.
	lowerBound := c.Status == sla.Passed && c.CapacityRPS == 100 && strings.Contains(c.Knee, "lower bound") && strings.Contains(table.String(), "(lower bound)")
	atMin := c.Status == sla.Inconclusive && strings.Contains(c.Knee, "the load generator saturated at the lowest rate")
	if !lowerBound && !atMin {
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
	svc := testtool.NewSerial(t, serialWork)
	c, err := capacity.Find(within(t, t.Context()), loadrunner.HTTP(svc.URL), capacitySLA, quickPlan(100, 100, 0, ""))
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
	for _, k := range []string{"capacity_rps", "generator_bound", "steps", "knee", "sla", "status", "resolution"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	var back capacity.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.CapacityRPS != c.CapacityRPS || back.Status != c.Status || len(back.Steps) != 1 || back.Steps[0].Result == nil ||
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
		{"resolution too fine", "p90<50ms", func(p *capacity.Plan) { p.Resolution = 0.001 }, target, "Resolution 0.001 must be a share of the rate from 0.01 to below 1"},
		{"resolution a percent", "p90<50ms", func(p *capacity.Plan) { p.Resolution = 5 }, target, "Resolution 5 must be a share"},
		{"resolution NaN", "p90<50ms", func(p *capacity.Plan) { p.Resolution = math.NaN() }, target, "Resolution NaN"},
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
			"(13 steps; the step at 1 req/s alone runs 2h55m0s), more than MaxTotal 15m0s"},
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

// TestFindCapacityInterrupted stops the search from its context, after a
// number of requests rather than a time: the steps run so far come back,
// marked partial, never a pass beyond what ran.
func TestFindCapacityInterrupted(t *testing.T) {
	cases := []struct {
		name  string
		after int64 // requests before the interruption
		steps int
	}{
		{"in the first step", 50, 1},   // 100 req/s: 130 requests with its warm-up
		{"in the second step", 160, 2}, // 200 req/s
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(within(t, t.Context()))
			defer cancel()
			var hits atomic.Int64
			target := loadrunner.Func(func(context.Context) error {
				if hits.Add(1) == c.after {
					cancel()
				}
				return nil
			})
			res, err := capacity.Find(ctx, target, capacitySLA, quickPlan(100, 200, 2, ""))
			if err != nil {
				t.Fatal(err)
			}
			if c.steps == 2 && len(res.Steps) == 1 && res.Steps[0].Status != sla.Passed && !res.Partial {
				t.Skipf("the first step did not pass, so the second never ran: %s", res.Knee)
			}
			if !res.Partial || len(res.Steps) != c.steps || !strings.Contains(strings.Join(res.Notes, "\n"), "interrupted") {
				t.Fatalf("partial %v, %d steps, notes %q", res.Partial, len(res.Steps), res.Notes)
			}
			if res.Status == sla.Passed && (!strings.Contains(res.Knee, "at least") || res.CapacityRPS > 100) {
				t.Errorf("an interrupted pass must read as a lower bound of what ran: %g, %q", res.CapacityRPS, res.Knee)
			}
		})
	}
}
