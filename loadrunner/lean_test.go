package loadrunner

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

// cannedServer answers every request head it reads on loopback with the
// same response bytes, allocating nothing per request, so that allocation
// counts of the client's hot path are the client's own.
type cannedServer struct {
	ln   net.Listener
	resp []byte
	wg   sync.WaitGroup
}

func startCannedServer(tb testing.TB, resp string) *cannedServer {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	s := &cannedServer{ln: ln, resp: []byte(resp)}
	s.wg.Add(1)
	go s.serve()
	tb.Cleanup(func() { ln.Close(); s.wg.Wait() })
	return s
}

func (s *cannedServer) URL() string { return "http://" + s.ln.Addr().String() }

func (s *cannedServer) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.wg.Add(1)
		go s.answer(c)
	}
}

// answer writes one response per "\r\n\r\n" read (requests without bodies).
func (s *cannedServer) answer(c net.Conn) {
	defer s.wg.Done()
	defer c.Close()
	go func() { <-time.After(time.Minute); c.Close() }() // bounded
	buf := make([]byte, 4096)
	tail := 0 // bytes of "\r\n\r\n" matched at the end of the last read
	end := []byte("\r\n\r\n")
	for {
		n, err := c.Read(buf)
		if err != nil {
			return
		}
		for _, b := range buf[:n] {
			if b == end[tail] {
				tail++
			} else if tail = 0; b == end[0] {
				tail = 1
			}
			if tail == len(end) {
				tail = 0
				if _, err := c.Write(s.resp); err != nil {
					return
				}
			}
		}
	}
}

const cannedOK = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 16\r\nDate: Mon, 01 Jan 2024 00:00:00 GMT\r\n\r\n{\"ok\":1,\"id\":42}"

// TestLeanHitDoesNotAllocate: a worker's hit on the lean engine, kept-alive
// connection, no check, allocates nothing (the server above neither), with
// the worker waiting for its response and (on Linux) harvested.
func TestLeanHitDoesNotAllocate(t *testing.T) {
	for _, harvested := range []bool{false, true} {
		var hv *harvestSet
		if harvested {
			if hv = newHarvestSet(); hv == nil {
				continue // no harvested reads on this platform
			}
			defer hv.close()
			stop := make(chan struct{})
			defer close(stop)
			go func() { // as a run's dispatcher, without allocating
				for {
					select {
					case <-stop:
						return
					default:
					}
					hv.harvest(time.Now())
					time.Sleep(50 * time.Microsecond)
				}
			}()
		}
		t.Run(fmt.Sprintf("harvested=%t", harvested), func(t *testing.T) { leanHitAllocs(t, hv) })
	}
}

func leanHitAllocs(t *testing.T, hv *harvestSet) {
	for _, resp := range []string{
		cannedOK,
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;x=y\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n",
	} {
		srv := startCannedServer(t, resp)
		target := HTTP(srv.URL())
		h := target.newHitter(t.Context(), 5*time.Second, hv)
		var tr Trace
		hit := okHit(t, h, &tr)
		hit()
		if allocs := testing.AllocsPerRun(500, hit); allocs != 0 {
			t.Errorf("%.1f allocations per hit", allocs)
		}
		if !tr.ConnReused || tr.TTFB <= 0 {
			t.Errorf("trace %+v: want a reused connection and a first byte time", tr)
		}
		h.close()
		target.CloseIdleConnections()
	}
}

// okHit returns a hit of h into tr that fails t unless it answers 200.
func okHit(t *testing.T, h hitter, tr *Trace) func() {
	return func() {
		tr.reset()
		if err := h.hit(t.Context(), 0, tr); err != nil || tr.Status != 200 {
			t.Fatalf("status %d, error %v", tr.Status, err)
		}
	}
}

// TestLeanCheckAllocatesTheHeadOnly: with a check, a worker's hit on the
// lean engine allocates one thing per response, the copy of its head that
// the header's names and values slice (a check may keep a string, never
// the response or its header, which the next response reuses), and the
// check sees the response's status, header and body.
func TestLeanCheckAllocatesTheHeadOnly(t *testing.T) {
	srv := startCannedServer(t, cannedOK)
	var seen string
	check := func(resp *http.Response, body []byte) error {
		seen = fmt.Sprintf("%s %s %s %s %s", resp.Status, resp.Proto, resp.Header.Get("Content-Type"), resp.Request.Method, body)
		return nil
	}
	target := HTTP(srv.URL(), WithCheck(check))
	defer target.CloseIdleConnections()
	h := target.newHitter(t.Context(), 5*time.Second, nil)
	defer h.close()
	var tr Trace
	hit := okHit(t, h, &tr)
	hit()
	if want := `200 OK HTTP/1.1 application/json GET {"ok":1,"id":42}`; seen != want {
		t.Fatalf("the check saw %q, want %q", seen, want)
	}
	seen = ""
	// The check's Sprintf allocates too: count without it.
	target.cfg.check = func(*http.Response, []byte) error { return nil }
	if allocs := testing.AllocsPerRun(500, hit); allocs > 1 {
		t.Errorf("%.1f allocations per checked hit, want 1 (the head's copy)", allocs)
	}
}

func TestHeadEnd(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"HTTP/1.1 200 OK\r\n\r\nbody", 19},
		{"HTTP/1.1 200 OK\r\nA: b\r\n\r\n", 25},
		{"HTTP/1.1 200 OK\nA: b\n\nbody", 22},
		{"HTTP/1.1 200 OK\r\nA: b\r\n", -1},
		{"HTTP/1.1 200", -1},
		{"\r\n", 2},
		{"", -1},
	}
	for _, tt := range tests {
		if got := headEnd([]byte(tt.in)); got != tt.want {
			t.Errorf("headEnd(%q) = %d, want %d", tt.in, got, tt.want)
		}
	}
}

