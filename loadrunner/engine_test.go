package loadrunner_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// engineServer serves the paths the engine tests use.
func engineServer(t *testing.T, tlsServer bool) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Seen", r.Method+" "+r.Header.Get("X-Key")+" "+r.UserAgent())
		io.WriteString(w, `{"ok":1,"id":42}`)
	})
	mux.HandleFunc("/echo", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("X-Seen", r.Method+" "+string(b))
	})
	mux.HandleFunc("/chunked", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "part one ")
		w.(http.Flusher).Flush()
		io.WriteString(w, "part two")
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://elsewhere.invalid/ok", http.StatusFound)
	})
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	var srv *httptest.Server
	if tlsServer {
		srv = httptest.NewTLSServer(mux)
	} else {
		srv = httptest.NewServer(mux)
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestEnginesAgree: the same requests end the same way on both engines:
// status, body, the check's view of the response, redirects and their
// policy, status classes, TLS.
func TestEnginesAgree(t *testing.T) {
	type seen struct {
		status         int
		header, method string
		body           string
	}
	tests := []struct {
		name      string
		tls       bool
		req       loadrunner.Request
		want      seen
		wantClass loadrunner.Class
		wantErr   string
	}{
		{name: "get with a header", req: loadrunner.Request{Method: "GET", URL: "/ok", Header: http.Header{"X-Key": {"v"}}},
			want: seen{200, "GET v Go-http-client/1.1", "GET", `{"ok":1,"id":42}`}},
		{name: "post with a body", req: loadrunner.POST("/echo", "text/plain", []byte("hi")), want: seen{200, "POST hi", "POST", ""}},
		{name: "chunked", req: loadrunner.GET("/chunked"), want: seen{200, "", "GET", "part one part two"}},
		{name: "redirect followed", req: loadrunner.GET("/redirect"), want: seen{200, "GET  Go-http-client/1.1", "GET", `{"ok":1,"id":42}`}},
		{name: "redirect to another host", req: loadrunner.GET("/away"), wantClass: loadrunner.ClassTransport, wantErr: "another host"},
		{name: "redirect loop", req: loadrunner.GET("/loop"), wantClass: loadrunner.ClassTransport, wantErr: "10 redirects"},
		{name: "404", req: loadrunner.GET("/missing"), want: seen{404, "", "GET", "404 page not found\n"}, wantClass: loadrunner.Class4xx},
		{name: "tls", tls: true, req: loadrunner.GET("/ok"), want: seen{200, "GET  Go-http-client/1.1", "GET", `{"ok":1,"id":42}`}},
	}
	for _, engine := range []loadrunner.Engine{loadrunner.EngineLean, loadrunner.EngineNetHTTP} {
		for _, tt := range tests {
			t.Run(strings.ReplaceAll(string(engine), "/", "")+"/"+tt.name, func(t *testing.T) {
				srv := engineServer(t, tt.tls)
				var got seen
				check := func(resp *http.Response, body []byte) error {
					got = seen{resp.StatusCode, resp.Header.Get("X-Seen"), resp.Request.Method, string(body)}
					return nil
				}
				opts := []loadrunner.HTTPOption{tt.req, loadrunner.WithEngine(engine), loadrunner.WithCheck(check)}
				if tt.tls {
					opts = append(opts, loadrunner.WithTLSConfig(srv.Client().Transport.(*http.Transport).TLSClientConfig))
				}
				target := loadrunner.HTTP(srv.URL, opts...)
				defer target.CloseIdleConnections()
				if target.Engine() != engine {
					t.Fatalf("engine %s, want %s", target.Engine(), engine)
				}
				var tr loadrunner.Trace
				err := target.Hit(t.Context(), 0, &tr)
				if c := loadrunner.ClassOf(err); c != tt.wantClass || (tt.wantErr != "" && !strings.Contains(err.Error(), tt.wantErr)) {
					t.Fatalf("error %v (class %q), want class %q containing %q", err, c, tt.wantClass, tt.wantErr)
				}
				if tt.wantErr != "" {
					return
				}
				if got != tt.want || tr.Status != tt.want.status {
					t.Errorf("check saw %+v (trace status %d), want %+v", got, tr.Status, tt.want)
				}
				redirected := tt.req.URL == "/redirect" // the second request reuses the connection
				if tr.TTFB <= 0 || tr.ConnReused != redirected || tr.Connect <= 0 || (tt.tls && tr.TLS <= 0) {
					t.Errorf("phases %+v: want a first byte, a connect (and a handshake) on a new connection", tr)
				}
			})
		}
	}
}

// TestEngineSelection: a client of one's own selects net/http; asking for
// the lean engine with one is an error; the default is lean.
func TestEngineSelection(t *testing.T) {
	tests := []struct {
		name    string
		opts    []loadrunner.HTTPOption
		want    loadrunner.Engine
		wantErr bool
	}{
		{"default", nil, loadrunner.EngineLean, false},
		{"own client", []loadrunner.HTTPOption{loadrunner.WithClient(http.DefaultClient)}, loadrunner.EngineNetHTTP, false},
		{"net/http asked", []loadrunner.HTTPOption{loadrunner.WithEngine(loadrunner.EngineNetHTTP)}, loadrunner.EngineNetHTTP, false},
		{"lean with own client", []loadrunner.HTTPOption{loadrunner.WithEngine(loadrunner.EngineLean), loadrunner.WithClient(http.DefaultClient)}, "", true},
		{"unknown", []loadrunner.HTTPOption{loadrunner.WithEngine("h3")}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := loadrunner.HTTP("http://127.0.0.1:1", tt.opts...)
			if err := target.Validate(); (err != nil) != tt.wantErr {
				t.Fatalf("validate: %v, want error %t", err, tt.wantErr)
			}
			if !tt.wantErr && target.Engine() != tt.want {
				t.Errorf("engine %s, want %s", target.Engine(), tt.want)
			}
		})
	}
}

