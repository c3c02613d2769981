package loadrunner_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// faultServer is a raw TCP server on loopback whose handler misbehaves in
// ways an http.Server cannot. Close stops it and waits for every handler.
type faultServer struct {
	ln      net.Listener
	handle  func(c net.Conn, done <-chan struct{})
	done    chan struct{}
	wg      sync.WaitGroup
	mu      sync.Mutex
	conns   map[net.Conn]struct{}
	accepts atomic.Int64
	written atomic.Int64
}

// startFaultServer listens on a free loopback port (or addr, when given).
func startFaultServer(t *testing.T, addr string, handle func(c net.Conn, done <-chan struct{})) *faultServer {
	t.Helper()
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	s := &faultServer{ln: ln, handle: handle, done: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	s.wg.Add(1)
	go s.serve()
	t.Cleanup(s.Close)
	return s
}

func (s *faultServer) URL() string { return "http://" + s.ln.Addr().String() }

func (s *faultServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.accepts.Add(1)
		s.mu.Lock()
		select {
		case <-s.done: // accepted as Close ran: Close has already closed the others
			s.mu.Unlock()
			c.Close()
			return
		default:
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer s.forget(c)
			s.handle(countingConn{c, &s.written}, s.done)
		}()
	}
}

func (s *faultServer) forget(c net.Conn) {
	c.Close()
	s.mu.Lock()
	delete(s.conns, c)
	s.mu.Unlock()
}

// Close stops accepting, closes every connection and waits for the handlers.
func (s *faultServer) Close() {
	s.mu.Lock()
	select {
	case <-s.done:
		s.mu.Unlock()
		return
	default:
	}
	close(s.done)
	s.ln.Close()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// countingConn counts the bytes the server wrote.
type countingConn struct {
	net.Conn
	n *atomic.Int64
}

func (c countingConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	c.n.Add(int64(n))
	return n, err
}

// readRequest reads one request's head (bodies are not sent by these tests).
func readRequest(r *bufio.Reader) error {
	req, err := http.ReadRequest(r)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, req.Body)
	return err
}

// serveEach answers every request on a connection with respond until it
// returns false or the connection fails.
func serveEach(respond func(c net.Conn, done <-chan struct{}) bool) func(net.Conn, <-chan struct{}) {
	return func(c net.Conn, done <-chan struct{}) {
		r := bufio.NewReader(c)
		for range 100000 {
			if readRequest(r) != nil || !respond(c, done) {
				return
			}
		}
	}
}

const okResponse = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Type: text/plain\r\n\r\nok"

// sleepOrDone waits d or until done is closed; it reports whether d passed.
func sleepOrDone(d time.Duration, done <-chan struct{}) bool {
	select {
	case <-time.After(d):
		return true
	case <-done:
		return false
	}
}

// lineCounter counts the lines written to it.
type lineCounter struct{ lines atomic.Int64 }

func (l *lineCounter) Write(b []byte) (int, error) {
	l.lines.Add(int64(strings.Count(string(b), "\n")))
	return len(b), nil
}

// zeros is an endless source of zero bytes: a body generated as it is sent.
type zeros struct{}

func (zeros) Read(b []byte) (int, error) { clear(b); return len(b), nil }

// resources is a snapshot of the process's goroutines and heap.
type resources struct {
	goroutines int
	heapInuse  uint64
}

func measure() resources {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return resources{goroutines: runtime.NumGoroutine(), heapInuse: m.HeapInuse}
}

// settleGoroutines waits (bounded) for the goroutine count to come back to
// at most want, and fails with a stack dump when it does not.
func settleGoroutines(t *testing.T, want int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for runtime.NumGoroutine() > want && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > want {
		buf := make([]byte, 1<<20)
		t.Fatalf("%d goroutines left, want at most %d:\n%s", n, want, buf[:runtime.Stack(buf, true)])
	}
}

