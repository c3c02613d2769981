// Package ginkgoplugin runs slaspec load specs inside a Ginkgo suite: Load
// applies a plan to a target from a spec, judges its SLA with the matchers
// and attaches the result to the spec as a report entry; Enable gathers every
// spec's entry — across all processes of `ginkgo -p` — after the suite and
// writes the SLA reports (JSON, Markdown, HTML, JUnit), gating on a baseline
// when asked. Every option can be set in Go and overridden from the
// environment (SLASPEC_*) for CI.
package ginkgoplugin

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
)

// Config is the plugin's configuration: what Enable's options and the
// SLASPEC_* environment set.
type Config struct {
	// ReportDir is where the reports go (SLASPEC_REPORT_DIR), relative to
	// the suite's directory; default "sla-report".
	ReportDir string
	// Formats are the report formats (SLASPEC_REPORT_FORMATS, comma
	// separated: json, md, html, junit); default all.
	Formats []string
	// RateScale multiplies every planned rate (SLASPEC_RATE_SCALE), e.g. 0.1
	// for a quick pull-request run; default 1.
	RateScale float64
	// Duration, when set, replaces every plan's measured duration
	// (SLASPEC_DURATION); ramp stages are scaled to fit it.
	Duration time.Duration
	// Baseline is a report JSON to compare the run with (SLASPEC_BASELINE);
	// the suite fails on a regression beyond MaxRegression
	// (SLASPEC_MAX_REGRESSION, e.g. 10%; default 10%) and the noise.
	Baseline      string
	MaxRegression float64
	// SkipInconclusive skips (instead of failing) a load spec whose SLA is
	// inconclusive — a busy machine's generator, too few samples — with the
	// reason (SLASPEC_INCONCLUSIVE=skip; "fail", the default, fails it).
	// The reports still say inconclusive: an inconclusive verdict is never
	// a pass. For shared CI runners whose load the suite cannot control.
	SkipInconclusive bool
	// MinDelta is the smallest latency change that can count as a
	// regression (SLASPEC_MIN_DELTA, default 1ms; see report.Threshold).
	MinDelta time.Duration
	// Shard runs this worker's stripe of every schedule (SLASPEC_SHARD=i/n),
	// so n workers together apply the planned load.
	Shard loadrunner.Shard
	// StartAt is the common wall-clock instant the workers of a sharded run
	// start from (SLASPEC_START_AT, RFC 3339). Each load spec then starts on
	// the next Align boundary after it (SLASPEC_ALIGN, default 5s), so
	// workers that run the same specs in the same order load together.
	StartAt time.Time
	Align   time.Duration
	// Remote raises the safety limits for targets outside loopback
	// (SLASPEC_REMOTE_MAX_RATE, SLASPEC_REMOTE_MAX_DURATION,
	// SLASPEC_REMOTE_MAX_CONCURRENCY); see loadrunner.Safety.
	Remote loadrunner.RemoteLimits
	// Profile is a Go service's net/http/pprof address
	// (SLASPEC_PROFILE, e.g. http://127.0.0.1:8080/debug/pprof/): every load
	// spec then profiles it over its measured window (CPU, allocations,
	// goroutines; see loadrunner/pprofsource) into
	// ReportDir/profiles/<spec>/, and the reports show the top frames. It
	// costs the service a few percent of its CPU while a spec runs. Hosts
	// outside loopback must be in SLASPEC_ALLOW_HOSTS (ProfileAllow).
	Profile      string
	ProfileAllow []string
	// AllowHosts restricts the target hosts outside loopback to these
	// patterns (SLASPEC_ALLOW_HOSTS, comma separated); see
	// loadrunner.Safety.AllowHosts.
	AllowHosts []string
}

// WithProfile profiles the Go service whose net/http/pprof endpoints are at
// url over a spec's measured window (CPU, allocations, goroutines), into
// the report folder's profiles/<spec>/ (a capacity search: each step into
// profiles/<spec>/step-<rate>rps/); the reports and a failure message name
// the top frames. Given to Enable it applies to every load spec (see
// Config.Profile); given to Load or LoadCapacity, to that spec, overriding
// the suite's.
//
//	ginkgoplugin.Load(ctx, plan, target, ginkgoplugin.WithProfile(url+"/debug/pprof/"))
func WithProfile(url string) ProfileOption { return ProfileOption{url: url} }

// ProfileOption is WithProfile's option: an Option for Enable and a
// LoadOption for one spec.
type ProfileOption struct{ url string }

