package loadrunner

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"time"
)

// monitor runs beside the dispatcher on the Run goroutine: it opens the
// measured window (GC source, generator health), closes one time-series
// interval per tick, reports progress, and builds the result at the end.
type monitor struct {
	r        *runner
	total    seriesAcc   // the run's time series
	ops      []seriesAcc // each operation's, for a mix or a journey
	ivStart  time.Time
	health   healthProbe
	gcErr    error
	prof     *profiler
	rt       *runtimeWatch
	opened   bool
	progress *Histogram
}

func newMonitor(r *runner) *monitor {
	m := &monitor{r: r, total: seriesAcc{iv: newIntervalAcc()}}
	for range r.ops {
		m.ops = append(m.ops, seriesAcc{iv: newIntervalAcc()})
	}
	return m
}

// seriesAcc builds one time series: the interval being accumulated, the
// intervals closed so far, and the counters at the last close.
type seriesAcc struct {
	iv     intervalAcc
	series []Interval
	last   struct{ planned, sent, dropped uint64 }
}

// close ends the current interval at now, given the schedule's counters.
func (a *seriesAcc) close(start, now time.Time, planned, sent, dropped uint64) {
	iv := Interval{
		Start: start, Length: now.Sub(start),
		Planned: planned - a.last.planned, Sent: sent - a.last.sent, Dropped: dropped - a.last.dropped,
		OK: a.iv.ok, Errors: a.iv.errors,
		P50: a.iv.latency.Percentile(P50), P99: a.iv.latency.Percentile(P99), Max: a.iv.latency.Max(),
	}
	if len(a.iv.byClass) > 0 {
		iv.ErrorsByClass = maps.Clone(a.iv.byClass)
	}
	if a.iv.latency.Count() > 0 {
		iv.Latency = a.iv.latency.Buckets()
	}
	a.series = append(a.series, iv)
	a.last.planned, a.last.sent, a.last.dropped = planned, sent, dropped
	a.iv.reset()
}

// watch waits for the run to end, closing intervals as it goes. It returns
// why the run stopped early ("" when it ran its plan).
func (m *monitor) watch(ctx context.Context, done <-chan struct{}, cancel context.CancelFunc) string {
	if err := sleepUntil(ctx, m.r.windowStart, nil); err != nil {
		return m.stopReason(ctx)
	}
	m.open(ctx)
	ticker := time.NewTicker(m.r.cfg.interval)
	defer ticker.Stop()
	for {
		select {
		case <-done:
			return ""
		case <-ctx.Done():
			return m.stopReason(ctx)
		case now := <-ticker.C:
			m.rotate(now)
			if err := m.report(now); err != nil {
				msg := err.Error()
				m.r.abort.Store(&msg)
				cancel()
				return "aborted: " + msg
			}
		}
	}
}

func (m *monitor) stopReason(ctx context.Context) string {
	err := context.Cause(ctx)
	if errors.Is(err, context.DeadlineExceeded) {
		return "deadline exceeded"
	}
	return fmt.Sprintf("cancelled: %v", err)
}

// open starts the measured window.
func (m *monitor) open(ctx context.Context) {
	m.opened = true
	m.ivStart = m.r.windowStart
	m.health.begin()
	if m.r.cfg.profile != nil {
		m.prof = startProfiler(ctx, m.r.cfg.profile, m.r.windowLen)
	}
	if m.r.cfg.gc != nil {
		m.gcErr = m.r.cfg.gc.Begin(ctx)
		if m.gcErr == nil {
			m.rt = startRuntimeWatch(ctx, m.r.cfg.gc)
		}
	}
}

// rotate closes the interval that ends at now.
func (m *monitor) rotate(now time.Time) {
	opIv := make([]*intervalAcc, len(m.ops))
	for i := range m.ops {
		opIv[i] = &m.ops[i].iv
	}
	for _, rec := range m.r.recs {
		rec.rotate(&m.total.iv, opIv)
	}
	m.total.close(m.ivStart, now, m.r.planned.Load(), m.r.sent.Load(), m.r.dropped.Load())
	if m.rt != nil {
		m.rt.closed(len(m.total.series) - 1)
	}
	for i := range m.ops {
		a := &m.ops[i]
		// A journey's steps are not scheduled on their own: what completed
		// is what was planned and sent. A mix counts its share of the schedule.
		done := a.iv.ok + a.iv.errors
		planned, sent := a.last.planned+done, a.last.sent+done
		if m.r.opOf != nil {
			planned, sent = m.r.opPlanned[i].Load(), m.r.opSent[i].Load()
		}
		a.close(m.ivStart, now, planned, sent, 0)
	}
	m.ivStart = now
}

// report calls the progress function, if any, with live figures.
func (m *monitor) report(now time.Time) error {
	fn := m.r.cfg.progress
	if fn == nil {
		return nil
	}
	if m.progress == nil {
		m.progress = NewHistogram()
	}
	m.progress.Reset()
	var requests, errs, late uint64
	for _, rec := range m.r.recs {
		rec.snapshot(m.progress)
		rec.mu.Lock()
		requests, errs, late = requests+rec.requests, errs+rec.errors, late+rec.late
		rec.mu.Unlock()
	}
	p := Progress{
		Elapsed: now.Sub(m.r.start), Warmup: now.Before(m.r.windowStart),
		Planned: m.r.planned.Load(), Sent: m.r.sent.Load(), Requests: requests, Errors: errs,
		Dropped: m.r.dropped.Load(), Late: late, P99: m.progress.Percentile(P99), Max: m.progress.Max(),
		InFlight: int(m.r.inFlight.Load()),
	}
	if m.r.sched != nil {
		p.Total = m.r.sched.measuredHits()
	}
	if el := now.Sub(m.r.windowStart).Seconds(); el > 0 {
		p.AchievedRate = float64(p.Sent) / el
	}
	return fn(p)
}

// finish closes the window and builds the result.
func (m *monitor) finish(ctx context.Context, stopped string) *Result {
	now := time.Now()
	if !m.opened {
		return m.r.result(now, stopped)
	}
	if now.Sub(m.ivStart) > 0 {
		m.rotate(now)
	}
	end := now
	if stopped == "" && m.r.windowLen > 0 {
		// A completed run covers its whole planned window: the drain after
		// the last send is not part of it, and the gap between the last
		// send and the window's end is.
		end = m.r.windowStart.Add(m.r.windowLen)
	}
	res := m.r.result(end, stopped)
	res.Timeseries = m.total.series
	for i, name := range m.r.ops {
		if op := res.Operations[name]; op != nil {
			op.Timeseries = m.ops[i].series
		}
	}
	res.Generator = m.health.end(res.Generator)
	if m.rt != nil {
		res.Runtime = m.rt.stop(res.Timeseries)
	}
	if m.r.cfg.gc != nil {
		m.closeGC(ctx, res)
	}
	if m.prof != nil {
		res.Profiles = m.prof.end(ctx)
	}
	m.r.judge(res)
	return res
}

// closeGC reads the GC source at the end of the window. A failing source
// does not fail the run: its error is kept as a warning in the result.
func (m *monitor) closeGC(ctx context.Context, res *Result) {
	src := m.r.cfg.gc
	if m.gcErr == nil {
		gc, err := src.End(context.WithoutCancel(ctx))
		if err == nil {
			res.GC = &gc
			return
		}
		m.gcErr = err
	}
	res.GC = &GCStats{Source: src.Name(), Warnings: []string{fmt.Sprintf("gc source failed: %v", m.gcErr)}}
}
