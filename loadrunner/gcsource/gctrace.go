package gcsource

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// maxTraceLine bounds the bytes of one stderr line GCTrace holds; longer
// lines are skipped (and counted when they looked like gctrace lines).
const maxTraceLine = 4096

// maxExample bounds the example of a malformed line kept for the warning.
const maxExample = 120

// GCTrace is a GC source fed by the GODEBUG=gctrace=1 lines of a Go process
// the test starts. It is an io.Writer for that process's standard error:
//
//	trace := gcsource.NewGCTrace(os.Stderr) // tee the output on, or nil
//	cmd.Env = append(os.Environ(), "GODEBUG=gctrace=1")
//	cmd.Stderr = trace // or gexec.Start(cmd, GinkgoWriter, trace)
//
// Each line "gc N @Ts P%: a+b+c ms clock, ..." is one GC cycle; its first
// and third clock times (sweep termination, mark termination) are its two
// stop-the-world pauses. Lines that arrive between Begin and End are
// counted, each pause individually (Exact is true), but the runtime prints
// them with two significant digits, truncated, so each pause may read up to
// 10% or 1 µs short. Other stderr lines pass through untouched; malformed
// gctrace lines are counted and reported as Warnings, never fatal.
//
// A GCTrace is safe for concurrent use: the process writes while the run
// calls Begin and End.
type GCTrace struct {
	tee io.Writer

	mu            sync.Mutex
	teeErr        error
	buf           []byte // the current partial line
	overlong      bool   // the current line passed maxTraceLine
	overlongTrace bool   // ... and began like a gctrace line
	lastNum       uint64 // the last cycle number seen
	seen          bool   // any gctrace line seen at all
	begun         bool
	start         time.Time
	w             traceWindow
}

// traceWindow accumulates the lines of one measured window.
type traceWindow struct {
	cycles, pauses      uint64
	total, max          time.Duration
	hist                *loadrunner.Histogram
	malformed, overlong uint64
	example             string
	missing, backwards  uint64
}

var (
	_ loadrunner.GCSource = (*GCTrace)(nil)
	_ io.Writer           = (*GCTrace)(nil)
)

// NewGCTrace returns a GCTrace that also copies everything written to it on
// to tee, unless tee is nil. A failing tee is reported as a Warning and no
// longer written to; it never fails the process's writes.
func NewGCTrace(tee io.Writer) *GCTrace {
	return &GCTrace{tee: tee, buf: make([]byte, 0, 256)}
}

// Name describes the source for reports.
func (t *GCTrace) Name() string { return "gctrace (GODEBUG=gctrace=1 on stderr)" }

// Write takes the process's output. It always consumes all of p.
func (t *GCTrace) Write(p []byte) (int, error) {
	t.mu.Lock()
	tee := t.tee
	if t.teeErr != nil {
		tee = nil
	}
	t.mu.Unlock()
	if tee != nil {
		if _, err := tee.Write(p); err != nil {
			t.mu.Lock()
			t.teeErr = err
			t.mu.Unlock()
		}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.consume(p)
	return len(p), nil
}

// consume splits p into lines, holding a partial line for the next write.
func (t *GCTrace) consume(p []byte) {
	for len(p) > 0 {
		i := bytes.IndexByte(p, '\n')
		chunk := p
		if i >= 0 {
			chunk = p[:i]
		}
		if !t.overlong {
			if len(t.buf)+len(chunk) > maxTraceLine {
				t.overlong = true
				t.overlongTrace = isTraceLine(append(t.buf, chunk[:min(len(chunk), 8)]...))
				t.buf = t.buf[:0]
			} else {
				t.buf = append(t.buf, chunk...)
			}
		}
		if i < 0 {
			return
		}
		t.endLine()
		p = p[i+1:]
	}
}

// endLine handles the line held in buf (or the overlong one just skipped).
func (t *GCTrace) endLine() {
	defer func() { t.buf, t.overlong, t.overlongTrace = t.buf[:0], false, false }()
	if t.overlong {
		if t.overlongTrace && t.begun {
			t.w.overlong++
		}
		return
	}
	line := bytes.TrimSuffix(t.buf, []byte("\r"))
	if !isTraceLine(line) {
		return
	}
	t.seen = true
	tl, err := parseTraceLine(line)
	if err != nil {
		if t.begun {
			t.w.malformed++
			if t.w.example == "" {
				t.w.example = fmt.Sprintf("%.*q: %v", maxExample, line, err)
			}
		}
		return
	}
	if t.begun {
		t.w.add(tl, t.lastNum)
	}
	t.lastNum = tl.num
}

func (w *traceWindow) add(tl traceLine, last uint64) {
	switch {
	case last > 0 && tl.num <= last:
		w.backwards++
	case last > 0 && tl.num > last+1:
		w.missing += tl.num - last - 1
	}
	w.cycles++
	for _, p := range []time.Duration{tl.sweepTerm, tl.markTerm} {
		w.pauses++
		w.total += p
		w.max = max(w.max, p)
		w.hist.Record(p)
	}
}

// Begin opens the window: lines written from now on are counted.
func (t *GCTrace) Begin(context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.begun, t.start = true, time.Now()
	t.w = traceWindow{hist: loadrunner.NewHistogram()}
	return nil
}

// End closes the window and returns the cycles whose lines arrived in it.
func (t *GCTrace) End(context.Context) (loadrunner.GCStats, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.begun {
		return loadrunner.GCStats{}, fmt.Errorf("gcsource: %s: End without Begin", t.Name())
	}
	t.begun = false
	w := t.w
	g := loadrunner.GCStats{
		Source: t.Name(), Window: time.Since(t.start), Exact: true,
		Cycles: w.cycles, Pauses: w.pauses, PauseTotal: w.total, PauseMax: w.max, PauseHist: w.hist,
		Notes: []string{
			"pauses from GODEBUG=gctrace=1 lines: the sweep-termination and mark-termination clock times, two per cycle",
			"gctrace prints two significant digits, truncated: each pause may read up to 10% or 1 µs short",
		},
	}
	g.Warnings = t.warnings(w)
	return g, nil
}

func (t *GCTrace) warnings(w traceWindow) []string {
	var ws []string
	if !t.seen {
		ws = append(ws, "no gctrace lines seen: set GODEBUG=gctrace=1 in the process's environment and route its stderr here")
	}
	if w.malformed > 0 {
		ws = append(ws, fmt.Sprintf("%d malformed gctrace lines ignored, e.g. %s", w.malformed, w.example))
	}
	if w.overlong > 0 {
		ws = append(ws, fmt.Sprintf("%d gctrace lines longer than %d bytes ignored", w.overlong, maxTraceLine))
	}
	if w.missing > 0 {
		ws = append(ws, fmt.Sprintf("gc numbers skipped: up to %d cycles' lines were not seen", w.missing))
	}
	if w.backwards > 0 {
		ws = append(ws, fmt.Sprintf("gc numbers went backwards %d times: several processes or a restart write here", w.backwards))
	}
	if t.teeErr != nil {
		ws = append(ws, fmt.Sprintf("copying stderr on failed: %v", t.teeErr))
	}
	return ws
}
