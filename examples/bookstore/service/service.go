package service

import (
	"net/http"

	"github.com/slaspec/slaspec/examples/bookstore"
)

// OpenAPI is the OpenAPI 3.0.3 document (YAML) that the good service
// implements, with its x-sla extensions. Treat it as read-only.
var OpenAPI = bookstore.OpenAPI

// server is one bookstore: its catalog, its options and its counters.
type server struct {
	opts  Options
	store *store
	stats stats
}

// New returns the bookstore API as an http.Handler, its catalog seeded from
// opts. It is safe for concurrent use. Options that fail Validate give a
// handler answering every request with 500 and a JSON body naming the bad
// option; call opts.Validate first to fail earlier.
func New(opts Options) http.Handler {
	if err := opts.Validate(); err != nil {
		return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			writeError(w, errorf(http.StatusInternalServerError, codeInvalidOptions, "%v", err))
		})
	}
	s := &server{opts: opts, store: newStore(seedBooks(opts.Seed, opts.books()))}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /books", s.handle(s.listBooks))
	mux.HandleFunc("POST /books", s.handle(s.createBook))
	mux.HandleFunc("GET /books/{id}", s.handle(s.getBook))
	mux.HandleFunc("PUT /books/{id}", s.handle(s.updateBook))
	mux.HandleFunc("DELETE /books/{id}", s.handle(s.deleteBook))
	mux.HandleFunc("POST /books/{id}/reserve", s.handle(s.reserveBook))
	mux.HandleFunc("GET /search", s.handle(s.search))
	mux.HandleFunc("GET /debug/vars", s.debugVars)
	handleProfiles(mux)
	return mux
}

// handle adapts a handler that returns an error: a returned error is written
// as the JSON error body.
func (s *server) handle(h func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			writeError(w, err)
		}
	}
}
