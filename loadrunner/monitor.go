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
	iv       intervalAcc
	series   []Interval
	last     struct{ planned, sent, dropped uint64 }
	ivStart  time.Time
	health   healthProbe
	gcErr    error
	opened   bool
	progress *Histogram
}

func newMonitor(r *runner) *monitor {
	return &monitor{r: r, iv: intervalAcc{latency: NewHistogram(), byClass: map[Class]uint64{}}}
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
	if m.r.cfg.gc != nil {
		m.gcErr = m.r.cfg.gc.Begin(ctx)
	}
}

// rotate closes the interval that ends at now.
func (m *monitor) rotate(now time.Time) {
	for _, rec := range m.r.recs {
		rec.rotate(&m.iv)
	}
	planned, sent, dropped := m.r.planned.Load(), m.r.sent.Load(), m.r.dropped.Load()
	iv := Interval{
		Start: m.ivStart, Length: now.Sub(m.ivStart),
		Planned: planned - m.last.planned, Sent: sent - m.last.sent, Dropped: dropped - m.last.dropped,
		OK: m.iv.ok, Errors: m.iv.errors,
		P50: m.iv.latency.Percentile(P50), P99: m.iv.latency.Percentile(P99), Max: m.iv.latency.Max(),
	}
	if len(m.iv.byClass) > 0 {
		iv.ErrorsByClass = maps.Clone(m.iv.byClass)
		clear(m.iv.byClass)
	}
	if m.iv.latency.Count() > 0 {
		iv.HDR = encodeString(m.iv.latency)
	}
	m.series = append(m.series, iv)
	m.last.planned, m.last.sent, m.last.dropped = planned, sent, dropped
	m.iv.latency.Reset()
	m.iv.ok, m.iv.errors = 0, 0
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
	res.Timeseries = m.series
	res.Generator = m.health.end(res.Generator)
	if m.r.cfg.gc != nil {
		m.closeGC(ctx, res)
	}
	saturation(res, m.r.plan)
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