func TestParseHead(t *testing.T) {
	tests := []struct {
		name, head string
		want       respHead
		wantErr    bool
	}{
		{"content length", "HTTP/1.1 200 OK\r\nContent-Length: 16\r\n\r\n", respHead{status: 200, minor: 1, contentLength: 16}, false},
		{"chunked, close", "HTTP/1.1 201 Created\r\ntransfer-encoding: Chunked\r\nConnection: close\r\n\r\n", respHead{status: 201, minor: 1, contentLength: -1, chunked: true, close: true}, false},
		{"http/1.0 keep-alive", "HTTP/1.0 200 OK\r\nConnection: Keep-Alive\r\n\r\n", respHead{status: 200, contentLength: -1, keepAlive: true}, false},
		{"no reason", "HTTP/1.1 204\r\n\r\n", respHead{status: 204, minor: 1, contentLength: -1}, false},
		{"location", "HTTP/1.1 302 Found\r\nLocation:  /next \r\n\r\n", respHead{status: 302, minor: 1, contentLength: -1, location: []byte("/next")}, false},
		{"same length twice", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n", respHead{status: 200, minor: 1, contentLength: 2}, false},
		{"folded line ignored", "HTTP/1.1 200 OK\r\nX-A: 1\r\n  more\r\n\r\n", respHead{status: 200, minor: 1, contentLength: -1}, false},
		{"not http", "HELLO WORLD\r\n\r\n", respHead{}, true},
		{"http/2", "HTTP/2 200 OK\r\n\r\n", respHead{}, true},
		{"bad code", "HTTP/1.1 2x0 OK\r\n\r\n", respHead{}, true},
		{"short code", "HTTP/1.1 20 OK\r\n\r\n", respHead{}, true},
		{"bad header line", "HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", respHead{}, true},
		{"space in name", "HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", respHead{}, true},
		{"negative length", "HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n", respHead{}, true},
		{"lengths differ", "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n", respHead{}, true},
		{"gzip transfer coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", respHead{}, true},
		{"empty status line", "\r\n", respHead{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h respHead
			err := parseHead([]byte(tt.head), &h, nil)
			if tt.wantErr {
				if !errors.Is(err, errMalformed) {
					t.Fatalf("error %v, want a malformed response", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if h.status != tt.want.status || h.minor != tt.want.minor || h.contentLength != tt.want.contentLength ||
				h.chunked != tt.want.chunked || h.close != tt.want.close || h.keepAlive != tt.want.keepAlive ||
				!bytes.Equal(h.location, tt.want.location) {
				t.Errorf("head %+v, want %+v", h, tt.want)
			}
		})
	}
}

func TestParseChunkSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true}, {"a", 10, true}, {"FF", 255, true}, {"10;name=value", 16, true}, {"10 ", 16, true},
		{"", 0, false}, {"zz", 0, false}, {"-1", 0, false}, {"1234567890abcdef0", 0, false},
	}
	for _, tt := range tests {
		got, err := parseChunkSize([]byte(tt.in))
		if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
			t.Errorf("parseChunkSize(%q) = %d, %v; want %d, ok %t", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

// TestBuildWire: the lean engine's request bytes are net/http's.
func TestBuildWire(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"get", GET("/a?b=1"), "GET /a?b=1 HTTP/1.1\r\nHost: h:1\r\nUser-Agent: Go-http-client/1.1\r\n\r\n"},
		{"post", POST("/p", "application/json", []byte(`{}`)), "POST /p HTTP/1.1\r\nHost: h:1\r\nUser-Agent: Go-http-client/1.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}"},
		{"delete, headers sorted, user agent replaced", Request{Method: "DELETE", URL: "/d", Header: map[string][]string{"X-B": {"2"}, "X-A": {"1", "3"}, "User-Agent": {"me"}, "Host": {"ignored"}}},
			"DELETE /d HTTP/1.1\r\nHost: h:1\r\nUser-Agent: me\r\nX-A: 1\r\nX-A: 3\r\nX-B: 2\r\nContent-Length: 0\r\n\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := HTTP("http://h:1", tt.req)
			if err := target.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := string(target.pool[0].wire); got != tt.want {
				t.Errorf("wire\n%q, want\n%q", got, tt.want)
			}
		})
	}
	bad := HTTP("http://h:1", Request{Method: "GET", URL: "/", Header: map[string][]string{"X-A": {"a\r\nInjected: 1"}}})
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "invalid header field value") {
		t.Errorf("a header value with CRLF: error %v", err)
	}
}

