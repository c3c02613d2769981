package matchers

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/onsi/gomega/format"
	"github.com/onsi/gomega/types"

	"github.com/slaspec/slaspec/capacity"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// capacityMatcher runs a capacity search on a target and matches its capacity.
type capacityMatcher struct {
	ctx   context.Context
	inner types.GomegaMatcher
	want  sla.SLA
	err   error
	plan  capacity.Plan
	opts  []loadrunner.Option
	found *capacity.Result
}

// HaveCapacity runs a capacity search (capacity.Find) against the actual
// loadrunner.Target and matches its capacity — the highest offered rate in
// req/s whose step met sla — against m, a matcher of float64. The search
// runs under ctx (pass the spec's context so an interrupt stops the load),
// which is why ctx is the first argument rather than hidden in an option:
//
//	It("takes 800 req/s within its SLA", func(ctx SpecContext) {
//		Expect(loadrunner.HTTP(url)).To(HaveCapacity(ctx, BeNumerically(">=", 800), "p99<100ms, errors<0.1%",
//			capacity.Plan{Min: 200, Max: 1600, Steps: 8, StepDuration: 10 * time.Second}))
//	}, SpecTimeout(10*time.Minute))
//
// When the search cannot tell — the generator saturated before the service
// broke the SLA, the lowest rate was inconclusive, the search was
// interrupted — the capacity it shows is only a lower bound: if m matches
// that bound the match holds (m should then hold for every higher capacity,
// as ">=" does), otherwise Match returns an error, so neither To nor ToNot
// passes on a limit that may be the generator's. Failure messages carry the
// step table.
func HaveCapacity(ctx context.Context, m types.GomegaMatcher, budget string, cp capacity.Plan, opts ...loadrunner.Option) types.GomegaMatcher {
	cm := &capacityMatcher{ctx: ctx, inner: m, plan: cp, opts: opts}
	cm.want, cm.err = sla.Parse(budget)
	switch {
	case ctx == nil:
		cm.err = errors.New("HaveCapacity: ctx is nil: pass the spec's context")
	case m == nil:
		cm.err = errors.New("HaveCapacity: the capacity matcher is nil")
	}
	return cm
}

func (m *capacityMatcher) Match(actual any) (bool, error) {
	if m.err != nil {
		return false, m.err
	}
	target, ok := actual.(loadrunner.Target)
	if !ok || target == nil {
		return false, fmt.Errorf("HaveCapacity expects a loadrunner.Target, got %s", format.Object(actual, 1))
	}
	c, err := capacity.Find(m.ctx, target, m.want, m.plan, m.opts...)
	if err != nil {
		return false, fmt.Errorf("HaveCapacity: %w", err)
	}
	m.found = c
	ok, err = m.inner.Match(c.CapacityRPS)
	if err != nil {
		return false, fmt.Errorf("HaveCapacity: %w", err)
	}
	if !ok && (c.Status == sla.Inconclusive || c.GeneratorBound || c.Partial) {
		return false, fmt.Errorf("HaveCapacity: the search cannot tell the service's capacity, only a lower bound\n%s", m.table())
	}
	return ok, nil
}

func (m *capacityMatcher) FailureMessage(any) string {
	return m.message(m.inner.FailureMessage(m.capacity()))
}

func (m *capacityMatcher) NegatedFailureMessage(any) string {
	return m.message(m.inner.NegatedFailureMessage(m.capacity()))
}

func (m *capacityMatcher) capacity() float64 {
	if m.found == nil {
		return 0
	}
	return m.found.CapacityRPS
}

func (m *capacityMatcher) message(inner string) string {
	return "capacity (the highest offered req/s whose step met the SLA):\n" + inner + "\n" + m.table()
}

func (m *capacityMatcher) table() string {
	var b strings.Builder
	capacity.Write(&b, m.found)
	return b.String()
}
