package loadrunner_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// freezeTarget answers after service unless called during the first freeze
// of every period, when it answers only once the freeze ends: the server
// stall that coordinated omission hides. Time is the bubble's fake clock.
func freezeTarget(start time.Time, period, freeze, service time.Duration) loadrunner.Target {
	return loadrunner.Func(func(ctx context.Context) error {
		wait := service
		if phase := time.Since(start) % period; phase < freeze {
			wait = freeze - phase
		}
		select {
		case <-time.After(wait):
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
}

func within(t *testing.T, what string, got, want time.Duration, tol float64) {
	t.Helper()
	if diff := math.Abs(float64(got-want)) / float64(want); diff > tol {
		t.Errorf("%s = %s, want %s ± %.0f%%", what, got, want, tol*100)
	}
}

// TestCoordinatedOmissionFakeClock runs the freeze scenario on a fake
// clock, so the figures are exact: 1000 rps for 10 s against a target that
// holds every request arriving during a 500 ms freeze in every 2 s. A quarter
// of the requests wait a uniform 0–500 ms, so p99 is 480 ms and p99.9 498 ms,
// whatever the in-flight bound.
func TestCoordinatedOmissionFakeClock(t *testing.T) {
	for _, inflight := range []int{600, 50} {
		t.Run(fmt.Sprintf("max in flight %d", inflight), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				target := freezeTarget(time.Now(), 2*time.Second, 500*time.Millisecond, time.Millisecond)
				res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 1000, Duration: 10 * time.Second, MaxInFlight: inflight}, target)
				if err != nil {
					t.Fatal(err)
				}
				if res.Requests != 10000 || res.Sent != 10000 || res.Dropped != 0 {
					t.Fatalf("requests %d, sent %d, dropped %d; want 10000, 10000, 0", res.Requests, res.Sent, res.Dropped)
				}
				within(t, "p99", res.Latency.Percentile(99), 480*time.Millisecond, 0.01)
				within(t, "p99.9", res.Latency.Percentile(99.9), 498*time.Millisecond, 0.01)
				// With 50 slots the backlog drains behind the held requests: a few ms more.
				within(t, "p90", res.Latency.Percentile(90), 300*time.Millisecond, 0.02)
				if inflight == 50 {
					// With 50 slots, the sends queued behind the held ones go
					// out late: their service time is short, their latency is not.
					if svc := res.ServiceTime.Percentile(90); svc > 10*time.Millisecond {
						t.Errorf("service-time p90 = %s, want the few-ms figure a closed-model tool would report", svc)
					}
					// The service filled the slots: a backlog, not the generator's fault.
					if !res.ServiceBacklogged || res.SlotWaits == 0 || res.Late == 0 {
						t.Errorf("backlogged %v (%d slot waits), late %d: a run whose slots were exhausted must say so", res.ServiceBacklogged, res.SlotWaits, res.Late)
					}
				}
				if res.GeneratorSaturated || res.GeneratorLag.Max() != 0 {
					t.Errorf("generator saturated %v %q, generator lag max %s: on the fake clock the generator is never late", res.GeneratorSaturated, res.Saturation, res.GeneratorLag.Max())
				}
			})
		})
	}
}

