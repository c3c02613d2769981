package loadrunner_test

import (
	"crypto/tls"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
)

// connPlan is a short run: enough requests to count, little load.
var connPlan = loadrunner.Plan{Rate: 40, Duration: 250 * time.Millisecond}

// TestConnections runs against real loopback TLS and h2c servers the test
// starts: a private CA trusted or not, verification skipped, a client
// certificate required, HTTP/2 over TLS and in clear text. Each case gives
// the protocol its responses must have come over, or the class every
// request must fail with.
func TestConnections(t *testing.T) {
	pki := testtool.NewPKI(t)
	h := testtool.ProtoHandler()
	plain := pki.StartTLSServer(t, h, testtool.TLSServer{})
	h2 := pki.StartTLSServer(t, h, testtool.TLSServer{HTTP2: true})
	mtls := pki.StartTLSServer(t, h, testtool.TLSServer{RequireClientCert: true})
	h2mtls := pki.StartTLSServer(t, h, testtool.TLSServer{HTTP2: true, RequireClientCert: true})
	h2c := testtool.StartH2CServer(t, h)
	trust := &tls.Config{RootCAs: pki.Roots}
	withCert := &tls.Config{RootCAs: pki.Roots, Certificates: []tls.Certificate{pki.Client}}
	tests := []struct {
		name      string
		srv       *httptest.Server
		opts      []loadrunner.HTTPOption
		wantProto string
		wantClass loadrunner.Class
		engine    loadrunner.Engine
	}{
		{"private CA trusted", plain, tlsOpts(trust), "HTTP/1.1", "", loadrunner.EngineLean},
		{"private CA trusted, net/http", plain, tlsOpts(trust, loadrunner.WithEngine(loadrunner.EngineNetHTTP)), "HTTP/1.1", "", loadrunner.EngineNetHTTP},
		{"private CA not trusted", plain, nil, "", loadrunner.ClassTLS, loadrunner.EngineLean},
		{"private CA not trusted, net/http", plain, []loadrunner.HTTPOption{loadrunner.WithEngine(loadrunner.EngineNetHTTP)}, "", loadrunner.ClassTLS, loadrunner.EngineNetHTTP},
		{"verification skipped", plain, tlsOpts(&tls.Config{InsecureSkipVerify: true}), "HTTP/1.1", "", loadrunner.EngineLean},
		{"client certificate given", mtls, tlsOpts(withCert), "HTTP/1.1", "", loadrunner.EngineLean},
		{"client certificate given, net/http", mtls, tlsOpts(withCert, loadrunner.WithEngine(loadrunner.EngineNetHTTP)), "HTTP/1.1", "", loadrunner.EngineNetHTTP},
		{"client certificate missing", mtls, tlsOpts(trust), "", classMostlyTLS, loadrunner.EngineLean},
		{"client certificate missing, net/http", mtls, tlsOpts(trust, loadrunner.WithEngine(loadrunner.EngineNetHTTP)), "", classMostlyTLS, loadrunner.EngineNetHTTP},
		{"HTTP/2 over TLS", h2, tlsOpts(trust, loadrunner.WithProtocol(loadrunner.ProtocolHTTP2)), "HTTP/2.0", "", loadrunner.EngineNetHTTP},
		{"HTTP/2 with a client certificate", h2mtls, tlsOpts(withCert, loadrunner.WithProtocol(loadrunner.ProtocolHTTP2)), "HTTP/2.0", "", loadrunner.EngineNetHTTP},
		{"HTTP/2 without a client certificate", h2mtls, tlsOpts(trust, loadrunner.WithProtocol(loadrunner.ProtocolHTTP2)), "", classMostlyTLS, loadrunner.EngineNetHTTP},
		{"default protocol to an HTTP/2 server", h2, tlsOpts(trust), "HTTP/1.1", "", loadrunner.EngineLean},
		{"h2c", h2c, []loadrunner.HTTPOption{loadrunner.WithProtocol(loadrunner.ProtocolH2C)}, "HTTP/2.0", "", loadrunner.EngineNetHTTP},
		{"default protocol to an h2c server", h2c, nil, "HTTP/1.1", "", loadrunner.EngineLean},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := loadrunner.HTTP(tt.srv.URL, tt.opts...)
			if err := target.Validate(); err != nil {
				t.Fatal(err)
			}
			if got := target.Engine(); got != tt.engine {
				t.Errorf("engine %s, want %s", got, tt.engine)
			}
			res, err := loadrunner.Run(t.Context(), connPlan, target)
			if err != nil {
				t.Fatal(err)
			}
			checkConnResult(t, res, tt.wantProto, tt.wantClass)
		})
	}
}

// checkConnResult checks that every request succeeded over proto, or
// that every one failed with class.
func checkConnResult(t *testing.T, res *loadrunner.Result, proto string, class loadrunner.Class) {
	t.Helper()
	if res.Requests == 0 {
		t.Fatal("no request completed")
	}
	if class == classMostlyTLS {
		// A refused client certificate reaches the client after its side
		// of a TLS 1.3 handshake completed: a request can meet the closed
		// connection first (a broken pipe; on HTTP/2, whose requests share
		// one connection, "client conn could not be established").
		tlsErrs := res.Errors.ByClass[loadrunner.ClassTLS]
		if res.Errors.Total != res.Requests || tlsErrs == 0 || !allTransport(res.Errors.ByClass) {
			t.Fatalf("errors %v of %d requests, want all in transport, some transport.tls: %v", res.Errors.ByClass, res.Requests, res.Errors.Examples)
		}
		return
	}
	if class != "" {
		if got := res.Errors.ByClass[class]; got != res.Requests {
			t.Fatalf("%d of %d requests failed with %s, want all; errors %v %v", got, res.Requests, class, res.Errors.ByClass, res.Errors.Examples)
		}
		return
	}
	if res.Errors.Total != 0 {
		t.Fatalf("errors %v: %v", res.Errors.ByClass, res.Errors.Examples)
	}
	if got := res.Protocols[proto]; got != res.Requests || len(res.Protocols) != 1 {
		t.Errorf("protocols %v, want all %d over %s", res.Protocols, res.Requests, proto)
	}
}

