package contract

import (
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// maxViolations bounds the violations reported for one response.
const maxViolations = 8

// responseChecker validates responses of one operation. It is built once
// per operation and safe for concurrent use.
type responseChecker struct {
	o       *Operation
	opts    []openapi3.SchemaValidationOption // stop at the first violation
	opts31  []openapi3.SchemaValidationOption
	all     []openapi3.SchemaValidationOption // collect every violation
	all31   []openapi3.SchemaValidationOption
	is31    bool
	needs   sync.Map // *openapi3.Schema → bool: needs the JSON Schema 2020-12 validator
	headers sync.Map // *openapi3.Response → []string: sorted header names
}

// responseChecker returns the operation's cached checker.
func (o *Operation) responses() *responseChecker {
	o.checkOnce.Do(func() {
		base := append(o.doc.t.GetSchemaValidationOptions(), openapi3.VisitAsResponse(),
			openapi3.SetSchemaErrorMessageCustomizer(func(e *openapi3.SchemaError) string { return e.Reason }))
		with := func(opts ...openapi3.SchemaValidationOption) []openapi3.SchemaValidationOption {
			return append(append([]openapi3.SchemaValidationOption(nil), base...), opts...)
		}
		o.checker = &responseChecker{
			o: o, is31: o.doc.t.IsOpenAPI31OrLater(),
			opts: with(), opts31: with(openapi3.EnableJSONSchema2020()),
			all: with(openapi3.MultiErrors()), all31: with(openapi3.MultiErrors(), openapi3.EnableJSONSchema2020()),
		}
	})
	return o.checker
}

// check returns the contract violations of one response (at most
// maxViolations); none means the response keeps the contract.
func (c *responseChecker) check(method string, status int, h http.Header, body []byte) []ContractError {
	v := &violations{id: c.o.ID, status: status}
	ref := c.o.op.Responses.Status(status)
	if ref == nil {
		ref = c.o.op.Responses.Default()
	}
	if ref == nil || ref.Value == nil {
		v.add(KindStatus, "", fmt.Sprintf("status %d is not declared (declared: %s)", status, strings.Join(c.o.op.Responses.Keys(), ", ")))
		return v.list
	}
	resp := ref.Value
	c.checkHeaders(v, resp, h)
	if method == http.MethodHead || len(resp.Content) == 0 {
		return v.list
	}
	ct := h.Get("Content-Type")
	mt := resp.Content.Get(ct)
	if mt == nil {
		v.add(KindContentType, "", fmt.Sprintf("content type %q is not declared (declared: %s)", ct, strings.Join(sortedKeys(resp.Content), ", ")))
		mt = jsonMedia(resp.Content)
		if mt == nil || !looksJSON(body) {
			return v.list
		}
	} else if !isJSON(ct) {
		return v.list // only JSON bodies are checked against their schema
	}
	if mt.Schema != nil && mt.Schema.Value != nil {
		c.checkBody(v, mt.Schema.Value, body)
	}
	return v.list
}

// checkHeaders reports missing required headers and header values that do
// not match their schema.
func (c *responseChecker) checkHeaders(v *violations, resp *openapi3.Response, h http.Header) {
	names, ok := c.headers.Load(resp)
	if !ok {
		names, _ = c.headers.LoadOrStore(resp, sortedKeys(resp.Headers))
	}
	for _, name := range names.([]string) {
		hr := resp.Headers[name]
		if strings.EqualFold(name, "Content-Type") || hr == nil || hr.Value == nil {
			continue
		}
		val := h.Get(name)
		switch {
		case val == "" && hr.Value.Required:
			v.add(KindHeader, "", fmt.Sprintf("required header %s is missing", name))
		case val != "" && hr.Value.Schema != nil && hr.Value.Schema.Value != nil:
			if err := c.visit(hr.Value.Schema.Value, headerValue(hr.Value.Schema.Value, val), false); err != nil {
				v.add(KindHeader, "", fmt.Sprintf("header %s does not match its schema", name))
			}
		}
	}
}

// headerValue converts a header string to the JSON type its schema wants.
func headerValue(s *openapi3.Schema, val string) any {
	switch {
	case s.Type.Includes(openapi3.TypeInteger), s.Type.Includes(openapi3.TypeNumber):
		if f, err := strconv.ParseFloat(val, 64); err == nil {
			return f
		}
	case s.Type.Includes(openapi3.TypeBoolean):
		if b, err := strconv.ParseBool(val); err == nil {
			return b
		}
	}
	return val
}

// checkBody decodes a JSON body and validates it against s: first stopping
// at the first violation, which bounds the cost of a body that breaks the
// schema everywhere, then, for a body small enough (maxDetailedBody), again
// collecting every violation.
func (c *responseChecker) checkBody(v *violations, s *openapi3.Schema, body []byte) {
	var val any
	if len(body) == 0 {
		v.add(KindDecode, "", "body is empty, want a JSON document")
		return
	}
	if tooDeep(body, maxBodyDepth) {
		v.add(KindDecode, "", fmt.Sprintf("body nests arrays and objects deeper than %d levels, the checker's bound", maxBodyDepth))
		return
	}
	if err := json.Unmarshal(body, &val); err != nil {
		v.add(KindDecode, "", "body is not valid JSON")
		return
	}
	err := c.visit(s, val, false)
	if err == nil {
		return
	}
	if len(body) <= maxDetailedBody {
		if all := c.visit(s, val, true); all != nil {
			err = all
		}
	}
	for _, se := range schemaErrors(err) {
		v.add(KindBody, pointer(se.JSONPointer()), reason(se))
	}
	if len(v.list) == 0 {
		v.add(KindBody, "", "body does not match its schema")
	}
}

// visit validates val against s, with the JSON Schema 2020-12 validator
// only for 3.1 schemas that use its keywords (it compiles on every call);
// all collects every violation instead of stopping at the first.
func (c *responseChecker) visit(s *openapi3.Schema, val any, all bool) error {
	opts, opts31 := c.opts, c.opts31
	if all {
		opts, opts31 = c.all, c.all31
	}
	if c.is31 && c.needs2020(s) {
		return s.VisitJSON(val, opts31...)
	}
	return s.VisitJSON(val, opts...)
}

// needs2020 reports, once per schema, whether s uses a keyword only the
// JSON Schema 2020-12 validator enforces.
func (c *responseChecker) needs2020(s *openapi3.Schema) bool {
	if v, ok := c.needs.Load(s); ok {
		return v.(bool)
	}
	need := false
	_ = openapi3.NewSchemaRef("", s).WalkSubtree(func(_ string, ref *openapi3.SchemaRef) error {
		if x := ref.Value; x != nil && uses2020(x) {
			need = true
			return errors.New("found")
		}
		return nil
	})
	c.needs.Store(s, need)
	return need
}

// uses2020 reports whether one schema node uses a 3.1-only keyword.
func uses2020(x *openapi3.Schema) bool {
	return x.Const != nil || len(x.PrefixItems) > 0 || x.Contains != nil || len(x.PatternProperties) > 0 ||
		len(x.DependentSchemas) > 0 || x.PropertyNames != nil || x.UnevaluatedItems.Has != nil ||
		x.UnevaluatedItems.Schema != nil || x.UnevaluatedProperties.Has != nil || x.UnevaluatedProperties.Schema != nil ||
		x.If != nil || len(x.DependentRequired) > 0 || x.Always != nil || x.ExclusiveMin.Value != nil ||
		x.ExclusiveMax.Value != nil || x.DynamicRef != "" || x.Type.IsMultiple()
}

// schemaErrors flattens a validation error into its schema errors.
func schemaErrors(err error) []*openapi3.SchemaError {
	var out []*openapi3.SchemaError
	var walk func(error)
	walk = func(err error) {
		var me openapi3.MultiError
		var se *openapi3.SchemaError
		switch {
		case len(out) >= maxViolations:
		case errors.As(err, &me):
			for _, e := range me {
				walk(e)
			}
		case errors.As(err, &se):
			out = append(out, se)
		}
	}
	walk(err)
	return out
}

// reason describes a schema error without the offending value.
func reason(se *openapi3.SchemaError) string {
	r := se.Reason
	if se.SchemaField != "" {
		r = se.SchemaField + ": " + r
	}
	return r
}

// pointer renders path segments as an RFC 6901 JSON pointer.
func pointer(parts []string) string {
	var b strings.Builder
	for _, p := range parts {
		b.WriteByte('/')
		b.WriteString(strings.ReplaceAll(strings.ReplaceAll(p, "~", "~0"), "/", "~1"))
	}
	return b.String()
}

// jsonMedia returns the first JSON media type of content, nil when none.
func jsonMedia(content openapi3.Content) *openapi3.MediaType {
	for _, k := range sortedKeys(content) {
		if isJSON(k) {
			return content[k]
		}
	}
	return nil
}

// isJSON reports whether a media type is JSON (application/json or +json).
func isJSON(ct string) bool {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt = strings.ToLower(strings.TrimSpace(strings.Split(ct, ";")[0]))
	}
	return mt == "application/json" || strings.HasSuffix(mt, "+json")
}

// looksJSON reports whether body starts like a JSON document.
func looksJSON(body []byte) bool { return json.Valid(body) }

// violations accumulates one response's violations.
type violations struct {
	id     string
	status int
	list   []ContractError
}

// add appends one violation, within maxViolations.
func (v *violations) add(kind Kind, ptr, reason string) {
	if len(v.list) < maxViolations {
		v.list = append(v.list, ContractError{OperationID: v.id, Status: v.status, Kind: kind, Pointer: clip(ptr, maxPointer), Reason: clip(reason, maxReason)})
	}
}
