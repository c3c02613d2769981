package contract

import (
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// number synthesizes a number (or integer) within the schema's bounds and
// a multiple of its multipleOf.
func (g *synth) number(s *openapi3.Schema, integer bool) (any, error) {
	lo, hi, loEx, hiEx := bounds(s)
	if integer {
		lo, hi = intBounds(s, lo, hi, loEx, hiEx)
		loEx, hiEx = false, false
	}
	if lo > hi || (lo == hi && (loEx || hiEx)) {
		return nil, fmt.Errorf("number bounds [%g, %g] are empty: %w", lo, hi, errUnsatisfiable)
	}
	if m := s.MultipleOf; m != nil && *m > 0 {
		return g.multiple(lo, hi, loEx, hiEx, *m, integer)
	}
	if integer {
		return lo + float64(g.rng.Int64N(int64(hi-lo)+1)), nil
	}
	v := lo + g.rng.Float64()*(hi-lo)
	if r := math.Round(v*100) / 100; r > lo && r < hi {
		v = r
	}
	if (loEx && v <= lo) || (hiEx && v >= hi) {
		v = lo + (hi-lo)/2
	}
	return v, nil
}

// bounds returns the schema's numeric range, defaulting the open side to a
// window of 1000 from the other bound (or [0, 1000]).
func bounds(s *openapi3.Schema) (lo, hi float64, loEx, hiEx bool) {
	hasLo, hasHi := s.Min != nil, s.Max != nil
	if hasLo {
		lo, loEx = *s.Min, s.ExclusiveMin.IsTrue()
	}
	if hasHi {
		hi, hiEx = *s.Max, s.ExclusiveMax.IsTrue()
	}
	if v := s.ExclusiveMin.Value; v != nil && (!hasLo || *v >= lo) {
		lo, loEx, hasLo = *v, true, true
	}
	if v := s.ExclusiveMax.Value; v != nil && (!hasHi || *v <= hi) {
		hi, hiEx, hasHi = *v, true, true
	}
	switch {
	case !hasLo && !hasHi:
		lo, hi = 0, 1000
	case !hasLo:
		lo = hi - 1000
	case !hasHi:
		hi = lo + 1000
	}
	return lo, hi, loEx, hiEx
}

// intBounds narrows a range to integers, also by the integer format.
func intBounds(s *openapi3.Schema, lo, hi float64, loEx, hiEx bool) (float64, float64) {
	l, h := math.Ceil(lo), math.Floor(hi)
	if loEx && l == lo {
		l++
	}
	if hiEx && h == hi {
		h--
	}
	if s.Format == "int32" {
		l, h = max(l, math.MinInt32), min(h, math.MaxInt32)
	}
	return max(l, -1<<53), min(h, 1<<53)
}

// multiple picks k·m within the range; for integers k·m must be whole.
func (g *synth) multiple(lo, hi float64, loEx, hiEx bool, m float64, integer bool) (any, error) {
	kLo, kHi := math.Ceil(lo/m), math.Floor(hi/m)
	if loEx && kLo*m <= lo {
		kLo++
	}
	if hiEx && kHi*m >= hi {
		kHi--
	}
	if kLo > kHi || kHi-kLo > 1<<53 {
		return nil, fmt.Errorf("no multiple of %g in [%g, %g]: %w", m, lo, hi, errUnsatisfiable)
	}
	for range maxAttempts {
		k := kLo + float64(g.rng.Int64N(int64(min(kHi-kLo, 1<<40))+1))
		v := k * m
		if !integer || v == math.Trunc(v) {
			return v, nil
		}
	}
	return nil, fmt.Errorf("no whole multiple of %g found in [%g, %g]: %w", m, lo, hi, errUnsatisfiable)
}

// str synthesizes a string of the schema's format or pattern within its
// length bounds.
func (g *synth) str(s *openapi3.Schema) (any, error) {
	minLen := int(min(s.MinLength, 1<<16))
	maxLen := minLen + 64
	if s.MaxLength != nil {
		maxLen = int(min(*s.MaxLength, uint64(minLen+64)))
	}
	if minLen > maxLen {
		return nil, fmt.Errorf("string lengths %d..%d are empty: %w", minLen, maxLen, errUnsatisfiable)
	}
	for range maxAttempts {
		v, err := g.strCandidate(s, minLen, maxLen)
		if err != nil {
			return nil, err
		}
		if n := utf8.RuneCountInString(v); n >= minLen && n <= maxLen {
			return v, nil
		}
		if s.Pattern == "" && !formatFixed(s.Format) {
			return fitLength(v, minLen, maxLen), nil
		}
	}
	return nil, fmt.Errorf("no string of length %d..%d found for format %q pattern %q: %w", minLen, maxLen, s.Format, s.Pattern, errUnsatisfiable)
}

// strCandidate generates one string from the pattern, format or letters.
func (g *synth) strCandidate(s *openapi3.Schema, minLen, maxLen int) (string, error) {
	if s.Pattern != "" {
		p, ok := g.patterns[s.Pattern]
		if !ok {
			var err error
			if p, err = newPatternGen(s.Pattern); err != nil {
				return "", err
			}
			g.patterns[s.Pattern] = p
		}
		return p.generate(g.rng)
	}
	if v, ok := genFormat(g.rng, s.Format); ok {
		return v, nil
	}
	return genWord(g.rng, max(minLen, min(1, maxLen)), min(maxLen, max(minLen, 1)+8)), nil
}

// fitLength pads or cuts a free-form string to the length bounds.
func fitLength(v string, minLen, maxLen int) string {
	r := []rune(v)
	for len(r) < minLen {
		r = append(r, 'x')
	}
	if len(r) > maxLen {
		r = r[:maxLen]
	}
	return string(r)
}

// array synthesizes an array within the item bounds, unique when asked.
func (g *synth) array(s *openapi3.Schema, depth int) (any, error) {
	lo := int(min(s.MinItems, 1<<10))
	hi := max(lo, defaultMaxItems)
	if s.MaxItems != nil {
		hi = int(min(*s.MaxItems, uint64(hi)))
	}
	if depth >= maxDepth {
		hi = lo
	}
	if lo > hi {
		return nil, fmt.Errorf("array items %d..%d are empty: %w", lo, hi, errUnsatisfiable)
	}
	n := lo + g.rng.IntN(hi-lo+1)
	out := make([]any, 0, n)
	seen := map[string]bool{}
	for tries := 0; len(out) < n; tries++ {
		if tries > n*maxAttempts {
			if len(out) >= lo {
				break
			}
			return nil, fmt.Errorf("no %d unique items found: %w", lo, errUnsatisfiable)
		}
		v, err := g.item(s, len(out), depth)
		if err != nil {
			return nil, err
		}
		if s.UniqueItems {
			key, _ := json.Marshal(v)
			if seen[string(key)] {
				continue
			}
			seen[string(key)] = true
		}
		out = append(out, v)
	}
	return out, nil
}

// item synthesizes the i-th array item (prefixItems first, then items).
func (g *synth) item(s *openapi3.Schema, i, depth int) (any, error) {
	ref := s.Items
	if i < len(s.PrefixItems) {
		ref = s.PrefixItems[i]
	}
	if ref == nil || ref.Value == nil {
		return genWord(g.rng, 1, 8), nil
	}
	return g.gen(ref.Value, depth+1)
}

// object synthesizes an object: required properties always, optional ones
// at random (none past maxDepth), readOnly ones never in requests, and
// additional properties where allowed.
func (g *synth) object(s *openapi3.Schema, depth int) (any, error) {
	out := map[string]any{}
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		if p == nil || p.Value == nil || g.skip(p.Value) {
			continue
		}
		required := contains(s.Required, name)
		if !required && (depth >= maxDepth || g.rng.IntN(2) == 0) {
			continue
		}
		v, err := g.gen(p.Value, depth+1)
		if err != nil {
			return nil, fmt.Errorf("property %s: %w", name, err)
		}
		out[name] = v
	}
	for _, name := range s.Required {
		if _, ok := out[name]; !ok && s.Properties[name] == nil {
			out[name] = genWord(g.rng, 1, 8)
		}
	}
	return out, g.extra(s, out, depth)
}

