package loadrunner

import (
	"encoding/json"
	"fmt"
	"math"
	"time"
)

// MaxExamples is the number of example messages a Result keeps per error class.
const MaxExamples = 5

// Result is what a run measured. Statistics cover the measured window only
// (warm-up excluded). Latency is measured from each request's intended send
// time (coordinated-omission corrected) to the moment its response had been
// read; ServiceTime from its actual send; SendLag is actual minus intended
// send. Latency and ServiceTime cover the requests that succeeded, so fast
// failures (a refused connection) cannot flatter them; the failed requests'
// latency is FailedLatency. A Result serializes to JSON losslessly and
// merges exactly with Merge.
type Result struct {
	// Target describes what was loaded (secrets redacted).
	Target string `json:"target,omitempty"`
	// Plan is the plan that was run.
	Plan Plan `json:"plan"`
	// Started and Ended bound the measured window (wall clock).
	Started time.Time `json:"started"`
	Ended   time.Time `json:"ended"`
	// Duration is the length of the measured window actually run (shorter
	// than planned when the run was partial).
	Duration time.Duration `json:"-"`
	// PlannedRate is the mean planned rate over the measured window (req/s).
	PlannedRate float64 `json:"planned_rate"`
	// AchievedRate is Sent per second of the measured window.
	AchievedRate float64 `json:"achieved_rate"`
	// Planned is the number of sends the schedule held in the window run.
	Planned uint64 `json:"planned"`
	// Sent is the number of requests that went out.
	Sent uint64 `json:"sent"`
	// Requests is the number of requests completed (ok or failed).
	Requests uint64 `json:"requests"`
	// Dropped is the number of planned sends abandoned because the backlog
	// passed Plan.MaxLag; their latency is unknown.
	Dropped uint64 `json:"dropped"`
	// Late is the number of sends that went out more than Plan.LateAfter
	// after their intended time.
	Late uint64 `json:"late"`
	// Partial is true when the run stopped before its plan ended
	// (cancellation, deadline, abort); PartialReason says why.
	Partial       bool   `json:"partial"`
	PartialReason string `json:"partial_reason,omitempty"`
	// Aborted holds the reason an early-abort condition stopped the run.
	Aborted string `json:"aborted,omitempty"`
	// SlotWaits is the number of sends that found every in-flight slot
	// busy (MaxInFlight requests outstanding) and waited for one.
	SlotWaits uint64 `json:"slot_waits"`
	// GeneratorSaturated is true when the generator could not keep its
	// schedule for reasons of its own — sends late although in-flight slots
	// were free (GeneratorLag), a stall of the whole process, its CPU at
	// GOMAXPROCS, its GC pauses — so the latencies measure the generator as
	// much as the service; Saturation says why.
	GeneratorSaturated bool     `json:"generator_saturated"`
	Saturation         []string `json:"saturation,omitempty"`
	// ServiceBacklogged is true when the in-flight bound filled because
	// responses did not come back in time for the planned rate (SlotWaits,
	// drops after waiting for a slot); Backlog says how much. That is the
	// service's behaviour under the planned load: latency from the intended
	// send time includes the waits and stays exact.
	ServiceBacklogged bool     `json:"service_backlogged"`
	Backlog           []string `json:"backlog,omitempty"`
	// Errors counts failed requests by class, with example messages.
	Errors Errors `json:"errors"`
	// StatusCodes counts HTTP responses by status code.
	StatusCodes map[int]uint64 `json:"status_codes,omitempty"`
	// Protocols counts HTTP responses by the protocol they came over, as
	// http.Response.Proto writes it: {"HTTP/1.1": 1200} or {"HTTP/2.0": 1200}
	// (see WithProtocol).
	Protocols map[string]uint64 `json:"protocols,omitempty"`
	// Latency and ServiceTime are the successful requests' distributions
	// (Latency.Count() == OK()); SendLag covers every send. A request that
	// failed — in any class, http.4xx included — is not in them.
	Latency     *Histogram `json:"-"`
	ServiceTime *Histogram `json:"-"`
	SendLag     *Histogram `json:"-"`
	// GeneratorLag is the part of each send's lag the generator caused: from
	// the later of its intended time and the moment a full in-flight bound
	// freed a slot, to the actual send. Nil for the closed model.
	GeneratorLag *Histogram `json:"-"`
	// FailedLatency is the latency of the requests that failed, from their
	// intended send time (FailedLatency.Count() == Errors.Total).
	FailedLatency *Histogram `json:"-"`
	// Checks is the time the checks of each checked response took
	// (WithCheck, a contract's validation, a journey's captures — for a
	// journey, all of its steps'), nil when nothing was checked. It is
	// recorded apart: latency ends when the response has been read, before
	// any check ran.
	Checks *Histogram `json:"-"`
	// Connect, TLS and TTFB are HTTP phase distributions (nil for targets
	// that have no phases). Connect and TLS count only new connections.
	Connect *Histogram `json:"-"`
	TLS     *Histogram `json:"-"`
	TTFB    *Histogram `json:"-"`
	// Timeseries holds one Interval per second of the measured window.
	Timeseries []Interval `json:"timeseries"`
	// Generator is the health of the load generator during the window.
	Generator Generator `json:"generator"`
	// GC is the service's GC activity in the window, when a GCSource was attached.
	GC *GCStats `json:"gc,omitempty"`
	// Runtime summarizes the service's runtime sampled over the window
	// (goroutines, heap, scheduling latency), when the GC source can be
	// sampled (see RuntimeSampler).
	Runtime *RuntimeStats `json:"runtime,omitempty"`
	// Profiles is what the service's profiles show over the window, when a
	// ProfileSource was attached.
	Profiles *Profiles `json:"profiles,omitempty"`
	// Operations holds one sub-result per operation when the target was a
	// mix or a journey (see OperationsTarget): each operation's latency,
	// errors and load, judged by the same matchers as a whole result.
	Operations map[string]*Result `json:"operations,omitempty"`
	// Merged is the number of results merged into this one (0 for a single run).
	Merged int `json:"merged,omitempty"`
}

