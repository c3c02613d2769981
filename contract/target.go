package contract

import (
	"cmp"
	"fmt"
	"net/http"
	"time"

	"github.com/slaspec/slaspec/loadrunner"
)

// Target returns a load target for the operation on the server at baseURL,
// the full base the operation's path is appended to, path included
// ("http://host:8080/v3" sends GET /pets as /v3/pets; the document's
// servers are not used):
// it cycles through the operation's request pool by hit index (built once,
// or given with WithPool) and checks every response against the contract
// (status declared or default, content type, JSON body schema, required
// headers), subject to WithSampling. A violation fails the request with
// class loadrunner.ClassContract and a *ContractError naming the
// operation, status and JSON pointer; every violation is also counted in
// the operation's Findings (or those given with WithFindings).
func (o *Operation) Target(baseURL string, opts ...Option) (*loadrunner.HTTPTarget, error) {
	c := o.config(opts)
	if c.err != nil {
		return nil, o.errorf("%w", c.err)
	}
	if err := c.sampling.Validate(); err != nil {
		return nil, o.errorf("%w", err)
	}
	pool := c.pool
	if pool == nil {
		var err error
		if pool, err = o.pool(c); err != nil {
			return nil, err
		}
	}
	if len(pool.Requests) == 0 {
		return nil, o.errorf("request pool is empty")
	}
	httpOpts := make([]loadrunner.HTTPOption, 0, len(pool.Requests)+len(c.httpOpts)+2)
	for _, r := range pool.Requests {
		httpOpts = append(httpOpts, r)
	}
	httpOpts = append(httpOpts, o.secretOptions(c)...)
	httpOpts = append(httpOpts, c.httpOpts...)
	httpOpts = append(httpOpts, loadrunner.WithMaxBody(c.maxBody), loadrunner.WithCheck(o.check(c.findings, c.coverage, c.sampling)))
	t := loadrunner.HTTP(baseURL, httpOpts...)
	if err := t.Validate(); err != nil {
		return nil, o.errorf("target: %w", err)
	}
	cmp.Or(c.findings, o.findings).redactWith(t.Redactor())
	return t, nil
}

// Checker returns the response check Target installs, for use with another
// target: it fills findings (the operation's own when nil) and checks the
// responses policy selects.
func (o *Operation) Checker(findings *Findings, policy Sampling) func(resp *http.Response, body []byte) error {
	return o.check(findings, nil, policy)
}

// check is Checker that also counts every response in cov (when not nil).
func (o *Operation) check(findings *Findings, cov *CoverageCounter, policy Sampling) func(resp *http.Response, body []byte) error {
	if findings == nil {
		findings = o.findings
	}
	rc := o.responses()
	s := &sampler{policy: policy}
	return func(resp *http.Response, body []byte) error {
		if cov != nil {
			cov.record(resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		if !s.take(resp.StatusCode) {
			findings.record(false, false, 0)
			return nil
		}
		method := o.Method
		if resp.Request != nil {
			method = resp.Request.Method
		}
		end, ok := startCheck(resp, body)
		if !ok {
			findings.recordUnchecked()
			return nil
		}
		defer end()
		start := time.Now()
		vs := rc.check(method, resp.StatusCode, resp.Header, body)
		findings.record(true, len(vs) > 0, time.Since(start))
		if len(vs) == 0 {
			return nil
		}
		for _, v := range vs {
			findings.add(v)
		}
		first := vs[0]
		first.More = len(vs) - 1
		return loadrunner.ClassError(loadrunner.ClassContract, &first)
	}
}

// CheckResponse checks one response against the operation, without
// sampling or findings, and returns every violation found (at most 8).
func (o *Operation) CheckResponse(status int, header http.Header, body []byte) []error {
	var out []error
	for _, v := range o.responses().check(o.Method, status, header, body) {
		out = append(out, fmt.Errorf("contract: %w", &v))
	}
	return out
}
