package loadrunner

import (
	"context"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// warmTarget is a target whose workers have hitters of their own, which
// count their warm-ups and hits.
type warmTarget struct {
	mu            sync.Mutex
	warms, hits   int
	warmAfterHit  bool
	warmDuringHit bool
}

func (w *warmTarget) Hit(context.Context, uint64, *Trace) error { return nil }

func (w *warmTarget) Hosts() []string { return nil } // in process

func (w *warmTarget) newHitter(context.Context, time.Duration, *harvestSet) hitter {
	return warmHitter{w}
}

type warmHitter struct{ t *warmTarget }

func (h warmHitter) hit(context.Context, uint64, *Trace) error {
	time.Sleep(100 * time.Microsecond) // a round trip
	h.t.mu.Lock()
	h.t.hits++
	h.t.mu.Unlock()
	return nil
}

func (h warmHitter) warm(context.Context) {
	time.Sleep(time.Millisecond) // a dial
	h.t.mu.Lock()
	h.t.warms++
	h.t.warmAfterHit = h.t.warmAfterHit || h.t.hits > 0
	h.t.mu.Unlock()
}

func (warmHitter) close() {}

// TestPreconnectWarmsWorkersBeforeTheSchedule: an open-model run of a
// target whose workers hold connections starts, before its first send, as
// many workers as its start rate sends in a millisecond (at least one, at
// most the in-flight bound, this shard's share), each warmed; a ramp from
// zero and the closed model start none. The warm-ups are not requests.
func TestPreconnectWarmsWorkersBeforeTheSchedule(t *testing.T) {
	tests := []struct {
		name  string
		plan  Plan
		warms int
	}{
		{"5,000 req/s", Plan{Rate: 5000, Duration: 100 * time.Millisecond}, 5},
		{"100 req/s", Plan{Rate: 100, Duration: time.Second}, 1},
		{"bounded by max in flight", Plan{Rate: 50000, Duration: 20 * time.Millisecond, MaxInFlight: 10, LateAfter: 100 * time.Microsecond}, 10},
		{"one shard of two", Plan{Rate: 5000, Duration: 100 * time.Millisecond, Shard: Shard{Index: 1, Count: 2}}, 3},
		{"ramp from zero", Plan{Stages: []Stage{{Duration: time.Second, From: 0, To: 1000}}}, 0},
		{"closed model", Plan{Concurrency: 2, Duration: 10 * time.Millisecond}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := &warmTarget{}
				res, err := Run(t.Context(), tt.plan, w)
				if err != nil {
					t.Fatal(err)
				}
				if w.warms != tt.warms || w.warmAfterHit {
					t.Errorf("%d warm-ups (one after a hit: %v), want %d before the first", w.warms, w.warmAfterHit, tt.warms)
				}
				if uint64(w.hits) != res.Sent || res.Requests != res.Sent || res.Sent == 0 {
					t.Errorf("%d hits, sent %d, requests %d: the warm-ups must not count", w.hits, res.Sent, res.Requests)
				}
				if res.SendLag.Max() != 0 {
					t.Errorf("send-lag max %s: the warm-up must come before the schedule", res.SendLag.Max())
				}
			})
		})
	}
}
