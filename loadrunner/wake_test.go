package loadrunner_test

import (
	"context"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

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
