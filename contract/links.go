package contract

import (
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/slaspec/slaspec/loadrunner"
)

// maxJourneySteps bounds a journey built from links.
const maxJourneySteps = 16

// Journey builds a user journey from the document's OpenAPI links: it starts
// with operation startID and, at each step, follows the link named next (in
// order; "" takes the step's only link) of the step's first 2xx response to
// the operation it names, passing values from the response as the link
// says ($response.body#/pointer, evaluated at run time on each journey).
// Requests are generated as for the operations' pools (opts: seed,
// credentials, overrides); path parameters that a link sets are filled from
// the earlier response. Links the journey cannot follow give an error naming
// the link and the expression: an expression other than $response.body#…
// or a constant, a parameter that is not in the path, a pointer into an
// object when the response is an array, or a link to an unknown operation.
func (d *Document) Journey(baseURL, startID string, next []string, opts ...Option) (*loadrunner.JourneyTarget, error) {
	if len(next)+1 > maxJourneySteps {
		return nil, fmt.Errorf("contract: journey from %s: %d steps, at most %d", startID, len(next)+1, maxJourneySteps)
	}
	op, err := d.operationByID(startID)
	if err != nil {
		return nil, fmt.Errorf("contract: journey: %w", err)
	}
	var steps []loadrunner.JourneyStep
	linked := map[string]string{} // path parameter of the current step → variable
	for i := 0; ; i++ {
		req, err := op.journeyRequest(linked, opts)
		if err != nil {
			return nil, fmt.Errorf("contract: journey step %d (%s): %w", i+1, op.ID, err)
		}
		step := loadrunner.Step(op.ID, req)
		if i == len(next) {
			steps = append(steps, step)
			break
		}
		name, link, err := op.link(next[i])
		if err != nil {
			return nil, fmt.Errorf("contract: journey step %d (%s): %w", i+1, op.ID, err)
		}
		target, err := d.linkTarget(name, link)
		if err != nil {
			return nil, fmt.Errorf("contract: journey step %d (%s): %w", i+1, op.ID, err)
		}
		linked = map[string]string{}
		for _, param := range sortedKeys(link.Parameters) {
			expr := link.Parameters[param]
			v := fmt.Sprintf("%s.%s", name, param)
			c, err := op.captureFor(name, param, expr, target, v)
			if err != nil {
				return nil, fmt.Errorf("contract: journey step %d (%s): %w", i+1, op.ID, err)
			}
			if c.Pointer != "" || c.Var != "" {
				step.Captures = append(step.Captures, c)
			}
			linked[param] = v
		}
		steps = append(steps, step)
		op = target
	}
	j := loadrunner.Journey(fmt.Sprintf("links from %s", startID), baseURL, steps)
	if err := j.Validate(); err != nil {
		return nil, fmt.Errorf("contract: %w", err)
	}
	return j, nil
}

func (d *Document) operationByID(id string) (*Operation, error) {
	ops, err := d.Operations(ByID(id), IncludeDeprecated())
	if err != nil {
		return nil, err
	}
	return ops[0], nil
}

// link returns the named link (or the only one) of the operation's first
// 2xx response.
func (o *Operation) link(name string) (string, *openapi3.Link, error) {
	codes := o.op.Responses.Map()
	for _, code := range sortedKeys(codes) {
		if !strings.HasPrefix(code, "2") || codes[code].Value == nil {
			continue
		}
		links := codes[code].Value.Links
		if len(links) == 0 {
			continue
		}
		if name == "" {
			if len(links) != 1 {
				return "", nil, fmt.Errorf("response %s has %d links (%s): name the one to follow", code, len(links), strings.Join(sortedKeys(links), ", "))
			}
			name = sortedKeys(links)[0]
		}
		l, ok := links[name]
		if !ok || l.Value == nil {
			return "", nil, fmt.Errorf("response %s has no link %q (it has %s)", code, name, strings.Join(sortedKeys(links), ", "))
		}
		return name, l.Value, nil
	}
	return "", nil, fmt.Errorf("no 2xx response declares links")
}

// linkTarget resolves the operation a link points at.
func (d *Document) linkTarget(name string, l *openapi3.Link) (*Operation, error) {
	if l.OperationID == "" {
		return nil, fmt.Errorf("link %s: only operationId links are supported (operationRef %q is not)", name, l.OperationRef)
	}
	op, err := d.operationByID(l.OperationID)
	if err != nil {
		return nil, fmt.Errorf("link %s: %w", name, err)
	}
	return op, nil
}

// captureFor checks a link parameter's expression against this operation's
// response and the target's path, and returns the capture that evaluates it.
func (o *Operation) captureFor(link, param string, expr any, target *Operation, v string) (loadrunner.Capture, error) {
	if !slices.Contains(pathParamNames(target.Path), param) {
		return loadrunner.Capture{}, fmt.Errorf("link %s: parameter %s: only path parameters can be linked, and %s has no {%s}", link, param, target.Path, param)
	}
	s, ok := expr.(string)
	if !ok || !strings.HasPrefix(s, "$response.body#") {
		return loadrunner.Capture{}, fmt.Errorf("link %s: parameter %s: expression %v is not supported (use $response.body#/pointer)", link, param, expr)
	}
	pointer := strings.TrimPrefix(s, "$response.body#")
	if pointer != "" && !strings.HasPrefix(pointer, "/") {
		return loadrunner.Capture{}, fmt.Errorf("link %s: parameter %s: expression %s: the fragment must be a JSON pointer", link, param, s)
	}
	if schema := o.successSchema(); schema != nil && schema.Type.Is(openapi3.TypeArray) {
		first, _, _ := strings.Cut(strings.TrimPrefix(pointer, "/"), "/")
		if !isIndex(first) {
			return loadrunner.Capture{}, fmt.Errorf("link %s: parameter %s: expression %s points into an object, but the response of %s is an array", link, param, s, o.ID)
		}
	}
	return loadrunner.CaptureJSON(v, pointer), nil
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// successSchema is the JSON schema of the first 2xx response, if any.
func (o *Operation) successSchema() *openapi3.Schema {
	codes := o.op.Responses.Map()
	for _, code := range sortedKeys(codes) {
		r := codes[code]
		if !strings.HasPrefix(code, "2") || r.Value == nil {
			continue
		}
		if mt := r.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
			return mt.Schema.Value
		}
	}
	return nil
}

// journeyRequest generates the operation's request with the linked path
// parameters replaced by "{variable}" references.
func (o *Operation) journeyRequest(linked map[string]string, opts []Option) (loadrunner.Request, error) {
	pool, err := o.Pool(append(opts, WithPoolSize(1))...)
	if err != nil {
		return loadrunner.Request{}, err
	}
	req := pool.Requests[0]
	if len(linked) == 0 {
		return req, nil
	}
	u, err := url.Parse(req.URL)
	if err != nil {
		return loadrunner.Request{}, err
	}
	values, err := o.pathParams(u)
	if err != nil {
		return loadrunner.Request{}, err
	}
	path := templateVarRE.ReplaceAllStringFunc(o.Path, func(m string) string {
		name := m[1 : len(m)-1]
		if v, ok := linked[name]; ok {
			return "{" + v + "}"
		}
		return url.PathEscape(values[name])
	})
	req.URL = path
	if u.RawQuery != "" {
		req.URL += "?" + u.RawQuery
	}
	return req, nil
}

func pathParamNames(tmpl string) []string {
	var out []string
	for _, m := range templateVarRE.FindAllStringSubmatch(tmpl, -1) {
		out = append(out, m[1])
	}
	return out
}
