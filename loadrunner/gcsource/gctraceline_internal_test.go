package gcsource

import (
	"strings"
	"testing"
	"time"
)

func TestParseTraceLine(t *testing.T) {
	cases := []struct {
		name       string
		line       string
		num        uint64
		sweep, mrk time.Duration
		err        string
	}{
		{
			name: "go 1.26",
			line: "gc 12 @0.345s 2%: 0.011+1.2+0.005 ms clock, 0.022+0.3/1.1/0+0.010 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
			num:  12, sweep: 11 * time.Microsecond, mrk: 5 * time.Microsecond,
		},
		{
			name: "whole milliseconds",
			line: "gc 7 @10.5s 30%: 12+40+15 ms clock, 24+1/2/3+30 ms cpu, 400->410->200 MB, 420 MB goal, 0 MB stacks, 0 MB globals, 2 P (forced)",
			num:  7, sweep: 12 * time.Millisecond, mrk: 15 * time.Millisecond,
		},
		{
			name: "goroutine leak note",
			line: "gc 3 @0.1s 1% (checking for goroutine leaks): 0.020+0.5+0.031 ms clock, 0.040+0/0/0+0.062 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P",
			num:  3, sweep: 20 * time.Microsecond, mrk: 31 * time.Microsecond,
		},
		{name: "zero", line: "gc 1 @0.001s 0%: 0+0+0 ms clock,", num: 1},
		{name: "not a trace line", line: "gc ran fine", err: "not a gctrace line"},
		{name: "no colon", line: "gc 1 @0.1s 2% 0.1+0.2+0.3 ms clock", err: `no ": "`},
		{name: "short head", line: "gc 1 @0.1s: 0.1+0.2+0.3 ms clock,", err: "before the colon"},
		{name: "bad number", line: "gc 1x @0.1s 2%: 0.1+0.2+0.3 ms clock,", err: `cycle number "1x"`},
		{name: "bad start", line: "gc 1 0.1s 2%: 0.1+0.2+0.3 ms clock,", err: "start time"},
		{name: "bad percent", line: "gc 1 @0.1s 2: 0.1+0.2+0.3 ms clock,", err: "utilization"},
		{name: "two times", line: "gc 1 @0.1s 2%: 0.1+0.2 ms clock,", err: "want three times"},
		{name: "not ms", line: "gc 1 @0.1s 2%: 0.1+0.2+0.3 us clock,", err: "ms clock"},
		{name: "negative", line: "gc 1 @0.1s 2%: -0.1+0.2+0.3 ms clock,", err: "clock time 1"},
		{name: "exponent", line: "gc 1 @0.1s 2%: 1e3+0.2+0.3 ms clock,", err: "clock time 1"},
		{name: "empty time", line: "gc 1 @0.1s 2%: 0.1++0.3 ms clock,", err: "clock time 2"},
		{name: "dot only", line: "gc 1 @0.1s 2%: 0.1+0.2+3. ms clock,", err: "clock time 3"},
		{name: "too long", line: "gc 1 @0.1s 2%: 3600001+0.2+0.3 ms clock,", err: "longer than 1h0m0s"},
		{name: "too many digits", line: "gc 1 @0.1s 2%: 99999999999999999999+0+0 ms clock,", err: "clock time 1"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tl, err := parseTraceLine([]byte(tc.line))
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tl.num != tc.num || tl.sweepTerm != tc.sweep || tl.markTerm != tc.mrk {
				t.Errorf("got %+v, want gc %d pauses %v, %v", tl, tc.num, tc.sweep, tc.mrk)
			}
		})
	}
}
