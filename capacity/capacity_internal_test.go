package capacity

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// kneeAt is a fake service whose steps pass below knee, fail from it on,
// and whose generator saturates from saturateAt on (0: never).
func kneeAt(knee, saturateAt float64) prober {
	return func(rate float64) (Step, error) {
		st := Step{Rate: rate, Status: sla.Passed}
		if saturateAt > 0 && rate >= saturateAt {
			st.GeneratorSaturated, st.Status = true, sla.Inconclusive
		} else if rate >= knee {
			st.Status = sla.Failed
		}
		return st, nil
	}
}

func never() bool { return false }

func stepRatesOf(steps []Step) []float64 {
	out := make([]float64, len(steps))
	for i, s := range steps {
		out[i] = s.Rate
	}
	return out
}

func TestStepRates(t *testing.T) {
	cases := []struct {
		name     string
		lo, hi   float64
		steps    int
		want     []float64
		wantLen  int
		wantLast float64
	}{
		{name: "even", lo: 50, hi: 600, steps: 12, want: []float64{50, 100, 150, 200, 250, 300, 350, 400, 450, 500, 550, 600}},
		{name: "halves", lo: 1, hi: 2, steps: 3, want: []float64{1, 1.5, 2}},
		{name: "one rate", lo: 100, hi: 100, steps: 5, want: []float64{100}},
		{name: "rounding merges close rates", lo: 10, hi: 10.2, steps: 64, wantLen: 3, wantLast: 10.2},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := stepRates(c.lo, c.hi, c.steps)
			if c.want != nil && !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			if c.wantLen > 0 && (len(got) != c.wantLen || got[len(got)-1] != c.wantLast) {
				t.Fatalf("got %v, want %d rates ending at %g", got, c.wantLen, c.wantLast)
			}
			if !slices.IsSorted(got) || len(slices.Compact(slices.Clone(got))) != len(got) {
				t.Fatalf("rates %v are not strictly increasing", got)
			}
		})
	}
}

func TestRoundRate(t *testing.T) {
	for in, want := range map[float64]float64{187.5: 188, 1234.5: 1230, 56.25: 56.2, 0.1234: 0.123, 600: 600} {
		if got := roundRate(in); got-want > 1e-9 || want-got > 1e-9 {
			t.Errorf("roundRate(%g) = %g, want %g", in, got, want)
		}
	}
}

func TestSearchBinary(t *testing.T) {
	cases := []struct {
		name  string
		probe prober
		steps int
		want  []float64
	}{
		{"narrows on the knee", kneeAt(243, 0), 6, []float64{50, 600, 325, 187.5, 256.2, 221.8}},
		{"stops at a failing minimum", kneeAt(10, 0), 6, []float64{50}},
		{"stops at a passing maximum", kneeAt(1000, 0), 6, []float64{50, 600}},
		{"narrows below a saturated generator", kneeAt(1000, 300), 5, []float64{50, 600, 325, 187.5, 256.2}},
		{"two steps probe only the ends", kneeAt(243, 0), 2, []float64{50, 600}},
		{"stops at 1% resolution", kneeAt(243, 0), 64, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := searchBinary(50, 600, c.steps, 0.01, c.probe, never)
			if err != nil {
				t.Fatal(err)
			}
			if c.want != nil && !slices.Equal(stepRatesOf(got), c.want) {
				t.Fatalf("rates %v, want %v", stepRatesOf(got), c.want)
			}
			if len(got) > c.steps {
				t.Fatalf("%d steps, more than %d", len(got), c.steps)
			}
			if c.want == nil {
				capa := &Result{Steps: got}
				capa.conclude()
				bound := lowestAbove(got, capa.CapacityRPS)
				if bound-capa.CapacityRPS > bound/100+1 || capa.CapacityRPS >= 243 || bound < 243 {
					t.Fatalf("bracket %g..%g after %d steps", capa.CapacityRPS, bound, len(got))
				}
			}
		})
	}
}

func lowestAbove(steps []Step, rate float64) float64 {
	low := 0.0
	for _, s := range steps {
		if s.Status != sla.Passed && s.Rate > rate && (low == 0 || s.Rate < low) {
			low = s.Rate
		}
	}
	return low
}

