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
	late                    uint64
	// ops holds one stats per operation of a mix or journey target.
	ops []stats

	// The current interval: requests completed since the last rotation.
	ivLatency *Histogram
	ivOK      uint64
	ivErrors  uint64
	ivByClass map[Class]uint64
}

// stats are the counts and distributions of a set of requests: all of a
// run's, or one operation's.
type stats struct {
	latency, service *Histogram
	requests, errors uint64
	byClass          map[Class]uint64
	examples         map[Class][]string
	status           map[int]uint64
}

func newStats() stats {
	return stats{latency: NewHistogram(), service: NewHistogram(),
		byClass: map[Class]uint64{}, examples: map[Class][]string{}, status: map[int]uint64{}}
}

// add counts one request and returns its class ("" when it succeeded).
func (s *stats) add(latency, service time.Duration, status int, err error) Class {
	s.latency.Record(latency)
	s.service.Record(service)
	s.requests++
	if status != 0 {
		s.status[status]++
	}
	if err == nil {
		return ""
	}
	c := ClassOf(err)
	s.errors++
	s.byClass[c]++
	if len(s.examples[c]) < MaxExamples {
		s.examples[c] = addExample(s.examples[c], message(err))
	}
	return c
}

func newRecorder(ops int) *recorder {
	r := &recorder{
		stats: newStats(), lag: NewHistogram(),
		connect: NewHistogram(), tls: NewHistogram(), ttfb: NewHistogram(),
		ivLatency: NewHistogram(), ivByClass: map[Class]uint64{},
	}
	for range ops {
		r.ops = append(r.ops, newStats())
	}
	return r
}

// sample is one completed request of the measured window.
type sample struct {
	latency, service, lag time.Duration
	late                  bool
	err                   error
	tr                    *Trace
}

func (r *recorder) record(s *sample) {
	r.mu.Lock()
	defer r.mu.Unlock()
	status := 0
	if s.tr != nil {
		status = s.tr.Status
	}
	c := r.add(s.latency, s.service, status, s.err)
	r.lag.Record(s.lag)
	r.ivLatency.Record(s.latency)
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
	if c == "" {
		r.ivOK++
		return
	}
	r.ivErrors++
	r.ivByClass[c]++
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
			r.ops[tr.Op].add(s.latency, s.service, tr.Status, s.err)
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
		r.ops[st.Op].add(latency, service, st.Status, st.Err)
	}
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

// rotate moves the current interval's figures into iv and clears them.
func (r *recorder) rotate(iv *intervalAcc) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_ = iv.latency.Merge(r.ivLatency) // same geometry: cannot drop
	r.ivLatency.Reset()
	iv.ok += r.ivOK
	iv.errors += r.ivErrors
	for c, n := range r.ivByClass {
		iv.byClass[c] += n
		delete(r.ivByClass, c)
	}
	r.ivOK, r.ivErrors = 0, 0
}

// snapshot merges the shard's running latency histogram into h (for progress).
func (r *recorder) snapshot(h *Histogram) {
	r.mu.Lock()
	_ = h.Merge(r.latency)
	r.mu.Unlock()
}

// intervalAcc accumulates one interval across shards.
type intervalAcc struct {
	latency    *Histogram
	ok, errors uint64
	byClass    map[Class]uint64
}

// message returns an error's text without the class prefix an *Error adds,
// since examples are kept per class.
func message(err error) string {
	if e := asError(err); e != nil && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}
