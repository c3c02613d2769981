// Package gen runs one load generator measurement in the current process:
// slaspec's loadrunner or vegeta's library, open model at a fixed rate or
// closed loop at a fixed concurrency, and reports what it measured.
package gen

import (
	"context"
	"fmt"
	"syscall"
	"time"
)

// Tools that Run knows.
const (
	Slaspec = "slaspec"
	Vegeta  = "vegeta"
)

// Spec says what one measurement does.
type Spec struct {
	// Tool is Slaspec or Vegeta.
	Tool string `json:"tool"`
	// URL is the target's load URL.
	URL string `json:"url"`
	// Rate > 0 is an open-model rate in requests per second; zero selects
	// the closed loop with Concurrency workers.
	Rate float64 `json:"rate"`
	// Concurrency is the closed loop's number of workers.
	Concurrency int `json:"concurrency"`
	// Duration is the length of the load.
	Duration time.Duration `json:"duration"`
	// Check, for slaspec, validates every response body as JSON of the
	// expected shape (the cost of response validation).
	Check bool `json:"check,omitempty"`
	// NetHTTP, for slaspec, sends with the net/http engine instead of the
	// default lean engine.
	NetHTTP bool `json:"nethttp,omitempty"`
	// Coarse, for slaspec, paces on Go timers (loadrunner.WithCoarsePacing)
	// instead of the precise waker.
	Coarse bool `json:"coarse,omitempty"`
}

// Name names the generator: the tool, with "+nethttp" for the net/http
// engine, "+coarse" for coarse pacing and "+check" with validation.
func (s Spec) Name() string {
	n := s.Tool
	if s.NetHTTP {
		n += "+nethttp"
	}
	if s.Coarse {
		n += "+coarse"
	}
	if s.Check {
		n += "+check"
	}
	return n
}

// Validate reports a spec that cannot run.
func (s Spec) Validate() error {
	switch {
	case s.Tool != Slaspec && s.Tool != Vegeta:
		return fmt.Errorf("gen: tool %q is not %s or %s", s.Tool, Slaspec, Vegeta)
	case s.URL == "":
		return fmt.Errorf("gen: url is empty")
	case s.Rate < 0:
		return fmt.Errorf("gen: rate %g is negative", s.Rate)
	case s.Rate == 0 && s.Concurrency <= 0:
		return fmt.Errorf("gen: closed loop needs a positive concurrency, got %d", s.Concurrency)
	case s.Duration <= 0:
		return fmt.Errorf("gen: duration %s must be positive", s.Duration)
	case (s.Check || s.NetHTTP || s.Coarse) && s.Tool != Slaspec:
		return fmt.Errorf("gen: check, nethttp and coarse are only measured for %s", Slaspec)
	}
	return nil
}

// Measurement is what one generator run measured. Durations are in
// nanoseconds in JSON.
type Measurement struct {
	Spec Spec `json:"spec"`
	// Sent and Completed count requests; Errors the failed ones.
	Sent      uint64 `json:"sent"`
	Completed uint64 `json:"completed"`
	Errors    uint64 `json:"errors"`
	// Elapsed is the load's wall time; Achieved is Sent per second of the
	// planned duration (of Elapsed for the closed loop).
	Elapsed  time.Duration `json:"elapsed_ns"`
	Achieved float64       `json:"achieved"`
	// LagP99 is the 99th percentile of the send lag (actual minus intended
	// send time); zero for the closed loop.
	LagP99 time.Duration `json:"lag_p99_ns"`
	// P50, P99, P999 and Max are the latency figures the tool reports.
	P50  time.Duration `json:"p50_ns"`
	P99  time.Duration `json:"p99_ns"`
	P999 time.Duration `json:"p999_ns"`
	Max  time.Duration `json:"max_ns"`
	// CPU is the process's user+system CPU time during the load.
	CPU time.Duration `json:"cpu_ns"`
	// RSS is the peak resident set size in bytes (filled by the parent).
	RSS int64 `json:"rss"`
	// Conns and PeakConns are the connections the target accepted and held
	// open at once (filled by the parent from the target's counts).
	Conns     int64 `json:"conns"`
	PeakConns int64 `json:"peak_conns"`
	// TargetCPU is the target server's CPU time over the measurement
	// (filled by the parent from the target's counts).
	TargetCPU time.Duration `json:"target_cpu_ns"`
	// Steal is the time the hypervisor took from the generator's core
	// during the measurement (filled by the parent from /proc/stat).
	Steal time.Duration `json:"steal_ns"`
	// Tool-specific remarks, such as drops or saturation.
	Note string `json:"note,omitempty"`
}

// CPUPerRequest returns the generator's CPU time per completed request.
func (m Measurement) CPUPerRequest() time.Duration {
	if m.Completed == 0 {
		return 0
	}
	return m.CPU / time.Duration(m.Completed)
}

// Run performs the measurement s describes.
func Run(ctx context.Context, s Spec) (Measurement, error) {
	if err := s.Validate(); err != nil {
		return Measurement{}, err
	}
	cpu0 := ProcessCPU()
	var m Measurement
	var err error
	switch s.Tool {
	case Slaspec:
		m, err = runSlaspec(ctx, s)
	default:
		m, err = runVegeta(ctx, s)
	}
	if err != nil {
		return Measurement{}, err
	}
	m.Spec = s
	m.CPU = ProcessCPU() - cpu0
	return m, nil
}

// ProcessCPU returns this process's user and system CPU time so far.
func ProcessCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
