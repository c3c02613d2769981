package contract

import (
	"fmt"
	"net/url"
	"slices"

	"github.com/getkin/kin-openapi/openapi2"
	"github.com/getkin/kin-openapi/openapi2conv"
	"github.com/getkin/kin-openapi/openapi3"
)

// convertSwagger2 decodes a Swagger 2.0 document and converts it to
// OpenAPI 3.0 with kin-openapi's openapi2conv, returning notes on what the
// conversion changed or could not carry.
func convertSwagger2(data []byte, loader *openapi3.Loader, location *url.URL) (t *openapi3.T, notes []string, err error) {
	var doc2 openapi2.T
	if err := openapi2.UnmarshalFromData(data, &doc2); err != nil {
		return nil, nil, fmt.Errorf("swagger 2.0: %w", err)
	}
	defer func() { // the converter panics on some malformed inputs
		if r := recover(); r != nil {
			t, notes, err = nil, nil, fmt.Errorf("swagger 2.0: conversion to OpenAPI 3 failed: %v", r)
		}
	}()
	t, err = openapi2conv.ToV3WithLoader(&doc2, loader, location)
	if err != nil {
		return nil, nil, fmt.Errorf("swagger 2.0: conversion to OpenAPI 3: %w", err)
	}
	if t.Paths == nil {
		t.Paths = openapi3.NewPaths()
	}
	return t, swagger2Notes(&doc2), nil
}

// swagger2Notes says what the conversion changed or lost in this document.
func swagger2Notes(d *openapi2.T) []string {
	notes := []string{"converted from Swagger 2.0 to OpenAPI 3.0 with kin-openapi's openapi2conv"}
	if d.Host != "" || d.BasePath != "" {
		notes = append(notes, fmt.Sprintf("host %q and basePath %q became servers, which are not used to send: give the full base URL (with %s) yourself", d.Host, d.BasePath, orSlash(d.BasePath)))
	}
	var noProduces, tsv, otherFormat []string
	for _, path := range sortedKeys(d.Paths) {
		item := d.Paths[path]
		for _, method := range sortedKeys(item.Operations()) {
			op := item.Operations()[method]
			name := method + " " + path
			if len(op.Produces) == 0 && len(d.Produces) == 0 && hasResponseSchema(op) {
				noProduces = append(noProduces, name)
			}
			for _, p := range append(slices.Clone(item.Parameters), op.Parameters...) {
				switch {
				case p == nil:
				case p.CollectionFormat == "tsv":
					tsv = append(tsv, name+" "+p.Name)
				case p.In != "query" && p.In != "formData" && p.CollectionFormat != "" && p.CollectionFormat != "csv":
					otherFormat = append(otherFormat, name+" "+p.Name)
				}
			}
		}
	}
	if len(noProduces) > 0 {
		notes = append(notes, fmt.Sprintf("no produces: response bodies of %s are taken as application/json", listSome(noProduces)))
	}
	if len(tsv) > 0 {
		notes = append(notes, fmt.Sprintf("collectionFormat tsv has no OpenAPI 3 equivalent: %s are sent comma-separated", listSome(tsv)))
	}
	if len(otherFormat) > 0 {
		notes = append(notes, fmt.Sprintf("the collectionFormat of path and header parameters is not carried: %s are sent comma-separated", listSome(otherFormat)))
	}
	return notes
}

func orSlash(p string) string {
	if p == "" {
		return "/"
	}
	return p
}

// hasResponseSchema reports whether an operation declares a response body.
func hasResponseSchema(op *openapi2.Operation) bool {
	if op.Responses == nil {
		return false
	}
	for _, r := range op.Responses.Map() {
		if r != nil && r.Schema != nil {
			return true
		}
	}
	return false
}

// listSome lists up to three items and how many more.
func listSome(items []string) string {
	if len(items) <= 3 {
		return fmt.Sprint(items)
	}
	return fmt.Sprintf("%v and %d more", items[:3], len(items)-3)
}
