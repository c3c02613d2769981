package loadrunner

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// DefaultMaxBody is the default bound on the response body an HTTP target
// reads; a larger body fails the request (class transport.other).
const DefaultMaxBody = 1 << 20

// maxPooledBody is the largest body buffer kept for reuse; larger ones,
// grown by a rare large body, go back to the garbage collector.
const maxPooledBody = 64 << 10

// httpConfig is what HTTPOptions set.
type httpConfig struct {
	client   *http.Client
	header   http.Header
	requests []Request
	makeReq  func(seq uint64) Request
	check    func(resp *http.Response, body []byte) error
	maxBody  int64
	engine   Engine
	proto    Protocol
	tls      *tls.Config
	waiting  bool // WithHarvestedReads(false)

	secretNames, secretValues []string
}

type httpOptionFunc func(*httpConfig)

func (f httpOptionFunc) applyHTTP(c *httpConfig) { f(c) }

func (r Request) applyHTTP(c *httpConfig) { c.requests = append(c.requests, r) }

// POST returns a POST request for url with a body of the given content type.
func POST(url, contentType string, body []byte) Request {
	return Request{Method: http.MethodPost, URL: url, Header: http.Header{"Content-Type": {contentType}}, Body: body}
}

// WithHeader adds a header to every request of the target.
func WithHeader(key, value string) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.header.Add(key, value) })
}

// WithClient makes the target send with client instead of its own client
// tuned for load. The client's transport should keep connections alive and
// allow at least MaxInFlight idle connections per host.
func WithClient(client *http.Client) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.client = client })
}

// WithCheck checks every response that arrived (any status): a non-nil error
// fails the request with class check, or with the class the error carries
// (see ClassError). body holds the response body, read up to the body bound;
// neither may be retained after check returns (the lean engine reuses the
// response, its header and the body's buffer for the worker's next
// response; the strings of the header may be kept). check must be safe for
// concurrent use.
func WithCheck(check func(resp *http.Response, body []byte) error) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.check = check })
}

// WithMaxBody bounds the response body read (default DefaultMaxBody).
func WithMaxBody(n int64) HTTPOption { return httpOptionFunc(func(c *httpConfig) { c.maxBody = n }) }

// WithRequestFunc makes the target send fn(seq) for hit seq, for requests that
// vary beyond a fixed list. fn must be safe for concurrent use.
func WithRequestFunc(fn func(seq uint64) Request) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.makeReq = fn })
}

// HTTPTarget sends HTTP requests; build it with HTTP.
type HTTPTarget struct {
	base    *url.URL
	cfg     httpConfig
	pool    []preparedRequest
	hosts   []hostPort // every host the target may send to (Hosts)
	err     error
	bufs    sync.Pool
	ownHTTP bool
	lean    *leanEngine // nil when every request goes through net/http
	red     *Redactor
}

// preparedRequest is a Request resolved against the base URL once, with
// its bytes on the wire when the lean engine sends it.
type preparedRequest struct {
	method     string
	url        *url.URL
	header     http.Header
	body       []byte
	wire       []byte                        // nil: sent through net/http
	replayable bool                          // may be sent again on a new connection
	checkReq   *atomic.Pointer[http.Request] // see checkRequest; copies share it
}