// accounted checks that every request of res is ok or in exactly one class,
// that every planned send was sent or dropped, that a run that was not cut
// short completed everything it sent, and that the time series adds up to
// the totals.
func accounted(t *testing.T, res *loadrunner.Result) {
	t.Helper()
	var byClass, ivOK, ivErr uint64
	for _, n := range res.Errors.ByClass {
		byClass += n
	}
	for _, iv := range res.Timeseries {
		ivOK, ivErr = ivOK+iv.OK, ivErr+iv.Errors
	}
	if byClass != res.Errors.Total || res.Errors.Total > res.Requests || res.OK()+byClass != res.Requests {
		t.Errorf("requests %d = ok %d + classes %d? errors %+v", res.Requests, res.OK(), byClass, res.Errors)
	}
	if ivOK != res.OK() || ivErr != res.Errors.Total {
		t.Errorf("time series ok %d errors %d, totals ok %d errors %d", ivOK, ivErr, res.OK(), res.Errors.Total)
	}
	// Every planned send either went out or was dropped, also when a stop
	// caught one between the schedule and a worker (it is then not planned).
	if handed := res.Sent + res.Dropped; handed != res.Planned {
		t.Errorf("sent %d + dropped %d, planned %d (partial %v)", res.Sent, res.Dropped, res.Planned, res.Partial)
	}
	if !res.Partial && res.Requests != res.Sent {
		t.Errorf("a completed run sent %d but completed %d", res.Sent, res.Requests)
	}
	if res.Requests > res.Sent {
		t.Errorf("completed %d of %d sent", res.Requests, res.Sent)
	}
}

// faultTimeout is the per-request timeout of the fault tests whose fault is
// not a timeout: long enough that a loaded machine never turns the fault
// under test into one.
const faultTimeout = 5 * time.Second

// maxHeapGrowth bounds the heap a fault run may leave in use: the result's
// histograms and the client's buffers, nowhere near a body or a backlog.
const maxHeapGrowth = 64 << 20

// faultRun runs plan against url and checks what every fault test checks:
// the run ends within its plan plus one timeout plus slack, every request is
// accounted for, and once the server is stopped, no goroutine and no
// unbounded heap is left behind.
func faultRun(t *testing.T, plan loadrunner.Plan, stop func(), target loadrunner.Target, opts ...loadrunner.Option) *loadrunner.Result {
	t.Helper()
	before := measure()
	peak := watchHeap()
	began := time.Now()
	res, err := loadrunner.Run(t.Context(), plan, target, opts...)
	took := time.Since(began)
	peakHeap := peak()
	if err != nil {
		t.Fatal(err)
	}
	if bound := plan.Warmup + plan.Duration + plan.Timeout + 5*time.Second; took > bound {
		t.Errorf("run took %s, want at most %s", took, bound)
	}
	accounted(t, res)
	after := measure()
	if after.heapInuse > before.heapInuse && after.heapInuse-before.heapInuse > maxHeapGrowth {
		t.Errorf("heap in use grew by %d MiB", (after.heapInuse-before.heapInuse)>>20)
	}
	if peakHeap > before.heapInuse && peakHeap-before.heapInuse > maxPeakGrowth {
		t.Errorf("heap in use peaked %d MiB above its start during the run", (peakHeap-before.heapInuse)>>20)
	}
	stop()
	settleGoroutines(t, before.goroutines)
	t.Logf("took %s; requests %d ok %d errors %v; heap %d→%d KiB, peak %d KiB; goroutines %d→%d",
		took.Round(time.Millisecond), res.Requests, res.OK(), res.Errors.ByClass,
		before.heapInuse>>10, after.heapInuse>>10, peakHeap>>10, before.goroutines, runtime.NumGoroutine())
	return res
}

// maxPeakGrowth bounds the heap a fault run may hold at its peak: the
// requests in flight each hold at most a body bound and a header bound.
const maxPeakGrowth = 256 << 20

