package contract

import (
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// SLAExtension is the name of the OpenAPI extension that carries an SLA, on
// an operation or at the document's top level.
const SLAExtension = "x-sla"

// LoadSpec is what load to apply to an operation and the budget it must
// hold, as written in an x-sla extension:
//
//	x-sla: {rate: 200, duration: 20s, warmup: 2s, budget: "p99<150ms, errors<0.1%", weight: 7}
//
// Every field is optional; a zero field is unset and taken from the next
// source (see Operation.Resolve). A warm-up of zero can also be meant:
// NoWarmup says so (x-sla's "warmup: 0s", the CLI's -warmup 0s).
type LoadSpec struct {
	// Rate is the planned rate in requests per second.
	Rate float64 `json:"rate,omitempty"`
	// Duration is the measured window.
	Duration time.Duration `json:"duration,omitempty"`
	// Warmup runs before the measured window and is excluded from it.
	Warmup time.Duration `json:"warmup,omitempty"`
	// NoWarmup runs no warm-up, whatever the next source says; Warmup must
	// then be zero.
	NoWarmup bool `json:"no_warmup,omitempty"`
	// SLA is the budget (x-sla's "budget", text in the SLA grammar such as
	// "p99<150ms, errors<0.1%").
	SLA sla.SLA `json:"budget,omitzero"`
	// Weight is the operation's share of a mixed run, relative to the other
	// operations' weights (default 1).
	Weight float64 `json:"weight,omitempty"`
}

// Or returns s with each unset field taken from next.
func (s LoadSpec) Or(next LoadSpec) LoadSpec {
	if s.Rate == 0 {
		s.Rate = next.Rate
	}
	if s.Duration == 0 {
		s.Duration = next.Duration
	}
	if s.Warmup == 0 && !s.NoWarmup {
		s.Warmup, s.NoWarmup = next.Warmup, next.NoWarmup
	}
	if s.SLA.IsZero() {
		s.SLA = next.SLA
	}
	if s.Weight == 0 {
		s.Weight = next.Weight
	}
	return s
}

// Plan returns the load plan of s: its rate, duration and warm-up.
func (s LoadSpec) Plan() loadrunner.Plan {
	return loadrunner.Plan{Rate: s.Rate, Duration: s.Duration, Warmup: s.Warmup}
}

// Validate reports a negative or non-finite field, naming it.
func (s LoadSpec) Validate() error {
	switch {
	case s.Rate < 0 || math.IsNaN(s.Rate) || math.IsInf(s.Rate, 0):
		return fmt.Errorf("rate %g must be a positive number of requests per second", s.Rate)
	case s.Duration < 0:
		return fmt.Errorf("duration %s is negative", s.Duration)
	case s.Warmup < 0:
		return fmt.Errorf("warmup %s is negative", s.Warmup)
	case s.NoWarmup && s.Warmup != 0:
		return fmt.Errorf("warmup %s with NoWarmup: set one of them", s.Warmup)
	case s.Weight < 0 || math.IsNaN(s.Weight) || math.IsInf(s.Weight, 0):
		return fmt.Errorf("weight %g must be a positive number", s.Weight)
	}
	return nil
}

// parseSLA reads an x-sla extension value found at loc. An absent extension
// gives the zero LoadSpec.
func parseSLA(ext map[string]any, loc string) (LoadSpec, error) {
	raw, ok := ext[SLAExtension]
	if !ok || raw == nil {
		return LoadSpec{}, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return LoadSpec{}, fmt.Errorf("contract: %s: want a mapping like {rate: 200, duration: 20s, warmup: 2s, budget: \"p99<150ms\"}, got %T", loc, raw)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var s LoadSpec
	for _, k := range keys {
		if err := setSLAField(&s, k, m[k]); err != nil {
			return LoadSpec{}, fmt.Errorf("contract: %s.%s: %w", loc, k, err)
		}
	}
	if err := s.Validate(); err != nil {
		return LoadSpec{}, fmt.Errorf("contract: %s: %w", loc, err)
	}
	return s, nil
}

// setSLAField sets one key of an x-sla mapping.
func setSLAField(s *LoadSpec, key string, v any) error {
	var err error
	switch key {
	case "rate":
		f, ok := v.(float64)
		if !ok || f <= 0 || math.IsInf(f, 0) {
			return fmt.Errorf("want a positive number of requests per second, got %v", v)
		}
		s.Rate = f
	case "duration":
		s.Duration, err = slaDuration(v)
	case "warmup":
		s.Warmup, err = slaDuration(v)
		s.NoWarmup = err == nil && s.Warmup == 0
	case "budget":
		str, ok := v.(string)
		if !ok || str == "" {
			return fmt.Errorf("want an SLA string like \"p99<150ms, errors<0.1%%\", got %v", v)
		}
		s.SLA, err = sla.Parse(str)
	case "weight":
		f, ok := v.(float64)
		if !ok || f <= 0 || math.IsInf(f, 0) {
			return fmt.Errorf("want a positive number (the operation's share of a mixed run), got %v", v)
		}
		s.Weight = f
	default:
		return fmt.Errorf("unknown key (want rate, duration, warmup, budget or weight)")
	}
	return err
}

// slaDuration parses a Go duration string.
func slaDuration(v any) (time.Duration, error) {
	str, ok := v.(string)
	if !ok {
		return 0, fmt.Errorf("want a Go duration string like \"20s\", got %v", v)
	}
	d, err := time.ParseDuration(str)
	if err != nil {
		return 0, fmt.Errorf("want a Go duration string like \"20s\": %w", err)
	}
	if d < 0 {
		return 0, fmt.Errorf("duration %s is negative", d)
	}
	return d, nil
}
