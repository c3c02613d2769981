package harness

import (
	"testing"
	"time"
)

func TestStealOf(t *testing.T) {
	const stat = "cpu  48270 0 25328 307835 203 0 9289 15750 0 0\n" +
		"cpu0 28430 0 12959 149443 71 0 4916 8596 0 0\n" +
		"cpu1 19839 0 12369 158392 132 0 4372 7153 0 0\n" +
		"cpu2 1 2 3\n" +
		"cpu3 1 2 3 4 5 6 7 x 0 0\n" +
		"intr 1 2 3\n"
	for _, tc := range []struct {
		prefix string
		want   time.Duration
		ok     bool
	}{
		{"cpu ", 157500 * time.Millisecond, true},
		{"cpu1 ", 71530 * time.Millisecond, true},
		{"cpu2 ", 0, false}, // too few columns: an old kernel
		{"cpu3 ", 0, false}, // not a number
		{"cpu9 ", 0, false}, // no such core
	} {
		got, ok := stealOf(stat, tc.prefix)
		if got != tc.want || ok != tc.ok {
			t.Errorf("stealOf(%q) = %v, %t; want %v, %t", tc.prefix, got, ok, tc.want, tc.ok)
		}
	}
}
