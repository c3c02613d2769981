package loadrunner

import (
	"math"
	"time"
)

// schedule is the open-model pacer: a pure function from a hit's index to
// its intended send offset from the start of the schedule. It holds no clock,
// so it is tested with tables and costs nothing per call but arithmetic.
// The schedule is a warm-up segment followed by the measured segments; each
// segment's rate changes linearly from its start rate to its end rate.
type schedule struct {
	segs    []segment
	warmup  time.Duration // length of the warm-up part (offsets before it are warm-up)
	shard   uint64        // this shard's index
	shards  uint64        // number of shards (1 when unsharded)
	measure uint64        // global index of the first measured hit
	total   uint64        // global number of hits in the schedule
}

// segment is a stretch of the schedule with a linearly changing rate.
type segment struct {
	start    time.Duration // offset of the segment's start
	length   time.Duration
	from, to float64 // rates in hits per second
	first    uint64  // global index of the segment's first hit
	hits     uint64  // hits in the segment
}

// newSchedule builds the schedule of an open-model plan (valid, not closed).
func newSchedule(p Plan) *schedule {
	s := &schedule{shards: 1, warmup: p.Warmup}
	if p.Shard.Count > 1 {
		s.shard, s.shards = uint64(p.Shard.Index), uint64(p.Shard.Count)
	}
	stages := p.Stages
	if len(stages) == 0 {
		stages = []Stage{{Duration: p.Duration, From: p.Rate, To: p.Rate}}
	}
	if p.Warmup > 0 {
		s.add(Stage{Duration: p.Warmup, From: stages[0].From, To: stages[0].From})
	}
	s.measure = s.total
	for _, st := range stages {
		s.add(st)
	}
	return s
}

// startRate is this shard's rate at the schedule's start, in hits a second.
func (s *schedule) startRate() float64 {
	if len(s.segs) == 0 {
		return 0
	}
	return s.segs[0].from / float64(s.shards)
}

func (s *schedule) add(st Stage) {
	var start time.Duration
	if n := len(s.segs); n > 0 {
		start = s.segs[n-1].start + s.segs[n-1].length
	}
	g := segment{start: start, length: st.Duration, from: st.From, to: st.To, first: s.total}
	expected := (st.From + st.To) / 2 * st.Duration.Seconds() // hits a stage holds
	g.hits = uint64(math.Ceil(expected - 1e-9))
	s.segs = append(s.segs, g)
	s.total += g.hits
}

// at returns the intended offset of global hit n: the t at which the
// cumulative hit count a·t + (b−a)·t²/(2T) reaches n.
func (g segment) at(n uint64) time.Duration {
	k := float64(n - g.first)
	a, b, T := g.from, g.to, g.length.Seconds()
	var t float64
	if k == 0 {
		return g.start
	}
	if d := b - a; math.Abs(d) < 1e-12 {
		t = k / a
	} else {
		c := d / (2 * T)
		t = 2 * k / (a + math.Sqrt(max(a*a+4*c*k, 0))) // stable form of (−a+√(a²+4ck))/2c
	}
	return g.start + time.Duration(t*float64(time.Second))
}

// hits returns the number of hits this shard sends in the whole schedule.
func (s *schedule) hits() uint64 { return s.stripe(s.total) }

// stripe returns how many of the global hits [0, n) belong to this shard.
func (s *schedule) stripe(n uint64) uint64 {
	if n <= s.shard {
		return 0
	}
	return (n - s.shard + s.shards - 1) / s.shards
}

// measuredHits returns the number of this shard's hits in the measured window.
func (s *schedule) measuredHits() uint64 { return s.stripe(s.total) - s.stripe(s.measure) }

// hit returns, for this shard's k-th hit, its global index, its intended
// offset and whether it falls in the measured window; ok is false past the
// end of the schedule.
func (s *schedule) hit(k uint64, seg *int) (global uint64, at time.Duration, measured, ok bool) {
	global = s.shard + k*s.shards
	if global >= s.total {
		return 0, 0, false, false
	}
	for *seg < len(s.segs)-1 && global >= s.segs[*seg].first+s.segs[*seg].hits {
		*seg++
	}
	return global, s.segs[*seg].at(global), global >= s.measure, true
}

// measuredRate returns the mean planned rate of this shard over the measured window.
func (s *schedule) measuredRate() float64 {
	var d time.Duration
	for _, g := range s.segs {
		if g.first >= s.measure {
			d += g.length
		}
	}
	if d <= 0 {
		return 0
	}
	return float64(s.measuredHits()) / d.Seconds()
}
