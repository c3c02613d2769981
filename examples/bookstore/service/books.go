package service

import (
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Paging bounds of GET /books.
const (
	defaultLimit = 20
	maxLimit     = 100
	maxOffset    = 1_000_000
)

// bookList is the body of GET /books.
type bookList struct {
	Items  []Book `json:"items"`
	Total  int    `json:"total"`
	Limit  int    `json:"limit"`
	Offset int    `json:"offset"`
}

// listBooks serves GET /books?limit=&offset=&author=&tag=.
func (s *server) listBooks(w http.ResponseWriter, r *http.Request) error {
	s.stats.lists.Add(1)
	limit, err := intParam(r, "limit", defaultLimit, 1, maxLimit)
	if err != nil {
		return err
	}
	offset, err := intParam(r, "offset", 0, 0, maxOffset)
	if err != nil {
		return err
	}
	f, err := listFilter(r)
	if err != nil {
		return err
	}
	var list bookList
	if s.opts.Regressed {
		list.Items, list.Total = s.pageByCopying(f, limit, offset)
	} else {
		list.Items, list.Total = s.store.page(f, limit, offset)
	}
	list.Limit, list.Offset = limit, offset
	writeJSON(w, http.StatusOK, list)
	return nil
}

// listFilter reads the author and tag query parameters.
func listFilter(r *http.Request) (filter, error) {
	q := r.URL.Query()
	f := filter{author: q.Get("author"), tag: q.Get("tag")}
	if n := utf8.RuneCountInString(f.author); n > maxAuthor {
		return f, badParam("author", "has %d characters, at most %d allowed", n, maxAuthor)
	}
	if q.Has("tag") && !tagPattern.MatchString(f.tag) {
		return f, badParam("tag", "%q must be 1 to %d of a-z, 0-9 and -", f.tag, maxTag)
	}
	return f, nil
}

// getBook serves GET /books/{id}.
func (s *server) getBook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	b, ok := s.store.get(id)
	if !ok {
		return notFoundError(id)
	}
	if s.opts.Regressed {
		writeJSON(w, http.StatusOK, stringPriced(b))
		return nil
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// createBook serves POST /books.
func (s *server) createBook(w http.ResponseWriter, r *http.Request) error {
	in, err := readBook(w, r)
	if err != nil {
		return err
	}
	b := s.store.create(in.book)
	w.Header().Set("Location", "/books/"+strconv.FormatInt(b.ID, 10))
	writeJSON(w, http.StatusCreated, b)
	return nil
}

// updateBook serves PUT /books/{id}: it replaces the whole book.
func (s *server) updateBook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	in, err := readBook(w, r)
	if err != nil {
		return err
	}
	b := in.book(id)
	if !s.store.replace(b) {
		return notFoundError(id)
	}
	writeJSON(w, http.StatusOK, b)
	return nil
}

// deleteBook serves DELETE /books/{id}. Deleting is idempotent: a book that
// is already gone also answers 204.
func (s *server) deleteBook(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	s.store.remove(id)
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// readBook decodes and validates a book body.
func readBook(w http.ResponseWriter, r *http.Request) (bookInput, error) {
	var in bookInput
	if err := decodeJSON(w, r, &in); err != nil {
		return in, err
	}
	if errs := in.validate(); len(errs) > 0 {
		e := errorf(http.StatusBadRequest, codeValidation, "book is invalid: %s %s", errs[0].Name, errs[0].Reason)
		e.Fields = errs
		return in, e
	}
	return in, nil
}

func notFoundError(id int64) *apiError {
	return errorf(http.StatusNotFound, codeNotFound, "book %d does not exist", id)
}
