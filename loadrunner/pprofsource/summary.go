package pprofsource

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/google/pprof/profile"

	"github.com/slaspec/slaspec/loadrunner"
)

// tally is the flat and cumulative value of each function of a profile,
// over the frames a filter keeps.
type tally struct {
	total int64
	flat  map[string]int64
	cum   map[string]int64
}

// count sums sample type si of p by function. Only the frames keep accepts
// are seen, the others hidden as `go tool pprof -hide` hides them: a
// sample's flat value goes to its innermost kept frame, its cumulative
// value once to each kept function on its stack, however often the
// function recurses. total counts every sample, kept frames or not.
func count(p *profile.Profile, si int, keep func(string) bool) tally {
	t := tally{flat: map[string]int64{}, cum: map[string]int64{}}
	seen := map[string]bool{}
	for _, s := range p.Sample {
		v := s.Value[si]
		t.total += v
		clear(seen)
		leaf := true
		for _, loc := range s.Location {
			for _, fn := range frameNames(loc) {
				if !keep(fn) {
					continue
				}
				if leaf {
					t.flat[fn] += v
					leaf = false
				}
				if !seen[fn] {
					t.cum[fn] += v
					seen[fn] = true
				}
			}
		}
	}
	return t
}

// frameNames returns the functions of a location, innermost first (the
// functions inlined into the location's own come before it).
func frameNames(loc *profile.Location) []string {
	if len(loc.Line) == 0 {
		return []string{fmt.Sprintf("0x%x", loc.Address)}
	}
	names := make([]string, 0, len(loc.Line))
	for _, l := range loc.Line {
		if l.Function == nil {
			names = append(names, fmt.Sprintf("0x%x", loc.Address))
			continue
		}
		names = append(names, l.Function.Name)
	}
	return names
}

// byFlat and byCum order the functions of a tally as pprof's -top does
// (its FlatNameOrder and CumNameOrder): the larger value first, then the
// name, then the other value.
func (t tally) byFlat(a, b string) int {
	return cmp.Or(cmp.Compare(abs(t.flat[b]), abs(t.flat[a])), cmp.Compare(a, b))
}

func (t tally) byCum(a, b string) int {
	return cmp.Or(cmp.Compare(abs(t.cum[b]), abs(t.cum[a])), cmp.Compare(a, b))
}

func abs(v int64) int64 { return max(v, -v) }

// top returns the n first functions in the order given, as shares of the
// total; functions with neither a flat nor a cumulative value are left out.
func (t tally) top(n int, order func(a, b string) int, nonzero func(string) bool) []loadrunner.Frame {
	names := make([]string, 0, len(t.cum))
	for fn := range t.cum {
		if nonzero(fn) {
			names = append(names, fn)
		}
	}
	slices.SortFunc(names, order)
	out := []loadrunner.Frame{}
	if t.total == 0 {
		return out
	}
	for _, fn := range names[:min(n, len(names))] {
		out = append(out, loadrunner.Frame{
			Function: fn,
			Flat:     float64(t.flat[fn]) / float64(t.total),
			Cum:      float64(t.cum[fn]) / float64(t.total),
		})
	}
	return out
}

// summarize reads sample type si of p: the total, the overall top by flat
// share, and the service's own functions by cumulative and by flat share.
func summarize(p *profile.Profile, si, n int) *loadrunner.ProfileSummary {
	all := count(p, si, func(string) bool { return true })
	own := count(p, si, isOwn)
	st := p.SampleType[si]
	s := &loadrunner.ProfileSummary{
		SampleType: st.Type, Unit: st.Unit, Total: all.total,
		Duration:   time.Duration(p.DurationNanos),
		Top:        all.top(n, all.byFlat, func(fn string) bool { return all.cum[fn] != 0 }),
		TopOwn:     own.top(n, own.byCum, func(fn string) bool { return own.cum[fn] != 0 }),
		TopOwnFlat: own.top(n, own.byFlat, func(fn string) bool { return own.flat[fn] != 0 }),
	}
	return s
}

// parked counts a goroutine profile's goroutines by where they wait: the
// innermost frame of each stack that is not the runtime's own machinery.
func parked(p *profile.Profile, si, n int) []loadrunner.Frame {
	t := count(p, si, func(fn string) bool { return !isRuntimeWait(fn) })
	return t.top(n, t.byFlat, func(fn string) bool { return t.flat[fn] != 0 })
}
