package contract

import (
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// Prepared is everything one operation's load needs: the resolved load
// spec, the SLA to judge (the spec's, with sla.WithServiceErrors applied),
// the request pool, the target that sends it and checks every response, and
// the findings and response coverage it fills.
type Prepared struct {
	Operation *Operation
	Spec      LoadSpec
	SLA       sla.SLA
	Pool      *Pool
	Target    *loadrunner.HTTPTarget
	Findings  *Findings
	// Coverage counts the target's responses by status and content type.
	Coverage *CoverageCounter
}

// Prepare resolves the operation's load spec (user, then x-sla, then the document's
// x-sla, then suite), builds its request pool with opts, and its target
// against baseURL. The Ginkgo specs and `slaspec contract` both run an
// operation through it.
func (o *Operation) Prepare(baseURL string, user, suite LoadSpec, opts ...Option) (*Prepared, error) {
	p := &Prepared{Operation: o, Spec: o.Resolve(user, suite), Findings: NewFindings(DefaultMaxFindings), Coverage: o.NewCoverageCounter()}
	p.SLA = sla.WithServiceErrors(p.Spec.SLA)
	var err error
	if p.Pool, err = o.Pool(opts...); err != nil {
		return nil, err
	}
	p.Target, err = o.Target(baseURL, append(opts, WithPool(p.Pool), WithFindings(p.Findings), WithCoverage(p.Coverage))...)
	if err != nil {
		return nil, err
	}
	return p, nil
}

// Plan is the load plan of the prepared operation.
func (p *Prepared) Plan() loadrunner.Plan { return p.Spec.Plan() }
