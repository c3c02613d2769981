package service_test

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/slaspec/slaspec/examples/bookstore/service"
	"github.com/slaspec/slaspec/sla"
)

// slaKeys are the only fields an x-sla extension may have.
var slaKeys = []string{"rate", "duration", "warmup", "budget", "weight"}

func TestOpenAPIIsComplete(t *testing.T) {
	doc, err := openapi3.NewLoader().LoadFromData(service.OpenAPI)
	if err != nil {
		t.Fatalf("loading openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	if doc.OpenAPI != "3.0.3" {
		t.Errorf("openapi version %q, want 3.0.3", doc.OpenAPI)
	}
	ids := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			name := method + " " + path
			t.Run(name, func(t *testing.T) {
				if op.OperationID == "" || ids[op.OperationID] || len(op.Tags) == 0 || op.Summary == "" {
					t.Errorf("operationId %q (unique: %v), tags %v, summary %q: want all set",
						op.OperationID, !ids[op.OperationID], op.Tags, op.Summary)
				}
				ids[op.OperationID] = true
				for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
					if p.Value.Schema == nil || (p.Value.Example == nil && p.Value.Schema.Value.Example == nil) {
						t.Errorf("parameter %s lacks a schema or an example", p.Value.Name)
					}
				}
				if rb := op.RequestBody; rb != nil && rb.Value.Content.Get("application/json") == nil {
					t.Errorf("request body is not application/json")
				}
				checkResponses(t, op)
				if ext, ok := op.Extensions["x-sla"]; ok {
					checkSLA(t, ext)
				}
			})
		}
	}
	wantIDs := []string{"createBook", "deleteBook", "getBook", "listBooks", "reserveBook", "searchBooks", "updateBook"}
	if got := slices.Sorted(maps.Keys(ids)); !slices.Equal(got, wantIDs) {
		t.Errorf("operations %v, want %v", got, wantIDs)
	}
	ext, ok := doc.Extensions["x-sla"]
	if !ok {
		t.Fatalf("document has no top-level x-sla")
	}
	checkSLA(t, ext)
}

// checkResponses wants every non-204 response to carry a JSON schema and
// every failure status to use the Error schema.
func checkResponses(t *testing.T, op *openapi3.Operation) {
	t.Helper()
	for status, ref := range op.Responses.Map() {
		if status == "204" {
			if len(ref.Value.Content) != 0 {
				t.Errorf("204 declares a body")
			}
			continue
		}
		mt := ref.Value.Content.Get("application/json")
		if mt == nil || mt.Schema == nil {
			t.Errorf("response %s has no application/json schema", status)
			continue
		}
		if status >= "400" && !strings.HasSuffix(mt.Schema.Ref, "/Error") {
			t.Errorf("response %s uses schema %q, want the Error schema", status, mt.Schema.Ref)
		}
	}
}

// checkSLA wants an x-sla object of the shape {rate, duration, warmup, budget}.
func checkSLA(t *testing.T, v any) {
	t.Helper()
	fields, ok := v.(map[string]any)
	if !ok || len(fields) == 0 {
		t.Errorf("x-sla is %T %v, want a non-empty object", v, v)
		return
	}
	for key, val := range fields {
		if !slices.Contains(slaKeys, key) {
			t.Errorf("x-sla has key %q, want only %v", key, slaKeys)
			continue
		}
		switch key {
		case "rate", "weight":
			if r, ok := val.(float64); !ok || r <= 0 {
				t.Errorf("x-sla %s %v is not a positive number", key, val)
			}
		case "duration", "warmup":
			s, _ := val.(string)
			if d, err := time.ParseDuration(s); err != nil || d <= 0 {
				t.Errorf("x-sla %s %v is not a positive duration", key, val)
			}
		case "budget":
			s, _ := val.(string)
			if _, err := sla.Parse(s); err != nil {
				t.Errorf("x-sla budget %v: %v", val, err)
			}
		}
	}
}

// TestOpenAPIExamplesAreServed checks that each path parameter's example
// names a book the good service actually has.
func TestOpenAPIExamplesAreServed(t *testing.T) {
	srv := start(t, service.Options{})
	doc, _ := loadDocument(t, srv.URL)
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			for _, p := range op.Parameters {
				if p.Value.In != "path" {
					continue
				}
				ex := p.Value.Example
				if ex == nil {
					ex = p.Value.Schema.Value.Example
				}
				id, ok := ex.(float64)
				if !ok {
					t.Errorf("%s %s: id example %v is not a number", method, path, ex)
					continue
				}
				r := do(t, srv, http.MethodGet, "/books/"+strconv.FormatFloat(id, 'f', -1, 64), "", "")
				wantStatus(t, r, http.StatusOK)
			}
		}
	}
}