func (o ProfileOption) applyConfig(c *Config) { c.Profile = o.url }
func (o ProfileOption) applyLoad(s *loadSpec) { s.profile = o.url }

// WithRemoteLimits raises the safety limits for targets outside loopback.
func WithRemoteLimits(l loadrunner.RemoteLimits) Option {
	return configFunc(func(c *Config) { c.Remote = l })
}

// WithAllowHosts restricts the target hosts outside loopback to patterns.
func WithAllowHosts(patterns ...string) Option {
	return configFunc(func(c *Config) { c.AllowHosts = patterns })
}

// guard is the configured safety guard: remote limits and allow-list.
func (c Config) guard() loadrunner.Safety {
	return loadrunner.Safety{Limits: c.Remote, AllowHosts: c.AllowHosts}
}

// safety returns the run options carrying the configured remote limits and
// allow-list, when set (so that a spec's own WithSafety keeps the rest).
func (c Config) safety() []loadrunner.Option {
	var opts []loadrunner.Option
	if c.Remote != (loadrunner.RemoteLimits{}) {
		opts = append(opts, loadrunner.WithRemoteLimits(c.Remote))
	}
	if len(c.AllowHosts) > 0 {
		opts = append(opts, loadrunner.WithAllowHosts(c.AllowHosts...))
	}
	return opts
}

// Option configures the plugin in Go code, given to Enable; the environment
// overrides it. Every option of this package is named With…, like those of
// loadrunner and contract.
type Option interface{ applyConfig(*Config) }

// configFunc adapts a function to Option.
type configFunc func(*Config)

func (f configFunc) applyConfig(c *Config) { f(c) }

// WithReports sets the report directory and, optionally, the formats.
func WithReports(dir string, formats ...string) Option {
	return configFunc(func(c *Config) {
		c.ReportDir = dir
		if len(formats) > 0 {
			c.Formats = formats
		}
	})
}

// WithRateScale multiplies every planned rate.
func WithRateScale(f float64) Option { return configFunc(func(c *Config) { c.RateScale = f }) }

// WithDuration replaces every plan's measured duration.
func WithDuration(d time.Duration) Option { return configFunc(func(c *Config) { c.Duration = d }) }

// WithBaseline makes the suite fail when a load spec regressed against the
// report at path by more than maxRegression (a share, 0.1 for 10%) and the
// noise of the two runs.
func WithBaseline(path string, maxRegression float64) Option {
	return configFunc(func(c *Config) { c.Baseline, c.MaxRegression = path, maxRegression })
}

// WithShard makes this worker run shard index (0-based) of count.
func WithShard(index, count int) Option {
	return configFunc(func(c *Config) { c.Shard = loadrunner.Shard{Index: index, Count: count} })
}

// WithStartAt sets the common start instant of a sharded run.
func WithStartAt(t time.Time) Option { return configFunc(func(c *Config) { c.StartAt = t }) }

func defaultConfig() Config {
	return Config{ReportDir: "sla-report", Formats: report.Formats, RateScale: 1, MaxRegression: report.DefaultThreshold.Relative, MinDelta: report.DefaultThreshold.Absolute, Align: 5 * time.Second}
}

