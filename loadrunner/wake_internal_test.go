package loadrunner

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// TestWakersNeverWakeEarly: the precise waker (a timerfd on Linux) and the
// timer waker return from until(t) no earlier than t, for waits from a
// fraction of a millisecond to a few, and at once for a time already past.
// How much later they wake is the machine's figure: BenchmarkPacingSendLag.
func TestWakersNeverWakeEarly(t *testing.T) {
	ctx := t.Context()
	wakers := map[string]waker{"timer": newTimerWaker()}
	if runtime.GOOS == "linux" {
		w := newPreciseWaker(ctx)
		if fmt.Sprintf("%T", w) != "*loadrunner.fdWaker" { // the type exists on Linux only
			t.Fatalf("precise waker on Linux is %T, want the timerfd waker", w)
		}
		wakers["precise"] = w
	}
	for name, w := range wakers {
		t.Run(name, func(t *testing.T) {
			defer w.close()
			for i := range 100 {
				at := time.Now().Add(time.Duration(i%7) * 300 * time.Microsecond)
				if err := w.until(ctx, at); err != nil {
					t.Fatal(err)
				}
				if now := time.Now(); now.Before(at) {
					t.Fatalf("wait %d woke %s early", i, at.Sub(now))
				}
			}
			past := time.Now().Add(-time.Second)
			start := time.Now()
			if err := w.until(ctx, past); err != nil || time.Since(start) > time.Second {
				t.Fatalf("a time already past: %v after %s", err, time.Since(start))
			}
		})
	}
}

// BenchmarkPacingSendLag runs 500 req/s for a second against a target that
// answers at once, with precise pacing and with Go timers, and reports the
// median send lag of each (about 50 µs against 500 µs on an idle machine):
// go test -run XXX -bench PacingSendLag -benchtime 1x ./loadrunner/
func BenchmarkPacingSendLag(b *testing.B) {
	ok := Func(func(context.Context) error { return nil })
	for _, bc := range []struct {
		name string
		opts []Option
	}{{"precise", nil}, {"coarse", []Option{WithCoarsePacing()}}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				res, err := Run(context.Background(), Plan{Rate: 500, Duration: time.Second}, ok, bc.opts...)
				if err != nil {
					b.Fatal(err)
				}
				b.ReportMetric(float64(res.SendLag.Percentile(P50))/1e3, "lag-p50-µs")
				b.ReportMetric(float64(res.SendLag.Percentile(P99))/1e3, "lag-p99-µs")
			}
		})
	}
}
