package gcsource

import (
	"bytes"
	"fmt"
	"strconv"
	"time"
)

// traceLine is what one GODEBUG=gctrace=1 line says about its cycle.
type traceLine struct {
	num       uint64        // the cycle's number ("gc 12")
	sweepTerm time.Duration // first clock time: the sweep-termination pause
	markTerm  time.Duration // third clock time: the mark-termination pause
}

// isTraceLine reports whether line claims to be a gctrace line: "gc "
// followed by a digit. Other lines (the service's own stderr) are not.
func isTraceLine(line []byte) bool {
	return len(line) > 3 && bytes.HasPrefix(line, []byte("gc ")) && line[3] >= '0' && line[3] <= '9'
}

// parseTraceLine parses a gctrace line:
//
//	gc 12 @0.345s 2%: 0.011+1.2+0.005 ms clock, 0.022+0.3/1.1/0+0.010 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
//
// Only the fields up to "ms clock" are read; the runtime may insert notes
// such as "(checking for goroutine leaks)" before the colon.
func parseTraceLine(line []byte) (traceLine, error) {
	var t traceLine
	if !isTraceLine(line) {
		return t, fmt.Errorf("not a gctrace line")
	}
	colon := bytes.Index(line, []byte(": "))
	if colon < 0 {
		return t, fmt.Errorf("no \": \" after the cycle number")
	}
	head := bytes.Fields(line[:colon])
	if len(head) < 4 {
		return t, fmt.Errorf("want \"gc N @Ts P%%\" before the colon")
	}
	n, err := strconv.ParseUint(string(head[1]), 10, 64)
	if err != nil {
		return t, fmt.Errorf("cycle number %q: %w", head[1], err)
	}
	if !bytes.HasPrefix(head[2], []byte("@")) || !bytes.HasSuffix(head[2], []byte("s")) {
		return t, fmt.Errorf("start time %q: want @<seconds>s", head[2])
	}
	if !bytes.HasSuffix(head[3], []byte("%")) {
		return t, fmt.Errorf("utilization %q: want <n>%%", head[3])
	}
	tail := bytes.Fields(line[colon+2:])
	if len(tail) < 3 || string(tail[1]) != "ms" || string(tail[2]) != "clock," {
		return t, fmt.Errorf("want \"<a>+<b>+<c> ms clock,\" after the colon")
	}
	clock := bytes.Split(tail[0], []byte("+"))
	if len(clock) != 3 {
		return t, fmt.Errorf("clock %q: want three times joined by '+'", tail[0])
	}
	var d [3]time.Duration
	for i, c := range clock {
		if d[i], err = parseMillis(c); err != nil {
			return t, fmt.Errorf("clock time %d: %w", i+1, err)
		}
	}
	return traceLine{num: n, sweepTerm: d[0], markTerm: d[2]}, nil
}

// maxMillisDigits bounds the integer digits of a time: up to an hour.
const maxMillisDigits = 7

// parseMillis parses a decimal number of milliseconds ("0.011", "1.2", "12")
// exactly, to the nanosecond: digits, at most one point, at most six
// decimals, at most an hour.
func parseMillis(b []byte) (time.Duration, error) {
	whole, frac, hasPoint := bytes.Cut(b, []byte("."))
	if len(whole) == 0 || len(whole) > maxMillisDigits || len(frac) > 6 || (hasPoint && len(frac) == 0) {
		return 0, fmt.Errorf("%q: want milliseconds like 0.011", b)
	}
	var ms, ns int64
	for _, c := range whole {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q: want milliseconds like 0.011", b)
		}
		ms = ms*10 + int64(c-'0')
	}
	scale := int64(1e6)
	for _, c := range frac {
		if c < '0' || c > '9' {
			return 0, fmt.Errorf("%q: want milliseconds like 0.011", b)
		}
		scale /= 10
		ns += int64(c-'0') * scale
	}
	d := time.Duration(ms)*time.Millisecond + time.Duration(ns)
	if d > maxPause {
		return 0, fmt.Errorf("%q: longer than %v", b, maxPause)
	}
	return d, nil
}
