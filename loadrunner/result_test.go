package loadrunner_test

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// TestPercentilesMatchOrderStatistics is proof 3: for a known set of
// latencies, the histogram's percentiles are the exact order statistics
// within HDR precision (3 significant digits: 0.1%).
func TestPercentilesMatchOrderStatistics(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	values := make([]time.Duration, 100000)
	h := loadrunner.NewHistogram()
	for i := range values {
		values[i] = time.Duration(rng.ExpFloat64() * float64(5*time.Millisecond))
		h.Record(values[i])
	}
	slices.Sort(values)
	for _, p := range []float64{50, 90, 99, 99.9, 99.99, 100} {
		rank := int(p/100*float64(len(values))+0.5) - 1
		want := values[min(max(rank, 0), len(values)-1)]
		got := h.Percentile(p)
		if diff := float64(got-want) / float64(want); diff < -0.001 || diff > 0.001 {
			t.Errorf("p%g = %s, exact order statistic %s", p, got, want)
		}
	}
	if h.Count() != uint64(len(values)) {
		t.Errorf("count %d", h.Count())
	}
}

// TestMergeEqualsOneRecording: merging the histograms of two halves equals
// recording every sample in one.
func TestMergeEqualsOneRecording(t *testing.T) {
	all, a, b := loadrunner.NewHistogram(), loadrunner.NewHistogram(), loadrunner.NewHistogram()
	for i := range 50000 {
		d := time.Duration(i*i%977) * time.Microsecond
		all.Record(d)
		if i%3 == 0 {
			a.Record(d)
		} else {
			b.Record(d)
		}
	}
	if err := a.Merge(b); err != nil {
		t.Fatal(err)
	}
	if !a.Equal(all) {
		t.Fatalf("merged p99 %s, one recording p99 %s", a.Percentile(99), all.Percentile(99))
	}
}

// runOnFakeClock runs a small plan whose latency varies by hit, on the
// bubble's clock.
func runOnFakeClock(t *testing.T, plan loadrunner.Plan) *loadrunner.Result {
	t.Helper()
	var res *loadrunner.Result
	synctest.Test(t, func(t *testing.T) {
		var err error
		res, err = loadrunner.Run(t.Context(), plan, varyingTarget())
		if err != nil {
			t.Fatal(err)
		}
	})
	return res
}

// TestResultJSONRoundTripIsLossless is proof 6.
func TestResultJSONRoundTripIsLossless(t *testing.T) {
	res := runOnFakeClock(t, loadrunner.Plan{Rate: 300, Duration: 3 * time.Second, Warmup: time.Second})
	b, err := json.Marshal(res)
	if err != nil {
		t.Fatal(err)
	}
	for _, field := range []string{`"planned_rate"`, `"achieved_rate"`, `"duration_s"`, `"requests"`, `"sent"`, `"dropped"`, `"late"`,
		`"partial"`, `"generator_saturated"`, `"by_class"`, `"p999_ns"`, `"service_time"`, `"send_lag"`, `"histograms"`, `"timeseries"`,
		`"failed_latency"`, `"checks"`} {
		if !strings.Contains(string(b), field) {
			t.Errorf("JSON lacks %s", field)
		}
	}
	var back loadrunner.Result
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	assertSameResult(t, &back, res)
}

