package pprofsource

import (
	"math"
	"testing"

	"github.com/google/pprof/profile"

	"github.com/slaspec/slaspec/loadrunner"
)

// synthetic builds a one-value profile from stacks, each given innermost
// first; a stack entry "a+b" is one location with b inlined into... a is
// inlined into b (a innermost).
func synthetic(stacks map[string]int64, order []string) *profile.Profile {
	p := &profile.Profile{SampleType: []*profile.ValueType{{Type: "cpu", Unit: "nanoseconds"}}}
	funcs := map[string]*profile.Function{}
	fn := func(name string) *profile.Function {
		if f := funcs[name]; f != nil {
			return f
		}
		f := &profile.Function{ID: uint64(len(funcs) + 1), Name: name}
		funcs[name] = f
		p.Function = append(p.Function, f)
		return f
	}
	for _, key := range order {
		var locs []*profile.Location
		for _, frame := range splitKeep(key, ' ') {
			loc := &profile.Location{ID: uint64(len(p.Location) + 1)}
			for _, name := range splitKeep(frame, '+') {
				loc.Line = append(loc.Line, profile.Line{Function: fn(name)})
			}
			p.Location = append(p.Location, loc)
			locs = append(locs, loc)
		}
		p.Sample = append(p.Sample, &profile.Sample{Location: locs, Value: []int64{stacks[key]}})
	}
	return p
}

func splitKeep(s string, sep byte) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == sep {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

func TestCountFlatAndCum(t *testing.T) {
	// stacks innermost first: svc.walk recurses; strings.ToLower is inlined
	// into svc.score; runtime frames sit at the bottom.
	stacks := map[string]int64{
		"svc.walk svc.walk svc.walk net/http.(*conn).serve":         30,
		"strings.ToLower+svc.score svc.rank net/http.(*conn).serve": 50,
		"runtime.mallocgc svc.rank net/http.(*conn).serve":          15,
		"runtime.gcBgMarkWorker":                                    5,
	}
	order := []string{
		"svc.walk svc.walk svc.walk net/http.(*conn).serve",
		"strings.ToLower+svc.score svc.rank net/http.(*conn).serve",
		"runtime.mallocgc svc.rank net/http.(*conn).serve",
		"runtime.gcBgMarkWorker",
	}
	p := synthetic(stacks, order)
	if err := p.CheckValid(); err != nil {
		t.Fatal(err)
	}
	s := summarize(p, 0, 10)
	want := struct{ top, own, ownFlat []loadrunner.Frame }{
		top: []loadrunner.Frame{
			{Function: "strings.ToLower", Flat: .50, Cum: .50},
			{Function: "svc.walk", Flat: .30, Cum: .30},
			{Function: "runtime.mallocgc", Flat: .15, Cum: .15},
			{Function: "runtime.gcBgMarkWorker", Flat: .05, Cum: .05},
			{Function: "net/http.(*conn).serve", Flat: 0, Cum: .95},
			{Function: "svc.rank", Flat: 0, Cum: .65},
			{Function: "svc.score", Flat: 0, Cum: .50},
		},
		own: []loadrunner.Frame{
			{Function: "svc.rank", Flat: .15, Cum: .65},
			{Function: "svc.score", Flat: .50, Cum: .50},
			{Function: "svc.walk", Flat: .30, Cum: .30},
		},
		ownFlat: []loadrunner.Frame{
			{Function: "svc.score", Flat: .50, Cum: .50},
			{Function: "svc.walk", Flat: .30, Cum: .30},
			{Function: "svc.rank", Flat: .15, Cum: .65},
		},
	}
	if s.Total != 100 {
		t.Errorf("total %d, want 100", s.Total)
	}
	sameFrames(t, "top", s.Top, want.top)
	sameFrames(t, "top_own", s.TopOwn, want.own)
	sameFrames(t, "top_own_flat", s.TopOwnFlat, want.ownFlat)
}

func sameFrames(t *testing.T, what string, got, want []loadrunner.Frame) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d frames %+v, want %d %+v", what, len(got), got, len(want), want)
		return
	}
	for i := range want {
		g, w := got[i], want[i]
		if g.Function != w.Function || math.Abs(g.Flat-w.Flat) > 1e-9 || math.Abs(g.Cum-w.Cum) > 1e-9 {
			t.Errorf("%s[%d] = %+v, want %+v", what, i, g, w)
		}
	}
}

func TestSubtractKeepsTheWindow(t *testing.T) {
	order := []string{"svc.a main.main", "svc.b main.main"}
	base := synthetic(map[string]int64{order[0]: 100, order[1]: 40}, order)
	end := synthetic(map[string]int64{order[0]: 100, order[1]: 90}, order)
	base.TimeNanos, end.TimeNanos = 1e9, 3e9
	d, err := subtract(end, base)
	if err != nil {
		t.Fatal(err)
	}
	s := summarize(d, 0, 10)
	if s.Total != 50 || s.Duration != 2e9 {
		t.Errorf("total %d over %v, want 50 over 2s", s.Total, s.Duration)
	}
	sameFrames(t, "top", s.Top, []loadrunner.Frame{{Function: "svc.b", Flat: 1, Cum: 1}, {Function: "main.main", Flat: 0, Cum: 1}})
	if len(base.Sample) != 2 || base.Sample[0].Value[0] != 100 {
		t.Error("subtract changed its base")
	}
}

func TestEmptyProfileHasEmptyLists(t *testing.T) {
	p := synthetic(nil, nil)
	s := summarize(p, 0, 10)
	if s.Total != 0 || s.Top == nil || len(s.Top) != 0 || s.TopOwn == nil || len(s.TopOwn) != 0 {
		t.Errorf("empty profile summarized as %+v", s)
	}
}