// TestSendWindowBatchesWakeUps: on a fake clock, where every send would
// otherwise go out exactly on time, a rate above one send per window
// (100 µs, or a tenth of LateAfter) groups the sends due within a window
// of the last wake-up and sends them at its end: their send lag is
// positive but under the window. Below that rate, or with a LateAfter
// that shrinks the window under the interval, or with coarse pacing, no
// send is held back.
func TestSendWindowBatchesWakeUps(t *testing.T) {
	for _, tc := range []struct {
		name   string
		plan   loadrunner.Plan
		opts   []loadrunner.Option
		maxLag time.Duration // the send lag's maximum (to the histogram's precision)
	}{
		// Sends 20 µs apart go out in fives, 100 µs apart: the
		// first of each group waits 80 µs.
		{"50,000 req/s", loadrunner.Plan{Rate: 50000, Duration: 20 * time.Millisecond}, nil, 80 * time.Microsecond},
		{"5,000 req/s", loadrunner.Plan{Rate: 5000, Duration: 200 * time.Millisecond}, nil, 0},
		{"LateAfter 100µs", loadrunner.Plan{Rate: 50000, Duration: 20 * time.Millisecond, LateAfter: 100 * time.Microsecond}, nil, 0},
		{"LateAfter 500µs", loadrunner.Plan{Rate: 50000, Duration: 20 * time.Millisecond, LateAfter: 500 * time.Microsecond}, nil, 40 * time.Microsecond},
		{"coarse", loadrunner.Plan{Rate: 50000, Duration: 20 * time.Millisecond}, []loadrunner.Option{loadrunner.WithCoarsePacing()}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ok := loadrunner.Func(func(context.Context) error { return nil })
				res, err := loadrunner.Run(t.Context(), tc.plan, ok, tc.opts...)
				if err != nil {
					t.Fatal(err)
				}
				want := uint64(tc.plan.Rate * tc.plan.Duration.Seconds())
				if res.Sent != want || res.Requests != want || res.Dropped != 0 {
					t.Fatalf("sent %d, requests %d, dropped %d; want %d, %d, 0", res.Sent, res.Requests, res.Dropped, want, want)
				}
				if got := res.SendLag.Max(); got < tc.maxLag || float64(got) > float64(tc.maxLag)*1.01 {
					t.Errorf("send-lag max %s, want %s", got, tc.maxLag)
				}
				// The window's wait is generator lag, but far under what
				// flags saturation. (Saturation for the process's real GC
				// pauses, measured against the fake clock's short window,
				// is not the window's doing.)
				lagged := slices.ContainsFunc(res.Saturation, func(why string) bool {
					return strings.Contains(why, "lag") || strings.Contains(why, "stall") || strings.Contains(why, "drop")
				})
				if res.Late != 0 || lagged {
					t.Errorf("late %d, saturated %q: a window under LateAfter is neither late nor saturating", res.Late, res.Saturation)
				}
			})
		})
	}
}

func TestBacklogBeyondMaxLagIsDroppedAndFlagged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := loadrunner.Func(func(ctx context.Context) error {
			time.Sleep(50 * time.Millisecond)
			return nil
		})
		// 10 slots of 50 ms serve 200 rps; 400 rps are planned.
		plan := loadrunner.Plan{Rate: 400, Duration: 2 * time.Second, MaxInFlight: 10, MaxLag: 200 * time.Millisecond}
		res, err := loadrunner.Run(t.Context(), plan, slow)
		if err != nil {
			t.Fatal(err)
		}
		if res.Planned != 800 || res.Sent+res.Dropped != 800 {
			t.Fatalf("planned %d, sent %d + dropped %d: every planned send must be sent or dropped", res.Planned, res.Sent, res.Dropped)
		}
		if res.Dropped < 200 || res.Late == 0 || res.SendLag.Percentile(99) < 100*time.Millisecond {
			t.Errorf("dropped %d, late %d, send-lag p99 %s: the backlog must show", res.Dropped, res.Late, res.SendLag.Percentile(99))
		}
		if !res.ServiceBacklogged || !strings.Contains(strings.Join(res.Backlog, "; "), fmt.Sprintf("%d planned sends dropped after waiting max_lag", res.Dropped)) {
			t.Errorf("a run whose slow service made it drop sends must say so: backlogged %v %q", res.ServiceBacklogged, res.Backlog)
		}
		if res.GeneratorSaturated {
			t.Errorf("the generator kept its schedule (the service was slow), got saturated %q", res.Saturation)
		}
		if d := res.Delivered(); d > 0.8 {
			t.Errorf("delivered %.2f of the plan, want well below 1", d)
		}
	})
}

func TestWarmupIsExcludedAndRampIsFollowed(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		fast := loadrunner.Func(func(ctx context.Context) error { time.Sleep(time.Millisecond); return nil })
		plan := loadrunner.Plan{Warmup: time.Second, Stages: []loadrunner.Stage{{Duration: 2 * time.Second, From: 100, To: 300}}}
		res, err := loadrunner.Run(t.Context(), plan, fast)
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests != 400 || res.Planned != 400 {
			t.Fatalf("requests %d, planned %d; want the 400 of the ramp, none of the 100 warm-up sends", res.Requests, res.Planned)
		}
		if res.PlannedRate != 200 {
			t.Errorf("planned rate %g, want the ramp's mean 200", res.PlannedRate)
		}
		if len(res.Timeseries) != 2 || res.Timeseries[0].Sent >= res.Timeseries[1].Sent {
			t.Fatalf("time series %+v: want two intervals, the second busier", res.Timeseries)
		}
	})
}

