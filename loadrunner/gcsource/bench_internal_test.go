package gcsource

import (
	"os"
	"path/filepath"
	"testing"
)

func BenchmarkParsePrometheus(b *testing.B) {
	data, err := os.ReadFile(filepath.Join("testdata", "prom", "full_end.txt"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		samples, err := parsePrometheus(data, keepFamily)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := snapshotOf(samples); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkGCTraceWrite(b *testing.B) {
	line := []byte("gc 12 @0.345s 2%: 0.011+1.2+0.005 ms clock, 0.022+0.3/1.1/0+0.010 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P\n")
	t := NewGCTrace(nil)
	_ = t.Begin(b.Context())
	b.ReportAllocs()
	b.SetBytes(int64(len(line)))
	for b.Loop() {
		_, _ = t.Write(line)
	}
}
