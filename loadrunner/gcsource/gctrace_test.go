package gcsource_test

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/loadrunner/gcsource"
)

// replay writes a session to trace in chunks of size n, calling Begin and
// End at its BEGIN and END lines, and returns End's figures.
func replay(t *testing.T, trace *gcsource.GCTrace, session []byte, n int) loadrunner.GCStats {
	t.Helper()
	var g loadrunner.GCStats
	for line := range bytes.Lines(session) {
		switch string(bytes.TrimSpace(line)) {
		case "BEGIN":
			if err := trace.Begin(context.Background()); err != nil {
				t.Fatal(err)
			}
			continue
		case "END":
			var err error
			if g, err = trace.End(context.Background()); err != nil {
				t.Fatal(err)
			}
			continue
		}
		for len(line) > 0 {
			k := min(n, len(line))
			if w, err := trace.Write(line[:k]); w != k || err != nil {
				t.Fatalf("Write = %d, %v", w, err)
			}
			line = line[k:]
		}
	}
	return g
}

func TestGCTraceSession(t *testing.T) {
	session := fixture(t, "gctrace/session.txt")
	for _, chunk := range []int{1, 7, 4096} {
		var teed bytes.Buffer
		g := replay(t, gcsource.NewGCTrace(&teed), session, chunk)
		// cycles 3, 4, 5 and 7 are in the window; 6 is garbled
		want := (15 + 25) + (20 + 1500) + (9 + 11) + (12000 + 15000)
		if g.Cycles != 4 || g.Pauses != 8 || g.PauseTotal != time.Duration(want)*time.Microsecond || g.PauseMax != 15*time.Millisecond {
			t.Errorf("chunk %d: cycles %d pauses %d total %v max %v; want 4, 8, %v, 15ms", chunk, g.Cycles, g.Pauses, g.PauseTotal, g.PauseMax, time.Duration(want)*time.Microsecond)
		}
		ws := strings.Join(g.Warnings, "\n")
		if len(g.Warnings) != 2 || !strings.Contains(ws, "1 malformed gctrace lines ignored, e.g. \"gc 6 @0.060s 2%: 0.011+garbled\"") ||
			!strings.Contains(ws, "up to 1 cycles' lines were not seen") {
			t.Errorf("chunk %d: Warnings = %q, want the garbled line and the skipped number", chunk, g.Warnings)
		}
		if !g.Exact || g.PauseHist.Count() != 8 || g.Window <= 0 {
			t.Errorf("chunk %d: exact %v, hist count %d, window %v", chunk, g.Exact, g.PauseHist.Count(), g.Window)
		}
		if teedWant := bytes.ReplaceAll(bytes.ReplaceAll(session, []byte("BEGIN\n"), nil), []byte("END\n"), nil); !bytes.Equal(teed.Bytes(), teedWant) {
			t.Errorf("chunk %d: the tee got %d bytes, want the %d written, unchanged", chunk, teed.Len(), len(teedWant))
		}
	}
}

func TestGCTraceWarnings(t *testing.T) {
	long := "gc 9 @0.1s 2%: 0.1+0.2+0.3 ms clock, " + strings.Repeat("x", 5000) + "\n"
	cases := []struct {
		name    string
		session string
		tee     *failingWriter
		cycles  uint64
		warning string
	}{
		{name: "no gctrace at all", session: "BEGIN\nhello\nEND\n", warning: "no gctrace lines seen"},
		{name: "overlong gctrace line", session: "BEGIN\n" + long + "END\n", warning: "1 gctrace lines longer than 4096 bytes ignored"},
		{name: "overlong log line", session: "gc 1 @0.1s 2%: 0.1+0.2+0.3 ms clock,\nBEGIN\n" + strings.Repeat("y", 9000) + "\nEND\n"},
		{name: "numbers go backwards", session: "gc 5 @0.1s 2%: 0.1+0.2+0.3 ms clock,\nBEGIN\ngc 1 @0.1s 2%: 0.1+0.2+0.3 ms clock,\nEND\n",
			cycles: 1, warning: "gc numbers went backwards 1 times"},
		{name: "failing tee", session: "BEGIN\ngc 1 @0.1s 2%: 0.1+0.2+0.3 ms clock,\ngc 2 @0.1s 2%: 0.1+0.2+0.3 ms clock,\nEND\n",
			tee: &failingWriter{}, cycles: 2, warning: "copying stderr on failed: disk full"},
		{name: "truncated line", session: "BEGIN\ngc 1 @0.1s 2%: 0.1+0.2+0.3 ms clock,\ngc 2 @0.1s\nEND\n",
			cycles: 1, warning: `1 malformed gctrace lines ignored, e.g. "gc 2 @0.1s": no ": "`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var trace *gcsource.GCTrace
			if tc.tee != nil {
				trace = gcsource.NewGCTrace(tc.tee)
			} else {
				trace = gcsource.NewGCTrace(nil)
			}
			g := replay(t, trace, []byte(tc.session), 64)
			ws := strings.Join(g.Warnings, "\n")
			if g.Cycles != tc.cycles || !strings.Contains(ws, tc.warning) || (tc.warning == "" && ws != "") {
				t.Errorf("cycles %d, Warnings %q; want %d, %q", g.Cycles, g.Warnings, tc.cycles, tc.warning)
			}
			if tc.tee != nil && tc.tee.calls != 1 {
				t.Errorf("the failing tee was called %d times, want once", tc.tee.calls)
			}
		})
	}
}

type failingWriter struct{ calls int }

func (w *failingWriter) Write([]byte) (int, error) {
	w.calls++
	return 0, errors.New("disk full")
}

func TestGCTraceEndWithoutBegin(t *testing.T) {
	_, err := gcsource.NewGCTrace(nil).End(context.Background())
	if err == nil || !strings.Contains(err.Error(), "End without Begin") {
		t.Fatalf("err = %v", err)
	}
}

// TestGCTraceConcurrent writes while windows open and close (run with -race).
func TestGCTraceConcurrent(t *testing.T) {
	trace := gcsource.NewGCTrace(nil)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := range 2000 {
			_, _ = trace.Write([]byte("gc " + strings.Repeat("1", 1+i%3) + " @0.1s 2%: 0.1+0.2+0.3 ms clock,\n"))
		}
	})
	var total uint64
	for range 50 {
		if err := trace.Begin(context.Background()); err != nil {
			t.Fatal(err)
		}
		g, err := trace.End(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if g.Pauses != 2*g.Cycles {
			t.Fatalf("pauses %d for %d cycles", g.Pauses, g.Cycles)
		}
		total += g.Cycles
	}
	wg.Wait()
	if total > 2000 {
		t.Errorf("%d cycles counted from 2000 lines", total)
	}
}
