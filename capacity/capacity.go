package capacity

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// The search strategies of a capacity search.
const (
	// SearchStep runs the rates Min, …, Max evenly spaced, lowest first, up
	// to the first step that does not pass, then bisects between that rate
	// and the one below it until the bracket is within Plan.Resolution.
	SearchStep = "step"
	// SearchBinary runs Min, then Max, then bisects between the highest rate
	// that passed and the lowest that did not, until the bracket is within
	// Plan.Resolution or Plan.Steps steps have run.
	SearchBinary = "binary"
)

// Defaults and bounds of a Plan.
const (
	// DefaultCapacitySteps is the number of steps when Plan.Steps is 0.
	DefaultCapacitySteps = 8
	// MaxCapacitySteps bounds Plan.Steps.
	MaxCapacitySteps = 64
	// DefaultStepDuration is the measured length of a step when
	// Plan.StepDuration is 0.
	DefaultStepDuration = 10 * time.Second
	// DefaultCapacityMaxTotal bounds the whole search (warm-ups included)
	// when Plan.MaxTotal is 0.
	DefaultCapacityMaxTotal = 15 * time.Minute
	// DefaultResolution is Plan.Resolution when it is 0: the search narrows
	// on the knee to 5% of the rate.
	DefaultResolution = 0.05
	// MinResolution bounds Plan.Resolution from below: the rates a search
	// chooses are rounded to three significant digits, so it cannot resolve
	// much finer than 1%.
	MinResolution = 0.01
)

// stepMargin is how many more samples than the percentile needs a step is
// sized for, so that a step that completes a few requests fewer than planned
// is still conclusive.
const stepMargin = 1.05

// Plan says how to search for the highest rate at which an SLA holds.
// It is data, like loadrunner.Plan; its zero value needs at least Min and Max.
type Plan struct {
	// Min and Max bound the offered rates searched, in requests per second
	// (0 < Min ≤ Max).
	Min float64 `json:"min"`
	Max float64 `json:"max"`
	// Steps is, for a step search, how many rates it spaces evenly from Min
	// to Max to bracket the knee (the bisection inside the bracket adds the
	// steps Resolution needs); for a binary search, the most steps it makes
	// in all, Min and Max included. At least 2 unless Min equals Max; zero
	// means DefaultCapacitySteps, at most MaxCapacitySteps.
	Steps int `json:"steps,omitempty"`
	// Resolution is how closely the search narrows on the knee, as a share
	// (0–1) of the rate: it bisects the bracket between the highest rate
	// that passed and the lowest that did not until their gap is at most
	// Resolution of the latter, so the capacity found is within Resolution
	// below the knee. Zero means DefaultResolution (5%); at least
	// MinResolution, below 1.
	Resolution float64 `json:"resolution,omitempty"`
	// StepDuration is each step's measured window (zero means
	// DefaultStepDuration). A step whose rate gives the SLA's percentiles too
	// few samples in StepDuration runs longer, and the result's notes say so.
	StepDuration time.Duration `json:"step_duration,omitempty"`
	// Warmup is run before each step at the step's rate, excluded from its
	// statistics.
	Warmup time.Duration `json:"warmup,omitempty"`
	// Cooldown is a pause between steps, so that a service still draining
	// the backlog of an overloaded step does not weigh on the next one.
	Cooldown time.Duration `json:"cooldown,omitempty"`
	// Search is SearchStep (the default when empty) or SearchBinary. Both
	// bisect to Resolution; a binary search reaches the knee in fewer steps
	// when it is far from Min, a step search never runs a rate far above
	// the knee (whose backlog can weigh on the steps after it).
	Search string `json:"search,omitempty"`
	// MaxTotal bounds the worst-case time of the whole search, warm-ups
	// included; a plan that could take longer is refused before any load is
	// sent. Zero means DefaultCapacityMaxTotal.
	MaxTotal time.Duration `json:"max_total,omitempty"`
	// Plan is the template of every step: Timeout, MaxInFlight, MaxLag and
	// LateAfter are used as they are; Rate, Duration, Warmup, Stages,
	// Concurrency, Shard and StartAt belong to the search and must be zero.
	Plan loadrunner.Plan `json:"plan,omitzero"`
	// StepOptions, when set, gives the step at each rate options of its
	// own, after Find's: a profile source that writes into a folder of the
	// step's (loadrunner.WithProfileSource), so that each step's
	// Result.Profiles says where the service spent its time at that rate,
	// and Write shows it for the step that broke the SLA.
	StepOptions func(rate float64) []loadrunner.Option `json:"-"`
}

