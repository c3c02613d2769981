package contract

import (
	"strings"

	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/matchers"
)

// Prepared is everything one operation's load needs: the resolved SLA, the
// budget to judge (with errors.contract==0 added), the request pool, the
// target that sends it and checks every response, and the findings it fills.
type Prepared struct {
	Operation *Operation
	SLA       SLA
	Budget    string
	Pool      *Pool
	Target    *loadrunner.HTTPTarget
	Findings  *Findings
}

// Prepare resolves the operation's SLA (user, then x-sla, then the document's
// x-sla, then suite), builds its request pool with opts, and its target
// against baseURL. The Ginkgo specs and `slaspec contract` both run an
// operation through it.
func (o *Operation) Prepare(baseURL string, user, suite SLA, opts ...Option) (*Prepared, error) {
	p := &Prepared{Operation: o, SLA: o.Resolve(user, suite), Findings: NewFindings(DefaultMaxFindings)}
	budget, err := WithContractBudget(p.SLA.Budget)
	if err != nil {
		return nil, o.errorf("%w", err)
	}
	p.Budget = budget
	if p.Pool, err = o.Pool(opts...); err != nil {
		return nil, err
	}
	p.Target, err = o.Target(baseURL, append(opts, WithPool(p.Pool), WithFindings(p.Findings))...)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Plan is the load plan of the prepared operation.
func (p *Prepared) Plan() loadrunner.Plan { return p.SLA.Plan() }

// WithContractBudget returns budget in canonical text with
// errors.contract==0 added when it says nothing about contract errors: an
// operation's load fails on any contract violation unless its budget
// tolerates some.
func WithContractBudget(budget string) (string, error) {
	if strings.TrimSpace(budget) == "" {
		return "errors.contract==0", nil
	}
	parsed, err := matchers.Parse(budget)
	if err != nil {
		return "", err
	}
	for _, b := range parsed.Budgets {
		if b.Kind == matchers.ErrorRate && b.Class == "contract" {
			return parsed.String(), nil
		}
	}
	return parsed.String() + ", errors.contract==0", nil
}
