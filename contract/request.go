package contract

import (
	"context"
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/slaspec/slaspec/loadrunner"
)

// draft is one request being generated.
type draft struct {
	path       string
	query      url.Values
	header     http.Header
	cookies    []string
	body       []byte
	pathParams map[string]string
	sources    []sourceUse
}

// genMode says which sources one generation attempt may use.
type genMode struct {
	examples bool // the document's example, examples and defaults
	learned  bool // values learned by Discover
}

// generate builds request i of the pool from rng.
func (o *Operation) generate(c *config, rng *rand.Rand, i int, mode genMode) (loadrunner.Request, *draft, error) {
	if c.generator != nil {
		r, err := c.generator(i, rng)
		if err != nil {
			return r, nil, fmt.Errorf("generator: %w", err)
		}
		return r, nil, nil
	}
	d := &draft{path: o.Path, query: url.Values{}, header: http.Header{}, pathParams: map[string]string{}}
	g := newSynth(rng, mode.examples, o.doc.t.GetSchemaValidationOptions())
	for _, p := range o.parameters() {
		if err := o.param(c, g, d, p, i, mode.learned); err != nil {
			return loadrunner.Request{}, nil, fmt.Errorf("parameter %s in %s: %w", p.Name, p.In, err)
		}
	}
	if err := o.requestBody(c, g, d, i); err != nil {
		return loadrunner.Request{}, nil, err
	}
	if err := o.security(c, d); err != nil {
		return loadrunner.Request{}, nil, err
	}
	return d.request(o.Method, c.header), d, nil
}

// param generates and serializes one parameter into the draft: the user's
// pinned value, else (an optional parameter is left out of half the
// requests, of all with requiredOnly) a learned value, the document's
// example, or a value synthesized from the schema.
func (o *Operation) param(c *config, g *synth, d *draft, p *openapi3.Parameter, i int, learned bool) error {
	if p.In == openapi3.ParameterInHeader && ignoredHeaders[strings.ToLower(p.Name)] {
		return nil
	}
	var e encoded
	use := sourceUse{in: p.In, name: p.Name}
	if fn, ok := c.pinned(p.In, p.Name); ok {
		v := fn(g.rng)
		e = encoded{raw: v, query: url.Values{p.Name: {v}}}
		use.from, use.value = "pinned", v
	} else {
		if !p.Required && (c.requiredOnly || g.rng.IntN(2) == 0) {
			d.sources = append(d.sources, sourceUse{in: p.In, name: p.Name, from: "left out"})
			return nil
		}
		var ok bool
		if learned {
			e, use.from, use.value, ok = o.learnedValue(c, p, i)
		}
		if !ok {
			v, from, err := paramValue(g, p, i)
			if err != nil {
				return err
			}
			if e, err = encodeParam(p, v); err != nil {
				return err
			}
			use.from = from
		}
	}
	d.sources = append(d.sources, use)
	switch p.In {
	case openapi3.ParameterInPath:
		d.pathParams[p.Name] = e.raw
		d.path = strings.ReplaceAll(d.path, "{"+p.Name+"}", url.PathEscape(e.raw))
	case openapi3.ParameterInQuery:
		for k, vs := range e.query {
			d.query[k] = append(d.query[k], vs...)
		}
	case openapi3.ParameterInHeader:
		d.header.Set(p.Name, e.raw)
	case openapi3.ParameterInCookie:
		d.cookies = append(d.cookies, p.Name+"="+e.raw)
	}
	return nil
}

// paramValue takes the parameter's example or examples, else a value
// synthesized from its schema (never null: a parameter cannot carry one),
// and says which.
func paramValue(g *synth, p *openapi3.Parameter, i int) (any, string, error) {
	if g.examples {
		if p.Example != nil {
			return p.Example, "example", nil
		}
		if v, ok := pickExample(p.Examples, i); ok {
			return v, "example", nil
		}
	}
	schema := p.Schema
	if schema == nil {
		for _, k := range sortedKeys(p.Content) {
			schema = p.Content[k].Schema
			break
		}
	}
	for range maxAttempts {
		v, err := g.value(schema)
		if err != nil || !emptyParam(v) {
			return v, "schema", err
		}
	}
	return nil, "", fmt.Errorf("schema gave only null or empty values, which a parameter cannot carry: %w", errUnsatisfiable)
}