// HTTP returns a Target that sends HTTP requests to baseURL. Requests given as
// options are cycled through by hit index; with none, it sends GET baseURL.
// A bad base URL or option is reported by Validate, which Run calls before it
// starts, so HTTP can be written inline in a call to Run.
func HTTP(baseURL string, opts ...HTTPOption) *HTTPTarget {
	t := &HTTPTarget{cfg: httpConfig{header: http.Header{}, maxBody: DefaultMaxBody}}
	for _, o := range opts {
		o.applyHTTP(&t.cfg)
	}
	t.red = NewRedactor(t.cfg.secretNames, t.cfg.secretValues)
	t.base, t.err = url.Parse(baseURL)
	switch {
	case t.err != nil:
		t.err = fmt.Errorf("loadrunner: http: %w", t.urlErr("base url", baseURL, t.err))
	case t.base.Scheme != "http" && t.base.Scheme != "https":
		t.err = fmt.Errorf("loadrunner: http: base url %q: scheme must be http or https", t.red.URL(baseURL))
	case t.base.Host == "":
		t.err = fmt.Errorf("loadrunner: http: base url %q has no host", t.red.URL(baseURL))
	case t.cfg.maxBody <= 0:
		t.err = fmt.Errorf("loadrunner: http: max body %d must be positive", t.cfg.maxBody)
	}
	if t.err != nil {
		return t
	}
	if len(t.cfg.requests) == 0 && t.cfg.makeReq == nil {
		t.cfg.requests = []Request{GET("")}
	}
	if t.err = t.checkProtocol(); t.err != nil {
		return t
	}
	if t.err = t.chooseEngine(); t.err != nil {
		return t
	}
	for i, r := range t.cfg.requests {
		p, err := t.prepare1(r)
		if err != nil {
			t.err = fmt.Errorf("loadrunner: http: request %d: %w", i, err)
			return t
		}
		t.pool = append(t.pool, p)
	}
	t.addHost(t.base)
	for _, p := range t.pool {
		t.addHost(p.url)
	}
	t.findSecrets()
	if t.cfg.client == nil {
		t.ownHTTP = true
		t.cfg.client = newLoadClient(DefaultMaxInFlight, t.base.Host, t.cfg.tls, t.cfg.proto)
	}
	return t
}

// prepare1 resolves r against the base URL and merges the target's headers.
func (t *HTTPTarget) prepare1(r Request) (preparedRequest, error) {
	ref, err := url.Parse(r.URL)
	if err != nil {
		return preparedRequest{}, t.urlErr("url", r.URL, err)
	}
	u := ref
	if !ref.IsAbs() {
		u = t.base.JoinPath(ref.EscapedPath())
		if !strings.HasPrefix(u.Path, "/") {
			u.Path, u.RawPath = "/"+u.Path, ""
		}
		u.RawQuery = ref.RawQuery
		if ref.RawQuery == "" {
			u.RawQuery = t.base.RawQuery
		}
	}
	method := r.Method
	if method == "" {
		method = http.MethodGet
	}
	h := t.cfg.header.Clone()
	for k, vs := range r.Header {
		h[k] = append([]string(nil), vs...)
	}
	p := preparedRequest{method: method, url: u, header: h, body: r.Body}
	if t.lean != nil && t.sameOrigin(u) {
		if err := p.buildWire(); err != nil {
			return preparedRequest{}, err
		}
	}
	return p, nil
}

// build makes the http.Request for one send. The URL and header are shared,
// read-only, by every send of the same prepared request.
func (p preparedRequest) build(ctx context.Context) *http.Request {
	req := &http.Request{
		Method: p.method, URL: p.url, Host: p.url.Host, Header: p.header,
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
	}
	if len(p.body) > 0 {
		body := p.body
		req.ContentLength = int64(len(body))
		req.Body = io.NopCloser(bytes.NewReader(body))
		req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	}
	return req.WithContext(ctx)
}

// Validate reports a bad base URL or option.
func (t *HTTPTarget) Validate() error { return t.err }

// Prepare sizes the target's own transport for the plan's in-flight bound;
// Run calls it before the run.
func (t *HTTPTarget) Prepare(p Plan) {
	if t.ownHTTP && p.MaxInFlight > DefaultMaxInFlight {
		t.cfg.client = newLoadClient(p.MaxInFlight, t.base.Host, t.cfg.tls, t.cfg.proto)
	}
	if t.lean != nil {
		t.lean.setMaxIdle(max(p.MaxInFlight, DefaultMaxInFlight))
	}
}

// String describes the target with secrets redacted.
func (t *HTTPTarget) String() string {
	if t.base == nil {
		return "http"
	}
	if len(t.pool) == 1 {
		return t.pool[0].method + " " + t.red.URL(t.pool[0].url.String())
	}
	if len(t.pool) > 1 {
		return fmt.Sprintf("%d requests to %s", len(t.pool), t.red.URL(t.base.String()))
	}
	return "requests to " + t.red.URL(t.base.String())
}

