package contract

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxCandidates bounds the objects one response is searched for values.
const maxCandidates = 256

// linkSources returns the sources of one method whose declared OpenAPI
// links set parameter p of this operation.
func (o *Operation) linkSources(p *openapi3.Parameter, method string) []*source {
	var out []*source
	for _, src := range o.doc.ops {
		if src.Method != method || src == o {
			continue
		}
		codes := src.op.Responses.Map()
		for _, code := range sortedKeys(codes) {
			r := codes[code]
			if !strings.HasPrefix(code, "2") || r == nil || r.Value == nil {
				continue
			}
			for _, name := range sortedKeys(r.Value.Links) {
				l := r.Value.Links[name]
				if l == nil || l.Value == nil || l.Value.OperationID != o.ID {
					continue
				}
				if t, ok := linkTaker(p, name, l.Value); ok {
					out = append(out, &source{op: src, takers: []taker{t}})
				}
			}
		}
	}
	return out
}

// linkTaker reads a link's expression for p: a constant, $response.body#/pointer
// or $response.header.Name.
func linkTaker(p *openapi3.Parameter, name string, l *openapi3.Link) (taker, bool) {
	expr, ok := l.Parameters[p.Name]
	if !ok {
		expr, ok = l.Parameters[p.In+"."+p.Name]
	}
	if !ok {
		return taker{}, false
	}
	t := taker{in: p.In, name: p.Name}
	s, isString := expr.(string)
	switch {
	case isString && strings.HasPrefix(s, "$response.body#"):
		ptr := strings.TrimPrefix(s, "$response.body#")
		t.take = func(_ http.Header, body any) ([]string, string) {
			v, _ := jsonPointer(body, ptr)
			return scalars(v), "link " + name + " " + s
		}
	case isString && strings.HasPrefix(s, "$response.header."):
		h := strings.TrimPrefix(s, "$response.header.")
		t.take = func(hdr http.Header, _ any) ([]string, string) { return []string{hdr.Get(h)}, "link " + name + " " + s }
	case isString && strings.HasPrefix(s, "$"):
		return taker{}, false // $request.… and $url are not known after the fact
	default:
		v := scalars(expr)
		t.take = func(http.Header, any) ([]string, string) { return v, "link " + name + " (constant)" }
	}
	return t, true
}

// inferredSources returns the sources of one method inferred for p: for a
// path parameter, the operations on the collection path before it
// (/pets for /pets/{id}); for a query parameter of a GET, the GET
// operations on the same path (the operation itself included).
func (o *Operation) inferredSources(p *openapi3.Parameter, method string) []*source {
	var path string
	idRules := false
	switch {
	case p.In == openapi3.ParameterInPath:
		path, idRules = collectionPath(o.Path, p.Name), true
	case method == http.MethodGet && o.Method == http.MethodGet:
		path = o.Path
	}
	if path == "" {
		return nil
	}
	singular := singularOf(lastStatic(path))
	var out []*source
	for _, src := range o.doc.ops {
		if src.Method != method || src.Path != path || (src == o && idRules) {
			continue
		}
		s := &source{op: src, takers: []taker{fieldTaker(p, singular, idRules)}}
		if method == http.MethodPost && idRules {
			s.takers = append(s.takers, o.locationTaker(p))
		}
		out = append(out, s)
	}
	return out
}

// collectionPath is the path before the segment holding {name}: "/pets"
// for "/pets/{id}", "" when the parameter is in the first segment.
func collectionPath(tmpl, name string) string {
	i := strings.Index(tmpl, "{"+name+"}")
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(tmpl[:i], "/")
	if j <= 0 {
		return ""
	}
	return tmpl[:j]
}

// lastStatic is the last path segment without a parameter.
func lastStatic(path string) string {
	segs := strings.Split(path, "/")
	for i := len(segs) - 1; i >= 0; i-- {
		if segs[i] != "" && !strings.Contains(segs[i], "{") {
			return segs[i]
		}
	}
	return ""
}

// singularOf makes an English plural singular the simple way: pets → pet,
// categories → category, boxes → box.
func singularOf(s string) string {
	switch {
	case strings.HasSuffix(s, "ies") && len(s) > 3:
		return s[:len(s)-3] + "y"
	case strings.HasSuffix(s, "sses"), strings.HasSuffix(s, "xes"), strings.HasSuffix(s, "ches"), strings.HasSuffix(s, "shes"):
		return s[:len(s)-2]
	case strings.HasSuffix(s, "s") && !strings.HasSuffix(s, "ss"):
		return s[:len(s)-1]
	}
	return s
}

