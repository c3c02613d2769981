package service

import "fmt"

// DefaultBooks is the catalog size used when Options.Books is zero.
const DefaultBooks = 1000

// MaxBooks is the largest catalog Options.Books may ask for.
const MaxBooks = 100_000

// Options configure a bookstore service. The zero value is a good service
// seeded with DefaultBooks books from seed 0.
type Options struct {
	// Regressed switches on the deliberate regressions: a quadratic search,
	// an allocation-heavy list and price served as a string by GET /books/{id}.
	Regressed bool `json:"regressed,omitempty"`
	// Seed makes the seeded catalog deterministic: equal seeds give equal books.
	Seed int64 `json:"seed,omitempty"`
	// Books is the number of books seeded at start, 0 meaning DefaultBooks.
	// It must be between 0 and MaxBooks.
	Books int `json:"books,omitempty"`
}

// Validate reports the first option that is out of range.
func (o Options) Validate() error {
	if o.Books < 0 || o.Books > MaxBooks {
		return fmt.Errorf("bookstore: options: books %d is outside 0..%d", o.Books, MaxBooks)
	}
	return nil
}

// books is the number of books to seed, with the default applied.
func (o Options) books() int {
	if o.Books == 0 {
		return DefaultBooks
	}
	return o.Books
}
