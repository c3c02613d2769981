package contract

import (
	"fmt"
	"math/rand/v2"
	"net/http"

	"github.com/slaspec/slaspec/loadrunner"
)

// DefaultPoolSize is the number of distinct requests generated per
// operation unless WithPoolSize says otherwise.
const DefaultPoolSize = 32

// MaxPoolSize bounds WithPoolSize.
const MaxPoolSize = 1 << 16

// Option configures request generation (Operation.Pool) and targets
// (Operation.Target).
type Option interface{ apply(*config) }

type optionFunc func(*config)

func (f optionFunc) apply(c *config) { f(c) }

// paramKey names a parameter by location and name.
type paramKey struct{ in, name string }

// config is what Options set; defaults are built in newConfig.
type config struct {
	seed      uint64
	poolSize  int
	examples  bool
	params    map[paramKey]func(*rand.Rand) string
	body      func(*rand.Rand) (any, error)
	generator func(i int, rng *rand.Rand) (loadrunner.Request, error)
	header    http.Header
	hook      func(*loadrunner.Request) error
	creds     map[string]string // by scheme name, or by "type:" key
	pool      *Pool
	findings  *Findings
	coverage  *CoverageCounter
	learned   map[string]*Learned // by operation ID
	// requiredOnly leaves every optional parameter out (discovery's lists).
	requiredOnly bool
	noDiscovery  bool
	safety       loadrunner.Safety
	perOp        map[string][]Option
	sampling     Sampling
	maxBody      int64
	httpOpts     []loadrunner.HTTPOption
	err          error
}

// newConfig applies opts over the defaults.
func newConfig(opts []Option) *config {
	c := &config{
		seed: 1, poolSize: DefaultPoolSize, examples: true, params: map[paramKey]func(*rand.Rand) string{},
		header: http.Header{}, creds: map[string]string{}, maxBody: loadrunner.DefaultMaxBody,
		learned: map[string]*Learned{},
	}
	for _, o := range opts {
		o.apply(c)
	}
	return c
}

// config applies opts over the defaults, then the options given for this
// operation with ForOperation.
func (o *Operation) config(opts []Option) *config {
	c := newConfig(opts)
	for _, opt := range c.perOp[o.ID] {
		opt.apply(c)
	}
	return c
}

// ForOperation applies opts only to the operation with operationId id (or
// "METHOD /path"), so that one list of options can pin one operation's
// parameters: ForOperation("getPetById", WithParam("path", "petId", "1000")).
func ForOperation(id string, opts ...Option) Option {
	return optionFunc(func(c *config) {
		if c.perOp == nil {
			c.perOp = map[string][]Option{}
		}
		c.perOp[id] = append(c.perOp[id], opts...)
	})
}

// WithoutDiscovery turns Discover off: it sends nothing and learns nothing.
func WithoutDiscovery() Option { return optionFunc(func(c *config) { c.noDiscovery = true }) }

// WithSafety sets the safety guard Discover's requests pass
// (loadrunner.CheckHosts): a host outside s.AllowHosts is refused. The CLI
// and the Ginkgo plugin give the allow-list of SLASPEC_ALLOW_HOSTS; the
// load itself is guarded by the options given to the run.
func WithSafety(s loadrunner.Safety) Option { return optionFunc(func(c *config) { c.safety = s }) }

// WithSeed sets the seed requests are generated from (default 1). The same
// document, seed and options give byte-identical requests.
func WithSeed(seed uint64) Option { return optionFunc(func(c *config) { c.seed = seed }) }

// WithPoolSize sets the number of distinct requests generated per operation
// (default DefaultPoolSize, at most MaxPoolSize).
func WithPoolSize(n int) Option {
	return optionFunc(func(c *config) {
		if n <= 0 || n > MaxPoolSize {
			c.err = fmt.Errorf("pool size %d: want 1..%d", n, MaxPoolSize)
			return
		}
		c.poolSize = n
	})
}

// WithoutExamples synthesizes every value from its schema, ignoring the
// document's example, examples and default values.
func WithoutExamples() Option { return optionFunc(func(c *config) { c.examples = false }) }