// Capacity is the outcome of a capacity search: the highest offered rate
// whose step met the SLA, the knee, and every step with its verdicts and
// full result.
type Result struct {
	// SLA is the SLA searched against (canonical text in JSON).
	SLA sla.SLA `json:"sla"`
	// Search, Min and Max are the strategy and the rates searched.
	Search string  `json:"search"`
	Min    float64 `json:"min_rps"`
	Max    float64 `json:"max_rps"`
	// Resolution is the share (0–1) of the rate the search bisected the
	// knee's bracket to.
	Resolution float64 `json:"resolution,omitempty"`
	// CapacityRPS is the highest offered rate (req/s) whose step passed, 0
	// if none did.
	CapacityRPS float64 `json:"capacity_rps"`
	// GeneratorBound is true when the step that bounds the capacity from
	// above did not pass because the load generator saturated, not the
	// service: CapacityRPS is then only a lower bound of the service's
	// capacity.
	GeneratorBound bool `json:"generator_bound"`
	// Knee says where the SLA broke, in words: between which rates, or why
	// it is unknown.
	Knee string `json:"knee"`
	// Status is Passed when a step passed (a capacity was found), Failed when
	// the service broke the SLA at the lowest rate, Inconclusive when the
	// lowest rate could not tell (too few samples, a saturated generator, an
	// interrupted search).
	Status sla.Status `json:"status"`
	// Partial is true when the search was interrupted (its context ended).
	Partial bool `json:"partial,omitempty"`
	// Notes are facts about the search: lengthened steps, the interruption.
	Notes []string `json:"notes,omitempty"`
	// Steps are the steps run, in the order they ran.
	Steps []Step `json:"steps"`
}

// Step is one run of a capacity search at one offered rate.
type Step struct {
	// Rate is the offered (planned) rate in requests per second.
	Rate float64 `json:"rate"`
	// Status is the SLA's status at this rate. A step that did not pass while
	// the generator was saturated is Inconclusive, unless the service time
	// alone breaks a budget (then the service, not the generator, failed).
	Status sla.Status `json:"status"`
	// Verdicts are the SLA's verdicts on Result.
	Verdicts []sla.Verdict `json:"verdicts"`
	// Result is the step's full result.
	Result *loadrunner.Result `json:"result"`
	// GeneratorSaturated is true when the load fell behind its schedule
	// during the step: the generator's own failing (Result.GeneratorSaturated,
	// or a latency budget its send lag left undecided), the in-flight bound
	// filling (Result.ServiceBacklogged: a bound too small for the rate, or
	// the service past its capacity — the service time tells which), or less
	// than sla.DefaultMinDelivered of the planned sends delivered.
	GeneratorSaturated bool `json:"generator_saturated"`
	// Note explains a status the verdicts alone do not.
	Note string `json:"note,omitempty"`
}

// Find searches for the highest offered rate at which target meets
// sla, running one open-model step per rate as cp says, and returns every
// step and the knee. Each step is long enough for the SLA's percentiles to be
// conclusive; budgets marked "!" end a step as soon as they are lost. The
// search brackets the knee (steps up to the first rate that does not pass,
// or Min, Max and halves), then bisects the bracket until it is within
// cp.Resolution, and stops early when ctx ends, returning the steps run so
// far marked Partial. The error is non-nil only for a bad plan, SLA or
// target, or a step loadrunner.Run refused to start.
//
//	c, err := capacity.Find(ctx, loadrunner.HTTP(url), sla.MustParse("p99<100ms, errors<0.1%"),
//		capacity.Plan{Min: 100, Max: 2000, Steps: 8, StepDuration: 10 * time.Second})
func Find(ctx context.Context, target loadrunner.Target, want sla.SLA, cp Plan, opts ...loadrunner.Option) (*Result, error) {
	if target == nil {
		return nil, fmt.Errorf("capacity: target is nil")
	}
	cp, need, err := cp.resolve(want)
	if err != nil {
		return nil, err
	}
	c := &Result{SLA: want, Search: cp.Search, Min: cp.Min, Max: cp.Max, Resolution: cp.Resolution}
	runOpts := append(opts[:len(opts):len(opts)], sla.AbortWhenLost(want))
	ran := 0
	probe := func(rate float64) (Step, error) {
		if ran++; ran > 1 && cp.Cooldown > 0 {
			pause(ctx, cp.Cooldown)
		}
		plan, note := cp.stepPlan(rate, need)
		if note != "" {
			c.Notes = append(c.Notes, note)
		}
		stepOpts := runOpts
		if cp.StepOptions != nil {
			stepOpts = append(runOpts[:len(runOpts):len(runOpts)], cp.StepOptions(rate)...)
		}
		res, err := loadrunner.Run(ctx, plan, target, stepOpts...)
		if err != nil {
			return Step{}, fmt.Errorf("capacity: step at %s req/s: %w", sla.FormatNumber(rate), err)
		}
		return judgeStep(rate, res, want), nil
	}
	interrupted := func() bool { return ctx.Err() != nil }
	if cp.Search == SearchBinary {
		c.Steps, err = searchBinary(cp.Min, cp.Max, cp.Steps, cp.Resolution, probe, interrupted)
	} else {
		c.Steps, err = searchSteps(stepRates(cp.Min, cp.Max, cp.Steps), cp.Resolution, probe, interrupted)
	}
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		c.Partial = true
		c.Notes = append(c.Notes, fmt.Sprintf("the search was interrupted (%v): the capacity is at least what it shows", context.Cause(ctx)))
	}
	c.conclude()
	c.noteCoarse(cp.Resolution)
	return c, nil
}

