package capacity

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

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
		{"narrows on the knee", kneeAt(243, 0), 6, []float64{50, 600, 325, 188, 256, 222}},
		{"stops at a failing minimum", kneeAt(10, 0), 6, []float64{50}},
		{"stops at a passing maximum", kneeAt(1000, 0), 6, []float64{50, 600}},
		{"narrows below a saturated generator", kneeAt(1000, 300), 5, []float64{50, 600, 325, 188, 256}},
		{"two steps probe only the ends", kneeAt(243, 0), 2, []float64{50, 600}},
		{"stops at 1% resolution", kneeAt(243, 0), 64, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := searchBinary(50, 600, c.steps, c.probe, never)
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
	got, err := searchSteps(rates, kneeAt(243, 0), never)
	if err != nil {
		t.Fatal(err)
	}
	if want := []float64{50, 100, 150, 200, 250}; !slices.Equal(stepRatesOf(got), want) {
		t.Fatalf("rates %v, want %v", stepRatesOf(got), want)
	}
	calls := 0
	got, _ = searchSteps(rates, kneeAt(1000, 0), func() bool { calls++; return calls > 3 })
	if len(got) != 3 {
		t.Fatalf("an interrupted search ran %d steps, want 3", len(got))
	}
	boom := errors.New("refused")
	if _, err := searchSteps(rates, func(float64) (Step, error) { return Step{}, boom }, never); !errors.Is(err, boom) {
		t.Fatalf("error %v", err)
	}
	if _, err := searchBinary(50, 600, 6, func(float64) (Step, error) { return Step{}, boom }, never); !errors.Is(err, boom) {
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
