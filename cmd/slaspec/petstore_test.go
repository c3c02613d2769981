package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
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

// TestContractRefusesAnInconclusivePlan: a budget the planned load cannot
// make conclusive stops the run before anything is sent (exit 2), saying
// what would; -allow-inconclusive runs anyway.
func TestContractRefusesAnInconclusivePlan(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	t.Cleanup(srv.Close)
	args := []string{"contract", "-spec", petstoreDoc, "-url", srv.URL, "-op", "findPets", "-rate", "50", "-duration", "3s", "-sla", "p99<1s", "-seed", "3"}
	code, _, stderr := run(t, args...)
	want := "GET /pets (findPets): p99 needs 1,000 samples; 50 req/s × 3s gives 150: use -duration 20s or -rate 334, or budget p90"
	if code != exitUsage || !strings.Contains(stderr, want) || !strings.Contains(stderr, "nothing was sent") || hits.Load() != 0 {
		t.Errorf("exit %d, %d requests sent:\n%s", code, hits.Load(), stderr)
	}
	args[10] = "300ms"
	code, stdout, stderr := run(t, append(args, "-allow-inconclusive", "-warmup", "100ms")...)
	if code == exitUsage || hits.Load() == 0 || !strings.Contains(stderr, "warning: will be inconclusive") || !strings.Contains(stdout, "INCONCLUSIVE p99<1s") {
		t.Errorf("-allow-inconclusive: exit %d, %d requests\n%s\n%s", code, hits.Load(), stdout, stderr)
	}
}

// TestGenDefaultsAreConclusive: gen's own defaults pass the sample rule,
// an inconclusive -sla is refused, and the suite loads the document
// relative to the file it is written to, with one place for credentials.
func TestGenDefaultsAreConclusive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "pkg", "sla_test.go")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		t.Fatal(err)
	}
	spec := "../../contract/testdata/specs/oapi-codegen__authenticated-api.yaml"
	if code, _, stderr := run(t, "gen", "-spec", spec, "-o", out); code != exitOK {
		t.Fatalf("gen with its defaults: exit %d: %s", code, stderr)
	}
	src, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	abs, _ := filepath.Abs(spec)
	rel, _ := filepath.Rel(filepath.Dir(out), abs)
	for _, want := range []string{`contract.Load("` + filepath.ToSlash(rel) + `")`, `sla.MustParse("p95<500ms, errors<1%")`,
		`os.Getenv("SLASPEC_TARGET_TOKEN")`, "contract.WithBearer(token)", "}, requestOptions()...)"} {
		if !strings.Contains(string(src), want) {
			t.Errorf("generated suite lacks %q", want)
		}
	}
	code, _, stderr := run(t, "gen", "-spec", spec, "-sla", "p99<500ms")
	if code != exitUsage || !strings.Contains(stderr, "p99 needs 1,000 samples; 50 req/s × 5s gives 250: use -duration 20s or -rate 200, or budget p95") {
		t.Errorf("gen -sla p99: exit %d: %s", code, stderr)
	}
}
