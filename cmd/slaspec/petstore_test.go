package main

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/internal/petstore"
	"github.com/slaspec/slaspec/report"
	"github.com/slaspec/slaspec/sla"
)

const petstoreDoc = "../../contract/testdata/specs/oapi-codegen__petstore-expanded.yaml"

// petstoreURL serves a fresh pet store (ids from 1000) under basePath.
func petstoreURL(t *testing.T, basePath string) string {
	t.Helper()
	srv := httptest.NewServer(petstore.New().Handler(basePath, nil))
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestContractReachesRealResources: with no hand-written parameter, every
// documented 2xx of every petstore operation is observed, and the output
// says where each operation's values came from.
func TestContractReachesRealResources(t *testing.T) {
	out := filepath.Join(t.TempDir(), "contract.json")
	code, stdout, stderr := run(t, "contract", "-spec", petstoreDoc, "-url", petstoreURL(t, "/api")+"/api",
		"-rate", "50", "-duration", "1s", "-warmup", "100ms", "-sla", "p50<2s", "-seed", "3", "-json", out)
	if code != exitOK && code != exitInconclusive { // inconclusive: a loaded machine's generator
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	for _, want := range []string{"discovery for findPetByID", "values   id (path): learned from findPets (GET /pets) field id ×32"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
	doc, err := report.ReadDocument(out)
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Operations) != 4 {
		t.Fatalf("%d operations", len(doc.Operations))
	}
	for _, e := range doc.Operations {
		if e.Coverage == nil || e.Coverage.Verdict().Status != sla.Passed {
			t.Errorf("%s: coverage %+v", e.Name, e.Coverage)
			continue
		}
		for _, r := range e.Coverage.Responses {
			if r.Documented && strings.HasPrefix(r.Status, "2") && r.Count == 0 {
				t.Errorf("%s: documented %s never observed", e.Name, r.Status)
			}
		}
	}
}

// TestContractParamsAndNoDiscovery: without discovery the made-up ids name
// nothing and the coverage verdict says so (nothing succeeded: exit 1);
// -param pins an id (here of an empty store); a bad -param names what
// there is.
func TestContractParamsAndNoDiscovery(t *testing.T) {
	url := petstoreURL(t, "")
	args := []string{"contract", "-spec", petstoreDoc, "-url", url, "-op", "findPetByID", "-rate", "50",
		"-duration", "400ms", "-warmup", "100ms", "-sla", "p50<2s", "-seed", "3", "-no-discover"}
	code, stdout, _ := run(t, args...)
	if code != exitFail || !strings.Contains(stdout, "INCONCLUSIVE 2xx observed") || !strings.Contains(stdout, "no 2xx response in") || !strings.Contains(stdout, "-param findPetByID.id=VALUE") {
		t.Errorf("exit %d, want %d with the cause:\n%s", code, exitFail, stdout)
	}
	if code, stdout, _ = run(t, append(args, "-param", "findPetByID.id=1000")...); code != exitFail || !strings.Contains(stdout, "pinned ×32: 1000") {
		t.Errorf("exit %d for a pinned id of an empty store:\n%s", code, stdout)
	}
	for _, bad := range []string{"findPetByID.petId=1", "nosuch=1", "novalue"} {
		code, _, stderr := run(t, append(args, "-param", bad)...)
		if code != exitUsage || !strings.Contains(stderr, "-param") {
			t.Errorf("-param %s: exit %d, %s", bad, code, stderr)
		}
	}
}

// TestContractBasePathMismatch: a document whose servers say /api against a
// service at / gives all 404s, and the run names the base path.
func TestContractBasePathMismatch(t *testing.T) {
	code, stdout, _ := run(t, "contract", "-spec", petstoreDoc, "-url", petstoreURL(t, "/api"), "-op", "findPets",
		"-rate", "50", "-duration", "400ms", "-warmup", "100ms", "-sla", "p50<2s", "-seed", "3")
	if code != exitFail {
		t.Errorf("exit %d, want %d", code, exitFail)
	}
	for _, want := range []string{"all 404", "25 of 25 responses were 404: check the base path", "the document's servers say /api", "-url http://HOST:PORT/api"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestContractSpecFromTheService: -spec fetches the document the service
// serves, and a Swagger 2.0 document loads with the notes of its
// conversion.
func TestContractSpecFromTheService(t *testing.T) {
	spec, err := os.ReadFile(petstoreDoc)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(petstore.New().Handler("/api", spec))
	t.Cleanup(srv.Close)
	code, stdout, stderr := run(t, "contract", "-spec", srv.URL+"/api/openapi.yaml", "-url", srv.URL+"/api", "-op", "findPets",
		"-rate", "50", "-duration", "400ms", "-warmup", "100ms", "-sla", "p50<2s", "-seed", "3")
	if (code != exitOK && code != exitInconclusive) || !strings.Contains(stdout, "PASS         2xx observed") {
		t.Errorf("exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = run(t, "contract", "-spec", "http://docs.example.invalid/openapi.json", "-url", srv.URL)
	if code != exitUsage || !strings.Contains(stderr, "not loopback and not in the allow-list") {
		t.Errorf("a remote -spec: exit %d, %s", code, stderr)
	}
	code, stdout, stderr = run(t, "contract", "-spec", "../../contract/testdata/load/swagger2-pets.json", "-url", srv.URL+"/api", "-op", "listPets",
		"-rate", "50", "-duration", "400ms", "-warmup", "100ms", "-sla", "p50<2s", "-seed", "3")
	if (code != exitOK && code != exitInconclusive) || !strings.Contains(stdout, "note: converted from Swagger 2.0") || !strings.Contains(stdout, "PASS         2xx observed") {
		t.Errorf("swagger 2.0: exit %d\n%s\n%s", code, stdout, stderr)
	}
}
