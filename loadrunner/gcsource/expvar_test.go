package gcsource_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

// memstatsDoc renders an expvar document whose ring holds, for cycles
// numGC-len(pauses)+1 .. numGC, the given pauses.
func memstatsDoc(t *testing.T, numGC uint32, total, alloc uint64, pauses ...time.Duration) []byte {
	t.Helper()
	ms := runtime.MemStats{NumGC: numGC, PauseTotalNs: total, TotalAlloc: alloc}
	for i, p := range pauses {
		n := uint64(numGC) - uint64(len(pauses)) + uint64(i) + 1
		ms.PauseNs[(n-1)%256] = uint64(p)
		ms.PauseEnd[(n-1)%256] = uint64(1e18 + n)
	}
	b, err := json.Marshal(map[string]any{"cmdline": []string{"svc"}, "memstats": ms})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// steps returns n pauses of 1µs, 2µs, ... and their sum.
func steps(n int) ([]time.Duration, uint64) {
	ps := make([]time.Duration, n)
	var total uint64
	for i := range ps {
		ps[i] = time.Duration(i+1) * time.Microsecond
		total += uint64(ps[i])
	}
	return ps, total
}

func TestExpvarWindow(t *testing.T) {
	five, fiveTotal := steps(5)
	many, manyTotal := steps(300)
	cases := []struct {
		name              string
		begin, end        []byte
		cycles, histCount uint64
		total, max        time.Duration
		alloc             uint64
		warning           string
	}{
		{
			name:   "five cycles",
			begin:  memstatsDoc(t, 10, 1000, 1<<20, 50*time.Microsecond),
			end:    memstatsDoc(t, 15, 1000+fiveTotal, 3<<20, five...),
			cycles: 5, histCount: 5, total: time.Duration(fiveTotal), max: 5 * time.Microsecond, alloc: 2 << 20,
		},
		{
			name:   "no cycles",
			begin:  memstatsDoc(t, 7, 1000, 100),
			end:    memstatsDoc(t, 7, 1000, 100),
			cycles: 0, histCount: 0,
		},
		{
			name:   "ring wrapped",
			begin:  memstatsDoc(t, 10, 0, 0),
			end:    memstatsDoc(t, 310, manyTotal, 0, many[44:]...),
			cycles: 300, histCount: 256, total: time.Duration(manyTotal), max: 300 * time.Microsecond,
			warning: "44 pauses are not seen",
		},
		{
			name:   "ring wrapped from cycle zero",
			begin:  memstatsDoc(t, 0, 0, 0),
			end:    memstatsDoc(t, 300, manyTotal, 0, many[44:]...),
			cycles: 300, histCount: 256, total: time.Duration(manyTotal), max: 300 * time.Microsecond,
			warning: "44 pauses are not seen",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := fakeService(t, tc.begin, tc.end)
			src := gcsource.Expvar(srv.URL)
			g := window(t, src)
			if g.Cycles != tc.cycles || g.Pauses != tc.cycles || g.PauseHist.Count() != tc.histCount {
				t.Errorf("Cycles, Pauses, hist count = %d, %d, %d; want %d, %d, %d", g.Cycles, g.Pauses, g.PauseHist.Count(), tc.cycles, tc.cycles, tc.histCount)
			}
			if g.PauseTotal != tc.total || g.PauseMax != tc.max || g.AllocBytes != tc.alloc || !g.AllocKnown || !g.Exact {
				t.Errorf("total %v max %v alloc %d (known %v) exact %v; want %v, %v, %d, known, exact",
					g.PauseTotal, g.PauseMax, g.AllocBytes, g.AllocKnown, g.Exact, tc.total, tc.max, tc.alloc)
			}
			if got := strings.Join(g.Warnings, "\n"); (tc.warning == "") != (got == "") || !strings.Contains(got, tc.warning) {
				t.Errorf("Warnings = %q, want one containing %q", g.Warnings, tc.warning)
			}
			if g.Source != src.Name() || !strings.HasSuffix(g.Source, "/debug/vars") {
				t.Errorf("Source = %q, want the name, ending in /debug/vars", g.Source)
			}
		})
	}
}

