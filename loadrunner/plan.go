package loadrunner

import (
	"encoding/json"
	"fmt"
	"time"
)

// Plan says what load to apply. It is data: a plain struct with JSON tags and
// a Validate method. The zero value is not a runnable plan; set at least Rate
// and Duration (open model), Stages (ramping open model) or Concurrency and
// Duration (closed model).
type Plan struct {
	// Rate is the planned open-model rate in requests per second over the
	// measured window. Ignored when Stages is set or Concurrency > 0.
	Rate float64 `json:"rate,omitempty"`
	// Duration is the length of the measured window. With Stages it is
	// derived from the stages and must be left zero or equal to their sum.
	Duration time.Duration `json:"duration"`
	// Warmup is run before the measured window, at the plan's initial rate
	// (Rate, or the first stage's From), and excluded from every statistic.
	Warmup time.Duration `json:"warmup,omitempty"`
	// Stages, when set, make the rate change linearly from each stage's From
	// to its To over the stage's Duration; stages run one after another and
	// together form the measured window.
	Stages []Stage `json:"stages,omitempty"`
	// Concurrency > 0 selects the closed model: that many workers send one
	// request after another, as fast as the target answers. Latency is then
	// the service time; there is no intended schedule.
	Concurrency int `json:"concurrency,omitempty"`
	// Timeout bounds each request. Zero means DefaultTimeout.
	Timeout time.Duration `json:"timeout,omitempty"`
	// MaxInFlight bounds the requests outstanding at once. When every slot is
	// busy a send waits and goes out late; its latency still counts from its
	// intended time. Zero means DefaultMaxInFlight.
	MaxInFlight int `json:"max_inflight,omitempty"`
	// MaxLag bounds the backlog: a send that could not go out within MaxLag
	// of its intended time is dropped and counted (Result.Dropped); the run
	// is flagged service-backlogged when every slot was busy, and
	// generator-saturated when one was free. Zero means Timeout.
	MaxLag time.Duration `json:"max_lag,omitempty"`
	// LateAfter is the send lag past which a send is counted late. Zero means
	// DefaultLateAfter.
	LateAfter time.Duration `json:"late_after,omitempty"`
	// Shard, when Count > 1, runs only this shard's stripe of the schedule:
	// hits Index, Index+Count, Index+2*Count, ... so that the shards' union
	// is exactly the planned schedule.
	Shard Shard `json:"shard,omitzero"`
	// StartAt, when not zero, is the wall-clock instant the schedule starts
	// (warm-up included), so shards on several machines start together.
	StartAt time.Time `json:"start_at,omitzero"`
}

// Stage is one segment of a ramping plan: the rate goes linearly from From to
// To requests per second over Duration.
type Stage struct {
	Duration time.Duration `json:"duration"`
	From     float64       `json:"from"`
	To       float64       `json:"to"`
}

// Shard selects one stripe of a schedule shared by Count workers (0 ≤ Index < Count).
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// Defaults applied where a Plan leaves a field zero.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultMaxInFlight = 1024
	DefaultLateAfter   = time.Millisecond
)

// MeasuredDuration returns the length of the measured window.
func (p Plan) MeasuredDuration() time.Duration {
	if len(p.Stages) == 0 {
		return p.Duration
	}
	var d time.Duration
	for _, s := range p.Stages {
		d += s.Duration
	}
	return d
}

