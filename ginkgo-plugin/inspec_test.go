package ginkgoplugin_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/contract"
	ginkgoplugin "github.com/slaspec/slaspec/ginkgo-plugin"
	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
)

// TestLoadOutsideASpecSendsNothing runs the misuse fixture suite with the
// real Ginkgo CLI: Load in a Describe's body and in a BeforeSuite fails at
// once, saying what to use instead, and its target never sends.
func TestLoadOutsideASpecSendsNothing(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a real ginkgo suite")
	}
	cases := []struct{ mode, want string }{
		{"describe", "ginkgoplugin.Load called in the body of a container (Describe, Context) while Ginkgo builds the spec tree; nothing was sent"},
		{"beforesuite", "ginkgoplugin.Load called in a BeforeSuite node; nothing was sent"},
	}
	for _, tc := range cases {
		t.Run(tc.mode, func(t *testing.T) {
			sent := filepath.Join(t.TempDir(), "sent")
			cmd := exec.Command(testtool.GinkgoCLI(t), "--no-color", "./testdata/misusesuite")
			cmd.Env = append(os.Environ(), "MISUSE="+tc.mode, "MISUSE_SENT="+sent)
			out, err := cmd.CombinedOutput()
			if err == nil {
				t.Fatalf("the suite passed\n%s", out)
			}
			// Ginkgo wraps long panic values: compare with spaces for line breaks.
			flat := strings.Join(strings.Fields(string(out)), " ")
			for _, want := range []string{tc.want, "func(ctx SpecContext) { ginkgoplugin.Load(ctx, …) }"} {
				if !strings.Contains(flat, want) {
					t.Errorf("the output lacks %q:\n%s", want, out)
				}
			}
			if _, err := os.Stat(sent); err == nil {
				t.Errorf("the target sent a request before the misuse was refused")
			}
		})
	}
}

// TestLoadWithoutGinkgo calls each entry point from a plain test: each stops
// before its target is called, naming what to use without Ginkgo.
func TestLoadWithoutGinkgo(t *testing.T) {
	var calls atomic.Int64
	target := loadrunner.Func(func(context.Context) error { calls.Add(1); return nil })
	plan := loadrunner.Plan{Rate: 50, Duration: time.Second}
	ctx := t.Context()
	cases := map[string]func(){
		"Load":          func() { ginkgoplugin.Load(ctx, plan, target) },
		"LoadOperation": func() { ginkgoplugin.LoadOperation(ctx, nil, "http://127.0.0.1:1", contract.LoadSpec{}) },
		"LoadMix":       func() { ginkgoplugin.LoadMix(ctx, plan, nil, "http://127.0.0.1:1") },
		"LoadCapacity": func() {
			ginkgoplugin.LoadCapacity(ctx, target, "p99<1s", capacity.Plan{Min: 10, Max: 20, Steps: 2, StepDuration: time.Second})
		},
	}
	for name, call := range cases {
		t.Run(name, func(t *testing.T) {
			msg := func() (msg string) {
				defer func() { msg = fmt.Sprint(recover()) }()
				call()
				return ""
			}()
			want := "ginkgoplugin." + name + " called outside a running Ginkgo spec; nothing was sent"
			if !strings.Contains(msg, want) || !strings.Contains(msg, "without Ginkgo use loadrunner.Run") {
				t.Errorf("got %q, want it to contain %q and what to use instead", msg, want)
			}
		})
	}
	if n := calls.Load(); n != 0 {
		t.Errorf("the target was called %d times", n)
	}
}
