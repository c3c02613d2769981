package loadrunner

import (
	"crypto/tls"
	"fmt"
	"net/http"
)

// Protocol names the HTTP version an HTTP target speaks to its service.
type Protocol string

// The protocols of an HTTP target. Only ProtocolHTTP1 runs on the lean
// engine; the others select the net/http engine (see WithProtocol).
const (
	// ProtocolHTTP1, the default (as is ""), is HTTP/1.1, over TLS for
	// https:// (ALPN http/1.1) and in clear text for http://.
	ProtocolHTTP1 Protocol = "1.1"
	// ProtocolHTTP2 is HTTP/2 over TLS: https:// only, ALPN offering h2
	// (and http/1.1, so that the handshake of a server without HTTP/2
	// succeeds and says so). A response that came over another protocol
	// than HTTP/2 fails with class transport.tls, naming the protocol the
	// server negotiated, so that a run cannot pass as HTTP/2 when it was not.
	ProtocolHTTP2 Protocol = "2"
	// ProtocolH2C is HTTP/2 in clear text with prior knowledge (no
	// Upgrade): http:// only, for a server that accepts unencrypted HTTP/2
	// (in Go, http.Server.Protocols with SetUnencryptedHTTP2).
	ProtocolH2C Protocol = "h2c"
)

// WithProtocol selects the HTTP version the target speaks (default
// ProtocolHTTP1). The lean engine speaks HTTP/1.1 only, so ProtocolHTTP2 and
// ProtocolH2C select the net/http engine, with http.Transport.Protocols
// set to match; combined with WithEngine(EngineLean), or with a client of
// one's own (WithClient, whose transport says its own protocols), they are
// an error. The protocol of every response is counted in Result.Protocols.
func WithProtocol(p Protocol) HTTPOption {
	return httpOptionFunc(func(c *httpConfig) { c.proto = p })
}

// checkProtocol reports a protocol that cannot be used as configured.
func (t *HTTPTarget) checkProtocol() error {
	switch p := t.cfg.proto; p {
	case "", ProtocolHTTP1:
		return nil
	case ProtocolHTTP2, ProtocolH2C:
		switch {
		case t.cfg.engine == EngineLean:
			return fmt.Errorf("loadrunner: http: engine %s speaks HTTP/1.1 only, not protocol %s", EngineLean, p)
		case t.cfg.client != nil:
			return fmt.Errorf("loadrunner: http: protocol %s sets the target's own transport: with WithClient, set the protocols of the client's transport", p)
		case p == ProtocolHTTP2 && t.base.Scheme != "https":
			return fmt.Errorf("loadrunner: http: protocol %s is HTTP/2 over TLS and needs an https base url; for HTTP/2 in clear text use %s", p, ProtocolH2C)
		case p == ProtocolH2C && t.base.Scheme != "http":
			return fmt.Errorf("loadrunner: http: protocol %s is HTTP/2 in clear text and needs an http base url; over TLS use %s", p, ProtocolHTTP2)
		}
		return nil
	default:
		return fmt.Errorf("loadrunner: http: protocol %q is not %q, %q or %q", p, ProtocolHTTP1, ProtocolHTTP2, ProtocolH2C)
	}
}

// Protocol returns the HTTP version the target speaks (ProtocolHTTP1 when
// none was chosen).
func (t *HTTPTarget) Protocol() Protocol {
	if t.cfg.proto == "" {
		return ProtocolHTTP1
	}
	return t.cfg.proto
}

// TransportProtocols returns the http.Transport protocols that speak p as
// an HTTP target does, for a client of one's own (WithClient, a document
// fetched from the service): HTTP/1.1; HTTP/2 and HTTP/1.1 for
// ProtocolHTTP2 (over TLS the server's ALPN choice decides); unencrypted
// HTTP/2 without HTTP/1 (so prior knowledge) and HTTP/2 for ProtocolH2C.
func (p Protocol) TransportProtocols() *http.Protocols {
	var ps http.Protocols
	switch p {
	case ProtocolHTTP2:
		ps.SetHTTP1(true) // offered in ALPN so that a server without h2 says so
		ps.SetHTTP2(true)
	case ProtocolH2C:
		ps.SetUnencryptedHTTP2(true) // and HTTP/1 off: prior knowledge
		ps.SetHTTP2(true)
	default:
		ps.SetHTTP1(true)
	}
	return &ps
}

// checkNegotiated fails a response that came over another protocol than
// the HTTP/2 the target was told to speak.
func (t *HTTPTarget) checkNegotiated(resp *http.Response) error {
	if t.cfg.proto != ProtocolHTTP2 || resp.ProtoMajor == 2 {
		return nil
	}
	alpn := "none"
	if resp.TLS != nil && resp.TLS.NegotiatedProtocol != "" {
		alpn = resp.TLS.NegotiatedProtocol
	}
	return ClassError(ClassTLS, fmt.Errorf("%s %s: the server answered in %s, not HTTP/2 (ALPN chose %s): it does not offer h2 over TLS",
		resp.Request.Method, resp.Request.URL.Path, resp.Proto, alpn))
}

// tlsFor returns the TLS configuration of a transport of the target's own:
// a copy of the configured one (http.Transport sets NextProtos in the
// configuration it is given), or a default one.
func tlsFor(cfg *tls.Config) *tls.Config {
	if cfg == nil {
		return &tls.Config{MinVersion: tls.VersionTLS12}
	}
	return cfg.Clone()
}

// protoName returns the protocol of a response read by the lean engine,
// as net/http writes it in http.Response.Proto, without allocating.
func protoName(minor int) string {
	if minor == 0 {
		return "HTTP/1.0"
	}
	return "HTTP/1.1"
}
