package loadrunner

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"syscall"
	"time"
)

// Engine names the HTTP client an HTTP target sends with.
type Engine string

// The engines of an HTTP target.
const (
	// EngineAuto, the default, selects EngineLean unless WithClient gives
	// a client of one's own, which only EngineNetHTTP can use, or
	// WithProtocol asks for HTTP/2, which only EngineNetHTTP speaks.
	EngineAuto Engine = ""
	// EngineLean is slaspec's own HTTP/1.1 client for http:// and https://
	// targets: each worker writes its request and reads the response on
	// its own kept-alive connection, with request bytes built once per
	// request and nothing allocated per request on the way (unless a check
	// needs an *http.Response). It speaks HTTP/1.1 only, without proxies,
	// and follows redirects only to the same scheme and host.
	EngineLean Engine = "lean"
	// EngineNetHTTP sends with net/http's client: HTTP/2 (WithProtocol,
	// or WithClient), proxies, cookie jars, a transport of one's own.
	EngineNetHTTP Engine = "net/http"
)

// WithEngine selects the engine an HTTP target sends with (default
// EngineAuto). EngineLean combined with WithClient is an error.
func WithEngine(e Engine) HTTPOption { return httpOptionFunc(func(c *httpConfig) { c.engine = e }) }

// WithHarvestedReads says whether an open-model run with precise pacing
// harvests the responses of the lean engine's plain TCP connections (on
// Linux, where the kernel stamps their arrival): true, the default, lets
// the dispatcher collect them when it wakes for a send, so a request costs
// the generator one wake-up instead of two; false makes every worker wait
// for its own response on Go's network poller. The latency is the same
// either way: the arrival of the response.
func WithHarvestedReads(on bool) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.waiting = !on })
}

// WithTLSConfig sets the TLS configuration of https:// targets, for either
// engine: RootCAs for a private CA, Certificates for a client certificate
// (mTLS), InsecureSkipVerify. The target uses a copy; its NextProtos (ALPN)
// are set from WithProtocol: http/1.1 by default, h2 and http/1.1 for
// ProtocolHTTP2. It configures the target's own clients, not one given by
// WithClient.
func WithTLSConfig(cfg *tls.Config) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.tls = cfg })
}

// leanEngine sends the requests of one HTTP target to its origin (the base
// URL's scheme and host) over kept-alive connections. A worker of a run
// holds one connection of its own (a leanHitter); other callers of Hit take
// one from the idle pool and give it back.
type leanEngine struct {
	addr    string      // host:port dialed
	tls     *tls.Config // nil for http://
	maxBody int64

	mu      sync.Mutex
	idle    []*leanConn
	maxIdle int
}

func newLeanEngine(addr string, tlsCfg *tls.Config, maxBody int64) *leanEngine {
	return &leanEngine{addr: addr, tls: tlsCfg, maxBody: maxBody, maxIdle: DefaultMaxInFlight}
}

// getIdle returns an idle connection, or nil.
func (e *leanEngine) getIdle() *leanConn {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := len(e.idle)
	if n == 0 {
		return nil
	}
	c := e.idle[n-1]
	e.idle[n-1] = nil
	e.idle = e.idle[:n-1]
	return c
}

// putIdle keeps c for a later request, or closes it when the pool is full.
func (e *leanEngine) putIdle(c *leanConn) {
	e.mu.Lock()
	if len(e.idle) < e.maxIdle {
		e.idle = append(e.idle, c)
		c = nil
	}
	e.mu.Unlock()
	if c != nil {
		c.nc.Close()
	}
}

// setMaxIdle bounds the idle pool (a run's in-flight bound, at least).
func (e *leanEngine) setMaxIdle(n int) {
	e.mu.Lock()
	e.maxIdle = max(e.maxIdle, n)
	e.mu.Unlock()
}

// closeIdle closes every idle connection.
func (e *leanEngine) closeIdle() {
	e.mu.Lock()
	idle := e.idle
	e.idle = nil
	e.mu.Unlock()
	for _, c := range idle {
		c.nc.Close()
	}
}

// dial opens a connection to the origin, timing the phases into tr.
func (e *leanEngine) dial(ctx context.Context, deadline time.Time, tr *Trace, hv *harvestSet) (*leanConn, error) {
	d := net.Dialer{Timeout: 10 * time.Second, Deadline: deadline, KeepAlive: 30 * time.Second}
	t0 := time.Now()
	nc, err := d.DialContext(ctx, "tcp", e.addr)
	tr.Connect = time.Since(t0)
	if err != nil {
		return nil, err
	}
	if e.tls != nil {
		tc := tls.Client(nc, e.tls)
		_ = nc.SetDeadline(deadline)
		t1 := time.Now()
		err := tc.HandshakeContext(ctx)
		tr.TLS = time.Since(t1)
		if err != nil {
			nc.Close()
			return nil, err
		}
		nc = tc
	} else if hc := hv.adopt(nc); hc != nil {
		nc = hc
	} else {
		nc = fastConn(nc)
	}
	return newLeanConn(nc), nil
}

