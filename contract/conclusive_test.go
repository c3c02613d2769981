package contract_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/sla"
)

// TestShortfalls: a plan whose sample count cannot make a percentile
// conclusive is found before the run, with what would make it so.
func TestShortfalls(t *testing.T) {
	tests := []struct {
		name     string
		spec     contract.LoadSpec
		want     []string // Explain(true) of each shortfall
		wantText string   // Explain(false) of the first, when set
	}{
		{"the issue's case", contract.LoadSpec{Rate: 50, Duration: 3 * time.Second, SLA: sla.MustParse("p99<100ms, errors<1%")},
			[]string{"p99 needs 1,000 samples; 50 req/s × 3s gives 150: use -duration 20s or -rate 334, or budget p90"},
			"p99 needs 1,000 samples; 50 req/s × 3s gives 150: use Duration 20s or Rate 334, or budget p90"},
		{"exactly enough", contract.LoadSpec{Rate: 50, Duration: 20 * time.Second, SLA: sla.MustParse("p99<100ms")}, nil, ""},
		{"p99.9 and p50", contract.LoadSpec{Rate: 100, Duration: 5 * time.Second, SLA: sla.MustParse("p50<10ms, p99.9<1s")},
			[]string{"p99.9 needs 10,000 samples; 100 req/s × 5s gives 500: use -duration 100s or -rate 2000, or budget p98"}, ""},
		{"too few even for p50", contract.LoadSpec{Rate: 5, Duration: 2 * time.Second, SLA: sla.MustParse("p90<1s")},
			[]string{"p90 needs 100 samples; 5 req/s × 2s gives 10: use -duration 20s or -rate 50"}, ""},
		{"a window", contract.LoadSpec{Rate: 50, Duration: time.Minute, SLA: sla.MustParse("p99@10s<100ms")},
			[]string{"p99 needs 1,000 samples; 50 req/s × 10s window gives 500: use -rate 100 (or a longer window), or budget p98"}, ""},
		{"max, mean and errors need one", contract.LoadSpec{Rate: 1, Duration: time.Second, SLA: sla.MustParse("max<1s, mean<1s, errors<1%")}, nil, ""},
		{"the default", contract.DefaultLoadSpec(), nil, ""},
		{"no plan", contract.LoadSpec{SLA: sla.MustParse("p99<1s")}, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.spec.Shortfalls()
			var texts []string
			for _, f := range got {
				texts = append(texts, f.Explain(true))
			}
			if strings.Join(texts, "\n") != strings.Join(tt.want, "\n") {
				t.Fatalf("shortfalls\n%s\nwant\n%s", strings.Join(texts, "\n"), strings.Join(tt.want, "\n"))
			}
			if tt.wantText != "" && got[0].Explain(false) != tt.wantText {
				t.Errorf("Go text %q, want %q", got[0].Explain(false), tt.wantText)
			}
		})
	}
}
