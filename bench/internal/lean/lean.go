// Package lean is an experimental HTTP/1.1 round tripper for load
// generation, measured beside net/http's Transport: it writes each request
// and reads its response on the calling goroutine over a pool of kept-alive
// connections, so a request costs no goroutine hand-off (net/http's
// Transport runs a read and a write goroutine per connection and passes
// every request and response between them). It speaks plain HTTP/1.1 only
// (no TLS, no proxies, no HTTP/2, no 100-continue); responses are parsed by
// net/http's ReadResponse, so framing (Content-Length, chunked, close) is
// net/http's own.
package lean

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"time"
)

// Transport is an http.RoundTripper over a pool of at most MaxIdle idle
// connections. The zero value is ready to use. It is safe for concurrent use.
type Transport struct {
	// MaxIdle bounds the idle connections kept per transport (default 1024).
	MaxIdle int
	// DialTimeout bounds a connection's dial (default 10 s).
	DialTimeout time.Duration

	once sync.Once
	idle chan *conn
}

// conn is one kept-alive connection.
type conn struct {
	nc  net.Conn
	br  *bufio.Reader
	buf []byte // the request being written
	key string // host:port the connection is to
}

var _ http.RoundTripper = (*Transport)(nil)

func (t *Transport) init() {
	n := t.MaxIdle
	if n <= 0 {
		n = 1024
	}
	t.idle = make(chan *conn, n)
}

// RoundTrip sends req and reads its response head; the body is read from the
// connection as the caller reads it, and the connection returns to the pool
// when the body has been read to its end and closed.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	t.once.Do(t.init)
	if req.URL.Scheme != "http" {
		return nil, closeBody(req, fmt.Errorf("lean: scheme %q is not http", req.URL.Scheme))
	}
	ctx := req.Context()
	c, err := t.get(ctx, req.URL.Host)
	if err != nil {
		return nil, closeBody(req, err)
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = c.nc.SetDeadline(dl)
	} else {
		_ = c.nc.SetDeadline(time.Time{})
	}
	stop := context.AfterFunc(ctx, func() { _ = c.nc.SetDeadline(time.Unix(1, 0)) })
	if err := c.write(req); err != nil {
		stop()
		c.nc.Close()
		return nil, fmt.Errorf("lean: write: %w", ctxErr(ctx, err))
	}
	resp, err := http.ReadResponse(c.br, req)
	if err != nil {
		stop()
		c.nc.Close()
		return nil, fmt.Errorf("lean: read response: %w", ctxErr(ctx, err))
	}
	resp.Body = &body{rc: resp.Body, c: c, t: t, stop: stop, keep: !resp.Close && !req.Close, ctx: ctx}
	return resp, nil
}

// get returns an idle connection to host, or dials one.
func (t *Transport) get(ctx context.Context, host string) (*conn, error) {
	for {
		select {
		case c := <-t.idle:
			if c.key == host {
				return c, nil
			}
			c.nc.Close()
			continue
		default:
		}
		break
	}
	timeout := t.DialTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	d := net.Dialer{Timeout: timeout, KeepAlive: 30 * time.Second}
	nc, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		return nil, err
	}
	return &conn{nc: nc, br: bufio.NewReaderSize(nc, 4096), key: host}, nil
}

// put returns c to the pool, or closes it when the pool is full.
func (t *Transport) put(c *conn) {
	select {
	case t.idle <- c:
	default:
		c.nc.Close()
	}
}

// CloseIdleConnections closes the pooled connections.
func (t *Transport) CloseIdleConnections() {
	t.once.Do(t.init)
	for {
		select {
		case c := <-t.idle:
			c.nc.Close()
		default:
			return
		}
	}
}

// write writes req's head and body in one write where the body is small.
func (c *conn) write(req *http.Request) error {
	b := c.buf[:0]
	b = append(b, req.Method...)
	b = append(b, ' ')
	b = append(b, req.URL.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	host := req.Host
	if host == "" {
		host = req.URL.Host
	}
	b = append(b, host...)
	b = append(b, "\r\n"...)
	for k, vs := range req.Header {
		for _, v := range vs {
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, v...)
			b = append(b, "\r\n"...)
		}
	}
	if req.Body != nil && req.ContentLength > 0 {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, req.ContentLength, 10)
		b = append(b, "\r\n"...)
	}
	if req.Header.Get("User-Agent") == "" {
		b = append(b, "User-Agent: slaspec-lean\r\n"...)
	}
	b = append(b, "\r\n"...)
	if req.Body != nil {
		defer req.Body.Close()
		if req.ContentLength > 0 {
			n := len(b)
			b = append(b, make([]byte, req.ContentLength)...)
			if _, err := io.ReadFull(req.Body, b[n:]); err != nil {
				return fmt.Errorf("request body: %w", err)
			}
		}
	}
	c.buf = b
	_, err := c.nc.Write(b)
	return err
}

// body returns its connection to the pool once read to its end and closed.
type body struct {
	rc   io.ReadCloser
	c    *conn
	t    *Transport
	stop func() bool
	keep bool
	eof  bool
	ctx  context.Context
}

func (b *body) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if errors.Is(err, io.EOF) {
		b.eof = true
	} else if err != nil {
		err = ctxErr(b.ctx, err)
	}
	return n, err
}

func (b *body) Close() error {
	if b.c == nil {
		return nil
	}
	c := b.c
	b.c = nil
	stopped := b.stop()
	if b.keep && b.eof && stopped && c.br.Buffered() == 0 {
		b.t.put(c)
		return nil
	}
	return c.nc.Close()
}

// ctxErr prefers the context's error to the deadline error it caused.
func ctxErr(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	// The connection's deadline is the context's, and can fire a moment
	// before the context itself is marked done.
	if dl, ok := ctx.Deadline(); ok && errors.Is(err, os.ErrDeadlineExceeded) && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return err
}

// closeBody closes req's body (a RoundTripper must) and returns err.
func closeBody(req *http.Request, err error) error {
	if req.Body != nil {
		req.Body.Close()
	}
	return err
}
