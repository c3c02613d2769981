package contract_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/internal/petstore"
	"github.com/slaspec/slaspec/loadrunner"
)

// petstoreJSON renders the petstore-expanded document as JSON, minified or
// indented.
func petstoreJSON(t *testing.T, indent bool) []byte {
	t.Helper()
	raw, err := petstoreDoc(t).Spec().MarshalJSON()
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if indent {
		err = json.Indent(&buf, raw, "", "  ")
	} else {
		err = json.Compact(&buf, raw)
	}
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestDocumentsAsTheyCome: minified and pretty JSON, YAML and Swagger 2.0
// all load to the same operations.
func TestDocumentsAsTheyCome(t *testing.T) {
	yaml, err := os.ReadFile(filepath.Join("testdata", "specs", "oapi-codegen__petstore-expanded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	minified := petstoreJSON(t, false)
	if bytes.Count(minified, []byte("\n")) != 0 {
		t.Fatal("the minified document has line breaks")
	}
	for name, data := range map[string][]byte{"yaml": yaml, "minified json": minified, "pretty json": petstoreJSON(t, true),
		"json after a BOM and blank lines": append([]byte("\ufeff\n\n"), minified...)} {
		doc, err := contract.LoadBytes(data)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		ops, _ := doc.Operations()
		if len(ops) != 4 || doc.Title() != "Swagger Petstore" || len(doc.Notes()) != 0 {
			t.Errorf("%s: %d operations, title %q, notes %v", name, len(ops), doc.Title(), doc.Notes())
		}
	}
}

// TestBrokenJSONNamesTheOffset: a syntax error in a one-line document
// names its byte offset, not a missing version.
func TestBrokenJSONNamesTheOffset(t *testing.T) {
	tests := []struct{ name, doc, want string }{
		{"truncated", `{"openapi":"3.0.0","info":{"title":"x"`, "JSON syntax error at byte offset 38 (line 1, column 39)"},
		{"bad token", `{"openapi":"3.0.0","info":{"title":"x"}]`, "JSON syntax error at byte offset 40 (line 1, column 41): invalid character ']'"},
		{"second line", "{\n\"openapi\": \"3.0.0\",\n\"info\": {}}}", "(line 3, column 13)"},
		{"yaml in flow style", `{openapi: 3.0.0, info: {title: flow, version: "1"}, paths: {/a: {get: {responses: {"200": {description: ok}}}}}}`, ""},
		{"array", `[{"openapi":"3.0.0"}]`, "the document is a JSON array, want an object"},
		{"no version", `{"info":{}}`, "no openapi version field"},
		{"version 4", `{"openapi":"4.0.0"}`, "openapi version 4.0.0 is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := contract.LoadBytes([]byte(tt.doc))
			if tt.want == "" && err == nil {
				return
			}
			if err == nil || tt.want == "" || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// TestSwagger2 converts a Swagger 2.0 document, says what the conversion
// cannot carry, and generates valid requests for every operation.
func TestSwagger2(t *testing.T) {
	doc, err := contract.Load(filepath.Join("testdata", "load", "swagger2-pets.json"))
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(doc.Notes(), "\n")
	for _, want := range []string{"converted from Swagger 2.0", `basePath "/v2" became servers`, "tsv has no OpenAPI 3 equivalent: [GET /pets tags]", "no produces: response bodies of [GET /pets POST /pets]"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes lack %q:\n%s", want, notes)
		}
	}
	if doc.ServersPath() != "/v2" {
		t.Errorf("servers path %q", doc.ServersPath())
	}
	ops, _ := doc.Operations()
	if len(ops) != 3 {
		t.Fatalf("%d operations", len(ops))
	}
	for _, op := range ops {
		if _, err := op.Pool(contract.WithPoolSize(4)); err != nil {
			t.Errorf("%s: %v", op, err)
		}
	}
}

// TestLoadURL fetches a document from the service itself, and refuses
// hosts outside loopback and the allow-list, bad statuses, huge bodies and
// slow answers.
func TestLoadURL(t *testing.T) {
	spec, err := os.ReadFile(filepath.Join("testdata", "specs", "oapi-codegen__petstore-expanded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	store := httptest.NewServer(petstore.New().Handler("/api", spec))
	defer store.Close()
	doc, err := contract.LoadURL(context.Background(), store.URL+"/api/openapi.yaml")
	if err != nil || doc.Title() != "Swagger Petstore" {
		t.Fatalf("load from the service: %v", err)
	}
	release := make(chan struct{})
	odd := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/huge":
			w.Write(bytes.Repeat([]byte("#"), contract.MaxDocumentSize+1))
		case "/slow":
			select {
			case <-release:
			case <-r.Context().Done():
			}
		default:
			http.NotFound(w, r)
		}
	}))
	defer odd.Close()
	defer close(release)
	if _, err := contract.LoadURL(context.Background(), odd.URL+"/huge"); err == nil || !strings.Contains(err.Error(), "exceeds the") {
		t.Errorf("huge: %v", err)
	}
	tests := []struct{ url, want string }{
		{odd.URL + "/missing", "status 404, want 200"},
		{odd.URL + "/slow", "Timeout"},
		{"http://api.example.invalid/openapi.json", "not loopback and not in the allow-list"},
		{"ftp://127.0.0.1/x", "want an http or https URL"},
	}
	for _, tt := range tests {
		_, err := contract.LoadURL(context.Background(), tt.url, contract.WithFetchTimeout(300*time.Millisecond))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "contract: load ") {
			t.Errorf("%s: error %v, want %q", tt.url, err, tt.want)
		}
	}
	secret := strings.Replace(odd.URL, "://", "://u:pw-SECRET@", 1) + "/slow?token=tk-SECRET"
	if _, err := contract.LoadURL(context.Background(), secret, contract.WithFetchTimeout(300*time.Millisecond)); err == nil || strings.Contains(err.Error(), "SECRET") {
		t.Errorf("a URL with credentials: error %v, want one without them", err)
	}
	_, err = contract.LoadURL(context.Background(), "http://api.example.invalid/openapi.json")
	if !errors.Is(err, loadrunner.ErrTargetRefused) {
		t.Errorf("remote host: %v, want ErrTargetRefused", err)
	}
}
