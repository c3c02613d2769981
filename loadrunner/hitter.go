package loadrunner

import (
	"context"
	"time"
)

// hitter performs the hits of one worker of a run. A target whose requests
// can run on state of the worker's own (the lean engine's connection)
// provides one; any other target is hit through its Hit method with a
// context bounded by the plan's timeout.
type hitter interface {
	// hit performs hit seq; the run's ctx stops it promptly.
	hit(ctx context.Context, seq uint64, tr *Trace) error
	// warm prepares for the first hit (opens a connection), as far as
	// the hitter can without sending; it reports nothing, since the
	// first hit fails the same way when it could not.
	warm(ctx context.Context)
	// close gives back what the worker held.
	close()
}

// workerTarget is a target that gives each worker a hitter of its own.
type workerTarget interface {
	// newHitter returns a worker's hitter; hv, when not nil, is the run's
	// harvest set, which the hitter's plain TCP connections may join.
	newHitter(ctx context.Context, timeout time.Duration, hv *harvestSet) hitter
}

// newHitter returns the hitter of one worker of r.
func (r *runner) newHitter(ctx context.Context) hitter {
	if wt, ok := r.target.(workerTarget); ok {
		return wt.newHitter(ctx, r.plan.Timeout, r.hv)
	}
	return ctxHitter{target: r.target, timeout: r.plan.Timeout}
}

// ctxHitter hits a target through Hit, with the timeout in the context.
type ctxHitter struct {
	target  Target
	timeout time.Duration
}

func (h ctxHitter) hit(ctx context.Context, seq uint64, tr *Trace) error {
	rctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	return h.target.Hit(rctx, seq, tr)
}

func (ctxHitter) warm(context.Context) {}

func (ctxHitter) close() {}

// harvestTarget is a target whose workers' connections can join a run's
// harvest set.
type harvestTarget interface{ harvestable() bool }