// watchHeap samples the heap in use every few milliseconds, without
// stopping the world, until the returned function is called; that returns
// the peak.
func watchHeap() func() uint64 {
	stop, done := make(chan struct{}), make(chan uint64)
	go func() {
		s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
		var peak uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(s)
			peak = max(peak, s[0].Value.Uint64()+s[1].Value.Uint64())
			select {
			case <-stop:
				done <- peak
				return
			case <-tick.C:
			}
		}
	}()
	return func() uint64 { close(stop); return <-done }
}

// only fails unless every request of res failed with class c.
func only(t *testing.T, res *loadrunner.Result, c loadrunner.Class) {
	t.Helper()
	if res.Requests == 0 || res.Errors.ByClass[c] != res.Requests {
		t.Errorf("requests %d, errors %v: want every one %s", res.Requests, res.Errors.ByClass, c)
	}
}

// targetFor builds an HTTP target on the engine a fault test runs on.
type targetFor func(url string, opts ...loadrunner.HTTPOption) *loadrunner.HTTPTarget

// forEachEngine runs test once on each HTTP engine, as a subtest named
// after it: every fault must end the same way on each. The lean engine runs
// twice: with harvested reads (the default; on Linux its plain TCP
// connections are harvested in an open-model run), and with each worker
// waiting for its own response on Go's network poller.
func forEachEngine(t *testing.T, test func(t *testing.T, target targetFor)) {
	engines := []struct {
		name string
		opts []loadrunner.HTTPOption
	}{
		{"lean", []loadrunner.HTTPOption{loadrunner.WithEngine(loadrunner.EngineLean)}},
		{"lean-waiting", []loadrunner.HTTPOption{loadrunner.WithEngine(loadrunner.EngineLean), loadrunner.WithHarvestedReads(false)}},
		{"nethttp", []loadrunner.HTTPOption{loadrunner.WithEngine(loadrunner.EngineNetHTTP)}},
	}
	for _, e := range engines {
		t.Run(e.name, func(t *testing.T) {
			test(t, func(url string, opts ...loadrunner.HTTPOption) *loadrunner.HTTPTarget {
				return loadrunner.HTTP(url, append(opts, e.opts...)...)
			})
		})
	}
}

func TestFaultRefused(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		url := "http://" + ln.Addr().String()
		ln.Close() // nothing listens there now: every connect is refused
		plan := loadrunner.Plan{Rate: 200, Duration: 500 * time.Millisecond, Timeout: faultTimeout}
		res := faultRun(t, plan, func() {}, target(url))
		only(t, res, loadrunner.ClassRefused)
		if res.Requests != 100 {
			t.Errorf("requests %d, want the 100 planned", res.Requests)
		}
	})
}

func TestFaultResetMidResponse(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		srv := startFaultServer(t, "", serveEach(func(c net.Conn, _ <-chan struct{}) bool {
			io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"+strings.Repeat("x", 300))
			if tc, ok := c.(countingConn).Conn.(*net.TCPConn); ok {
				tc.SetLinger(0) // close with RST
			}
			return false
		}))
		plan := loadrunner.Plan{Rate: 200, Duration: 500 * time.Millisecond, Timeout: faultTimeout}
		res := faultRun(t, plan, srv.Close, target(srv.URL()))
		only(t, res, loadrunner.ClassReset)
	})
}

