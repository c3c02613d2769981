package service_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

// contractCase is one request of the contract tests. requestValid says
// whether the request itself conforms to the document: the bad ones must be
// refused by the document and by the service alike.
type contractCase struct {
	name, method, path, contentType, body string
	status                                int
	requestValid                          bool
}

// contractCases cover every operation with every status it declares. stocked
// and soldOut are paths of books created for the reservation cases.
func contractCases(t *testing.T, stocked, soldOut string) []contractCase {
	valid, invalid := fixture(t, "book_valid.json"), fixture(t, "book_invalid.json")
	huge := `{"title": "` + strings.Repeat("t", 70_000) + `", "author": "a", "price": 1}`
	padded := `{"quantity": 1` + strings.Repeat(" ", 70_000) + `}`
	const js = "application/json"
	return []contractCase{
		{"list defaults", "GET", "/books", "", "", 200, true},
		{"list filtered page", "GET", "/books?limit=5&offset=3&tag=history&author=Ken+Backus", "", "", 200, true},
		{"list past the end", "GET", "/books?offset=5000", "", "", 200, true},
		{"list bad limit", "GET", "/books?limit=0", "", "", 400, false},
		{"list bad tag", "GET", "/books?tag=No+Tag", "", "", 400, false},
		{"create", "POST", "/books", js, valid, 201, true},
		{"create minimal", "POST", "/books", js, fixture(t, "book_minimal.json"), 201, true},
		{"create invalid", "POST", "/books", js, invalid, 400, false},
		{"create unknown field", "POST", "/books", js, `{"title": "t", "author": "a", "price": 1, "isbn": "x"}`, 400, false},
		{"create too large", "POST", "/books", js, huge, 413, false},
		{"create plain text", "POST", "/books", "text/plain", "title", 415, false},
		{"get", "GET", "/books/42", "", "", 200, true},
		{"get created", "GET", stocked, "", "", 200, true},
		{"get bad id", "GET", "/books/abc", "", "", 400, false},
		{"get missing", "GET", "/books/1000000", "", "", 404, true},
		{"update", "PUT", "/books/7", js, valid, 200, true},
		{"update invalid", "PUT", "/books/7", js, invalid, 400, false},
		{"update missing", "PUT", "/books/1000000", js, valid, 404, true},
		{"update too large", "PUT", "/books/7", js, huge, 413, false},
		{"update plain text", "PUT", "/books/7", "text/plain", "title", 415, false},
		{"reserve without body", "POST", "/books/100/reserve", "", "", 200, true},
		{"reserve two", "POST", stocked + "/reserve", js, `{"quantity": 2}`, 200, true},
		{"reserve bad quantity", "POST", "/books/100/reserve", js, `{"quantity": 0}`, 400, false},
		{"reserve missing", "POST", "/books/1000000/reserve", "", "", 404, true},
		{"reserve sold out", "POST", soldOut + "/reserve", "", "", 409, true},
		{"reserve too large", "POST", "/books/100/reserve", js, padded, 413, true},
		{"reserve plain text", "POST", "/books/100/reserve", "text/plain", "1", 415, false},
		{"search", "GET", "/search?q=river", "", "", 200, true},
		{"search two words", "GET", "/search?q=lighthouse+harbor&limit=50", "", "", 200, true},
		{"search no hits", "GET", "/search?q=xylophone", "", "", 200, true},
		{"search without words", "GET", "/search?q=%21%21", "", "", 400, false},
		{"search bad limit", "GET", "/search?q=river&limit=51", "", "", 400, false},
		{"delete", "DELETE", "/books/999", "", "", 204, true},
		{"delete again", "DELETE", "/books/999", "", "", 204, true},
		{"delete bad id", "DELETE", "/books/-1", "", "", 400, false},
	}
}

// loadDocument loads and validates the embedded document, served from url.
func loadDocument(t *testing.T, url string) (*openapi3.T, routers.Router) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(service.OpenAPI)
	if err != nil {
		t.Fatalf("loading openapi.yaml: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("openapi.yaml is invalid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: url}}
	router, err := legacy.NewRouter(doc)
	if err != nil {
		t.Fatalf("routing openapi.yaml: %v", err)
	}
	return doc, router
}

// exchange is one request checked against the document and sent.
type exchange struct {
	route      *routers.Route
	requestErr error // the document's verdict on the request
	status     int
	header     http.Header
	body       []byte
}

// validate checks the response against the document.
func (x exchange) validate(req *http.Request, params map[string]string) error {
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: x.route}
	return openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 x.status,
		Header:                 x.header,
		Body:                   io.NopCloser(bytes.NewReader(x.body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	})
}

