// Command gcprog is the service under test for package gcsource's tests: a Go
// program that allocates at a rate its /alloc endpoint sets, so that it
// collects garbage many times, and exposes its GC figures the ways real
// services do (expvar, Prometheus text) together with the runtime's own view
// on /truth, for the tests to compare against.
//
// While idle (rate 0) garbage collection is switched off, so that no cycle
// can fall between a test's reading of /truth and a source's Begin or End.
//
// It prints "listening on http://ADDR" on stdout once it serves, and exits
// when its standard input closes, so it cannot outlive the test that
// started it.
package main

import (
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"
)

// Names of the runtime/metrics this program reports.
const (
	pausesMetric = "/sched/pauses/total/gc:seconds"
	cyclesMetric = "/gc/cycles/total:gc-cycles"
	allocsMetric = "/gc/heap/allocs:bytes"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	withExpvar := flag.Bool("expvar", false, "serve expvar on /debug/vars")
	withProm := flag.Bool("prom", false, "serve Prometheus text on /metrics")
	chunk := flag.Int("chunk", 32<<10, "bytes per allocation")
	flag.Parse()

	gogc := debug.SetGCPercent(-1) // idle until /alloc sets a rate
	a := newAllocator(*chunk, gogc)
	mux := http.NewServeMux()
	mux.HandleFunc("/alloc", a.serveHTTP)
	mux.HandleFunc("/truth", serveTruth)
	if *withExpvar {
		mux.Handle("/debug/vars", expvar.Handler())
	}
	if *withProm {
		mux.HandleFunc("/metrics", serveMetrics)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatalf("gcprog: listen %s: %v", *addr, err)
	}
	fmt.Printf("listening on http://%s\n", ln.Addr())
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		os.Exit(0)
	}()
	log.Fatal(http.Serve(ln, mux))
}

// allocator allocates at the rate its control channel sets.
type allocator struct {
	chunk int
	gogc  int
	set   chan float64 // MB/s; the loop acknowledges on ack
	ack   chan struct{}
}

func newAllocator(chunk, gogc int) *allocator {
	a := &allocator{chunk: chunk, gogc: gogc, set: make(chan float64), ack: make(chan struct{})}
	go a.loop()
	return a
}

// serveHTTP sets the rate from ?mbps= and answers once the loop runs at it.
func (a *allocator) serveHTTP(w http.ResponseWriter, r *http.Request) {
	mbps, err := strconv.ParseFloat(r.URL.Query().Get("mbps"), 64)
	if err != nil || mbps < 0 || math.IsInf(mbps, 0) {
		http.Error(w, "bad mbps", http.StatusBadRequest)
		return
	}
	if mbps > 0 {
		debug.SetGCPercent(a.gogc)
	}
	a.set <- mbps
	<-a.ack
	if mbps == 0 {
		debug.SetGCPercent(-1) // returns once any running cycle has finished
	}
	w.WriteHeader(http.StatusNoContent)
}

// sink keeps a few chunks alive so the collector has something to mark.
var sink [16][]byte

func (a *allocator) loop() {
	const tick = 2 * time.Millisecond
	var rate float64
	var n int
	for {
		if rate == 0 {
			rate = <-a.set
			a.ack <- struct{}{}
			continue
		}
		select {
		case rate = <-a.set:
			a.ack <- struct{}{}
			continue
		default:
		}
		start := time.Now()
		for b := 0.0; b < rate*1e6*tick.Seconds(); b += float64(a.chunk) {
			sink[n%len(sink)] = make([]byte, a.chunk)
			n++
		}
		time.Sleep(tick - time.Since(start))
	}
}

// truth is what the runtime itself says, read in one go.
type truth struct {
	NumGC        uint32      `json:"num_gc"`
	PauseTotalNs uint64      `json:"pause_total_ns"`
	TotalAlloc   uint64      `json:"total_alloc"`
	PauseNs      [256]uint64 `json:"pause_ns"`
	PauseEnd     [256]uint64 `json:"pause_end"`
	Cycles       uint64      `json:"cycles"`
	Allocs       uint64      `json:"allocs"`
	// Bounds are the pause histogram's boundaries as strconv floats (with
	// "-Inf" and "+Inf"); Counts has one entry fewer.
	Bounds []string `json:"bounds"`
	Counts []uint64 `json:"counts"`
}