// Errors counts failed requests by class.
type Errors struct {
	Total    uint64             `json:"total"`
	ByClass  map[Class]uint64   `json:"by_class"`
	Examples map[Class][]string `json:"examples,omitempty"`
}

// Interval is one step of a result's time series.
type Interval struct {
	// Start is the wall-clock start of the interval; Length its length.
	Start  time.Time     `json:"start"`
	Length time.Duration `json:"length_ns"`
	// Counts of sends whose intended time fell in the interval.
	Planned uint64 `json:"planned"`
	Sent    uint64 `json:"sent"`
	Dropped uint64 `json:"dropped"`
	// Counts of requests that completed in the interval.
	OK     uint64 `json:"ok"`
	Errors uint64 `json:"errors"`
	// ErrorsByClass splits Errors by class.
	ErrorsByClass map[Class]uint64 `json:"errors_by_class,omitempty"`
	// Latency figures of the requests that completed successfully in the
	// interval (failed ones are counted in Errors only).
	P50 time.Duration `json:"p50_ns"`
	P99 time.Duration `json:"p99_ns"`
	Max time.Duration `json:"max_ns"`
	// Runtime is the service's runtime read when the interval closed, when
	// the run's GC source can be sampled (see RuntimeSampler).
	Runtime *RuntimeSample `json:"runtime,omitempty"`
	// Latency is the interval's latency distribution (successful requests)
	// as its populated buckets, in increasing order: a few hundred entries
	// where a whole histogram holds 32,768 counters, so that windowed
	// budgets and merges stay exact and cheap. In JSON it is the "hdr"
	// field, HdrHistogram's compressed encoding, decoded once when read.
	Latency []Bucket `json:"-"`
}

// Histogram returns the interval's latency distribution as a histogram.
func (iv Interval) Histogram() *Histogram {
	h := NewHistogram()
	h.AddBuckets(iv.Latency)
	return h
}

// Generator describes the load generator's own health during a run.
type Generator struct {
	// CPU is the generator process's CPU time (user+system) in the window.
	CPU time.Duration `json:"cpu_ns"`
	// GCCycles, GCPauseTotal and GCPauseMax are the generator process's own GC.
	GCCycles     uint64        `json:"gc_cycles"`
	GCPauseTotal time.Duration `json:"gc_pause_total_ns"`
	GCPauseMax   time.Duration `json:"gc_pause_max_ns"`
	// PeakInFlight is the most requests outstanding at once.
	PeakInFlight int `json:"peak_inflight"`
	// GOMAXPROCS and NumCPU describe the generator machine.
	GOMAXPROCS int `json:"gomaxprocs"`
	NumCPU     int `json:"num_cpu"`
}

