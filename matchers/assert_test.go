package matchers_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/internal/testtool"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

// recordingT records what an assertion reports.
type recordingT struct {
	errors []string
	failed bool
}

func (r *recordingT) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingT) FailNow() { r.failed = true }

func TestAssertSLA(t *testing.T) {
	res := testtool.Result(10, 1000, testtool.Uniform, 50, loadrunner.Class5xx)
	cases := []struct {
		sla      string
		ok       bool
		contains []string
	}{
		{"p99<150ms, errors<1%", true, nil},
		{"p99<90ms, errors<1%", false, []string{"SLA not met", "p99<90ms", "over 90ms by", "http.5xx"}},
		{"p99<", false, []string{`budget "p99<" at column 1: missing limit`}},
	}
	for _, c := range cases {
		rec := &recordingT{}
		if got := matchers.AssertSLA(rec, res, c.sla); got != c.ok {
			t.Fatalf("AssertSLA(%q) = %v, want %v (%v)", c.sla, got, c.ok, rec.errors)
		}
		msg := strings.Join(rec.errors, "\n")
		for _, want := range c.contains {
			if !strings.Contains(msg, want) {
				t.Errorf("AssertSLA(%q) message lacks %q:\n%s", c.sla, want, msg)
			}
		}
		rec = &recordingT{}
		matchers.RequireSLA(rec, res, c.sla)
		if rec.failed == c.ok {
			t.Errorf("RequireSLA(%q): FailNow called %v, want %v", c.sla, rec.failed, !c.ok)
		}
	}
	rec := &recordingT{}
	if matchers.AssertSLA(rec, nil, "p99<1s") || !strings.Contains(strings.Join(rec.errors, ""), "result is nil") {
		t.Errorf("nil result: %v", rec.errors)
	}
}
