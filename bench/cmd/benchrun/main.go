// Command benchrun measures slaspec's load runner beside vegeta and wrk.
//
//	go run ./cmd/benchrun                 # the full comparison (a few minutes)
//	go run ./cmd/benchrun -top -check     # also search the highest rate held
//
// It re-runs itself as the target server ("benchrun serve") and as each
// generator ("benchrun gen -spec JSON"), so every measured process is its own.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"runtime/pprof"
	"runtime/trace"
	"strconv"
	"strings"
	"time"

	"github.com/slaspec/slaspec/bench/internal/gen"
	"github.com/slaspec/slaspec/bench/internal/harness"
	"github.com/slaspec/slaspec/bench/internal/server"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	err := run(ctx, os.Args[1:], os.Stdout)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchrun:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, w io.Writer) error {
	if len(args) > 0 {
		switch args[0] {
		case "serve":
			return serve(args[1:], w)
		case "gen":
			return generate(ctx, args[1:], w)
		}
	}
	return compare(ctx, args, w)
}

// compare runs the harness.
func compare(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("benchrun", flag.ContinueOnError)
	rates := fs.String("rates", "2000,5000,10000", "open-model rates compared (req/s, comma-separated)")
	c := harness.Config{Freeze: server.Freeze{Hold: 500 * time.Millisecond, Cycle: 2 * time.Second}}
	fs.DurationVar(&c.Duration, "d", 10*time.Second, "length of each measurement")
	fs.IntVar(&c.Reps, "reps", 2, "runs of each tool per scenario, alternating")
	fs.IntVar(&c.Concurrency, "c", 64, "closed-loop connections (0 skips the closed loop)")
	fs.Float64Var(&c.FreezeRate, "freeze-rate", 1000, "rate against the freezing server (0 skips it)")
	fs.DurationVar(&c.FreezeDuration, "freeze-d", 10*time.Second, "length of a freezing-server measurement")
	top := fs.Bool("top", false, "search slaspec's highest open-model rate held")
	fs.Float64Var(&c.TopFrom, "top-from", 10000, "first rate of the search (up from it while held, down from it when it is not)")
	fs.Float64Var(&c.TopStep, "top-step", 2500, "step of the search")
	fs.Float64Var(&c.TopMax, "top-max", 60000, "last rate of the search")
	fs.BoolVar(&c.Check, "check", false, "repeat the search with response validation on")
	fs.IntVar(&c.HoldRuns, "hold-runs", 5, "runs of slaspec at -hold-rate, each -d long, counting those held (0 skips)")
	fs.Float64Var(&c.HoldRate, "hold-rate", 10000, "rate of the hold runs")
	fs.DurationVar(&c.Soak, "soak", 0, "compare slaspec's RSS over this long run with one of -d (0 skips)")
	fs.Float64Var(&c.SoakRate, "soak-rate", 5000, "rate of the memory comparison")
	fs.BoolVar(&c.NetHTTP, "nethttp", true, "also measure slaspec on the net/http engine")
	fs.BoolVar(&c.Coarse, "coarse", true, "also measure slaspec with coarse pacing (Go timers) in the open model")
	fs.BoolVar(&c.NoPin, "nopin", false, "do not pin with taskset")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !*top {
		c.TopFrom = 0
	}
	rs, err := parseRates(*rates)
	if err != nil {
		return err
	}
	c.Rates = rs
	if c.Exe, err = os.Executable(); err != nil {
		return fmt.Errorf("own executable: %w", err)
	}
	return harness.Run(ctx, c, w)
}

// parseRates reads a comma-separated list of rates ("" is none).
func parseRates(s string) ([]float64, error) {
	var out []float64
	for f := range strings.SplitSeq(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		r, err := strconv.ParseFloat(f, 64)
		if err != nil || r <= 0 {
			return nil, fmt.Errorf("rate %q is not a positive number", f)
		}
		out = append(out, r)
	}
	return out, nil
}

// serve runs the target server and prints its address on the first line.
func serve(args []string, w io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address")
	var f server.Freeze
	fs.DurationVar(&f.Hold, "hold", 0, "freeze: hold requests this long")
	fs.DurationVar(&f.Cycle, "cycle", 0, "freeze: in every cycle of this length")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("serve: %w", err)
	}
	fmt.Fprintln(w, ln.Addr().String())
	return server.New(f).Serve(ln)
}

// generate runs one measurement and prints it as JSON.
func generate(ctx context.Context, args []string, w io.Writer) error {
	fs := flag.NewFlagSet("gen", flag.ContinueOnError)
	spec := fs.String("spec", "", "the measurement as JSON (gen.Spec)")
	cpuprof := fs.String("cpuprofile", "", "write a CPU profile to this file")
	memprof := fs.String("memprofile", "", "write an allocation profile to this file")
	traceOut := fs.String("trace", "", "write an execution trace to this file (go tool trace: where the send lag comes from)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var s gen.Spec
	if err := json.Unmarshal([]byte(*spec), &s); err != nil {
		return fmt.Errorf("gen: spec: %w", err)
	}
	for _, rec := range []struct {
		path  string
		start func(io.Writer) error
		stop  func()
	}{{*cpuprof, pprof.StartCPUProfile, pprof.StopCPUProfile}, {*traceOut, trace.Start, trace.Stop}} {
		if rec.path == "" {
			continue
		}
		f, err := os.Create(rec.path)
		if err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		defer f.Close()
		if err := rec.start(f); err != nil {
			return fmt.Errorf("gen: %w", err)
		}
		defer rec.stop()
	}
	m, err := gen.Run(ctx, s)
	if err != nil {
		return err
	}
	if *memprof != "" {
		if err := writeAllocs(*memprof); err != nil {
			return err
		}
	}
	return json.NewEncoder(w).Encode(m)
}

// writeAllocs writes the allocation profile to path.
func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("gen: %w", err)
	}
	err = pprof.Lookup("allocs").WriteTo(f, 0)
	return errors.Join(err, f.Close())
}
