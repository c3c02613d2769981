package contract

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/slaspec/slaspec/sla"
)

// DefaultLoadSpec is the load of an operation that neither Go code nor the
// document's x-sla gives one: 50 req/s for 5 s after a 1 s warm-up, judged
// by the service-error budgets alone (sla.WithServiceErrors), which are
// conclusive at any sample count. `slaspec contract` and DescribeContract
// both use it.
func DefaultLoadSpec() LoadSpec {
	return LoadSpec{Rate: 50, Duration: 5 * time.Second, Warmup: time.Second}
}

// nicePercentiles are the percentiles suggested in place of one the load
// cannot make conclusive, highest first.
var nicePercentiles = []float64{99.9, 99.5, 99, 98, 95, 90, 80, 75, 50}

// Shortfall is a budget whose percentile the planned load cannot make
// conclusive by sla.NeededSamples: it would be inconclusive after the whole
// run, so it is refused before anything is sent.
type Shortfall struct {
	// Budget is the budget's canonical text.
	Budget string `json:"budget"`
	// Metric is its metric ("p99").
	Metric string `json:"metric"`
	// Needed is the samples a conclusive figure needs, Planned what the
	// load gives (in each window, for a windowed budget).
	Needed  uint64 `json:"needed"`
	Planned uint64 `json:"planned"`
	// Rate, Duration and Window are the load it was judged for.
	Rate     float64       `json:"rate"`
	Duration time.Duration `json:"duration"`
	Window   time.Duration `json:"window,omitempty"`
	// MinDuration (0 for a windowed budget) and MinRate would each make it
	// conclusive on their own; Instead is the highest conclusive
	// percentile at this load ("p90"), "" when none is.
	MinDuration time.Duration `json:"min_duration,omitempty"`
	MinRate     float64       `json:"min_rate"`
	Instead     string        `json:"instead,omitempty"`
}

// Shortfalls returns the latency percentile budgets of the spec's SLA that
// its rate and duration cannot make conclusive (a windowed budget needs its
// samples in each window). An open-model spec without a rate or duration
// has none: nothing can be planned.
func (s LoadSpec) Shortfalls() []Shortfall {
	if s.Rate <= 0 || s.Duration <= 0 {
		return nil
	}
	var out []Shortfall
	for _, b := range s.SLA.Of(sla.Latency) {
		if b.Mean || b.Percentile <= 0 || b.Percentile >= 100 {
			continue
		}
		span := s.Duration
		if b.Window > 0 && b.Window < span {
			span = b.Window
		}
		planned := uint64(math.Floor(s.Rate * span.Seconds()))
		needed := sla.NeededSamples(b.Percentile)
		if planned >= needed {
			continue
		}
		f := Shortfall{Budget: b.String(), Metric: b.Metric, Needed: needed, Planned: planned, Rate: s.Rate,
			Duration: s.Duration, Window: b.Window, MinRate: math.Ceil(float64(needed) / span.Seconds())}
		if b.Window == 0 {
			f.MinDuration = time.Duration(math.Ceil(float64(needed)/s.Rate)) * time.Second
		}
		for _, q := range nicePercentiles {
			if q < b.Percentile && sla.NeededSamples(q) <= planned {
				f.Instead = "p" + strconv.FormatFloat(q, 'f', -1, 64)
				break
			}
		}
		out = append(out, f)
	}
	return out
}

// Explain says what is short and what would make it conclusive, naming
// command-line flags when cli is true ("use -duration 20s or -rate 334")
// and LoadSpec fields otherwise.
func (f Shortfall) Explain(cli bool) string {
	span := sla.FormatDuration(f.Duration)
	if f.Window > 0 {
		span = sla.FormatDuration(f.Window) + " window"
	}
	s := fmt.Sprintf("%s needs %s samples; %s req/s × %s gives %s", f.Metric, thousands(f.Needed),
		sla.FormatNumber(f.Rate), span, thousands(f.Planned))
	dur, rate := "Duration "+sla.FormatDuration(f.MinDuration), "Rate "+sla.FormatNumber(f.MinRate)
	if cli {
		dur, rate = "-duration "+sla.FormatDuration(f.MinDuration), "-rate "+sla.FormatNumber(f.MinRate)
	}
	var fixes []string
	if f.MinDuration > 0 {
		fixes = append(fixes, dur)
	}
	fixes = append(fixes, rate)
	s += ": use " + strings.Join(fixes, " or ")
	if f.Window > 0 {
		s += " (or a longer window)"
	}
	if f.Instead != "" {
		s += ", or budget " + f.Instead
	}
	return s
}

// thousands renders a count with thousands separators: 1,000.
func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