// extra adds additional properties to reach minProperties, and sometimes
// one more where additionalProperties allows it.
func (g *synth) extra(s *openapi3.Schema, out map[string]any, depth int) error {
	allowed := s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has || s.AdditionalProperties.Schema != nil
	limit := len(out) + 2
	if s.MaxProps != nil {
		limit = int(min(*s.MaxProps, uint64(limit)))
	}
	want := int(min(s.MinProps, 64))
	if allowed && s.AdditionalProperties.Schema != nil && depth < maxDepth && g.rng.IntN(2) == 0 {
		want = max(want, len(out)+1)
	}
	for i := 0; len(out) < min(want, limit); i++ {
		if !allowed || i > maxAttempts {
			return fmt.Errorf("object needs %d properties but allows no more: %w", want, errUnsatisfiable)
		}
		name := "x" + genWord(g.rng, 3, 6)
		if _, ok := out[name]; ok || s.Properties[name] != nil {
			continue
		}
		v, err := g.item(&openapi3.Schema{Items: s.AdditionalProperties.Schema}, 0, depth)
		if err != nil {
			return err
		}
		out[name] = v
	}
	return nil
}

// skip reports whether a property is left out of generated values.
func (g *synth) skip(p *openapi3.Schema) bool {
	if g.request {
		return p.ReadOnly
	}
	return p.WriteOnly
}

// contains reports whether list holds s.
func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
