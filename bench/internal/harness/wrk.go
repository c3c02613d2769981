package harness

import (
	"context"
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"time"

	"github.com/slaspec/slaspec/bench/internal/gen"
)

// Wrk is the tool name of wrk measurements.
const Wrk = "wrk"

var (
	wrkTotal   = regexp.MustCompile(`(\d+) requests in ([0-9.]+)(us|ms|s|m)`)
	wrkErrors  = regexp.MustCompile(`Non-2xx or 3xx responses: (\d+)`)
	wrkSocket  = regexp.MustCompile(`Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)`)
	wrkLatency = regexp.MustCompile(`(?m)^\s+(50|99)(?:\.000)?%\s+([0-9.]+)(us|ms|s)\s*$`)
)

// measureWrk runs wrk closed loop (one thread, conc connections) as its own
// pinned process. It returns ok false when wrk is not installed.
func measureWrk(ctx context.Context, p pinning, t *target, conc int, d time.Duration) (m gen.Measurement, ok bool, err error) {
	path, lookErr := exec.LookPath("wrk")
	if lookErr != nil {
		return gen.Measurement{}, false, nil
	}
	if err := t.reset(); err != nil {
		return gen.Measurement{}, true, err
	}
	secs := max(int(d.Round(time.Second)/time.Second), 1)
	steal := p.stealClock()
	out, ru, err := runChild(p.command(ctx, p.load, path, "-t1", fmt.Sprintf("-c%d", conc), fmt.Sprintf("-d%ds", secs), "--latency", t.base+"/"))
	if err != nil {
		return gen.Measurement{}, true, fmt.Errorf("harness: wrk: %w", err)
	}
	m, err = parseWrk(string(out))
	if err != nil {
		return gen.Measurement{}, true, err
	}
	m.Steal = steal()
	m.Spec = gen.Spec{Tool: Wrk, URL: t.base + "/", Concurrency: conc, Duration: d}
	m.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	m.RSS = ru.Maxrss * 1024
	st, err := t.stats()
	if err != nil {
		return gen.Measurement{}, true, err
	}
	m.Conns, m.PeakConns, m.TargetCPU = st.Accepted, st.Peak, st.CPU
	return m, true, nil
}

// parseWrk reads the figures of wrk's text output.
func parseWrk(out string) (gen.Measurement, error) {
	var m gen.Measurement
	tot := wrkTotal.FindStringSubmatch(out)
	if tot == nil {
		return m, fmt.Errorf("harness: wrk output has no request total: %q", lastLines(out, 3))
	}
	n, err := strconv.ParseUint(tot[1], 10, 64)
	if err != nil {
		return m, fmt.Errorf("harness: wrk request count %q: %w", tot[1], err)
	}
	el, err := wrkDuration(tot[2], tot[3])
	if err != nil {
		return m, err
	}
	m.Sent, m.Completed, m.Elapsed = n, n, el
	if el > 0 {
		m.Achieved = float64(n) / el.Seconds()
	}
	if e := wrkErrors.FindStringSubmatch(out); e != nil {
		v, _ := strconv.ParseUint(e[1], 10, 64)
		m.Errors += v
	}
	if e := wrkSocket.FindStringSubmatch(out); e != nil {
		for _, s := range e[1:] {
			v, _ := strconv.ParseUint(s, 10, 64)
			m.Errors += v
		}
	}
	for _, l := range wrkLatency.FindAllStringSubmatch(out, -1) {
		d, err := wrkDuration(l[2], l[3])
		if err != nil {
			return m, err
		}
		if l[1] == "50" {
			m.P50 = d
		} else {
			m.P99 = d
		}
	}
	return m, nil
}

// wrkDuration parses a wrk duration such as "10.02s" or "87.00us".
func wrkDuration(num, unit string) (time.Duration, error) {
	d, err := time.ParseDuration(num + unit)
	if err != nil {
		return 0, fmt.Errorf("harness: wrk duration %s%s: %w", num, unit, err)
	}
	return d, nil
}
