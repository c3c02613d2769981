package loadrunner

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// maxRedirects is the redirect policy's bound, the net/http engine's too.
const maxRedirects = 10

// chooseEngine resolves the configured engine and sets up the lean one when
// it is chosen: EngineAuto is the lean engine unless a client of one's own
// or HTTP/2 (which the lean engine does not speak) needs net/http.
func (t *HTTPTarget) chooseEngine() error {
	switch t.cfg.engine {
	case EngineAuto:
		if t.cfg.client != nil || t.Protocol() != ProtocolHTTP1 {
			return nil
		}
	case EngineLean:
		if t.cfg.client != nil {
			return fmt.Errorf("loadrunner: http: engine %s cannot send with a client given by WithClient", EngineLean)
		}
	case EngineNetHTTP:
		return nil
	default:
		return fmt.Errorf("loadrunner: http: engine %q is not %q, %q or %q", t.cfg.engine, EngineAuto, EngineLean, EngineNetHTTP)
	}
	port := t.base.Port()
	if port == "" {
		port = urlHost(t.base.Scheme, "", "").port
	}
	var tlsCfg *tls.Config
	if t.base.Scheme == "https" {
		tlsCfg = &tls.Config{MinVersion: tls.VersionTLS12}
		if t.cfg.tls != nil {
			tlsCfg = t.cfg.tls.Clone()
		}
		if tlsCfg.ServerName == "" {
			tlsCfg.ServerName = t.base.Hostname()
		}
		tlsCfg.NextProtos = []string{"http/1.1"}
	}
	t.lean = newLeanEngine(net.JoinHostPort(t.base.Hostname(), port), tlsCfg, t.cfg.maxBody)
	return nil
}

// Engine returns the engine the target sends with: EngineLean or
// EngineNetHTTP. With EngineLean, requests to another scheme or host than
// the base URL's still go through net/http.
func (t *HTTPTarget) Engine() Engine {
	if t.lean != nil {
		return EngineLean
	}
	return EngineNetHTTP
}

// CloseIdleConnections closes the target's kept-alive connections that no
// run is using.
func (t *HTTPTarget) CloseIdleConnections() {
	if t.lean != nil {
		t.lean.closeIdle()
	}
	if t.cfg.client != nil {
		t.cfg.client.CloseIdleConnections()
	}
}

// sameOrigin reports whether u has the base URL's scheme and host, the
// origin the lean engine's connections go to.
func (t *HTTPTarget) sameOrigin(u *url.URL) bool {
	return u.Scheme == t.base.Scheme && u.Host == t.base.Host
}

// buildWire writes the request's bytes as net/http's client would: request
// line, Host, User-Agent, the headers in sorted order (Host, User-Agent,
// Content-Length, Transfer-Encoding and Trailer from the header replaced),
// Content-Length except for a GET or HEAD without a body, then the body.
func (p *preparedRequest) buildWire() error {
	p.checkReq = new(atomic.Pointer[http.Request])
	b := make([]byte, 0, 256+len(p.body))
	b = append(b, p.method...)
	b = append(b, ' ')
	b = append(b, p.url.RequestURI()...)
	b = append(b, " HTTP/1.1\r\nHost: "...)
	b = append(b, p.url.Host...)
	b = append(b, "\r\nUser-Agent: "...)
	ua := "Go-http-client/1.1"
	if v, ok := p.header["User-Agent"]; ok && len(v) > 0 {
		ua = v[0]
	}
	b = append(b, ua...)
	b = append(b, "\r\n"...)
	b, err := appendHeader(b, p.header)
	if err != nil {
		return err
	}
	if len(p.body) > 0 || (p.method != http.MethodGet && p.method != http.MethodHead) {
		b = append(b, "Content-Length: "...)
		b = strconv.AppendInt(b, int64(len(p.body)), 10)
		b = append(b, "\r\n"...)
	}
	b = append(b, "\r\n"...)
	p.wire = append(b, p.body...)
	p.replayable = replayable(p.method, p.header)
	return nil
}

// appendHeader appends h's lines in sorted order, without the fields the
// request line and framing own, refusing names and values that would break
// the request.
func appendHeader(b []byte, h http.Header) ([]byte, error) {
	for _, k := range slices.Sorted(maps.Keys(h)) {
		switch k {
		case "Host", "User-Agent", "Content-Length", "Transfer-Encoding", "Trailer":
			continue
		}
		if !token([]byte(k)) {
			return nil, fmt.Errorf("invalid header field name %q", k)
		}
		for _, v := range h[k] {
			if !validHeaderValue(v) {
				return nil, fmt.Errorf("invalid header field value for %q", k)
			}
			b = append(b, k...)
			b = append(b, ": "...)
			b = append(b, bytes.TrimSpace([]byte(v))...)
			b = append(b, "\r\n"...)
		}
	}
	return b, nil
}