// TestFaultKeepAliveClosedAtRandom: the server closes a third of its
// connections after a response, without warning, some at once and some a
// little later (so a request may already be on its way). Go's transport
// retries an idempotent request that found its idle connection closed; what
// it cannot retry is counted as transport.reset, never lost.
func TestFaultKeepAliveClosedAtRandom(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		var mu sync.Mutex
		rng := rand.New(rand.NewPCG(7, 7))
		srv := startFaultServer(t, "", serveEach(func(c net.Conn, done <-chan struct{}) bool {
			if _, err := io.WriteString(c, okResponse); err != nil {
				return false
			}
			mu.Lock()
			roll, delay := rng.IntN(3), time.Duration(rng.IntN(5))*time.Millisecond
			mu.Unlock()
			if roll == 0 {
				sleepOrDone(delay, done)
				return false
			}
			return true
		}))
		plan := loadrunner.Plan{Rate: 400, Duration: time.Second, Timeout: faultTimeout}
		res := faultRun(t, plan, srv.Close, target(srv.URL()))
		if res.Requests != 400 {
			t.Errorf("requests %d, want the 400 planned", res.Requests)
		}
		if other := res.Errors.Total - res.Errors.ByClass[loadrunner.ClassReset]; other != 0 {
			t.Errorf("errors %v: only resets may fail", res.Errors.ByClass)
		}
		if res.OK() < res.Requests*9/10 {
			t.Errorf("ok %d of %d: most requests must survive closed connections", res.OK(), res.Requests)
		}
		if n := srv.accepts.Load(); n < 50 {
			t.Errorf("%d connections accepted: the server did not close enough of them", n)
		}
	})
}

func TestFaultNeverAnswers(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		srv := startFaultServer(t, "", func(c net.Conn, done <-chan struct{}) {
			io.Copy(io.Discard, c) // read until the client gives up
		})
		plan := loadrunner.Plan{Rate: 100, Duration: 500 * time.Millisecond, Timeout: 300 * time.Millisecond}
		res := faultRun(t, plan, srv.Close, target(srv.URL()))
		only(t, res, loadrunner.ClassTimeout)
		if res.Requests != 50 {
			t.Errorf("requests %d, want the 50 planned", res.Requests)
		}
		if n := res.Latency.Count(); n != 0 {
			t.Errorf("%d latency samples: failed requests are not in the latency distribution", n)
		}
		if n, p50 := res.FailedLatency.Count(), res.FailedLatency.Percentile(loadrunner.P50); n != res.Requests || p50 < 300*time.Millisecond {
			t.Errorf("failed latency: %d samples, p50 %s; want every request, at least the 300 ms timeout each waited", n, p50)
		}
	})
}

// cutShortCounter passes hits to an HTTP target and counts those that
// failed because the run itself stopped (its ctx done): the runner counts
// them as sent but not completed.
type cutShortCounter struct {
	target   *loadrunner.HTTPTarget
	run      context.Context
	cutShort atomic.Uint64
}

// Unwrap returns the HTTP target, so the safety guard sees its host.
func (c *cutShortCounter) Unwrap() loadrunner.Target { return c.target }

func (c *cutShortCounter) Hit(ctx context.Context, seq uint64, tr *loadrunner.Trace) error {
	err := c.target.Hit(ctx, seq, tr)
	// as the runner judges it: the run's context done, or its deadline
	// passed (a dial's deadline, the same instant, can fire first)
	if d, ok := c.run.Deadline(); err != nil && (c.run.Err() != nil || (ok && !time.Now().Before(d))) {
		c.cutShort.Add(1)
	}
	return err
}

// TestFaultRunDeadlineHolds: requests that never answer, a per-request
// timeout longer than the run's deadline: the deadline wins, the result is
// partial, and every request sent was either completed or cut short by the
// stop.
func TestFaultRunDeadlineHolds(t *testing.T) {
	forEachEngine(t, func(t *testing.T, httpTarget targetFor) {
		srv := startFaultServer(t, "", func(c net.Conn, done <-chan struct{}) { io.Copy(io.Discard, c) })
		before := measure()
		ctx, cancel := context.WithTimeout(t.Context(), 500*time.Millisecond)
		defer cancel()
		target := &cutShortCounter{target: httpTarget(srv.URL()), run: ctx}
		began := time.Now()
		plan := loadrunner.Plan{Rate: 100, Duration: time.Minute, Timeout: 30 * time.Second}
		res, err := loadrunner.Run(ctx, plan, target)
		took := time.Since(began)
		if err != nil {
			t.Fatal(err)
		}
		if took > 5*time.Second {
			t.Errorf("Run returned %s after a 500 ms deadline", took)
		}
		if !res.Partial || !strings.Contains(res.PartialReason, "deadline") || res.Sent < 20 || res.Requests != 0 {
			t.Errorf("partial %v %q, sent %d, requests %d: want a partial run whose sends were all cut short", res.Partial, res.PartialReason, res.Sent, res.Requests)
		}
		if cut := target.cutShort.Load(); res.Sent != res.Requests+cut {
			t.Errorf("sent %d != completed %d + cut short %d", res.Sent, res.Requests, cut)
		}
		accounted(t, res)
		srv.Close()
		settleGoroutines(t, before.goroutines)
		t.Logf("took %s; sent %d, completed %d, cut short %d; errors %v", took.Round(time.Millisecond), res.Sent, res.Requests, target.cutShort.Load(), res.Errors.Examples)
	})
}

