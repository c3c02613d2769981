package loadrunner

import (
	"testing"
	"time"
)

// TestFdWakerBackToBack: thousands of short waits in a row, on the timer
// and below spinBelow, each end at or after their time (never early, never
// missed), without allocating.
func TestFdWakerBackToBack(t *testing.T) {
	for _, d := range []time.Duration{2 * spinBelow, spinBelow / 4} {
		t.Run(d.String(), func(t *testing.T) { backToBack(t, d) })
	}
}

func backToBack(t *testing.T, d time.Duration) {
	w := newPreciseWaker(t.Context())
	if w == nil {
		t.Skip("no timerfd")
	}
	defer w.close()
	const n = 2000
	var early int
	wait := func() {
		due := time.Now().Add(d)
		if err := w.until(t.Context(), due); err != nil {
			t.Fatal(err)
		}
		if time.Now().Before(due) {
			early++
		}
	}
	began := time.Now()
	allocs := testing.AllocsPerRun(n, wait)
	if early > 0 || allocs != 0 {
		t.Errorf("%d of %d waits ended early; %.1f allocations per wait", early, n, allocs)
	}
	t.Logf("%d waits of %s took %s", n, d, time.Since(began))
}