// WithParam fixes the value of the parameter name in "path", "query",
// "header" or "cookie" ("" for whichever has that name), as it is sent
// (already serialized). A pinned parameter is not discovered.
func WithParam(in, name, value string) Option {
	return WithParamFunc(in, name, func(*rand.Rand) string { return value })
}

// WithParamFunc generates the serialized value of a parameter with fn, which
// gets the request's random source.
func WithParamFunc(in, name string, fn func(rng *rand.Rand) string) Option {
	return optionFunc(func(c *config) { c.params[paramKey{in, name}] = fn })
}

// pinned returns the user's generator for a parameter, by location and
// name or by name alone.
func (c *config) pinned(in, name string) (func(*rand.Rand) string, bool) {
	if fn, ok := c.params[paramKey{in, name}]; ok {
		return fn, true
	}
	fn, ok := c.params[paramKey{"", name}]
	return fn, ok
}

// WithBody fixes the request body value (encoded for the chosen media type).
func WithBody(v any) Option {
	return WithBodyFunc(func(*rand.Rand) (any, error) { return v, nil })
}

// WithBodyFunc generates the request body value with fn.
func WithBodyFunc(fn func(rng *rand.Rand) (any, error)) Option {
	return optionFunc(func(c *config) { c.body = fn })
}

// WithGenerator replaces generation: fn returns pool request i (its URL a
// path relative to the target's base URL). Requests are still validated.
func WithGenerator(fn func(i int, rng *rand.Rand) (loadrunner.Request, error)) Option {
	return optionFunc(func(c *config) { c.generator = fn })
}

// WithHeader adds a header to every generated request.
func WithHeader(key, value string) Option {
	return optionFunc(func(c *config) { c.header.Add(key, value) })
}

// WithRequestHook lets fn change every generated request before it is
// validated and pooled.
func WithRequestHook(fn func(*loadrunner.Request) error) Option {
	return optionFunc(func(c *config) { c.hook = fn })
}

// WithBearer gives the token for HTTP bearer, OAuth2 and OpenID Connect
// security schemes.
func WithBearer(token string) Option {
	return optionFunc(func(c *config) { c.creds["type:bearer"] = token })
}

// WithAPIKey gives the key for API-key security schemes (header, query or
// cookie, as each scheme says).
func WithAPIKey(key string) Option {
	return optionFunc(func(c *config) { c.creds["type:apiKey"] = key })
}

// WithBasic gives the user and password for HTTP basic security schemes.
func WithBasic(user, password string) Option {
	return optionFunc(func(c *config) { c.creds["type:basic"] = user + ":" + password })
}

// WithSchemeCredential gives the credential of one named security scheme:
// the key of an API-key scheme, the token of a bearer, OAuth2 or OpenID
// Connect scheme, or "user:password" for basic.
func WithSchemeCredential(scheme, value string) Option {
	return optionFunc(func(c *config) { c.creds[scheme] = value })
}

// WithPool makes Target send the requests of a pool built by Operation.Pool.
func WithPool(p *Pool) Option { return optionFunc(func(c *config) { c.pool = p }) }

// WithFindings makes the target's checker fill f instead of the operation's
// own collector.
func WithFindings(f *Findings) Option { return optionFunc(func(c *config) { c.findings = f }) }

// WithCoverage makes the target count every response, by status and content
// type, in c (see Coverage).
func WithCoverage(c *CoverageCounter) Option {
	return optionFunc(func(cfg *config) { cfg.coverage = c })
}

// WithSampling sets the response sampling policy (default: check all).
func WithSampling(s Sampling) Option { return optionFunc(func(c *config) { c.sampling = s }) }

// WithMaxBody bounds the response body read and checked (default
// loadrunner.DefaultMaxBody); a larger body fails the request.
func WithMaxBody(n int64) Option { return optionFunc(func(c *config) { c.maxBody = n }) }

// WithHTTPOptions passes options on to loadrunner.HTTP (a client, headers).
func WithHTTPOptions(opts ...loadrunner.HTTPOption) Option {
	return optionFunc(func(c *config) { c.httpOpts = append(c.httpOpts, opts...) })
}
