package contract_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/internal/petstore"
	"github.com/slaspec/slaspec/loadrunner"
	"github.com/slaspec/slaspec/sla"
)

// petstoreDoc loads the petstore-expanded document (servers: .../api).
func petstoreDoc(t *testing.T) *contract.Document {
	t.Helper()
	doc, err := contract.Load(filepath.Join("testdata", "specs", "oapi-codegen__petstore-expanded.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// byID returns the document's operation with id.
func byID(t *testing.T, doc *contract.Document, id string) *contract.Operation {
	t.Helper()
	ops, err := doc.Operations(contract.ByID(id))
	if err != nil {
		t.Fatal(err)
	}
	return ops[0]
}

// hit prepares op against url and sends n requests through its target,
// one after another, returning the prepared operation.
func hit(t *testing.T, op *contract.Operation, url string, n int, opts ...contract.Option) *contract.Prepared {
	t.Helper()
	p, err := op.Prepare(url, contract.LoadSpec{}, contract.LoadSpec{}, append([]contract.Option{contract.WithSeed(3)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	for i := range n {
		p.Target.Hit(context.Background(), uint64(i), &loadrunner.Trace{})
	}
	return p
}

// TestCoverageJudged: an operation whose documented 2xx was never observed
// is inconclusive with the cause; one that saw its 2xx passes.
func TestCoverageJudged(t *testing.T) {
	doc := petstoreDoc(t)
	store := petstore.New()
	store.Add("rex", "dog")
	srv := httptest.NewServer(store.Handler("", nil))
	defer srv.Close()
	tests := []struct {
		id, url string
		status  sla.Status
		detail  []string
	}{
		{"findPets", srv.URL, sla.Passed, nil},
		{"findPetByID", srv.URL, sla.Inconclusive, []string{"no 2xx response in 40 responses: all 404", "path parameters (id) real?", "-param findPetByID.id=VALUE", "servers say /api"}},
		{"findPets", srv.URL + "/v3", sla.Inconclusive, []string{"all 404", "is the base path right?", "servers say /api", "-url http://HOST:PORT/api"}},
	}
	for _, tt := range tests {
		t.Run(tt.id+" "+tt.url, func(t *testing.T) {
			p := hit(t, byID(t, doc, tt.id), tt.url, 40)
			cov := p.Coverage.Coverage()
			if cov.Total != 40 {
				t.Fatalf("total %d, want 40", cov.Total)
			}
			ev := contract.Judge(nil, sla.SLA{}, &cov)
			v := ev.Verdicts[len(ev.Verdicts)-1]
			if ev.Status != tt.status || v.Budget != contract.CoverageBudget || v.Status != tt.status {
				t.Fatalf("status %s, verdict %+v, want %s", ev.Status, v, tt.status)
			}
			for _, want := range tt.detail {
				if !strings.Contains(v.Detail, want) {
					t.Errorf("detail %q lacks %q", v.Detail, want)
				}
			}
		})
	}
}

// TestCoverageRows: every documented response is listed, observed or not,
// with the codes a default caught, and undocumented ones are marked.
func TestCoverageRows(t *testing.T) {
	doc := petstoreDoc(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "1") {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(http.StatusTeapot)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusNotFound)
		w.Write([]byte(`{"code": 404, "message": "no"}`))
	}))
	defer srv.Close()
	p := hit(t, byID(t, doc, "deletePet"), srv.URL, 32)
	cov := p.Coverage.Coverage()
	var b strings.Builder
	cov.WriteText(&b)
	text := b.String()
	t.Logf("coverage:\n%s", text)
	for _, want := range []string{"32 responses", "204 (no content)", "never", "default application/json ×", "(404 ×", "default text/plain", "undocumented"} {
		if !strings.Contains(text, want) {
			t.Errorf("coverage text lacks %q:\n%s", want, text)
		}
	}
	if never := cov.Never(); len(never) != 1 || never[0].Status != "204" {
		t.Errorf("never observed %+v, want the 204", never)
	}
	var merged contract.Coverage
	merged.Merge(cov)
	merged.Merge(cov)
	if merged.Total != 64 || merged.StatusCodes[404]+merged.StatusCodes[418] != 64 || len(merged.Responses) != len(cov.Responses) {
		t.Errorf("merged %+v", merged)
	}
}

// TestNotFoundAdvice: a run where nearly everything was 404 names the base
// path; one with real answers says nothing.
func TestNotFoundAdvice(t *testing.T) {
	notFound := contract.Coverage{Total: 100, StatusCodes: map[int]int64{404: 95, 200: 5}, ServersPath: "/v3"}
	if got := contract.NotFoundAdvice(notFound); !strings.Contains(got, "95 of 100 responses were 404") || !strings.Contains(got, "/v3") {
		t.Errorf("advice %q", got)
	}
	ok := contract.Coverage{Total: 100, StatusCodes: map[int]int64{404: 50, 200: 50}}
	if got := contract.NotFoundAdvice(notFound, ok); got != "" {
		t.Errorf("advice %q for a run with half 200s", got)
	}
}

// TestBasePathIsTheURLsPath: the base URL's path, with or without a
// trailing slash, prefixes every operation's path; the document's servers
// play no part.
func TestBasePathIsTheURLsPath(t *testing.T) {
	doc := petstoreDoc(t)
	var paths []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		paths = append(paths, r.URL.Path)
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`[]`))
	}))
	defer srv.Close()
	for _, base := range []string{srv.URL + "/v3", srv.URL + "/v3/", srv.URL} {
		paths = nil
		p := hit(t, byID(t, doc, "findPets"), base, 1)
		want := strings.TrimSuffix(strings.TrimPrefix(base, srv.URL), "/") + "/pets"
		if len(paths) != 1 || paths[0] != want || p.Coverage.Coverage().Successes() != 1 {
			t.Errorf("base %s: paths %v, want %s", base, paths, want)
		}
	}
}
