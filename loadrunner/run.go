package loadrunner

import (
	"context"
	"fmt"
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// Run applies plan to target and returns what it measured. The error is
// non-nil only when the run could not start (an invalid plan, option or
// target); a run stopped early by ctx or by a WithProgress abort returns its
// partial result, marked Partial. Run is safe to call from several goroutines
// with different targets. Secrets never reach the result: its target
// description, error examples and warnings pass through the target's
// Redactor (with the names and values of WithSecretNames and
// WithSecretValues) as the result is recorded.
func Run(ctx context.Context, plan Plan, target Target, opts ...Option) (*Result, error) {
	if err := plan.Validate(); err != nil {
		return nil, err
	}
	if target == nil {
		return nil, fmt.Errorf("loadrunner: run: target is nil")
	}
	if v, ok := capability[Validator](target); ok {
		if err := v.Validate(); err != nil {
			return nil, err
		}
	}
	cfg := config{interval: time.Second}
	for _, o := range opts {
		o.apply(&cfg)
	}
	if err := cfg.safety.check(plan, target); err != nil {
		return nil, err
	}
	if cfg.interval <= 0 {
		return nil, fmt.Errorf("loadrunner: run: interval %s must be positive", cfg.interval)
	}
	if v, ok := cfg.profile.(interface{ Validate() error }); ok {
		if err := v.Validate(); err != nil {
			return nil, fmt.Errorf("loadrunner: run: profile source: %w", err)
		}
	}
	plan = withDefaults(plan)
	if p, ok := capability[Preparer](target); ok {
		p.Prepare(plan)
	}
	r := newRunner(plan, target, cfg)
	return r.run(ctx)
}

// withDefaults fills the zero fields of p that have defaults.
func withDefaults(p Plan) Plan {
	if p.Timeout == 0 {
		p.Timeout = DefaultTimeout
	}
	if p.MaxInFlight == 0 {
		p.MaxInFlight = DefaultMaxInFlight
	}
	if p.MaxLag == 0 {
		p.MaxLag = p.Timeout
	}
	if p.LateAfter == 0 {
		p.LateAfter = DefaultLateAfter
	}
	if p.Concurrency > 0 {
		p.MaxInFlight = p.Concurrency
	}
	return p
}

// runner is the state of one run.
type runner struct {
	plan   Plan
	target Target
	cfg    config
	sched  *schedule // nil for the closed model
	recs   []*recorder
	red    *Redactor // applied to the text the result records

	start       time.Time // the schedule's start (warm-up included)
	windowStart time.Time // the measured window's start
	windowLen   time.Duration

	// idle holds the channels of the workers waiting for a send, the
	// one that went idle last on top (see hand); freed tells a dispatcher
	// waiting for a worker that one went idle; closed (under idleMu) that
	// the dispatcher handed its last send.
	idleMu   sync.Mutex
	idle     []chan job
	closed   bool
	freed    chan struct{}
	workers  sync.WaitGroup
	spawned  int
	inFlight atomic.Int64
	peak     atomic.Int64

	planned, sent, dropped atomic.Uint64
	abort                  atomic.Pointer[string]

	// slotWaits counts the measured sends that found every in-flight slot
	// busy and waited for one; droppedFree the drops that happened although
	// a slot was free (the generator's own). backlogUntil, the dispatcher's
	// own, is when the last wait for a full in-flight bound ended: a send
	// due before it could not have gone out earlier, whatever the generator.
	slotWaits, droppedFree atomic.Uint64
	backlogUntil           time.Time
	// handed (the dispatcher's own) and finished count the sends handed to
	// workers and those whose Hit returned: their difference is the slots
	// in use, exact when the dispatcher reads it.
	handed   uint64
	finished atomic.Uint64

	// ops are the target's operations (a mix or a journey); for a mix,
	// opOf says which one each hit exercises and the counters count the
	// planned and sent hits of each.
	ops               []string
	opOf              OperationChooser
	opPlanned, opSent []atomic.Uint64

	// hv, when not nil, is the harvest set of an open-model run whose
	// target can use one: the dispatcher wakes the workers whose
	// responses have arrived (see harvestSet).
	hv *harvestSet
}

// job is one planned send handed from the dispatcher to a worker. ready is
// when the send could have gone out but for the generator: the later of its
// intended time and the end of the last wait for a full in-flight bound;
// zero when the send itself waited for a slot (it went out as one freed).
type job struct {
	seq             uint64
	intended, ready time.Time
	measured        bool
	warm            *sync.WaitGroup // not a send: open the connection, then say so here (see preconnect)
}

func newRunner(plan Plan, target Target, cfg config) *runner {
	r := &runner{plan: plan, target: target, cfg: cfg, windowLen: plan.MeasuredDuration(), freed: make(chan struct{}, 1)}
	r.red = redactorOf(target).With(cfg.secretNames, cfg.secretValues)
	if plan.Concurrency == 0 {
		r.sched = newSchedule(plan)
	}
	if ot, ok := capability[OperationsTarget](target); ok {
		r.ops = ot.Operations()
	}
	if of, ok := capability[OperationChooser](target); ok && len(r.ops) > 0 {
		r.opOf = of
		r.opPlanned, r.opSent = make([]atomic.Uint64, len(r.ops)), make([]atomic.Uint64, len(r.ops))
	}
	n := max(runtime.GOMAXPROCS(0), 1)
	for range n {
		r.recs = append(r.recs, newRecorder(len(r.ops)))
	}
	return r
}

func (r *runner) run(ctx context.Context) (*Result, error) {
	if ht, ok := r.target.(harvestTarget); ok && r.sched != nil && !r.cfg.coarse && ht.harvestable() {
		r.hv = newHarvestSet()
		defer r.hv.close()
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	r.preconnect(runCtx)
	r.start = time.Now()
	if !r.plan.StartAt.IsZero() {
		r.start = r.plan.StartAt
		if err := sleepUntil(ctx, r.start, nil); err != nil {
			r.closeIdle()
			cancel()
			r.workers.Wait()
			return r.red.redactResult(r.result(time.Now(), fmt.Sprintf("cancelled before the start at %s: %v", r.start.Format(time.RFC3339Nano), err))), nil
		}
	}
	r.windowStart = r.start.Add(r.plan.Warmup)
	done := make(chan struct{})
	go func() {
		defer close(done)
		if r.sched == nil {
			r.closedModel(runCtx)
		} else {
			r.dispatch(runCtx)
		}
		r.workers.Wait()
	}()
	m := newMonitor(r)
	stopped := m.watch(ctx, done, cancel)
	<-done
	return r.red.redactResult(m.finish(ctx, stopped)), nil
}

// sleepUntil waits until t or until ctx is done, reusing timer when given.
func sleepUntil(ctx context.Context, t time.Time, timer *time.Timer) error {
	if err := ctx.Err(); err != nil {
		return err // a dispatcher that is behind stops handing out sends
	}
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	if timer == nil {
		timer = time.NewTimer(d)
		defer timer.Stop()
	} else {
		timer.Reset(d)
	}
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		timer.Stop()
		return ctx.Err()
	}
}

// dispatch walks the open-model schedule, handing each planned send to a
// worker at its intended time. Sends already due go out back to back, so a
// late dispatcher catches up without sleeping; a send that finds no free
// worker waits for one (and goes out late, its latency still counted from its
// intended time) unless it falls more than MaxLag behind: then it is dropped.
func (r *runner) dispatch(ctx context.Context) {
	defer r.closeIdle()
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var wake waker = newTimerWaker()
	if !r.cfg.coarse {
		wake = newWaker(ctx)
	}
	defer wake.close()
	var window time.Duration // see sendWindow
	if !r.cfg.coarse {
		window = min(sendWindow, r.plan.LateAfter/10)
	}
	var woke time.Time // the last wake-up for a send
	seg := 0
	for k := uint64(0); ; k++ {
		seq, at, measured, ok := r.sched.hit(k, &seg)
		if !ok {
			r.drain(ctx, wake)
			return
		}
		j := job{seq: seq, intended: r.start.Add(at), measured: measured}
		wakeAt := j.intended
		if now := time.Now(); now.Before(wakeAt) {
			if w := woke.Add(window); w.After(wakeAt) {
				wakeAt = w // together with the sends due until then
			}
			var err error
			if woke, err = r.waitFor(ctx, wake, now, wakeAt); err != nil {
				return
			}
		} else if ctx.Err() != nil {
			return
		}
		j.ready = latest(j.intended, r.backlogUntil)
		if measured {
			r.planned.Add(1)
			if r.opOf != nil {
				r.opPlanned[r.opOf.OperationOf(seq)].Add(1)
			}
		}
		if !r.hand(ctx, j, timer) {
			if measured { // stopped before it went out: it was never a planned send of the run
				r.planned.Add(^uint64(0))
				if r.opOf != nil {
					r.opPlanned[r.opOf.OperationOf(seq)].Add(^uint64(0))
				}
			}
			return
		}
	}
}

// sendWindow is the shortest time between two wake-ups of a precisely
// paced dispatcher for its sends (or a tenth of the plan's LateAfter, when
// that is shorter). A send due within the window after the last wake-up
// waits for the window's end and goes out with every send due by then, at
// most the window late (its send lag, counted in its latency as any send
// lag is). Below 1/sendWindow requests a second (10,000) nearly every send
// has a wake-up of its own; above, the wake-ups stay at 10,000 a second
// however high the rate. A wake-up (the process sleeping and being woken)
// is most of what an open model costs the generator per request on a
// virtual machine: at 20,000 req/s the window takes a quarter to a third
// off the CPU per request.
const sendWindow = 100 * time.Microsecond

// waitFor waits from now until t, and returns the time it woke. In a
// harvested run, before each sleep it wakes the readers whose responses
// have arrived, which finish (record, go idle) while it sleeps; it also
// wakes at least every harvestEvery while some request is in flight. When
// t has come, the sends due go out first, to idle workers (see hand): the
// harvest waits for the next sleep.
func (r *runner) waitFor(ctx context.Context, wake waker, now, t time.Time) (time.Time, error) {
	if r.hv == nil {
		err := wake.until(ctx, t)
		return time.Now(), err
	}
	for ; now.Before(t); now = time.Now() {
		r.hv.harvest(now)
		next := t
		if h := now.Add(harvestEvery); r.handed > r.finished.Load() && h.Before(next) {
			next = h
		}
		if err := wake.until(ctx, next); err != nil {
			return now, err
		}
	}
	return now, ctx.Err()
}

// drain harvests, after the last send of a harvested run, until every
// request handed out has finished.
func (r *runner) drain(ctx context.Context, wake waker) {
	for r.hv != nil && r.handed > r.finished.Load() {
		now := time.Now()
		if _, err := r.waitFor(ctx, wake, now, now.Add(harvestEvery)); err != nil {
			return
		}
	}
}

// hand gives j to a worker: the one that went idle last, whose kept-alive
// connection is the warmest, else a new one, spawned only when every
// worker holds a send (and fewer than MaxInFlight exist). A worker whose
// response has come back but that is not idle yet (it is recording, or
// waiting for a processor) takes j in a moment, on its kept-alive
// connection, where a new worker would dial a connection of its own: on a
// busy single core the dispatcher often runs before such workers, and
// spawning for those sends would grow the connections to the in-flight
// bound. Taking the last idle worker first keeps the connections in use
// few: a first-in, first-out hand-off would spread the sends over every
// connection the run ever opened. A send that finds every slot busy waits
// for one: that wait is the service's (its responses have not come back),
// and it is counted in slotWaits and ends the backlog at the moment a slot
// frees. It returns false when ctx is done.
func (r *runner) hand(ctx context.Context, j job, timer *time.Timer) bool {
	if r.handTo(ctx, j, r.hv == nil) {
		return true
	}
	if r.hv != nil {
		// No worker is idle: wake those whose responses have arrived, let
		// them finish, and look again.
		r.hv.harvest(time.Now())
		runtime.Gosched()
		if r.handTo(ctx, j, true) {
			return true
		}
	}
	busy := r.handed - r.finished.Load()
	full := busy >= uint64(r.plan.MaxInFlight)
	if full {
		j.ready = time.Time{}
	}
	timer.Reset(time.Until(j.intended.Add(r.plan.MaxLag)))
	defer timer.Stop()
	var tick <-chan time.Time // a harvested run's workers wait for a harvest
	if r.hv != nil {
		t := time.NewTicker(harvestEvery)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case now := <-tick:
			r.hv.harvest(now)
			continue
		case <-r.freed:
			if !r.handTo(ctx, j, true) {
				continue // a stale signal, or the freed worker was taken already
			}
			if full && j.measured {
				r.slotWaits.Add(1)
			}
		case <-timer.C:
			if j.measured {
				r.dropped.Add(1)
				if !full {
					r.droppedFree.Add(1)
				}
			}
		case <-ctx.Done():
			return false
		}
		if full {
			r.backlogUntil = time.Now()
		}
		return true
	}
}

