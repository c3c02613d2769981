package loadrunner_test

import (
	"context"
	"errors"
	"runtime"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// varyingTarget answers hit seq after (seq mod 17) ms and a bit, so results differ
// from hit to hit but not from run to run on the fake clock; every seventh
// hit fails (http.5xx) and every third is checked, its check taking
// (seq mod 5) ms and a bit after the response was read.
func varyingTarget() loadrunner.Target {
	return seqTarget{}
}

type seqTarget struct{}

// Hosts reports none: the target sleeps in process.
func (seqTarget) Hosts() []string { return nil }

func (seqTarget) Hit(ctx context.Context, seq uint64, tr *loadrunner.Trace) error {
	// The odd 100 µs keeps completions off the interval boundaries, where
	// the fake clock would leave the interval they count in to chance.
	time.Sleep(time.Duration(seq%17)*time.Millisecond + 100*time.Microsecond)
	tr.Read = time.Now()
	if seq%3 == 0 {
		check := time.Duration(seq%5)*time.Millisecond + 50*time.Microsecond
		time.Sleep(check)
		tr.Checked, tr.CheckTime = true, check
	}
	if seq%7 == 0 {
		return loadrunner.ClassError(loadrunner.Class5xx, errors.New("status 503"))
	}
	return nil
}

// liveHeap returns the heap in use after a full collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
