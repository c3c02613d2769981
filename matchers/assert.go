package matchers

import (
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// AssertSLA is the testify-style form of MeetSLA for plain `go test`: it
// reports a failure through t (with the same message MeetSLA gives) unless
// res meets every budget of sla, and returns whether it did.
//
//	matchers.AssertSLA(t, res, "p99<150ms, errors<0.1%")
func AssertSLA(t assert.TestingT, res *loadrunner.Result, budget string, msgAndArgs ...any) bool {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	parsed, err := sla.Parse(budget)
	if err != nil {
		return assert.Fail(t, err.Error(), msgAndArgs...)
	}
	if res == nil {
		return assert.Fail(t, "matchers: AssertSLA: result is nil", msgAndArgs...)
	}
	ev := sla.Evaluate(res, parsed)
	if ev.Status != sla.Passed {
		return assert.Fail(t, sla.Explain(res, ev), msgAndArgs...)
	}
	return true
}

// RequireSLA is AssertSLA that stops the test (t.FailNow) on failure.
func RequireSLA(t require.TestingT, res *loadrunner.Result, budget string, msgAndArgs ...any) {
	if h, ok := t.(interface{ Helper() }); ok {
		h.Helper()
	}
	if !AssertSLA(t, res, budget, msgAndArgs...) {
		t.FailNow()
	}
}
