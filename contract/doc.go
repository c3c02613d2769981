// Package contract turns an OpenAPI document into load for each of its
// operations: it loads and validates the document, selects operations,
// generates valid requests from the schemas, checks every response against
// the contract under load, and resolves each operation's SLA.
//
//	doc, err := contract.Load("openapi.yaml")
//	ops, err := doc.Operations(contract.ByTag("pets"))
//	for _, op := range ops {
//		spec := op.Resolve(contract.LoadSpec{}, suiteDefault) // user → x-sla → top-level x-sla → suite
//		pool, err := op.Pool(contract.WithSeed(seed), contract.WithBearer(token))
//		target, err := op.Target(url, contract.WithPool(pool))
//		res, err := loadrunner.Run(ctx, spec.Plan(), target)
//		findings := op.Findings().List()                    // contract violations, deduplicated
//	}
//
// # Documents
//
// OpenAPI 3.0.x and 3.1.x, YAML or JSON (pretty or minified: a JSON
// syntax error names its byte offset, line and column), with $refs inside
// the document and to local files relative to it (remote references are
// refused). Swagger 2.0 documents are converted to OpenAPI 3.0 by
// kin-openapi's openapi2conv; Document.Notes says so and what the
// conversion cannot carry (host and basePath become servers, collectionFormat
// tsv and that of path and header parameters, responses without produces
// taken as JSON). LoadURL fetches a document from the service itself
// (loopback, or hosts named with WithAllowedHosts; bounded size, timeout,
// redirects only on its host). The document is validated by kin-openapi
// first; errors name the path, operation and field. A document with no
// operations, a version other than 3.0/3.1/Swagger 2.0 or a server URL
// variable without a default is rejected with a clear error.
//
// Not supported (kin-openapi v0.153.0 limits, or not generated here):
// webhooks and callbacks are not loaded as operations; for 3.1, $dynamicRef,
// unevaluatedProperties/unevaluatedItems, if/then/else, dependentSchemas,
// patternProperties, propertyNames and contains are enforced when checking
// responses (through kin-openapi's JSON Schema 2020-12 validator, which
// compiles on every call, about 0.3 ms each) but not used when synthesizing
// requests (a request that misses them fails validation and is reported);
// XML bodies are neither generated nor checked (an XML-only request body is
// a clear error); only JSON response bodies are checked against their
// schema; patterns are Go RE2 syntax, so look-arounds and backreferences
// are rejected by kin-openapi's validation and cannot be generated.
//
// # x-sla
//
// On an operation or at the top level, exactly
// {rate: 200, duration: 20s, warmup: 2s, budget: "p99<150ms, errors<0.1%"}:
// all keys optional, durations in Go syntax, the budget in the matchers
// grammar (validated at load time); an unknown key is an error naming its
// location (paths./pets.get.x-sla.p99).
//
// # Requests
//
// Each request of an operation's pool comes from, in order: the user's
// override (WithParam, WithBody, WithGenerator), the document's example or
// examples, the default, or a value synthesized from the schema. Synthesis
// covers every JSON type, enum, const, minimum/maximum (exclusive too),
// multipleOf, string lengths, pattern (strings generated from the regexp's
// syntax tree), the formats uuid, date, date-time, email, uri, hostname,
// ipv4, ipv6, byte and binary, arrays (min/max items, uniqueItems), objects
// (required, additionalProperties, min/max properties), nullable,
// allOf/oneOf/anyOf/not, discriminators; readOnly properties are left out
// and recursion is bounded. Path, query, header and cookie parameters are
// serialized by their style; bodies are JSON, form or multipart. Request i
// is a pure function of the seed, the operation and i; the pool's SHA-256
// fingerprint identifies it. Every request is checked with
// openapi3filter.ValidateRequest (defaults not written, route built for the
// operation directly so the document's servers do not matter). Security
// schemes (bearer, OAuth2, OpenID Connect, API key in header, query or
// cookie, basic) take credentials only from the user.
//
// # Base path
//
// A document's servers are never used to send: the base URL given to
// Target, Prepare and Discover is the full base each operation's path is
// appended to, path included (http://host:8080/v3 sends GET /pets to
// /v3/pets). Document.ServersPath names the servers' path, which the
// coverage verdict and NotFoundAdvice quote when nearly every response is
// a 404.
//
// # Learned values
//
// Operation.Discover sends a few requests before a run to learn values
// for path and query parameters from the service's own responses: declared
// links first, then the list operation of the same collection (GET /pets
// for /pets/{id}; the items' field id, petId or pet_id), then, when the
// list is empty, the create operation (its body's field or Location
// header). WithLearned feeds them to the pool, after pinned values and
// before examples; Pool.Sources says where every parameter's values came
// from.
//
// # Responses
//
// The checker validates the status (declared, NXX or default), the content
// type, the JSON body (even when the content type is wrong, reporting both)
// and required headers. Messages name the operation, status and JSON
// pointer and never the offending value. Violations are counted in a
// bounded Findings, deduplicated per kind. A Sampling policy (every non-2xx,
// the first N, then a fraction) bounds the cost at high rates; Findings
// counts what was checked and the time spent checking. A CoverageCounter
// counts every response by status and content type, and Judge makes an
// operation whose documented 2xx was never observed inconclusive.
package contract