// Validate reports the first thing wrong with p, naming the field and value.
func (p Plan) Validate() error {
	switch {
	case p.Rate < 0:
		return fmt.Errorf("loadrunner: plan: rate %g is negative", p.Rate)
	case p.Duration < 0:
		return fmt.Errorf("loadrunner: plan: duration %s is negative", p.Duration)
	case p.Warmup < 0:
		return fmt.Errorf("loadrunner: plan: warmup %s is negative", p.Warmup)
	case p.Timeout < 0:
		return fmt.Errorf("loadrunner: plan: timeout %s is negative", p.Timeout)
	case p.MaxInFlight < 0:
		return fmt.Errorf("loadrunner: plan: max_inflight %d is negative", p.MaxInFlight)
	case p.MaxLag < 0:
		return fmt.Errorf("loadrunner: plan: max_lag %s is negative", p.MaxLag)
	case p.LateAfter < 0:
		return fmt.Errorf("loadrunner: plan: late_after %s is negative", p.LateAfter)
	case p.Concurrency < 0:
		return fmt.Errorf("loadrunner: plan: concurrency %d is negative", p.Concurrency)
	case p.Shard.Count < 0 || p.Shard.Index < 0 || (p.Shard.Count > 0 && p.Shard.Index >= p.Shard.Count):
		return fmt.Errorf("loadrunner: plan: shard %d/%d is not 0 ≤ index < count", p.Shard.Index, p.Shard.Count)
	}
	for i, s := range p.Stages {
		if s.Duration <= 0 || s.From < 0 || s.To < 0 || (s.From == 0 && s.To == 0) {
			return fmt.Errorf("loadrunner: plan: stage %d (%s from %g to %g rps) needs a positive duration and a rate ≥ 0 that is not 0 throughout", i, s.Duration, s.From, s.To)
		}
	}
	switch {
	case p.Concurrency > 0:
		if p.Duration <= 0 {
			return fmt.Errorf("loadrunner: plan: closed model (concurrency %d) needs a positive duration", p.Concurrency)
		}
		if p.Rate != 0 || len(p.Stages) > 0 {
			return fmt.Errorf("loadrunner: plan: concurrency %d (closed model) cannot be combined with a rate or stages", p.Concurrency)
		}
	case len(p.Stages) > 0:
		if p.Duration != 0 && p.Duration != p.MeasuredDuration() {
			return fmt.Errorf("loadrunner: plan: duration %s differs from the stages' total %s", p.Duration, p.MeasuredDuration())
		}
	default:
		if p.Rate <= 0 {
			return fmt.Errorf("loadrunner: plan: rate %g must be positive (or set stages or concurrency)", p.Rate)
		}
		if p.Duration <= 0 {
			return fmt.Errorf("loadrunner: plan: duration %s must be positive", p.Duration)
		}
	}
	return nil
}

// planJSON is the wire form of a Plan: durations as Go duration strings.
type planJSON struct {
	Rate        float64     `json:"rate,omitempty"`
	Duration    string      `json:"duration"`
	Warmup      string      `json:"warmup,omitempty"`
	Stages      []stageJSON `json:"stages,omitempty"`
	Concurrency int         `json:"concurrency,omitempty"`
	Timeout     string      `json:"timeout,omitempty"`
	MaxInFlight int         `json:"max_inflight,omitempty"`
	MaxLag      string      `json:"max_lag,omitempty"`
	LateAfter   string      `json:"late_after,omitempty"`
	Shard       Shard       `json:"shard,omitzero"`
	StartAt     time.Time   `json:"start_at,omitzero"`
}

type stageJSON struct {
	Duration string  `json:"duration"`
	From     float64 `json:"from"`
	To       float64 `json:"to"`
}

func durString(d time.Duration) string {
	if d == 0 {
		return ""
	}
	return d.String()
}

func parseDur(field, s string) (time.Duration, error) {
	if s == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("loadrunner: plan: %s: %w", field, err)
	}
	return d, nil
}

// MarshalJSON writes durations as Go duration strings ("20s").
func (p Plan) MarshalJSON() ([]byte, error) {
	w := planJSON{
		Rate: p.Rate, Duration: p.Duration.String(), Warmup: durString(p.Warmup),
		Concurrency: p.Concurrency, Timeout: durString(p.Timeout), MaxInFlight: p.MaxInFlight,
		MaxLag: durString(p.MaxLag), LateAfter: durString(p.LateAfter), Shard: p.Shard, StartAt: p.StartAt,
	}
	for _, s := range p.Stages {
		w.Stages = append(w.Stages, stageJSON{Duration: s.Duration.String(), From: s.From, To: s.To})
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads a plan written by MarshalJSON.
func (p *Plan) UnmarshalJSON(data []byte) error {
	var w planJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("loadrunner: plan: %w", err)
	}
	out := Plan{Rate: w.Rate, Concurrency: w.Concurrency, MaxInFlight: w.MaxInFlight, Shard: w.Shard, StartAt: w.StartAt}
	fields := []struct {
		name string
		src  string
		dst  *time.Duration
	}{
		{"duration", w.Duration, &out.Duration}, {"warmup", w.Warmup, &out.Warmup},
		{"timeout", w.Timeout, &out.Timeout}, {"max_lag", w.MaxLag, &out.MaxLag},
		{"late_after", w.LateAfter, &out.LateAfter},
	}
	for _, f := range fields {
		d, err := parseDur(f.name, f.src)
		if err != nil {
			return err
		}
		*f.dst = d
	}
	for i, s := range w.Stages {
		d, err := parseDur(fmt.Sprintf("stages[%d].duration", i), s.Duration)
		if err != nil {
			return err
		}
		out.Stages = append(out.Stages, Stage{Duration: d, From: s.From, To: s.To})
	}
	*p = out
	return nil
}