func TestSearchSteps(t *testing.T) {
	rates := stepRates(50, 600, 12)
	cases := []struct {
		name string
		res  float64
		want []float64
	}{
		{"steps then bisects to 5%", 0.05, []float64{50, 100, 150, 200, 250, 225, 238}},
		{"steps then bisects to 1%", 0.01, []float64{50, 100, 150, 200, 250, 225, 237.5, 243.8, 240.7, 242.2}},
		{"the steps are already finer", 0.25, []float64{50, 100, 150, 200, 250}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := searchSteps(rates, c.res, kneeAt(243, 0), never)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(stepRatesOf(got), c.want) {
				t.Fatalf("rates %v, want %v", stepRatesOf(got), c.want)
			}
		})
	}
}

// TestSearchStopsOrFails checks that a search stops where it is
// interrupted, bisecting or not, and returns a step's error.
func TestSearchStopsOrFails(t *testing.T) {
	rates := stepRates(50, 600, 12)
	calls := 0
	got, _ := searchSteps(rates, 0.05, kneeAt(1000, 0), func() bool { calls++; return calls > 3 })
	if len(got) != 3 {
		t.Fatalf("an interrupted search ran %d steps, want 3", len(got))
	}
	calls = 0
	got, _ = searchSteps(rates, 0.05, kneeAt(243, 0), func() bool { calls++; return calls > 6 })
	if want := []float64{50, 100, 150, 200, 250, 225}; !slices.Equal(stepRatesOf(got), want) {
		t.Fatalf("a search interrupted while bisecting ran %v, want %v", stepRatesOf(got), want)
	}
	boom := errors.New("refused")
	if _, err := searchSteps(rates, 0.05, func(float64) (Step, error) { return Step{}, boom }, never); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	failing := func(r float64) (Step, error) {
		if r > 200 {
			return Step{}, boom
		}
		return Step{Rate: r, Status: sla.Passed}, nil
	}
	if _, err := searchSteps([]float64{100, 200, 300}, 0.05, func(r float64) (Step, error) {
		if r == 300 {
			return Step{Rate: r, Status: sla.Failed}, nil
		}
		return failing(r)
	}, never); !errors.Is(err, boom) {
		t.Fatalf("an error while bisecting: %v", err)
	}
	if _, err := searchBinary(50, 600, 6, 0.05, func(float64) (Step, error) { return Step{}, boom }, never); !errors.Is(err, boom) {
		t.Fatalf("binary: error %v", err)
	}
}

func TestConclude(t *testing.T) {
	step := func(rate float64, st sla.Status, saturated bool) Step {
		return Step{Rate: rate, Status: st, GeneratorSaturated: saturated}
	}
	cases := []struct {
		name      string
		steps     []Step
		partial   bool
		status    sla.Status
		capacity  float64
		generator bool
		knee      string
	}{
		{"knee", []Step{step(100, sla.Passed, false), step(200, sla.Failed, false)}, false, sla.Passed, 100, false, "between 100 and 200 req/s: 100 req/s held the SLA, 200 req/s broke it"},
		{"all passed", []Step{step(100, sla.Passed, false), step(200, sla.Passed, false)}, false, sla.Passed, 200, false, "at or above 200 req/s: every step passed"},
		{"generator bound", []Step{step(100, sla.Passed, false), step(200, sla.Inconclusive, true)}, false, sla.Passed, 100, true, "at least 100 req/s (a lower bound): the load generator saturated at 200 req/s"},
		{"service failed under a saturated generator", []Step{step(100, sla.Passed, false), step(200, sla.Failed, true)}, false, sla.Passed, 100, false, "broke it"},
		{"inconclusive bound", []Step{step(100, sla.Passed, false), step(200, sla.Inconclusive, false)}, false, sla.Passed, 100, false, "the step at 200 req/s was inconclusive"},
		{"lowest failed", []Step{step(100, sla.Failed, false)}, false, sla.Failed, 0, false, "below 100 req/s"},
		{"in-flight bound", []Step{step(100, sla.Passed, false), {Rate: 200, Status: sla.Inconclusive, GeneratorSaturated: true, Result: backlogged(testtool.Result(2, 100, func(int) time.Duration { return time.Millisecond }, 0, ""))}}, false, sla.Passed, 100, true, "at least 100 req/s (a lower bound): the in-flight bound filled at 200 req/s"},
		{"lowest saturated", []Step{step(100, sla.Inconclusive, true)}, false, sla.Inconclusive, 0, true, "saturated at the lowest rate"},
		{"lowest inconclusive", []Step{step(100, sla.Inconclusive, false)}, false, sla.Inconclusive, 0, false, "was inconclusive"},
		{"nothing ran", nil, true, sla.Inconclusive, 0, false, "no step ran"},
		{"interrupted", []Step{step(100, sla.Passed, false), step(200, sla.Inconclusive, false)}, true, sla.Passed, 100, false, "at least 100 req/s: the search was interrupted"},
		{"interrupted after a pass", []Step{step(100, sla.Passed, false)}, true, sla.Passed, 100, false, "at least 100 req/s: the search was interrupted"},
		{"binary order", []Step{step(50, sla.Passed, false), step(600, sla.Failed, false), step(325, sla.Failed, false), step(188, sla.Passed, false)}, false, sla.Passed, 188, false, "between 188 and 325"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			capa := &Result{Steps: c.steps, Partial: c.partial, CapacityRPS: -1, GeneratorBound: !c.generator}
			capa.conclude()
			if capa.Status != c.status || capa.CapacityRPS != c.capacity || capa.GeneratorBound != c.generator || !strings.Contains(capa.Knee, c.knee) {
				t.Fatalf("got %s %g generator %v %q; want %s %g generator %v %q", capa.Status, capa.CapacityRPS, capa.GeneratorBound, capa.Knee,
					c.status, c.capacity, c.generator, c.knee)
			}
		})
	}
}

