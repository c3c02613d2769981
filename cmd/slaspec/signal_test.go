package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// TestMain lets the tests run the real command in a child process: the test
// binary re-executes itself with SLASPEC_TEST_MAIN=1 and becomes slaspec.
func TestMain(m *testing.M) {
	if os.Getenv("SLASPEC_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestAttackInterruptedWritesPartialResult sends SIGINT and SIGTERM to a real
// slaspec attack mid-run: it must stop promptly, print the summary and write
// the JSON result marked partial, with what it measured up to the signal.
func TestAttackInterruptedWritesPartialResult(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		t.Run(sig.String(), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "partial.json")
			cmd := exec.Command(os.Args[0], "attack", "-demo", "-rate", "200", "-duration", "60s", "-json", out, "-q")
			cmd.Env = append(os.Environ(), "SLASPEC_TEST_MAIN=1")
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(1500 * time.Millisecond) // let it measure a little
			start := time.Now()
			cmd.Process.Signal(sig)
			var printed strings.Builder
			sc := bufio.NewScanner(stdout)
			for sc.Scan() {
				printed.WriteString(sc.Text() + "\n")
			}
			err = cmd.Wait()
			if took := time.Since(start); took > 20*time.Second {
				t.Fatalf("took %s to stop after %s", took, sig)
			}
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitInconclusive {
				t.Fatalf("exit %v, want %d (an interrupted run is inconclusive)\n%s\n%s", err, exitInconclusive, printed.String(), stderr.String())
			}
			if !strings.Contains(printed.String(), "PARTIAL") {
				t.Fatalf("summary does not say partial:\n%s", printed.String())
			}
			b, err := os.ReadFile(out)
			if err != nil {
				t.Fatalf("no result written: %v", err)
			}
			var res loadrunner.Result
			if err := json.Unmarshal(b, &res); err != nil {
				t.Fatal(err)
			}
			if !res.Partial || res.Requests == 0 || res.Requests >= 12000 || res.Duration >= 60*time.Second {
				t.Fatalf("partial %v (%q), %d requests over %s", res.Partial, res.PartialReason, res.Requests, res.Duration)
			}
		})
	}
}
