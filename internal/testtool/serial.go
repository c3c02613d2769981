package testtool

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Serial is a loopback HTTP service of known capacity: every request holds
// one lock for Work, so it serves at most 1/Work requests a second. A sleep
// overshoots and a busy machine hands the lock over late, so Serial also
// measures the capacity the machine really gave it: requests served per
// second of busy time, the hand-over to a waiting request included.
type Serial struct {
	// URL is the service's address.
	URL  string
	work time.Duration

	waiting atomic.Int64 // requests between arriving and taking the lock
	mu      sync.Mutex
	// Guarded by mu.
	busy     time.Duration
	served   int64
	released time.Time
	queued   bool // a request was waiting when the lock was last released
	longest  time.Duration
	stalls   int64 // holds longer than ten times Work
}

// NewSerial starts a Serial service for the test.
func NewSerial(t testing.TB, work time.Duration) *Serial {
	t.Helper()
	s := &Serial{work: work}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// ServeHTTP serves one request under the lock; a request whose client has
// given up by the time it gets the lock is not worked on.
func (s *Serial) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.waiting.Add(1)
	s.mu.Lock()
	s.waiting.Add(-1)
	start := time.Now()
	if s.queued {
		s.busy += start.Sub(s.released)
	}
	if r.Context().Err() == nil {
		time.Sleep(s.work)
		s.served++
	}
	s.released = time.Now()
	hold := s.released.Sub(start)
	s.busy += hold
	s.longest = max(s.longest, hold)
	if hold > 10*s.work {
		s.stalls++
	}
	s.queued = s.waiting.Load() > 0
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true}`))
}

// Capacity is the capacity the service had so far, in requests per second
// of busy time; 0 before it served any.
func (s *Serial) Capacity() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.busy <= 0 {
		return 0
	}
	return float64(s.served) / s.busy.Seconds()
}

// Stalls says how often the machine stalled the service: the number of
// requests that held the lock more than ten times Work, and the longest
// hold. A stall queues every request behind it, so a busy machine can make
// the service miss a latency budget well below its mean capacity.
func (s *Serial) Stalls() (n int64, longest time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stalls, s.longest
}

// Nominal is the capacity by construction, 1/Work.
func (s *Serial) Nominal() float64 { return 1 / s.work.Seconds() }

// NewKnee starts a loopback service whose knee does not depend on the
// machine: while more than limit requests arrived in the last second it
// delays every answer by delay, otherwise it answers at once. It meets a
// latency budget below delay at rates under limit req/s and breaks it
// above, however fast the machine is.
func NewKnee(t testing.TB, limit int, delay time.Duration) string {
	t.Helper()
	var (
		mu       sync.Mutex
		arrivals = make([]time.Time, limit) // the last limit arrivals, a ring
		next     int
	)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		mu.Lock()
		over := now.Sub(arrivals[next]) < time.Second // limit+1 arrivals within a second
		arrivals[next], next = now, (next+1)%limit
		mu.Unlock()
		if over {
			time.Sleep(delay)
		}
		w.Write([]byte("ok"))
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
