package gcsource

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// ringSize is the length of runtime.MemStats' PauseNs and PauseEnd rings.
const ringSize = 256

// Expvar returns a source that reads a Go service's expvar endpoint: the
// "memstats" object of /debug/vars (runtime.MemStats as JSON). url is the
// endpoint's address; when it has no path, /debug/vars is used.
//
// Begin records NumGC; End reads the pause of every GC cycle numbered in
// (begin, end] from the PauseNs ring: exact values (Exact is true), one per
// cycle, each the cycle's summed stop-the-world time (sweep termination plus
// mark termination). The ring holds the last 256 cycles: when more ran in
// the window, the older pauses are not seen and a Warning says how many;
// Cycles, Pauses and PauseTotal (from the PauseTotalNs delta) still count
// them all. AllocBytes is the TotalAlloc delta.
func Expvar(url string, opts ...Option) loadrunner.GCSource {
	return &expvarSource{ep: parseEndpoint("expvar", url, "/debug/vars"), cfg: newConfig(opts)}
}

var _ loadrunner.GCSource = (*expvarSource)(nil)

type expvarSource struct {
	ep  endpoint
	cfg config

	mu    sync.Mutex
	begun bool
	start time.Time
	at    memStats
	last  memStats // the previous reading, for SampleRuntime
}

// memStats is the part of runtime.MemStats the source reads. Pointers tell
// a missing field from a zero one.
type memStats struct {
	NumGC        *uint32  `json:"NumGC"`
	PauseTotalNs *uint64  `json:"PauseTotalNs"`
	TotalAlloc   *uint64  `json:"TotalAlloc"`
	PauseNs      []uint64 `json:"PauseNs"`
	PauseEnd     []uint64 `json:"PauseEnd"`
	HeapAlloc    *uint64  `json:"HeapAlloc"`
	// goroutines is the document's top-level "goroutines" number, which
	// expvar does not publish but services may; nil when absent.
	goroutines *int64
}

func (s *expvarSource) Name() string { return s.ep.name }

