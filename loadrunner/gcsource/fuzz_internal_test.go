package gcsource

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzParsePrometheus checks that the text parser and the snapshot built on
// it never panic, and that what they accept holds together. Seeds: the
// fixtures under testdata/prom and the corpus under
// testdata/fuzz/FuzzParsePrometheus.
func FuzzParsePrometheus(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "prom", "*.txt"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		samples, err := parsePrometheus(data, nil)
		if err != nil {
			return
		}
		for _, s := range samples {
			if s.name == "" || bytes.ContainsAny([]byte(s.name), " {}\n") {
				t.Fatalf("accepted a bad metric name %q", s.name)
			}
		}
		snap, err := snapshotOf(samples)
		if err != nil {
			return
		}
		// a snapshot against itself is an empty window, never an error
		g, err := promStats(snap, snap, time.Second)
		if err != nil {
			t.Fatalf("a window from a snapshot to itself: %v", err)
		}
		if g.Pauses != 0 || g.Cycles != 0 || g.PauseTotal != 0 {
			t.Fatalf("an empty window has %d pauses, %d cycles, total %v", g.Pauses, g.Cycles, g.PauseTotal)
		}
	})
}

// FuzzParseGCTraceLine checks that the gctrace line parser never panics and
// accepts only sane pauses, and that GCTrace's writer survives any input.
func FuzzParseGCTraceLine(f *testing.F) {
	for _, s := range []string{
		"gc 12 @0.345s 2%: 0.011+1.2+0.005 ms clock, 0.022+0.3/1.1/0+0.010 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
		"gc 3 @0.1s 1% (checking for goroutine leaks): 0.020+0.5+0.031 ms clock, 0.040+0/0/0+0.062 ms cpu, 4->4->0 MB, 4 MB goal, 2 P",
		"gc 7 @10.5s 30%: 12+40+15 ms clock,",
		"gc 1 @0.1s 2%: 0.1++0.3 ms clock,",
		"gc 9",
		"gc 18446744073709551615 @1s 0%: 3600000+0+3600000 ms clock,",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, line []byte) {
		tl, err := parseTraceLine(line)
		if err == nil {
			for _, d := range []time.Duration{tl.sweepTerm, tl.markTerm} {
				if d < 0 || d > maxPause {
					t.Fatalf("accepted pause %v", d)
				}
			}
		}
		w := NewGCTrace(nil)
		_ = w.Begin(t.Context())
		for chunk := range bytes.SplitAfterSeq(line, []byte("\r")) { // arbitrary write boundaries
			if n, err := w.Write(chunk); n != len(chunk) || err != nil {
				t.Fatalf("Write = %d, %v", n, err)
			}
		}
		_, _ = w.Write([]byte("\n"))
		g, err := w.End(t.Context())
		lines := uint64(bytes.Count(line, []byte("\n")) + 1)
		if err != nil || g.Pauses != 2*g.Cycles || g.Cycles > lines || g.PauseTotal < 0 || g.PauseMax > maxPause {
			t.Fatalf("End: %+v, %v", g, err)
		}
	})
}
