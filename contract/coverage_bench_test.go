package contract

import (
	"path/filepath"
	"testing"
)

// BenchmarkCoverageRecord measures counting one response in an operation's
// coverage, as every worker does for every response (in parallel).
func BenchmarkCoverageRecord(b *testing.B) {
	doc, err := Load(filepath.Join("testdata", "shop.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	ops, err := doc.Operations(ByID("getItem"))
	if err != nil {
		b.Fatal(err)
	}
	c := ops[0].NewCoverageCounter()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.record(200, "application/json; charset=utf-8")
		}
	})
	if cov := c.Coverage(); cov.Total != int64(b.N) {
		b.Fatalf("counted %d of %d", cov.Total, b.N)
	}
}