// noteCoarse notes when the search ended with the knee bracketed more
// coarsely than res: a binary search out of steps, rounding.
func (c *Result) noteCoarse(res float64) {
	best, bound := bracket(c.Steps)
	if best == nil || bound == nil || c.Partial || bound.Rate-best.Rate <= res*bound.Rate {
		return
	}
	c.Notes = append(c.Notes, fmt.Sprintf("the knee is bracketed only to %s%% of the rate (%s–%s req/s), coarser than the resolution %s%%: raise Steps",
		sla.FormatNumber(100*(bound.Rate-best.Rate)/bound.Rate), sla.FormatNumber(best.Rate), sla.FormatNumber(bound.Rate), sla.FormatNumber(100*res)))
}

// StepName names the step at rate, as the folder of what it writes (its
// profiles) is named: "step-1500rps".
func StepName(rate float64) string {
	return "step-" + sla.FormatNumber(rate) + "rps"
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// judgeStep evaluates one step's result. A step that did not pass because
// the load fell behind its schedule — the generator saturated, its own send
// lag left a latency failure undecided, the in-flight bound filled (a
// bound too small for the rate, or the service past its capacity: the
// service time tells which), or too little of the plan was delivered — is
// marked GeneratorSaturated and is Inconclusive, unless what the service
// alone did breaks a budget: then it failed.
func judgeStep(rate float64, res *loadrunner.Result, want sla.SLA) Step {
	ev := sla.Evaluate(res, want)
	st := Step{Rate: rate, Status: ev.Status, Verdicts: ev.Verdicts, Result: res}
	undelivered := res.Plan.Concurrency == 0 && res.Delivered() < sla.DefaultMinDelivered
	st.GeneratorSaturated = res.GeneratorSaturated || res.ServiceBacklogged || undelivered || lagUndecided(ev)
	if !st.GeneratorSaturated || st.Status == sla.Passed {
		return st
	}
	if broke := serviceBroke(res, want); broke != "" {
		// Evaluate leaves such a run undecided; here the service's own
		// time or errors fail a budget, which the generator cannot explain.
		st.Status = sla.Failed
		st.Note = "the generator fell behind too, but the service alone breaks " + broke
		return st
	}
	st.Status = sla.Inconclusive
	st.Note = st.stall() + " before the service broke the SLA (" + saturationWhy(res, undelivered) + "): this step cannot tell the service's limit"
	return st
}

// stall names what held a GeneratorSaturated step back: the in-flight
// bound when only it filled (the service answering slower than the rate
// needs), else the load generator.
func (s Step) stall() string {
	if s.Result != nil && s.Result.ServiceBacklogged && !s.Result.GeneratorSaturated {
		return "the in-flight bound filled"
	}
	return "the load generator saturated"
}

// lagUndecided reports whether the generator's own send lag left a latency
// budget undecided: sla.Evaluate makes a latency failure the generator's
// lag could account for inconclusive, so its verdict is inconclusive with
// a figure past the limit on enough samples.
func lagUndecided(ev sla.Evaluation) bool {
	for _, v := range ev.Verdicts {
		b, ok := budgetOf(ev.SLA, v.Budget)
		if ok && b.Kind == sla.Latency && v.Status == sla.Inconclusive && v.Margin < 0 && v.Needed <= v.Samples {
			return true
		}
	}
	return false
}

// budgetOf returns the budget of s whose text is text.
func budgetOf(s sla.SLA, text string) (sla.Budget, bool) {
	for _, b := range s.Budgets {
		if b.String() == text {
			return b, true
		}
	}
	return sla.Budget{}, false
}

// serviceBroke returns the first latency or error budget (whole window) that
// fails on what the service alone did, a failure the generator's lateness
// cannot explain. Latency is taken from each request's actual send (its
// service time) rather than its intended one, and a latency budget counts
// as broken only past its limit plus the generator's longest own lag: a
// generator that fell behind sends its late requests in a burst, which
// queues at the service — near the knee for long after the burst — by up
// to that lag.
func serviceBroke(res *loadrunner.Result, want sla.SLA) string {
	if res.ServiceTime == nil {
		return ""
	}
	own := *res
	own.Latency = res.ServiceTime
	// Judged as if the generator had kept up: sla.Evaluate would otherwise
	// leave the verdicts of a saturated or lagging run undecided.
	own.GeneratorSaturated, own.Saturation, own.GeneratorLag = false, nil, nil
	var lag time.Duration
	if res.GeneratorLag != nil {
		lag = res.GeneratorLag.Max()
	}
	for _, b := range want.Budgets {
		if b.Window > 0 || (b.Kind != sla.Latency && b.Kind != sla.ErrorRate) {
			continue
		}
		allowed := b
		if b.Kind == sla.Latency && lag > 0 && (b.Op == sla.OpLess || b.Op == sla.OpLessEqual) {
			allowed.Limit += float64(lag)
		}
		v := sla.Evaluate(&own, sla.SLA{Budgets: []sla.Budget{allowed}}).Verdicts[0]
		switch {
		case v.Status != sla.Failed:
		case allowed.Limit != b.Limit:
			return fmt.Sprintf("%s: its service time %s exceeds the limit by more than the generator's longest lag %s", b, v.Observed, sla.FormatDuration(lag))
		case b.Kind == sla.Latency:
			return fmt.Sprintf("%s: its service time %s", b, v.Observed)
		default:
			return fmt.Sprintf("%s (observed %s)", b, v.Observed)
		}
	}
	return ""
}

// saturationWhy says why the load fell behind: the generator's reasons and
// the backlog's, the share of the plan delivered, or the generator's lag.
func saturationWhy(res *loadrunner.Result, undelivered bool) string {
	switch why := append(slices.Clip(res.Saturation), res.Backlog...); {
	case len(why) > 0:
		return strings.Join(why, "; ")
	case undelivered:
		return fmt.Sprintf("%.1f%% of the planned sends delivered", 100*res.Delivered())
	case res.GeneratorLag != nil:
		return fmt.Sprintf("its own send lag, up to %s, could account for the latency past the limit", sla.FormatDuration(res.GeneratorLag.Max()))
	}
	return "its own send lag could account for the latency past the limit"
}

// sampleNeed is what the SLA's budgets need of every step.
type sampleNeed struct {
	samples uint64        // completed requests the strictest percentile needs
	metric  string        // the budget that needs them
	window  time.Duration // the longest budget window
}

// needOf returns what sla needs of a step.
func needOf(want sla.SLA) sampleNeed {
	n := sampleNeed{samples: 1}
	for _, b := range want.Budgets {
		if b.Kind == sla.Latency && !b.Mean {
			if s := sla.NeededSamples(b.Percentile); s > n.samples {
				n.samples, n.metric = s, b.Metric
			}
		}
		n.window = max(n.window, b.Window)
	}
	return n
}

// stepPlan is the plan of the step at rate, and a note when its measured
// window had to be longer than StepDuration.
func (cp Plan) stepPlan(rate float64, need sampleNeed) (loadrunner.Plan, string) {
	p := cp.Plan
	p.Rate, p.Warmup = rate, cp.Warmup
	p.Duration = max(cp.StepDuration, need.window)
	note := ""
	if d := samplesDuration(need.samples, rate); need.metric != "" && d > p.Duration {
		p.Duration = d
		note = fmt.Sprintf("the step at %s req/s runs %s instead of %s, so that %s has the %d samples it needs",
			sla.FormatNumber(rate), fmtSpan(d), fmtSpan(cp.StepDuration), need.metric, need.samples)
	}
	return p, note
}

// samplesDuration is how long a step at rate must run to complete samples
// requests with a margin, rounded up to a tenth of a second.
func samplesDuration(samples uint64, rate float64) time.Duration {
	secs := stepMargin * float64(samples) / rate
	return time.Duration(math.Ceil(secs*10)) * 100 * time.Millisecond
}
