package capacity

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/slaspec/slaspec/sla"
)

// resolve fills cp's defaults and checks it against sla: the rates, the step
// count, the template plan, that every windowed percentile can be conclusive
// at Min, and that the worst-case search fits in MaxTotal.
func (cp Plan) resolve(want sla.SLA) (Plan, sampleNeed, error) {
	if len(want.Budgets) == 0 {
		return cp, sampleNeed{}, fmt.Errorf("capacity: the SLA has no budget: write at least one, e.g. p99<100ms")
	}
	if err := cp.checkFields(); err != nil {
		return cp, sampleNeed{}, err
	}
	if cp.Steps == 0 {
		cp.Steps = DefaultCapacitySteps
	}
	if cp.Min == cp.Max {
		cp.Steps = 1
	}
	if cp.StepDuration == 0 {
		cp.StepDuration = DefaultStepDuration
	}
	if cp.MaxTotal == 0 {
		cp.MaxTotal = DefaultCapacityMaxTotal
	}
	if cp.Search == "" {
		cp.Search = SearchStep
	}
	need := needOf(want)
	for _, b := range want.Budgets {
		if b.Window > 0 && b.Kind == sla.Latency && !b.Mean {
			n := sla.NeededSamples(b.Percentile)
			if held := cp.Min * b.Window.Seconds(); held < float64(n) {
				return cp, need, fmt.Errorf("capacity: budget %s needs %d samples in every %s window, but at Min %s req/s a window holds %s: raise Min to %s req/s or lengthen the window",
					b, n, sla.FormatDuration(b.Window), sla.FormatNumber(cp.Min), sla.FormatNumber(held), sla.FormatNumber(float64(n)/b.Window.Seconds()))
			}
		}
	}
	if p, _ := cp.stepPlan(cp.Min, need); p.Validate() != nil {
		return cp, need, fmt.Errorf("capacity: step plan: %w", p.Validate())
	}
	if total, longest := cp.worstCase(need); total > cp.MaxTotal {
		return cp, need, fmt.Errorf("capacity: the search could take %s (%d steps; the step at %s req/s alone runs %s), more than MaxTotal %s: raise Min, use fewer Steps or a shorter StepDuration, or raise MaxTotal",
			fmtSpan(total), cp.Steps, sla.FormatNumber(cp.Min), fmtSpan(longest), fmtSpan(cp.MaxTotal))
	}
	return cp, need, nil
}

// checkFields reports the first field of cp that is out of range.
func (cp Plan) checkFields() error {
	p := cp.Plan
	switch {
	case !(cp.Min > 0) || math.IsInf(cp.Min, 0):
		return fmt.Errorf("capacity: Min %g req/s must be a positive number", cp.Min)
	case !(cp.Max >= cp.Min) || math.IsInf(cp.Max, 0):
		return fmt.Errorf("capacity: Max %g req/s must be a number at least Min %g req/s", cp.Max, cp.Min)
	case cp.Steps < 0 || cp.Steps > MaxCapacitySteps:
		return fmt.Errorf("capacity: Steps %d must be between 1 and %d (0 for %d)", cp.Steps, MaxCapacitySteps, DefaultCapacitySteps)
	case cp.Steps == 1 && cp.Min != cp.Max:
		return fmt.Errorf("capacity: Steps 1 searches one rate: set Min equal to Max (%g), or Steps to at least 2", cp.Max)
	case cp.StepDuration < 0:
		return fmt.Errorf("capacity: StepDuration %s is negative", cp.StepDuration)
	case cp.Warmup < 0:
		return fmt.Errorf("capacity: Warmup %s is negative", cp.Warmup)
	case cp.Cooldown < 0:
		return fmt.Errorf("capacity: Cooldown %s is negative", cp.Cooldown)
	case cp.MaxTotal < 0:
		return fmt.Errorf("capacity: MaxTotal %s is negative", cp.MaxTotal)
	case cp.Search != "" && cp.Search != SearchStep && cp.Search != SearchBinary:
		return fmt.Errorf("capacity: search %q: want %q or %q", cp.Search, SearchStep, SearchBinary)
	case p.Rate != 0 || p.Duration != 0 || p.Warmup != 0 || len(p.Stages) > 0:
		return fmt.Errorf("capacity: Plan sets a rate, duration, warm-up or stages: the search sets each step's (use Min, Max, StepDuration and Warmup)")
	case p.Concurrency != 0:
		return fmt.Errorf("capacity: Plan.Concurrency %d: a capacity search offers open-model rates, it has no closed model", p.Concurrency)
	case p.Shard.Count > 1 || !p.StartAt.IsZero():
		return fmt.Errorf("capacity: Plan sets a shard or a start instant: a capacity search runs its steps one after another on one generator")
	}
	return nil
}

