package harness

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/slaspec/slaspec/bench/internal/gen"
	"github.com/slaspec/slaspec/bench/internal/server"
)

// pinning says which cores the target and the generators run on.
type pinning struct {
	taskset      string // path of taskset, "" when not pinning
	target, load string // core lists
	note         string // why not pinned, when not
}

// pin decides the pinning: target on core 0, generator on core 1 when
// taskset exists and the machine has two cores or more.
func pin(disabled bool) pinning {
	switch path, err := exec.LookPath("taskset"); {
	case disabled:
		return pinning{note: "pinning disabled"}
	case err != nil:
		return pinning{note: "taskset not found: target and generator are not pinned"}
	case runtime.NumCPU() < 2:
		return pinning{note: fmt.Sprintf("%d core: target and generator share it", runtime.NumCPU())}
	default:
		return pinning{taskset: path, target: "0", load: "1"}
	}
}

// command builds a command pinned to cores (when pinning).
func (p pinning) command(ctx context.Context, cores string, name string, args ...string) *exec.Cmd {
	if p.taskset == "" {
		return exec.CommandContext(ctx, name, args...)
	}
	return exec.CommandContext(ctx, p.taskset, append([]string{"-c", cores, name}, args...)...)
}

// stealClock starts a stopwatch of the time the hypervisor took from the
// generator's core (its steal time, /proc/stat's eighth column; every
// core's together when not pinned): the returned func reads it, 0 where
// the kernel does not say. A measurement that misses a target while its
// core was stolen from says so in its row.
func (p pinning) stealClock() func() time.Duration {
	line := "cpu "
	if p.taskset != "" {
		line = "cpu" + p.load + " "
	}
	read := func() (time.Duration, bool) {
		b, err := os.ReadFile("/proc/stat")
		if err != nil {
			return 0, false
		}
		return stealOf(string(b), line)
	}
	start, ok := read()
	return func() time.Duration {
		end, ok2 := read()
		if !ok || !ok2 || end < start {
			return 0
		}
		return end - start
	}
}

// stealOf returns the steal time on the line of /proc/stat that starts
// with prefix, in the kernel's clock ticks (USER_HZ, 100 a second on
// Linux's every common platform).
func stealOf(stat, prefix string) (time.Duration, bool) {
	for l := range strings.Lines(stat) {
		if !strings.HasPrefix(l, prefix) {
			continue
		}
		f := strings.Fields(l)
		if len(f) < 9 {
			return 0, false
		}
		ticks, err := strconv.ParseInt(f[8], 10, 64)
		if err != nil || ticks < 0 {
			return 0, false
		}
		return time.Duration(ticks) * (time.Second / 100), true
	}
	return 0, false
}

// target is a running target server process.
type target struct {
	cmd  *exec.Cmd
	base string // http://host:port
}

// startTarget starts the target server as a separate process and waits for
// it to print its address.
func startTarget(ctx context.Context, exe string, p pinning, freeze server.Freeze) (*target, error) {
	args := []string{"serve", "-addr", "127.0.0.1:0"}
	if freeze.Hold > 0 {
		args = append(args, "-hold", freeze.Hold.String(), "-cycle", freeze.Cycle.String())
	}
	cmd := p.command(ctx, p.target, exe, args...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("harness: target: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("harness: start target: %w", err)
	}
	line, err := bufio.NewReader(io.LimitReader(out, 256)).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return nil, fmt.Errorf("harness: target did not print its address: %w", err)
	}
	return &target{cmd: cmd, base: "http://" + strings.TrimSpace(line)}, nil
}

// stop ends the target process.
func (t *target) stop() {
	_ = t.cmd.Process.Kill()
	_ = t.cmd.Wait()
}

var control = &http.Client{Timeout: 5 * time.Second}

// reset restarts the target's connection counts.
func (t *target) reset() error {
	resp, err := control.Post(t.base+"/reset", "", nil)
	if err != nil {
		return fmt.Errorf("harness: reset target: %w", err)
	}
	resp.Body.Close()
	return nil
}

// stats reads the target's connection counts.
func (t *target) stats() (server.Stats, error) {
	resp, err := control.Get(t.base + "/stats")
	if err != nil {
		return server.Stats{}, fmt.Errorf("harness: target stats: %w", err)
	}
	defer resp.Body.Close()
	var st server.Stats
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<16)).Decode(&st); err != nil {
		return server.Stats{}, fmt.Errorf("harness: target stats: %w", err)
	}
	return st, nil
}

// runChild runs a generator process and returns its stdout and resource usage.
func runChild(cmd *exec.Cmd) ([]byte, *syscall.Rusage, error) {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return nil, nil, fmt.Errorf("%w: %s", err, lastLines(stderr.String(), 5))
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return nil, nil, fmt.Errorf("no resource usage for pid %d", cmd.ProcessState.Pid())
	}
	return stdout.Bytes(), ru, nil
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// measureGen runs one generator measurement as its own pinned process.
func measureGen(ctx context.Context, exe string, p pinning, t *target, s gen.Spec) (gen.Measurement, error) {
	spec, err := json.Marshal(s)
	if err != nil {
		return gen.Measurement{}, fmt.Errorf("harness: spec: %w", err)
	}
	if err := t.reset(); err != nil {
		return gen.Measurement{}, err
	}
	steal := p.stealClock()
	out, ru, err := runChild(p.command(ctx, p.load, exe, "gen", "-spec", string(spec)))
	if err != nil {
		return gen.Measurement{}, fmt.Errorf("harness: %s generator: %w", s.Tool, err)
	}
	var m gen.Measurement
	if err := json.Unmarshal(lastLine(out), &m); err != nil {
		return gen.Measurement{}, fmt.Errorf("harness: %s generator output: %w", s.Tool, err)
	}
	m.Steal = steal()
	m.RSS = ru.Maxrss * 1024
	st, err := t.stats()
	if err != nil {
		return gen.Measurement{}, err
	}
	m.Conns, m.PeakConns, m.TargetCPU = st.Accepted, st.Peak, st.CPU
	return m, nil
}

// lastLine returns the last non-empty line of b.
func lastLine(b []byte) []byte {
	b = bytes.TrimSpace(b)
	if i := bytes.LastIndexByte(b, '\n'); i >= 0 {
		return b[i+1:]
	}
	return b
}
