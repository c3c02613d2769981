package contract

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// Document is a loaded, validated OpenAPI document. It is safe for
// concurrent use; its operations are built once, at load time.
type Document struct {
	t     *openapi3.T
	spec  LoadSpec
	ops   []*Operation
	notes []string
}

// methodOrder is the order operations of one path are listed in.
var methodOrder = []string{
	http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch,
	http.MethodDelete, http.MethodOptions, http.MethodTrace, http.MethodConnect,
}

// newDocument builds the operations of a validated document.
func newDocument(t *openapi3.T) (*Document, error) {
	t.SetStringFormatValidators(formatValidators())
	d := &Document{t: t}
	var err error
	if d.spec, err = parseSLA(t.Extensions, SLAExtension); err != nil {
		return nil, err
	}
	if t.Paths == nil || t.Paths.Len() == 0 {
		return nil, fmt.Errorf("contract: document has no operations (paths is empty)")
	}
	paths := t.Paths.Keys()
	slices.Sort(paths)
	for _, path := range paths {
		item := t.Paths.Value(path)
		ops := item.Operations()
		for _, m := range methodOrder {
			op, ok := ops[m]
			if !ok {
				continue
			}
			o, err := newOperation(d, path, m, item, op)
			if err != nil {
				return nil, err
			}
			d.ops = append(d.ops, o)
		}
	}
	if len(d.ops) == 0 {
		return nil, fmt.Errorf("contract: document has no operations (its %d paths declare no methods)", len(paths))
	}
	return d, nil
}

// Title returns the document's info.title.
func (d *Document) Title() string {
	if d.t.Info == nil {
		return ""
	}
	return d.t.Info.Title
}

// Notes say what loading changed or could not carry: for a Swagger 2.0
// document, that it was converted and what the conversion loses.
func (d *Document) Notes() []string { return slices.Clone(d.notes) }

// Version returns the document's OpenAPI version, e.g. "3.0.3".
func (d *Document) Version() string { return d.t.OpenAPI }

// LoadSpec returns the document's top-level x-sla (zero when absent).
func (d *Document) LoadSpec() LoadSpec { return d.spec }

// Spec returns the underlying kin-openapi document. It must not be modified.
func (d *Document) Spec() *openapi3.T { return d.t }

// Operation is one method on one path of a document.
type Operation struct {
	// ID is the operationId, or "METHOD /path" when the document gives none.
	ID string
	// Method is the upper-case HTTP method.
	Method string
	// Path is the path template, e.g. "/pets/{id}".
	Path string
	// Tags are the operation's tags, in document order.
	Tags []string
	// Summary is the operation's summary line.
	Summary string
	// Deprecated is the operation's deprecated flag.
	Deprecated bool

	doc      *Document
	item     *openapi3.PathItem
	op       *openapi3.Operation
	spec     LoadSpec
	findings *Findings

	checkOnce sync.Once
	checker   *responseChecker
}

// newOperation reads one operation and its x-sla.
func newOperation(d *Document, path, method string, item *openapi3.PathItem, op *openapi3.Operation) (*Operation, error) {
	o := &Operation{
		ID: op.OperationID, Method: method, Path: path, Tags: slices.Clone(op.Tags),
		Summary: op.Summary, Deprecated: op.Deprecated, doc: d, item: item, op: op,
	}
	if o.ID == "" {
		o.ID = method + " " + path
	}
	loc := fmt.Sprintf("paths.%s.%s.%s", path, strings.ToLower(method), SLAExtension)
	var err error
	if o.spec, err = parseSLA(op.Extensions, loc); err != nil {
		return nil, &OperationError{Method: method, Path: path, OperationID: op.OperationID, Err: err}
	}
	o.findings = NewFindings(0)
	return o, nil
}

// String returns "METHOD /path".
func (o *Operation) String() string { return o.Method + " " + o.Path }

// Labels returns the operation's tags and its operationId (when the document
// gives one), for selecting specs by label.
func (o *Operation) Labels() []string {
	l := slices.Clone(o.Tags)
	if o.op.OperationID != "" {
		l = append(l, o.op.OperationID)
	}
	return l
}

// LoadSpec returns the operation's x-sla with unset fields taken from the
// document's top-level x-sla.
func (o *Operation) LoadSpec() LoadSpec { return o.spec.Or(o.doc.spec) }

// Resolve returns the load spec that applies to the operation: each field
// from the first that sets it of user (the caller's Go code), the
// operation's x-sla, the document's top-level x-sla, and suite (the suite
// default).
func (o *Operation) Resolve(user, suite LoadSpec) LoadSpec {
	return user.Or(o.spec).Or(o.doc.spec).Or(suite)
}

// Findings returns the collector the operation's targets fill with contract
// violations (unless given another with WithFindings).
func (o *Operation) Findings() *Findings { return o.findings }

// Spec returns the underlying kin-openapi operation. It must not be modified.
func (o *Operation) Spec() *openapi3.Operation { return o.op }

// errorf wraps an error about this operation.
func (o *Operation) errorf(format string, args ...any) error {
	return &OperationError{Method: o.Method, Path: o.Path, OperationID: o.op.OperationID, Err: fmt.Errorf(format, args...)}
}
