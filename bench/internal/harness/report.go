package harness

import (
	"fmt"
	"slices"
	"text/tabwriter"
	"time"

	"github.com/slaspec/slaspec/bench/internal/gen"
)

// medians returns, per tool, the median of every figure over its runs.
func medians(runs [][]gen.Measurement) []gen.Measurement {
	out := make([]gen.Measurement, 0, len(runs))
	for _, ms := range runs {
		if len(ms) == 0 {
			continue
		}
		m := ms[0]
		m.Note = ""
		dur := func(f func(gen.Measurement) time.Duration) time.Duration {
			return median(ms, func(m gen.Measurement) float64 { return float64(f(m)) }, func(v float64) time.Duration { return time.Duration(v) })
		}
		num := func(f func(gen.Measurement) float64) float64 {
			return median(ms, f, func(v float64) float64 { return v })
		}
		m.Achieved = num(func(m gen.Measurement) float64 { return m.Achieved })
		m.Sent = uint64(num(func(m gen.Measurement) float64 { return float64(m.Sent) }))
		m.Completed = uint64(num(func(m gen.Measurement) float64 { return float64(m.Completed) }))
		m.Errors = uint64(num(func(m gen.Measurement) float64 { return float64(m.Errors) }))
		m.RSS = int64(num(func(m gen.Measurement) float64 { return float64(m.RSS) }))
		m.Conns = int64(num(func(m gen.Measurement) float64 { return float64(m.Conns) }))
		m.PeakConns = int64(num(func(m gen.Measurement) float64 { return float64(m.PeakConns) }))
		m.TargetCPU = dur(func(m gen.Measurement) time.Duration { return m.TargetCPU })
		m.Steal = dur(func(m gen.Measurement) time.Duration { return m.Steal })
		m.LagP99 = dur(func(m gen.Measurement) time.Duration { return m.LagP99 })
		m.P50 = dur(func(m gen.Measurement) time.Duration { return m.P50 })
		m.P99 = dur(func(m gen.Measurement) time.Duration { return m.P99 })
		m.P999 = dur(func(m gen.Measurement) time.Duration { return m.P999 })
		m.Max = dur(func(m gen.Measurement) time.Duration { return m.Max })
		// CPU per request is the median of the runs' ratios, kept through CPU.
		perReq := dur(func(m gen.Measurement) time.Duration { return m.CPUPerRequest() })
		m.CPU = perReq * time.Duration(max(m.Completed, 1))
		for _, r := range ms {
			if r.Note != "" {
				m.Note = r.Note
			}
		}
		out = append(out, m)
	}
	return out
}

// median returns the median of f over ms (the mean of the middle two for an
// even count), converted by to.
func median[T any](ms []gen.Measurement, f func(gen.Measurement) float64, to func(float64) T) T {
	vs := make([]float64, len(ms))
	for i, m := range ms {
		vs[i] = f(m)
	}
	slices.Sort(vs)
	n := len(vs)
	if n%2 == 1 {
		return to(vs[n/2])
	}
	return to((vs[n/2-1] + vs[n/2]) / 2)
}

// table prints one row per measurement; rate > 0 adds the achieved share.
func (s *session) table(ms []gen.Measurement, rate float64) {
	tw := tabwriter.NewWriter(s.w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "tool\tachieved/s\tof plan\tlag p99\tp50\tp99\tp99.9\tCPU/req\t×wrk\tRSS MiB\tconns\tpeak\terrors\ttarget CPU\tsteal\t note")
	for _, m := range ms {
		share := "-"
		if rate > 0 {
			share = fmt.Sprintf("%.2f%%", 100*m.Achieved/rate)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%.1f\t%d\t%d\t%d\t%s\t%s\t %s\n",
			m.Spec.Name(), m.Achieved, share, short(m.LagP99), short(m.P50), short(m.P99), short(m.P999),
			short(m.CPUPerRequest()), ratio(m.CPUPerRequest(), s.wrkCPU), float64(m.RSS)/(1<<20),
			m.Conns, m.PeakConns, m.Errors, targetBusy(m), stolen(m), m.Note)
	}
	_ = tw.Flush()
}

// stolen formats the time the hypervisor took from the generator's core
// as a share of the measurement, "0%" when it took none (to the tick).
func stolen(m gen.Measurement) string {
	if m.Elapsed <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.1f%%", 100*m.Steal.Seconds()/m.Elapsed.Seconds())
}

// targetBusy formats the target's CPU over the measurement as a share of
// one core (the target runs on one), or "-" when unknown.
func targetBusy(m gen.Measurement) string {
	if m.TargetCPU <= 0 || m.Elapsed <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.0f%%", 100*m.TargetCPU.Seconds()/m.Elapsed.Seconds())
}

// ratio formats a/b, or "-" when b is zero.
func ratio(a, b time.Duration) string {
	if b <= 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", float64(a)/float64(b))
}

// short formats d with three significant digits.
func short(d time.Duration) string {
	switch {
	case d == 0:
		return "-"
	case d < time.Millisecond:
		return fmt.Sprintf("%.3gµs", float64(d)/1e3)
	case d < time.Second:
		return fmt.Sprintf("%.3gms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.3gs", d.Seconds())
}