func serveTruth(w http.ResponseWriter, _ *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := readMetrics()
	h := s[0].Value.Float64Histogram()
	t := truth{
		NumGC: ms.NumGC, PauseTotalNs: ms.PauseTotalNs, TotalAlloc: ms.TotalAlloc,
		PauseNs: ms.PauseNs, PauseEnd: ms.PauseEnd,
		Cycles: s[1].Value.Uint64(), Allocs: s[2].Value.Uint64(),
		Counts: h.Counts,
	}
	for _, b := range h.Buckets {
		t.Bounds = append(t.Bounds, strconv.FormatFloat(b, 'g', -1, 64))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(t)
}

func readMetrics() []metrics.Sample {
	s := []metrics.Sample{{Name: pausesMetric}, {Name: cyclesMetric}, {Name: allocsMetric}}
	metrics.Read(s)
	return s
}

// serveMetrics renders the Go collector's metrics the way client_golang
// does: go_gc_duration_seconds from debug.ReadGCStats, the runtime/metrics
// pause histogram re-bucketed by powers of ten with inclusive upper bounds,
// the cycle counter, and go_memstats_alloc_bytes_total.
func serveMetrics(w http.ResponseWriter, _ *http.Request) {
	var b strings.Builder
	writeSummary(&b)
	s := readMetrics()
	writeHistogram(&b, "go_sched_pauses_total_gc_seconds", s[0].Value.Float64Histogram())
	fmt.Fprintf(&b, "# HELP go_gc_cycles_total_gc_cycles_total Count of all completed GC cycles.\n")
	fmt.Fprintf(&b, "# TYPE go_gc_cycles_total_gc_cycles_total counter\n")
	fmt.Fprintf(&b, "go_gc_cycles_total_gc_cycles_total %d\n", s[1].Value.Uint64())
	fmt.Fprintf(&b, "# HELP go_memstats_alloc_bytes_total Total number of bytes allocated in heap.\n")
	fmt.Fprintf(&b, "# TYPE go_memstats_alloc_bytes_total counter\n")
	fmt.Fprintf(&b, "go_memstats_alloc_bytes_total %s\n", num(float64(s[2].Value.Uint64())))
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = io.WriteString(w, b.String())
}

func writeSummary(b *strings.Builder) {
	var st debug.GCStats
	st.PauseQuantiles = make([]time.Duration, 5)
	debug.ReadGCStats(&st)
	fmt.Fprintf(b, "# HELP go_gc_duration_seconds A summary of the wall-time pause (stop-the-world) duration in garbage collection cycles.\n")
	fmt.Fprintf(b, "# TYPE go_gc_duration_seconds summary\n")
	for i, q := range st.PauseQuantiles {
		fmt.Fprintf(b, "go_gc_duration_seconds{quantile=%q} %s\n", num(float64(i)/4), num(q.Seconds()))
	}
	fmt.Fprintf(b, "go_gc_duration_seconds_sum %s\n", num(st.PauseTotal.Seconds()))
	fmt.Fprintf(b, "go_gc_duration_seconds_count %d\n", st.NumGC)
}

func writeHistogram(b *strings.Builder, name string, h *metrics.Float64Histogram) {
	bounds, counts := rebucket(h.Buckets, h.Counts)
	fmt.Fprintf(b, "# HELP %s Distribution of individual GC-related stop-the-world pause latencies.\n", name)
	fmt.Fprintf(b, "# TYPE %s histogram\n", name)
	var cum uint64
	var sum float64
	for i, c := range counts {
		cum += c
		sum += bounds[i] * float64(c) // a lower-bound sum, as client_golang computes it
		if math.IsInf(bounds[i+1], 1) {
			break
		}
		le := math.Nextafter(bounds[i+1], bounds[i])
		fmt.Fprintf(b, "%s_bucket{le=%q} %d\n", name, num(le), cum)
	}
	fmt.Fprintf(b, "%s_bucket{le=\"+Inf\"} %d\n", name, cum)
	fmt.Fprintf(b, "%s_sum %s\n", name, num(sum))
	fmt.Fprintf(b, "%s_count %d\n", name, cum)
}

// rebucket merges runtime/metrics buckets (inclusive lower bounds) into
// buckets whose bounds are at least ten times apart, drops the -Inf bound,
// and folds everything above one second into the +Inf bucket.
func rebucket(bounds []float64, counts []uint64) ([]float64, []uint64) {
	if math.IsInf(bounds[0], -1) {
		bounds, counts = bounds[1:], counts[1:]
	}
	out := []float64{bounds[0]}
	var outCounts []uint64
	var acc uint64
	for i, c := range counts {
		acc += c
		next := bounds[i+1]
		last := out[len(out)-1]
		if math.IsInf(next, 1) || (next >= last*10 && next > 0 && next <= 1) || (last == 0 && next > 0) {
			out = append(out, next)
			outCounts = append(outCounts, acc)
			acc = 0
		}
	}
	if acc > 0 || !math.IsInf(out[len(out)-1], 1) {
		out = append(out, math.Inf(1))
		outCounts = append(outCounts, acc)
	}
	return out, outCounts
}

func num(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