func TestFaultOneBytePerSecond(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		tests := []struct {
			name string
			head string // sent at once before the trickle
		}{
			{"status line trickles", ""},
			{"body trickles", "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv := startFaultServer(t, "", serveEach(func(c net.Conn, done <-chan struct{}) bool {
					trickle := tt.head + okResponse
					if tt.head != "" {
						trickle = strings.Repeat("x", 100)
					}
					if _, err := io.WriteString(c, tt.head); err != nil {
						return false
					}
					for i := range len(trickle) {
						if _, err := io.WriteString(c, trickle[i:i+1]); err != nil || !sleepOrDone(time.Second, done) {
							return false
						}
					}
					return true
				}))
				plan := loadrunner.Plan{Rate: 40, Duration: 500 * time.Millisecond, Timeout: 500 * time.Millisecond}
				res := faultRun(t, plan, srv.Close, target(srv.URL()))
				only(t, res, loadrunner.ClassTimeout)
			})
		}
	})
}

// TestFaultHugeBody: a 1 GiB body, generated as it is sent, with and without
// a Content-Length. The target reads up to its 1 MiB bound, fails the
// request (transport.other) and drops the connection: the server gets to
// write a few MiB per request, not the gigabyte, and the heap stays flat.
func TestFaultHugeBody(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		const gib = 1 << 30
		tests := []struct{ name, head string }{
			{"content-length", fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", gib)},
			{"until close", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv := startFaultServer(t, "", serveEach(func(c net.Conn, _ <-chan struct{}) bool {
					if _, err := io.WriteString(c, tt.head); err == nil {
						io.CopyN(c, zeros{}, gib)
					}
					return false
				}))
				plan := loadrunner.Plan{Rate: 40, Duration: 500 * time.Millisecond, Timeout: faultTimeout}
				res := faultRun(t, plan, srv.Close, target(srv.URL()))
				only(t, res, loadrunner.ClassTransport)
				if ex := res.Errors.Examples[loadrunner.ClassTransport]; len(ex) == 0 || !strings.Contains(ex[0], "byte bound") {
					t.Errorf("examples %q", ex)
				}
				if res.StatusCodes[http.StatusOK] != res.Requests {
					t.Errorf("statuses %v: every failed response still had its status read", res.StatusCodes)
				}
				perRequest := srv.written.Load() / int64(max(res.Requests, 1))
				if perRequest > 64<<20 {
					t.Errorf("the server wrote %d MiB per request: the client read far past its bound", perRequest>>20)
				}
				t.Logf("server wrote %.1f MiB per request", float64(perRequest)/(1<<20))
			})
		}
	})
}

