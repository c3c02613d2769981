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

	latency, service, lag *Histogram
	connect, tls, ttfb    *Histogram
	requests, errors      uint64
	late                  uint64
	byClass               map[Class]uint64
	examples              map[Class][]string
	status                map[int]uint64

	// The current interval: requests completed since the last rotation.
	ivLatency *Histogram
	ivOK      uint64
	ivErrors  uint64
	ivByClass map[Class]uint64
}

func newRecorder() *recorder {
	return &recorder{
		latency: NewHistogram(), service: NewHistogram(), lag: NewHistogram(),
		connect: NewHistogram(), tls: NewHistogram(), ttfb: NewHistogram(),
		byClass: map[Class]uint64{}, examples: map[Class][]string{}, status: map[int]uint64{},
		ivLatency: NewHistogram(), ivByClass: map[Class]uint64{},
	}
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
	r.latency.Record(s.latency)
	r.service.Record(s.service)
	r.lag.Record(s.lag)
	r.ivLatency.Record(s.latency)
	r.requests++
	if s.late {
		r.late++
	}
	if tr := s.tr; tr != nil {
		if tr.Status != 0 {
			r.status[tr.Status]++
		}
		if tr.TTFB > 0 {
			r.ttfb.Record(tr.TTFB)
		}
		if !tr.ConnReused && tr.Connect > 0 {
			r.connect.Record(tr.Connect)
		}
		if !tr.ConnReused && tr.TLS > 0 {
			r.tls.Record(tr.TLS)
		}
	}
	if s.err == nil {
		r.ivOK++
		return
	}
	c := ClassOf(s.err)
	r.errors++
	r.byClass[c]++
	r.ivErrors++
	r.ivByClass[c]++
	if len(r.examples[c]) < MaxExamples {
		r.examples[c] = addExample(r.examples[c], message(s.err))
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
