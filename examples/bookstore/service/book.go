package service

import (
	"fmt"
	"math"
	"regexp"
	"strings"
	"unicode/utf8"
)

// Limits on a book's fields. openapi.yaml states the same bounds.
const (
	maxTitle    = 200
	maxAuthor   = 100
	maxTags     = 10
	maxTag      = 30
	maxPrice    = 10_000
	maxStock    = 1_000_000
	minYear     = 1450
	maxYear     = 2100
	maxBodySize = 64 << 10
)

// tagPattern is the shape of one tag: lower-case letters, digits and dashes.
var tagPattern = regexp.MustCompile(`^[a-z0-9-]{1,30}$`)

// Book is one book of the catalog as the API serves it.
type Book struct {
	ID     int64    `json:"id"`
	Title  string   `json:"title"`
	Author string   `json:"author"`
	Tags   []string `json:"tags"`
	Price  float64  `json:"price"`
	Stock  int      `json:"stock"`
	Year   int      `json:"year,omitempty"`
}

// bookInput is the body of POST /books and PUT /books/{id}. Pointers tell a
// missing field from a zero one.
type bookInput struct {
	Title  *string  `json:"title"`
	Author *string  `json:"author"`
	Tags   []string `json:"tags"`
	Price  *float64 `json:"price"`
	Stock  *int     `json:"stock"`
	Year   *int     `json:"year"`
}

// fieldError names one invalid field of a request and why it is invalid.
type fieldError struct {
	Name   string `json:"name"`
	Reason string `json:"reason"`
}

// validate checks every field and returns the problems in field order, or
// nil when the input is a valid book.
func (in bookInput) validate() []fieldError {
	var errs []fieldError
	add := func(name, format string, args ...any) {
		errs = append(errs, fieldError{Name: name, Reason: fmt.Sprintf(format, args...)})
	}
	checkText(in.Title, "title", maxTitle, add)
	checkText(in.Author, "author", maxAuthor, add)
	if len(in.Tags) > maxTags {
		add("tags", "has %d tags, at most %d allowed", len(in.Tags), maxTags)
	}
	for i, tag := range in.Tags {
		if !tagPattern.MatchString(tag) {
			add(fmt.Sprintf("tags[%d]", i), "%q must be 1 to %d of a-z, 0-9 and -", tag, maxTag)
		}
	}
	switch {
	case in.Price == nil:
		add("price", "is required")
	case math.IsNaN(*in.Price) || *in.Price < 0 || *in.Price > maxPrice:
		add("price", "%v is outside 0..%d", *in.Price, maxPrice)
	}
	if in.Stock != nil && (*in.Stock < 0 || *in.Stock > maxStock) {
		add("stock", "%d is outside 0..%d", *in.Stock, maxStock)
	}
	if in.Year != nil && (*in.Year < minYear || *in.Year > maxYear) {
		add("year", "%d is outside %d..%d", *in.Year, minYear, maxYear)
	}
	return errs
}

// checkText reports a required text field that is missing, blank or too long.
func checkText(v *string, name string, max int, add func(name, format string, args ...any)) {
	switch {
	case v == nil:
		add(name, "is required")
	case strings.TrimSpace(*v) == "":
		add(name, "must not be blank")
	case utf8.RuneCountInString(*v) > max:
		add(name, "has %d characters, at most %d allowed", utf8.RuneCountInString(*v), max)
	}
}

// book builds the Book an already validated input describes.
func (in bookInput) book(id int64) Book {
	b := Book{ID: id, Title: *in.Title, Author: *in.Author, Price: *in.Price, Tags: []string{}}
	b.Tags = append(b.Tags, in.Tags...)
	if in.Stock != nil {
		b.Stock = *in.Stock
	}
	if in.Year != nil {
		b.Year = *in.Year
	}
	return b
}
