package pprofsource

import (
	"bytes"
	"context"
	"fmt"
	"runtime/pprof"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// InProcess returns a source that profiles this process with runtime/pprof:
// use it when the service's handler runs in the test binary. The CPU
// profile runs from Begin to End exactly; allocs, mutex and block are read
// at both ends and goroutine at the end, as Remote does.
//
// The load generator shares the process: its own CPU and allocation are in
// the profiles. Its frames (and the test framework's) are kept out of the
// TopOwn lists, not out of the totals. Only one CPU profile can run in a
// process: under `go test -cpuprofile` the CPU profile is not taken (a
// Warning says so) and the others are.
func InProcess(opts ...Option) loadrunner.ProfileSource {
	return newSource(inProcess{}, opts)
}

// inProcess reads runtime/pprof.
type inProcess struct{}

func (inProcess) name() string    { return "runtime/pprof (in-process)" }
func (inProcess) validate() error { return nil }

func (inProcess) notes() []string {
	return []string{"in-process: the load generator shares the process; its CPU and allocation are in the totals"}
}

// startCPU starts runtime/pprof's CPU profile; it runs until stop.
func (inProcess) startCPU(context.Context, time.Duration) (cpuRun, error) {
	run := &localCPU{}
	if err := pprof.StartCPUProfile(&run.buf); err != nil {
		return nil, err
	}
	return run, nil
}

// read writes the named runtime/pprof profile.
func (inProcess) read(_ context.Context, name string) ([]byte, error) {
	p := pprof.Lookup(name)
	if p == nil {
		return nil, fmt.Errorf("runtime/pprof has no profile %q", name)
	}
	var buf bytes.Buffer
	if err := p.WriteTo(&buf, 0); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// localCPU is this process's CPU profile being taken.
type localCPU struct{ buf bytes.Buffer }

func (c *localCPU) stop(context.Context) ([]byte, error) {
	pprof.StopCPUProfile()
	return c.buf.Bytes(), nil
}