// assertSameResult compares every field, histograms by their counts.
func assertSameResult(t *testing.T, got, want *loadrunner.Result) {
	t.Helper()
	pairs := [][2]*loadrunner.Histogram{{got.Latency, want.Latency}, {got.ServiceTime, want.ServiceTime}, {got.SendLag, want.SendLag},
		{got.FailedLatency, want.FailedLatency}, {got.Checks, want.Checks}, {got.GeneratorLag, want.GeneratorLag}}
	for i, p := range pairs {
		if (p[0] == nil) != (p[1] == nil) || p[0] != nil && !p[0].Equal(p[1]) {
			t.Errorf("histogram %d differs: p99 %s vs %s", i, p[0].Percentile(99), p[1].Percentile(99))
		}
	}
	g, w := *got, *want
	g.Latency, g.ServiceTime, g.SendLag, w.Latency, w.ServiceTime, w.SendLag = nil, nil, nil, nil, nil, nil
	g.FailedLatency, g.Checks, w.FailedLatency, w.Checks = nil, nil, nil, nil
	g.GeneratorLag, w.GeneratorLag = nil, nil
	g.Started, g.Ended, w.Started, w.Ended = g.Started.UTC(), g.Ended.UTC(), w.Started.UTC(), w.Ended.UTC()
	for i := range g.Timeseries {
		g.Timeseries[i].Start = g.Timeseries[i].Start.UTC()
	}
	for i := range w.Timeseries {
		w.Timeseries[i].Start = w.Timeseries[i].Start.UTC()
	}
	if !reflect.DeepEqual(g, w) {
		gb, _ := json.Marshal(&g)
		wb, _ := json.Marshal(&w)
		t.Errorf("results differ:\n got %s\nwant %s", gb, wb)
	}
}

// TestMergedShardsEqualTheFullRun: the shards of a plan, merged, hold exactly
// the samples of the unsharded run, interval by interval.
func TestMergedShardsEqualTheFullRun(t *testing.T) {
	plan := loadrunner.Plan{Rate: 300, Duration: 3 * time.Second}
	full := runOnFakeClock(t, plan)
	var parts []*loadrunner.Result
	for i := range 3 {
		p := plan
		p.Shard = loadrunner.Shard{Index: i, Count: 3}
		parts = append(parts, runOnFakeClock(t, p))
	}
	merged, err := loadrunner.Merge(parts...)
	if err != nil {
		t.Fatal(err)
	}
	if merged.Requests != full.Requests || merged.Planned != full.Planned || merged.Merged != 3 || merged.Plan.Shard.Count != 0 {
		t.Fatalf("merged %d requests (%d planned, %d parts), full run %d (%d)", merged.Requests, merged.Planned, merged.Merged, full.Requests, full.Planned)
	}
	if !merged.Latency.Equal(full.Latency) {
		t.Errorf("merged p99 %s, full p99 %s", merged.Latency.Percentile(99), full.Latency.Percentile(99))
	}
	if !merged.FailedLatency.Equal(full.FailedLatency) || !merged.Checks.Equal(full.Checks) || merged.Errors.Total != full.Errors.Total {
		t.Errorf("merged failed latency %+v, checks %+v; full run %+v, %+v",
			merged.FailedLatency.Summary(), merged.Checks.Summary(), full.FailedLatency.Summary(), full.Checks.Summary())
	}
	if full.Latency.Count() != full.OK() || full.FailedLatency.Count() != full.Errors.Total || full.Errors.Total == 0 || full.Checks.Count() != full.Requests/3 {
		t.Errorf("latency %d samples for %d ok, failed %d for %d errors, checks %d of %d requests",
			full.Latency.Count(), full.OK(), full.FailedLatency.Count(), full.Errors.Total, full.Checks.Count(), full.Requests)
	}
	if merged.PlannedRate != full.PlannedRate || len(merged.Timeseries) != len(full.Timeseries) {
		t.Errorf("planned rate %g vs %g; %d vs %d intervals", merged.PlannedRate, full.PlannedRate, len(merged.Timeseries), len(full.Timeseries))
	}
	for i := range min(len(merged.Timeseries), len(full.Timeseries)) {
		if m, f := merged.Timeseries[i], full.Timeseries[i]; m.OK != f.OK || m.P99 != f.P99 {
			t.Errorf("interval %d: merged ok %d p99 %s, full ok %d p99 %s", i, m.OK, m.P99, f.OK, f.P99)
		}
	}
}

