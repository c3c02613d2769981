package loadrunner_test

import (
	"context"
	"runtime"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// varyingTarget answers hit seq after (seq mod 17) ms, so results differ
// from hit to hit but not from run to run on the fake clock.
func varyingTarget() loadrunner.Target {
	return seqTarget{}
}

type seqTarget struct{}

func (seqTarget) Hit(ctx context.Context, seq uint64, _ *loadrunner.Trace) error {
	time.Sleep(time.Duration(seq%17) * time.Millisecond)
	return nil
}

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
