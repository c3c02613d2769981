package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/slaspec/slaspec/bench/internal/gen"
	"github.com/slaspec/slaspec/bench/internal/server"
)

// closed measures the closed-loop maximum of slaspec, vegeta and wrk.
func (s *session) closed(ctx context.Context) error {
	if s.c.Concurrency == 0 {
		return nil
	}
	specs := []gen.Spec{
		{Tool: gen.Slaspec, URL: s.t.base + "/", Concurrency: s.c.Concurrency, Duration: s.c.Duration},
		{Tool: gen.Vegeta, URL: s.t.base + "/", Concurrency: s.c.Concurrency, Duration: s.c.Duration},
	}
	specs = s.withNetHTTP(specs)
	runs, err := s.alternate(ctx, s.t, specs, true)
	if err != nil {
		return err
	}
	meds := medians(runs)
	for _, m := range meds {
		switch m.Spec.Tool {
		case gen.Vegeta:
			s.vegetaMax = m.Achieved
		case Wrk:
			s.wrkCPU = m.CPUPerRequest()
		}
	}
	fmt.Fprintf(s.w, "\n## closed loop, %d connections, %s, median of %d\n", s.c.Concurrency, s.c.Duration, s.c.Reps)
	s.table(meds, 0)
	s.judgeClosed(meds[0])
	return nil
}