// worstCase is the longest the search can take (measured windows, warm-ups
// and cooldowns), and its longest step.
func (cp Plan) worstCase(need sampleNeed) (total, longest time.Duration) {
	length := func(rate float64) time.Duration {
		p, _ := cp.stepPlan(rate, need)
		return p.Warmup + p.Duration
	}
	longest = length(cp.Min) // the lowest rate needs the longest step
	cooldowns := time.Duration(cp.Steps-1) * cp.Cooldown
	if cp.Search == SearchBinary {
		// Min, Max, then bisection steps, none longer than Min's.
		return longest + length(cp.Max) + time.Duration(max(cp.Steps-2, 0))*longest + cooldowns, longest
	}
	rates := stepRates(cp.Min, cp.Max, cp.Steps)
	for _, r := range rates {
		total += length(r)
	}
	return total + time.Duration(len(rates)-1)*cp.Cooldown, longest
}

// stepRates are the rates of a step search: steps rates from lo to hi,
// evenly spaced.
func stepRates(lo, hi float64, steps int) []float64 {
	if steps < 2 || lo == hi {
		return []float64{lo}
	}
	out := make([]float64, 0, steps)
	for i := range steps {
		r := roundRate(lo + float64(i)*(hi-lo)/float64(steps-1))
		if len(out) == 0 || r > out[len(out)-1] {
			out = append(out, r)
		}
	}
	return out
}

// roundRate rounds a rate to three significant digits, so that the rates a
// search chooses read well.
func roundRate(r float64) float64 {
	if r <= 0 {
		return r
	}
	v, err := strconv.ParseFloat(strconv.FormatFloat(r, 'g', 3, 64), 64)
	if err != nil {
		return r
	}
	return v
}

// prober runs one step of a search at rate.
type prober func(rate float64) (Step, error)

// searchSteps runs rates in order until one does not pass, or until
// interrupted says to stop.
func searchSteps(rates []float64, probe prober, interrupted func() bool) ([]Step, error) {
	var out []Step
	for _, r := range rates {
		if interrupted() {
			break
		}
		st, err := probe(r)
		if err != nil {
			return nil, err
		}
		out = append(out, st)
		if st.Status != sla.Passed {
			break
		}
	}
	return out, nil
}

