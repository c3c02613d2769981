package contract

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// Bounds of value synthesis.
const (
	// maxDepth is the nesting depth past which optional properties and
	// array items are left out, so recursive schemas stay finite.
	maxDepth = 4
	// hardDepth is the depth at which synthesis gives up: a recursive
	// schema whose required properties never end.
	hardDepth = 24
	// maxAttempts bounds the retries of a value that must also pass a
	// check (oneOf exactly one, not, uniqueItems, pattern with lengths).
	maxAttempts = 24
	// defaultMaxItems caps arrays whose maxItems is unset or large.
	defaultMaxItems = 3
	// maxNodes bounds the schema nodes one value may visit, retries and
	// nested alternatives included, so a hostile or pathological schema
	// (oneOf in oneOf in oneOf, each retried) cannot take unbounded time.
	maxNodes = 50_000
)

// Errors that retrying with another random source cannot fix.
var (
	// errUnsatisfiable marks a schema no value was found for.
	errUnsatisfiable = errors.New("unsatisfiable")
	// errNoCredentials marks a security requirement the user gave no
	// credentials for.
	errNoCredentials = fmt.Errorf("no credentials: %w", errUnsatisfiable)
	// errXMLOnly marks a request body declared only in XML.
	errXMLOnly = fmt.Errorf("xml only: %w", errUnsatisfiable)
)

// synth synthesizes JSON values from schemas, deterministically from its rng.
type synth struct {
	rng      *rand.Rand
	examples bool // take example, examples and default before synthesizing
	request  bool // leave readOnly properties out (writeOnly for responses)
	opts     []openapi3.SchemaValidationOption
	patterns map[string]*patternGen
	nodes    int // nodes visited for the current value
}

// newSynth returns a synthesizer for request values of a document.
func newSynth(rng *rand.Rand, examples bool, opts []openapi3.SchemaValidationOption) *synth {
	return &synth{rng: rng, examples: examples, request: true, opts: opts, patterns: map[string]*patternGen{}}
}

// value returns a value valid against ref, checked with VisitJSON and retried
// a bounded number of times.
func (g *synth) value(ref *openapi3.SchemaRef) (any, error) {
	if ref == nil || ref.Value == nil {
		return genWord(g.rng, 1, 8), nil
	}
	var last error
	g.nodes = 0
	for range maxAttempts {
		v, err := g.gen(ref.Value, 0)
		if err != nil {
			return nil, err
		}
		if last = g.check(ref.Value, v); last == nil {
			return v, nil
		}
	}
	return nil, fmt.Errorf("no valid value found in %d attempts: %w", maxAttempts, last)
}

// check validates v against s as a request value.
func (g *synth) check(s *openapi3.Schema, v any) error {
	return s.VisitJSON(v, append(g.opts, openapi3.VisitAsRequest(), openapi3.MultiErrors())...)
}

// gen synthesizes one candidate value for s at depth.
func (g *synth) gen(s *openapi3.Schema, depth int) (any, error) {
	if depth > hardDepth {
		return nil, fmt.Errorf("schema recursion deeper than %d levels: %w", hardDepth, errUnsatisfiable)
	}
	if g.nodes++; g.nodes > maxNodes {
		return nil, fmt.Errorf("the schema needs more than %d synthesis steps for one value: %w", maxNodes, errUnsatisfiable)
	}
	if s.Always != nil {
		if !*s.Always {
			return nil, fmt.Errorf("schema false accepts no value: %w", errUnsatisfiable)
		}
		return genWord(g.rng, 1, 8), nil
	}
	if v, ok := g.given(s); ok {
		return v, nil
	}
	switch {
	case s.Const != nil:
		return s.Const, nil
	case len(s.Enum) > 0:
		return s.Enum[g.rng.IntN(len(s.Enum))], nil
	case len(s.AllOf) > 0:
		return g.gen(mergeAllOf(s), depth)
	case len(s.OneOf) > 0 || len(s.AnyOf) > 0:
		return g.composite(s, depth)
	case s.Not != nil:
		return g.notValue(s, depth)
	}
	if nullable(s) && g.rng.IntN(8) == 0 {
		return nil, nil
	}
	return g.typed(s, g.pickType(s), depth)
}

// given returns the schema's example, one of its examples or its default,
// when examples are taken first.
func (g *synth) given(s *openapi3.Schema) (any, bool) {
	if !g.examples {
		return nil, false
	}
	switch {
	case s.Example != nil:
		return s.Example, true
	case len(s.Examples) > 0:
		return s.Examples[g.rng.IntN(len(s.Examples))], true
	case s.Default != nil:
		return s.Default, true
	}
	return nil, false
}

