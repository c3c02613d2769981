package sla_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/sla"
)

func TestParseCanonicalRoundTrip(t *testing.T) {
	cases := []struct{ in, canonical string }{
		{"p99<150ms", "p99<150ms"},
		{" p99 < 150ms ,p99.9<0.4s", "p99<150ms, p99.9<400ms"},
		{"max<2000ms, mean<=1ms", "max<2s, mean<=1ms"},
		{"p50<500us, p99.99<1.5s", "p50<500µs, p99.99<1.5s"},
		{"errors<0.1%, errors.5xx<0.01%, errors.contract==0", "errors<0.1%, errors.5xx<0.01%, errors.contract==0"},
		{"rate>=99%, rps>=500", "rate>=99%, rps>=500"},
		{"gc.max<2ms, gc.p99<1ms, gc.total<1%, gc.cycles<=50", "gc.max<2ms, gc.p99<1ms, gc.total<1%, gc.cycles<=50"},
		{"alloc/req<64KiB, alloc/req>=1024B", "alloc/req<64KiB, alloc/req>=1KiB"},
		{"alloc/req<1MB", "alloc/req<1MB"},
		{"p99@10s<200ms, errors@1m<1%", "p99@10s<200ms, errors@1m<1%"},
		{"errors<1%!, max<2s!", "errors<1%!, max<2s!"},
		{"p99<1.5m", "p99<1.5m"},
		{"errors.transport<1%, errors.timeout==0", "errors.transport<1%, errors.timeout==0"},
		{"sched.p99<1ms, sched.max<=50ms", "sched.p99<1ms, sched.max<=50ms"},
		{"goroutines.max<10000, heap.max<512MiB", "goroutines.max<10000, heap.max<512MiB"},
		{"heap.max<=536870912B", "heap.max<=512MiB"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			got, err := sla.Parse(c.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", c.in, err)
			}
			if s := got.String(); s != c.canonical {
				t.Fatalf("canonical text %q, want %q", s, c.canonical)
			}
			again, err := sla.Parse(got.String())
			if err != nil || again.String() != c.canonical {
				t.Fatalf("canonical text does not parse back to itself: %q, %v", again.String(), err)
			}
		})
	}
}

func TestParseValues(t *testing.T) {
	got := sla.MustParse("p99.9@10s<400ms, errors.5xx<0.01%, alloc/req<64KiB, errors<1%!, sched.p99<1ms, goroutines.max<10000, heap.max<512MiB")
	want := []sla.Budget{
		{Metric: "p99.9", Kind: sla.Latency, Percentile: 99.9, Window: 10 * time.Second, Op: sla.OpLess, Limit: float64(400 * time.Millisecond)},
		{Metric: "errors.5xx", Kind: sla.ErrorRate, Class: "http.5xx", Op: sla.OpLess, Limit: 0.0001},
		{Metric: "alloc/req", Kind: sla.AllocPerRequest, Op: sla.OpLess, Limit: 65536},
		{Metric: "errors", Kind: sla.ErrorRate, Op: sla.OpLess, Limit: 0.01, Abort: true},
		{Metric: "sched.p99", Kind: sla.SchedLatency, Percentile: 99, Op: sla.OpLess, Limit: float64(time.Millisecond)},
		{Metric: "goroutines.max", Kind: sla.Goroutines, Op: sla.OpLess, Limit: 10000},
		{Metric: "heap.max", Kind: sla.HeapBytes, Op: sla.OpLess, Limit: 512 << 20},
	}
	if len(got.Budgets) != len(want) {
		t.Fatalf("%d budgets, want %d", len(got.Budgets), len(want))
	}
	for i, w := range want {
		if got.Budgets[i] != w {
			t.Errorf("budget %d: %+v, want %+v", i, got.Budgets[i], w)
		}
	}
}

func TestParseErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "empty SLA"},
		{"   ", "empty SLA"},
		{"p99<abc", `budget "p99<abc" at column 1: limit "abc" is not a duration`},
		{"p101<1ms", `budget "p101<1ms" at column 1: metric p101: percentile 101 is out of range`},
		{"p0<1ms", "percentile 0 is out of range"},
		{"p100<1ms", "use max for the largest"},
		{"pabc<1ms", `percentile "abc" is not a number`},
		{"p99<-1ms", "limit -1ms is negative"},
		{"errors<101%", "limit 101% is more than 100%"},
		{"errors<5", `limit "5" needs a unit: write a percentage`},
		{"errors<-1%", "-1 is negative"},
		{"p99<150ms, p99<200ms", `budget "p99<200ms" at column 12: duplicates the budget at column 1`},
		{"p99<150ms,, errors<1%", "column 11: empty budget between commas"},
		{"latency<1ms", `unknown metric "latency"`},
		{"errors.6xx<1%", `unknown error class "6xx"`},
		{"p99", "want metric, operator and limit"},
		{"<1ms", "want metric, operator and limit"},
		{"p99=<1ms", "unknown operator"},
		{"p99<", "missing limit"},
		{"rps>=fast", `"fast" is not a number`},
		{"alloc/req<64", "needs a byte unit"},
		{"gc.cycles<1.5", "whole number"},
		{"rate@10s>=99%", "a window applies to latency and error budgets"},
		{"p99@0s<1ms", "not a positive duration"},
		{"p99<1ms!", "early abort (!) applies to errors and max"},
		{"errors>1%!", "needs an upper bound"},
		{"errors.5xx<1%!", "early abort (!) applies to errors and max"},
		{"p99<1ms, max<1s, errors<1%, rps>=NaN", `"NaN" is not a number`},
		{"p1e2<1ms", "is not a number"},
		{strings.Repeat("p99<1ms,", 600), "more than the 4096 allowed"},
		{"sched.p100<1ms", "use max for the largest"},
		{"sched<1ms", `unknown metric "sched"`},
		{"sched.p99<1", `limit "1" is not a duration`},
		{"goroutines.max<1e4", "is not a number"},
		{"goroutines.max<10.5", "whole number"},
		{"goroutines<10", `unknown metric "goroutines"`},
		{"heap.max<512", "needs a byte unit"},
		{"heap.max@10s<1GiB", "a window applies to latency and error budgets"},
		{"sched.max<1ms!", "early abort (!) applies to errors and max"},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			_, err := sla.Parse(c.in)
			if err == nil {
				t.Fatalf("Parse(%q) succeeded, want an error containing %q", c.in, c.want)
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Parse(%q) error %q, want it to contain %q", c.in, err, c.want)
			}
		})
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"p99<150ms, errors<0.1%", "p99.9@10s<400ms!", "alloc/req<64KiB", "gc.total<1%", "rate>=99%, rps>=500", "errors.5xx==0", "sched.p99<1ms, goroutines.max<10000, heap.max<512MiB", "p1<50.00083333333333m", "p50<1.0000001s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := sla.Parse(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "sla: ") {
				t.Fatalf("error without context: %v", err)
			}
			return
		}
		canonical := got.String()
		again, err := sla.Parse(canonical)
		if err != nil {
			t.Fatalf("canonical %q of %q does not parse: %v", canonical, s, err)
		}
		if again.String() != canonical {
			t.Fatalf("canonical text not stable: %q then %q", canonical, again.String())
		}
	})
}