// handTo gives j to the worker that went idle last, or (when spawn) to a
// new worker when every worker holds a send; it reports false when j must
// wait.
func (r *runner) handTo(ctx context.Context, j job, spawn bool) bool {
	r.idleMu.Lock()
	n := len(r.idle)
	var w chan job
	if n > 0 {
		w = r.idle[n-1]
		r.idle[n-1] = nil
		r.idle = r.idle[:n-1]
	}
	r.idleMu.Unlock()
	switch {
	case w != nil:
		w <- j // its buffer of one is empty: an idle worker waits on it
	case spawn && r.spawned < r.plan.MaxInFlight && r.handed-r.finished.Load() >= uint64(r.spawned):
		r.spawned++
		r.workers.Add(1)
		go r.worker(ctx, r.spawned-1, j)
	default:
		return false
	}
	r.handed++
	return true
}

// preconnectFor is how much of the schedule's start the workers started
// ahead of it can carry at once: its start rate times preconnectFor, at
// least one.
const preconnectFor = time.Millisecond

// preconnect starts, before the schedule, the workers of a target whose
// workers hold connections of their own (the lean engine's), as many as
// the start rate sends in preconnectFor, each with its connection open,
// and waits for them to go idle (at most the plan's timeout). Without
// them every early send of a fast schedule finds no worker and dials a
// connection of its own: on a busy core the dials make the sends late,
// which makes more sends find no worker: a traced run at 17,500 req/s
// created 923 goroutines (workers and their dials) in its first quarter
// second. A ramp from zero starts none: its workers come as the rate
// grows.
func (r *runner) preconnect(ctx context.Context) {
	if _, ok := r.target.(workerTarget); !ok || r.sched == nil {
		return
	}
	n := min(r.plan.MaxInFlight, int(math.Ceil(r.sched.startRate()*preconnectFor.Seconds())))
	if n <= 0 {
		return
	}
	var warmed sync.WaitGroup
	warmed.Add(n)
	for range n {
		// A worker counts as holding a send until it is warm, so that
		// one stuck connecting never stops another from being started.
		r.handed++
		r.spawned++
		r.workers.Add(1)
		go r.worker(ctx, r.spawned-1, job{warm: &warmed})
	}
	done := make(chan struct{})
	go func() { warmed.Wait(); close(done) }()
	t := time.NewTimer(r.plan.Timeout)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	}
}

