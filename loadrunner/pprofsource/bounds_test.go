package pprofsource_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner/pprofsource"
)

// gzipped returns n zero bytes, gzip-compressed: a small body that
// inflates to a large one.
func gzipped(n int) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(make([]byte, n))
	_ = zw.Close()
	return buf.Bytes()
}

func TestRemoteBoundsWhatItReads(t *testing.T) {
	bomb := gzipped(1 << 20)
	cases := []struct {
		name    string
		handler http.HandlerFunc
		opts    []pprofsource.Option
		want    string
	}{
		{"large body", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(make([]byte, 2<<20)) },
			[]pprofsource.Option{pprofsource.WithMaxBody(1 << 20)}, "body larger than 1048576 bytes"},
		{"gzip bomb", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write(bomb) },
			[]pprofsource.Option{pprofsource.WithMaxBody(64 << 10)}, "larger than 524288 bytes once decompressed"},
		{"error status", func(w http.ResponseWriter, _ *http.Request) {
			http.Error(w, "Could not enable CPU profiling: cpu profiling already in use", http.StatusInternalServerError)
		}, nil, "status 500 Internal Server Error: Could not enable CPU profiling"},
		{"not a profile", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("<html>hello</html>")) },
			nil, "parsing profile"},
		{"slow", func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
		}, []pprofsource.Option{pprofsource.WithTimeout(200 * time.Millisecond)}, "context deadline exceeded"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(c.handler)
			defer srv.Close()
			src := pprofsource.Remote(srv.URL, c.opts...)
			start := time.Now()
			if err := src.Begin(t.Context(), 0); err != nil {
				t.Fatal(err)
			}
			p, err := src.End(t.Context())
			if err != nil {
				t.Fatal(err)
			}
			if p.CPU != nil || p.Alloc != nil || p.Goroutine != nil {
				t.Errorf("kept a profile from a bad answer: %+v", p)
			}
			warnings := strings.Join(p.Warnings, "\n")
			if len(p.Warnings) != 5 || !strings.Contains(warnings, c.want) {
				t.Errorf("warnings:\n%s\nwant one per profile, saying %q", warnings, c.want)
			}
			if d := time.Since(start); d > 20*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}
