package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

func init() {
	register("attack", "apply an open-model load to a URL and print (and save) what it measured", attack)
}

// headerFlags collects repeated -header K:V flags.
type headerFlags []string

func (h *headerFlags) String() string { return strings.Join(*h, ", ") }

func (h *headerFlags) Set(v string) error {
	k, _, ok := strings.Cut(v, ":")
	if !ok || strings.TrimSpace(k) == "" {
		return fmt.Errorf("header %q: want Name: value", v)
	}
	*h = append(*h, v)
	return nil
}

// attackFlags are the flags of slaspec attack.
type attackFlags struct {
	url, method, body, jsonOut, sla, gcSource string
	headers                                   headerFlags
	plan                                      loadrunner.Plan
	shard, startAt                            string
	demo, quiet                               bool
	remote                                    remoteFlags
	profile                                   profileFlags
	redact                                    redactFlag
	conn                                      connFlags
	stderr                                    io.Writer // for the warning of -insecure
}

func attack(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	f, code := parseAttack(args, stderr)
	if f == nil {
		return code
	}
	target, want, opts, cleanup, err := f.build()
	if cleanup != nil {
		defer cleanup()
	}
	if err != nil {
		fmt.Fprintf(stderr, "slaspec attack: %s\n", errorText(err))
		return exitUsage
	}
	if !f.quiet && isTerminal(stderr) {
		opts = append(opts, loadrunner.WithProgress(progressLine(stderr)))
	}
	res, err := loadrunner.Run(ctx, f.plan, target, opts...)
	if err != nil {
		fmt.Fprintf(stderr, "slaspec attack: %s\n", errorText(err))
		return exitUsage
	}
	if !f.quiet && isTerminal(stderr) {
		fmt.Fprint(stderr, "\r\033[K")
	}
	if err := writeResult(f.jsonOut, res, stdout); err != nil {
		fmt.Fprintf(stderr, "slaspec attack: %s\n", errorText(err))
		return exitFail
	}
	out := stdout
	if f.jsonOut == "-" {
		out = stderr
	}
	return printRun(out, res, want)
}

// parseAttack parses slaspec attack's flags; on bad flags it returns nil and
// the exit code, having said why on stderr.
func parseAttack(args []string, stderr io.Writer) (*attackFlags, int) {
	f := &attackFlags{stderr: stderr}
	fs := newFlagSet("attack", "-url URL | -demo [flags]", stderr)
	fs.StringVar(&f.url, "url", "", "target URL (required unless -demo)")
	fs.StringVar(&f.method, "method", http.MethodGet, "HTTP method")
	fs.Var(&f.headers, "header", "request header `Name: value` (repeatable)")
	fs.StringVar(&f.body, "body", "", "`file` holding the request body")
	fs.Float64Var(&f.plan.Rate, "rate", 50, "planned open-model rate, requests per second")
	fs.DurationVar(&f.plan.Duration, "duration", 10*time.Second, "measured duration")
	fs.DurationVar(&f.plan.Warmup, "warmup", 0, "warm-up run before the measured window, excluded from statistics")
	fs.IntVar(&f.plan.MaxInFlight, "max-inflight", loadrunner.DefaultMaxInFlight, "bound on requests outstanding at once")
	fs.IntVar(&f.plan.Concurrency, "concurrency", 0, "closed model instead: this many workers sending back to back (ignores -rate)")
	fs.DurationVar(&f.plan.Timeout, "timeout", loadrunner.DefaultTimeout, "per-request timeout")
	fs.StringVar(&f.jsonOut, "json", "", "write the JSON result to `file` (- for stdout)")
	fs.StringVar(&f.sla, "sla", "", "judge the run against an SLA, e.g. \"p99<150ms, errors<0.1%\" (exit 1 on a failed budget, 3 on an inconclusive one)")
	fs.StringVar(&f.gcSource, "gc-source", "", "read the service's GC from `URL`: expvar (/debug/vars) or Prometheus (/metrics)")
	fs.StringVar(&f.shard, "shard", "", "run shard `i/n` of the schedule (n workers together apply -rate); default $SLASPEC_SHARD")
	fs.StringVar(&f.startAt, "start-at", "", "start the schedule at this RFC 3339 instant, so shards start together; default $SLASPEC_START_AT")
	fs.BoolVar(&f.demo, "demo", false, "start a demo service on loopback and load it (no -url needed)")
	fs.BoolVar(&f.quiet, "q", false, "no live progress line")
	f.conn.register(fs)
	f.remote.register(fs)
	f.profile.register(fs)
	f.redact.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, exitUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "slaspec attack: unexpected argument %q\n", fs.Arg(0))
		return nil, exitUsage
	}
	return f, exitOK
}