// newLoadClient returns a client tuned for load: keep-alive with enough idle
// connections for every in-flight request, no compression, no cookie jar,
// redirects followed only within host, speaking proto.
func newLoadClient(maxInFlight int, host string, tlsCfg *tls.Config, proto Protocol) *http.Client {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          maxInFlight,
		MaxIdleConnsPerHost:   maxInFlight,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ExpectContinueTimeout: time.Second,
		DisableCompression:    true,
		TLSClientConfig:       tlsFor(tlsCfg),
		Protocols:             proto.TransportProtocols(),
		// Bounded like bodies: Go's default (10 MiB) lets each request in
		// flight buffer that much of an endless header.
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{Transport: tr, CheckRedirect: sameHostRedirects(host)}
}

// sameHostRedirects follows at most 10 redirects, and none to another host.
func sameHostRedirects(host string) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		if req.URL.Host != host {
			return fmt.Errorf("redirect to another host %q refused", req.URL.Host)
		}
		return nil
	}
}

// Hit sends one request, reads its body up to the bound, and checks it.
func (t *HTTPTarget) Hit(ctx context.Context, seq uint64, tr *Trace) error {
	if t.err != nil {
		return t.err
	}
	p, err := t.request(seq)
	if err != nil {
		return err
	}
	return t.send(ctx, p, tr, nil)
}

// send performs one prepared request. onBody, when set, sees the body of a
// response that passed the checks (2xx or 3xx), before its buffer is reused.
func (t *HTTPTarget) send(ctx context.Context, p preparedRequest, tr *Trace, onBody func([]byte) error) error {
	if p.wire != nil {
		return t.leanHit(ctx, &p, tr, onBody)
	}
	ph := newPhases()
	resp, err := t.cfg.client.Do(p.build(httptrace.WithClientTrace(ctx, &ph.ct)))
	ph.fill(tr)
	if err != nil {
		return err
	}
	return t.response(resp, tr, onBody)
}

// request returns the prepared request for hit seq.
func (t *HTTPTarget) request(seq uint64) (preparedRequest, error) {
	if t.cfg.makeReq == nil {
		return t.pool[seq%uint64(len(t.pool))], nil
	}
	return t.runtimeRequest(t.cfg.makeReq(seq))
}

// response reads and checks one response. It stamps tr.Read once the body
// has been read, before the checks, and times the checks and onBody into
// tr.CheckTime.
func (t *HTTPTarget) response(resp *http.Response, tr *Trace, onBody func([]byte) error) error {
	defer resp.Body.Close()
	tr.Status, tr.Proto = resp.StatusCode, resp.Proto
	body, bufp, over, err := t.readBody(resp.Body, t.cfg.check != nil || onBody != nil)
	if bufp != nil {
		defer t.bufs.Put(bufp)
	}
	tr.Read = time.Now() // the latency ends here: checks are timed apart
	if err != nil {
		return err
	}
	if over {
		return bodyOverBound(t.cfg.maxBody)
	}
	if err := t.checkNegotiated(resp); err != nil {
		return err
	}
	return t.verdict(resp, resp.StatusCode, resp.Request.Method, resp.Request.URL, body, tr, onBody)
}

// verdict judges a response read whole (at tr.Read): the check (given
// resp), the status class, then onBody for a response that passed; the
// check and onBody are timed into tr.CheckTime.
func (t *HTTPTarget) verdict(resp *http.Response, status int, method string, u *url.URL, body []byte, tr *Trace, onBody func([]byte) error) error {
	if t.cfg.check != nil {
		err := t.cfg.check(resp, body)
		tr.Checked, tr.CheckTime = true, tr.CheckTime+time.Since(tr.Read)
		if err != nil {
			var ce *Error
			if errors.As(err, &ce) {
				return err
			}
			return ClassError(ClassCheck, err)
		}
	}
	switch {
	case status >= 500:
		return ClassError(Class5xx, fmt.Errorf("%s %s: status %d", method, u.Path, status))
	case status >= 400:
		return ClassError(Class4xx, fmt.Errorf("%s %s: status %d", method, u.Path, status))
	}
	if onBody == nil {
		return nil
	}
	start := time.Now()
	err := onBody(body)
	tr.Checked, tr.CheckTime = true, tr.CheckTime+time.Since(start)
	return err
}

