package loadrunner

import (
	"errors"
	"testing"
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
	r := newRecorder()
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
	r := newRecorder()
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
		for i := range 60 {
			h := NewHistogram()
			h.Record(time.Millisecond)
			r.Timeseries = append(r.Timeseries, Interval{Start: start.Add(time.Duration(i) * time.Second), Length: time.Second, HDR: encodeString(h)})
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
	r := newRecorder()
	smp := &sample{latency: time.Millisecond, err: ClassError(Class5xx, errors.New("x")), tr: &Trace{Status: 503}}
	r.record(smp) // the first error of a class stores its example
	ok := &sample{latency: time.Millisecond, tr: &Trace{Status: 200}}
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
