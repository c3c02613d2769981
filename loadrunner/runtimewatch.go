package loadrunner

import (
	"context"
	"fmt"
	"sync"
)

// runtimeWatch samples a RuntimeSampler once per closed interval, on a
// goroutine of its own: a scrape that is slow delays only the next
// scrape, never the run's clock.
type runtimeWatch struct {
	src  RuntimeSampler
	name string
	due  chan int // the interval that just closed; one slot
	done chan struct{}

	mu       sync.Mutex
	samples  map[int]RuntimeSample
	failures int
	lastErr  error
}

// startRuntimeWatch starts sampling gc when it is a RuntimeSampler; it
// returns nil otherwise.
func startRuntimeWatch(ctx context.Context, gc GCSource) *runtimeWatch {
	src, ok := gc.(RuntimeSampler)
	if !ok {
		return nil
	}
	w := &runtimeWatch{src: src, name: gc.Name(), due: make(chan int, 1), done: make(chan struct{}), samples: map[int]RuntimeSample{}}
	go func() {
		defer close(w.done)
		for i := range w.due {
			w.take(ctx, i)
		}
	}()
	return w
}

// take reads the source for interval i.
func (w *runtimeWatch) take(ctx context.Context, i int) {
	s, err := w.src.SampleRuntime(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	if err != nil {
		if ctx.Err() == nil { // a cancelled run's readings fail for that reason alone
			w.failures++
			w.lastErr = err
		}
		return
	}
	if h := s.SchedLatency; h != nil {
		s.SchedP99, s.SchedMax = h.Percentile(P99), h.Max()
	}
	w.samples[i] = s
}

// closed asks for a reading for interval i. A reading asked for earlier and
// not started yet is dropped: it would now read the later interval anyway.
// Only the monitor's goroutine calls closed.
func (w *runtimeWatch) closed(i int) {
	select {
	case <-w.due:
	default:
	}
	w.due <- i
}

// stop takes the reading still due, waits for the sampler to finish, gives
// each interval of series its reading and returns the window's summary.
func (w *runtimeWatch) stop(series []Interval) *RuntimeStats {
	close(w.due)
	<-w.done
	stats := &RuntimeStats{Source: w.name, Samples: len(w.samples)}
	sched := NewHistogram()
	for i := range series {
		s, ok := w.samples[i]
		if !ok {
			continue
		}
		series[i].Runtime = &s
		stats.add(s, sched)
	}
	if stats.SchedKnown {
		stats.SchedLatency = sched
		stats.SchedP50, stats.SchedP99, stats.SchedMax = sched.Percentile(P50), sched.Percentile(P99), sched.Max()
	}
	if w.failures > 0 {
		stats.Warnings = append(stats.Warnings, fmt.Sprintf("%d runtime readings failed, the last: %v", w.failures, w.lastErr))
	}
	return stats
}

// add folds one reading into the summary.
func (r *RuntimeStats) add(s RuntimeSample, sched *Histogram) {
	if s.Goroutines > 0 {
		r.GoroutinesMax, r.GoroutinesKnown = max(r.GoroutinesMax, s.Goroutines), true
	}
	if s.HeapBytes > 0 {
		r.HeapMax, r.HeapKnown = max(r.HeapMax, s.HeapBytes), true
	}
	if s.SchedLatency != nil {
		_ = sched.Merge(s.SchedLatency) // same geometry: nothing is dropped
		r.SchedKnown = true
	}
}
