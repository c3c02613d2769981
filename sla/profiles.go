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

// describeRuntime writes the service's runtime readings of the window.
func describeRuntime(w io.Writer, rt *loadrunner.RuntimeStats) {
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
	fmt.Fprintf(w, "  runtime    %s (%d readings) [%s]\n", orDash(strings.Join(parts, ", ")), rt.Samples, rt.Source)
	for _, warn := range rt.Warnings {
		fmt.Fprintf(w, "             warning: %s\n", warn)
	}
}

// describeProfiles writes the top frames of each profile of the window and
// where its file is.
func describeProfiles(w io.Writer, p *loadrunner.Profiles) {
	rate := "no CPU profile"
	if p.CPURate > 0 {
		rate = fmt.Sprintf("CPU profiled at %d Hz", p.CPURate)
	}
	fmt.Fprintf(w, "  profiles   %s, %s\n", p.Source, rate)
	rows := []struct {
		name string
		s    *loadrunner.ProfileSummary
	}{{"cpu", p.CPU}, {"alloc", p.Alloc}, {"goroutines", p.Goroutine}, {"mutex", p.Mutex}, {"block", p.Block}}
	for _, r := range rows {
		if r.s == nil {
			continue
		}
		fmt.Fprintf(w, "    %-10s %s", r.name, profileLine(r.name, r.s))
		if r.s.File != "" {
			fmt.Fprintf(w, " (%s)", filepath.Base(r.s.File))
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