// send validates c's request against the document, sends it and validates
// the response, returning the exchange and the response's verdict.
func send(t *testing.T, srv *httptest.Server, router routers.Router, c contractCase) (exchange, error) {
	t.Helper()
	newRequest := func() *http.Request {
		req, err := http.NewRequest(c.method, srv.URL+c.path, strings.NewReader(c.body))
		if err != nil {
			t.Fatalf("building request: %v", err)
		}
		if c.contentType != "" {
			req.Header.Set("Content-Type", c.contentType)
		}
		return req
	}
	req := newRequest()
	route, params, err := router.FindRoute(req)
	if err != nil {
		t.Fatalf("%s %s has no operation in the document: %v", c.method, c.path, err)
	}
	x := exchange{route: route}
	x.requestErr = openapi3filter.ValidateRequest(context.Background(),
		&openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route})
	r := do(t, srv, c.method, c.path, c.contentType, c.body)
	x.status, x.header, x.body = r.status, r.header, r.body
	return x, x.validate(newRequest(), params)
}

func TestGoodServiceHoldsTheContract(t *testing.T) {
	srv := start(t, service.Options{})
	doc, router := loadDocument(t, srv.URL)
	stocked := do(t, srv, http.MethodPost, "/books", "application/json", fixture(t, "book_valid.json")).header.Get("Location")
	soldOut := do(t, srv, http.MethodPost, "/books", "application/json",
		`{"title": "Gone", "author": "Nobody", "price": 1, "stock": 0}`).header.Get("Location")
	if stocked == "" || soldOut == "" {
		t.Fatalf("creating the reservation books gave locations %q and %q", stocked, soldOut)
	}
	covered := map[string]bool{}
	for _, c := range contractCases(t, stocked, soldOut) {
		t.Run(c.name, func(t *testing.T) {
			x, respErr := send(t, srv, router, c)
			if x.status != c.status {
				t.Fatalf("status %d, want %d; body %.300s", x.status, c.status, x.body)
			}
			if respErr != nil {
				t.Errorf("response breaks the contract: %v", respErr)
			}
			if c.requestValid != (x.requestErr == nil) {
				t.Errorf("document's verdict on the request: %v, want valid=%v", x.requestErr, c.requestValid)
			}
			covered[fmt.Sprintf("%s %d", x.route.Operation.OperationID, x.status)] = true
		})
	}
	if missing := uncovered(declaredStatuses(doc), covered); len(missing) > 0 {
		t.Errorf("declared responses no case exercised: %v", missing)
	}
}

// declaredStatuses lists "operationId status" for every response the
// document declares.
func declaredStatuses(doc *openapi3.T) []string {
	var out []string
	for _, item := range doc.Paths.Map() {
		for _, op := range item.Operations() {
			for status := range op.Responses.Map() {
				out = append(out, op.OperationID+" "+status)
			}
		}
	}
	slices.Sort(out)
	return out
}

func uncovered(declared []string, covered map[string]bool) []string {
	var missing []string
	for _, d := range declared {
		if !covered[d] {
			missing = append(missing, d)
		}
	}
	return missing
}

func TestRegressedServiceBreaksGetBook(t *testing.T) {
	srv := start(t, service.Options{Regressed: true, Books: regressedCatalog})
	_, router := loadDocument(t, srv.URL)
	tests := []struct {
		c         contractCase
		wantBreak bool
	}{
		{contractCase{"get", "GET", "/books/42", "", "", 200, true}, true},
		{contractCase{"get another", "GET", "/books/7", "", "", 200, true}, true},
		{contractCase{"get missing", "GET", "/books/1000000", "", "", 404, true}, false},
		{contractCase{"list", "GET", "/books?limit=50", "", "", 200, true}, false},
		{contractCase{"search", "GET", "/search?q=river", "", "", 200, true}, false},
	}
	for _, tt := range tests {
		t.Run(tt.c.name, func(t *testing.T) {
			x, respErr := send(t, srv, router, tt.c)
			if x.status != tt.c.status {
				t.Fatalf("status %d, want %d", x.status, tt.c.status)
			}
			switch {
			case tt.wantBreak && respErr == nil:
				t.Errorf("regressed response %.200s passed validation, want the price type to break it", x.body)
			case tt.wantBreak && !strings.Contains(respErr.Error(), "price"):
				t.Errorf("validation error %q does not name price", respErr)
			case !tt.wantBreak && respErr != nil:
				t.Errorf("response breaks the contract, want only GET /books/{id} broken: %v", respErr)
			}
		})
	}
}
