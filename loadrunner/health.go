package loadrunner

import (
	"runtime/metrics"
	"time"
)

// healthProbe measures the generator process's own CPU time and GC pauses
// over the measured window. When the service under test runs in the same
// process, these figures include it.
type healthProbe struct {
	cpu     time.Duration
	samples []metrics.Sample
	pauses  []uint64 // pause histogram counts at the window's start
	cycles  uint64
}

const (
	metricPauses = "/sched/pauses/total/gc:seconds"
	metricCycles = "/gc/cycles/total:gc-cycles"
)

func (h *healthProbe) begin() {
	h.cpu = processCPU()
	h.samples = []metrics.Sample{{Name: metricPauses}, {Name: metricCycles}}
	metrics.Read(h.samples)
	if h.samples[0].Value.Kind() == metrics.KindFloat64Histogram {
		h.pauses = append([]uint64(nil), h.samples[0].Value.Float64Histogram().Counts...)
	}
	if h.samples[1].Value.Kind() == metrics.KindUint64 {
		h.cycles = h.samples[1].Value.Uint64()
	}
}

// end fills g with the window's CPU and GC figures.
func (h *healthProbe) end(g Generator) Generator {
	g.CPU = processCPU() - h.cpu
	metrics.Read(h.samples)
	if h.samples[1].Value.Kind() == metrics.KindUint64 {
		g.GCCycles = h.samples[1].Value.Uint64() - h.cycles
	}
	if h.samples[0].Value.Kind() != metrics.KindFloat64Histogram || h.pauses == nil {
		return g
	}
	hist := h.samples[0].Value.Float64Histogram()
	for i, c := range hist.Counts {
		if i >= len(h.pauses) {
			break
		}
		n := c - h.pauses[i]
		if n == 0 {
			continue
		}
		// Buckets[i+1] is the bucket's upper bound: totals and the maximum are
		// upper bounds, within the runtime histogram's bucket precision.
		upper := hist.Buckets[i+1]
		if upper > 1e9 { // the last bucket is open-ended
			upper = hist.Buckets[i]
		}
		d := time.Duration(upper * float64(time.Second))
		g.GCPauseTotal += time.Duration(n) * d
		g.GCPauseMax = max(g.GCPauseMax, d)
	}
	return g
}
