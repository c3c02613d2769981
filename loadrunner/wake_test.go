package loadrunner_test

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// TestPrecisePacingBeatsTimers compares the default (precise, on Linux)
// pacing with Go timers on the same load: the median send lag must be well
// below the timers' (about 50 µs against 500 µs on an idle machine; the test
// asks only for less than 60%, so a noisy machine cannot fail it).
func TestPrecisePacingBeatsTimers(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("precise pacing is Linux-only")
	}
	ok := loadrunner.Func(func(context.Context) error { return nil })
	plan := loadrunner.Plan{Rate: 500, Duration: time.Second}
	run := func(opts ...loadrunner.Option) time.Duration {
		res, err := loadrunner.Run(context.Background(), plan, ok, opts...)
		if err != nil {
			t.Fatal(err)
		}
		return res.SendLag.Percentile(50)
	}
	precise, coarse := run(), run(loadrunner.WithCoarsePacing())
	if float64(precise) >= 0.6*float64(coarse) {
		t.Fatalf("median send lag: precise %s, coarse %s", precise, coarse)
	}
}

// TestPrecisePacingStopsOnCancel cancels a run while the dispatcher waits a
// long time for the next send: the wait must end at once.
func TestPrecisePacingStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(300*time.Millisecond, cancel)
	start := time.Now()
	res, err := loadrunner.Run(ctx, loadrunner.Plan{Rate: 0.5, Duration: time.Minute},
		loadrunner.Func(func(context.Context) error { return nil }))
	if err != nil {
		t.Fatal(err)
	}
	if took := time.Since(start); took > 10*time.Second || !res.Partial {
		t.Fatalf("cancelled after 300ms, returned after %s (partial %v)", took, res.Partial)
	}
}