// connSlot holds the connection a caller is using, so that cancelling the
// caller's context can interrupt the connection's blocked read or write.
type connSlot struct {
	mu     sync.Mutex
	c      *leanConn
	killed bool
	// harvest, when set, is the run's harvest set: the slot's connections
	// are dialled into it, never taken from or given to the idle pool.
	harvest *harvestSet
	// check is what the slot's checks reuse (only its sender uses it).
	check checkScratch
}

// set installs c as the slot's connection (nil for none).
func (s *connSlot) set(c *leanConn) {
	s.mu.Lock()
	s.c = c
	if c != nil && s.killed {
		_ = c.nc.SetDeadline(time.Unix(1, 0))
	}
	s.mu.Unlock()
}

// kill interrupts the connection's I/O, now and from now on.
func (s *connSlot) kill() {
	s.mu.Lock()
	s.killed = true
	if s.c != nil {
		_ = s.c.nc.SetDeadline(time.Unix(1, 0))
	}
	s.mu.Unlock()
}

// drop closes the slot's connection.
func (s *connSlot) drop() {
	if c := s.c; c != nil {
		s.set(nil)
		c.nc.Close()
	}
}

// leanReceive says what a request needs of its response besides framing.
type leanReceive struct {
	collect bool           // keep the body (for a check or a capture)
	header  *headerBuilder // build the header (for a check)
}

// exchange performs one request of p (no redirects) on the slot's
// connection: the one it holds, else an idle one, else a new one. A
// request whose kept-alive connection turns out to have been closed by the
// server before it answered is retried, as net/http retries it, on a
// connection dialled for it (which cannot be stale, so once is enough). It
// returns the connection that read the response (its head and collected
// body); the slot keeps it only when it can carry another request.
func (e *leanEngine) exchange(ctx context.Context, s *connSlot, deadline, start time.Time, p *preparedRequest, tr *Trace, rx leanReceive) (*leanConn, error) {
	c, retry, err := e.attempt(ctx, s, deadline, start, p, tr, rx, false)
	if err != nil && retry && ctx.Err() == nil {
		c, _, err = e.attempt(ctx, s, deadline, start, p, tr, rx, true)
	}
	return c, err
}

// attempt is one try of exchange, on a new connection when fresh; retry
// says whether the failure was a stale kept-alive connection.
func (e *leanEngine) attempt(ctx context.Context, s *connSlot, deadline, start time.Time, p *preparedRequest, tr *Trace, rx leanReceive, fresh bool) (c *leanConn, retry bool, err error) {
	if c, err = e.conn(ctx, s, deadline, tr, fresh); err != nil {
		return nil, false, err
	}
	reused := c.served > 0
	tr.ConnReused = reused
	c.first = time.Time{}
	if n, err := c.nc.Write(p.wire); err != nil {
		s.drop()
		return nil, reused && (n == 0 || p.replayable), ioError(ctx, err)
	}
	toEOF, gotHead, err := c.readResponse(p.method, e.maxBody, rx.collect, rx.header)
	if !c.first.IsZero() {
		tr.TTFB = c.first.Sub(start)
	}
	if gotHead {
		tr.Status = c.head.status // as net/http's engine, also when the body then fails
		tr.Proto = protoName(c.head.minor)
	}
	if err != nil {
		s.drop()
		stale := reused && p.replayable && ((c.first.IsZero() && staleError(err)) || (!gotHead && errors.Is(err, errMalformed)))
		return nil, stale, ioError(ctx, err)
	}
	// Bytes past the response put the connection out of step: like a
	// body that ran to the end or a server that said close, it is not
	// used again.
	if toEOF || !c.head.reusable() || c.r != c.w {
		s.drop()
		return c, false, nil
	}
	c.settle()
	return c, false, nil
}

// conn puts in the slot the connection an attempt uses, with its
// deadline: the slot's own, else an idle one (unless fresh), else a new one.
func (e *leanEngine) conn(ctx context.Context, s *connSlot, deadline time.Time, tr *Trace, fresh bool) (*leanConn, error) {
	c := s.c
	if c == nil && !fresh && s.harvest == nil {
		c = e.getIdle()
	}
	if c == nil {
		var err error
		if c, err = e.dial(ctx, deadline, tr, s.harvest); err != nil {
			return nil, err
		}
	}
	s.set(c)
	if err := c.nc.SetDeadline(deadline); err != nil {
		s.drop()
		return nil, err
	}
	// A cancellation that came before set did not see c: look again.
	return c, ctx.Err()
}

// staleError reports whether err is how a connection the server closed
// while idle fails its next request.
func staleError(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, syscall.ECONNABORTED)
}

// ioError prefers the context's error (the run stopped, or the request's
// deadline passed) to the connection error it caused.
func ioError(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return err
}

// errorf wraps a transport error with the request it failed, as net/http's
// url.Error does; errors that carry a class are returned as they are.
func (p *preparedRequest) errorf(err error) error {
	if asError(err) != nil {
		return err
	}
	return fmt.Errorf("%s %s: %w", p.method, redactURL(p.url), err)
}
