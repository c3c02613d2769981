package gcsource

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Metric families the Prometheus source reads, as client_golang's Go
// collector names them.
const (
	famSummary = "go_gc_duration_seconds"             // debug.ReadGCStats: one pause per cycle
	famCycles  = "go_gc_cycles_total_gc_cycles_total" // /gc/cycles/total:gc-cycles
)

// famHists are the runtime/metrics pause histograms, best first:
// /sched/pauses/total/gc:seconds (Go 1.22+) and the older /gc/pauses:seconds.
var famHists = []string{"go_sched_pauses_total_gc_seconds", "go_gc_pauses_seconds"}

// Runtime families the Prometheus source samples during the window:
// the goroutine count, the scheduling-latency histogram (runtime/metrics'
// /sched/latencies:seconds, exposed when the service enables it in
// client_golang's Go collector) and the heap held by objects, best first.
const (
	famGoroutines = "go_goroutines"
	famSched      = "go_sched_latencies_seconds"
)

var famHeap = []string{"go_memory_classes_heap_objects_bytes", "go_memstats_heap_alloc_bytes"}

// famAllocs are the allocated-bytes counters, best first.
var famAllocs = []string{"go_gc_heap_allocs_bytes_total", "go_memstats_alloc_bytes_total"}

// promSnapshot is one scrape's reading of the families the source uses;
// absent families are nil.
type promSnapshot struct {
	summary    *promSummary
	hist       *promHist
	histName   string
	cycles     *float64
	allocs     *float64
	allocsName string
	goroutines *float64
	heap       *float64
	heapName   string
	sched      *promHist
}

type promSummary struct {
	sum, count *float64
	q1         *float64 // the quantile="1" sample: the max of the recent pauses
}

type promHist struct {
	les   []float64 // ascending upper bounds, the last +Inf
	cum   []float64 // cumulative counts
	sum   *float64
	count *float64
}

// keepFamily selects the samples a snapshot needs.
func keepFamily(name string) bool {
	base := strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(name, "_bucket"), "_sum"), "_count")
	return base == famSummary || slices.Contains(famHists, base) || base == famSched ||
		name == famCycles || slices.Contains(famAllocs, name) || name == famGoroutines || slices.Contains(famHeap, name)
}

// snapshotOf gathers the families from parsed samples. Each family must be
// one series (one process): labels other than quantile and le must agree.
func snapshotOf(samples []promSample) (promSnapshot, error) {
	var snap promSnapshot
	hists := map[string]*promHist{}
	series := map[string]string{} // family → its other labels
	seen := map[string]bool{}     // sample keys, to refuse repeats
	for _, s := range samples {
		fam, key, others := sampleKey(s)
		if seen[key] {
			return snap, fmt.Errorf("sample %s repeated", key)
		}
		seen[key] = true
		if prev, ok := series[fam]; ok && prev != others {
			return snap, fmt.Errorf("metric %s has several series ({%s} and {%s}): scrape one process", fam, prev, others)
		}
		series[fam] = others
		if err := snap.add(s, fam, hists); err != nil {
			return snap, err
		}
	}
	for _, name := range famHists {
		if h, ok := hists[name]; ok {
			if err := h.check(); err != nil {
				return snap, fmt.Errorf("histogram %s: %w", name, err)
			}
			snap.hist, snap.histName = h, name
			break
		}
	}
	if h, ok := hists[famSched]; ok {
		if err := h.check(); err != nil {
			return snap, fmt.Errorf("histogram %s: %w", famSched, err)
		}
		snap.sched = h
	}
	if snap.summary == nil && snap.hist == nil {
		return snap, fmt.Errorf("no GC pause metrics: want %s or %s", famSummary, strings.Join(famHists, " or "))
	}
	return snap, snap.check()
}

// check refuses values no Go service exposes: counts that are not whole
// numbers, sums that are negative or not finite, a summary without its _sum
// or _count.
func (snap *promSnapshot) check() error {
	if sm := snap.summary; sm != nil {
		if sm.sum == nil || sm.count == nil {
			return fmt.Errorf("%s: _sum or _count missing", famSummary)
		}
		if !isCount(*sm.count) {
			return fmt.Errorf("%s_count %g: not a whole number", famSummary, *sm.count)
		}
		if !isSeconds(*sm.sum) {
			return fmt.Errorf("%s_sum %g: not a duration", famSummary, *sm.sum)
		}
	}
	if h := snap.hist; h != nil && h.sum != nil && !isSeconds(*h.sum) {
		return fmt.Errorf("%s_sum %g: not a duration", snap.histName, *h.sum)
	}
	if snap.cycles != nil && !isCount(*snap.cycles) {
		return fmt.Errorf("%s %g: not a whole number", famCycles, *snap.cycles)
	}
	if snap.allocs != nil && !isCount(*snap.allocs) {
		return fmt.Errorf("%s %g: not a whole number", snap.allocsName, *snap.allocs)
	}
	return nil
}

