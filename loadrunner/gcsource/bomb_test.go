package gcsource_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

// TestScrapeOfADecompressionBombIsBounded: a service whose /debug/vars and
// /metrics answer with gzip that expands to 960 MiB. Go's transport asks
// for gzip and decompresses; the scrape reads the expanded body only up to
// its bound (8 MiB) and fails saying so, allocating a few times the bound.
func TestScrapeOfADecompressionBombIsBounded(t *testing.T) {
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 8<<20))
	zw.Close()
	bomb := bytes.Repeat(member.Bytes(), 120) // 960 MiB expanded
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	defer srv.Close()
	for _, s := range []struct {
		name  string
		begin func() error
	}{
		{"expvar", func() error { return gcsource.Expvar(srv.URL + "/debug/vars").Begin(t.Context()) }},
		{"prometheus", func() error { return gcsource.Prometheus(srv.URL + "/metrics").Begin(t.Context()) }},
	} {
		t.Run(s.name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			err := s.begin()
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "body larger than 8388608 bytes") {
				t.Fatalf("error %v, want the body bound", err)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64<<20 {
				t.Errorf("the scrape allocated %d MiB", alloc>>20)
			}
		})
	}
}
