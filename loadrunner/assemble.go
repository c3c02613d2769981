package loadrunner

import (
	"fmt"
	"runtime"
	"time"
)

// result merges the recorders into a Result whose window ends at end.
func (r *runner) result(end time.Time, stopped string) *Result {
	res := &Result{
		Plan: r.plan, Started: r.windowStart, Ended: end,
		Latency: NewHistogram(), ServiceTime: NewHistogram(), SendLag: NewHistogram(),
		FailedLatency: NewHistogram(), Checks: NewHistogram(),
		Errors:      Errors{ByClass: map[Class]uint64{}},
		StatusCodes: map[int]uint64{}, Protocols: map[string]uint64{},
		Planned: r.planned.Load(), Sent: r.sent.Load(), Dropped: r.dropped.Load(),
		Generator: Generator{PeakInFlight: int(r.peak.Load()), GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU()},
	}
	if s, ok := r.target.(fmt.Stringer); ok {
		res.Target = s.String()
	}
	res.Duration = max(end.Sub(r.windowStart), 0)
	if stopped != "" {
		res.Partial, res.PartialReason = true, stopped
		if a := r.abort.Load(); a != nil {
			res.Aborted = *a
		}
	}
	connect, tls, ttfb, genLag := NewHistogram(), NewHistogram(), NewHistogram(), NewHistogram()
	ops := make([]*Result, len(r.ops))
	for i := range ops {
		ops[i] = &Result{Latency: NewHistogram(), ServiceTime: NewHistogram(), SendLag: NewHistogram(),
			FailedLatency: NewHistogram(), Checks: NewHistogram(),
			Errors: Errors{ByClass: map[Class]uint64{}}, StatusCodes: map[int]uint64{}, Protocols: map[string]uint64{}}
	}
	for _, rec := range r.recs {
		rec.mu.Lock()
		addStats(res, &rec.stats)
		mergeAll(res.SendLag, rec.lag, genLag, rec.genLag, connect, rec.connect, tls, rec.tls, ttfb, rec.ttfb)
		res.Late += rec.late
		for i := range rec.ops {
			addStats(ops[i], &rec.ops[i])
		}
		rec.mu.Unlock()
	}
	res.Connect, res.TLS, res.TTFB, res.Checks = nonEmpty(connect), nonEmpty(tls), nonEmpty(ttfb), nonEmpty(res.Checks)
	res.StatusCodes, res.Protocols = nilIfEmpty(res.StatusCodes), nilIfEmpty(res.Protocols) // a target without responses: JSON omits them
	if r.sched != nil {
		res.PlannedRate = r.sched.measuredRate()
		res.GeneratorLag = genLag // the closed model has no schedule to be late against
	}
	res.SlotWaits = r.slotWaits.Load()
	if res.Duration > 0 {
		res.AchievedRate = float64(res.Sent) / res.Duration.Seconds()
		if r.sched == nil {
			res.PlannedRate = res.AchievedRate
		}
	}
	r.operations(res, ops)
	return res
}

// addStats adds a recorder's stats into a result.
func addStats(res *Result, st *stats) {
	mergeAll(res.Latency, st.latency, res.ServiceTime, st.service, res.FailedLatency, st.failed, res.Checks, st.checks)
	res.Requests += st.requests
	res.Errors.Total += st.errors
	addCounts(res.Errors.ByClass, st.byClass)
	addCounts(res.StatusCodes, st.status)
	addCounts(res.Protocols, st.proto)
	res.Errors.Examples = mergeExamples(res.Errors.Examples, st.examples)
}

// operations completes the per-operation sub-results and attaches them. A
// mix's operations have their own planned and sent counts (their share of
// the schedule); a journey's steps are not scheduled on their own, so their
// planned count is their completed count.
func (r *runner) operations(res *Result, ops []*Result) {
	if len(ops) == 0 {
		return
	}
	res.Operations = map[string]*Result{}
	for i, op := range ops {
		op.Target, op.Plan, op.Started, op.Ended, op.Duration = r.ops[i], res.Plan, res.Started, res.Ended, res.Duration
		op.Partial, op.PartialReason = res.Partial, res.PartialReason
		op.Planned, op.Sent = op.Requests, op.Requests
		if r.opOf != nil {
			op.Planned, op.Sent = r.opPlanned[i].Load(), r.opSent[i].Load()
			op.Dropped = op.Planned - min(op.Sent, op.Planned) // planned = sent + dropped
		}
		if res.Duration > 0 {
			op.PlannedRate = float64(op.Planned) / res.Duration.Seconds()
			op.AchievedRate = float64(op.Sent) / res.Duration.Seconds()
		}
		op.StatusCodes, op.Protocols = nilIfEmpty(op.StatusCodes), nilIfEmpty(op.Protocols)
		op.Checks = nonEmpty(op.Checks)
		res.Operations[r.ops[i]] = op
	}
}

// mergeAll merges pairs of histograms: dst, src, dst, src, ... A nil src
// (nothing recorded) is skipped.
func mergeAll(pairs ...*Histogram) {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != nil {
			_ = pairs[i].Merge(pairs[i+1]) // same geometry: cannot drop
		}
	}
}

func addCounts[K comparable](dst, src map[K]uint64) {
	for k, n := range src {
		dst[k] += n
	}
}

// nilIfEmpty returns m, or nil when m is empty.
func nilIfEmpty[K comparable](m map[K]uint64) map[K]uint64 {
	if len(m) == 0 {
		return nil
	}
	return m
}

// mergeExamples adds src's examples into dst, keeping at most MaxExamples
// distinct messages per class.
func mergeExamples(dst, src map[Class][]string) map[Class][]string {
	if len(src) == 0 {
		return dst
	}
	if dst == nil {
		dst = map[Class][]string{}
	}
	for c, msgs := range src {
		for _, m := range msgs {
			dst[c] = addExample(dst[c], m)
		}
	}
	return dst
}

func nonEmpty(h *Histogram) *Histogram {
	if h.Count() == 0 {
		return nil
	}
	return h
}