// build turns the flags into a target, an SLA and run options.
func (f *attackFlags) build() (loadrunner.Target, sla.SLA, []loadrunner.Option, func(), error) {
	var cleanup func()
	if f.demo {
		if f.url != "" {
			return nil, sla.SLA{}, nil, nil, errors.New("-demo starts its own service: leave out -url")
		}
		url, stop, err := startDemo()
		if err != nil {
			return nil, sla.SLA{}, nil, nil, err
		}
		f.url, cleanup = url, stop
	}
	if f.url == "" {
		return nil, sla.SLA{}, nil, cleanup, errors.New("-url is required (or -demo)")
	}
	if f.plan.Concurrency > 0 {
		f.plan.Rate = 0
	}
	if err := f.distribute(); err != nil {
		return nil, sla.SLA{}, nil, cleanup, err
	}
	if err := f.plan.Validate(); err != nil {
		return nil, sla.SLA{}, nil, cleanup, err
	}
	req := loadrunner.Request{Method: strings.ToUpper(f.method)}
	if f.body != "" {
		body, err := readBounded(f.body, 64<<20)
		if err != nil {
			return nil, sla.SLA{}, nil, cleanup, fmt.Errorf("-body: %w", err)
		}
		req.Body = body
	}
	c, err := f.conn.build(f.stderr, "slaspec attack", f.url)
	if err != nil {
		return nil, sla.SLA{}, nil, cleanup, err
	}
	hopts := append([]loadrunner.HTTPOption{req, f.redact.option()}, c.httpOptions()...)
	for _, h := range f.headers {
		k, v, _ := strings.Cut(h, ":")
		hopts = append(hopts, loadrunner.WithHeader(strings.TrimSpace(k), strings.TrimSpace(v)))
	}
	target := loadrunner.HTTP(f.url, hopts...)
	if err := target.Validate(); err != nil {
		return nil, sla.SLA{}, nil, cleanup, fmt.Errorf("-url: %w", err)
	}
	opts := f.remote.options()
	want := sla.WithServiceErrors(sla.SLA{}) // without -sla: a run of failed requests is not a pass
	if f.sla != "" {
		s, err := sla.Parse(f.sla)
		if err != nil {
			return nil, sla.SLA{}, nil, cleanup, fmt.Errorf("-sla: %w", err)
		}
		want = s
		opts = append(opts, sla.AbortWhenLost(s))
	}
	if f.gcSource != "" {
		src, err := gcSourceFor(f.gcSource)
		if err != nil {
			return nil, sla.SLA{}, nil, cleanup, fmt.Errorf("-gc-source: %w", err)
		}
		opts = append(opts, loadrunner.WithGCSource(src))
	}
	popts, err := f.profile.options(f.jsonOut, "")
	if err != nil {
		return nil, sla.SLA{}, nil, cleanup, err
	}
	return target, want, append(opts, popts...), cleanup, nil
}

// distribute sets the plan's shard and start instant from the flags or the
// environment (SLASPEC_SHARD, SLASPEC_START_AT).
func (f *attackFlags) distribute() error {
	shard, startAt := cmp.Or(f.shard, os.Getenv("SLASPEC_SHARD")), cmp.Or(f.startAt, os.Getenv("SLASPEC_START_AT"))
	if shard != "" {
		s, err := loadrunner.ParseShard(shard)
		if err != nil {
			return fmt.Errorf("-shard: %w", err)
		}
		f.plan.Shard = s
	}
	if startAt != "" {
		t, err := time.Parse(time.RFC3339Nano, startAt)
		if err != nil {
			return fmt.Errorf("-start-at %q: want an RFC 3339 instant such as 2026-11-25T10:00:00Z", startAt)
		}
		if time.Until(t) > 24*time.Hour {
			return fmt.Errorf("-start-at %s is more than a day away", startAt)
		}
		if late := -time.Until(t); late > cmp.Or(f.plan.Timeout, loadrunner.DefaultTimeout) {
			return fmt.Errorf("-start-at %s is %s in the past: every send would be too late", startAt, late.Round(time.Second))
		}
		f.plan.StartAt = t
	}
	return nil
}

