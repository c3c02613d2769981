package loadrunner

import "time"

// Option configures how a run is wired (as opposed to the Plan, which says
// what load to apply).
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

type config struct {
	coarse   bool
	gc       GCSource
	profile  ProfileSource
	progress func(Progress) error
	interval time.Duration
	safety   Safety

	secretNames, secretValues []string
}

// WithGCSource attaches a source of the service's GC figures; the result's GC
// field holds its figures for the measured window.
func WithGCSource(s GCSource) Option { return optionFunc(func(c *config) { c.gc = s }) }

// WithProfileSource attaches a source of the service's pprof profiles: it
// starts capturing when the measured window opens (not during the warm-up)
// and stops when it closes, and the result's Profiles field holds what it
// captured. Without it the run makes no profiling request. A source that
// fails does not fail the run: its error is a warning in Profiles.
func WithProfileSource(s ProfileSource) Option {
	return optionFunc(func(c *config) { c.profile = s })
}

// WithProgress calls fn with live figures once per time-series interval, from
// the run's own goroutine (fn must be quick). A non-nil error from fn aborts
// the run: the result is marked partial and Aborted holds the error's text.
// Several WithProgress options all get called, in order, until one fails.
func WithProgress(fn func(Progress) error) Option {
	return optionFunc(func(c *config) {
		prev := c.progress
		if prev == nil || fn == nil {
			if fn != nil {
				c.progress = fn
			}
			return
		}
		c.progress = func(p Progress) error {
			if err := prev(p); err != nil {
				return err
			}
			return fn(p)
		}
	})
}

// WithCoarsePacing makes the dispatcher wait for each send on a Go timer
// instead of the precise waker (a Linux timerfd read through the netpoller).
// Go timers wake up to a millisecond late when the process is otherwise
// idle, so sends go out 0–1 ms after their intended time (the result's
// send_lag shows it) while several due sends share one wake-up, which costs
// less CPU at high rates. Precise pacing is the default where it exists.
func WithCoarsePacing() Option { return optionFunc(func(c *config) { c.coarse = true }) }

// WithInterval sets the time-series interval (default one second).
func WithInterval(d time.Duration) Option { return optionFunc(func(c *config) { c.interval = d }) }

// Progress is a live view of a run.
type Progress struct {
	// Elapsed is the time since the schedule started (warm-up included);
	// Warmup is true while the warm-up runs.
	Elapsed time.Duration
	Warmup  bool
	// Counts in the measured window so far.
	Planned, Sent, Requests, Errors, Dropped, Late uint64
	// Total is the number of sends the whole measured window plans.
	Total uint64
	// AchievedRate is sends per second of the measured window so far.
	AchievedRate float64
	// P99 and Max are latency figures of the measured window's successful
	// requests so far.
	P99, Max time.Duration
	// InFlight is the number of requests outstanding now.
	InFlight int
}
