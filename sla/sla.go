package sla

import (
	"fmt"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// SLA is a parsed service-level budget: a list of budgets that must all hold.
// Its String is the canonical text, which parses back to the same SLA.
type SLA struct {
	Budgets []Budget
}

// Kind is what a budget measures and so what unit its limit has.
type Kind int

// The kinds of budget.
const (
	// Latency is a latency figure from the intended send time (percentile,
	// max or mean); the limit is a duration.
	Latency Kind = iota + 1
	// ErrorRate is the share of completed requests that failed (all classes
	// or one); the limit is a share written as a percentage.
	ErrorRate
	// Delivered is the share of planned sends that went out ("rate").
	Delivered
	// Throughput is completed requests per second ("rps").
	Throughput
	// GCPause is a pause figure of the service's GC (max or percentile).
	GCPause
	// GCShare is the share of the window spent in GC pauses ("gc.total").
	GCShare
	// GCCycles is the number of GC cycles in the window.
	GCCycles
	// AllocPerRequest is the service's heap allocation per completed request.
	AllocPerRequest
	// SchedLatency is a figure of the service's scheduling latency (max or
	// percentile): how long its goroutines waited to run ("sched.p99").
	SchedLatency
	// Goroutines is the most goroutines the service had at a reading
	// ("goroutines.max").
	Goroutines
	// HeapBytes is the largest heap the service held at a reading
	// ("heap.max").
	HeapBytes
)

// Op is a comparison of a budget.
type Op string

// The comparisons a budget can make.
const (
	OpLess         Op = "<"
	OpLessEqual    Op = "<="
	OpGreater      Op = ">"
	OpGreaterEqual Op = ">="
	OpEqual        Op = "=="
)

// Budget is one bound of an SLA, e.g. "p99<150ms" or "p99@10s<200ms!".
type Budget struct {
	// Metric is the metric's name as written: "p99.9", "max", "errors.5xx", "gc.p99", "alloc/req".
	Metric string
	// Kind says what the metric measures.
	Kind Kind
	// Percentile is the percentile (0–100) of a "pN", "gc.pN" or "sched.pN"
	// metric; 100 for "max", "gc.max" and "sched.max"; 0 for "mean" and the
	// other kinds.
	Percentile float64
	// Mean is true for the "mean" metric.
	Mean bool
	// Class restricts an error budget to one error class or class family
	// ("http.5xx", "transport"); empty for all errors.
	Class loadrunner.Class
	// Window, when set, holds the budget in every window of that length
	// (sliding by the result's time-series interval), not only overall.
	Window time.Duration
	// Op and Limit are the bound. Limit is in the kind's base unit:
	// nanoseconds for durations, a 0–1 share for percentages, requests per
	// second, cycles, or bytes.
	Op    Op
	Limit float64
	// Abort stops the run as soon as the budget can no longer pass ("!").
	Abort bool
}

// String returns the budget in canonical text.
func (b Budget) String() string {
	var s strings.Builder
	s.WriteString(b.Metric)
	if b.Window > 0 {
		s.WriteString("@" + formatDuration(time.Duration(b.Window)))
	}
	s.WriteString(string(b.Op))
	s.WriteString(formatLimit(b.Kind, b.Limit))
	if b.Abort {
		s.WriteString("!")
	}
	return s.String()
}

// String returns the SLA in canonical text: its budgets joined by ", ".
func (s SLA) String() string {
	parts := make([]string, len(s.Budgets))
	for i, b := range s.Budgets {
		parts[i] = b.String()
	}
	return strings.Join(parts, ", ")
}

// MarshalText writes the canonical text, so an SLA is a string in JSON.
func (s SLA) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses the SLA grammar; empty text is the zero SLA.
func (s *SLA) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*s = SLA{}
		return nil
	}
	p, err := Parse(string(b))
	if err != nil {
		return err
	}
	*s = p
	return nil
}

// IsZero reports whether the SLA has no budget (JSON's omitzero uses it).
func (s SLA) IsZero() bool { return len(s.Budgets) == 0 }

// Of returns the SLA's budgets of kind k, in order.
func (s SLA) Of(k Kind) []Budget {
	var out []Budget
	for _, b := range s.Budgets {
		if b.Kind == k {
			out = append(out, b)
		}
	}
	return out
}

// Has reports whether the SLA has a budget of the given kind.
func (s SLA) Has(k Kind) bool {
	for _, b := range s.Budgets {
		if b.Kind == k {
			return true
		}
	}
	return false
}

// MustParse is Parse for SLAs written in Go code: it panics on a bad SLA, the
// way regexp.MustCompile does, so a typo fails the suite at once.
func MustParse(s string) SLA {
	sla, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return sla
}

// ParseError is a syntax or range error in SLA text, with where it is.
type ParseError struct {
	// Text is the budget's text as written; Column is its 1-based byte
	// offset in the whole SLA text.
	Text   string
	Column int
	// Reason says what is wrong.
	Reason string
}

// Error returns the message, naming the budget and its column.
func (e *ParseError) Error() string {
	if e.Text == "" {
		return fmt.Sprintf("sla: column %d: %s", e.Column, e.Reason)
	}
	return fmt.Sprintf("sla: budget %q at column %d: %s", e.Text, e.Column, e.Reason)
}
