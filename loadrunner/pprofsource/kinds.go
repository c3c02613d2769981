package pprofsource

import (
	"fmt"

	"github.com/google/pprof/profile"

	"github.com/slaspec/slaspec/loadrunner"
)

// kind is one profile a source captures.
type kind struct {
	file       string // the file's stem: cpu.pb.gz
	name       string // the profile's runtime/pprof and /debug/pprof/ name
	sampleType string // the sample type summarized and shown by default
	delta      bool   // read at both ends of the window, the difference kept
	optional   bool   // empty unless the service turns it on
	hint       string // how the service turns it on
}

var (
	kindCPU       = kind{file: "cpu", name: "profile", sampleType: "cpu"}
	kindAllocs    = kind{file: "allocs", name: "allocs", sampleType: "alloc_space", delta: true}
	kindGoroutine = kind{file: "goroutine", name: "goroutine", sampleType: "goroutine"}
	kindMutex     = kind{file: "mutex", name: "mutex", sampleType: "delay", delta: true, optional: true,
		hint: "runtime.SetMutexProfileFraction"}
	kindBlock = kind{file: "block", name: "block", sampleType: "delay", delta: true, optional: true,
		hint: "runtime.SetBlockProfileRate"}
)

// deltaKinds are the cumulative profiles read at both ends of the window.
var deltaKinds = []kind{kindAllocs, kindMutex, kindBlock}

// fileName is the kind's file in a source's folder.
func (k kind) fileName() string { return k.file + ".pb.gz" }

// slot returns the field of out that holds kind k's summary.
func slot(out *loadrunner.Profiles, k kind) **loadrunner.ProfileSummary {
	switch k.file {
	case kindCPU.file:
		return &out.CPU
	case kindAllocs.file:
		return &out.Alloc
	case kindGoroutine.file:
		return &out.Goroutine
	case kindMutex.file:
		return &out.Mutex
	}
	return &out.Block
}

// subtract returns end minus base: what a cumulative profile gained between
// the two reads, as `go tool pprof -base` computes it. Samples that did not
// change are dropped.
func subtract(end, base *profile.Profile) (*profile.Profile, error) {
	if (end.PeriodType == nil) != (base.PeriodType == nil) {
		return nil, fmt.Errorf("subtracting the window's start: one profile has a period type, the other none")
	}
	end, neg := end.Copy(), base.Copy()
	if end.PeriodType == nil { // Merge compares period types and needs them
		end.PeriodType, neg.PeriodType = &profile.ValueType{}, &profile.ValueType{}
	}
	neg.Scale(-1)
	d, err := profile.Merge([]*profile.Profile{end, neg})
	if err != nil {
		return nil, fmt.Errorf("subtracting the window's start: %w", err)
	}
	d.TimeNanos = base.TimeNanos
	d.DurationNanos = max(end.TimeNanos-base.TimeNanos, 0)
	return d, nil
}

// sampleIndex returns the index of kind k's sample type in p.
func sampleIndex(p *profile.Profile, k kind) (int, error) {
	for i, st := range p.SampleType {
		if st.Type == k.sampleType {
			return i, nil
		}
	}
	return 0, fmt.Errorf("%s profile has no sample type %q", k.name, k.sampleType)
}
