package matchers

import (
	"errors"

	"github.com/slaspec/slaspec/loadrunner"
)

// SLA is a parsed service-level budget: a list of budgets that must all hold.
type SLA struct {
	Budgets []Budget
}

// Budget is one bound of an SLA, e.g. "p99<150ms".
type Budget struct {
	text string
}

// String returns the budget in canonical text.
func (b Budget) String() string { return b.text }

// Parse parses the SLA grammar, e.g. "p99<150ms, errors<0.1%, rate>=99%".
func Parse(s string) (SLA, error) { return SLA{}, errors.New("matchers: parse: not implemented yet") }

// Status is the outcome of one budget or of a whole SLA.
type Status string

// The statuses a verdict can have.
const (
	Pass         Status = "pass"
	Fail         Status = "fail"
	Inconclusive Status = "inconclusive"
)

// Verdict is the evaluation of one budget against one result.
type Verdict struct {
	Budget   string  `json:"budget"`
	Observed string  `json:"observed"`
	Status   Status  `json:"status"`
	Margin   float64 `json:"margin"`
	Detail   string  `json:"detail,omitempty"`
}

// Evaluation is the evaluation of a whole SLA.
type Evaluation struct {
	Status   Status    `json:"status"`
	Verdicts []Verdict `json:"verdicts"`
}

// Evaluate evaluates every budget of sla against res.
func Evaluate(res *loadrunner.Result, sla SLA) Evaluation { return Evaluation{} }
