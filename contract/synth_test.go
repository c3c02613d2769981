package contract_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/contract"
)

// TestSynthesisProperty generates requests from thousands of seeds over a
// document whose schemas use every keyword the synthesizer covers; Pool
// validates each request with openapi3filter.ValidateRequest, so any
// invalid request fails the test.
func TestSynthesisProperty(t *testing.T) {
	doc, err := contract.Load(filepath.Join("testdata", "synth.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	seeds := 2000
	if testing.Short() {
		seeds = 200
	}
	for _, id := range []string{"createItem", "postForm"} {
		ops, err := doc.Operations(contract.ByID(id))
		if err != nil || len(ops) != 1 {
			t.Fatalf("%s: %v", id, err)
		}
		for seed := range uint64(seeds) {
			if _, err := ops[0].Pool(contract.WithSeed(seed), contract.WithPoolSize(2)); err != nil {
				t.Fatalf("%s seed %d: %v", id, seed, err)
			}
		}
	}
}

// TestSynthesisDeterministic checks that a seed gives the same pool and
// another seed another one.
func TestSynthesisDeterministic(t *testing.T) {
	op := operation(t, "synth.yaml", "createItem")
	a, err := op.Pool(contract.WithSeed(42))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := op.Pool(contract.WithSeed(42))
	c, _ := op.Pool(contract.WithSeed(43))
	if a.Fingerprint != b.Fingerprint || a.Fingerprint == c.Fingerprint {
		t.Fatalf("fingerprints: same seed %s vs %s, other seed %s", a.Fingerprint, b.Fingerprint, c.Fingerprint)
	}
	for i := range a.Requests {
		if string(a.Requests[i].Body) != string(b.Requests[i].Body) || a.Requests[i].URL != b.Requests[i].URL {
			t.Fatalf("request %d differs between runs of seed 42", i)
		}
	}
	if strings.Contains(string(a.Requests[0].Body), `"id"`) {
		t.Errorf("readOnly property id sent in a request: %s", a.Requests[0].Body)
	}
	distinct := map[string]bool{}
	for _, r := range a.Requests {
		distinct[r.URL+string(r.Body)] = true
	}
	if len(distinct) < len(a.Requests)/2 {
		t.Errorf("pool of %d has only %d distinct requests", len(a.Requests), len(distinct))
	}
}

// TestSynthesisReasons checks the clear reasons for operations whose
// requests cannot be generated.
func TestSynthesisReasons(t *testing.T) {
	tests := []struct {
		name, file, id, want string
	}{
		{"xml only body", "synth.yaml", "putXML", "only XML media types are declared (application/xml)"},
		{"missing credentials", "specs/oapi-codegen__authenticated-api.yaml", "addThing", "needs credentials for [BearerAuth]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := operation(t, tt.file, tt.id).Pool()
			var oe *contract.OperationError
			if err == nil || !errors.As(err, &oe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want an *OperationError containing %q", err, tt.want)
			}
		})
	}
}

// operation loads a testdata document and returns one operation by ID.
func operation(t testing.TB, file, id string) *contract.Operation {
	t.Helper()
	doc, err := contract.Load(filepath.Join("testdata", file))
	if err != nil {
		t.Fatal(err)
	}
	ops, err := doc.Operations(contract.ByID(id), contract.IncludeDeprecated())
	if err != nil || len(ops) != 1 {
		t.Fatalf("operation %s: %d, %v", id, len(ops), err)
	}
	return ops[0]
}
