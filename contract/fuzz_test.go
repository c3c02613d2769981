package contract_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/slaspec/slaspec/contract"
)

// FuzzLoad feeds arbitrary bytes to LoadBytes: it must return a document
// or an error, never panic or hang.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "load", "*.yaml"))
	jsonSeeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "load", "*.json"))
	for _, s := range append(seeds, jsonSeeds...) {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := contract.LoadBytes(data)
		if err == nil && doc == nil {
			t.Fatal("nil document without error")
		}
	})
}

// FuzzSynthesize loads a fuzzed document and generates a small pool for
// each operation: every request must validate (Pool checks it) or the
// operation must give an error; nothing may panic.
func FuzzSynthesize(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "synth", "*.yaml"))
	for i, s := range seeds {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint64(i))
	}
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		doc, err := contract.LoadBytes(data)
		if err != nil {
			return
		}
		ops, err := doc.Operations(contract.IncludeDeprecated())
		if err != nil {
			t.Fatal(err)
		}
		for _, op := range ops {
			pool, err := op.Pool(contract.WithSeed(seed), contract.WithPoolSize(2), contract.WithBearer("t"), contract.WithAPIKey("k"), contract.WithBasic("u", "p"))
			if err == nil && len(pool.Requests) != 2 {
				t.Fatalf("%s: pool of %d", op, len(pool.Requests))
			}
		}
	})
}

// schemaDocument is a document whose one operation takes the fuzzed schema
// as a query parameter and as its JSON request body.
const schemaDocument = `openapi: 3.0.3
info: {title: fuzz, version: "1"}
paths:
  /x:
    post:
      parameters: [{name: q, in: query, required: true, schema: %[1]s}]
      requestBody: {required: true, content: {application/json: {schema: %[1]s}}}
      responses: {"200": {description: ok}}
`

// FuzzSynthesizeSchema synthesizes requests for one fuzzed JSON schema, so
// the fuzzer mutates a small schema rather than a whole document: every
// pool must validate (Pool checks each request) or give an error, never
// panic or run away, and the same seed must give the same pool.
func FuzzSynthesizeSchema(f *testing.F) {
	for _, s := range []string{
		`{"type": "string", "pattern": "^[a-z]{2,4}-\\d+$", "minLength": 4}`,
		`{"type": "integer", "minimum": -3, "maximum": 90, "multipleOf": 7}`,
		`{"type": "array", "items": {"type": "string", "enum": ["a", "b", "c"]}, "minItems": 2, "uniqueItems": true}`,
		`{"type": "object", "required": ["id"], "properties": {"id": {"type": "string", "format": "uuid"}, "at": {"type": "string", "format": "date-time"}}}`,
		`{"oneOf": [{"type": "integer"}, {"type": "number", "minimum": 0.5}, {"type": "string", "format": "email"}]}`,
		`{"allOf": [{"type": "object", "properties": {"a": {"type": "boolean"}}}, {"required": ["a"]}], "not": {"required": ["b"]}}`,
		`{"anyOf": [{"oneOf": [{"type": "string"}, {"type": "string", "maxLength": 3}]}, {"nullable": true, "type": "object"}]}`,
		`{"type": "string", "pattern": "(a|b)*c{3,}[^x-z]?\\w+$", "maxLength": 12}`,
	} {
		f.Add([]byte(s), uint64(1))
	}
	f.Fuzz(func(t *testing.T, schema []byte, seed uint64) {
		if !json.Valid(schema) || bytes.ContainsAny(schema, "\n\r") {
			return // kept on one line, so it is YAML flow inside the document
		}
		doc, err := contract.LoadBytes(fmt.Appendf(nil, schemaDocument, schema))
		if err != nil {
			return
		}
		ops, err := doc.Operations()
		if err != nil || len(ops) != 1 {
			t.Fatalf("operations of a loaded document: %d, %v", len(ops), err)
		}
		opts := []contract.Option{contract.WithSeed(seed), contract.WithPoolSize(2)}
		first, err := ops[0].Pool(opts...)
		if err != nil {
			return
		}
		again, err := ops[0].Pool(opts...)
		if err != nil || again.Fingerprint != first.Fingerprint {
			t.Fatalf("seed %d: a second pool differs (%v): %s, then %s", seed, err, first.Fingerprint, again.Fingerprint)
		}
	})
}
