package contract

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/slaspec/slaspec/loadrunner"
)

// Bounds of one operation's discovery.
const (
	// listRequests is the requests sent to each list (GET) source.
	listRequests = 2
	// createRequests is the requests sent to each create (POST) source.
	createRequests = 4
	// maxDiscoveryRequests bounds the requests of one Discover call.
	maxDiscoveryRequests = 24
	// discoveryTimeout bounds one Discover call.
	discoveryTimeout = 20 * time.Second
)

// source is an operation whose responses may name values of the target's
// parameters, with what to take from them.
type source struct {
	op       *Operation
	takers   []taker
	requests int
}

// taker takes the values of one parameter from one source's responses,
// and says from what ("field id", "Location", "link …").
type taker struct {
	in, name string
	take     func(h http.Header, body any) (values []string, what string)
}

// Discover learns values for the operation's path and query parameters
// from the service's own responses, before a measured run, so that requests
// name resources that exist. The sources, in order:
//
//   - OpenAPI links that target the operation ($response.body#/pointer);
//   - list operations inferred from the path (GET /pets for /pets/{id}),
//     their response items' field named like the parameter (id, petId,
//     pet_id for {petId} under /pets; tag for a query parameter tags);
//   - then, only for parameters still without values, create operations
//     (POST /pets): the same fields of the created resource, or its
//     Location header when that names the operation's path.
//
// Discovery sends a few requests (at most 24) one after another to baseURL,
// generated like the sources' pools from opts (seed, credentials, headers,
// HTTP options), list requests without their optional parameters. It
// creates resources only when listing found none. Parameters pinned with
// WithParam are not discovered; WithoutDiscovery turns it off. The requests go through loadrunner's
// safety guard (WithSafety); their responses are neither checked nor
// counted. A source that fails is noted in Learned.Notes, not an error: the
// error is for a refused target or a cancelled context.
func (o *Operation) Discover(ctx context.Context, baseURL string, opts ...Option) (*Learned, error) {
	c := o.config(opts)
	if c.err != nil {
		return nil, o.errorf("%w", c.err)
	}
	l := &Learned{OperationID: o.ID}
	if c.generator != nil || c.noDiscovery {
		return l, nil
	}
	ctx, cancel := context.WithTimeout(ctx, discoveryTimeout)
	defer cancel()
	for _, phase := range []string{http.MethodGet, http.MethodPost} {
		for _, s := range o.sources(c, phase, l) {
			if err := o.runSource(ctx, baseURL, c, s, l); err != nil {
				return l, err
			}
		}
	}
	return l, nil
}

// sources returns the sources of one method for the parameters that have
// no value yet, links first, each source operation once.
func (o *Operation) sources(c *config, method string, l *Learned) []*source {
	var out []*source
	add := func(s *source) {
		i := slices.IndexFunc(out, func(x *source) bool { return x.op == s.op })
		if i < 0 {
			n := listRequests
			if method == http.MethodPost {
				n = createRequests
			}
			out = append(out, &source{op: s.op, requests: n})
			i = len(out) - 1
		}
		out[i].takers = append(out[i].takers, s.takers...)
	}
	for _, p := range o.parameters() {
		if p.In != openapi3.ParameterInPath && p.In != openapi3.ParameterInQuery {
			continue
		}
		if _, pinned := c.pinned(p.In, p.Name); pinned {
			continue
		}
		if lp := l.param(p.In, p.Name); lp != nil && len(lp.Values) > 0 {
			continue
		}
		for _, s := range o.linkSources(p, method) {
			add(s)
		}
		for _, s := range o.inferredSources(p, method) {
			add(s)
		}
	}
	return out
}

// name is "findPets (GET /pets)", or "GET /pets" without an operationId.
func (o *Operation) name() string {
	if o.op.OperationID == "" {
		return o.String()
	}
	return o.ID + " (" + o.String() + ")"
}

// runSource sends a source's requests and applies its takers to every 2xx
// response.
func (o *Operation) runSource(ctx context.Context, baseURL string, c *config, s *source, l *Learned) error {
	src := *c
	src.requiredOnly = s.op.Method == http.MethodGet
	src.learned = map[string]*Learned{s.op.ID: l}
	var reqs []loadrunner.HTTPOption
	for i := range s.requests {
		r, _, err := s.op.poolRequest(&src, i)
		if err != nil {
			l.Notes = append(l.Notes, fmt.Sprintf("%s: no request: %v", s.op.ID, s.op.redactErr(&src, err)))
			return nil
		}
		reqs = append(reqs, r)
	}
	seen := 0
	check := loadrunner.WithCheck(func(resp *http.Response, body []byte) error {
		if resp.StatusCode < 200 || resp.StatusCode > 299 {
			return nil
		}
		seen++
		v := decodeJSON(body)
		for _, t := range s.takers {
			vals, what := t.take(resp.Header, v)
			for _, val := range vals {
				l.add(t.in, t.name, val, "learned from "+s.op.name()+" "+what)
			}
		}
		return nil
	})
	target := loadrunner.HTTP(baseURL, append(append(reqs, c.httpOpts...), loadrunner.WithMaxBody(c.maxBody), check)...)
	if err := target.Validate(); err != nil {
		return o.errorf("discover: %w", err)
	}
	if err := loadrunner.CheckHosts(target, loadrunner.WithSafety(c.safety)); err != nil {
		return o.errorf("discover: %w", err)
	}
	for i := range s.requests {
		if l.Requests >= maxDiscoveryRequests {
			break
		}
		if err := ctx.Err(); err != nil {
			return o.errorf("discover: %w", err)
		}
		l.Requests++
		target.Hit(ctx, uint64(i), &loadrunner.Trace{})
	}
	if seen == 0 {
		l.Notes = append(l.Notes, fmt.Sprintf("%s (%s) gave no 2xx response to learn from", s.op.ID, s.op))
	}
	return nil
}