// printRun prints the run and its verdicts against want, and returns the
// exit code.
func printRun(w io.Writer, res *loadrunner.Result, want sla.SLA) int {
	ev := sla.Evaluate(res, want)
	fmt.Fprint(w, sla.Explain(res, ev))
	return exitCode(ev.Status)
}

// exitCode maps an SLA status to the process exit code.
func exitCode(s sla.Status) int {
	switch s {
	case sla.Passed:
		return exitOK
	case sla.Inconclusive:
		return exitInconclusive
	}
	return exitFail
}

// readBounded reads a whole file of at most limit bytes.
func readBounded(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, limit)
	}
	return b, nil
}

// writeResult writes res as JSON to path ("-" for stdout; "" for nowhere).
func writeResult(path string, res *loadrunner.Result, stdout io.Writer) error {
	if path == "" {
		return nil
	}
	b, err := res.MarshalJSON()
	if err != nil {
		return fmt.Errorf("encode result: %w", err)
	}
	b = append(b, '\n')
	if path == "-" {
		_, err = stdout.Write(b)
		return err
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("write result: %w", err)
	}
	return nil
}

// isTerminal reports whether w is a character device (a TTY).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// progressLine rewrites one status line on a terminal once per interval.
func progressLine(w io.Writer) func(loadrunner.Progress) error {
	return func(p loadrunner.Progress) error {
		phase := "measuring"
		if p.Warmup {
			phase = "warming up"
		}
		fmt.Fprintf(w, "\r\033[K%s %5.1fs  sent %d/%d  %.0f req/s  errors %d  dropped %d  in flight %d  p99 %s  max %s",
			phase, p.Elapsed.Seconds(), p.Sent, p.Total, p.AchievedRate, p.Errors, p.Dropped, p.InFlight, p.P99, p.Max)
		return nil
	}
}

// startDemo serves a small JSON endpoint on a loopback port, with a light,
// varied service time, so that attack -demo shows a whole run on a fresh
// machine without any other service.
func startDemo() (string, func(), error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, fmt.Errorf("demo service: %w", err)
	}
	var n atomic.Uint64
	mux := http.NewServeMux()
	mux.HandleFunc("GET /items/{id}", func(w http.ResponseWriter, r *http.Request) {
		work := 20_000 + int(n.Add(1)%7)*10_000
		sum := 0
		for i := range work {
			sum += i ^ len(r.URL.Path)
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"id":%q,"v":%d}`, r.PathValue("id"), sum&0xff)
	})
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go srv.Serve(ln)
	return "http://" + ln.Addr().String() + "/items/42", func() { srv.Close() }, nil
}

// remoteFlags raise the safety limits for targets outside loopback; the
// allow-list comes from the environment (loadrunner.AllowHostsEnv).
type remoteFlags struct{ limits loadrunner.RemoteLimits }

func (r *remoteFlags) register(fs *flag.FlagSet) {
	fs.Float64Var(&r.limits.MaxRate, "remote-max-rate", 0, fmt.Sprintf("highest rate allowed at a host outside loopback (default %g req/s)", loadrunner.DefaultRemoteMaxRate))
	fs.DurationVar(&r.limits.MaxDuration, "remote-max-duration", 0, fmt.Sprintf("longest run allowed at a host outside loopback (default %s)", loadrunner.DefaultRemoteMaxDuration))
	fs.IntVar(&r.limits.MaxConcurrency, "remote-max-concurrency", 0, fmt.Sprintf("most workers of a closed-model run allowed at a host outside loopback (default %d)", loadrunner.DefaultRemoteMaxConcurrency))
}

// safety returns the safety configuration: the limits of the flags and
// the allow-list of SLASPEC_ALLOW_HOSTS.
func (r *remoteFlags) safety() loadrunner.Safety {
	s := loadrunner.Safety{Limits: r.limits}
	if list := os.Getenv(loadrunner.AllowHostsEnv); strings.TrimSpace(list) != "" {
		s.AllowHosts = strings.Split(list, ",")
	}
	return s
}

// options returns the run option carrying the safety configuration.
func (r *remoteFlags) options() []loadrunner.Option {
	return []loadrunner.Option{loadrunner.WithSafety(r.safety())}
}