// isSeconds reports whether f is a plausible cumulative number of seconds.
func isSeconds(f float64) bool {
	return f >= 0 && !math.IsInf(f, 0)
}

// sampleKey returns the sample's family, a key naming the sample, and its
// labels other than quantile and le.
func sampleKey(s promSample) (fam, key, others string) {
	fam = s.name
	if fam != famSummary && fam != famCycles && !slices.Contains(famAllocs, fam) && fam != famGoroutines && !slices.Contains(famHeap, fam) {
		fam = strings.TrimSuffix(strings.TrimSuffix(strings.TrimSuffix(fam, "_bucket"), "_sum"), "_count")
	}
	var o, all []string
	for _, l := range s.labels {
		kv := fmt.Sprintf("%s=%q", l.name, l.value)
		all = append(all, kv)
		if l.name != "quantile" && l.name != "le" {
			o = append(o, kv)
		}
	}
	slices.Sort(o)
	slices.Sort(all)
	return fam, s.name + "{" + strings.Join(all, ",") + "}", strings.Join(o, ",")
}

func (snap *promSnapshot) add(s promSample, fam string, hists map[string]*promHist) error {
	v := s.value
	switch {
	case s.name == famSummary:
		q, ok := s.label("quantile")
		if !ok {
			return fmt.Errorf("%s: sample without a quantile label", s.name)
		}
		qv, err := parsePromValue(q)
		if err != nil {
			return fmt.Errorf("%s: quantile: %w", s.name, err)
		}
		if qv == 1 {
			snap.summaryOf().q1 = &v
		}
	case s.name == famSummary+"_sum":
		snap.summaryOf().sum = &v
	case s.name == famSummary+"_count":
		snap.summaryOf().count = &v
	case s.name == famCycles:
		snap.cycles = &v
	case slices.Contains(famAllocs, s.name):
		if snap.allocs == nil || slices.Index(famAllocs, s.name) < slices.Index(famAllocs, snap.allocsName) {
			snap.allocs, snap.allocsName = &v, s.name
		}
	case s.name == famGoroutines:
		snap.goroutines = &v
	case slices.Contains(famHeap, s.name):
		if snap.heap == nil || slices.Index(famHeap, s.name) < slices.Index(famHeap, snap.heapName) {
			snap.heap, snap.heapName = &v, s.name
		}
	case slices.Contains(famHists, fam) || fam == famSched:
		h := hists[fam]
		if h == nil {
			h = &promHist{}
			hists[fam] = h
		}
		return h.add(s, fam)
	}
	return nil
}

func (snap *promSnapshot) summaryOf() *promSummary {
	if snap.summary == nil {
		snap.summary = &promSummary{}
	}
	return snap.summary
}

func (h *promHist) add(s promSample, fam string) error {
	v := s.value
	switch s.name {
	case fam + "_sum":
		h.sum = &v
	case fam + "_count":
		h.count = &v
	case fam + "_bucket":
		le, ok := s.label("le")
		if !ok {
			return fmt.Errorf("%s: bucket without an le label", s.name)
		}
		lv, err := parsePromValue(le)
		if err != nil || math.IsNaN(lv) || lv < 0 {
			return fmt.Errorf("%s: bad le %q", s.name, le)
		}
		h.les = append(h.les, lv)
		h.cum = append(h.cum, v)
	}
	return nil
}

// check sorts the buckets and checks them: distinct bounds, a +Inf bucket,
// cumulative counts that are whole and never fall, and _count matching.
func (h *promHist) check() error {
	idx := make([]int, len(h.les))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int { return cmpFloat(h.les[a], h.les[b]) })
	les, cum := make([]float64, len(idx)), make([]float64, len(idx))
	for i, j := range idx {
		les[i], cum[i] = h.les[j], h.cum[j]
	}
	h.les, h.cum = les, cum
	if len(les) == 0 || !math.IsInf(les[len(les)-1], 1) {
		return fmt.Errorf("no le=\"+Inf\" bucket")
	}
	for i := range les {
		if !isCount(cum[i]) {
			return fmt.Errorf("bucket le=%g: count %g is not a whole number", les[i], cum[i])
		}
		if i > 0 && les[i] == les[i-1] {
			return fmt.Errorf("bucket le=%g repeated", les[i])
		}
		if i > 0 && cum[i] < cum[i-1] {
			return fmt.Errorf("bucket le=%g: cumulative count %g below the previous bucket's %g", les[i], cum[i], cum[i-1])
		}
	}
	if h.count != nil && *h.count != cum[len(cum)-1] {
		return fmt.Errorf("_count %g differs from the +Inf bucket's %g", *h.count, cum[len(cum)-1])
	}
	return nil
}

// isCount reports whether f is a whole number a float64 holds exactly.
func isCount(f float64) bool {
	return f >= 0 && f <= 1<<53 && f == math.Trunc(f)
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
