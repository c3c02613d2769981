package loadrunner

import (
	"sync"
	"time"
)

// recorder is one shard of a run's statistics. Workers record into the shard
// their index selects, so they rarely contend; the shards are merged when
// the run ends. Recording does not allocate except for a bounded number of
// example messages and the first count of each class or status code.
type recorder struct {
	mu sync.Mutex

	stats                   // every request (or journey) of the window
	lag, connect, tls, ttfb *Histogram
	genLag                  *Histogram // the part of the send lag the generator caused
	late                    uint64
	// ops holds one stats per operation of a mix or journey target.
	ops []stats

	// The current interval: requests completed since the last rotation,
	// in total and per operation.
	iv   intervalAcc
	opIv []intervalAcc
}

// stats are the counts and distributions of a set of requests: all of a
// run's, or one operation's.
type stats struct {
	latency, service *Histogram // of the requests that succeeded
	// failed is the latency of the requests that failed and checks the time
	// the checks of each checked request took: each made at its first sample.
	failed, checks   *Histogram
	requests, errors uint64
	byClass          map[Class]uint64
	examples         map[Class][]string
	status           map[int]uint64
	proto            map[string]uint64 // responses by protocol
}

func newStats() stats {
	return stats{latency: NewHistogram(), service: NewHistogram(),
		byClass: map[Class]uint64{}, examples: map[Class][]string{}, status: map[int]uint64{}, proto: map[string]uint64{}}
}

// add counts one request and returns its class ("" when it succeeded): a
// success's latency and service time go to latency and service, a failure's
// latency to failed. The response's status and protocol are counted when
// there was a response. checked says whether checks ran on it, and check
// how long they took.
func (s *stats) add(latency, service time.Duration, resp response, err error, checked bool, check time.Duration) Class {
	if checked {
		s.checks = recordNew(s.checks, check)
	}
	s.requests++
	if resp.status != 0 {
		s.status[resp.status]++
	}
	if resp.proto != "" {
		s.proto[resp.proto]++ // no allocation once the protocol is known
	}
	if err == nil {
		s.latency.Record(latency)
		s.service.Record(service)
		return ""
	}
	s.failed = recordNew(s.failed, latency)
	c := ClassOf(err)
	s.errors++
	s.byClass[c]++
	if len(s.examples[c]) < MaxExamples {
		s.examples[c] = addExample(s.examples[c], message(err))
	}
	return c
}

// recordNew records d into h, making h first when it is nil (once per
// shard: an allocation off the steady-state hot path), and returns h.
func recordNew(h *Histogram, d time.Duration) *Histogram {
	if h == nil {
		h = NewHistogram()
	}
	h.Record(d)
	return h
}

func newRecorder(ops int) *recorder {
	r := &recorder{
		stats: newStats(), lag: NewHistogram(), genLag: NewHistogram(),
		connect: NewHistogram(), tls: NewHistogram(), ttfb: NewHistogram(),
		iv: newIntervalAcc(),
	}
	for range ops {
		r.ops = append(r.ops, newStats())
		r.opIv = append(r.opIv, newIntervalAcc())
	}
	return r
}

// response is what a request's response was: its status and protocol
// (zero without a response).
type response struct {
	status int
	proto  string
}

// sample is one completed request of the measured window. genLag is the
// part of lag the generator caused (zero for the closed model and for a
// send that waited for a full in-flight bound).
type sample struct {
	latency, service, lag, genLag time.Duration
	late                          bool
	err                           error
	tr                            *Trace
}

func (r *recorder) record(s *sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var resp response
	if s.tr != nil {
		resp = response{s.tr.Status, s.tr.Proto}
	}
	c := r.add(s.latency, s.service, resp, s.err, s.tr != nil && s.tr.Checked, checkTime(s.tr))
	r.lag.Record(s.lag)
	r.genLag.Record(s.genLag)
	r.iv.add(s.latency, c)
	if s.late {
		r.late++
	}
	if tr := s.tr; tr != nil {
		if tr.TTFB > 0 {
			r.ttfb.Record(tr.TTFB)
		}
		if !tr.ConnReused && tr.Connect > 0 {
			r.connect.Record(tr.Connect)
		}
		if !tr.ConnReused && tr.TLS > 0 {
			r.tls.Record(tr.TLS)
		}
		r.recordOps(s, tr)
	}
}

// recordOps counts the request in its operation (a mix) or each step in
// its operation (a journey). The first step's latency counts from the
// journey's intended send time, like the journey's own.
func (r *recorder) recordOps(s *sample, tr *Trace) {
	if len(r.ops) == 0 {
		return
	}
	if len(tr.Steps) == 0 {
		if tr.Op >= 0 && tr.Op < len(r.ops) {
			c := r.ops[tr.Op].add(s.latency, s.service, response{tr.Status, tr.Proto}, s.err, tr.Checked, tr.CheckTime)
			r.opIv[tr.Op].add(s.latency, c)
		}
		return
	}
	for i, st := range tr.Steps {
		if st.Op < 0 || st.Op >= len(r.ops) {
			continue
		}
		service := st.End.Sub(st.Start)
		latency := service
		if i == 0 {
			latency += s.lag
		}
		c := r.ops[st.Op].add(latency, service, response{st.Status, st.Proto}, st.Err, st.Checked, st.CheckTime)
		r.opIv[st.Op].add(latency, c)
	}
}

// checkTime returns the time tr's checks took (0 without a trace).
func checkTime(tr *Trace) time.Duration {
	if tr == nil {
		return 0
	}
	return tr.CheckTime
}

// addExample appends msg to examples unless it is already there or the list
// is full.
func addExample(examples []string, msg string) []string {
	if len(examples) >= MaxExamples {
		return examples
	}
	for _, e := range examples {
		if e == msg {
			return examples
		}
	}
	return append(examples, msg)
}

// rotate moves the current interval's figures into iv (and each
// operation's into ops) and clears them.
func (r *recorder) rotate(iv *intervalAcc, ops []*intervalAcc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.iv.moveInto(iv)
	for i := range r.opIv {
		r.opIv[i].moveInto(ops[i])
	}
}

// snapshot merges the shard's running latency histogram (successes) into h
// (for progress).
func (r *recorder) snapshot(h *Histogram) {
	r.mu.Lock()
	_ = h.Merge(r.latency)
	r.mu.Unlock()
}

// intervalAcc accumulates the requests completed in one interval: in one
// recorder shard, then across shards. Its latency is the successes'.
type intervalAcc struct {
	latency    *Histogram
	ok, errors uint64
	byClass    map[Class]uint64
}

func newIntervalAcc() intervalAcc {
	return intervalAcc{latency: NewHistogram(), byClass: map[Class]uint64{}}
}

// add counts one completed request of class c ("" when it succeeded).
func (a *intervalAcc) add(latency time.Duration, c Class) {
	if c == "" {
		a.latency.Record(latency)
		a.ok++
		return
	}
	a.errors++
	a.byClass[c]++
}

// moveInto adds a's figures to dst and clears a.
func (a *intervalAcc) moveInto(dst *intervalAcc) {
	_ = dst.latency.Merge(a.latency) // same geometry: cannot drop
	dst.ok += a.ok
	dst.errors += a.errors
	for c, n := range a.byClass {
		dst.byClass[c] += n
	}
	a.reset()
}

// reset clears a for the next interval.
func (a *intervalAcc) reset() {
	a.latency.Reset()
	clear(a.byClass)
	a.ok, a.errors = 0, 0
}

// message returns an error's text without the class prefix an *Error adds,
// since examples are kept per class.
func message(err error) string {
	if e := asError(err); e != nil && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}