// TestLeanCancelInterruptsHit: cancelling the run's context ends a hit
// blocked on a server that never answers, at once.
func TestLeanCancelInterruptsHit(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err == nil {
			defer c.Close()
			_, _ = c.Read(make([]byte, 4096))
			time.Sleep(3 * time.Second)
		}
	}()
	ctx, cancel := context.WithCancel(t.Context())
	h := HTTP("http://"+ln.Addr().String()).newHitter(ctx, time.Minute, nil)
	defer h.close()
	time.AfterFunc(100*time.Millisecond, cancel)
	began := time.Now()
	var tr Trace
	err = h.hit(ctx, 0, &tr)
	if !errors.Is(err, context.Canceled) || time.Since(began) > 2*time.Second {
		t.Errorf("error %v after %s, want context.Canceled at once", err, time.Since(began))
	}
}

// bytesConn is a net.Conn whose reads come from a byte slice, a few bytes
// at a time.
type bytesConn struct {
	net.Conn
	r    *bytes.Reader
	step int
}

func (c *bytesConn) Read(b []byte) (int, error) { return c.r.Read(b[:min(len(b), c.step)]) }
func (c *bytesConn) Close() error               { return nil }

// FuzzLeanResponse feeds arbitrary bytes to the lean engine's response
// reader: it never panics, never collects a body past its bound, and a
// response it accepts has a status code of three digits.
func FuzzLeanResponse(f *testing.F) {
	f.Add([]byte(cannedOK), 4096)
	f.Add([]byte("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nA: b\r\n\r\n"), 3)
	f.Add([]byte("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\n\r\nuntil close"), 7)
	f.Add([]byte("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nok"), 1)
	f.Fuzz(func(t *testing.T, data []byte, step int) {
		const maxBody = 64
		c := newLeanConn(&bytesConn{r: bytes.NewReader(data), step: max(1, step%4096)})
		_, gotHead, err := c.readResponse("GET", maxBody, true, &headerBuilder{})
		if len(c.body) > maxBody+1 {
			t.Fatalf("collected %d bytes past a bound of %d", len(c.body), maxBody)
		}
		if err == nil && (!gotHead || c.head.status < 100 || c.head.status > 999) {
			t.Fatalf("accepted a response with status %d (head %t)", c.head.status, gotHead)
		}
	})
}

// TestWorkerSendDoesNotAllocate: a run worker's whole send on the lean
// engine (the hit, the in-flight counts, recording into its shard)
// allocates nothing once its connection is up and the shard has seen a
// response.
func TestWorkerSendDoesNotAllocate(t *testing.T) {
	srv := startCannedServer(t, cannedOK)
	target := HTTP(srv.URL())
	defer target.CloseIdleConnections()
	plan := withDefaults(Plan{Rate: 1000, Duration: time.Hour})
	r := newRunner(plan, target, config{interval: time.Second})
	h := r.newHitter(t.Context())
	defer h.close()
	var tr Trace
	var s sample
	send := func() {
		r.send(t.Context(), r.recs[0], h, job{intended: time.Now(), measured: true}, &tr, &s)
	}
	send()
	if allocs := testing.AllocsPerRun(500, send); allocs != 0 {
		t.Errorf("%.1f allocations per send", allocs)
	}
	if r.recs[0].requests < 501 || r.recs[0].errors != 0 {
		t.Errorf("recorded %d requests, %d errors; want every one ok", r.recs[0].requests, r.recs[0].errors)
	}
}