// emptyParam reports a value that serializes to nothing.
func emptyParam(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// pickExample returns example i (cycling) of a named examples map.
func pickExample(ex openapi3.Examples, i int) (any, bool) {
	keys := sortedKeys(ex)
	keys = slices.DeleteFunc(keys, func(k string) bool { return ex[k] == nil || ex[k].Value == nil || ex[k].Value.Value == nil })
	if len(keys) == 0 {
		return nil, false
	}
	return ex[keys[i%len(keys)]].Value.Value, true
}

// requestBody generates the body in the preferred media type.
func (o *Operation) requestBody(c *config, g *synth, d *draft, i int) error {
	rb := o.op.RequestBody
	if rb == nil || rb.Value == nil || len(rb.Value.Content) == 0 {
		return nil
	}
	key, mt, err := pickMedia(rb.Value.Content)
	if err != nil {
		if c.body == nil {
			return err
		}
		key, mt = sortedKeys(rb.Value.Content)[0], rb.Value.Content[sortedKeys(rb.Value.Content)[0]]
	}
	var v any
	switch {
	case c.body != nil:
		v, err = c.body(g.rng)
	case g.examples && mt.Example != nil:
		v = mt.Example
	default:
		var ok bool
		if v, ok = pickExample(mt.Examples, i); !ok || !g.examples {
			v, err = g.value(mt.Schema)
		}
	}
	if err != nil {
		return fmt.Errorf("request body %s: %w", key, err)
	}
	body, ct, err := encodeBody(g.rng, key, v)
	if err != nil {
		return fmt.Errorf("request body %s: %w", key, err)
	}
	d.body = body
	d.header.Set("Content-Type", ct)
	return nil
}

// security applies the user's credentials for the first security
// requirement they satisfy; a required scheme without credentials is an
// error naming what to give.
func (o *Operation) security(c *config, d *draft) error {
	reqs := o.doc.t.Security
	if o.op.Security != nil {
		reqs = *o.op.Security
	}
	if len(reqs) == 0 {
		return nil
	}
	for _, req := range reqs {
		if len(req) == 0 || o.applyRequirement(c, d, req) {
			return nil
		}
	}
	return o.credentialsError(reqs)
}

// applyRequirement applies every scheme of one requirement, or none when a
// credential is missing.
func (o *Operation) applyRequirement(c *config, d *draft, req openapi3.SecurityRequirement) bool {
	type cred struct {
		s     *openapi3.SecurityScheme
		value string
	}
	var creds []cred
	for _, name := range sortedKeys(req) {
		ref := o.doc.t.Components.SecuritySchemes[name]
		if ref == nil || ref.Value == nil {
			return false
		}
		v, ok := credential(c, name, ref.Value)
		if !ok {
			return false
		}
		creds = append(creds, cred{ref.Value, v})
	}
	for _, cr := range creds {
		applyCredential(d, cr.s, cr.value)
	}
	return true
}

// credential finds the user's credential for a scheme.
func credential(c *config, name string, s *openapi3.SecurityScheme) (string, bool) {
	if v, ok := c.creds[name]; ok {
		return v, true
	}
	key, known := map[string]string{CredentialAPIKey: "type:apiKey", CredentialBasic: "type:basic", CredentialBearer: "type:bearer"}[schemeKind(s)]
	if !known {
		return "", false
	}
	v, ok := c.creds[key]
	return v, ok
}

// applyCredential puts a credential where the scheme says.
func applyCredential(d *draft, s *openapi3.SecurityScheme, v string) {
	switch {
	case s.Type == "apiKey" && s.In == "query":
		d.query.Set(s.Name, v)
	case s.Type == "apiKey" && s.In == "cookie":
		d.cookies = append(d.cookies, s.Name+"="+v)
	case s.Type == "apiKey":
		d.header.Set(s.Name, v)
	case s.Type == "http" && strings.EqualFold(s.Scheme, "basic"):
		d.header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(v)))
	default:
		d.header.Set("Authorization", "Bearer "+v)
	}
}

// request renders the draft as a loadrunner request (URL relative).
func (d *draft) request(method string, extra http.Header) loadrunner.Request {
	u := d.path
	if len(d.query) > 0 {
		u += "?" + d.query.Encode()
	}
	h := d.header.Clone()
	for k, vs := range extra {
		h[k] = append(h[k], vs...)
	}
	if len(d.cookies) > 0 {
		h.Set("Cookie", strings.Join(d.cookies, "; "))
	}
	return loadrunner.Request{Method: method, URL: u, Header: h, Body: d.body}
}

// httpRequest turns a pool request into an *http.Request for validation.
func httpRequest(ctx context.Context, r loadrunner.Request) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, r.Method, "http://contract.invalid"+r.URL, strings.NewReader(string(r.Body)))
	if err != nil {
		return nil, err
	}
	req.Header = r.Header.Clone()
	if req.Header == nil {
		req.Header = http.Header{}
	}
	return req, nil
}