func TestMergeRejectsDifferentPlans(t *testing.T) {
	a := runOnFakeClock(t, loadrunner.Plan{Rate: 100, Duration: time.Second})
	b := runOnFakeClock(t, loadrunner.Plan{Rate: 200, Duration: time.Second})
	if _, err := loadrunner.Merge(a, b); err == nil || !strings.Contains(err.Error(), "rate 100/200") {
		t.Fatalf("error %v, want one naming the differing rates", err)
	}
	if _, err := loadrunner.Merge(); err == nil {
		t.Fatal("merging nothing must fail")
	}
}

func TestDecodeRejectsHostileHistograms(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"not base64", `{"hdr":"!!!"}`, "illegal base64"},
		{"too short", `{"hdr":"AAAA"}`, "shorter than the 8 byte header"},
		{"not json", `[1,2]`, "loadrunner: histogram"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h loadrunner.Histogram
			if err := json.Unmarshal([]byte(tt.in), &h); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}

// TestMemoryDoesNotGrowWithRunLength is proof 4's second half: the heap a
// run holds after a 60 s run exceeds a 10 s run's only by its time series.
func TestMemoryDoesNotGrowWithRunLength(t *testing.T) {
	// Each measure holds one result: its own.
	heapAfter := func(d time.Duration) (uint64, uint64) {
		res := runOnFakeClock(t, loadrunner.Plan{Rate: 2000, Duration: d})
		heap := liveHeap()
		runtime.KeepAlive(res)
		return heap, res.Requests
	}
	short, n1 := heapAfter(10 * time.Second)
	long, n2 := heapAfter(60 * time.Second)
	if n2 != 6*n1 {
		t.Fatalf("requests %d and %d", n1, n2)
	}
	// 50 more one-second intervals of a few KiB each: well under 1 MiB.
	if long > short+1<<20 {
		t.Errorf("live heap %d KiB after a 10 s run, %d KiB after a 60 s run", short>>10, long>>10)
	}
}

// TestIntervalsMergeAndRoundTripExactly: an interval's latency buckets
// survive JSON, and merged intervals hold exactly the histogram of every
// sample they cover.
func TestIntervalsMergeAndRoundTripExactly(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	start := time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)
	all := loadrunner.NewHistogram()
	mk := func() *loadrunner.Result {
		r := &loadrunner.Result{Plan: loadrunner.Plan{Rate: 100, Duration: 3 * time.Second}, Latency: loadrunner.NewHistogram(),
			ServiceTime: loadrunner.NewHistogram(), SendLag: loadrunner.NewHistogram()}
		for s := range 3 {
			h := loadrunner.NewHistogram()
			for range 500 {
				d := time.Duration(rng.ExpFloat64() * float64(3*time.Millisecond))
				h.Record(d)
				r.Latency.Record(d)
				if s == 1 {
					all.Record(d)
				}
			}
			r.Timeseries = append(r.Timeseries, loadrunner.Interval{Start: start.Add(time.Duration(s) * time.Second), Length: time.Second,
				OK: 500, Latency: h.Buckets()})
		}
		return r
	}
	a, b := mk(), mk()
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	var back loadrunner.Result
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	for i := range a.Timeseries {
		if !reflect.DeepEqual(back.Timeseries[i].Latency, a.Timeseries[i].Latency) {
			t.Fatalf("interval %d: buckets changed in the JSON round trip", i)
		}
	}
	merged, err := loadrunner.Merge(&back, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(merged.Timeseries) != 3 {
		t.Fatalf("%d merged intervals, want 3", len(merged.Timeseries))
	}
	if got := merged.Timeseries[1]; !got.Histogram().Equal(all) || got.OK != 1000 || got.P99 != all.Percentile(loadrunner.P99) {
		t.Fatalf("merged interval 1: %d ok, p99 %s; want the histogram of its 1000 samples (p99 %s)", got.OK, got.P99, all.Percentile(loadrunner.P99))
	}
}
