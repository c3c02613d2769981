package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

func init() {
	register("capacity", "search for the highest rate at which a URL still meets an SLA", runCapacity)
}

// capacityFlags are the flags of slaspec capacity.
type capacityFlags struct {
	url, method, sla, jsonOut, htmlOut string
	headers                            headerFlags
	cp                                 capacity.Plan
	quiet                              bool
	remote                             remoteFlags
	redact                             redactFlag
	conn                               connFlags
	profile                            profileFlags
}

func runCapacity(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var f capacityFlags
	fs := newFlagSet("capacity", "-url URL -sla SLA [flags]", stderr)
	fs.StringVar(&f.url, "url", "", "target URL (required)")
	fs.StringVar(&f.sla, "sla", "", "the SLA every step is judged against, e.g. \"p99<100ms, errors<0.1%\" (required)")
	fs.StringVar(&f.method, "method", http.MethodGet, "HTTP method")
	fs.Var(&f.headers, "header", "request header `Name: value` (repeatable)")
	fs.Float64Var(&f.cp.Min, "min", 10, "lowest offered rate searched, requests per second")
	fs.Float64Var(&f.cp.Max, "max", 100, "highest offered rate searched, requests per second")
	fs.IntVar(&f.cp.Steps, "steps", capacity.DefaultCapacitySteps, fmt.Sprintf("rates the step search spaces from -min to -max before it bisects (binary: most steps in all), at most %d", capacity.MaxCapacitySteps))
	fs.Float64Var(&f.cp.Resolution, "resolution", capacity.DefaultResolution, fmt.Sprintf("bisect until the knee is bracketed within this share (%g–1) of the rate", capacity.MinResolution))
	fs.DurationVar(&f.cp.StepDuration, "step-duration", capacity.DefaultStepDuration, "measured duration of each step (lengthened when a percentile needs more samples)")
	fs.DurationVar(&f.cp.Warmup, "warmup", time.Second, "warm-up before each step, excluded from its statistics")
	fs.DurationVar(&f.cp.Cooldown, "cooldown", 0, "pause between steps, so the service drains the backlog of an overloaded step")
	fs.StringVar(&f.cp.Search, "search", capacity.SearchStep, "`step` (rates evenly spaced, lowest first, up to the first that does not pass, then bisection) or binary (-min, -max, then bisection)")
	fs.DurationVar(&f.cp.MaxTotal, "max-time", capacity.DefaultCapacityMaxTotal, "refuse a search that could take longer than this")
	fs.IntVar(&f.cp.Plan.MaxInFlight, "max-inflight", loadrunner.DefaultMaxInFlight, "bound on requests outstanding at once")
	fs.DurationVar(&f.cp.Plan.Timeout, "timeout", loadrunner.DefaultTimeout, "per-request timeout")
	fs.StringVar(&f.jsonOut, "json", "", "write the search as JSON to `file` (- for stdout): capacity_rps, generator_bound, steps with verdicts and results")
	fs.StringVar(&f.htmlOut, "html", "", "write an HTML report of the search to `file`: the step table and p99 latency and error rate against the offered rate")
	fs.BoolVar(&f.quiet, "q", false, "no live progress line")
	f.conn.register(fs)
	f.remote.register(fs)
	f.redact.register(fs)
	f.profile.register(fs)
	if err := fs.Parse(args); err != nil {
		return exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "slaspec capacity: unexpected argument %q\n", fs.Arg(0))
		return exitUsage
	}
	target, sla, err := f.build(stderr)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec capacity: %s\n", errorText(err))
		return exitUsage
	}
	opts := f.remote.options()
	if f.profile.url != "" {
		// Each step profiles the service into a folder of its own.
		if _, err := f.profile.options(f.jsonOut, ""); err != nil {
			fmt.Fprintf(stderr, "slaspec capacity: %s\n", errorText(err))
			return exitUsage
		}
		f.cp.StepOptions = func(rate float64) []loadrunner.Option {
			popts, _ := f.profile.options(f.jsonOut, capacity.StepName(rate))
			return popts
		}
	}
	highest := loadrunner.Plan{Rate: f.cp.Max, Duration: f.cp.StepDuration, Warmup: f.cp.Warmup}
	if err := loadrunner.CheckSafety(highest, target, opts...); err != nil {
		fmt.Fprintf(stderr, "slaspec capacity: -max %g: %v\n", f.cp.Max, err)
		return exitUsage
	}
	live := !f.quiet && isTerminal(stderr)
	if live {
		opts = append(opts, loadrunner.WithProgress(progressLine(stderr)))
	}
	c, err := capacity.Find(ctx, target, sla, f.cp, opts...)
	if live {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err != nil {
		fmt.Fprintf(stderr, "slaspec capacity: %s\n", errorText(err))
		return exitUsage
	}
	if err := writeCapacity(f.jsonOut, c, stdout); err != nil {
		fmt.Fprintf(stderr, "slaspec capacity: %s\n", errorText(err))
		return exitFail
	}
	if err := writeCapacityHTML(f.htmlOut, target.Redactor().URL(f.url), c); err != nil {
		fmt.Fprintf(stderr, "slaspec capacity: %s\n", errorText(err))
		return exitFail
	}
	out := stdout
	if f.jsonOut == "-" {
		out = stderr
	}
	capacity.Write(out, c)
	return exitCode(c.Status)
}

