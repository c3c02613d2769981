package gcsource_test

import (
	"context"
	"encoding/json"
	"runtime"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

func sample(t *testing.T, src loadrunner.GCSource) loadrunner.RuntimeSample {
	t.Helper()
	s, err := src.(loadrunner.RuntimeSampler).SampleRuntime(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestPrometheusSamplesTheRuntime(t *testing.T) {
	srv := fakeService(t, fixture(t, "prom/runtime_begin.txt"), fixture(t, "prom/runtime_mid.txt"), fixture(t, "prom/runtime_end.txt"))
	src := gcsource.Prometheus(srv.URL)
	if err := src.Begin(t.Context()); err != nil {
		t.Fatal(err)
	}
	mid := sample(t, src)
	end := sample(t, src)
	cases := []struct {
		name        string
		s           loadrunner.RuntimeSample
		goroutines  int64
		heap        uint64
		cycles      uint64
		pause       time.Duration
		count       uint64
		p99, schMax time.Duration
	}{
		// 900 ≤ 10µs, 80 ≤ 100µs, 10 ≤ 1ms, 1 ≤ 10ms: the 982nd of 991 is in the 1ms bucket
		{"first", mid, 250, 8 << 20, 2, 2 * time.Millisecond, 991, time.Millisecond, 10 * time.Millisecond},
		// 100 ≤ 10µs, 0 more: all at 10µs
		{"second", end, 12, 6 << 20, 1, 500 * time.Microsecond, 100, 10 * time.Microsecond, 10 * time.Microsecond},
	}
	for _, c := range cases {
		s := c.s
		if s.Goroutines != c.goroutines || s.HeapBytes != c.heap || !s.GCKnown || s.GCCycles != c.cycles || s.GCPauseTotal != c.pause {
			t.Errorf("%s: goroutines %d heap %d gc %d/%v (known %v); want %d, %d, %d/%v",
				c.name, s.Goroutines, s.HeapBytes, s.GCCycles, s.GCPauseTotal, s.GCKnown, c.goroutines, c.heap, c.cycles, c.pause)
		}
		if s.SchedLatency == nil || s.SchedLatency.Count() != c.count {
			t.Fatalf("%s: sched latency %v, want %d values", c.name, s.SchedLatency, c.count)
		}
		if p99, m := s.SchedLatency.Percentile(loadrunner.P99), s.SchedLatency.Max(); !near(p99, c.p99) || !near(m, c.schMax) {
			t.Errorf("%s: sched p99 %v max %v, want %v and %v", c.name, p99, m, c.p99, c.schMax)
		}
	}
	if _, err := src.End(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// near reports whether a histogram's reading d is v within its precision.
func near(d, v time.Duration) bool { return d >= v && d <= v+v/500 }

func TestExpvarSamplesTheRuntime(t *testing.T) {
	doc := func(numGC uint32, pauseTotal, heap uint64, goroutines int) []byte {
		var ms runtime.MemStats
		ms.NumGC, ms.PauseTotalNs, ms.HeapAlloc, ms.TotalAlloc = numGC, pauseTotal, heap, heap
		b, err := json.Marshal(map[string]any{"memstats": ms, "goroutines": goroutines})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	srv := fakeService(t, doc(10, 1000, 1<<20, 5), doc(13, 4000, 3<<20, 900))
	src := gcsource.Expvar(srv.URL)
	if err := src.Begin(t.Context()); err != nil {
		t.Fatal(err)
	}
	s := sample(t, src)
	if s.Goroutines != 900 || s.HeapBytes != 3<<20 || s.GCCycles != 3 || s.GCPauseTotal != 3000 || !s.GCKnown || s.SchedLatency != nil {
		t.Errorf("sample %+v; want 900 goroutines, 3 MiB, 3 cycles, 3µs of pauses, no sched latency", s)
	}
}

func TestSampleOutsideTheWindow(t *testing.T) {
	srv := fakeService(t, fixture(t, "prom/runtime_begin.txt"))
	for _, src := range []loadrunner.GCSource{gcsource.InProcess(), gcsource.Expvar(srv.URL), gcsource.Prometheus(srv.URL)} {
		if _, err := src.(loadrunner.RuntimeSampler).SampleRuntime(t.Context()); err == nil {
			t.Errorf("%s: SampleRuntime before Begin succeeded", src.Name())
		}
	}
}

func TestRunSamplesTheRuntimeEachInterval(t *testing.T) {
	const parked = 2000
	release := make(chan struct{})
	for range parked {
		go func() { <-release }()
	}
	defer close(release)
	var keep [][]byte
	work := loadrunner.Func(func(context.Context) error {
		keep = append(keep[:min(len(keep), 64)], make([]byte, 64<<10))
		return nil
	})
	plan := loadrunner.Plan{Rate: 200, Duration: 1500 * time.Millisecond, Warmup: 100 * time.Millisecond, MaxInFlight: 1}
	res, err := loadrunner.Run(t.Context(), plan, work,
		loadrunner.WithGCSource(gcsource.InProcess()), loadrunner.WithInterval(250*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	rt := res.Runtime
	if rt == nil {
		t.Fatal("no runtime summary")
	}
	sampled := 0
	for _, iv := range res.Timeseries {
		if iv.Runtime != nil {
			sampled++
		}
	}
	if rt.Samples < 3 || sampled != rt.Samples || sampled > len(res.Timeseries) {
		t.Errorf("%d readings, %d intervals with one, of %d; want at least 3, each on its interval", rt.Samples, sampled, len(res.Timeseries))
	}
	if !rt.GoroutinesKnown || rt.GoroutinesMax < parked || !rt.HeapKnown || rt.HeapMax < 64<<10 || !rt.SchedKnown || rt.SchedP99 <= 0 {
		t.Errorf("summary %+v; want at least %d goroutines, a heap, a scheduling latency", rt, parked)
	}
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	var back loadrunner.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Runtime == nil || back.Runtime.GoroutinesMax != rt.GoroutinesMax || back.Timeseries[0].Runtime == nil {
		t.Errorf("runtime figures lost in JSON: %+v", back.Runtime)
	}
}
