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
// count, the resolution, the template plan, that every windowed percentile can be conclusive
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
	if cp.Resolution == 0 {
		cp.Resolution = DefaultResolution
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
	if w := cp.worstCase(need); w.total > cp.MaxTotal {
		return cp, need, fmt.Errorf("capacity: the search could take %s (%d steps; the step at %s req/s alone runs %s), more than MaxTotal %s: raise Min or Resolution, use fewer Steps or a shorter StepDuration, or raise MaxTotal",
			fmtSpan(w.total), w.steps, sla.FormatNumber(cp.Min), fmtSpan(w.longest), fmtSpan(cp.MaxTotal))
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
	case cp.Resolution != 0 && !(cp.Resolution >= MinResolution && cp.Resolution < 1):
		return fmt.Errorf("capacity: Resolution %g must be a share of the rate from %g to below 1 (0 for %g)", cp.Resolution, MinResolution, DefaultResolution)
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

// cost is how long a sequence of steps takes (measured windows, warm-ups
// and cooldowns), how many steps it has, and its longest step.
type cost struct {
	total, longest time.Duration
	steps          int
}

// worstCase is the longest cp's search can take. A step search takes
// longest either when every rate passes or when rate i+1 fails and every
// midpoint of the bisection after it fails too (the lowest, longest and
// most numerous midpoints); a binary search when Max fails and every
// midpoint after it does.
func (cp Plan) worstCase(need sampleNeed) cost {
	w := cost{longest: cp.stepLength(cp.Min, need)} // the lowest rate needs the longest step
	if cp.Search == SearchBinary {
		runs := []float64{cp.Min}
		if cp.Steps >= 2 && cp.Min != cp.Max {
			runs = append(runs, cp.Max)
			runs = append(runs, worstBisection(cp.Min, cp.Max, cp.Resolution, cp.Steps-2)...)
		}
		return cp.costOf(runs, need, w)
	}
	rates := stepRates(cp.Min, cp.Max, cp.Steps)
	w = cp.costOf(rates, need, w)
	for i := 1; i < len(rates); i++ {
		runs := append(slices.Clone(rates[:i+1]), worstBisection(rates[i-1], rates[i], cp.Resolution, math.MaxInt)...)
		if c := cp.costOf(runs, need, w); c.total > w.total {
			w = c
		}
	}
	return w
}

// costOf is w with the time and count of running rates, one after another
// with a cooldown between them.
func (cp Plan) costOf(rates []float64, need sampleNeed, w cost) cost {
	w.total, w.steps = time.Duration(len(rates)-1)*cp.Cooldown, len(rates)
	for _, r := range rates {
		w.total += cp.stepLength(r, need)
	}
	return w
}

// stepLength is how long the step at rate runs, warm-up included.
func (cp Plan) stepLength(rate float64, need sampleNeed) time.Duration {
	p, _ := cp.stepPlan(rate, need)
	return p.Warmup + p.Duration
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
func roundRate(r float64) float64 { return roundDigits(r, 3) }

// roundDigits rounds a rate to digits significant digits.
func roundDigits(r float64, digits int) float64 {
	if r <= 0 {
		return r
	}
	v, err := strconv.ParseFloat(strconv.FormatFloat(r, 'g', digits, 64), 64)
	if err != nil {
		return r
	}
	return v
}

// midDigits is how many significant digits a bisection's midpoints keep at
// resolution res: three, or more when rounding to three would move a
// midpoint by more than a tenth of res.
func midDigits(res float64) int {
	return max(3, int(math.Ceil(1+math.Log10(5/res))))
}

// prober runs one step of a search at rate.
type prober func(rate float64) (Step, error)

// search runs the steps of one capacity search and keeps them in order.
type search struct {
	probe       prober
	interrupted func() bool
	steps       []Step
}

// run runs the step at r and reports whether it passed; errStop when the
// search was interrupted before it.
func (s *search) run(r float64) (bool, error) {
	if s.interrupted() {
		return false, errStop
	}
	st, err := s.probe(r)
	if err != nil {
		return false, err
	}
	s.steps = append(s.steps, st)
	return st.Status == sla.Passed, nil
}

// searchSteps runs rates in order until one does not pass, then bisects
// between it and the rate before (which passed) until the bracket is within
// res, or until interrupted says to stop.
func searchSteps(rates []float64, res float64, probe prober, interrupted func() bool) ([]Step, error) {
	s := &search{probe: probe, interrupted: interrupted}
	for i, r := range rates {
		ok, err := s.run(r)
		if err == nil && !ok && i > 0 {
			lo := rates[i-1]
			err = bisect(lo, r, res, len(worstBisection(lo, r, res, math.MaxInt)), s.run)
		}
		if err != nil || !ok {
			return s.steps, ignoreStop(err)
		}
	}
	return s.steps, nil
}

// searchBinary runs lo; if it passes, hi; if that does not pass, bisects
// between the highest rate that passed and the lowest that did not, for at
// most steps steps in all, until the bracket is within res.
func searchBinary(lo, hi float64, steps int, res float64, probe prober, interrupted func() bool) ([]Step, error) {
	s := &search{probe: probe, interrupted: interrupted}
	ok, err := s.run(lo)
	if err != nil || !ok || steps < 2 || lo == hi {
		return s.steps, ignoreStop(err)
	}
	if ok, err = s.run(hi); err != nil || ok {
		return s.steps, ignoreStop(err)
	}
	return s.steps, ignoreStop(bisect(lo, hi, res, len(worstBisection(lo, hi, res, steps-2)), s.run))
}

// bisect narrows the bracket between lo, a rate that passed, and hi, one
// that did not, by running its midpoint: the midpoint becomes lo when run
// says it passed, hi otherwise. It stops when hi−lo is within res of hi
// (res is a 0–1 share), when the midpoint rounds onto an end, or after
// limit runs.
func bisect(lo, hi, res float64, limit int, run func(rate float64) (bool, error)) error {
	for n := 0; n < limit && hi-lo > res*hi; n++ {
		mid := roundDigits((lo+hi)/2, midDigits(res))
		if mid <= lo || mid >= hi {
			break
		}
		ok, err := run(mid)
		if err != nil {
			return err
		}
		if ok {
			lo = mid
		} else {
			hi = mid
		}
	}
	return nil
}

// worstBisection are the rates of bisect's longest run between lo and hi,
// at most most of them: every midpoint fails, so hi shrinks towards lo,
// which makes the midpoints the lowest (the longest steps) and the most
// numerous (the resolution, a share of hi, the finest); and since a
// rounded midpoint can leave another path one step longer, one more step
// at lo (none is longer).
func worstBisection(lo, hi, res float64, most int) []float64 {
	var out []float64
	bisect(lo, hi, res, most, func(r float64) (bool, error) { out = append(out, r); return false, nil })
	if len(out) > 0 && len(out) < most {
		out = append(out, lo)
	}
	return out
}

// errStop ends a search that was interrupted; it is not an error of the
// search.
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
			c.Knee = fmt.Sprintf("unknown: %s at the lowest rate, %s req/s, before the service broke the SLA", bound.stall(), low)
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
		c.Knee = fmt.Sprintf("at least %s req/s (a lower bound): %s at %s req/s before the service broke the SLA", lo, bound.stall(), sla.FormatNumber(bound.Rate))
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

// BoundingStep returns the step that bounds the capacity from above: the
// lowest-rate step above CapacityRPS that did not pass (the lowest step
// when none passed), nil when every step passed.
func (c *Result) BoundingStep() *Step {
	_, bound := bracket(c.Steps)
	return bound
}

// ServiceAtBound returns the bounding step (BoundingStep) when it read the
// service (its profiles or runtime readings: a profiled search), nil
// otherwise: the step whose service section follows the step table.
func (c *Result) ServiceAtBound() *Step {
	if b := c.BoundingStep(); b != nil && b.Result != nil && (b.Result.Profiles != nil || b.Result.Runtime != nil) {
		return b
	}
	return nil
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