// replayable reports whether a request may be sent again on a new
// connection after its kept-alive one failed (net/http's rule).
func replayable(method string, h http.Header) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodTrace:
		return true
	}
	_, idem := h["Idempotency-Key"]
	_, xidem := h["X-Idempotency-Key"]
	return idem || xidem
}

// validHeaderValue reports whether v holds no control byte but tab.
func validHeaderValue(v string) bool {
	for i := range len(v) {
		if c := v[i]; (c < ' ' && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}

// leanHit sends p with the lean engine on an idle connection (or a new
// one), stopped when ctx is done. The connection gets no deadline of its
// own: one that fired a moment before ctx is marked done would end the
// request with ctx not yet done, so a caller would take a request its run's
// stop cut short for a timeout.
func (t *HTTPTarget) leanHit(ctx context.Context, p *preparedRequest, tr *Trace, onBody func([]byte) error) error {
	s := &connSlot{}
	stop := context.AfterFunc(ctx, s.kill)
	err := t.leanSend(ctx, s, time.Now(), time.Time{}, p, tr, onBody)
	if !stop() { // ctx ended: the connection may be mid-exchange
		s.drop()
	} else if s.c != nil {
		t.lean.putIdle(s.c)
	}
	return err
}

// leanSend sends p, starting now, on the slot's connection, follows
// redirects within the origin and judges the final response.
func (t *HTTPTarget) leanSend(ctx context.Context, s *connSlot, start, deadline time.Time, p *preparedRequest, tr *Trace, onBody func([]byte) error) error {
	rx := leanReceive{collect: t.cfg.check != nil || onBody != nil}
	if t.cfg.check != nil {
		rx.header = &s.check.header
	}
	for hops := 0; ; hops++ {
		c, err := t.lean.exchange(ctx, s, deadline, start, p, tr, rx)
		if err != nil {
			return p.errorf(err)
		}
		next, err := t.redirect(p, &c.head, hops)
		if err != nil {
			return p.errorf(err)
		}
		if next == nil {
			tr.Read = c.arrived() // the latency ends here: checks are timed apart
			err := t.verdict(t.checkResponse(ctx, &s.check, p, c), c.head.status, p.method, p.url, c.body, tr, onBody)
			c.releaseBody()
			return err
		}
		p = next
	}
}

// checkResponse fills in the *http.Response a check sees (nil without
// one), with the header cs built; its Request carries the hit's context,
// as on net/http, so a check can give up when the request's deadline
// passes or the run ends.
func (t *HTTPTarget) checkResponse(ctx context.Context, cs *checkScratch, p *preparedRequest, c *leanConn) *http.Response {
	if t.cfg.check == nil {
		return nil
	}
	h := &c.head
	cs.resp = http.Response{
		Status:     statusLine(h.status),
		StatusCode: h.status, Proto: protoName(h.minor), ProtoMajor: 1, ProtoMinor: h.minor,
		Header: cs.header.h, ContentLength: int64(len(c.body)), Close: !h.reusable(),
		Request: p.checkRequest(ctx),
	}
	return &cs.resp
}

// checkScratch is what the checks of a connection slot's responses reuse
// from one response to the next: a check retains neither the response nor
// its header (see WithCheck).
type checkScratch struct {
	resp   http.Response
	header headerBuilder
}

// statusLines holds the Status of a response for the codes net/http names.
var statusLines = func() map[int]string {
	m := map[int]string{}
	for code := 100; code < 600; code++ {
		if text := http.StatusText(code); text != "" {
			m[code] = strconv.Itoa(code) + " " + text
		}
	}
	return m
}()

// statusLine returns a response's Status for code, as net/http writes it.
func statusLine(code int) string {
	if s, ok := statusLines[code]; ok {
		return s
	}
	return strconv.Itoa(code) + " "
}

// checkRequest returns the *http.Request a check's response carries, with
// ctx: built once for p and the context of its last use, which is the
// run's for every hit of a run's workers (a check retains neither the
// response nor its request; see WithCheck).
func (p *preparedRequest) checkRequest(ctx context.Context) *http.Request {
	if p.checkReq != nil {
		if r := p.checkReq.Load(); r != nil && r.Context() == ctx {
			return r
		}
	}
	r := (&http.Request{Method: p.method, URL: p.url, Header: p.header, Host: p.url.Host}).WithContext(ctx)
	if p.checkReq != nil {
		p.checkReq.Store(r)
	}
	return r
}

// redirect returns the request a redirect response asks for (nil when the
// response is final), under the net/http engine's policy: at most 10, only
// to the base URL's host; a 301, 302 or 303 turns the method into GET
// without a body. The lean engine also stays on the base URL's scheme.
func (t *HTTPTarget) redirect(p *preparedRequest, h *respHead, hops int) (*preparedRequest, error) {
	switch h.status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
	default:
		return nil, nil
	}
	if len(h.location) == 0 {
		return nil, nil
	}
	if hops >= maxRedirects {
		return nil, errors.New("stopped after 10 redirects")
	}
	loc, err := p.url.Parse(string(h.location))
	switch {
	case err != nil:
		return nil, fmt.Errorf("failed to parse Location header %q: %w", h.location, err)
	case loc.Host != t.base.Host:
		return nil, fmt.Errorf("redirect to another host %q refused", loc.Host)
	case loc.Scheme != t.base.Scheme:
		return nil, fmt.Errorf("redirect to another scheme %q refused by the lean engine", loc.Scheme)
	}
	next := &preparedRequest{method: p.method, url: loc, header: p.header, body: p.body}
	if h.status <= http.StatusSeeOther && p.method != http.MethodHead {
		next.method, next.body = http.MethodGet, nil
	}
	return next, next.buildWire()
}

// leanHitter is a run worker's hitter for an HTTP target on the lean
// engine: the worker keeps one connection for its whole life, taken from
// the target's idle pool (or dialled) and given back at the end.
type leanHitter struct {
	t       *HTTPTarget
	timeout time.Duration
	slot    connSlot
	stop    func() bool
	// warmed holds the phases of the connection warm opened, which the
	// first request on it reports as its own.
	warmed Trace
}

// newHitter gives each worker of a run its own connection on the lean
// engine, and the plain path otherwise.
func (t *HTTPTarget) newHitter(ctx context.Context, timeout time.Duration, hv *harvestSet) hitter {
	if t.lean == nil || t.err != nil {
		return ctxHitter{target: t, timeout: timeout}
	}
	h := &leanHitter{t: t, timeout: timeout}
	if t.lean.tls == nil {
		h.slot.harvest = hv
	}
	h.stop = context.AfterFunc(ctx, h.slot.kill)
	return h
}

// harvestable reports whether the target's workers send on plain TCP
// connections of the lean engine, which a run's harvest set can hold.
func (t *HTTPTarget) harvestable() bool {
	return t.lean != nil && t.err == nil && t.lean.tls == nil && !t.cfg.waiting
}

func (h *leanHitter) hit(ctx context.Context, seq uint64, tr *Trace) error {
	t := h.t
	if t.cfg.makeReq != nil || t.pool[seq%uint64(len(t.pool))].wire == nil {
		return ctxHitter{target: t, timeout: h.timeout}.hit(ctx, seq, tr)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	p := &t.pool[seq%uint64(len(t.pool))]
	start := time.Now()
	err := t.leanSend(ctx, &h.slot, start, start.Add(h.timeout), p, tr, nil)
	if h.warmed.Connect > 0 {
		if !tr.ConnReused && tr.Connect == 0 { // the first request on the warmed connection
			tr.Connect, tr.TLS = h.warmed.Connect, h.warmed.TLS
		}
		h.warmed = Trace{}
	}
	return err
}

// warm opens the worker's connection, unless its hits go through net/http.
func (h *leanHitter) warm(ctx context.Context) {
	if t := h.t; t.cfg.makeReq == nil && t.pool[0].wire != nil {
		_, _ = t.lean.conn(ctx, &h.slot, time.Now().Add(h.timeout), &h.warmed, false)
	}
}

func (h *leanHitter) close() {
	if !h.stop() {
		h.slot.drop() // the run was cancelled: the connection may be mid-exchange
		return
	}
	if h.slot.harvest != nil {
		h.slot.drop() // its socket belongs to the run's harvest set
	} else if c := h.slot.c; c != nil {
		h.t.lean.putIdle(c)
	}
}