// norm lower-cases a name and drops _ and -, so petId, pet_id and PetID agree.
func norm(s string) string {
	return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s))
}

// fieldTaker takes, from every object of a response (the body, its array
// items, the items of its array fields), the field named like p: the same
// name, its singular or plural (tags → tag), and with idRules an id field
// for {id} or {petId} under /pets.
func fieldTaker(p *openapi3.Parameter, singular string, idRules bool) taker {
	return taker{in: p.In, name: p.Name, take: func(_ http.Header, body any) ([]string, string) {
		field := ""
		var out []string
		for _, obj := range candidates(body) {
			if field == "" {
				if field = matchField(obj, p.Name, singular, idRules); field == "" {
					continue
				}
			}
			out = append(out, scalars(obj[field])...)
		}
		return out, "field " + field
	}}
}

// matchField returns the best field of obj for param, "" when none.
func matchField(obj map[string]any, param, singular string, idRules bool) string {
	np, ns := norm(param), norm(singular)
	best, bestTier := "", 0
	for _, k := range sortedKeys(obj) {
		nk, tier := norm(k), 0
		switch {
		case nk == np:
			tier = 3
		case nk+"s" == np || nk == np+"s":
			tier = 2
		case idRules && (np == "id" || np == ns+"id") && (nk == "id" || nk == ns+"id"):
			tier = 1
		}
		if tier > bestTier {
			best, bestTier = k, tier
		}
	}
	return best
}

// candidates returns the objects of a response body to search.
func candidates(body any) []map[string]any {
	var out []map[string]any
	addItems := func(items []any) {
		for _, it := range items {
			if m, ok := it.(map[string]any); ok && len(out) < maxCandidates {
				out = append(out, m)
			}
		}
	}
	switch v := body.(type) {
	case []any:
		addItems(v)
	case map[string]any:
		out = append(out, v)
		for _, k := range sortedKeys(v) {
			if items, ok := v[k].([]any); ok {
				addItems(items)
			}
		}
	}
	return out
}

// locationTaker takes p from a Location header naming the operation's path.
func (o *Operation) locationTaker(p *openapi3.Parameter) taker {
	re, names := pathRegexp(o.Path)
	idx := slices.Index(names, p.Name)
	return taker{in: p.In, name: p.Name, take: func(h http.Header, _ any) ([]string, string) {
		u, err := url.Parse(h.Get("Location"))
		if err != nil || u.Path == "" || idx < 0 {
			return nil, "Location"
		}
		path := u.EscapedPath()
		for i := 0; i < len(path); i++ {
			if path[i] != '/' {
				continue
			}
			if m := re.FindStringSubmatch(path[i:]); m != nil {
				v, err := url.PathUnescape(m[idx+1])
				if err != nil {
					return nil, "Location"
				}
				return []string{v}, "Location"
			}
		}
		return nil, "Location"
	}}
}

// scalars renders a JSON scalar (or the scalars of an array) as parameter
// text; objects and nulls give nothing.
func scalars(v any) []string {
	switch x := v.(type) {
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := scalar(e); ok {
				out = append(out, s)
			}
		}
		return out
	}
	if s, ok := scalar(v); ok {
		return []string{s}
	}
	return nil
}

func scalar(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, x != ""
	case json.Number:
		return x.String(), true
	case bool:
		return strconv.FormatBool(x), true
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), true
	case int:
		return strconv.Itoa(x), true
	}
	return "", false
}

// decodeJSON decodes a body with exact numbers, nil when it is not JSON.
func decodeJSON(body []byte) any {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if dec.Decode(&v) != nil {
		return nil
	}
	return v
}

// jsonPointer evaluates an RFC 6901 pointer ("" is the whole document).
func jsonPointer(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, false
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch x := doc.(type) {
		case map[string]any:
			v, ok := x[tok]
			if !ok {
				return nil, false
			}
			doc = v
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(x) {
				return nil, false
			}
			doc = x[i]
		default:
			return nil, false
		}
	}
	return doc, true
}