// closeIdle ends the workers: the idle ones now, the others as they go idle.
func (r *runner) closeIdle() {
	r.idleMu.Lock()
	r.closed = true
	for _, w := range r.idle {
		close(w)
	}
	r.idle = nil
	r.idleMu.Unlock()
}

// worker sends first, then the jobs handed to it while idle, until the
// dispatcher has handed its last.
func (r *runner) worker(ctx context.Context, id int, first job) {
	defer r.workers.Done()
	rec := r.recs[id%len(r.recs)]
	h := r.newHitter(ctx)
	defer h.close()
	var tr Trace
	var s sample
	jobs := make(chan job, 1)
	for j, ok := first, true; ok; j, ok = <-jobs {
		if j.warm != nil {
			h.warm(ctx)
			r.finished.Add(1)
		} else {
			r.send(ctx, rec, h, j, &tr, &s)
		}
		r.idleMu.Lock()
		if r.closed {
			r.idleMu.Unlock()
			if j.warm != nil {
				j.warm.Done()
			}
			return
		}
		r.idle = append(r.idle, jobs)
		r.idleMu.Unlock()
		if j.warm != nil {
			j.warm.Done()
		}
		select {
		case r.freed <- struct{}{}:
		default:
		}
	}
}

// send performs one request and records it when it belongs to the window.
func (r *runner) send(ctx context.Context, rec *recorder, h hitter, j job, tr *Trace, s *sample) {
	n := r.inFlight.Add(1)
	for p := r.peak.Load(); n > p && !r.peak.CompareAndSwap(p, n); p = r.peak.Load() {
	}
	sent := time.Now()
	if j.measured {
		r.sent.Add(1)
		if r.opOf != nil {
			r.opSent[r.opOf.OperationOf(j.seq)].Add(1)
		}
	}
	tr.reset()
	err := h.hit(ctx, j.seq, tr)
	done := tr.Read // the response was read then; checks ran after
	if done.IsZero() {
		done = time.Now()
	}
	done = done.Add(-tr.Paused)
	r.inFlight.Add(-1)
	r.finished.Add(1)
	if !j.measured || (err != nil && stopped(ctx)) {
		return // warm-up, or cut short by the run's own stop: not a completed request
	}
	if r.sched == nil {
		j.intended = sent // closed model: no schedule, latency is the service time
	}
	*s = sample{latency: done.Sub(j.intended), service: done.Sub(sent), lag: sent.Sub(j.intended), err: err, tr: tr}
	if !j.ready.IsZero() {
		s.genLag = sent.Sub(j.ready) // late although a slot was free: the generator's own lag
	}
	s.late = s.lag > r.plan.LateAfter
	rec.record(s)
}

