// Package server is the benchmark's target: a GET answered with a 16-byte
// JSON body, optionally freezing for a fixed part of every cycle, and
// counting the connections its clients open.
package server

import (
	"encoding/json"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

// Body is the response body of every load request: 16 bytes of JSON.
const Body = `{"ok":1,"id":42}`

var body = []byte(Body)

// Freeze describes a server that holds every request arriving during the
// first Hold of each Cycle until that hold ends. The zero value never freezes.
type Freeze struct {
	Hold  time.Duration
	Cycle time.Duration
}

// Stats are the connection counts since the last reset.
type Stats struct {
	// Accepted is the number of connections accepted.
	Accepted int64 `json:"accepted"`
	// Peak is the highest number of connections open at once.
	Peak int64 `json:"peak"`
	// Open is the number of connections open now.
	Open int64 `json:"open"`
	// CPU is the server process's user and system CPU time: whether the
	// target, not the generator, was the limit.
	CPU time.Duration `json:"cpu_ns"`
}

// Server is the target's handler and connection counter.
type Server struct {
	freeze Freeze
	start  time.Time

	mu       sync.Mutex
	open     int64
	peak     int64
	accepted int64
	cpu      time.Duration // the process's CPU at the last reset
	requests atomic.Int64
}

// New returns a server whose freeze cycles start now.
func New(f Freeze) *Server { return &Server{freeze: f, start: time.Now()} }

// Handler serves the load path "/" and the control paths "/stats" (the
// counts as JSON) and "/reset" (restart the counts from the open connections).
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /{$}", s.serveLoad)
	mux.HandleFunc("GET /stats", s.serveStats)
	mux.HandleFunc("POST /reset", s.serveReset)
	return mux
}

func (s *Server) serveLoad(w http.ResponseWriter, _ *http.Request) {
	if d := s.holdFor(time.Now()); d > 0 {
		time.Sleep(d)
	}
	s.requests.Add(1)
	h := w.Header()
	h["Content-Type"] = []string{"application/json"}
	_, _ = w.Write(body)
}

// holdFor returns how long a request arriving at now waits for the freeze to end.
func (s *Server) holdFor(now time.Time) time.Duration {
	if s.freeze.Hold <= 0 || s.freeze.Cycle <= 0 {
		return 0
	}
	in := now.Sub(s.start) % s.freeze.Cycle
	if in >= s.freeze.Hold {
		return 0
	}
	return s.freeze.Hold - in
}

func (s *Server) serveStats(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(s.Stats())
}

func (s *Server) serveReset(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	s.accepted, s.peak, s.cpu = 0, s.open, processCPU()
	s.mu.Unlock()
	s.requests.Store(0)
	w.WriteHeader(http.StatusNoContent)
}

// Stats returns the connection counts since the last reset.
func (s *Server) Stats() Stats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Stats{Accepted: s.accepted, Peak: s.peak, Open: s.open, CPU: processCPU() - s.cpu}
}

// processCPU is the process's user and system CPU time so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// ConnState counts connections; install it as http.Server.ConnState.
func (s *Server) ConnState(_ net.Conn, st http.ConnState) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch st {
	case http.StateNew:
		s.accepted++
		s.open++
		s.peak = max(s.peak, s.open)
	case http.StateClosed, http.StateHijacked:
		s.open--
	}
}

// Serve serves on ln until it fails or is closed.
func (s *Server) Serve(ln net.Listener) error {
	hs := &http.Server{Handler: s.Handler(), ConnState: s.ConnState, ReadHeaderTimeout: 10 * time.Second}
	return hs.Serve(ln)
}
