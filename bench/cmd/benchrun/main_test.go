package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestHarnessRunsAtALowRate builds benchrun and runs the whole harness for
// about a second per scenario at a low rate, so it cannot rot.
func TestHarnessRunsAtALowRate(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs processes")
	}
	exe := filepath.Join(t.TempDir(), "benchrun")
	build := exec.Command("go", "build", "-o", exe, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "-d", "1s", "-reps", "1", "-rates", "200", "-c", "4",
		"-freeze-rate", "200", "-freeze-d", "1s", "-hold-runs", "1", "-hold-rate", "200")
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("benchrun: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{"## closed loop", "## open model, 200 req/s", "## timing truth", "slaspec", "slaspec+nethttp", "vegeta", "analytical p99 480ms", "## 200 req/s held 1 times", "## against the targets"} {
		if !strings.Contains(text, want) {
			t.Errorf("output lacks %q:\n%s", want, text)
		}
	}
	if _, err := exec.LookPath("wrk"); err == nil && !strings.Contains(text, "wrk") {
		t.Errorf("wrk is installed but not measured:\n%s", text)
	}
}

func TestParseRates(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		wantErr bool
	}{
		{"2000,5000", 2, false},
		{"", 0, false},
		{" 100 , ", 1, false},
		{"fast", 0, true},
		{"-5", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseRates(tt.in)
			if (err != nil) != tt.wantErr || len(got) != tt.want {
				t.Fatalf("parseRates(%q) = %v, %v; want %d rates, error %t", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