func TestFaultContentLengthMismatch(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		t.Run("body shorter than content-length", func(t *testing.T) {
			srv := startFaultServer(t, "", serveEach(func(c net.Conn, _ <-chan struct{}) bool {
				io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly twenty bytes...")
				return false // and close
			}))
			plan := loadrunner.Plan{Rate: 200, Duration: 500 * time.Millisecond, Timeout: faultTimeout}
			res := faultRun(t, plan, srv.Close, target(srv.URL()))
			only(t, res, loadrunner.ClassReset)
		})
		t.Run("body longer than content-length", func(t *testing.T) {
			// The extra bytes lie on the kept-alive connection in front of the
			// next response: the client must notice and not read them as one.
			// Go's transport logs each such connection; count the lines.
			logged := &lineCounter{}
			log.SetOutput(logged)
			defer log.SetOutput(os.Stderr)
			srv := startFaultServer(t, "", serveEach(func(c net.Conn, _ <-chan struct{}) bool {
				_, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok and then some garbage")
				return err == nil
			}))
			plan := loadrunner.Plan{Rate: 200, Duration: 500 * time.Millisecond, Timeout: faultTimeout}
			res := faultRun(t, plan, srv.Close, target(srv.URL()))
			if res.Requests != 100 {
				t.Errorf("requests %d, want the 100 planned", res.Requests)
			}
			// A request that went out on the connection before the client
			// saw the garbage reads it as its response head and fails
			// (transport.other); none may pass on it.
			by := res.Errors.ByClass
			if other := res.Errors.Total - by[loadrunner.ClassTransport] - by[loadrunner.ClassReset]; other != 0 || res.OK() < res.Requests*9/10 {
				t.Errorf("ok %d of %d, errors %v: the responses were whole, the garbage may only fail the exchange it poisons", res.OK(), res.Requests, by)
			}
			if res.StatusCodes[http.StatusOK] < res.OK() {
				t.Errorf("ok %d, statuses %v", res.OK(), res.StatusCodes)
			}
			t.Logf("the transport logged %d lines about unsolicited bytes", logged.lines.Load())
		})
	})
}

func TestFaultMalformedHTTP(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		tests := []struct{ name, response string }{
			{"not http", "HELLO WORLD\r\n\r\n"},
			{"bad status code", "HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n"},
			{"bad header line", "HTTP/1.1 200 OK\r\nthis is no header\r\nContent-Length: 0\r\n\r\n"},
			{"bad content-length", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n"},
			{"bad chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n"},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				srv := startFaultServer(t, "", serveEach(func(c net.Conn, _ <-chan struct{}) bool {
					io.WriteString(c, tt.response)
					return false
				}))
				plan := loadrunner.Plan{Rate: 100, Duration: 250 * time.Millisecond, Timeout: faultTimeout}
				res := faultRun(t, plan, srv.Close, target(srv.URL()))
				only(t, res, loadrunner.ClassTransport)
			})
		}
	})
}

// TestFaultServerDiesAndComesBack: a healthy server stops for the middle
// third of a 1.5 s run and comes back on the same port. The outage follows
// the run's own clock (its half-second intervals, through WithProgress), so
// a loaded machine cannot shift it out of the interval it belongs to.
// Requests succeed, then are refused (or reset, for those caught
// mid-flight), then succeed again; no request is lost.
func TestFaultServerDiesAndComesBack(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		healthy := serveEach(func(c net.Conn, _ <-chan struct{}) bool {
			_, err := io.WriteString(c, okResponse)
			return err == nil
		})
		first := startFaultServer(t, "", healthy)
		addr := first.ln.Addr().String()
		var second *faultServer
		var ticks int
		outage := loadrunner.WithProgress(func(loadrunner.Progress) error {
			ticks++
			switch ticks {
			case 1:
				first.Close()
			case 2:
				second = startFaultServer(t, addr, healthy)
			}
			return nil
		})
		stop := func() {
			if second != nil {
				second.Close()
			}
		}
		plan := loadrunner.Plan{Rate: 200, Duration: 1500 * time.Millisecond, Timeout: faultTimeout}
		res := faultRun(t, plan, stop, target("http://"+addr), loadrunner.WithInterval(500*time.Millisecond), outage)
		if res.Requests != 300 {
			t.Errorf("requests %d, want the 300 planned", res.Requests)
		}
		by := res.Errors.ByClass
		if other := res.Errors.Total - by[loadrunner.ClassRefused] - by[loadrunner.ClassReset]; other != 0 || by[loadrunner.ClassRefused] == 0 {
			t.Errorf("errors %v: only refused and reset may fail, and refusals must show", by)
		}
		if len(res.Timeseries) < 3 {
			t.Fatalf("%d intervals, want at least 3", len(res.Timeseries))
		}
		for i, want := range []bool{true, false, true} {
			iv := res.Timeseries[i]
			if mostlyOK := iv.OK > iv.Errors; mostlyOK != want {
				t.Errorf("interval %d: ok %d errors %d", i, iv.OK, iv.Errors)
			}
		}
	})
}