func TestStepPlan(t *testing.T) {
	cp := Plan{StepDuration: time.Second, Warmup: 100 * time.Millisecond}
	cases := []struct {
		name string
		sla  string
		rate float64
		dur  time.Duration
		note string
	}{
		{"long enough", "p99<1s", 2000, time.Second, ""},
		{"lengthened for p99", "p99<1s, p50<10ms", 100, 10500 * time.Millisecond, "the step at 100 req/s runs 10.5s instead of 1s, so that p99 has the 1000 samples it needs"},
		{"max needs one sample", "max<1s, errors<1%", 1, time.Second, ""},
		{"a window sets the minimum", "p50@3s<1s", 1000, 3 * time.Second, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, note := cp.stepPlan(c.rate, needOf(sla.MustParse(c.sla)))
			if p.Duration != c.dur || note != c.note || p.Rate != c.rate || p.Warmup != cp.Warmup {
				t.Fatalf("plan %+v, note %q; want %s, %q", p, note, c.dur, c.note)
			}
		})
	}
}

// TestSearchFindsKnee runs both searches against fake services whose knee is
// known, over many ranges, knees and resolutions: the capacity found must lie
// within the resolution below the knee, and the search must run no more
// steps, nor for longer, than the worst case the plan was admitted on.
func TestSearchFindsKnee(t *testing.T) {
	ranges := []struct {
		name     string
		min, max float64
		steps    int
	}{
		{"issue range", 200, 3000, 8},
		{"fine steps", 50, 600, 12},
		{"two steps", 100, 1000, 2},
		{"low rates", 1, 10, 4},
		{"wide", 10, 100000, 64},
	}
	for _, rg := range ranges {
		for _, search := range []string{SearchStep, SearchBinary} {
			for _, res := range []float64{0.01, 0.05, 0.2} {
				cp := Plan{Min: rg.min, Max: rg.max, Steps: rg.steps, Search: search, Resolution: res, StepDuration: time.Second, MaxTotal: 1000 * time.Hour}
				if search == SearchBinary {
					cp.Steps = MaxCapacitySteps // enough to reach any resolution
				}
				t.Run(fmt.Sprintf("%s/%s/%g", rg.name, search, res), func(t *testing.T) {
					checkKnees(t, cp)
				})
			}
		}
	}
}

