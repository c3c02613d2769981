package sla_test

import (
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/sla"
)

// TestDescribeResultNamesTheProtocol: the run description says which
// protocol the responses came over, with counts when there were several.
func TestDescribeResultNamesTheProtocol(t *testing.T) {
	tests := []struct {
		name   string
		protos map[string]uint64
		want   string
	}{
		{"none", nil, ""},
		{"one", map[string]uint64{"HTTP/2.0": 100}, "  protocol   HTTP/2.0\n"},
		{"several, most first", map[string]uint64{"HTTP/1.1": 3, "HTTP/2.0": 97}, "  protocol   HTTP/2.0 97, HTTP/1.1 3\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := testtool.Result(1, 100, func(int) time.Duration { return time.Millisecond }, 0, "")
			res.Protocols = tt.protos
			var b strings.Builder
			sla.DescribeResult(&b, res)
			got := ""
			for _, line := range strings.SplitAfter(b.String(), "\n") {
				if strings.HasPrefix(line, "  protocol") {
					got += line
				}
			}
			if got != tt.want {
				t.Errorf("protocol line %q, want %q in\n%s", got, tt.want, b.String())
			}
		})
	}
}
