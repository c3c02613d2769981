package sla_test

import (
	"testing"

	"github.com/slaspec/slaspec/sla"
)

func TestFormatCount(t *testing.T) {
	cases := []struct {
		n    int
		noun string
		want string
	}{
		{1, "operation", "1 operation"},
		{2, "operation", "2 operations"},
		{0, "load spec", "0 load specs"},
		{1, "entry", "1 entry"},
		{3, "entry", "3 entries"},
		{2, "key", "2 keys"},
		{2, "pass", "2 passes"},
	}
	for _, c := range cases {
		if got := sla.FormatCount(c.n, c.noun); got != c.want {
			t.Errorf("FormatCount(%d, %q) = %q, want %q", c.n, c.noun, got, c.want)
		}
	}
	if got := sla.FormatCount(uint64(1), "request"); got != "1 request" {
		t.Errorf("uint64: %q", got)
	}
}