// Begin reads memstats at the start of the window.
func (s *expvarSource) Begin(ctx context.Context) error {
	ms, err := s.read(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begun, s.start, s.at, s.last = true, time.Now(), ms, ms
	return nil
}

// End reads memstats again and returns the cycles since Begin.
func (s *expvarSource) End(ctx context.Context) (loadrunner.GCStats, error) {
	if !s.isBegun() {
		return loadrunner.GCStats{}, fmt.Errorf("gcsource: %s: End without Begin", s.Name())
	}
	ms, err := s.read(ctx)
	if err != nil {
		return loadrunner.GCStats{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.begun = false
	return s.stats(s.at, ms, time.Since(s.start))
}

func (s *expvarSource) read(ctx context.Context) (memStats, error) {
	if err := firstErr(s.ep.err, s.cfg.err); err != nil {
		return memStats{}, err
	}
	body, err := fetch(ctx, &s.cfg, s.ep, "application/json")
	if err != nil {
		return memStats{}, err
	}
	ms, err := decodeMemStats(body)
	if err != nil {
		return memStats{}, fmt.Errorf("gcsource: %s: %w", s.Name(), err)
	}
	return ms, nil
}

// decodeMemStats reads the memstats object of an expvar document and checks
// every field the source needs.
func decodeMemStats(body []byte) (memStats, error) {
	var doc struct {
		MemStats   *memStats       `json:"memstats"`
		Goroutines json.RawMessage `json:"goroutines"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		return memStats{}, fmt.Errorf("decoding expvar json: %w", err)
	}
	ms := doc.MemStats
	if ms == nil {
		return memStats{}, fmt.Errorf("no \"memstats\" object (is this a Go expvar endpoint?)")
	}
	var n int64
	if json.Unmarshal(doc.Goroutines, &n) == nil && n > 0 {
		ms.goroutines = &n
	}
	switch {
	case ms.NumGC == nil:
		return memStats{}, fmt.Errorf("memstats: field NumGC missing")
	case ms.PauseTotalNs == nil:
		return memStats{}, fmt.Errorf("memstats: field PauseTotalNs missing")
	case ms.TotalAlloc == nil:
		return memStats{}, fmt.Errorf("memstats: field TotalAlloc missing")
	case len(ms.PauseNs) != ringSize:
		return memStats{}, fmt.Errorf("memstats: field PauseNs has %d entries, want %d", len(ms.PauseNs), ringSize)
	case ms.PauseEnd != nil && len(ms.PauseEnd) != ringSize:
		return memStats{}, fmt.Errorf("memstats: field PauseEnd has %d entries, want %d", len(ms.PauseEnd), ringSize)
	}
	return *ms, nil
}

func (s *expvarSource) stats(begin, end memStats, window time.Duration) (loadrunner.GCStats, error) {
	b, e := *begin.NumGC, *end.NumGC
	if e < b || *end.PauseTotalNs < *begin.PauseTotalNs || *end.TotalAlloc < *begin.TotalAlloc {
		return loadrunner.GCStats{}, fmt.Errorf("gcsource: %s: memstats went backwards (NumGC %d → %d): did the service restart?", s.Name(), b, e)
	}
	cycles := uint64(e - b)
	g := loadrunner.GCStats{
		Source: s.Name(), Window: window, Exact: true,
		Cycles: cycles, Pauses: cycles,
		PauseTotal: time.Duration(*end.PauseTotalNs - *begin.PauseTotalNs),
		PauseHist:  loadrunner.NewHistogram(),
		AllocBytes: *end.TotalAlloc - *begin.TotalAlloc, AllocKnown: true,
		Notes: []string{
			"pauses from expvar memstats PauseNs: exact, one per GC cycle (its sweep-termination and mark-termination stop-the-world time summed)",
			"allocated bytes from the memstats TotalAlloc delta",
		},
	}
	seen := min(cycles, ringSize)
	for n := uint64(e) - seen + 1; n <= uint64(e); n++ {
		p := time.Duration(end.PauseNs[(n-1)%ringSize]) // cycle n is stored at (n-1) mod 256
		g.PauseHist.Record(p)
		g.PauseMax = max(g.PauseMax, p)
	}
	if cycles > seen {
		g.Warnings = append(g.Warnings, fmt.Sprintf(
			"%d GC cycles in the window, more than the %d the memstats ring holds: the ring wrapped, %d pauses are not seen (PauseTotal still counts them; percentiles and max cover the last %d)",
			cycles, ringSize, cycles-seen, seen))
	}
	return g, nil
}

func firstErr(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *expvarSource) isBegun() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.begun
}

// SampleRuntime reads memstats: HeapAlloc, and the GC cycles and pause
// time since the previous reading (or Begin); the goroutine count when the
// service publishes a top-level "goroutines" number. Expvar has no
// scheduling latency.
func (s *expvarSource) SampleRuntime(ctx context.Context) (loadrunner.RuntimeSample, error) {
	if !s.isBegun() {
		return loadrunner.RuntimeSample{}, fmt.Errorf("gcsource: %s: SampleRuntime outside Begin and End", s.Name())
	}
	ms, err := s.read(ctx)
	if err != nil {
		return loadrunner.RuntimeSample{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.last
	s.last = ms
	var sample loadrunner.RuntimeSample
	if ms.goroutines != nil {
		sample.Goroutines = *ms.goroutines
	}
	if ms.HeapAlloc != nil {
		sample.HeapBytes = *ms.HeapAlloc
	}
	if *ms.NumGC >= *prev.NumGC && *ms.PauseTotalNs >= *prev.PauseTotalNs {
		sample.GCCycles = uint64(*ms.NumGC - *prev.NumGC)
		sample.GCPauseTotal = time.Duration(*ms.PauseTotalNs - *prev.PauseTotalNs)
		sample.GCKnown = true
	}
	return sample, nil
}
