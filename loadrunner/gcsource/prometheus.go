package gcsource

import (
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// Prometheus returns a source that scrapes a Go service's Prometheus text
// endpoint (exposition format 0.0.4, as client_golang serves it). url is the
// endpoint's address; when it has no path, /metrics is used.
//
// It takes the best figures the endpoint offers, as deltas between Begin and
// End, and says which in Notes (Exact is always false):
//   - the runtime/metrics pause histogram (go_sched_pauses_total_gc_seconds,
//     exposed when the service enables it in client_golang's Go collector)
//     gives Pauses and PauseHist, each pause taken at its bucket's upper
//     bound (le); client_golang's buckets are a power of ten apart;
//   - the go_gc_duration_seconds summary gives PauseTotal (its _sum, exact
//     to the nanosecond), Cycles from its _count when there is no cycle
//     counter, and Pauses (one per cycle) when there is no histogram;
//   - its quantile="1" is the longest of the service's last 256 cycles, an
//     upper bound of PauseMax when the window held at most 256 cycles;
//   - go_gc_cycles_total_gc_cycles_total gives Cycles;
//   - go_gc_heap_allocs_bytes_total or go_memstats_alloc_bytes_total gives
//     AllocBytes.
func Prometheus(url string, opts ...Option) loadrunner.GCSource {
	return &promSource{ep: parseEndpoint("prometheus", url, "/metrics"), cfg: newConfig(opts)}
}

var _ loadrunner.GCSource = (*promSource)(nil)

type promSource struct {
	ep  endpoint
	cfg config

	mu    sync.Mutex
	begun bool
	start time.Time
	at    promSnapshot
	last  promSnapshot // the previous scrape, for SampleRuntime
}

func (s *promSource) Name() string { return s.ep.name }

// Begin scrapes the endpoint at the start of the window.
func (s *promSource) Begin(ctx context.Context) error {
	snap, err := s.scrape(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begun, s.start, s.at, s.last = true, time.Now(), snap, snap
	return nil
}

// End scrapes again and returns the difference.
func (s *promSource) End(ctx context.Context) (loadrunner.GCStats, error) {
	if !s.isBegun() {
		return loadrunner.GCStats{}, fmt.Errorf("gcsource: %s: End without Begin", s.Name())
	}
	snap, err := s.scrape(ctx)
	if err != nil {
		return loadrunner.GCStats{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begun = false
	g, err := promStats(s.at, snap, time.Since(s.start))
	if err != nil {
		return loadrunner.GCStats{}, fmt.Errorf("gcsource: %s: %w", s.Name(), err)
	}
	g.Source = s.Name()
	return g, nil
}

func (s *promSource) scrape(ctx context.Context) (promSnapshot, error) {
	if err := firstErr(s.ep.err, s.cfg.err); err != nil {
		return promSnapshot{}, err
	}
	body, err := fetch(ctx, &s.cfg, s.ep, "text/plain;version=0.0.4")
	if err != nil {
		return promSnapshot{}, err
	}
	samples, err := parsePrometheus(body, keepFamily)
	if err != nil {
		return promSnapshot{}, fmt.Errorf("gcsource: %s: %w", s.Name(), err)
	}
	snap, err := snapshotOf(samples)
	if err != nil {
		return promSnapshot{}, fmt.Errorf("gcsource: %s: %w", s.Name(), err)
	}
	return snap, nil
}

// promStats turns two snapshots into the window's figures.
func promStats(b, e promSnapshot, window time.Duration) (loadrunner.GCStats, error) {
	g := loadrunner.GCStats{Window: window}
	var maxes []time.Duration // upper bounds of PauseMax
	if (b.hist == nil) != (e.hist == nil) || b.histName != e.histName ||
		(b.summary == nil) != (e.summary == nil) {
		return g, fmt.Errorf("the pause metrics changed between Begin and End: did the service restart?")
	}
	if b.hist != nil {
		hmax, err := histStats(&g, b, e)
		if err != nil {
			return g, err
		}
		maxes = append(maxes, hmax...)
	}
	if b.summary != nil {
		smax, err := summaryStats(&g, b, e)
		if err != nil {
			return g, err
		}
		maxes = append(maxes, smax...)
	}
	if len(maxes) > 0 {
		g.PauseMax = slices.Min(maxes)
	}
	if err := counterStats(&g, b, e); err != nil {
		return g, err
	}
	return g, nil
}

// histStats fills Pauses and PauseHist (and PauseTotal from _sum) from the
// histogram delta; it returns PauseMax's upper bound, if the data has one.
func histStats(g *loadrunner.GCStats, b, e promSnapshot) ([]time.Duration, error) {
	bk, err := promHistDelta(b.hist, e.hist)
	if err != nil {
		return nil, fmt.Errorf("histogram %s: %w", e.histName, err)
	}
	g.Pauses, g.PauseHist, g.PauseMax = bk.count, bk.hist, bk.max
	g.Notes = append(g.Notes,
		fmt.Sprintf("pauses from histogram %s: each stop-the-world phase is one pause", e.histName),
		fmt.Sprintf("pause percentiles and max are bucket upper bounds (le); the populated buckets are up to %.3g× wide", bk.widest))
	if b.summary == nil && b.hist.sum != nil && e.hist.sum != nil {
		if d, ok := secondsDelta(*b.hist.sum, *e.hist.sum); ok {
			g.PauseTotal = d
			g.Notes = append(g.Notes, fmt.Sprintf("pause total from %s_sum (client_golang sums bucket lower bounds: an underestimate)", e.histName))
		}
	}
	if bk.open > 0 {
		g.Warnings = append(g.Warnings, fmt.Sprintf("%d pauses above %v are taken at %v, a lower bound", bk.open, bk.openAt, bk.openAt))
		return nil, nil
	}
	return []time.Duration{bk.max}, nil
}

// promHistDelta builds the distribution of what a cumulative Prometheus
// histogram gained between two scrapes, each value at its bucket's upper
// bound (le).
func promHistDelta(b, e *promHist) (bucketed, error) {
	if !slices.Equal(b.les, e.les) {
		return bucketed{}, fmt.Errorf("bucket bounds changed between scrapes")
	}
	bounds := append([]float64{0}, e.les...)
	if e.les[0] == 0 {
		bounds[0] = math.Inf(-1)
	}
	counts := make([]uint64, len(e.les))
	var prev float64
	for i := range counts {
		d := e.cum[i] - b.cum[i]
		if d < prev {
			return bucketed{}, fmt.Errorf("bucket le=%g fell between scrapes: did the service restart?", e.les[i])
		}
		counts[i], prev = uint64(d-prev), d
	}
	return fromBuckets(bounds, counts)
}

// summaryStats uses go_gc_duration_seconds: its _sum for PauseTotal, its
// _count for Cycles and, without a histogram, Pauses; its quantile 1 bounds
// PauseMax when the window held at most the 256 cycles it covers.
func summaryStats(g *loadrunner.GCStats, b, e promSnapshot) ([]time.Duration, error) {
	bs, es := b.summary, e.summary
	if bs.count == nil || es.count == nil || bs.sum == nil || es.sum == nil {
		return nil, fmt.Errorf("%s: _sum or _count missing", famSummary)
	}
	n, err := countDelta(famSummary+"_count", *bs.count, *es.count)
	if err != nil {
		return nil, err
	}
	total, ok := secondsDelta(*bs.sum, *es.sum)
	if !ok {
		return nil, fmt.Errorf("%s_sum went from %g to %g: did the service restart?", famSummary, *bs.sum, *es.sum)
	}
	g.Cycles, g.PauseTotal = n, total
	g.Notes = append(g.Notes, fmt.Sprintf("pause total from %s_sum: exact (runtime.MemStats PauseTotalNs)", famSummary))
	if g.PauseHist == nil {
		g.Pauses = n
		g.Notes = append(g.Notes, fmt.Sprintf("pauses from %s_count: one per GC cycle, its stop-the-world phases summed; no distribution", famSummary))
	}
	if es.q1 == nil || !(*es.q1 >= 0) {
		return nil, nil
	}
	q1 := seconds(*es.q1)
	if n > ringSize {
		if g.PauseHist == nil {
			g.PauseMax = q1
			g.Warnings = append(g.Warnings, fmt.Sprintf("%d GC cycles in the window, more than the %d %s{quantile=\"1\"} covers: PauseMax may read low", n, ringSize, famSummary))
		}
		return nil, nil
	}
	g.Notes = append(g.Notes, fmt.Sprintf("pause max bounded by %s{quantile=\"1\"}: the longest of the service's last %d cycles", famSummary, ringSize))
	return []time.Duration{q1}, nil
}

// counterStats fills Cycles and AllocBytes from the counters, if present.
func counterStats(g *loadrunner.GCStats, b, e promSnapshot) error {
	switch {
	case b.cycles != nil && e.cycles != nil:
		n, err := countDelta(famCycles, *b.cycles, *e.cycles)
		if err != nil {
			return err
		}
		g.Cycles = n
		g.Notes = append(g.Notes, "cycles from "+famCycles)
	case b.summary == nil:
		g.Warnings = append(g.Warnings, fmt.Sprintf("no %s or %s: Cycles unknown", famCycles, famSummary))
	}
	if b.allocs != nil && e.allocs != nil && b.allocsName == e.allocsName {
		n, err := countDelta(e.allocsName, *b.allocs, *e.allocs)
		if err != nil {
			return err
		}
		g.AllocBytes, g.AllocKnown = n, true
		g.Notes = append(g.Notes, "allocated bytes from "+e.allocsName)
	}
	return nil
}

// countDelta returns the growth of a counter of whole things.
func countDelta(name string, b, e float64) (uint64, error) {
	if !isCount(b) || !isCount(e) {
		return 0, fmt.Errorf("%s: %g → %g: not whole numbers", name, b, e)
	}
	if e < b {
		return 0, fmt.Errorf("%s went from %g to %g: did the service restart?", name, b, e)
	}
	return uint64(e - b), nil
}

// secondsDelta returns the growth of a counter of seconds as a duration.
func secondsDelta(b, e float64) (time.Duration, bool) {
	d := e - b
	if math.IsNaN(d) || d < 0 || math.IsInf(d, 0) || d > maxPause.Seconds()*1e6 {
		return 0, false
	}
	return time.Duration(math.Round(d * 1e9)), true
}

func (s *promSource) isBegun() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.begun
}