// TestSoak runs a steady load against a loopback server for as long as
// SLASPEC_SOAK says (a Go duration, e.g. 10m; the test is skipped when it is
// unset) at SLASPEC_SOAK_RATE requests per second (default 500), and reports
// the heap in use and the goroutines at the start (after ten seconds), the
// peak and the end, sampled every ten seconds. The heap may grow only by the
// result's time series (one interval per second) and the kept-alive
// connections; goroutines only with the connections, which the requests in
// flight bound, and none may outlive the server.
func TestSoak(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		d, rate := soakSettings(t)
		var served atomic.Int64
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if served.Add(1)%100 == 0 {
				http.Error(w, "one in a hundred fails", http.StatusServiceUnavailable)
				return
			}
			io.WriteString(w, `{"id":42,"ok":true}`)
		}))
		before := measure()
		var start, peak, last resources
		var samples int
		sample := loadrunner.WithProgress(func(p loadrunner.Progress) error {
			samples++
			if samples%10 != 0 {
				return nil
			}
			now := measure()
			if start.goroutines == 0 {
				start = now
			}
			peak.goroutines, peak.heapInuse = max(peak.goroutines, now.goroutines), max(peak.heapInuse, now.heapInuse)
			last = now
			return nil
		})
		plan := loadrunner.Plan{Rate: rate, Duration: d, Timeout: 2 * time.Second}
		res, err := loadrunner.Run(t.Context(), plan, target(srv.URL), sample)
		if err != nil {
			t.Fatal(err)
		}
		accounted(t, res)
		t.Logf("soak %s at %g req/s: requests %d, errors %v, achieved %.1f req/s, dropped %d, p99 %s, max %s",
			d, rate, res.Requests, res.Errors.ByClass, res.AchievedRate, res.Dropped,
			res.Latency.Percentile(loadrunner.P99), res.Latency.Max())
		t.Logf("heap in use: start %.1f MiB, peak %.1f MiB, end %.1f MiB; goroutines: start %d, peak %d, end %d; peak in flight %d; %d intervals",
			mib(start.heapInuse), mib(peak.heapInuse), mib(last.heapInuse), start.goroutines, peak.goroutines, last.goroutines, res.Generator.PeakInFlight, len(res.Timeseries))
		if res.Requests == 0 || res.Errors.ByClass[loadrunner.Class5xx] == 0 || res.Errors.Total != res.Errors.ByClass[loadrunner.Class5xx] {
			t.Errorf("requests %d, errors %v: want only the server's one in a hundred 5xx", res.Requests, res.Errors.ByClass)
		}
		// A second of time series costs about 1 KiB (its encoded histogram).
		if growth := int64(last.heapInuse) - int64(start.heapInuse); growth > int64(d.Seconds())*4<<10+16<<20 {
			t.Errorf("heap grew by %.1f MiB over %s", mib(uint64(growth)), d)
		}
		// Kept-alive connections (two client goroutines and one server
		// goroutine each) follow the requests in flight, which a noisy machine
		// pushes up now and then; they stay bounded by the peak in flight and
		// all end with the server (checked below).
		if bound := start.goroutines + 4*res.Generator.PeakInFlight + 8; last.goroutines > bound {
			t.Errorf("goroutines grew from %d to %d, above %d for a peak of %d requests in flight", start.goroutines, last.goroutines, bound, res.Generator.PeakInFlight)
		}
		srv.CloseClientConnections()
		srv.Close()
		settleGoroutines(t, before.goroutines)
	})
}

