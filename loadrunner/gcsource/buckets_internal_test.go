package gcsource

import (
	"math"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

func TestRecordN(t *testing.T) {
	for _, n := range []uint64{0, 1, 4096, 4097, 1<<20 + 3, 1 << 40} {
		h := loadrunner.NewHistogram()
		recordN(h, 5*time.Microsecond, n)
		if h.Count() != n {
			t.Errorf("recordN(%d): count %d", n, h.Count())
		}
	}
}

func TestFromBuckets(t *testing.T) {
	inf := math.Inf(1)
	cases := []struct {
		name    string
		bounds  []float64
		counts  []uint64
		count   uint64
		total   time.Duration
		max     time.Duration
		open    uint64
		widest  float64
		wantErr bool
	}{
		{name: "upper bounds", bounds: []float64{0, 1e-6, 2e-6, inf}, counts: []uint64{3, 2, 0},
			count: 5, total: 7 * time.Microsecond, max: 2 * time.Microsecond, widest: 2},
		{name: "open top bucket", bounds: []float64{math.Inf(-1), 0, 1e-3, inf}, counts: []uint64{0, 1, 2},
			count: 3, total: 3 * time.Millisecond, max: time.Millisecond, open: 2, widest: 1},
		{name: "empty", bounds: []float64{0, 1}, counts: []uint64{0}, widest: 1},
		{name: "mismatched lengths", bounds: []float64{0, 1}, counts: []uint64{1, 2}, wantErr: true},
		{name: "descending", bounds: []float64{2e-3, 1e-3, inf}, counts: []uint64{1, 0}, wantErr: true},
		{name: "NaN bound", bounds: []float64{0, math.NaN(), inf}, counts: []uint64{1, 1}, wantErr: true},
		{name: "too many", bounds: []float64{0, 1e-6, inf}, counts: []uint64{maxBucketCount, 1}, wantErr: true},
		{name: "total overflows", bounds: []float64{0, 3600, inf}, counts: []uint64{maxBucketCount, 0}, wantErr: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b, err := fromBuckets(tc.bounds, tc.counts)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("err = nil, want one (got %+v)", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if b.count != tc.count || b.total != tc.total || b.max != tc.max || b.open != tc.open || b.widest != tc.widest || b.hist.Count() != tc.count {
				t.Errorf("got count %d total %v max %v open %d widest %g hist %d; want %d %v %v %d %g",
					b.count, b.total, b.max, b.open, b.widest, b.hist.Count(), tc.count, tc.total, tc.max, tc.open, tc.widest)
			}
		})
	}
}
