// Package harness measures slaspec's load runner beside vegeta's library
// and wrk: the target server and every generator run as separate processes,
// pinned to their own cores where taskset allows, tools alternating
// A B A B, and prints medians and ratios.
package harness

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/slaspec/slaspec/bench/internal/gen"
	"github.com/slaspec/slaspec/bench/internal/server"
)

// Config says what to measure.
type Config struct {
	// Exe is the benchrun executable, which serves ("serve") and generates
	// ("gen") when re-run with those subcommands.
	Exe string
	// Rates are the open-model rates compared, each for Duration.
	Rates    []float64
	Duration time.Duration
	// Reps is how many times each tool runs each scenario (alternating).
	Reps int
	// Concurrency is the closed loop's connections/workers; zero skips the
	// closed-loop scenario.
	Concurrency int
	// FreezeRate is the rate of the freezing-server scenario (zero skips
	// it), run for FreezeDuration against Freeze.
	FreezeRate     float64
	FreezeDuration time.Duration
	Freeze         server.Freeze
	// TopFrom > 0 searches slaspec's highest open-model rate held, from
	// TopFrom up by TopStep to at most TopMax, each step for Duration; with
	// Check, the search is repeated with response validation on.
	TopFrom, TopStep, TopMax float64
	Check                    bool
	// Soak > 0 compares slaspec's peak RSS at SoakRate over Soak with a
	// run of Duration.
	Soak     time.Duration
	SoakRate float64
	// NetHTTP adds slaspec on the net/http engine to the closed and open
	// scenarios, beside the default lean engine.
	NetHTTP bool
	// Coarse adds slaspec with coarse pacing (Go timers) to the open-model
	// scenarios: the CPU that precise pacing costs.
	Coarse bool
	// HoldRuns > 0 runs slaspec that many times at HoldRate, each for
	// Duration, and counts the runs that held the rate.
	HoldRuns int
	HoldRate float64
	// NoPin disables pinning with taskset.
	NoPin bool
}

// Validate reports a config that cannot run.
func (c Config) Validate() error {
	switch {
	case c.Exe == "":
		return fmt.Errorf("harness: executable is empty")
	case c.Duration <= 0:
		return fmt.Errorf("harness: duration %s must be positive", c.Duration)
	case c.Reps <= 0:
		return fmt.Errorf("harness: reps %d must be positive", c.Reps)
	case c.Concurrency < 0:
		return fmt.Errorf("harness: concurrency %d is negative", c.Concurrency)
	case c.FreezeRate > 0 && (c.FreezeDuration <= 0 || c.Freeze.Hold <= 0 || c.Freeze.Cycle <= c.Freeze.Hold):
		return fmt.Errorf("harness: freeze %s in %s for %s needs a positive hold shorter than the cycle and a positive duration", c.Freeze.Hold, c.Freeze.Cycle, c.FreezeDuration)
	case c.TopFrom > 0 && (c.TopStep <= 0 || c.TopMax < c.TopFrom):
		return fmt.Errorf("harness: top-rate search from %g by %g to %g needs a positive step and max ≥ from", c.TopFrom, c.TopStep, c.TopMax)
	case c.HoldRuns > 0 && c.HoldRate <= 0:
		return fmt.Errorf("harness: hold rate %g must be positive", c.HoldRate)
	case c.Soak > 0 && c.SoakRate <= 0:
		return fmt.Errorf("harness: soak rate %g must be positive", c.SoakRate)
	}
	for _, r := range c.Rates {
		if r <= 0 {
			return fmt.Errorf("harness: rate %g must be positive", r)
		}
	}
	return nil
}

// Run measures what c says and writes the tables to w.
func Run(ctx context.Context, c Config, w io.Writer) error {
	if err := c.Validate(); err != nil {
		return err
	}
	p := pin(c.NoPin)
	if p.note != "" {
		fmt.Fprintf(w, "note: %s\n", p.note)
	} else {
		fmt.Fprintf(w, "target pinned to core %s, generators to core %s\n", p.target, p.load)
	}
	t, err := startTarget(ctx, c.Exe, p, server.Freeze{})
	if err != nil {
		return err
	}
	defer t.stop()
	s := &session{c: c, p: p, t: t, w: w}
	if err := s.closed(ctx); err != nil {
		return err
	}
	for _, r := range c.Rates {
		if err := s.open(ctx, r); err != nil {
			return err
		}
	}
	if err := s.hold(ctx); err != nil {
		return err
	}
	if err := s.top(ctx); err != nil {
		return err
	}
	if err := s.soak(ctx); err != nil {
		return err
	}
	if err := s.frozen(ctx); err != nil {
		return err
	}
	s.summary()
	return nil
}

// session is one harness run's state.
type session struct {
	c         Config
	p         pinning
	t         *target
	w         io.Writer
	wrkCPU    time.Duration // wrk's median CPU per request at its closed-loop maximum
	vegetaMax float64       // vegeta's median closed-loop maximum rate
	verdicts  []verdict     // the targets judged so far
}

// alternate runs each spec Reps times, A B A B, and returns the
// measurements per tool in the order of specs.
func (s *session) alternate(ctx context.Context, t *target, specs []gen.Spec, withWrk bool) ([][]gen.Measurement, error) {
	n := len(specs)
	if withWrk {
		n++
	}
	out := make([][]gen.Measurement, n)
	for range s.c.Reps {
		for i, spec := range specs {
			m, err := measureGen(ctx, s.c.Exe, s.p, t, spec)
			if err != nil {
				return nil, err
			}
			out[i] = append(out[i], m)
		}
		if !withWrk {
			continue
		}
		m, ok, err := measureWrk(ctx, s.p, t, s.c.Concurrency, s.c.Duration)
		if err != nil {
			return nil, err
		}
		if !ok {
			fmt.Fprintln(s.w, "note: wrk is not installed: skipped (apt-get install wrk)")
			withWrk = false
			out = out[:len(specs)]
			continue
		}
		out[n-1] = append(out[n-1], m)
	}
	return out, nil
}
