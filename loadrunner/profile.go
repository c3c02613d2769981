package loadrunner

import (
	"context"
	"time"
)

// ProfileSource captures the pprof profiles of the service under test over a
// run's measured window. A run calls Begin when the window opens, with the
// window's planned length, and End when it closes. Implementations live in
// package loadrunner/pprofsource (runtime/pprof in-process, a service's
// /debug/pprof/ over HTTP). A source is used by one run at a time.
//
// A source that implements Validate() error is validated before the run
// sends anything: a source that may not read its service (a host outside
// loopback that the caller did not allow) refuses the run.
type ProfileSource interface {
	// Name describes the source for reports, e.g. "pprof http://127.0.0.1:8080/debug/pprof/".
	Name() string
	// Begin starts capturing: the CPU profile runs for window (or until
	// End), the cumulative profiles are read as a baseline.
	Begin(ctx context.Context, window time.Duration) error
	// End stops capturing and returns what the window's profiles show. When
	// ctx is done End stops waiting for a CPU profile still running and
	// returns the others.
	End(ctx context.Context) (Profiles, error)
}

// Profiles is what a ProfileSource captured over the measured window: per
// kind, the file it wrote (usable with `go tool pprof`) and the top frames.
type Profiles struct {
	// Source is the Name of the source.
	Source string `json:"source"`
	// Dir is the folder the profile files were written to ("" when the
	// source was given none: then only the summaries are kept).
	Dir string `json:"dir,omitempty"`
	// CPURate is the CPU profile's sampling rate in samples per second
	// (Go's default is 100 Hz); 0 when no CPU profile was taken. CPU
	// profiling costs the service a few percent of its CPU while it runs.
	CPURate int `json:"cpu_rate_hz,omitempty"`
	// CPU is the CPU time spent in the window.
	CPU *ProfileSummary `json:"cpu,omitempty"`
	// Alloc is the heap allocated in the window (alloc_space: the
	// difference of the allocation profile between the window's ends).
	Alloc *ProfileSummary `json:"alloc_space,omitempty"`
	// Goroutine is the goroutines alive at the window's end.
	Goroutine *ProfileSummary `json:"goroutine,omitempty"`
	// Mutex and Block are the lock contention and blocking delay in the
	// window, when the service enables those profiles.
	Mutex *ProfileSummary `json:"mutex,omitempty"`
	Block *ProfileSummary `json:"block,omitempty"`
	// Notes say how the profiles were taken; Warnings what is missing.
	Notes    []string `json:"notes,omitempty"`
	Warnings []string `json:"warnings,omitempty"`
}

// ProfileSummary is one profile of the window, read: its total and the
// functions that take the largest shares of it.
type ProfileSummary struct {
	// File is the profile's path ("" when no folder was given).
	File string `json:"file,omitempty"`
	// SampleType names the values summed, e.g. "cpu", "alloc_space",
	// "goroutine", "delay"; Unit their unit ("nanoseconds", "bytes", "count").
	SampleType string `json:"sample_type"`
	Unit       string `json:"unit"`
	// Total is the sum of the profile's values, in Unit.
	Total int64 `json:"total"`
	// Duration is the time the profile covers (0 for a point-in-time
	// profile such as goroutines).
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Top is the profile's top functions ordered by flat share, as
	// `go tool pprof -top` lists them.
	Top []Frame `json:"top"`
	// TopOwn is the top functions outside the standard library (and outside
	// the load tool and test framework) ordered by cumulative share:
	// the service's own code, which net/http's 100 % frames would crowd out.
	TopOwn []Frame `json:"top_own"`
	// TopOwnFlat is the same functions ordered by flat share, a sample's
	// standard-library frames being counted to the innermost own function
	// that called them (as `go tool pprof -hide` does).
	TopOwnFlat []Frame `json:"top_own_flat,omitempty"`
	// Parked counts goroutines by where they wait (goroutine profile only):
	// the innermost frame outside the runtime's own packages.
	Parked []Frame `json:"parked,omitempty"`
}

// Frame is one function's share (0–1) of a profile's total: Flat in the
// function itself, Cum in it and everything it called (a sample counted once
// even when the function recurses).
type Frame struct {
	Function string  `json:"function"`
	Flat     float64 `json:"flat"`
	Cum      float64 `json:"cum"`
}
