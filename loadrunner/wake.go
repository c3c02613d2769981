package loadrunner

import (
	"context"
	"time"
)

// waker is how the dispatcher waits for each intended send time.
type waker interface {
	// until waits until t, or until ctx is done (returning its error).
	until(ctx context.Context, t time.Time) error
	close()
}

// timerWaker waits on one reused Go timer. Go's netpoller rounds a sleep
// under a millisecond up to one when the process is otherwise idle, so its
// wake-ups spread over 0–1 ms after the intended time.
type timerWaker struct{ timer *time.Timer }

func newTimerWaker() *timerWaker {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return &timerWaker{timer: t}
}

func (w *timerWaker) until(ctx context.Context, t time.Time) error {
	return sleepUntil(ctx, t, w.timer)
}

func (w *timerWaker) close() { w.timer.Stop() }

// newWaker returns the most precise waker the platform offers for a run
// whose clock is real, and the timer waker otherwise.
func newWaker(ctx context.Context) waker {
	if w := newPreciseWaker(ctx); w != nil {
		return w
	}
	return newTimerWaker()
}

// syntheticClock reports whether time.Now comes from a fake clock (a
// testing/synctest bubble starts at midnight UTC, 1 January 2000), where
// only Go timers advance time.
func syntheticClock() bool { return time.Now().Before(time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)) }
