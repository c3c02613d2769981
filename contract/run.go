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
	// Sources say where each parameter's values came from.
	Sources []ParamSource
	// Findings are the contract violations seen, deduplicated.
	Findings []Finding
	// Coverage is which documented responses were observed.
	Coverage *Coverage
}

// Run loads the prepared operation with plan (normally p.Plan(), adjusted
// by the caller's configuration), stopping early when a budget marked "!"
// can no longer pass, and judges the result against p.SLA and the response
// coverage (see Judge). It is the one
// per-operation pipeline: `slaspec contract` and the Ginkgo plugin both run
// operations through it. The error is non-nil only when the run could not
// start.
func (p *Prepared) Run(ctx context.Context, plan loadrunner.Plan, opts ...loadrunner.Option) (*Outcome, error) {
	opts = append(opts[:len(opts):len(opts)], sla.AbortWhenLost(p.SLA))
	res, err := loadrunner.Run(ctx, plan, p.Target, opts...)
	if err != nil {
		return nil, fmt.Errorf("contract: operation %s: %w", p.Operation.ID, err)
	}
	return p.Outcome(res), nil
}

// Outcome judges a result of the prepared operation (its whole run, or its
// share of a mix) against p.SLA and its coverage, with Judge.
func (p *Prepared) Outcome(res *loadrunner.Result) *Outcome {
	cov := p.Coverage.Coverage()
	return &Outcome{Operation: p.Operation, Evaluation: Judge(res, p.SLA, &cov), Result: res,
		Fingerprint: p.Pool.Fingerprint, Sources: p.Pool.Sources, Findings: p.Findings.List(), Coverage: &cov}
}