// searchBinary runs lo; if it passes, hi; if that does not pass, bisects
// between the highest rate that passed and the lowest that did not, for at
// most steps steps in all, until the interval is under 1% of its top.
func searchBinary(lo, hi float64, steps int, probe prober, interrupted func() bool) ([]Step, error) {
	var out []Step
	run := func(r float64) (bool, error) {
		if interrupted() {
			return false, errStop
		}
		st, err := probe(r)
		if err != nil {
			return false, err
		}
		out = append(out, st)
		return st.Status == sla.Passed, nil
	}
	ok, err := run(lo)
	if err != nil || !ok || steps < 2 || lo == hi {
		return out, ignoreStop(err)
	}
	if ok, err = run(hi); err != nil || ok {
		return out, ignoreStop(err)
	}
	for len(out) < steps && hi-lo >= hi/100 {
		mid := roundRate((lo + hi) / 2)
		if mid <= lo || mid >= hi {
			break
		}
		ok, err := run(mid)
		if err != nil {
			return out, ignoreStop(err)
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return out, nil
}

// errStop ends a binary search that was interrupted; it is not an error of
// the search.
var errStop = fmt.Errorf("capacity: interrupted")

func ignoreStop(err error) error {
	if err == errStop {
		return nil
	}
	return err
}

// conclude sets the capacity, the knee, the status and GeneratorBound from
// the steps.
func (c *Result) conclude() {
	c.CapacityRPS, c.GeneratorBound = 0, false
	best, bound := bracket(c.Steps)
	if best == nil && bound == nil {
		c.Status, c.Knee = sla.Inconclusive, "unknown: no step ran"
		return
	}
	if best == nil {
		low := sla.FormatNumber(bound.Rate)
		switch {
		case bound.Status == sla.Failed:
			c.Status, c.Knee = sla.Failed, fmt.Sprintf("below %s req/s: the lowest rate searched already broke the SLA", low)
		case bound.GeneratorSaturated:
			c.Status, c.GeneratorBound = sla.Inconclusive, true
			c.Knee = fmt.Sprintf("unknown: the load generator saturated at the lowest rate, %s req/s, before the service broke the SLA", low)
		default:
			c.Status, c.Knee = sla.Inconclusive, fmt.Sprintf("unknown: the step at the lowest rate, %s req/s, was inconclusive", low)
		}
		return
	}
	c.Status, c.CapacityRPS = sla.Passed, best.Rate
	lo := sla.FormatNumber(best.Rate)
	switch {
	case bound == nil && c.Partial:
		c.Knee = fmt.Sprintf("at least %s req/s: the search was interrupted before a step broke the SLA", lo)
	case bound == nil:
		c.Knee = fmt.Sprintf("at or above %s req/s: every step passed, up to the highest rate searched (raise Max to find the knee)", lo)
	case bound.Status == sla.Failed:
		c.Knee = fmt.Sprintf("between %s and %s req/s: %s req/s held the SLA, %s req/s broke it", lo, sla.FormatNumber(bound.Rate), lo, sla.FormatNumber(bound.Rate))
	case c.Partial && !bound.GeneratorSaturated:
		c.Knee = fmt.Sprintf("at least %s req/s: the search was interrupted before the step at %s req/s could tell", lo, sla.FormatNumber(bound.Rate))
	case bound.GeneratorSaturated:
		c.GeneratorBound = true
		c.Knee = fmt.Sprintf("at least %s req/s (a lower bound): the load generator saturated at %s req/s before the service broke the SLA", lo, sla.FormatNumber(bound.Rate))
	default:
		c.Knee = fmt.Sprintf("between %s and %s req/s: the step at %s req/s was inconclusive", lo, sla.FormatNumber(bound.Rate), sla.FormatNumber(bound.Rate))
	}
}

// bracket returns the highest-rate step that passed and the lowest-rate step
// above it that did not (either may be nil).
func bracket(steps []Step) (best, bound *Step) {
	for i := range steps {
		if s := &steps[i]; s.Status == sla.Passed && (best == nil || s.Rate > best.Rate) {
			best = s
		}
	}
	for i := range steps {
		s := &steps[i]
		if s.Status == sla.Passed || (best != nil && s.Rate <= best.Rate) {
			continue
		}
		if bound == nil || s.Rate < bound.Rate {
			bound = s
		}
	}
	return best, bound
}

// Best returns the step at CapacityRPS (the highest-rate step that passed),
// nil when none did.
func (c *Result) Best() *Step {
	best, _ := bracket(c.Steps)
	return best
}

// StepsByRate returns a copy of the steps ordered by offered rate (a binary
// search runs them out of order).
func (c *Result) StepsByRate() []Step {
	out := slices.Clone(c.Steps)
	slices.SortStableFunc(out, func(a, b Step) int {
		switch {
		case a.Rate < b.Rate:
			return -1
		case a.Rate > b.Rate:
			return 1
		}
		return 0
	})
	return out
}

// fmtSpan renders a duration that may run to minutes or hours: 2.1s, 3m20s,
// 2h55m0s.
func fmtSpan(d time.Duration) string {
	if d < time.Minute {
		return sla.FormatDuration(d)
	}
	return d.Round(time.Second).String()
}
