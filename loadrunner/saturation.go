package loadrunner

import (
	"fmt"
	"time"
)

// The bounds past which a run is flagged generator-saturated: the generator
// could not apply the planned load for reasons of its own. They are set for
// a material failure — a process that cannot reach the rate, a stall, a
// starved CPU — not for the tens of milliseconds of scheduling noise a
// busy CI machine adds (on a 2-core machine at a load average of 15–24,
// generator lag p99 of 15–220 ms at 100–500 req/s); that lag is kept in
// GeneratorLag, where the SLA verdicts weigh it (package sla: a latency
// budget that fails by less than the longest generator lag is
// inconclusive). The lag bounds are multiples of Plan.LateAfter.
const (
	// SaturationLag is the generator-lag p99, as a multiple of
	// Plan.LateAfter, past which a run is flagged (500 × 1 ms = 500 ms by
	// default): more than one send in a hundred went out that late although
	// an in-flight slot was free.
	SaturationLag = 500
	// SaturationStall is the longest generator lag a run tolerates, as a
	// multiple of Plan.LateAfter (1000 × 1 ms = 1 s by default): one send
	// held back longer while a slot was free means the whole process stalled
	// (stopped, starved of CPU, paused) and every send due meanwhile with it.
	SaturationStall = 1000
	// SaturationCPU is the share (0–1) of GOMAXPROCS the generator process's
	// CPU time may reach over the window.
	SaturationCPU = 0.95
	// SaturationGC is the share (0–1) of the window the generator process
	// may spend in GC pauses.
	SaturationGC = 0.10
)

// judge flags res (and its operations) as generator-saturated and as
// service-backlogged, each with its reasons. An operation of a mix or a
// journey shares the run's generator, so it gets the generator's health
// too (its lag, CPU, GC), for its own verdicts to weigh.
func (r *runner) judge(res *Result) {
	res.Saturation = saturation(res, r.plan, r.droppedFree.Load())
	res.GeneratorSaturated = len(res.Saturation) > 0
	res.Backlog = backlog(res, r.plan, r.droppedFree.Load())
	res.ServiceBacklogged = len(res.Backlog) > 0
	for _, op := range res.Operations {
		op.GeneratorSaturated, op.Saturation = res.GeneratorSaturated, res.Saturation
		op.ServiceBacklogged, op.Backlog = res.ServiceBacklogged, res.Backlog
		op.Generator, op.SlotWaits = res.Generator, res.SlotWaits
		if res.GeneratorLag != nil {
			op.GeneratorLag = res.GeneratorLag.Clone()
		}
	}
}

// saturation returns why the generator could not keep its schedule: sends
// late although in-flight slots were free, a stall of the whole process,
// drops with slots free, its CPU at GOMAXPROCS, its GC pauses. A wait for a
// full in-flight bound is the service's (see backlog), never a reason here.
func saturation(res *Result, plan Plan, droppedFree uint64) []string {
	var why []string
	if g := res.GeneratorLag; g != nil && g.Count() > 0 {
		if p99, bound := g.Percentile(P99), SaturationLag*plan.LateAfter; p99 > bound {
			why = append(why, fmt.Sprintf("generator lag p99 %s exceeds %s: sends went out late although in-flight slots were free", round(p99), bound))
		}
		if mx := g.Max(); mx > SaturationStall*plan.LateAfter {
			why = append(why, fmt.Sprintf("the generator stalled for %s with in-flight slots free (stopped, starved of CPU or paused): every send due meanwhile went out late", round(mx)))
		}
	}
	if droppedFree > 0 {
		why = append(why, fmt.Sprintf("%d planned sends dropped although in-flight slots were free: the generator could not hand them out within max_lag %s", droppedFree, plan.MaxLag))
	}
	g, window := res.Generator, res.Duration.Seconds()
	if window <= 0 {
		return why
	}
	if share := g.CPU.Seconds() / (window * float64(max(g.GOMAXPROCS, 1))); share > SaturationCPU {
		why = append(why, fmt.Sprintf("process CPU at %.0f%% of GOMAXPROCS=%d", share*100, g.GOMAXPROCS))
	}
	if share := g.GCPauseTotal.Seconds() / window; share > SaturationGC {
		why = append(why, fmt.Sprintf("the generator process spent %.1f%% of the window in GC pauses (longest %s)", share*100, round(g.GCPauseMax)))
	}
	return why
}

// backlog returns how the in-flight bound filled because responses did not
// come back in time: the sends that waited for a slot, and those dropped
// after waiting MaxLag for one.
func backlog(res *Result, plan Plan, droppedFree uint64) []string {
	var why []string
	if res.SlotWaits > 0 {
		share := float64(res.SlotWaits) / float64(max(res.Sent, 1))
		why = append(why, fmt.Sprintf("%d of %d sends (%.1f%%) found all %d in-flight slots busy and waited for one: responses did not come back fast enough for the planned rate (send lag p99 %s, counted in the latency from the intended send time)",
			res.SlotWaits, res.Sent, share*100, plan.MaxInFlight, round(res.SendLag.Percentile(P99))))
		if mean := res.ServiceTime.Mean(); res.ServiceTime.Count() > 0 && mean > 0 {
			why = append(why, fmt.Sprintf("at the mean service time of %s, %d slots carry at most %.0f req/s: raise max_inflight if the service can take more requests at once",
				round(mean), plan.MaxInFlight, float64(plan.MaxInFlight)/mean.Seconds()))
		}
		if c := res.Checks; c != nil && res.ServiceTime.Count() > 0 && c.Mean() > res.ServiceTime.Mean()/10 {
			why = append(why, fmt.Sprintf("response checks also held each slot %s on average after the response (service time mean %s)", round(c.Mean()), round(res.ServiceTime.Mean())))
		}
	}
	if n := res.Dropped - min(droppedFree, res.Dropped); n > 0 {
		why = append(why, fmt.Sprintf("%d planned sends dropped after waiting max_lag %s for an in-flight slot", n, plan.MaxLag))
	}
	return why
}

// round shortens a duration for a message: to 10 ms above a second, to
// 0.1 ms above a millisecond, to the microsecond below.
func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	if d >= time.Millisecond {
		return d.Round(100 * time.Microsecond)
	}
	return d.Round(time.Microsecond)
}