func TestExpvarErrors(t *testing.T) {
	good := memstatsDoc(t, 10, 0, 0)
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	cases := []struct {
		name  string
		url   func(t *testing.T) string
		opts  []gcsource.Option
		atEnd bool // the error comes from End, Begin succeeds
		want  string
	}{
		{"no memstats", served(fixture(t, "expvar/no_memstats.json")), nil, false, `no "memstats" object`},
		{"missing NumGC", served(fixture(t, "expvar/missing_numgc.json")), nil, false, "field NumGC missing"},
		{"missing TotalAlloc", served(fixture(t, "expvar/missing_totalalloc.json")), nil, false, "field TotalAlloc missing"},
		{"short ring", served(fixture(t, "expvar/short_ring.json")), nil, false, "field PauseNs has 3 entries, want 256"},
		{"truncated json", served(fixture(t, "expvar/truncated.json")), nil, false, "decoding expvar json"},
		{"html", served(fixture(t, "expvar/html.txt")), nil, false, "decoding expvar json"},
		{"status 500", served(nil), nil, false, "status 500"},
		{"body too large", served(good), []gcsource.Option{gcsource.WithMaxBody(100)}, false, "body larger than 100 bytes"},
		{"restart", served(good, memstatsDoc(t, 3, 0, 0)), nil, true, "went backwards (NumGC 10 → 3)"},
		{"failing end", served(good, nil), nil, true, "status 500"},
		{"hang", func(*testing.T) string { return hang.URL }, []gcsource.Option{gcsource.WithTimeout(200 * time.Millisecond)}, false, "deadline exceeded"},
		{"bad scheme", func(*testing.T) string { return "ftp://127.0.0.1/debug/vars" }, nil, false, "want http(s)://"},
		{"bad url", func(*testing.T) string { return "http://[::1" }, nil, false, "expvar url"},
		{"bad timeout", served(good), []gcsource.Option{gcsource.WithTimeout(0)}, false, "WithTimeout(0s)"},
		{"bad max body", served(good), []gcsource.Option{gcsource.WithMaxBody(-1)}, false, "WithMaxBody(-1)"},
		{"nil client", served(good), []gcsource.Option{gcsource.WithHTTPClient(nil)}, false, "WithHTTPClient(nil)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			url := tc.url(t)
			src := gcsource.Expvar(url, tc.opts...)
			err := src.Begin(context.Background())
			if tc.atEnd {
				if err != nil {
					t.Fatalf("Begin: %v", err)
				}
				_, err = src.End(context.Background())
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tc.want)
			}
			if !strings.Contains(err.Error(), "gcsource: ") {
				t.Errorf("err = %v, want the package prefix", err)
			}
		})
	}
}

func TestExpvarNameRedactsSecrets(t *testing.T) {
	src := gcsource.Expvar("http://admin:hunter2@127.0.0.1:9/")
	if name := src.Name(); strings.Contains(name, "hunter2") || !strings.Contains(name, "127.0.0.1:9/debug/vars") {
		t.Errorf("Name = %q, want the URL with its password redacted", name)
	}
	_, err := src.End(context.Background())
	if err == nil || !strings.Contains(err.Error(), "End without Begin") {
		t.Errorf("End without Begin: err = %v", err)
	}
}

// served returns a URL builder for a fake service serving bodies.
func served(bodies ...[]byte) func(t *testing.T) string {
	return func(t *testing.T) string { return fakeService(t, bodies...).URL }
}

// window runs Begin and End on src.
func window(t *testing.T, src loadrunner.GCSource) loadrunner.GCStats {
	t.Helper()
	if err := src.Begin(context.Background()); err != nil {
		t.Fatalf("Begin: %v", err)
	}
	g, err := src.End(context.Background())
	if err != nil {
		t.Fatalf("End: %v", err)
	}
	return g
}
