package contract

import (
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxLearnedValues bounds the values learned for one parameter.
const maxLearnedValues = 16

// maxSourceValues bounds the values a ParamSource lists.
const maxSourceValues = 8

// Learned is what Discover learned for one operation's parameters from the
// service's own responses. Give it to Pool, Target or Prepare with
// WithLearned; the learned values are in the generated URLs, so the pool's
// fingerprint covers them, and Pool.Sources records them so a run can be
// replayed with -param or WithParam.
type Learned struct {
	// OperationID is the operation the values are for.
	OperationID string `json:"operation_id"`
	// Params are the parameters values were learned for.
	Params []LearnedParam `json:"params,omitempty"`
	// Requests is the number of discovery requests sent.
	Requests int `json:"requests"`
	// Notes say what discovery tried and could not use (a source that
	// answered with no 2xx, a field that was absent).
	Notes []string `json:"notes,omitempty"`
}

// LearnedParam is the values learned for one parameter.
type LearnedParam struct {
	In   string `json:"in"`
	Name string `json:"name"`
	// Values are the values in the order they were seen (at most 16).
	Values []string `json:"values"`
	// From says where they came from, e.g. "learned from findPets (GET
	// /pets) field id" or "learned from the Location of addPet".
	From string `json:"from"`
}

// param returns the learned values of a parameter, nil when none.
func (l *Learned) param(in, name string) *LearnedParam {
	if l == nil {
		return nil
	}
	for i := range l.Params {
		if l.Params[i].In == in && l.Params[i].Name == name {
			return &l.Params[i]
		}
	}
	return nil
}

// add records a value for a parameter (deduplicated, bounded).
func (l *Learned) add(in, name, value, from string) {
	lp := l.param(in, name)
	if lp == nil {
		l.Params = append(l.Params, LearnedParam{In: in, Name: name, From: from})
		lp = &l.Params[len(l.Params)-1]
	}
	if value == "" || len(lp.Values) >= maxLearnedValues || slices.Contains(lp.Values, value) {
		return
	}
	lp.Values = append(lp.Values, value)
}

// WithLearned makes generated requests use values learned by Discover: of
// the Learned given, the one for the operation being generated applies
// (so one option can carry every operation's). A learned value comes after
// the user's own (WithParam) and before the document's examples, which are
// often illustrative ids that name nothing on a real service.
func WithLearned(ls ...*Learned) Option {
	return optionFunc(func(c *config) {
		for _, l := range ls {
			if l != nil {
				c.learned[l.OperationID] = l
			}
		}
	})
}

// ParamSource says where the values of one parameter of a pool came from.
type ParamSource struct {
	In   string `json:"in"`
	Name string `json:"name"`
	// From counts the pool's requests by source: "pinned" (WithParam,
	// -param), "learned from …", "example" (the document's), "schema"
	// (synthesized, the schema's own example or default first), "left
	// out" (an optional parameter a request did not send).
	From map[string]int `json:"from"`
	// Values are the first learned or pinned values used.
	Values []string `json:"values,omitempty"`
}

// sourceUse is where one request's value of one parameter came from.
type sourceUse struct {
	in, name, from, value string
}

// addSources counts one request's parameter sources into the pool's.
func addSources(out []ParamSource, uses []sourceUse) []ParamSource {
	for _, u := range uses {
		i := slices.IndexFunc(out, func(s ParamSource) bool { return s.In == u.in && s.Name == u.name })
		if i < 0 {
			out = append(out, ParamSource{In: u.in, Name: u.name, From: map[string]int{}})
			i = len(out) - 1
		}
		out[i].From[u.from]++
		learned := u.from == "pinned" || strings.HasPrefix(u.from, "learned")
		if learned && len(out[i].Values) < maxSourceValues && !slices.Contains(out[i].Values, u.value) {
			out[i].Values = append(out[i].Values, u.value)
		}
	}
	return out
}

// String renders the source on one line: "id (path): learned from findPets
// (GET /pets) field id ×30, schema ×2: 1000, 1001".
func (s ParamSource) String() string {
	out := fmt.Sprintf("%s (%s): %s", s.Name, s.In, s.Origins())
	if len(s.Values) > 0 {
		out += ": " + strings.Join(s.Values, ", ")
	}
	return out
}

// Origins lists where the parameter's values came from, the most used
// first, with their counts: "learned from listPets ×140, schema ×10".
func (s ParamSource) Origins() string {
	froms := make([]string, 0, len(s.From))
	for f := range s.From {
		froms = append(froms, f)
	}
	slices.SortFunc(froms, func(a, b string) int {
		if s.From[a] != s.From[b] {
			return s.From[b] - s.From[a]
		}
		return strings.Compare(a, b)
	})
	parts := make([]string, len(froms))
	for i, f := range froms {
		parts[i] = fmt.Sprintf("%s ×%d", f, s.From[f])
	}
	return strings.Join(parts, ", ")
}

// learnedValue returns request i's learned value of p, serialized for its
// location, and where it came from.
func (o *Operation) learnedValue(c *config, p *openapi3.Parameter, i int) (encoded, string, string, bool) {
	lp := c.learned[o.ID].param(p.In, p.Name)
	if lp == nil || len(lp.Values) == 0 {
		return encoded{}, "", "", false
	}
	raw := lp.Values[i%len(lp.Values)]
	var v any = raw
	if p.Schema != nil && p.Schema.Value != nil && p.Schema.Value.Type.Is(openapi3.TypeArray) {
		v = []any{raw}
	}
	e, err := encodeParam(p, v)
	if err != nil {
		return encoded{}, "", "", false
	}
	return e, lp.From, raw, true
}