// soakSettings reads SLASPEC_SOAK and SLASPEC_SOAK_RATE, skipping the test
// when no soak was asked for.
func soakSettings(t *testing.T) (time.Duration, float64) {
	v := os.Getenv("SLASPEC_SOAK")
	if v == "" {
		t.Skip("set SLASPEC_SOAK=10m to soak")
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 20*time.Second {
		t.Fatalf("SLASPEC_SOAK=%q: want a duration of at least 20s", v)
	}
	rate := 500.0
	if v := os.Getenv("SLASPEC_SOAK_RATE"); v != "" {
		if rate, err = strconv.ParseFloat(v, 64); err != nil || rate <= 0 {
			t.Fatalf("SLASPEC_SOAK_RATE=%q: want a positive number of requests per second", v)
		}
	}
	return d, rate
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// TestFaultEndlessHeader: a response whose header never ends. The client
// must stop reading at a bound and count transport.other, not buffer the
// stream.
func TestFaultEndlessHeader(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		srv := startFaultServer(t, "", serveEach(func(c net.Conn, _ <-chan struct{}) bool {
			if _, err := io.WriteString(c, "HTTP/1.1 200 OK\r\nX-Endless: "); err == nil {
				io.CopyN(c, strings.NewReader(strings.Repeat("a", 1<<20)), 1<<20)
				for range 1024 {
					if _, err := io.WriteString(c, strings.Repeat("a", 64<<10)); err != nil {
						break
					}
				}
			}
			return false
		}))
		plan := loadrunner.Plan{Rate: 100, Duration: 500 * time.Millisecond, Timeout: faultTimeout}
		res := faultRun(t, plan, srv.Close, target(srv.URL()))
		only(t, res, loadrunner.ClassTransport)
		t.Logf("server wrote %.1f MiB per request; examples %q", mib(uint64(srv.written.Load()/int64(max(res.Requests, 1)))), res.Errors.Examples)
	})
}

// TestFaultBodyStallsAtTheBound: every response sends the body bound's worth
// of bytes and then stalls until the request times out, so each request in
// flight holds a full body buffer. The peak heap is bounded by the requests
// in flight times the buffer a bounded body needs (about three times the
// bound, counting the buffer's growth and the garbage it leaves for the next
// collection): a worst case of MaxInFlight × 3 × DefaultMaxBody.
func TestFaultBodyStallsAtTheBound(t *testing.T) {
	forEachEngine(t, func(t *testing.T, target targetFor) {
		head := fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n", 2*loadrunner.DefaultMaxBody)
		srv := startFaultServer(t, "", serveEach(func(c net.Conn, done <-chan struct{}) bool {
			if _, err := io.WriteString(c, head); err == nil {
				if _, err := io.CopyN(c, zeros{}, loadrunner.DefaultMaxBody); err == nil {
					io.Copy(io.Discard, c) // stall until the client gives up
				}
			}
			return false
		}))
		before := measure()
		peak := watchHeap()
		plan := loadrunner.Plan{Rate: 100, Duration: 500 * time.Millisecond, Timeout: 500 * time.Millisecond}
		res, err := loadrunner.Run(t.Context(), plan, target(srv.URL()))
		peakHeap := peak()
		if err != nil {
			t.Fatal(err)
		}
		accounted(t, res)
		only(t, res, loadrunner.ClassTimeout)
		inflight := uint64(res.Generator.PeakInFlight)
		bound := inflight*4*loadrunner.DefaultMaxBody + 32<<20
		if peakHeap > before.heapInuse+bound {
			t.Errorf("heap peaked %d MiB above its start with %d requests in flight, want at most %d MiB", (peakHeap-before.heapInuse)>>20, inflight, bound>>20)
		}
		srv.Close()
		settleGoroutines(t, before.goroutines)
		t.Logf("peak in flight %d; heap peaked %.1f MiB above its start (%.2f MiB per request in flight)",
			inflight, mib(peakHeap-before.heapInuse), mib(peakHeap-before.heapInuse)/float64(max(inflight, 1)))
	})
}
