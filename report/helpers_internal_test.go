package report

import (
	"testing"
	"time"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "GET /x", "GET /x"},
		{"keeps tab and newline", "a\tb\nc", "a\tb\nc"},
		{"nul and escape", "a\x00b\x1bc", "a\uFFFDb\uFFFDc"},
		{"delete and C1", "a\x7fb\u0085c", "a\uFFFDb\uFFFDc"},
		{"invalid utf-8", "a\xffb", "a\uFFFDb"},
		{"non-characters", "a\uFFFEb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := clean(tt.in); got != tt.want {
				t.Errorf("clean(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestFmtDur(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{0, "0"},
		{999, "999ns"},
		{1500, "1.5µs"},
		{999_700, "1ms"},
		{12_340_000, "12.3ms"},
		{999_900_000, "1s"},
		{2 * time.Minute, "120s"},
		{-3 * time.Millisecond, "-3ms"},
	}
	for _, tt := range tests {
		if got := fmtDur(tt.in); got != tt.want {
			t.Errorf("fmtDur(%d) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNiceStep(t *testing.T) {
	tests := []struct{ raw, want float64 }{
		{0.7, 1}, {1, 1}, {1.2, 2}, {2.2, 2.5}, {3, 5}, {7, 10}, {180, 200}, {0.031, 0.05}, {0, 1}, {-4, 1},
	}
	for _, tt := range tests {
		if got := niceStep(tt.raw); got < tt.want*(1-1e-9) || got > tt.want*(1+1e-9) {
			t.Errorf("niceStep(%v) = %v, want %v", tt.raw, got, tt.want)
		}
	}
}

func TestLinearAxisCoversRange(t *testing.T) {
	tests := []struct {
		name   string
		lo, hi float64
	}{
		{"unit range", 0, 1}, {"odd top", 0, 47.3}, {"tiny", 0, 0.0042}, {"empty", 0, 0}, {"large", 0, 123456},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := linearAxis(tt.lo, tt.hi, 100, 0, trimFloat)
			if a.max < tt.hi {
				t.Errorf("axis top %v is below the data %v", a.max, tt.hi)
			}
			if len(a.ticks) < 2 || len(a.ticks) > 2*maxTicks+1 {
				t.Errorf("%d ticks, want 2 to %d", len(a.ticks), 2*maxTicks+1)
			}
			if a.pos(a.min) != 100 || a.pos(a.max) != 0 {
				t.Errorf("axis maps [%v, %v] to [%v, %v], want [100, 0]", a.min, a.max, a.pos(a.min), a.pos(a.max))
			}
		})
	}
}

func TestDedupFindings(t *testing.T) {
	in := []Finding{
		{Operation: "GET /a", Status: 200, Pointer: "/id", Reason: "missing", Count: 2},
		{Operation: "GET /a", Status: 200, Pointer: "/name", Reason: "too long", Count: 1},
		{Operation: "GET /a", Status: 200, Pointer: "/id", Reason: "missing", Count: 5},
		{Operation: "GET /a", Status: 201, Pointer: "/id", Reason: "missing", Count: 1},
	}
	got := dedupFindings(in)
	if len(got) != 3 {
		t.Fatalf("dedupFindings kept %d kinds, want 3: %+v", len(got), got)
	}
	if got[0].Pointer != "/id" || got[0].Status != 200 || got[0].Count != in[0].Count+in[2].Count {
		t.Errorf("first finding %+v, want /id at 200 with the counts added", got[0])
	}
	if in[0].Count != 2 {
		t.Errorf("dedupFindings modified its input: %+v", in[0])
	}
}

func TestMDText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"budget", "p99<150ms", `p99&lt;150ms`},
		{"pipe", "a|b", `a\|b`},
		{"emphasis and links", "*x* _y_ [z](u)", `\*x\* \_y\_ \[z\](u)`},
		{"mention", "@org/team", "@&#8203;org/team"},
		{"line breaks", "a\nb\r\nc", "a b c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := mdText(tt.in); got != tt.want {
				t.Errorf("mdText(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
