package contract

import (
	"fmt"
	"path"
	"slices"
	"strings"
)

// Selector narrows Document.Operations. Selectors of different kinds must
// all match; the values given to one selector are alternatives.
type Selector struct {
	kind   string
	values []string
}

// ByID selects operations by operationId (or by "METHOD /path" for an
// operation without one). Naming an operation the document lacks is an error.
func ByID(ids ...string) Selector { return Selector{kind: "id", values: ids} }

// ByTag selects operations carrying any of tags.
func ByTag(tags ...string) Selector { return Selector{kind: "tag", values: tags} }

// ByPath selects operations whose path template matches any of globs, in
// path.Match syntax ("/pets/*" matches "/pets/{id}"); a glob ending in "/**"
// matches every path under its prefix.
func ByPath(globs ...string) Selector { return Selector{kind: "path", values: globs} }

// ByMethod selects operations with any of methods (case-insensitive).
func ByMethod(methods ...string) Selector { return Selector{kind: "method", values: methods} }

// IncludeDeprecated keeps deprecated operations, which are skipped otherwise.
func IncludeDeprecated() Selector { return Selector{kind: "deprecated"} }

// Operations returns the document's operations that every selector matches,
// in path then method order; deprecated ones only with IncludeDeprecated.
func (d *Document) Operations(selectors ...Selector) ([]*Operation, error) {
	deprecated := false
	for _, s := range selectors {
		if err := s.check(d); err != nil {
			return nil, err
		}
		deprecated = deprecated || s.kind == "deprecated"
	}
	var out []*Operation
	for _, o := range d.ops {
		if o.Deprecated && !deprecated {
			continue
		}
		if allMatch(selectors, o) {
			out = append(out, o)
		}
	}
	return out, nil
}

// allMatch reports whether every selector matches o.
func allMatch(selectors []Selector, o *Operation) bool {
	for _, s := range selectors {
		if !s.match(o) {
			return false
		}
	}
	return true
}

// check reports a bad glob or an operationId the document lacks.
func (s Selector) check(d *Document) error {
	switch s.kind {
	case "path":
		for _, g := range s.values {
			if _, err := path.Match(strings.TrimSuffix(g, "/**"), "/"); err != nil {
				return fmt.Errorf("contract: select: path glob %q: %w", g, err)
			}
		}
	case "id":
		for _, id := range s.values {
			if !slices.ContainsFunc(d.ops, func(o *Operation) bool { return o.ID == id }) {
				return fmt.Errorf("contract: select: no operation has operationId %q", id)
			}
		}
	}
	return nil
}

// match reports whether o satisfies the selector.
func (s Selector) match(o *Operation) bool {
	switch s.kind {
	case "id":
		return slices.Contains(s.values, o.ID)
	case "tag":
		return slices.ContainsFunc(s.values, func(t string) bool { return slices.Contains(o.Tags, t) })
	case "method":
		return slices.ContainsFunc(s.values, func(m string) bool { return strings.EqualFold(m, o.Method) })
	case "path":
		return slices.ContainsFunc(s.values, func(g string) bool { return globMatch(g, o.Path) })
	}
	return true
}

// globMatch matches a path template against a glob.
func globMatch(glob, p string) bool {
	if prefix, ok := strings.CutSuffix(glob, "/**"); ok {
		if ok, _ := path.Match(prefix, p); ok {
			return true
		}
		for dir := path.Dir(p); dir != "/" && dir != "."; dir = path.Dir(dir) {
			if ok, _ := path.Match(prefix, dir); ok {
				return true
			}
		}
		return prefix == ""
	}
	ok, _ := path.Match(glob, p)
	return ok
}
