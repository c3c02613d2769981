package contract_test

import (
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
)

// warmupDoc has a top-level warm-up of 2s, one operation that says
// "warmup: 0s" and one that says nothing.
const warmupDoc = `openapi: 3.0.3
info: {title: warmup, version: "1"}
x-sla: {rate: 100, duration: 10s, warmup: 2s}
paths:
  /cold:
    get:
      operationId: cold
      x-sla: {warmup: 0s}
      responses: {"200": {description: ok}}
  /warm:
    get:
      operationId: warm
      responses: {"200": {description: ok}}
`

// TestExplicitZeroWarmup: a warm-up of zero that is written (x-sla's
// "warmup: 0s", NoWarmup from Go or the CLI) is kept, not taken as unset.
func TestExplicitZeroWarmup(t *testing.T) {
	byID := operationsByID(t, warmupDoc)
	suite := contract.LoadSpec{Rate: 50, Duration: 5 * time.Second, Warmup: time.Second}
	cases := []struct {
		name string
		op   string
		user contract.LoadSpec
		want time.Duration
	}{
		{"x-sla warmup: 0s", "cold", contract.LoadSpec{}, 0},
		{"the document's warm-up", "warm", contract.LoadSpec{}, 2 * time.Second},
		{"NoWarmup from Go wins over x-sla", "warm", contract.LoadSpec{NoWarmup: true}, 0},
		{"a user's warm-up wins over warmup: 0s", "cold", contract.LoadSpec{Warmup: 3 * time.Second}, 3 * time.Second},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := byID[c.op].Resolve(c.user, suite)
			if got.Warmup != c.want || got.Plan().Warmup != c.want || got.NoWarmup != (c.want == 0) {
				t.Errorf("warm-up %s (NoWarmup %v, plan %s), want %s", got.Warmup, got.NoWarmup, got.Plan().Warmup, c.want)
			}
		})
	}
	if err := (contract.LoadSpec{Warmup: time.Second, NoWarmup: true}).Validate(); err == nil {
		t.Error("a warm-up with NoWarmup validated")
	}
}
