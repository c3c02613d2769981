package loadrunner

import (
	"testing"
	"time"
)

func TestScheduleOffsets(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name      string
		plan      Plan
		hits      uint64
		measured  uint64
		offsets   map[uint64]time.Duration // shard-local hit index → intended offset
		tolerance time.Duration
	}{
		{
			name: "constant rate", plan: Plan{Rate: 100, Duration: time.Second},
			hits: 100, measured: 100,
			offsets: map[uint64]time.Duration{0: 0, 1: 10 * ms, 99: 990 * ms},
		},
		{
			name: "warm-up runs at the initial rate before the window", plan: Plan{Rate: 10, Duration: time.Second, Warmup: 500 * ms},
			hits: 15, measured: 10,
			offsets: map[uint64]time.Duration{4: 400 * ms, 5: 500 * ms, 14: 1400 * ms},
		},
		{
			// 0→200 rps over 1 s: N(t) = 100 t², so hit n is at √(n/100) s.
			name: "linear ramp from zero", plan: Plan{Stages: []Stage{{Duration: time.Second, From: 0, To: 200}}},
			hits: 100, measured: 100,
			offsets:   map[uint64]time.Duration{0: 0, 1: 100 * ms, 25: 500 * ms, 64: 800 * ms},
			tolerance: time.Microsecond,
		},
		{
			name: "ramp down then hold", plan: Plan{Stages: []Stage{{Duration: time.Second, From: 200, To: 0}, {Duration: time.Second, From: 50, To: 50}}},
			hits: 150, measured: 150,
			offsets:   map[uint64]time.Duration{0: 0, 100: time.Second, 101: time.Second + 20*ms},
			tolerance: time.Microsecond,
		},
		{
			name: "shard 1 of 4 takes every fourth hit", plan: Plan{Rate: 100, Duration: time.Second, Shard: Shard{Index: 1, Count: 4}},
			hits: 25, measured: 25,
			offsets: map[uint64]time.Duration{0: 10 * ms, 1: 50 * ms, 24: 970 * ms},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSchedule(tt.plan)
			if got := s.hits(); got != tt.hits {
				t.Errorf("hits = %d, want %d", got, tt.hits)
			}
			if got := s.measuredHits(); got != tt.measured {
				t.Errorf("measured hits = %d, want %d", got, tt.measured)
			}
			seg := 0
			var prev time.Duration
			for k := uint64(0); k < s.hits(); k++ {
				_, at, _, ok := s.hit(k, &seg)
				if !ok {
					t.Fatalf("hit %d: past the end of the schedule", k)
				}
				if at < prev {
					t.Fatalf("hit %d at %s is before hit %d at %s", k, at, k-1, prev)
				}
				prev = at
				if want, ok := tt.offsets[k]; ok && (at-want > tt.tolerance || want-at > tt.tolerance) {
					t.Errorf("hit %d at %s, want %s", k, at, want)
				}
			}
			if _, _, _, ok := s.hit(s.hits(), &seg); ok {
				t.Errorf("hit %d is past the end but was scheduled", s.hits())
			}
		})
	}
}

func TestShardsPartitionTheSchedule(t *testing.T) {
	plan := Plan{Stages: []Stage{{Duration: 2 * time.Second, From: 10, To: 300}}, Warmup: 300 * time.Millisecond}
	full := newSchedule(plan)
	seen := make(map[uint64]time.Duration)
	const n = 3
	var measured uint64
	for i := range n {
		p := plan
		p.Shard = Shard{Index: i, Count: n}
		s := newSchedule(p)
		measured += s.measuredHits()
		seg := 0
		for k := uint64(0); ; k++ {
			g, at, _, ok := s.hit(k, &seg)
			if !ok {
				break
			}
			if _, dup := seen[g]; dup {
				t.Fatalf("global hit %d sent by two shards", g)
			}
			seen[g] = at
		}
	}
	if uint64(len(seen)) != full.hits() || measured != full.measuredHits() {
		t.Fatalf("shards sent %d hits (%d measured), the full schedule has %d (%d measured)", len(seen), measured, full.hits(), full.measuredHits())
	}
	seg := 0
	for k := uint64(0); k < full.hits(); k++ {
		_, at, _, _ := full.hit(k, &seg)
		if seen[k] != at {
			t.Fatalf("hit %d: shard offset %s, full schedule %s", k, seen[k], at)
		}
	}
}
