package loadrunner_test

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// gzipBomb returns a gzip stream (members concatenated, as gzip allows)
// that expands to n MiB of zeros from about 8 KB per 8 MiB: 960 MiB from
// under 1 MiB.
func gzipBomb(t *testing.T, n int) []byte {
	t.Helper()
	var member bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&member, gzip.BestCompression)
	zw.Write(make([]byte, 8<<20))
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return bytes.Repeat(member.Bytes(), n/8)
}

// bombServer answers every request with bomb as a gzip-encoded JSON body,
// and counts the requests that asked for gzip.
func bombServer(t *testing.T, bomb []byte) (*httptest.Server, *atomic.Int64) {
	var askedGzip atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			askedGzip.Add(1)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Encoding", "gzip")
		w.Write(bomb)
	}))
	t.Cleanup(srv.Close)
	return srv, &askedGzip
}

// TestDecompressionBombIsBounded: a service answering with a gzip body that
// expands to 960 MiB. The HTTP target's own client neither asks for gzip
// nor decompresses, so the body is read as the bytes it is (under the
// 1 MiB bound): nothing expands. A client that decompresses transparently
// (Go's default transport, given with WithClient) reads the expanded body
// only up to the bound and fails the request as transport.other. Either way
// the heap stays within the fault tests' bounds.
func TestDecompressionBombIsBounded(t *testing.T) {
	bomb := gzipBomb(t, 960)
	if len(bomb) >= loadrunner.DefaultMaxBody {
		t.Fatalf("the bomb is %d bytes, want it under the body bound", len(bomb))
	}
	plan := loadrunner.Plan{Rate: 40, Duration: 500 * time.Millisecond, Timeout: 5 * time.Second}
	t.Run("own client", func(t *testing.T) {
		srv, asked := bombServer(t, bomb)
		res := faultRun(t, plan, srv.Close, loadrunner.HTTP(srv.URL, loadrunner.WithCheck(func(_ *http.Response, body []byte) error {
			if len(body) != len(bomb) {
				t.Errorf("the check saw %d bytes, want the %d sent", len(body), len(bomb))
			}
			return nil
		})))
		if res.Requests == 0 || res.OK() != res.Requests || asked.Load() != 0 {
			t.Errorf("requests %d, ok %d, %d asked for gzip: want every one ok, none asking", res.Requests, res.OK(), asked.Load())
		}
	})
	t.Run("decompressing client", func(t *testing.T) {
		srv, asked := bombServer(t, bomb)
		client := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
		res := faultRun(t, plan, srv.Close, loadrunner.HTTP(srv.URL, loadrunner.WithClient(client)))
		only(t, res, loadrunner.ClassTransport)
		if ex := res.Errors.Examples[loadrunner.ClassTransport]; len(ex) == 0 || !strings.Contains(ex[0], "byte bound") || asked.Load() == 0 {
			t.Errorf("examples %q, %d asked for gzip", ex, asked.Load())
		}
	})
}

// TestCapturedValuesAreBounded: a journey step cannot be made to carry a
// megabyte the service put in a captured value.
func TestCapturedValuesAreBounded(t *testing.T) {
	var long atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.URL.Path) > 1<<10 {
			long.Add(1)
		}
		w.Write([]byte(`{"id": "` + strings.Repeat("x", 1<<20-16) + `"}`))
	}))
	defer srv.Close()
	journey := loadrunner.Journey("j", srv.URL, []loadrunner.JourneyStep{
		loadrunner.Step("create", loadrunner.GET("/items"), loadrunner.CaptureJSON("id", "/id")),
		loadrunner.Step("get", loadrunner.GET("/items/{id}")),
	})
	res, err := loadrunner.Run(t.Context(), loadrunner.Plan{Rate: 20, Duration: 500 * time.Millisecond, Timeout: 5 * time.Second}, journey)
	if err != nil {
		t.Fatal(err)
	}
	only(t, res, loadrunner.ClassCheck)
	if ex := res.Errors.Examples[loadrunner.ClassCheck]; len(ex) == 0 || !strings.Contains(ex[0], "more than the 8192") || long.Load() != 0 {
		t.Errorf("examples %q; %d long requests sent", ex, long.Load())
	}
}
