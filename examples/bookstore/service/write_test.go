package service_test

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

func TestCreateBook(t *testing.T) {
	tests := []struct {
		name string
		body string
		want book
	}{
		{"every field", fixture(t, "book_valid.json"), book{
			Title: "The Go Programming Language", Author: "Alan Donovan", Tags: []string{"technology", "go"},
			Price: 39.99, Stock: 2, Year: 2015,
		}},
		{"required fields only", fixture(t, "book_minimal.json"), book{
			Title: "Notes", Author: "Anonymous", Tags: []string{},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := start(t, service.Options{Books: smallCatalog})
			r := do(t, srv, http.MethodPost, "/books", "application/json", tt.body)
			wantStatus(t, r, http.StatusCreated)
			tt.want.ID = smallCatalog + 1
			if loc := r.header.Get("Location"); loc != fmt.Sprintf("/books/%d", tt.want.ID) {
				t.Errorf("location %q, want /books/%d", loc, tt.want.ID)
			}
			if got := decode[book](t, r); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("created %+v, want %+v", got, tt.want)
			}
			stored := decode[book](t, do(t, srv, http.MethodGet, r.header.Get("Location"), "", ""))
			if !reflect.DeepEqual(stored, tt.want) {
				t.Errorf("stored %+v, want %+v", stored, tt.want)
			}
		})
	}
}

// badBody is an invalid book body and the error it must get.
type badBody struct {
	name, contentType, body string
	status                  int
	code                    string
	fields                  []string // the fields the error names, in order
}

// badBodies are invalid book bodies shared by the create and update tests.
func badBodies(t *testing.T) []badBody {
	return []badBody{
		{"every field invalid", "application/json", fixture(t, "book_invalid.json"), 400, "validation_failed",
			[]string{"title", "tags[1]", "price", "stock", "year"}},
		{"required fields missing", "application/json", `{"tags": []}`, 400, "validation_failed",
			[]string{"title", "author", "price"}},
		{"title too long", "application/json",
			`{"title": "` + strings.Repeat("t", 201) + `", "author": "a", "price": 1}`, 400, "validation_failed",
			[]string{"title"}},
		{"too many tags", "application/json",
			`{"title": "t", "author": "a", "price": 1, "tags": [` + strings.Repeat(`"x",`, 10) + `"x"]}`, 400,
			"validation_failed", []string{"tags"}},
		{"price too high", "application/json", `{"title": "t", "author": "a", "price": 10000.01}`, 400,
			"validation_failed", []string{"price"}},
		{"price as a string", "application/json", `{"title": "t", "author": "a", "price": "1.00"}`, 400,
			"bad_request", []string{"price"}},
		{"unknown field", "application/json", `{"title": "t", "author": "a", "price": 1, "isbn": "x"}`, 400,
			"bad_request", []string{"isbn"}},
		{"not an object", "application/json", `[1, 2]`, 400, "bad_request", nil},
		{"truncated JSON", "application/json", `{"title": "t"`, 400, "bad_request", nil},
		{"syntax error", "application/json", `{"title": t}`, 400, "bad_request", nil},
		{"two objects", "application/json", `{"title": "t", "author": "a", "price": 1} {}`, 400, "bad_request", nil},
		{"empty body", "application/json", ``, 400, "bad_request", nil},
		{"plain text", "text/plain", `title=t`, 415, "unsupported_media_type", nil},
		{"over 64 KiB", "application/json",
			`{"title": "` + strings.Repeat("t", 70_000) + `", "author": "a", "price": 1}`, 413, "payload_too_large", nil},
	}
}

func TestCreateBookRejectsBadBodies(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	for _, tt := range badBodies(t) {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodPost, "/books", tt.contentType, tt.body)
			wantError(t, r, tt.status, tt.code, "")
			wantFields(t, decode[apiError](t, r), tt.fields)
		})
	}
	if n := decode[bookList](t, do(t, srv, http.MethodGet, "/books", "", "")).Total; n != smallCatalog {
		t.Errorf("catalog holds %d books after rejected creates, want %d", n, smallCatalog)
	}
}

func TestUpdateBook(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	r := do(t, srv, http.MethodPut, "/books/3", "application/json", fixture(t, "book_valid.json"))
	wantStatus(t, r, http.StatusOK)
	want := book{ID: 3, Title: "The Go Programming Language", Author: "Alan Donovan",
		Tags: []string{"technology", "go"}, Price: 39.99, Stock: 2, Year: 2015}
	if got := decode[book](t, r); !reflect.DeepEqual(got, want) {
		t.Errorf("updated %+v, want %+v", got, want)
	}
	if got := decode[book](t, do(t, srv, http.MethodGet, "/books/3", "", "")); !reflect.DeepEqual(got, want) {
		t.Errorf("stored %+v, want %+v", got, want)
	}

	tests := []struct {
		name, path, body string
		status           int
		code, field      string
	}{
		{"unknown book", fmt.Sprintf("/books/%d", smallCatalog+5), fixture(t, "book_valid.json"), 404, "not_found", ""},
		{"bad id", "/books/x", fixture(t, "book_valid.json"), 400, "bad_request", "id"},
		{"invalid body", "/books/3", fixture(t, "book_invalid.json"), 400, "validation_failed", "price"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodPut, tt.path, "application/json", tt.body)
			wantError(t, r, tt.status, tt.code, tt.field)
		})
	}
	for _, tt := range badBodies(t) {
		t.Run("body "+tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodPut, "/books/3", tt.contentType, tt.body)
			wantError(t, r, tt.status, tt.code, "")
			wantFields(t, decode[apiError](t, r), tt.fields)
		})
	}
}

func TestDeleteBook(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	tests := []struct {
		name, path string
		status     int
		wantTotal  int
	}{
		{"existing book", "/books/2", http.StatusNoContent, smallCatalog - 1},
		{"same book again", "/books/2", http.StatusNoContent, smallCatalog - 1},
		{"never existed", "/books/1000000", http.StatusNoContent, smallCatalog - 1},
		{"bad id", "/books/two", http.StatusBadRequest, smallCatalog - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodDelete, tt.path, "", "")
			if tt.status == http.StatusBadRequest {
				wantError(t, r, tt.status, "bad_request", "id")
			} else {
				wantStatus(t, r, tt.status)
				if len(r.body) != 0 {
					t.Errorf("204 with body %q", r.body)
				}
			}
			if n := decode[bookList](t, do(t, srv, http.MethodGet, "/books", "", "")).Total; n != tt.wantTotal {
				t.Errorf("total %d after delete, want %d", n, tt.wantTotal)
			}
		})
	}
	wantError(t, do(t, srv, http.MethodGet, "/books/2", "", ""), http.StatusNotFound, "not_found", "")
}

// wantFields fails the test unless e names exactly the fields want, in order.
func wantFields(t *testing.T, e apiError, want []string) {
	t.Helper()
	var got []string
	for _, f := range e.Fields {
		got = append(got, f.Name)
		if f.Reason == "" {
			t.Errorf("field %s has no reason", f.Name)
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("fields %v, want %v (message %q)", got, want, e.Message)
	}
}
