// Package bookstore holds the example bookstore service's OpenAPI document.
//
// The service itself lives in the service subpackage and the runnable binary in
// cmd/bookstore; this package only embeds openapi.yaml so that the document and
// the code ship together and cannot drift apart unnoticed.
package bookstore

import _ "embed"

// OpenAPI is the bookstore's OpenAPI 3.0.3 document (YAML) with its x-sla
// extensions. Treat it as read-only.
//
//go:embed openapi.yaml
var OpenAPI []byte
