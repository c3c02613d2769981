package gcsource_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// The test program is built once per test binary into a directory TestMain
// removes.
var (
	buildOnce sync.Once
	buildDir  string
	progPath  string
	buildErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if buildDir != "" {
		_ = os.RemoveAll(buildDir)
	}
	os.Exit(code)
}

// gcprog returns the path of the built test program.
func gcprog(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		if buildDir, buildErr = os.MkdirTemp("", "gcsource-gcprog"); buildErr != nil {
			return
		}
		progPath = filepath.Join(buildDir, "gcprog")
		out, err := exec.Command("go", "build", "-o", progPath, "./testdata/gcprog").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build ./testdata/gcprog: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return progPath
}

// child is a running gcprog.
type child struct {
	t      *testing.T
	url    string
	client *http.Client
}

// startChild starts gcprog with args and extra environment, its stderr to
// stderr (discarded when nil), and stops it when the test ends.
func startChild(t *testing.T, stderr io.Writer, env []string, args ...string) *child {
	t.Helper()
	cmd := exec.Command(gcprog(t), args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stderr = stderr
	first := &firstLine{ch: make(chan string, 1)}
	cmd.Stdout = first
	stdin, err := cmd.StdinPipe() // closed at cleanup: the child exits on EOF
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start gcprog: %v", err)
	}
	t.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	select {
	case line := <-first.ch:
		url, ok := strings.CutPrefix(line, "listening on ")
		if !ok {
			t.Fatalf("gcprog said %q, want its address", line)
		}
		return &child{t: t, url: url, client: &http.Client{Timeout: 10 * time.Second}}
	case <-time.After(20 * time.Second):
		t.Fatal("gcprog did not print its address within 20s")
	}
	return nil
}

// firstLine hands the first line written to it to ch.
type firstLine struct {
	mu   sync.Mutex
	buf  []byte
	sent bool
	ch   chan string
}

func (f *firstLine) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.sent {
		return len(p), nil
	}
	f.buf = append(f.buf, p...)
	if i := bytes.IndexByte(f.buf, '\n'); i >= 0 {
		f.sent = true
		f.ch <- string(f.buf[:i])
	}
	return len(p), nil
}

// setRate makes the child allocate mbps MB/s; at 0 it also switches its GC
// off, returning once any running cycle has finished.
func (c *child) setRate(mbps float64) {
	c.t.Helper()
	resp, err := c.client.Get(c.url + "/alloc?mbps=" + strconv.FormatFloat(mbps, 'g', -1, 64))
	if err != nil {
		c.t.Fatalf("set rate: %v", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		c.t.Fatalf("set rate: status %s", resp.Status)
	}
}

// truth is the child's own view of its GC (see testdata/gcprog).
type truth struct {
	NumGC        uint32      `json:"num_gc"`
	PauseTotalNs uint64      `json:"pause_total_ns"`
	TotalAlloc   uint64      `json:"total_alloc"`
	PauseNs      [256]uint64 `json:"pause_ns"`
	Cycles       uint64      `json:"cycles"`
	Allocs       uint64      `json:"allocs"`
	Bounds       []string    `json:"bounds"`
	Counts       []uint64    `json:"counts"`
}

func (c *child) truth() truth {
	c.t.Helper()
	resp, err := c.client.Get(c.url + "/truth")
	if err != nil {
		c.t.Fatalf("truth: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	var tr truth
	if err := json.NewDecoder(io.LimitReader(resp.Body, 1<<20)).Decode(&tr); err != nil {
		c.t.Fatalf("truth: %v", err)
	}
	return tr
}

// measure runs a window: the child idle, Begin, allocation at mbps until at
// least minCycles cycles and a second have passed, idle again, End. It
// returns the source's figures and the child's truth before and after.
func (c *child) measure(src loadrunner.GCSource, mbps float64, minCycles uint32) (loadrunner.GCStats, truth, truth) {
	c.t.Helper()
	ctx := context.Background()
	c.setRate(0)
	t0 := c.truth()
	if err := src.Begin(ctx); err != nil {
		c.t.Fatalf("Begin: %v", err)
	}
	c.setRate(mbps)
	start := time.Now()
	for i := 0; ; i++ {
		time.Sleep(100 * time.Millisecond)
		if c.truth().NumGC-t0.NumGC >= minCycles && time.Since(start) >= time.Second {
			break
		}
		if time.Since(start) > 20*time.Second {
			c.t.Fatalf("fewer than %d GC cycles in 20s", minCycles)
		}
	}
	c.setRate(0)
	time.Sleep(200 * time.Millisecond) // lets the last stderr lines through the pipe
	g, err := src.End(ctx)
	if err != nil {
		c.t.Fatalf("End: %v", err)
	}
	return g, t0, c.truth()
}

// ringPauses returns the truth's per-cycle pauses of cycles (t0, t1], the
// last 256 at most.
func ringPauses(t0, t1 truth) []time.Duration {
	var out []time.Duration
	first, last := uint64(t0.NumGC)+1, uint64(t1.NumGC)
	if last >= 256 && last-255 > first {
		first = last - 255
	}
	for n := first; n <= last; n++ {
		out = append(out, time.Duration(t1.PauseNs[(n-1)%256]))
	}
	return out
}

// histDelta returns the truth's pause-histogram count over the window and
// the lower bound of the highest bucket with a pause in it.
func histDelta(t *testing.T, t0, t1 truth) (count uint64, maxLower time.Duration) {
	t.Helper()
	for i := range t1.Counts {
		d := t1.Counts[i] - t0.Counts[i]
		if d == 0 {
			continue
		}
		count += d
		lo, err := strconv.ParseFloat(t1.Bounds[i], 64)
		if err != nil {
			t.Fatal(err)
		}
		maxLower = time.Duration(math.Round(max(lo, 0) * 1e9))
	}
	return count, maxLower
}

func sum(ds []time.Duration) (total, longest time.Duration) {
	for _, d := range ds {
		total += d
		longest = max(longest, d)
	}
	return total, longest
}

// within reports whether got is within frac of want.
func within(got, want uint64, frac float64) bool {
	return math.Abs(float64(got)-float64(want)) <= frac*float64(want)
}
