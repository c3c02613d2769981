package loadrunner

import (
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
)

// Merge combines results of runs that applied parts of one load at the same
// time — ginkgo processes, shards, machines — into one, exactly: counts add,
// every distribution is the one a single run over all samples would have
// recorded, planned and achieved rates add, the window spans all parts, and
// time-series intervals are aligned by wall clock. Results of shards of one
// plan merge into that plan, unsharded. Merge does not modify its arguments.
func Merge(results ...*Result) (*Result, error) {
	if len(results) == 0 {
		return nil, errors.New("loadrunner: merge: no results")
	}
	for i, r := range results {
		if r == nil {
			return nil, fmt.Errorf("loadrunner: merge: result %d is nil", i)
		}
	}
	out := cloneShell(results[0])
	for i, r := range results[1:] {
		if err := mergeInto(out, r); err != nil {
			return nil, fmt.Errorf("loadrunner: merge: result %d: %w", i+1, err)
		}
	}
	out.Timeseries = mergeSeries(results)
	var err error
	if out.Operations, err = mergeOperations(results); err != nil {
		return nil, fmt.Errorf("loadrunner: merge: %w", err)
	}
	out.Merged = 0
	for _, r := range results {
		out.Merged += max(r.Merged, 1)
	}
	if out.Plan.Shard.Count > 1 {
		out.Plan.Shard = Shard{}
	}
	return out, nil
}

// mergeOperations merges the results' per-operation sub-results by name.
func mergeOperations(results []*Result) (map[string]*Result, error) {
	parts := map[string][]*Result{}
	for _, r := range results {
		for name, op := range r.Operations {
			if op != nil {
				parts[name] = append(parts[name], op)
			}
		}
	}
	if len(parts) == 0 {
		return nil, nil
	}
	out := make(map[string]*Result, len(parts))
	for name, ops := range parts {
		m, err := Merge(ops...)
		if err != nil {
			return nil, fmt.Errorf("operation %s: %w", name, err)
		}
		m.Merged = 0
		out[name] = m
	}
	return out, nil
}

// cloneShell copies r deeply enough that merging into the copy leaves r alone.
func cloneShell(r *Result) *Result {
	out := *r
	out.Errors = Errors{Total: r.Errors.Total, ByClass: map[Class]uint64{}}
	addCounts(out.Errors.ByClass, r.Errors.ByClass)
	out.Errors.Examples = mergeExamples(nil, r.Errors.Examples)
	out.StatusCodes, out.Protocols = nil, nil
	out.StatusCodes = addCountsNew(out.StatusCodes, r.StatusCodes)
	out.Protocols = addCountsNew(out.Protocols, r.Protocols)
	out.Saturation = append([]string(nil), r.Saturation...)
	out.Backlog = append([]string(nil), r.Backlog...)
	for _, h := range out.histograms() {
		if *h != nil {
			*h = (*h).Clone()
		}
	}
	if r.GC != nil {
		gc := *r.GC
		out.GC = &gc
	}
	return &out
}

// mergeInto adds r into out.
func mergeInto(out, r *Result) error {
	if err := compatible(out.Plan, r.Plan); err != nil {
		return err
	}
	src := r.histograms()
	for name, dst := range out.histograms() {
		h := *src[name]
		if h == nil {
			continue
		}
		if *dst == nil {
			*dst = NewHistogram()
		}
		if err := (*dst).Merge(h); err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
	}
	out.Started, out.Ended = earliest(out.Started, r.Started), latest(out.Ended, r.Ended)
	out.Duration = max(out.Duration, r.Duration)
	out.PlannedRate += r.PlannedRate
	out.AchievedRate += r.AchievedRate
	out.Planned += r.Planned
	out.Sent += r.Sent
	out.Requests += r.Requests
	out.Dropped += r.Dropped
	out.Late += r.Late
	out.Partial = out.Partial || r.Partial
	out.PartialReason = joinReason(out.PartialReason, r.PartialReason)
	out.Aborted = joinReason(out.Aborted, r.Aborted)
	out.SlotWaits += r.SlotWaits
	out.GeneratorSaturated = out.GeneratorSaturated || r.GeneratorSaturated
	out.Saturation = addReasons(out.Saturation, r.Saturation)
	out.ServiceBacklogged = out.ServiceBacklogged || r.ServiceBacklogged
	out.Backlog = addReasons(out.Backlog, r.Backlog)
	out.Errors.Total += r.Errors.Total
	addCounts(out.Errors.ByClass, r.Errors.ByClass)
	out.Errors.Examples = mergeExamples(out.Errors.Examples, r.Errors.Examples)
	out.StatusCodes = addCountsNew(out.StatusCodes, r.StatusCodes)
	out.Protocols = addCountsNew(out.Protocols, r.Protocols)
	g := &out.Generator
	g.CPU += r.Generator.CPU
	g.GCCycles += r.Generator.GCCycles
	g.GCPauseTotal += r.Generator.GCPauseTotal
	g.GCPauseMax = max(g.GCPauseMax, r.Generator.GCPauseMax)
	g.PeakInFlight += r.Generator.PeakInFlight
	mergeGC(out, r)
	if r.Runtime != nil && (out.Runtime == nil || r.Runtime.Samples > out.Runtime.Samples) {
		out.Runtime = r.Runtime // one service: the part that sampled it most is kept
	}
	if out.Profiles == nil {
		out.Profiles = r.Profiles // one service, profiled by one part: kept as it is
	}
	return nil
}