// TestLeanKeepsConnectionsAcrossRuns: a run's workers give their
// connections back, and the next run on the same target reuses them.
func TestLeanKeepsConnectionsAcrossRuns(t *testing.T) {
	var conns atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	target := loadrunner.HTTP(srv.URL)
	defer target.CloseIdleConnections()
	plan := loadrunner.Plan{Concurrency: 2, Duration: 200 * time.Millisecond}
	for range 2 {
		res, err := loadrunner.Run(t.Context(), plan, target)
		if err != nil || res.Errors.Total != 0 || res.Requests == 0 {
			t.Fatalf("requests %d, errors %+v, %v", res.Requests, res.Errors, err)
		}
	}
	if n := conns.Load(); n > 4 {
		t.Errorf("two runs of 2 workers opened %d connections, want them reused", n)
	}
	// The server closes every kept-alive connection between runs: each
	// stale one costs a retry on a new connection, never an error.
	srv.CloseClientConnections()
	res, err := loadrunner.Run(t.Context(), plan, target)
	if err != nil || res.Errors.Total != 0 || res.Requests == 0 {
		t.Fatalf("after the server closed the idle connections: requests %d, errors %+v, %v", res.Requests, res.Errors, err)
	}
}

// TestLeanTimeoutIsATimeout: a request that outlives the plan's timeout
// on the worker's own connection counts as a timeout, not a cancellation.
func TestLeanTimeoutIsATimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	plan := loadrunner.Plan{Rate: 20, Duration: 200 * time.Millisecond, Timeout: 100 * time.Millisecond}
	res, err := loadrunner.Run(t.Context(), plan, loadrunner.HTTP(srv.URL))
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests == 0 || res.Errors.ByClass[loadrunner.ClassTimeout] != res.Requests {
		t.Errorf("requests %d, errors %v: want every one a timeout", res.Requests, res.Errors.ByClass)
	}
	srv.CloseClientConnections()
}

// TestLeanRunOverTLS: a run's workers on the lean engine speak TLS on their
// own connections, one timed handshake per new connection.
func TestLeanRunOverTLS(t *testing.T) {
	srv := engineServer(t, true)
	target := loadrunner.HTTP(srv.URL, loadrunner.GET("/ok"),
		loadrunner.WithTLSConfig(srv.Client().Transport.(*http.Transport).TLSClientConfig))
	defer target.CloseIdleConnections()
	res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 200, Duration: 300 * time.Millisecond}, target)
	if err != nil {
		t.Fatal(err)
	}
	if res.Requests != 60 || res.Errors.Total != 0 {
		t.Fatalf("requests %d, errors %+v", res.Requests, res.Errors)
	}
	if res.TLS == nil || res.Connect == nil || res.TLS.Count() == 0 || res.TLS.Count() != res.Connect.Count() {
		t.Errorf("TLS handshakes timed: %v, connects %v: want one per new connection", res.TLS, res.Connect)
	}
}

// TestEnginesAgreeOnTheHeader: a check sees the same header on both
// engines, whatever the case of the names, with repeated names, an empty
// value and padding around a value.
func TestEnginesAgreeOnTheHeader(t *testing.T) {
	const response = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nX-Multi: a\r\nx-multi: b\r\n" +
		"X-Empty:\r\nX-Spaced:   padded value  \r\nContent-Length: 2\r\n\r\nok"
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 4096)
				for n := 0; ; {
					m, err := c.Read(buf[n:])
					if err != nil {
						return
					}
					n += m
					if strings.Contains(string(buf[:n]), "\r\n\r\n") {
						io.WriteString(c, response)
						n = 0
					}
				}
			}()
		}
	}()
	seenBy := map[loadrunner.Engine]*http.Response{}
	for _, engine := range []loadrunner.Engine{loadrunner.EngineLean, loadrunner.EngineNetHTTP} {
		var got http.Response
		check := func(resp *http.Response, body []byte) error {
			got = http.Response{Status: resp.Status, StatusCode: resp.StatusCode, Proto: resp.Proto, Header: resp.Header.Clone()}
			return nil
		}
		target := loadrunner.HTTP("http://"+ln.Addr().String(), loadrunner.WithEngine(engine), loadrunner.WithCheck(check))
		if err := target.Hit(t.Context(), 0, &loadrunner.Trace{}); err != nil {
			t.Fatalf("%s: %v", engine, err)
		}
		target.CloseIdleConnections()
		seenBy[engine] = &got
	}
	lean, std := seenBy[loadrunner.EngineLean], seenBy[loadrunner.EngineNetHTTP]
	if lean.Status != std.Status || lean.StatusCode != std.StatusCode || lean.Proto != std.Proto {
		t.Errorf("lean %q %d %q, net/http %q %d %q", lean.Status, lean.StatusCode, lean.Proto, std.Status, std.StatusCode, std.Proto)
	}
	if !reflect.DeepEqual(lean.Header, std.Header) {
		t.Errorf("lean header %q\nnet/http header %q", lean.Header, std.Header)
	}
	if got := lean.Header.Values("X-Multi"); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("X-Multi %q, want [a b]", got)
	}
}
