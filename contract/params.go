package contract

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// ignoredHeaders are header parameters OpenAPI says to ignore.
var ignoredHeaders = map[string]bool{"accept": true, "content-type": true, "authorization": true}

// parameters returns the operation's parameters: the path item's, overridden
// by the operation's of the same name and location.
func (o *Operation) parameters() []*openapi3.Parameter {
	var out []*openapi3.Parameter
	seen := map[paramKey]bool{}
	for _, list := range []openapi3.Parameters{o.op.Parameters, o.item.Parameters} {
		for _, ref := range list {
			if ref == nil || ref.Value == nil {
				continue
			}
			k := paramKey{ref.Value.In, ref.Value.Name}
			if !seen[k] {
				seen[k] = true
				out = append(out, ref.Value)
			}
		}
	}
	return out
}

// ParamIn returns where the operation's parameter name is ("path",
// "query", "header" or "cookie"), false when it has none of that name.
func (o *Operation) ParamIn(name string) (string, bool) {
	for _, p := range o.parameters() {
		if p.Name == name {
			return p.In, true
		}
	}
	return "", false
}

// encoded is a parameter serialized for its location.
type encoded struct {
	raw   string     // path segment, header or cookie value (unescaped)
	query url.Values // query pairs
}

// encodeParam serializes a parameter value by its style and explode.
func encodeParam(p *openapi3.Parameter, v any) (encoded, error) {
	if len(p.Content) > 0 {
		b, err := json.Marshal(v)
		if err != nil {
			return encoded{}, err
		}
		return encoded{raw: string(b), query: url.Values{p.Name: {string(b)}}}, nil
	}
	sm, err := p.SerializationMethod()
	if err != nil {
		return encoded{}, err
	}
	if p.In == openapi3.ParameterInQuery {
		q, err := encodeQuery(p.Name, sm, v)
		return encoded{query: q}, err
	}
	s, err := encodeSimple(p.Name, sm, v)
	return encoded{raw: s}, err
}

// encodeSimple serializes path, header and cookie values (simple, label,
// matrix and form styles).
func encodeSimple(name string, sm *openapi3.SerializationMethod, v any) (string, error) {
	parts, pairs, err := flatten(v)
	if err != nil {
		return "", err
	}
	sep := ","
	switch sm.Style {
	case openapi3.SerializationLabel:
		if sm.Explode {
			sep = "."
		}
		return "." + join(parts, pairs, sep, sm.Explode), nil
	case openapi3.SerializationMatrix:
		if pairs == nil && len(parts) > 1 && sm.Explode {
			return ";" + name + "=" + strings.Join(parts, ";"+name+"="), nil
		}
		if pairs != nil && sm.Explode {
			return ";" + join(nil, pairs, ";", true), nil
		}
		return ";" + name + "=" + join(parts, pairs, ",", false), nil
	}
	return join(parts, pairs, sep, sm.Explode), nil
}

// encodeQuery serializes a query parameter (form, spaceDelimited,
// pipeDelimited, deepObject).
func encodeQuery(name string, sm *openapi3.SerializationMethod, v any) (url.Values, error) {
	parts, pairs, err := flatten(v)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	switch {
	case sm.Style == openapi3.SerializationDeepObject:
		for i := 0; i+1 < len(pairs); i += 2 {
			q.Add(name+"["+pairs[i]+"]", pairs[i+1])
		}
	case pairs != nil && sm.Explode:
		for i := 0; i+1 < len(pairs); i += 2 {
			q.Add(pairs[i], pairs[i+1])
		}
	case pairs != nil:
		q.Add(name, strings.Join(pairs, ","))
	case sm.Explode:
		for _, s := range parts {
			q.Add(name, s)
		}
	case sm.Style == openapi3.SerializationSpaceDelimited:
		q.Add(name, strings.Join(parts, " "))
	case sm.Style == openapi3.SerializationPipeDelimited:
		q.Add(name, strings.Join(parts, "|"))
	default:
		q.Add(name, strings.Join(parts, ","))
	}
	return q, nil
}

// join renders items or key/value pairs with sep.
func join(parts, pairs []string, sep string, explode bool) string {
	if pairs == nil {
		return strings.Join(parts, sep)
	}
	var b []string
	for i := 0; i+1 < len(pairs); i += 2 {
		if explode {
			b = append(b, pairs[i]+"="+pairs[i+1])
		} else {
			b = append(b, pairs[i], pairs[i+1])
		}
	}
	return strings.Join(b, sep)
}

// flatten turns a value into its items (primitive or array) or key/value
// pairs (object, keys sorted). Nested structures cannot be serialized.
func flatten(v any) (parts, pairs []string, err error) {
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			s, err := primitive(e)
			if err != nil {
				return nil, nil, err
			}
			parts = append(parts, s)
		}
		return parts, nil, nil
	case map[string]any:
		pairs = []string{}
		for _, k := range sortedKeys(x) {
			s, err := primitive(x[k])
			if err != nil {
				return nil, nil, fmt.Errorf("property %s: %w", k, err)
			}
			pairs = append(pairs, k, s)
		}
		return nil, pairs, nil
	}
	s, err := primitive(v)
	return []string{s}, nil, err
}

// primitive renders a JSON primitive as parameter text.
func primitive(v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	case bool:
		return strconv.FormatBool(x), nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case int:
		return strconv.Itoa(x), nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case uint64:
		return strconv.FormatUint(x, 10), nil
	case json.Number:
		return x.String(), nil
	}
	return "", fmt.Errorf("nested %T value cannot be serialized as a parameter", v)
}