// classMostlyTLS: every request fails in the transport family, some of
// them with transport.tls.
const classMostlyTLS loadrunner.Class = "transport.tls mostly"

func allTransport(byClass map[loadrunner.Class]uint64) bool {
	for c := range byClass {
		if !c.In(loadrunner.FamilyTransport) {
			return false
		}
	}
	return true
}

func tlsOpts(cfg *tls.Config, more ...loadrunner.HTTPOption) []loadrunner.HTTPOption {
	return append([]loadrunner.HTTPOption{loadrunner.WithTLSConfig(cfg)}, more...)
}

// TestHTTP2NotNegotiatedFails: HTTP/2 asked of a TLS server that speaks
// only HTTP/1.1 fails every request, naming what was negotiated, and the
// result counts the responses under the protocol they really came over.
func TestHTTP2NotNegotiatedFails(t *testing.T) {
	pki := testtool.NewPKI(t)
	srv := pki.StartTLSServer(t, testtool.ProtoHandler(), testtool.TLSServer{})
	target := loadrunner.HTTP(srv.URL, loadrunner.WithTLSConfig(&tls.Config{RootCAs: pki.Roots}), loadrunner.WithProtocol(loadrunner.ProtocolHTTP2))
	res, err := loadrunner.Run(t.Context(), connPlan, target)
	if err != nil {
		t.Fatal(err)
	}
	checkConnResult(t, res, "", loadrunner.ClassTLS)
	if got := res.Protocols["HTTP/1.1"]; got != res.Requests {
		t.Errorf("protocols %v, want all %d over HTTP/1.1", res.Protocols, res.Requests)
	}
	ex := strings.Join(res.Errors.Examples[loadrunner.ClassTLS], "\n")
	if !strings.Contains(ex, "answered in HTTP/1.1, not HTTP/2") {
		t.Errorf("examples %q do not say what was negotiated", ex)
	}
}

// TestProtocolMisuse: a protocol that cannot be used as configured is
// refused before anything is sent, saying what to use instead.
func TestProtocolMisuse(t *testing.T) {
	tests := []struct {
		name, url string
		opts      []loadrunner.HTTPOption
		want      string
	}{
		{"HTTP/2 over clear text", "http://127.0.0.1:1", []loadrunner.HTTPOption{loadrunner.WithProtocol(loadrunner.ProtocolHTTP2)}, "for HTTP/2 in clear text use h2c"},
		{"h2c over TLS", "https://127.0.0.1:1", []loadrunner.HTTPOption{loadrunner.WithProtocol(loadrunner.ProtocolH2C)}, "over TLS use 2"},
		{"HTTP/2 on the lean engine", "https://127.0.0.1:1", []loadrunner.HTTPOption{loadrunner.WithProtocol(loadrunner.ProtocolHTTP2), loadrunner.WithEngine(loadrunner.EngineLean)}, "speaks HTTP/1.1 only"},
		{"HTTP/2 with a client of one's own", "https://127.0.0.1:1", []loadrunner.HTTPOption{loadrunner.WithProtocol(loadrunner.ProtocolHTTP2), loadrunner.WithClient(nil)}, ""},
		{"unknown", "http://127.0.0.1:1", []loadrunner.HTTPOption{loadrunner.WithProtocol("3")}, `protocol "3" is not "1.1", "2" or "h2c"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := loadrunner.HTTP(tt.url, tt.opts...).Validate()
			if tt.want == "" {
				return // WithClient(nil) leaves the target's own client: allowed
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// TestMergeAddsProtocols: Merge adds the protocol counts of its results.
func TestMergeAddsProtocols(t *testing.T) {
	a := loadrunner.Result{Plan: connPlan, Protocols: map[string]uint64{"HTTP/2.0": 3}}
	b := loadrunner.Result{Plan: connPlan, Protocols: map[string]uint64{"HTTP/2.0": 2, "HTTP/1.1": 1}}
	c := loadrunner.Result{Plan: connPlan}
	m, err := loadrunner.Merge(&a, &b, &c)
	if err != nil {
		t.Fatal(err)
	}
	if m.Protocols["HTTP/2.0"] != 5 || m.Protocols["HTTP/1.1"] != 1 || len(m.Protocols) != 2 {
		t.Errorf("merged protocols %v", m.Protocols)
	}
	if a.Protocols["HTTP/2.0"] != 3 || len(a.Protocols) != 1 {
		t.Errorf("merge changed its first input: %v", a.Protocols)
	}
	b2, err := m.MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b2), `"protocols":{"HTTP/1.1":1,"HTTP/2.0":5}`) {
		t.Errorf("JSON has no protocols: %s", b2)
	}
	var back loadrunner.Result
	if err := back.UnmarshalJSON(b2); err != nil || back.Protocols["HTTP/2.0"] != 5 {
		t.Errorf("protocols read back %v (%v)", back.Protocols, err)
	}
}
