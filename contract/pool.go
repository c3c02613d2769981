package contract

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/slaspec/slaspec/loadrunner"
)

// Pool is the set of requests generated for one operation, built once and
// cycled through by a run. Request i is reproducible from the seed alone
// (its random source is derived from the seed, the operation and i).
type Pool struct {
	// Seed is the seed the pool was generated from.
	Seed uint64 `json:"seed"`
	// Fingerprint is the hex SHA-256 of every request's method, URL,
	// headers (sorted) and body, in order: equal fingerprints mean
	// byte-identical pools.
	Fingerprint string `json:"fingerprint"`
	// Sources say where each parameter's values came from.
	Sources []ParamSource `json:"sources,omitempty"`
	// Requests are the generated requests, URLs relative to a base URL.
	Requests []loadrunner.Request `json:"-"`
}

// Pool generates the operation's request pool: each request from the
// user's overrides, the document's examples and defaults, or values
// synthesized from the schemas, and each validated against the document
// with openapi3filter.ValidateRequest. An operation whose requests cannot
// be generated gives an *OperationError with the reason.
func (o *Operation) Pool(opts ...Option) (*Pool, error) {
	c := o.config(opts)
	if c.err != nil {
		return nil, o.errorf("%w", c.err)
	}
	return o.pool(c)
}

// pool builds the pool for a config.
func (o *Operation) pool(c *config) (*Pool, error) {
	p := &Pool{Seed: c.seed, Requests: make([]loadrunner.Request, 0, c.poolSize)}
	for i := range c.poolSize {
		r, uses, err := o.poolRequest(c, i)
		if err != nil {
			return nil, o.errorf("request %d (seed %d): %w", i, c.seed, o.redactErr(c, err))
		}
		p.Requests = append(p.Requests, r)
		p.Sources = addSources(p.Sources, uses)
	}
	o.redactSources(c, p.Sources)
	p.Fingerprint = fingerprint(p.Requests)
	return p, nil
}

// poolRequest generates and validates request i, falling back from the
// document's examples, then from learned values, to synthesized values when
// a request made with them is invalid. It returns where each parameter's
// value came from.
func (o *Operation) poolRequest(c *config, i int) (loadrunner.Request, []sourceUse, error) {
	var last error
	for attempt := range 3 {
		mode := genMode{examples: c.examples && attempt == 0, learned: attempt < 2}
		rng := o.rng(c.seed, i, attempt)
		r, d, err := o.generate(c, rng, i, mode)
		if err == nil && c.hook != nil {
			err = c.hook(&r)
		}
		if err == nil {
			if err = o.ValidateRequest(r); err == nil {
				if d == nil {
					return r, nil, nil
				}
				return r, d.sources, nil
			}
			err = fmt.Errorf("generated request is invalid: %w", err)
		}
		if errors.Is(err, errUnsatisfiable) || c.generator != nil {
			return r, nil, err
		}
		last = err
	}
	return loadrunner.Request{}, nil, last
}

// rng returns the random source of request i of an operation.
func (o *Operation) rng(seed uint64, i, attempt int) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(o.Method + " " + o.Path))
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(i))
	binary.LittleEndian.PutUint64(b[8:], uint64(attempt))
	h.Write(b[:])
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// ValidateRequest checks one request (URL relative to the server's base)
// against the operation with openapi3filter.ValidateRequest, using a route
// built for the operation directly (so the document's servers do not
// matter) and without writing defaults into it.
func (o *Operation) ValidateRequest(r loadrunner.Request) error {
	req, err := httpRequest(context.Background(), r)
	if err != nil {
		return err
	}
	params, err := o.pathParams(req.URL)
	if err != nil {
		return err
	}
	input := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      &routers.Route{Spec: o.doc.t, Path: o.Path, PathItem: o.item, Method: o.Method, Operation: o.op},
		Options: &openapi3filter.Options{
			SkipSettingDefaults: true, MultiError: true,
			AuthenticationFunc:      openapi3filter.NoopAuthenticationFunc,
			SchemaValidationOptions: o.doc.t.GetSchemaValidationOptions(),
		},
	}
	return openapi3filter.ValidateRequest(context.Background(), input)
}

// pathParams extracts the path parameters of u by the path template.
func (o *Operation) pathParams(u *url.URL) (map[string]string, error) {
	re, names := pathRegexp(o.Path)
	m := re.FindStringSubmatch(u.EscapedPath())
	if m == nil {
		return nil, fmt.Errorf("url path %q does not match %s", u.EscapedPath(), o.Path)
	}
	out := make(map[string]string, len(names))
	for i, n := range names {
		v, err := url.PathUnescape(m[i+1])
		if err != nil {
			return nil, fmt.Errorf("path parameter %s: %w", n, err)
		}
		out[n] = v
	}
	return out, nil
}

// templateVarRE finds {name} in a path template.
var templateVarRE = regexp.MustCompile(`\{([^{}/]+)\}`)

// pathRegexp compiles a path template to a regexp with one group per
// parameter.
func pathRegexp(tmpl string) (*regexp.Regexp, []string) {
	var b strings.Builder
	var names []string
	last := 0
	b.WriteString("^")
	for _, m := range templateVarRE.FindAllStringSubmatchIndex(tmpl, -1) {
		b.WriteString(regexp.QuoteMeta(tmpl[last:m[0]]))
		b.WriteString("([^/]*)")
		names = append(names, tmpl[m[2]:m[3]])
		last = m[1]
	}
	b.WriteString(regexp.QuoteMeta(tmpl[last:]) + "$")
	return regexp.MustCompile(b.String()), names
}

// fingerprint hashes requests in order.
func fingerprint(reqs []loadrunner.Request) string {
	h := sha256.New()
	var n [8]byte
	field := func(s []byte) {
		binary.LittleEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write(s)
	}
	for _, r := range reqs {
		field([]byte(r.Method))
		field([]byte(r.URL))
		keys := make([]string, 0, len(r.Header))
		for k := range r.Header {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			field([]byte(k + ": " + strings.Join(r.Header[k], ", ")))
		}
		field(r.Body)
	}
	return hex.EncodeToString(h.Sum(nil))
}