// checkKnees searches for knees spread over and beyond cp's range.
func checkKnees(t *testing.T, cp Plan) {
	want := sla.MustParse("max<1s")
	cp, need, err := cp.resolve(want)
	if err != nil {
		t.Fatal(err)
	}
	worst := cp.worstCase(need)
	for k := 0.0; k <= 1.2; k += 0.0137 {
		knee := cp.Min*0.9 + k*(cp.Max-cp.Min*0.9)
		var steps []Step
		if cp.Search == SearchBinary {
			steps, err = searchBinary(cp.Min, cp.Max, cp.Steps, cp.Resolution, kneeAt(knee, 0), never)
		} else {
			steps, err = searchSteps(stepRates(cp.Min, cp.Max, cp.Steps), cp.Resolution, kneeAt(knee, 0), never)
		}
		if err != nil {
			t.Fatal(err)
		}
		c := &Result{Steps: steps}
		c.conclude()
		c.noteCoarse(cp.Resolution)
		switch {
		case knee <= cp.Min:
			if c.Status != sla.Failed {
				t.Errorf("knee %g below Min: status %s", knee, c.Status)
			}
		case knee > cp.Max:
			if c.CapacityRPS != cp.Max {
				t.Errorf("knee %g above Max: capacity %g", knee, c.CapacityRPS)
			}
		case c.CapacityRPS >= knee || c.CapacityRPS < knee*(1-cp.Resolution) || len(c.Notes) > 0:
			t.Errorf("knee %g: capacity %g, not within %g below it (rates %v, notes %q)", knee, c.CapacityRPS, cp.Resolution, stepRatesOf(steps), c.Notes)
		}
		if ran := cp.costOf(stepRatesOf(steps), need, cost{}); ran.steps > worst.steps || ran.total > worst.total {
			t.Errorf("knee %g: %d steps in %s, beyond the worst case %d steps in %s", knee, ran.steps, ran.total, worst.steps, worst.total)
		}
		if len(steps) != len(slices.Compact(slices.Sorted(slices.Values(stepRatesOf(steps))))) {
			t.Errorf("knee %g: a rate ran twice: %v", knee, stepRatesOf(steps))
		}
	}
}

// TestJudgeStep checks a step's status against what its run says of the
// generator: sla.Evaluate leaves a run the generator fell behind in
// undecided, but when the service alone breaks a budget the step failed.
func TestJudgeStep(t *testing.T) {
	want := sla.MustParse("p90<50ms, errors<1%")
	slow := func(int) time.Duration { return 200 * time.Millisecond }
	saturated := func(res *loadrunner.Result) *loadrunner.Result {
		res.GeneratorSaturated, res.Saturation = true, []string{"the generator stalled for 1.2s"}
		return res
	}
	cases := []struct {
		name      string
		res       *loadrunner.Result
		service   time.Duration // each request's service time, 0: its latency
		status    sla.Status
		generator bool
		note      string
	}{
		{"passes", testtool.Result(2, 100, testtool.Uniform, 0, ""), 0, sla.Passed, false, ""},
		{"fails", testtool.Result(2, 100, slow, 0, ""), 0, sla.Failed, false, ""},
		{"saturated, the service was fast", saturated(testtool.Result(2, 100, slow, 0, "")), time.Millisecond, sla.Inconclusive, true,
			"the load generator saturated before the service broke the SLA (the generator stalled for 1.2s)"},
		{"saturated, the service alone was slow", saturated(testtool.Result(2, 100, slow, 0, "")), 0, sla.Failed, true,
			"the service alone breaks p90<50ms: its service time 200ms"},
		{"saturated, the service failed requests", saturated(testtool.Result(2, 100, testtool.Uniform, 20, loadrunner.Class5xx)), time.Millisecond, sla.Failed, true,
			"the service alone breaks errors<1% (observed 10%)"},
		// The generator's own lag, up to 180ms, could account for a
		// latency 200ms past a 50ms budget: undecided.
		{"lagging, the lag explains the latency", lagged(slow, 180*time.Millisecond), 0, sla.Inconclusive, true,
			"its own send lag, up to 180ms, could account for the latency past the limit"},
		// Past the limit plus the longest lag, Evaluate fails a latency
		// itself; a saturated run needs the service time to tell.
		{"lagging, the latency is past what the lag explains", lagged(func(int) time.Duration { return 400 * time.Millisecond }, 180*time.Millisecond), 0, sla.Failed, false, ""},
		{"saturated and lagging, the service is slower than the lag explains", saturated(lagged(func(int) time.Duration { return 400 * time.Millisecond }, 180*time.Millisecond)), 300 * time.Millisecond, sla.Failed, true,
			"p90<50ms: its service time 300ms exceeds the limit by more than the generator's longest lag 180ms"},
		{"saturated and lagging, the lag explains the service time", saturated(lagged(func(int) time.Duration { return 400 * time.Millisecond }, 180*time.Millisecond)), 200 * time.Millisecond, sla.Inconclusive, true,
			"the generator stalled"},
		// The in-flight bound filled: past its capacity, the service's own
		// time breaks the budget; otherwise the bound was too small for the
		// rate, and the step is a bound of the search.
		{"backlogged, the service was slow", backlogged(testtool.Result(2, 100, slow, 0, "")), 0, sla.Failed, true,
			"the service alone breaks p90<50ms: its service time 200ms"},
		{"backlogged, the service was fast", backlogged(testtool.Result(2, 100, slow, 0, "")), time.Millisecond, sla.Inconclusive, true,
			"the in-flight bound filled before the service broke the SLA (20 sends waited for a slot)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := c.res
			if c.service > 0 {
				res.ServiceTime = loadrunner.NewHistogram()
				for range res.Requests {
					res.ServiceTime.Record(c.service)
				}
			}
			st := judgeStep(100, res, want)
			if st.Status != c.status || st.GeneratorSaturated != c.generator || !strings.Contains(st.Note, c.note) {
				t.Fatalf("status %s, generator %v, note %q; want %s, %v, %q", st.Status, st.GeneratorSaturated, st.Note, c.status, c.generator, c.note)
			}
		})
	}
}

