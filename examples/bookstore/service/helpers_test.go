package service_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

// smallCatalog keeps tests that do not need the full catalog fast.
const smallCatalog = 60

// response is what a test request got back.
type response struct {
	status int
	header http.Header
	body   []byte
}

// apiError is the JSON error body as a client sees it.
type apiError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Fields  []struct {
		Name   string `json:"name"`
		Reason string `json:"reason"`
	} `json:"fields"`
}

// book is a book as a client sees it.
type book struct {
	ID     int64    `json:"id"`
	Title  string   `json:"title"`
	Author string   `json:"author"`
	Tags   []string `json:"tags"`
	Price  float64  `json:"price"`
	Stock  int      `json:"stock"`
	Year   int      `json:"year"`
}

type bookList struct {
	Items  []book `json:"items"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
}

type searchResult struct {
	Query string `json:"query"`
	Total int    `json:"total"`
	Hits  []struct {
		Score float64 `json:"score"`
		Book  book    `json:"book"`
	} `json:"hits"`
}

// counters is the "bookstore" object of GET /debug/vars.
type counters struct {
	Regressed             bool  `json:"regressed"`
	Books                 int   `json:"books"`
	Lists                 int64 `json:"lists"`
	ListCatalogCopies     int64 `json:"list_catalog_copies"`
	Searches              int64 `json:"searches"`
	SearchRankComparisons int64 `json:"search_rank_comparisons"`
	Reservations          int64 `json:"reservations"`
	ReserveConflicts      int64 `json:"reserve_conflicts"`
}

// start serves a bookstore built from opts on a loopback test server.
func start(t *testing.T, opts service.Options) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(service.New(opts))
	t.Cleanup(srv.Close)
	return srv
}

// do sends one request; a non-empty body goes with contentType.
func do(t *testing.T, srv *httptest.Server, method, path, contentType, body string) response {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatalf("building %s %s: %v", method, path, err)
	}
	if body != "" || contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, path, err)
	}
	return response{status: resp.StatusCode, header: resp.Header, body: b}
}

// decode unmarshals a response body into a T, failing the test on bad JSON.
func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decoding %T from %q: %v", v, r.body, err)
	}
	return v
}

// fixture returns a file of testdata as a string.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading fixture: %v", err)
	}
	return string(b)
}

// stats reads the service's counters from GET /debug/vars.
func stats(t *testing.T, srv *httptest.Server) counters {
	t.Helper()
	r := do(t, srv, http.MethodGet, "/debug/vars", "", "")
	if r.status != http.StatusOK {
		t.Fatalf("GET /debug/vars: status %d", r.status)
	}
	return decode[struct {
		Bookstore counters `json:"bookstore"`
	}](t, r).Bookstore
}

// wantStatus fails the test when r does not have status want.
func wantStatus(t *testing.T, r response, want int) {
	t.Helper()
	if r.status != want {
		t.Fatalf("status %d, want %d; body %s", r.status, want, r.body)
	}
}

// wantError checks an error response's status, code and the field it names.
func wantError(t *testing.T, r response, status int, code, field string) {
	t.Helper()
	wantStatus(t, r, status)
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q, want application/json", ct)
	}
	e := decode[apiError](t, r)
	if e.Code != code {
		t.Errorf("code %q, want %q (message %q)", e.Code, code, e.Message)
	}
	if e.Message == "" {
		t.Errorf("error has no message")
	}
	if field == "" {
		return
	}
	for _, f := range e.Fields {
		if f.Name == field && f.Reason != "" {
			return
		}
	}
	t.Errorf("fields %+v do not name %q", e.Fields, field)
}