// OK returns the number of requests that completed without error.
func (r *Result) OK() uint64 { return r.Requests - min(r.Errors.Total, r.Requests) }

// ErrorRate returns failed requests as a share (0–1) of completed requests,
// 0 when none completed.
func (r *Result) ErrorRate() float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Errors.Total) / float64(r.Requests)
}

// ClassRate returns the requests failed with class c as a share (0–1) of
// completed requests.
func (r *Result) ClassRate(c Class) float64 {
	if r.Requests == 0 {
		return 0
	}
	return float64(r.Errors.ByClass[c]) / float64(r.Requests)
}

// Throughput returns completed requests per second of the measured window.
func (r *Result) Throughput() float64 {
	if r.Duration <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Duration.Seconds()
}

// Delivered returns the share (0–1) of the planned sends that went out; 1
// for a closed-model run, which has no plan to fall short of.
func (r *Result) Delivered() float64 {
	if r.Planned == 0 {
		return 1
	}
	return float64(r.Sent) / float64(r.Planned)
}

// resultJSON is the wire form of a Result: the plain fields, the duration in
// seconds and nanoseconds, summaries of each distribution, and the encoded
// histograms that make the JSON lossless.
type resultJSON struct {
	resultFields
	DurationS   float64               `json:"duration_s"`
	DurationNS  time.Duration         `json:"duration_ns"`
	Latency     Summary               `json:"latency"`
	ServiceTime Summary               `json:"service_time"`
	SendLag     Summary               `json:"send_lag"`
	Failed      Summary               `json:"failed_latency"`
	GenLag      *Summary              `json:"generator_lag,omitempty"`
	Checks      *Summary              `json:"checks,omitempty"`
	Histograms  map[string]*Histogram `json:"histograms"`
}

type resultFields Result

func (r *Result) histograms() map[string]**Histogram {
	return map[string]**Histogram{
		"latency": &r.Latency, "service_time": &r.ServiceTime, "send_lag": &r.SendLag, "failed_latency": &r.FailedLatency,
		"generator_lag": &r.GeneratorLag,
		"connect":       &r.Connect, "tls": &r.TLS, "ttfb": &r.TTFB, "checks": &r.Checks,
	}
}

// MarshalJSON writes the documented JSON result format.
func (r *Result) MarshalJSON() ([]byte, error) {
	w := resultJSON{
		resultFields: resultFields(*r),
		DurationS:    math.Round(r.Duration.Seconds()*1e6) / 1e6,
		DurationNS:   r.Duration,
		Latency:      r.Latency.Summary(),
		ServiceTime:  r.ServiceTime.Summary(),
		SendLag:      r.SendLag.Summary(),
		Failed:       r.FailedLatency.Summary(),
		Histograms:   map[string]*Histogram{},
	}
	if r.Checks != nil {
		s := r.Checks.Summary()
		w.Checks = &s
	}
	if r.GeneratorLag != nil {
		s := r.GeneratorLag.Summary()
		w.GenLag = &s
	}
	for name, h := range r.histograms() {
		if *h != nil {
			w.Histograms[name] = *h
		}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the JSON result format; the distributions come from
// the encoded histograms, the summaries being derived from them.
func (r *Result) UnmarshalJSON(data []byte) error {
	var w resultJSON
	if err := json.Unmarshal(data, &w); err != nil {
		return fmt.Errorf("loadrunner: result: %w", err)
	}
	out := Result(w.resultFields)
	out.Duration = w.DurationNS
	if out.Duration == 0 && w.DurationS > 0 {
		out.Duration = time.Duration(math.Round(w.DurationS * 1e9))
	}
	for name, h := range out.histograms() {
		*h = w.Histograms[name]
	}
	for _, h := range []**Histogram{&out.Latency, &out.ServiceTime, &out.SendLag, &out.FailedLatency} {
		if *h == nil {
			*h = NewHistogram()
		}
	}
	*r = out
	return nil
}