// lagged is a result of 200 requests of latency lat, each sent lag late by
// the generator's own doing.
func lagged(lat func(int) time.Duration, lag time.Duration) *loadrunner.Result {
	res := testtool.Result(2, 100, lat, 0, "")
	res.GeneratorLag = loadrunner.NewHistogram()
	for range res.Requests {
		res.GeneratorLag.Record(lag)
		res.SendLag.Record(lag)
	}
	return res
}

// backlogged makes res a run whose service filled the in-flight bound and
// so took only 90% of the planned sends.
func backlogged(res *loadrunner.Result) *loadrunner.Result {
	res.Planned = res.Sent * 10 / 9
	res.ServiceBacklogged, res.Backlog = true, []string{"20 sends waited for a slot"}
	return res
}

// TestWorstCase checks the time a plan is admitted on: every step the
// longest search can run, its bisection included.
func TestWorstCase(t *testing.T) {
	base := Plan{Min: 200, Max: 3000, Steps: 8, StepDuration: 10 * time.Second, Warmup: time.Second, Resolution: DefaultResolution}
	cases := []struct {
		name  string
		edit  func(*Plan)
		steps int
		total time.Duration
	}{
		// 200, 600, …, 3000 all run, or 200 … 2600, 3000 fails, then 2800,
		// 2700 and one step for rounding: 11 steps.
		{"step search", func(*Plan) {}, 11, 11 * 11 * time.Second},
		{"cooldowns", func(p *Plan) { p.Cooldown = time.Second }, 11, 11*11*time.Second + 10*time.Second},
		{"coarse resolution", func(p *Plan) { p.Resolution = 0.5 }, 8, 8 * 11 * time.Second},
		// 200, 3000, then six midpoints (the bound Steps sets).
		{"binary", func(p *Plan) { p.Search = SearchBinary }, 8, 8 * 11 * time.Second},
		{"one rate", func(p *Plan) { p.Min, p.Steps = 3000, 1 }, 1, 11 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cp := base
			c.edit(&cp)
			w := cp.worstCase(needOf(sla.MustParse("max<1s")))
			if w.steps != c.steps || w.total != c.total || w.longest != 11*time.Second {
				t.Fatalf("worst case %d steps in %s (longest %s), want %d in %s", w.steps, w.total, w.longest, c.steps, c.total)
			}
		})
	}
}

func TestNoteCoarse(t *testing.T) {
	steps := []Step{{Rate: 200, Status: sla.Passed}, {Rate: 3000, Status: sla.Failed}, {Rate: 1600, Status: sla.Failed}}
	c := &Result{Steps: steps}
	c.conclude()
	c.noteCoarse(0.05)
	if len(c.Notes) != 1 || !strings.Contains(c.Notes[0], "bracketed only to 87.5% of the rate (200–1600 req/s), coarser than the resolution 5%: raise Steps") {
		t.Fatalf("notes %q", c.Notes)
	}
	c = &Result{Steps: append(steps, Step{Rate: 1550, Status: sla.Passed})}
	c.conclude()
	if c.noteCoarse(0.05); len(c.Notes) != 0 {
		t.Fatalf("a bracket within the resolution has notes %q", c.Notes)
	}
}
