package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// TestAttackStoppedGeneratorIsInconclusive stops a real slaspec attack for
// 1.5 s in the middle of its run (SIGSTOP, then SIGCONT: what a preempted CI
// runner does to it) while the loopback service it loads keeps answering.
// The generator did not apply its planned load: the JSON says
// generator_saturated, and a budget the run would easily pass
// ("p99<10s, errors<50%") is inconclusive, exit 3, saying what to do.
func TestAttackStoppedGeneratorIsInconclusive(t *testing.T) {
	var served atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		io.WriteString(w, `{"ok":true}`)
	}))
	defer srv.Close()
	out := filepath.Join(t.TempDir(), "stopped.json")
	cmd := exec.Command(os.Args[0], "attack", "-url", srv.URL, "-rate", "2000", "-duration", "8s",
		"-sla", "p99<10s, errors<50%", "-json", out, "-q")
	cmd.Env = append(os.Environ(), "SLASPEC_TEST_MAIN=1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Stop it once its run is under way (the service has seen a second's
	// worth of requests), whatever the machine's load made of its start.
	for deadline := time.Now().Add(30 * time.Second); served.Load() < 2000 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	if err := cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	time.Sleep(1500 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
	err := cmd.Wait()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInconclusive {
		t.Fatalf("exit %v, want %d\n%s\n%s", err, exitInconclusive, stdout.String(), stderr.String())
	}
	b, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var flags struct {
		Saturated  bool     `json:"generator_saturated"`
		Saturation []string `json:"saturation"`
	}
	var res loadrunner.Result
	if err := json.Unmarshal(b, &flags); err != nil || json.Unmarshal(b, &res) != nil {
		t.Fatalf("result: %v", err)
	}
	if !flags.Saturated || len(flags.Saturation) == 0 || res.GeneratorLag.Max() < time.Second {
		t.Errorf("generator_saturated %v %q, generator lag max %s: a 1.5 s stop must show", flags.Saturated, flags.Saturation, res.GeneratorLag.Max())
	}
	t.Logf("saturation %q; generator lag %+v", flags.Saturation, res.GeneratorLag.Summary())
	for _, want := range []string{"INCONCLUSIVE p99<10s", "INCONCLUSIVE errors<50%", "lower the rate, raise GOMAXPROCS, or shard"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout.String())
		}
	}
}