// open compares slaspec and vegeta at one open-model rate.
func (s *session) open(ctx context.Context, rate float64) error {
	specs := []gen.Spec{
		{Tool: gen.Slaspec, URL: s.t.base + "/", Rate: rate, Duration: s.c.Duration},
		{Tool: gen.Vegeta, URL: s.t.base + "/", Rate: rate, Duration: s.c.Duration},
	}
	specs = s.withNetHTTP(specs)
	if s.c.Coarse {
		c := specs[0]
		c.Coarse = true
		specs = append(specs, c)
	}
	runs, err := s.alternate(ctx, s.t, specs, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(s.w, "\n## open model, %g req/s, %s, median of %d\n", rate, s.c.Duration, s.c.Reps)
	meds := medians(runs)
	s.table(meds, rate)
	fmt.Fprintf(s.w, "slaspec/vegeta CPU per request: %s\n", ratio(meds[0].CPUPerRequest(), meds[1].CPUPerRequest()))
	s.judgeOpen(rate, meds[0])
	return nil
}

// withNetHTTP adds slaspec on the net/http engine after the specs when the
// config asks for it.
func (s *session) withNetHTTP(specs []gen.Spec) []gen.Spec {
	if !s.c.NetHTTP {
		return specs
	}
	l := specs[0]
	l.NetHTTP = true
	return append(specs, l)
}

// held reports whether m held its planned rate: achieved ≥ 99%, send-lag
// p99 under a millisecond, no errors.
func held(m gen.Measurement) bool {
	return m.Achieved >= 0.99*m.Spec.Rate && m.LagP99 < time.Millisecond && m.Errors == 0
}

// top searches slaspec's highest open-model rate held, without and (with
// Check) with response validation.
func (s *session) top(ctx context.Context) error {
	if s.c.TopFrom <= 0 {
		return nil
	}
	checks := []bool{false}
	if s.c.Check {
		checks = append(checks, true)
	}
	var best [2]float64
	for i, check := range checks {
		fmt.Fprintf(s.w, "\n## top open-model rate held for %s (achieved ≥ 99%%, send-lag p99 < 1 ms), validation %t\n", s.c.Duration, check)
		// Up from TopFrom while each rate holds; when TopFrom itself does
		// not, down from it until one does.
		step := s.c.TopStep
	search:
		for rate := s.c.TopFrom; rate > 0 && rate <= s.c.TopMax; rate += step {
			spec := gen.Spec{Tool: gen.Slaspec, URL: s.t.base + "/", Rate: rate, Duration: s.c.Duration, Check: check}
			m, err := measureGen(ctx, s.c.Exe, s.p, s.t, spec)
			if err != nil {
				return err
			}
			s.table([]gen.Measurement{m}, rate)
			if held(m) {
				best[i] = rate
				if step < 0 {
					break
				}
				continue
			}
			switch {
			case step < 0: // on down
			case rate > s.c.TopFrom:
				break search
			default:
				step = -s.c.TopStep
			}
		}
		fmt.Fprintf(s.w, "highest rate held: %g req/s", best[i])
		if s.vegetaMax > 0 {
			fmt.Fprintf(s.w, " (%.2f× vegeta's closed-loop maximum %.0f req/s)", best[i]/s.vegetaMax, s.vegetaMax)
		}
		fmt.Fprintln(s.w)
	}
	if s.vegetaMax > 0 {
		s.judge("top open-model rate held", "≥ vegeta's closed-loop maximum", best[0] >= s.vegetaMax,
			"%g req/s, %.2f× vegeta's %.0f", best[0], best[0]/s.vegetaMax, s.vegetaMax)
	}
	if s.c.Check && best[0] > 0 {
		fmt.Fprintf(s.w, "top rate with validation / without: %.2f\n", best[1]/best[0])
		s.judge("top rate with validation", "≥ 0.7× without", best[1] >= 0.7*best[0], "%.2f× (%g of %g req/s)", best[1]/best[0], best[1], best[0])
	}
	return nil
}

// soak compares slaspec's peak RSS of a long run with a run of Duration.
func (s *session) soak(ctx context.Context) error {
	if s.c.Soak <= 0 {
		return nil
	}
	var ms []gen.Measurement
	for _, d := range []time.Duration{s.c.Duration, s.c.Soak} {
		m, err := measureGen(ctx, s.c.Exe, s.p, s.t, gen.Spec{Tool: gen.Slaspec, URL: s.t.base + "/", Rate: s.c.SoakRate, Duration: d})
		if err != nil {
			return err
		}
		ms = append(ms, m)
	}
	fmt.Fprintf(s.w, "\n## flat memory: slaspec at %g req/s for %s and %s\n", s.c.SoakRate, s.c.Duration, s.c.Soak)
	s.table(ms, s.c.SoakRate)
	fmt.Fprintf(s.w, "peak RSS %s / %s: %.2f\n", s.c.Soak, s.c.Duration, float64(ms[1].RSS)/float64(ms[0].RSS))
	return nil
}

// frozen compares latency percentiles against a freezing server with the
// analytical values.
func (s *session) frozen(ctx context.Context) error {
	if s.c.FreezeRate <= 0 {
		return nil
	}
	t, err := startTarget(ctx, s.c.Exe, s.p, s.c.Freeze)
	if err != nil {
		return err
	}
	defer t.stop()
	specs := []gen.Spec{
		{Tool: gen.Slaspec, URL: t.base + "/", Rate: s.c.FreezeRate, Duration: s.c.FreezeDuration},
		{Tool: gen.Vegeta, URL: t.base + "/", Rate: s.c.FreezeRate, Duration: s.c.FreezeDuration},
	}
	runs, err := s.alternate(ctx, t, specs, false)
	if err != nil {
		return err
	}
	p99, p999 := analytical(s.c.Freeze, 0.99), analytical(s.c.Freeze, 0.999)
	fmt.Fprintf(s.w, "\n## timing truth: server frozen %s in every %s, %g req/s, %s, median of %d\n", s.c.Freeze.Hold, s.c.Freeze.Cycle, s.c.FreezeRate, s.c.FreezeDuration, s.c.Reps)
	meds := medians(runs)
	s.table(meds, s.c.FreezeRate)
	fmt.Fprintf(s.w, "analytical p99 %s, p99.9 %s\n", p99, p999)
	for _, m := range meds {
		d99, d999 := deviation(m.P99, p99), deviation(m.P999, p999)
		fmt.Fprintf(s.w, "%-8s p99 %+.1f%%, p99.9 %+.1f%% from analytical\n", m.Spec.Tool, d99, d999)
		if m.Spec.Tool == gen.Slaspec {
			s.judge("timing truth, freezing server", "p99 and p99.9 within 3%", abs(d99) <= 3 && abs(d999) <= 3, "p99 %+.1f%%, p99.9 %+.1f%%", d99, d999)
		}
	}
	return nil
}

// analytical returns the q-quantile (0–1) of the latency of an open-model
// load against f: a request arriving a time x into the hold waits hold−x,
// so P(latency > x) = (hold−x)/cycle, and the quantile is hold − (1−q)·cycle.
// The service time itself (microseconds) is neglected.
func analytical(f server.Freeze, q float64) time.Duration {
	return max(f.Hold-time.Duration((1-q)*float64(f.Cycle)), 0)
}

// deviation returns (got − want)/want in percent.
func deviation(got, want time.Duration) float64 {
	if want == 0 {
		return 0
	}
	return 100 * (float64(got) - float64(want)) / float64(want)
}

func abs(x float64) float64 { return max(x, -x) }
