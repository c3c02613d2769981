package loadrunner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// BenchmarkPacer measures the pacer: the intended time of the next hit.
func BenchmarkPacer(b *testing.B) {
	s := newSchedule(Plan{Stages: []Stage{{Duration: time.Hour, From: 1000, To: 20000}}})
	seg := 0
	b.ReportAllocs()
	var k uint64
	for b.Loop() {
		if _, _, _, ok := s.hit(k, &seg); !ok {
			k, seg = 0, 0
		}
		k++
	}
}

// BenchmarkRecord measures recording one completed request into a shard.
func BenchmarkRecord(b *testing.B) {
	r := newRecorder(0)
	tr := &Trace{Status: 200, TTFB: 300 * time.Microsecond, ConnReused: true}
	s := &sample{latency: 2 * time.Millisecond, service: time.Millisecond, lag: 100 * time.Microsecond, tr: tr}
	b.ReportAllocs()
	for b.Loop() {
		r.record(s)
	}
}

// BenchmarkRecordError measures recording a failed request once the class's
// examples are full.
func BenchmarkRecordError(b *testing.B) {
	r := newRecorder(0)
	s := &sample{latency: 2 * time.Millisecond, err: ClassError(Class5xx, errors.New("status 503")), tr: &Trace{Status: 503}}
	b.ReportAllocs()
	for b.Loop() {
		r.record(s)
	}
}