// stopped reports whether the run's stop has come: its context is done, or
// its deadline has passed. A connection's deadline taken from the same
// deadline (a dial's) can fire a moment before the context's own timer
// marks it done, and the request it ends was cut short by the stop all the
// same.
func stopped(ctx context.Context) bool {
	if ctx.Err() != nil {
		return true
	}
	d, ok := ctx.Deadline()
	return ok && !time.Now().Before(d)
}

// closedModel runs Concurrency workers that each send one request after
// another until the planned duration (after the warm-up) has passed.
func (r *runner) closedModel(ctx context.Context) {
	end := r.windowStart.Add(r.plan.Duration)
	var seq atomic.Uint64
	r.peak.Store(int64(r.plan.Concurrency))
	for i := range r.plan.Concurrency {
		r.workers.Add(1)
		go func() {
			defer r.workers.Done()
			rec := r.recs[i%len(r.recs)]
			h := r.newHitter(ctx)
			defer h.close()
			var tr Trace
			var s sample
			for ctx.Err() == nil {
				now := time.Now()
				if !now.Before(end) {
					return
				}
				j := job{seq: seq.Add(1) - 1, intended: now, measured: !now.Before(r.windowStart)}
				if j.measured {
					r.planned.Add(1)
					if r.opOf != nil {
						r.opPlanned[r.opOf.OperationOf(j.seq)].Add(1)
					}
				}
				r.send(ctx, rec, h, j, &tr, &s)
			}
		}()
	}
}
