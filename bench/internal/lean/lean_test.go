package lean

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/chunked":
			w.Write([]byte("part one "))
			w.(http.Flusher).Flush()
			w.Write([]byte("part two"))
		case "/close":
			w.Header().Set("Connection", "close")
			w.Write([]byte("bye"))
		case "/echo":
			b, _ := io.ReadAll(r.Body)
			w.Write([]byte(r.Method + " " + r.URL.RawQuery + " " + r.Header.Get("X-K") + " " + string(b)))
		case "/slow":
			time.Sleep(time.Second)
		default:
			w.Write([]byte(`{"ok":1,"id":42}`))
		}
	}))
	srv.Start()
	defer srv.Close()
	tr := &Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	tests := []struct {
		name, method, path, body, want string
		timeout                        time.Duration
		wantErr                        error
	}{
		{name: "content length", method: "GET", path: "/", want: `{"ok":1,"id":42}`},
		{name: "chunked", method: "GET", path: "/chunked", want: "part one part two"},
		{name: "connection close", method: "GET", path: "/close", want: "bye"},
		{name: "method, query, header and body", method: "POST", path: "/echo?a=1", body: "hi", want: "POST a=1 v hi"},
		{name: "timeout", method: "GET", path: "/slow", timeout: 50 * time.Millisecond, wantErr: context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			if tt.timeout > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.timeout)
				defer cancel()
			}
			req, err := http.NewRequestWithContext(ctx, tt.method, srv.URL+tt.path, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("X-K", "v")
			resp, err := c.Do(req)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("error %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil || string(b) != tt.want {
				t.Fatalf("body %q, %v; want %q", b, err, tt.want)
			}
		})
	}
}

func TestKeepsConnectionsAlive(t *testing.T) {
	var accepted atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) }))
	srv.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			accepted.Add(1)
		}
	}
	srv.Start()
	defer srv.Close()
	tr := &Transport{}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr}
	for i := range 50 {
		resp, err := c.Get(srv.URL)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	if n := accepted.Load(); n != 1 {
		t.Fatalf("50 sequential requests used %d connections, want 1", n)
	}
}
