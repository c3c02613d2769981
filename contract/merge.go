package contract

import (
	"maps"
	"slices"

	"github.com/getkin/kin-openapi/openapi3"
)

// mergeAllOf folds a schema's allOf into one schema that synthesis can work
// from: properties and required united, bounds intersected, one pattern and
// one oneOf/anyOf kept (the value is then checked against the whole schema,
// so a merge that loses a constraint only costs a retry).
func mergeAllOf(s *openapi3.Schema) *openapi3.Schema {
	out := *s
	out.AllOf = nil
	out.Properties = maps.Clone(s.Properties)
	out.Required = slices.Clone(s.Required)
	for _, ref := range s.AllOf {
		if ref == nil || ref.Value == nil {
			continue
		}
		sub := ref.Value
		if len(sub.AllOf) > 0 {
			sub = mergeAllOf(sub)
		}
		mergeInto(&out, sub)
	}
	return &out
}

// mergeInto intersects b into a.
func mergeInto(a, b *openapi3.Schema) {
	mergeTypes(a, b)
	a.Nullable = a.Nullable && b.Nullable
	if a.Format == "" {
		a.Format = b.Format
	}
	if a.Pattern == "" {
		a.Pattern = b.Pattern
	}
	if a.Const == nil {
		a.Const = b.Const
	}
	a.Enum = intersectEnum(a.Enum, b.Enum)
	mergeNumbers(a, b)
	a.MinLength = max(a.MinLength, b.MinLength)
	a.MaxLength = minPtr(a.MaxLength, b.MaxLength)
	a.MinItems = max(a.MinItems, b.MinItems)
	a.MaxItems = minPtr(a.MaxItems, b.MaxItems)
	a.UniqueItems = a.UniqueItems || b.UniqueItems
	a.MinProps = max(a.MinProps, b.MinProps)
	a.MaxProps = minPtr(a.MaxProps, b.MaxProps)
	a.Items = bothOf(a.Items, b.Items)
	mergeProperties(a, b)
	if b.AdditionalProperties.Has != nil && !*b.AdditionalProperties.Has {
		a.AdditionalProperties = b.AdditionalProperties
	} else if a.AdditionalProperties.Has == nil && a.AdditionalProperties.Schema == nil {
		a.AdditionalProperties = b.AdditionalProperties
	}
	if a.Discriminator == nil {
		a.Discriminator = b.Discriminator
	}
	if len(a.OneOf) == 0 {
		a.OneOf = b.OneOf
	}
	if len(a.AnyOf) == 0 {
		a.AnyOf = b.AnyOf
	}
	if a.Not == nil {
		a.Not = b.Not
	}
	a.ReadOnly = a.ReadOnly || b.ReadOnly
	a.WriteOnly = a.WriteOnly || b.WriteOnly
}

// mergeTypes intersects the type lists (an empty list admits every type).
func mergeTypes(a, b *openapi3.Schema) {
	switch {
	case b.Type.IsEmpty():
	case a.Type.IsEmpty():
		t := b.Type.Clone()
		a.Type = &t
	default:
		var t openapi3.Types
		for _, x := range a.Type.Slice() {
			if b.Type.Includes(x) || (x == openapi3.TypeInteger && b.Type.Includes(openapi3.TypeNumber)) {
				t = append(t, x)
			} else if x == openapi3.TypeNumber && b.Type.Includes(openapi3.TypeInteger) {
				t = append(t, openapi3.TypeInteger)
			}
		}
		a.Type = &t
	}
}

// mergeNumbers intersects numeric bounds and keeps one multipleOf.
func mergeNumbers(a, b *openapi3.Schema) {
	if b.Min != nil && (a.Min == nil || *b.Min > *a.Min || (*b.Min == *a.Min && b.ExclusiveMin.IsTrue())) {
		a.Min, a.ExclusiveMin.Bool = b.Min, b.ExclusiveMin.Bool
	}
	if b.Max != nil && (a.Max == nil || *b.Max < *a.Max || (*b.Max == *a.Max && b.ExclusiveMax.IsTrue())) {
		a.Max, a.ExclusiveMax.Bool = b.Max, b.ExclusiveMax.Bool
	}
	if v := b.ExclusiveMin.Value; v != nil && (a.ExclusiveMin.Value == nil || *v > *a.ExclusiveMin.Value) {
		a.ExclusiveMin.Value = v
	}
	if v := b.ExclusiveMax.Value; v != nil && (a.ExclusiveMax.Value == nil || *v < *a.ExclusiveMax.Value) {
		a.ExclusiveMax.Value = v
	}
	if a.MultipleOf == nil {
		a.MultipleOf = b.MultipleOf
	}
}

// mergeProperties unites properties (a property in both must satisfy both)
// and required lists.
func mergeProperties(a, b *openapi3.Schema) {
	if len(b.Properties) > 0 && a.Properties == nil {
		a.Properties = openapi3.Schemas{}
	}
	for name, p := range b.Properties {
		a.Properties[name] = bothOf(a.Properties[name], p)
	}
	for _, r := range b.Required {
		if !slices.Contains(a.Required, r) {
			a.Required = append(a.Required, r)
		}
	}
}

// bothOf returns a schema requiring both x and y (either may be nil).
func bothOf(x, y *openapi3.SchemaRef) *openapi3.SchemaRef {
	switch {
	case x == nil:
		return y
	case y == nil || x == y:
		return x
	}
	return &openapi3.SchemaRef{Value: mergeAllOf(&openapi3.Schema{AllOf: openapi3.SchemaRefs{x, y}})}
}

// intersectEnum keeps the values of a that b also lists.
func intersectEnum(a, b []any) []any {
	switch {
	case len(b) == 0:
		return a
	case len(a) == 0:
		return b
	}
	var out []any
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	if len(out) == 0 {
		return a
	}
	return out
}

// minPtr returns the smaller of two optional bounds.
func minPtr(x, y *uint64) *uint64 {
	switch {
	case x == nil:
		return y
	case y == nil || *x <= *y:
		return x
	}
	return y
}