// readBody reads a response body up to the bound: into a pooled buffer
// when keep is set (something reads it), otherwise draining it (to keep the
// connection) without holding it, so a large or slow body costs no memory
// per request. bufp, when not nil, goes back to the pool once body is no
// longer used.
func (t *HTTPTarget) readBody(r io.Reader, keep bool) (body []byte, bufp *[]byte, over bool, err error) {
	if !keep {
		n, err := io.Copy(io.Discard, io.LimitReader(r, t.cfg.maxBody+1))
		return nil, nil, n > t.cfg.maxBody, err
	}
	bufp, _ = t.bufs.Get().(*[]byte)
	if bufp == nil {
		b := make([]byte, 0, 4096)
		bufp = &b
	}
	body, over, err = readBounded(r, *bufp, t.cfg.maxBody)
	if cap(body) > maxPooledBody {
		return body, nil, over, err // grown by a rare large body: left to the collector
	}
	*bufp = body[:0]
	return body, bufp, over, err
}

// readBounded reads r to its end into buf's storage and reports whether it
// held more than limit bytes, reading no more than limit+1. It allocates only
// to grow buf (once per pooled buffer, not per request).
func readBounded(r io.Reader, buf []byte, limit int64) (body []byte, over bool, err error) {
	buf = buf[:0]
	for int64(len(buf)) <= limit {
		if len(buf) == cap(buf) {
			buf = slices.Grow(buf, max(len(buf), 512))
		}
		n, err := r.Read(buf[len(buf):min(int64(cap(buf)), limit+1)])
		buf = buf[:len(buf)+n]
		if errors.Is(err, io.EOF) {
			return buf, int64(len(buf)) > limit, nil
		}
		if err != nil {
			return buf, false, err
		}
	}
	return buf, true, nil
}

// phases is one request's trace hooks and what they measured: one
// allocation for the hooks and their state. A dial that net/http started
// for this request may finish after the request was served by another
// connection and call its hooks late, from its own goroutine: the figures
// are atomics, copied into the worker's Trace once, when Do returns. A
// retried request can have two dials running at once, so the start marks
// (nanoseconds since start) are atomics too.
type phases struct {
	ct                  httptrace.ClientTrace
	start               time.Time
	connStart, tlsStart atomic.Int64
	connect, tls, ttfb  atomic.Int64
	reused              atomic.Bool
}

// newPhases returns the hooks of one request starting now.
func newPhases() *phases {
	p := &phases{start: time.Now()}
	p.ct = httptrace.ClientTrace{
		GotConn:              p.gotConn,
		ConnectStart:         p.connectStart,
		ConnectDone:          p.connectDone,
		TLSHandshakeStart:    p.tlsHandshakeStart,
		TLSHandshakeDone:     p.tlsHandshakeDone,
		GotFirstResponseByte: p.gotFirstResponseByte,
	}
	return p
}

// fill copies the phases measured so far into tr.
func (p *phases) fill(tr *Trace) {
	tr.ConnReused = p.reused.Load()
	tr.Connect = time.Duration(p.connect.Load())
	tr.TLS = time.Duration(p.tls.Load())
	tr.TTFB = time.Duration(p.ttfb.Load())
}

func (p *phases) gotConn(i httptrace.GotConnInfo) { p.reused.Store(i.Reused) }
func (p *phases) connectStart(string, string)     { p.connStart.Store(int64(time.Since(p.start))) }
func (p *phases) connectDone(string, string, error) {
	p.connect.Store(int64(time.Since(p.start)) - p.connStart.Load())
}
func (p *phases) tlsHandshakeStart() { p.tlsStart.Store(int64(time.Since(p.start))) }
func (p *phases) tlsHandshakeDone(tls.ConnectionState, error) {
	p.tls.Store(int64(time.Since(p.start)) - p.tlsStart.Load())
}
func (p *phases) gotFirstResponseByte() { p.ttfb.Store(int64(time.Since(p.start))) }

// redactURL renders u without its password, as net/http's errors do; the
// run's Redactor removes the other secrets when it records a message.
func redactURL(u *url.URL) string { return u.Redacted() }