// nullable reports whether s admits null.
func nullable(s *openapi3.Schema) bool { return s.Nullable || s.Type.IncludesNull() }

// pickType chooses one JSON type s admits.
func (g *synth) pickType(s *openapi3.Schema) string {
	var types []string
	for _, t := range s.Type.Slice() {
		if t != openapi3.TypeNull {
			types = append(types, t)
		}
	}
	switch {
	case len(types) > 0:
		return types[g.rng.IntN(len(types))]
	case s.Type.IncludesNull():
		return openapi3.TypeNull
	case len(s.Properties) > 0 || len(s.Required) > 0 || s.AdditionalProperties.Schema != nil:
		return openapi3.TypeObject
	case s.Items != nil:
		return openapi3.TypeArray
	case s.Min != nil || s.Max != nil || s.MultipleOf != nil:
		return openapi3.TypeNumber
	}
	return openapi3.TypeString
}

// typed synthesizes a value of one JSON type.
func (g *synth) typed(s *openapi3.Schema, typ string, depth int) (any, error) {
	switch typ {
	case openapi3.TypeNull:
		return nil, nil
	case openapi3.TypeBoolean:
		return g.rng.IntN(2) == 0, nil
	case openapi3.TypeInteger:
		return g.number(s, true)
	case openapi3.TypeNumber:
		return g.number(s, false)
	case openapi3.TypeString:
		return g.str(s)
	case openapi3.TypeArray:
		return g.array(s, depth)
	case openapi3.TypeObject:
		return g.object(s, depth)
	}
	return nil, fmt.Errorf("unknown type %q", typ)
}

// composite synthesizes a value for oneOf or anyOf: one branch (chosen by
// the discriminator mapping when there is one) merged with the schema's
// other keywords; for oneOf the value must match exactly one branch.
func (g *synth) composite(s *openapi3.Schema, depth int) (any, error) {
	branches, one := s.AnyOf, false
	if len(s.OneOf) > 0 {
		branches, one = s.OneOf, true
	}
	base := *s
	base.OneOf, base.AnyOf = nil, nil
	var last error
	for range maxAttempts {
		i := g.rng.IntN(len(branches))
		b := branches[i]
		if b == nil || b.Value == nil {
			continue
		}
		merged := mergeAllOf(&openapi3.Schema{AllOf: openapi3.SchemaRefs{{Value: &base}, b}})
		v, err := g.gen(merged, depth+1)
		if err != nil {
			last = err
			continue
		}
		v = g.discriminate(s, b, v)
		if !one || g.matchCount(branches, v) == 1 {
			return v, nil
		}
		last = fmt.Errorf("value matched several oneOf branches: %w", errUnsatisfiable)
	}
	if last == nil {
		last = errUnsatisfiable
	}
	return nil, fmt.Errorf("oneOf/anyOf: %w", last)
}

// discriminate sets the discriminator property of an object value to the
// name the discriminator gives branch b.
func (g *synth) discriminate(s *openapi3.Schema, b *openapi3.SchemaRef, v any) any {
	d := s.Discriminator
	obj, ok := v.(map[string]any)
	if d == nil || !ok || d.PropertyName == "" {
		return v
	}
	name := ""
	for _, k := range sortedKeys(d.Mapping) {
		if ref := d.Mapping[k]; ref.Ref == b.Ref || (ref.Value != nil && ref.Value == b.Value) {
			name = k
			break
		}
	}
	if name == "" && b.Ref != "" {
		name = b.Ref[strings.LastIndex(b.Ref, "/")+1:]
	}
	if name != "" {
		obj[d.PropertyName] = name
	}
	return obj
}

// matchCount counts the branches v is valid against.
func (g *synth) matchCount(branches openapi3.SchemaRefs, v any) int {
	n := 0
	for _, b := range branches {
		if b != nil && b.Value != nil && g.check(b.Value, v) == nil {
			n++
		}
	}
	return n
}

// notValue synthesizes a value for s that its not-schema rejects.
func (g *synth) notValue(s *openapi3.Schema, depth int) (any, error) {
	base := *s
	base.Not = nil
	for range maxAttempts {
		v, err := g.gen(&base, depth)
		if err != nil {
			return nil, err
		}
		if s.Not.Value == nil || g.check(s.Not.Value, v) != nil {
			return v, nil
		}
	}
	return nil, fmt.Errorf("not: every candidate matched the excluded schema: %w", errUnsatisfiable)
}

// sortedKeys returns a map's keys in order, so synthesis is deterministic.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