// resolve applies the options, then the environment, and checks the result.
func resolve(opts []Option, getenv func(string) string) (Config, error) {
	c := defaultConfig()
	for _, o := range opts {
		o.applyConfig(&c)
	}
	set := func(key string, parse func(string) error) error {
		if v := strings.TrimSpace(getenv(key)); v != "" {
			if err := parse(v); err != nil {
				return fmt.Errorf("ginkgoplugin: %s=%q: %w", key, v, err)
			}
		}
		return nil
	}
	for _, e := range []struct {
		key   string
		parse func(string) error
	}{
		{"SLASPEC_REPORT_DIR", func(v string) error { c.ReportDir = v; return nil }},
		{"SLASPEC_REPORT_FORMATS", func(v string) error { c.Formats = strings.Split(v, ","); return nil }},
		{"SLASPEC_RATE_SCALE", func(v string) (err error) { c.RateScale, err = strconv.ParseFloat(v, 64); return err }},
		{"SLASPEC_DURATION", func(v string) (err error) { c.Duration, err = time.ParseDuration(v); return err }},
		{"SLASPEC_BASELINE", func(v string) error { c.Baseline = v; return nil }},
		{"SLASPEC_MAX_REGRESSION", func(v string) (err error) { c.MaxRegression, err = report.ParseThreshold(v); return err }},
		{"SLASPEC_MIN_DELTA", func(v string) (err error) { c.MinDelta, err = time.ParseDuration(v); return err }},
		{"SLASPEC_SHARD", func(v string) (err error) { c.Shard, err = loadrunner.ParseShard(v); return err }},
		{"SLASPEC_START_AT", func(v string) (err error) { c.StartAt, err = time.Parse(time.RFC3339Nano, v); return err }},
		{"SLASPEC_ALIGN", func(v string) (err error) { c.Align, err = time.ParseDuration(v); return err }},
		{"SLASPEC_REMOTE_MAX_RATE", func(v string) (err error) { c.Remote.MaxRate, err = strconv.ParseFloat(v, 64); return err }},
		{"SLASPEC_REMOTE_MAX_DURATION", func(v string) (err error) { c.Remote.MaxDuration, err = time.ParseDuration(v); return err }},
		{"SLASPEC_PROFILE", func(v string) error { c.Profile = v; return nil }},
		{"SLASPEC_INCONCLUSIVE", func(v string) error {
			if v != "skip" && v != "fail" {
				return fmt.Errorf("want skip or fail, got %q", v)
			}
			c.SkipInconclusive = v == "skip"
			return nil
		}},
		{"SLASPEC_REMOTE_MAX_CONCURRENCY", func(v string) (err error) { c.Remote.MaxConcurrency, err = strconv.Atoi(v); return err }},
		{loadrunner.AllowHostsEnv, func(v string) error { c.AllowHosts = splitList(v); c.ProfileAllow = c.AllowHosts; return nil }},
	} {
		if err := set(e.key, e.parse); err != nil {
			return c, err
		}
	}
	return c, c.validate()
}

func (c Config) validate() error {
	switch {
	case c.RateScale <= 0 || c.RateScale > 1000:
		return fmt.Errorf("ginkgoplugin: rate scale %g must be more than 0 and at most 1000", c.RateScale)
	case c.Duration < 0:
		return fmt.Errorf("ginkgoplugin: duration %s is negative", c.Duration)
	case c.MaxRegression < 0:
		return fmt.Errorf("ginkgoplugin: max regression %g is negative", c.MaxRegression)
	case c.MinDelta < 0:
		return fmt.Errorf("ginkgoplugin: min delta %s is negative", c.MinDelta)
	case c.Align <= 0:
		return fmt.Errorf("ginkgoplugin: align %s must be positive", c.Align)
	case c.ReportDir == "":
		return fmt.Errorf("ginkgoplugin: report dir is empty")
	}
	for i, f := range c.Formats {
		f = strings.TrimSpace(f)
		c.Formats[i] = f
		if !slices.Contains(report.Formats, f) {
			return fmt.Errorf("ginkgoplugin: unknown report format %q: use %s", f, strings.Join(report.Formats, ", "))
		}
	}
	if c.Shard.Count > 0 && (c.Shard.Index < 0 || c.Shard.Index >= c.Shard.Count) {
		return fmt.Errorf("ginkgoplugin: shard %d/%d: index must be in 0..%d", c.Shard.Index, c.Shard.Count, c.Shard.Count-1)
	}
	return nil
}

// Apply returns plan as this configuration runs it: rates scaled, duration
// replaced, the shard set, and the start aligned for sharded workers.
func (c Config) Apply(plan loadrunner.Plan, now time.Time) loadrunner.Plan {
	plan.Rate *= c.RateScale
	plan.Stages = append([]loadrunner.Stage(nil), plan.Stages...)
	var total time.Duration
	for _, s := range plan.Stages {
		total += s.Duration
	}
	for i := range plan.Stages {
		plan.Stages[i].From *= c.RateScale
		plan.Stages[i].To *= c.RateScale
		if c.Duration > 0 && total > 0 {
			plan.Stages[i].Duration = time.Duration(float64(c.Duration) * float64(plan.Stages[i].Duration) / float64(total))
		}
	}
	if c.Duration > 0 {
		if len(plan.Stages) > 0 {
			plan.Duration = 0
		} else {
			plan.Duration = c.Duration
		}
	}
	if c.Shard.Count > 1 {
		plan.Shard = c.Shard
	}
	if !c.StartAt.IsZero() {
		at := c.StartAt
		if now.After(at) {
			at = at.Add((now.Sub(at)/c.Align + 1) * c.Align)
		}
		plan.StartAt = at
	}
	return plan
}

// splitList splits a comma-separated list, dropping empty entries.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// environment is the process's real environment.
func environment(key string) string { return os.Getenv(key) }