// BenchmarkMergeResults measures merging two one-minute results.
func BenchmarkMergeResults(b *testing.B) {
	mk := func() *Result {
		r := &Result{Plan: Plan{Rate: 1000, Duration: time.Minute}, Latency: NewHistogram(), ServiceTime: NewHistogram(), SendLag: NewHistogram()}
		for i := range 60000 {
			r.Latency.Record(time.Duration(i%5000) * time.Microsecond)
		}
		start := time.Now()
		for i := range 60 { // a thousand latencies a second, spread over 1–5 ms
			h := NewHistogram()
			for j := range 1000 {
				h.Record(time.Millisecond + time.Duration(j*4)*time.Microsecond)
			}
			r.Timeseries = append(r.Timeseries, Interval{Start: start.Add(time.Duration(i) * time.Second), Length: time.Second, Latency: h.Buckets()})
		}
		return r
	}
	a, c := mk(), mk()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Merge(a, c); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHotPathDoesNotAllocate keeps the benchmarks' promise in the test run.
func TestHotPathDoesNotAllocate(t *testing.T) {
	s := newSchedule(Plan{Rate: 1000, Duration: time.Hour})
	r := newRecorder(0)
	smp := &sample{latency: time.Millisecond, err: ClassError(Class5xx, errors.New("x")), tr: &Trace{Status: 503}}
	r.record(smp) // the first error of a class stores its example
	ok := &sample{latency: time.Millisecond, tr: &Trace{Status: 200, Checked: true, CheckTime: 40 * time.Microsecond}}
	r.record(ok)
	seg, k := 0, uint64(0)
	allocs := testing.AllocsPerRun(1000, func() {
		s.hit(k, &seg)
		k++
		r.record(smp)
		r.record(ok)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per request in pacing and recording", allocs)
	}
}

// BenchmarkHTTPHit measures one request of the HTTP target through Hit
// over a kept-alive loopback connection (the in-process net/http server's
// cost included), on each engine, without and with a response check that
// decodes the small JSON body.
func BenchmarkHTTPHit(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":1,"id":42}`))
	}))
	defer srv.Close()
	check := func(resp *http.Response, body []byte) error {
		var v struct{ OK, ID int }
		if err := json.Unmarshal(body, &v); err != nil {
			return fmt.Errorf("body: %w", err)
		}
		return nil
	}
	for _, bc := range []struct {
		name string
		opts []HTTPOption
	}{
		{"lean/plain", nil},
		{"lean/check", []HTTPOption{WithCheck(check)}},
		{"nethttp/plain", []HTTPOption{WithEngine(EngineNetHTTP)}},
		{"nethttp/check", []HTTPOption{WithEngine(EngineNetHTTP), WithCheck(check)}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			t := HTTP(srv.URL, bc.opts...)
			ctx := context.Background()
			var tr Trace
			b.ReportAllocs()
			for b.Loop() {
				tr = Trace{}
				if err := t.Hit(ctx, 0, &tr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestReadBounded checks the body reader of the HTTP hot path: exact up to
// the bound, over it past the bound, and no allocation once its buffer grew.
func TestReadBounded(t *testing.T) {
	const limit = 1024
	tests := []struct {
		name    string
		size    int
		oneByte bool
		over    bool
	}{
		{"empty", 0, false, false},
		{"small", 16, false, false},
		{"at the bound", limit, false, false},
		{"one past the bound", limit + 1, false, true},
		{"far past the bound", 50 * limit, false, true},
		{"one byte per read", 700, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := bytes.Repeat([]byte("x"), tt.size)
			var r io.Reader = bytes.NewReader(src)
			if tt.oneByte {
				r = iotest.OneByteReader(r)
			}
			body, over, err := readBounded(r, make([]byte, 0, 8), limit)
			if err != nil || over != tt.over {
				t.Fatalf("over %t, error %v; want over %t", over, err, tt.over)
			}
			if !over && !bytes.Equal(body, src) {
				t.Fatalf("read %d bytes, want %d", len(body), len(src))
			}
			if len(body) > limit+1 {
				t.Fatalf("read %d bytes past a bound of %d", len(body), limit)
			}
		})
	}
	buf := make([]byte, 0, 64)
	src := bytes.NewReader([]byte(`{"ok":1,"id":42}`))
	allocs := testing.AllocsPerRun(100, func() {
		src.Seek(0, io.SeekStart)
		buf, _, _ = readBounded(src, buf, limit)
	})
	if allocs != 0 {
		t.Fatalf("%.1f allocations per small body", allocs)
	}
}

// BenchmarkLeanHit measures a run worker's hit on the lean engine (its own
// kept-alive connection, the request bytes built once) against a loopback
// server that allocates nothing, so allocs/op are the engine's own: 0.
func BenchmarkLeanHit(b *testing.B) {
	for _, bc := range []struct{ name, resp string }{
		{"content-length", cannedOK},
		{"chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"ok\":1,\"id\":42}\r\n0\r\n\r\n"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			srv := startCannedServer(b, bc.resp)
			t := HTTP(srv.URL())
			defer t.CloseIdleConnections()
			h := t.newHitter(context.Background(), 5*time.Second, nil)
			defer h.close()
			var tr Trace
			b.ReportAllocs()
			for b.Loop() {
				tr.reset()
				if err := h.hit(context.Background(), 0, &tr); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRedact measures redacting one error message of the kind a run
// records: with nothing to redact; with a URL, a header and a JSON field to
// redact; a check quoting a 1 MiB JSON body; and 1 MiB of text built to
// make a scan go back and forth (colons, quotes, = and :// over and over).
func BenchmarkRedact(b *testing.B) {
	red := NewRedactor([]string{"X-Tenant"}, []string{"s3cret-value"})
	var body strings.Builder
	for body.Len() < 1<<20 {
		fmt.Fprintf(&body, `{"id":%d,"name":"item","token":"t-%d","tags":["a:b","c=d"]},`, body.Len(), body.Len())
	}
	for _, c := range []struct{ name, msg string }{
		{"clean", "operation getItem: status 200: body schema at /id: value must be an integer"},
		{"secrets", `Get "http://127.0.0.1:8080/items?api_key=k-1": check failed: Authorization: Bearer s3cret-value {"token":"t-1"}`},
		{"body-1MiB", "unexpected body " + body.String()},
		{"hostile-1MiB", strings.Repeat(`"a": ://x:y "token":"  ==a=b `, 1<<20/30)},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.SetBytes(int64(len(c.msg)))
			b.ReportAllocs()
			for b.Loop() {
				red.String(c.msg)
			}
		})
	}
}
