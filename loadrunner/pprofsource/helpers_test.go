package pprofsource_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/pprof"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
)

// sink keeps the test handlers' work from being optimized away.
var sink atomic.Int64

// spin is the CPU-heavy code under test: a loop the profile must name.
//
//go:noinline
func spin(n int) int64 {
	var x int64
	for i := range n {
		x += int64(i*i) % 7
	}
	return x
}

// hoard is the allocation-heavy code under test.
//
//go:noinline
func hoard(n int) int {
	total := 0
	for range n {
		b := make([]byte, 64<<10)
		kept.Store(&b) // escapes: a heap allocation
		total += len(b)
	}
	return total
}

// kept makes hoard's buffers escape to the heap.
var kept atomic.Pointer[[]byte]

// service is a test service: /spin burns CPU, /hoard allocates, and
// /debug/pprof/ is net/http/pprof; pprofHits counts requests to the latter.
type service struct {
	*httptest.Server
	pprofHits atomic.Int64
}

func newService(t *testing.T) *service {
	t.Helper()
	s := &service{}
	mux := http.NewServeMux()
	mux.HandleFunc("/spin", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		sink.Add(spin(max(n, 4_000_000))) // a few ms: enough CPU samples in a short run
	})
	mux.HandleFunc("/hoard", func(w http.ResponseWriter, r *http.Request) {
		sink.Add(int64(hoard(16)))
	})
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/debug/pprof") {
			s.pprofHits.Add(1)
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

// descend is recursive code under test: its cumulative share must count
// each sample once, however deep the recursion.
//
//go:noinline
func descend(depth, n int) int64 {
	if depth == 0 {
		return spin(n)
	}
	return descend(depth-1, n) + 1
}