func TestErrorsAreClassifiedWithExamples(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n int
		target := loadrunner.Func(func(ctx context.Context) error {
			n++
			switch n % 4 {
			case 0:
				return loadrunner.ClassError(loadrunner.Class5xx, errors.New("status 503"))
			case 1:
				<-ctx.Done() // the per-request timeout
				return ctx.Err()
			}
			return nil
		})
		plan := loadrunner.Plan{Rate: 100, Duration: time.Second, Timeout: 20 * time.Millisecond, MaxInFlight: 1}
		res, err := loadrunner.Run(t.Context(), plan, target)
		if err != nil {
			t.Fatal(err)
		}
		by := res.Errors.ByClass
		if res.Requests != 100 || by[loadrunner.Class5xx] != 25 || by[loadrunner.ClassTimeout] != 25 || res.Errors.Total != 50 {
			t.Fatalf("requests %d, errors %+v", res.Requests, res.Errors)
		}
		if got := len(res.Errors.Examples[loadrunner.Class5xx]); got != 1 {
			t.Errorf("examples %v: want one distinct 5xx message", res.Errors.Examples)
		}
		if res.ErrorRate() != 0.5 || res.ClassRate(loadrunner.Class5xx) != 0.25 {
			t.Errorf("error rate %g, 5xx rate %g", res.ErrorRate(), res.ClassRate(loadrunner.Class5xx))
		}
	})
}

func TestClosedModel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		target := loadrunner.Func(func(ctx context.Context) error { time.Sleep(10 * time.Millisecond); return nil })
		res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Concurrency: 4, Duration: time.Second}, target)
		if err != nil {
			t.Fatal(err)
		}
		if res.Requests != 400 || res.Latency.Percentile(50) != res.ServiceTime.Percentile(50) {
			t.Fatalf("requests %d (want 4 workers × 100), latency p50 %s vs service p50 %s", res.Requests, res.Latency.Percentile(50), res.ServiceTime.Percentile(50))
		}
		if res.Delivered() != 1 || res.Dropped != 0 {
			t.Errorf("delivered %g, dropped %d", res.Delivered(), res.Dropped)
		}
	})
}

func TestProgressAbortStopsTheRun(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		target := loadrunner.Func(func(ctx context.Context) error { return errors.New("boom") })
		var calls int
		abort := loadrunner.WithProgress(func(p loadrunner.Progress) error {
			calls++
			if p.Errors > 50 {
				return errors.New("errors above budget")
			}
			return nil
		})
		res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 100, Duration: 10 * time.Second}, target, abort)
		if err != nil {
			t.Fatal(err)
		}
		if !res.Partial || res.Aborted != "errors above budget" || calls != 1 || res.Duration != time.Second {
			t.Fatalf("partial %v, aborted %q after %d calls, duration %s", res.Partial, res.Aborted, calls, res.Duration)
		}
	})
}

func TestInvalidPlansAreRejected(t *testing.T) {
	target := loadrunner.Func(func(context.Context) error { return nil })
	tests := []struct {
		name string
		plan loadrunner.Plan
		want string
	}{
		{"zero plan", loadrunner.Plan{}, "rate 0 must be positive"},
		{"negative duration", loadrunner.Plan{Rate: 1, Duration: -time.Second}, "duration -1s is negative"},
		{"closed with rate", loadrunner.Plan{Rate: 1, Concurrency: 2, Duration: time.Second}, "cannot be combined"},
		{"bad stage", loadrunner.Plan{Stages: []loadrunner.Stage{{Duration: time.Second}}}, "stage 0"},
		{"bad shard", loadrunner.Plan{Rate: 1, Duration: time.Second, Shard: loadrunner.Shard{Index: 3, Count: 3}}, "shard 3/3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadrunner.Run(context.Background(), tt.plan, target)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
