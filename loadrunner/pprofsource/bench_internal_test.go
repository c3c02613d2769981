package pprofsource

import (
	"os"
	"testing"
)

// benchProfile decodes a profile under testdata.
func benchProfile(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile("testdata/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// BenchmarkRead is what End costs per profile once it has the bytes:
// decode, then the three top lists.
func BenchmarkRead(b *testing.B) {
	for _, name := range []string{"cpu.pb.gz", "allocs.pb.gz", "goroutine.pb.gz"} {
		data := benchProfile(b, name)
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := decode(data, DefaultMaxBody*inflation)
				if err != nil {
					b.Fatal(err)
				}
				summarize(p, len(p.SampleType)-1, DefaultTop)
			}
		})
	}
}

// BenchmarkSubtract is the window's allocations: end minus start.
func BenchmarkSubtract(b *testing.B) {
	p, err := decode(benchProfile(b, "allocs.pb.gz"), DefaultMaxBody*inflation)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := subtract(p, p); err != nil {
			b.Fatal(err)
		}
	}
}
