package pprofsource_test

import (
	"bytes"
	"context"
	"runtime/pprof"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/pprofsource"
)

func TestInProcessNamesTheCodeUnderTestNotTheGenerator(t *testing.T) {
	// About 10 ms of CPU per call, 50 calls: some 50 samples at 100 Hz, so
	// that the ranking is not a handful of samples on a busy machine.
	prof := capture(t, func() {
		sink.Add(descend(3, 8_000_000))
	})
	if prof.CPU == nil {
		t.Fatalf("no CPU profile: warnings %q", prof.Warnings)
	}
	if r := rankOf(prof.CPU.TopOwn, testPkg+"descend"); r < 0 || r > 2 {
		t.Errorf("descend ranks %d among own CPU frames %+v, want top three", r, prof.CPU.TopOwn[:min(5, len(prof.CPU.TopOwn))])
	}
	for _, f := range prof.CPU.TopOwn {
		if strings.HasPrefix(f.Function, "github.com/slaspec/slaspec/loadrunner.") || strings.HasPrefix(f.Function, "runtime.") {
			t.Errorf("own frames list %s", f.Function)
		}
		if f.Cum > 1 || f.Flat > f.Cum {
			t.Errorf("%s: flat %g cum %g, want flat ≤ cum ≤ 1 (a recursive function counted once per sample)", f.Function, f.Flat, f.Cum)
		}
	}
}

func TestInProcessUnderAnotherCPUProfile(t *testing.T) {
	var buf bytes.Buffer
	if err := pprof.StartCPUProfile(&buf); err != nil {
		t.Skipf("a CPU profile is already running: %v", err)
	}
	defer pprof.StopCPUProfile()
	src := pprofsource.InProcess()
	if err := src.Begin(t.Context(), time.Second); err != nil {
		t.Fatal(err)
	}
	p, err := src.End(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if p.CPU != nil || p.Goroutine == nil || p.Alloc == nil {
		t.Errorf("cpu %v goroutine %v alloc %v, want the others without cpu", p.CPU != nil, p.Goroutine != nil, p.Alloc != nil)
	}
	if !strings.Contains(strings.Join(p.Warnings, "\n"), "cpu profile not taken") {
		t.Errorf("warnings %q do not say the CPU profile was not taken", p.Warnings)
	}
}

func TestSourceMisuse(t *testing.T) {
	src := pprofsource.InProcess()
	if _, err := src.End(t.Context()); err == nil || !strings.Contains(err.Error(), "End without Begin") {
		t.Errorf("End before Begin = %v", err)
	}
	if err := src.Begin(t.Context(), time.Second); err != nil {
		t.Fatal(err)
	}
	if err := src.Begin(t.Context(), time.Second); err == nil {
		t.Error("a second Begin succeeded")
	}
	if _, err := src.End(t.Context()); err != nil {
		t.Fatal(err)
	}
	bad := []struct {
		name string
		opt  pprofsource.Option
	}{
		{"dir", pprofsource.WithDir("")},
		{"client", pprofsource.WithHTTPClient(nil)},
		{"timeout", pprofsource.WithTimeout(0)},
		{"max body", pprofsource.WithMaxBody(-1)},
		{"top", pprofsource.WithTop(0)},
		{"pattern", pprofsource.WithAllowHosts("a b")},
	}
	for _, b := range bad {
		src := pprofsource.Remote("http://192.0.2.1/", b.opt)
		if err := src.Begin(t.Context(), time.Second); err == nil {
			t.Errorf("%s: Begin with a bad option succeeded", b.name)
		}
	}
	plan := loadrunner.Plan{Rate: 10, Duration: 100 * time.Millisecond}
	if _, err := loadrunner.Run(t.Context(), plan, loadrunner.Func(func(context.Context) error { return nil }),
		loadrunner.WithProfileSource(pprofsource.Remote("ftp://127.0.0.1/"))); err == nil {
		t.Error("Run with a bad profile URL succeeded")
	}
}