// addReasons appends the reasons of src that dst lacks.
func addReasons(dst, src []string) []string {
	for _, why := range src {
		if !slices.Contains(dst, why) {
			dst = append(dst, why)
		}
	}
	return dst
}

// compatible reports why two plans cannot be parts of one load.
func compatible(a, b Plan) error {
	a.Shard, b.Shard = Shard{}, Shard{}
	a.StartAt, b.StartAt = time.Time{}, time.Time{}
	if a.Rate != b.Rate || a.Duration != b.Duration || a.Concurrency != b.Concurrency || len(a.Stages) != len(b.Stages) {
		return fmt.Errorf("plans differ: rate %g/%g, duration %s/%s, concurrency %d/%d, %d/%d stages",
			a.Rate, b.Rate, a.Duration, b.Duration, a.Concurrency, b.Concurrency, len(a.Stages), len(b.Stages))
	}
	return nil
}

// mergeGC keeps one GC figure per service: parts that watched the same
// source saw the same GC, so the widest window is kept, not a sum.
func mergeGC(out, r *Result) {
	if r.GC == nil {
		return
	}
	if out.GC == nil || r.GC.Window > out.GC.Window {
		gc := *r.GC
		out.GC = &gc
	}
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func joinReason(a, b string) string {
	switch {
	case b == "" || a == b:
		return a
	case a == "":
		return b
	}
	return a + "; " + b
}

// mergeSeries aligns the results' intervals by wall clock: intervals whose
// starts round to the same multiple of the interval length (measured from the
// earliest start) are merged.
func mergeSeries(results []*Result) []Interval {
	var origin time.Time
	var length time.Duration
	for _, r := range results {
		for _, iv := range r.Timeseries {
			origin = earliest(origin, iv.Start)
			length = max(length, iv.Length)
		}
	}
	if length <= 0 {
		return nil
	}
	slots := map[int64]*Interval{}
	for _, r := range results {
		for _, iv := range r.Timeseries {
			addInterval(slots, int64((iv.Start.Sub(origin)+length/2)/length), iv)
		}
	}
	keys := make([]int64, 0, len(slots))
	for k := range slots {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	out := make([]Interval, 0, len(keys))
	for _, k := range keys {
		iv := slots[k]
		iv.P50, iv.P99, iv.Max = bucketPercentile(iv.Latency, P50), bucketPercentile(iv.Latency, P99), bucketPercentile(iv.Latency, 100)
		out = append(out, *iv)
	}
	return out
}

// addInterval adds iv into the slot k of slots.
func addInterval(slots map[int64]*Interval, k int64, iv Interval) {
	s := slots[k]
	if s == nil {
		c := iv
		c.ErrorsByClass = nil
		c.Planned, c.Sent, c.Dropped, c.OK, c.Errors = 0, 0, 0, 0, 0
		slots[k], s = &c, &c
	} else {
		s.Latency = mergeBuckets(s.Latency, iv.Latency)
	}
	s.Start = earliest(s.Start, iv.Start)
	s.Length = max(s.Length, iv.Length)
	s.Planned += iv.Planned
	s.Sent += iv.Sent
	s.Dropped += iv.Dropped
	s.OK += iv.OK
	s.Errors += iv.Errors
	if len(iv.ErrorsByClass) > 0 {
		if s.ErrorsByClass == nil {
			s.ErrorsByClass = map[Class]uint64{}
		}
		addCounts(s.ErrorsByClass, iv.ErrorsByClass)
	}
}

// addCountsNew adds src's counts into dst, making dst first when src has
// counts and dst is nil, and returns dst.
func addCountsNew[K comparable](dst, src map[K]uint64) map[K]uint64 {
	if src == nil {
		return dst
	}
	if dst == nil {
		dst = make(map[K]uint64, len(src))
	}
	addCounts(dst, src)
	return dst
}
