package sla

import (
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
)

// causeFrames is how many CPU frames a failure message names.
const causeFrames = 3

// CPUInWindow names where the service spent its CPU in the measured window,
// from the run's CPU profile: the top three functions of its own code (or,
// if none, of the whole profile) by cumulative share, e.g. "CPU in the
// window: 63% service.(*server).search, 63% service.(*server).rankQuadratic,
// 61% service.score". It is "" when the run took no CPU profile. A failed
// SLA's message carries it.
func CPUInWindow(res *loadrunner.Result) string {
	if res == nil || res.Profiles == nil || res.Profiles.CPU == nil {
		return ""
	}
	p := res.Profiles.CPU
	frames := p.TopOwn
	if len(frames) == 0 {
		frames = p.Top
	}
	if len(frames) == 0 {
		return ""
	}
	return "CPU in the window: " + FormatFrames(frames[:min(causeFrames, len(frames))], false)
}

// FormatFrames writes frames as "63% service.rankQuadratic, …": each share
// (cumulative, or flat when flat is true) rounded to a whole percent and the
// function's name without its package path.
func FormatFrames(frames []loadrunner.Frame, flat bool) string {
	parts := make([]string, len(frames))
	for i, f := range frames {
		share := f.Cum
		if flat {
			share = f.Flat
		}
		parts[i] = fmt.Sprintf("%.0f%% %s", math.Round(100*share), ShortFunction(f.Function))
	}
	return strings.Join(parts, ", ")
}

// ShortFunction drops a function name's package path:
// "github.com/acme/shop/service.(*server).search" → "service.(*server).search".
func ShortFunction(fn string) string {
	base := fn
	if i := strings.IndexByte(fn, '['); i >= 0 {
		base = fn[:i] // a slash in type arguments is not the package path
	}
	if i := strings.LastIndexByte(base, '/'); i >= 0 {
		return fn[i+1:]
	}
	return fn
}

// RuntimeLine is one line of the service's runtime readings of a window:
// "goroutines max 41, heap max 12MiB, sched latency p99 80µs, max 2ms (10
// readings)".
func RuntimeLine(rt *loadrunner.RuntimeStats) string {
	var parts []string
	if rt.GoroutinesKnown {
		parts = append(parts, fmt.Sprintf("goroutines max %d", rt.GoroutinesMax))
	}
	if rt.HeapKnown {
		parts = append(parts, "heap max "+humanBytes(float64(rt.HeapMax)))
	}
	if rt.SchedKnown {
		parts = append(parts, fmt.Sprintf("sched latency p99 %s, max %s", fmtDur(rt.SchedP99), fmtDur(rt.SchedMax)))
	}
	return fmt.Sprintf("%s (%d readings)", orDash(strings.Join(parts, ", ")), rt.Samples)
}

// ProfilingLine says how a run's service was profiled and at what cost:
// "pprof http://…: CPU profiled at 100 Hz (costs the service a few percent
// of its CPU); files in profiles/search".
func ProfilingLine(p *loadrunner.Profiles) string {
	line := p.Source + ": no CPU profile"
	if p.CPURate > 0 {
		line = fmt.Sprintf("%s: CPU profiled at %d Hz (costs the service a few percent of its CPU)", p.Source, p.CPURate)
	}
	if p.Dir != "" {
		line += "; files in " + p.Dir
	}
	return line
}

// ProfileRow is one profile of a run as reports show it.
type ProfileRow struct {
	// Kind is "cpu", "alloc", "goroutines", "mutex" or "block".
	Kind string
	// Top is its top frames: the service's own functions by cumulative
	// share ("63% service.rankQuadratic, …"), or for goroutines their count
	// and where they wait ("40: 20 in net.(*netFD).Read, …").
	Top string
	// File is the profile's file ("" when none was written).
	File string
}

// ProfileRows returns the rows of a run's profiles, in a fixed order.
func ProfileRows(p *loadrunner.Profiles) []ProfileRow {
	var rows []ProfileRow
	for _, r := range []struct {
		kind string
		s    *loadrunner.ProfileSummary
	}{{"cpu", p.CPU}, {"alloc", p.Alloc}, {"goroutines", p.Goroutine}, {"mutex", p.Mutex}, {"block", p.Block}} {
		if r.s != nil {
			rows = append(rows, ProfileRow{Kind: r.kind, Top: profileLine(r.kind, r.s), File: r.s.File})
		}
	}
	return rows
}

// WriteService writes what a run read of the service itself, when it did:
// its runtime readings and its profiles' top frames with their files.
// DescribeResult includes it.
func WriteService(w io.Writer, res *loadrunner.Result) {
	if res == nil {
		return
	}
	if res.Runtime != nil {
		describeRuntime(w, res.Runtime)
	}
	if res.Profiles != nil {
		describeProfiles(w, res.Profiles)
	}
}

// describeRuntime writes the service's runtime readings of the window.
func describeRuntime(w io.Writer, rt *loadrunner.RuntimeStats) {
	fmt.Fprintf(w, "  runtime    %s [%s]\n", RuntimeLine(rt), rt.Source)
	for _, warn := range rt.Warnings {
		fmt.Fprintf(w, "             warning: %s\n", warn)
	}
}

// describeProfiles writes the top frames of each profile of the window and
// where its file is.
func describeProfiles(w io.Writer, p *loadrunner.Profiles) {
	fmt.Fprintf(w, "  profiles   %s\n", ProfilingLine(p))
	for _, r := range ProfileRows(p) {
		fmt.Fprintf(w, "    %-10s %s", r.Kind, r.Top)
		if r.File != "" {
			fmt.Fprintf(w, " (%s)", filepath.Base(r.File))
		}
		fmt.Fprintln(w)
	}
	for _, warn := range p.Warnings {
		fmt.Fprintf(w, "             warning: %s\n", warn)
	}
}

// profileLine is one profile's top frames: where goroutines wait, or the
// service's own functions by cumulative share.
func profileLine(kind string, s *loadrunner.ProfileSummary) string {
	if kind == "goroutines" {
		parts := make([]string, 0, causeFrames)
		for _, f := range s.Parked[:min(causeFrames, len(s.Parked))] {
			parts = append(parts, fmt.Sprintf("%.0f in %s", math.Round(f.Flat*float64(s.Total)), ShortFunction(f.Function)))
		}
		return fmt.Sprintf("%d: %s", s.Total, orDash(strings.Join(parts, ", ")))
	}
	frames := s.TopOwn
	if len(frames) == 0 {
		frames = s.Top
	}
	return orDash(FormatFrames(frames[:min(causeFrames, len(frames))], false))
}
