package harness

import (
	"context"
	"fmt"
	"time"

	"github.com/slaspec/slaspec/bench/internal/gen"
)

// verdict is one of the targets as this run measured it.
type verdict struct {
	name, want, got string
	reached         bool
}

// judge records a target's verdict for the closing summary.
func (s *session) judge(name, want string, reached bool, got string, args ...any) {
	s.verdicts = append(s.verdicts, verdict{name: name, want: want, got: fmt.Sprintf(got, args...), reached: reached})
}

// summary prints every target judged in this run.
func (s *session) summary() {
	if len(s.verdicts) == 0 {
		return
	}
	fmt.Fprintf(s.w, "\n## against the targets (this run)\n")
	for _, v := range s.verdicts {
		mark := "not reached"
		if v.reached {
			mark = "reached"
		}
		fmt.Fprintf(s.w, "%-34s want %-40s got %s: %s\n", v.name, v.want, v.got, mark)
	}
}

// Targets of the issue, as ratios within one run.
const (
	openCPUTarget   = 2.5 // × wrk's closed-loop CPU per request, at 5,000 req/s open
	openLagTarget   = 250 * time.Microsecond
	closedCPUTarget = 1.3 // × wrk, closed loop
	holdShare       = 0.995
	holdLag         = time.Millisecond
	holdRSS         = 50 << 20
)

// judgeOpen judges the open-model CPU target on slaspec's row at 5,000 req/s.
func (s *session) judgeOpen(rate float64, m gen.Measurement) {
	if rate != 5000 || s.wrkCPU <= 0 {
		return
	}
	x := float64(m.CPUPerRequest()) / float64(s.wrkCPU)
	s.judge("CPU/req at 5,000 req/s, open", fmt.Sprintf("≤ %.1f× wrk, send-lag p99 ≤ %s", openCPUTarget, openLagTarget),
		x <= openCPUTarget && m.LagP99 <= openLagTarget, "%.2f× wrk (%s), send-lag p99 %s", x, short(m.CPUPerRequest()), short(m.LagP99))
}

// judgeClosed judges the closed-loop CPU target.
func (s *session) judgeClosed(m gen.Measurement) {
	if s.wrkCPU <= 0 {
		return
	}
	x := float64(m.CPUPerRequest()) / float64(s.wrkCPU)
	s.judge("CPU/req, closed loop", fmt.Sprintf("≤ %.1f× wrk", closedCPUTarget), x <= closedCPUTarget,
		"%.2f× wrk (%s at %.0f req/s)", x, short(m.CPUPerRequest()), m.Achieved)
}

// holds reports whether a hold run kept its rate: achieved ≥ 99.5 %,
// send-lag p99 < 1 ms, RSS < 50 MiB, not flagged saturated, no errors.
func holds(m gen.Measurement) bool {
	return m.Achieved >= holdShare*m.Spec.Rate && m.LagP99 < holdLag && m.RSS < holdRSS && m.Note == "" && m.Errors == 0
}

// hold runs slaspec HoldRuns times at HoldRate and counts the runs held.
func (s *session) hold(ctx context.Context) error {
	if s.c.HoldRuns <= 0 {
		return nil
	}
	var ms []gen.Measurement
	held := 0
	for range s.c.HoldRuns {
		m, err := measureGen(ctx, s.c.Exe, s.p, s.t, gen.Spec{Tool: gen.Slaspec, URL: s.t.base + "/", Rate: s.c.HoldRate, Duration: s.c.Duration})
		if err != nil {
			return err
		}
		if holds(m) {
			held++
		}
		ms = append(ms, m)
	}
	fmt.Fprintf(s.w, "\n## %g req/s held %d times (achieved ≥ 99.5%%, send-lag p99 < 1 ms, RSS < 50 MiB, not saturated), %s each\n", s.c.HoldRate, s.c.HoldRuns, s.c.Duration)
	s.table(ms, s.c.HoldRate)
	fmt.Fprintf(s.w, "held %d of %d\n", held, s.c.HoldRuns)
	s.judge(fmt.Sprintf("%g req/s held", s.c.HoldRate), fmt.Sprintf("%d of %d runs", s.c.HoldRuns, s.c.HoldRuns),
		held == s.c.HoldRuns, "%d of %d", held, s.c.HoldRuns)
	return nil
}
