package contract

import (
	"context"
	"fmt"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// Outcome is one operation's load, run and judged: what the CLI prints and
// the Ginkgo plugin asserts, and what a report entry is made of.
type Outcome struct {
	Operation *Operation
	// Evaluation is the verdict of the prepared SLA on Result.
	Evaluation sla.Evaluation
	Result     *loadrunner.Result
	// Fingerprint identifies the request pool the run drew from.
	Fingerprint string
	// Findings are the contract violations seen, deduplicated.
	Findings []Finding
}

// Run loads the prepared operation with plan (normally p.Plan(), adjusted
// by the caller's configuration), stopping early when a budget marked "!"
// can no longer pass, and judges the result against p.SLA. It is the one
// per-operation pipeline: `slaspec contract` and the Ginkgo plugin both run
// operations through it. The error is non-nil only when the run could not
// start.
func (p *Prepared) Run(ctx context.Context, plan loadrunner.Plan, opts ...loadrunner.Option) (*Outcome, error) {
	opts = append(opts[:len(opts):len(opts)], sla.AbortWhenLost(p.SLA))
	res, err := loadrunner.Run(ctx, plan, p.Target, opts...)
	if err != nil {
		return nil, fmt.Errorf("contract: operation %s: %w", p.Operation.ID, err)
	}
	return &Outcome{Operation: p.Operation, Evaluation: sla.Evaluate(res, p.SLA), Result: res,
		Fingerprint: p.Pool.Fingerprint, Findings: p.Findings.List()}, nil
}