// build turns the flags into a target and an SLA.
func (f *capacityFlags) build(stderr io.Writer) (*loadrunner.HTTPTarget, sla.SLA, error) {
	if f.url == "" {
		return nil, sla.SLA{}, errors.New("-url is required")
	}
	if f.sla == "" {
		return nil, sla.SLA{}, errors.New("-sla is required: the search looks for the highest rate that meets it")
	}
	want, err := sla.Parse(f.sla)
	if err != nil {
		return nil, sla.SLA{}, fmt.Errorf("-sla: %w", err)
	}
	c, err := f.conn.build(stderr, "slaspec capacity", f.url)
	if err != nil {
		return nil, sla.SLA{}, err
	}
	hopts := append([]loadrunner.HTTPOption{loadrunner.Request{Method: strings.ToUpper(f.method)}, f.redact.option()}, c.httpOptions()...)
	for _, h := range f.headers {
		k, v, _ := strings.Cut(h, ":")
		hopts = append(hopts, loadrunner.WithHeader(strings.TrimSpace(k), strings.TrimSpace(v)))
	}
	target := loadrunner.HTTP(f.url, hopts...)
	if err := target.Validate(); err != nil {
		return nil, sla.SLA{}, fmt.Errorf("-url: %w", err)
	}
	return target, want, nil
}

// writeCapacity writes c as JSON to path ("-" for stdout; "" for nowhere).
func writeCapacity(path string, c *capacity.Result, stdout io.Writer) error {
	if path == "" {
		return nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return fmt.Errorf("encode capacity: %w", err)
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = stdout.Write(b)
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write capacity: %w", err)
	}
	return nil
}

// writeCapacityHTML writes the HTML report of c to path ("" for nowhere).
func writeCapacityHTML(path, url string, c *capacity.Result) error {
	if path == "" || len(c.Steps) == 0 {
		return nil
	}
	e, err := report.NewCapacityEntry("capacity of "+url, c)
	if err != nil {
		return err
	}
	doc := &report.Document{Suite: "slaspec capacity", Environment: report.CurrentEnvironment(os.Getenv), Partial: c.Partial, Operations: []report.Entry{e}}
	doc.Started, doc.Ended = c.Steps[0].Result.Started, c.Steps[len(c.Steps)-1].Result.Ended
	var b bytes.Buffer
	if err := report.WriteHTML(&b, doc); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write html report: %w", err)
	}
	return nil
}
