package service

import (
	"slices"
	"strings"
	"sync"
)

// store is the in-memory catalog. One RWMutex guards it: reads share it,
// writes and reservations take it exclusively, so reservations contend.
// Books are stored by value and their Tags slices are never modified in
// place, so a Book copied out under the lock stays valid after it.
type store struct {
	mu     sync.RWMutex
	books  map[int64]Book
	order  []int64 // ids in ascending order
	nextID int64
}

// newStore returns a store holding books, whose ids must be ascending.
func newStore(books []Book) *store {
	s := &store{books: make(map[int64]Book, len(books)), order: make([]int64, 0, len(books)), nextID: 1}
	for _, b := range books {
		s.books[b.ID] = b
		s.order = append(s.order, b.ID)
		s.nextID = b.ID + 1
	}
	return s
}

// filter selects books by author (case-insensitive) and tag; empty matches all.
type filter struct {
	author string
	tag    string
}

func (f filter) match(b Book) bool {
	if f.author != "" && !strings.EqualFold(b.Author, f.author) {
		return false
	}
	return f.tag == "" || slices.Contains(b.Tags, f.tag)
}

// page returns the books matching f in id order, skipping offset and keeping
// at most limit of them, with the number of all matching books.
func (s *store) page(f filter, limit, offset int) (items []Book, total int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	items = make([]Book, 0, limit)
	for _, id := range s.order {
		b := s.books[id]
		if !f.match(b) {
			continue
		}
		if total >= offset && len(items) < limit {
			items = append(items, b)
		}
		total++
	}
	return items, total
}

// all returns a copy of every book in id order.
func (s *store) all() []Book {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]Book, 0, len(s.order))
	for _, id := range s.order {
		out = append(out, s.books[id])
	}
	return out
}

// count returns the number of books.
func (s *store) count() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.order)
}

// get returns the book with id and whether it exists.
func (s *store) get(id int64) (Book, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	b, ok := s.books[id]
	return b, ok
}

// create stores a new book built by mk from the id it is given.
func (s *store) create(mk func(id int64) Book) Book {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := mk(s.nextID)
	s.nextID++
	s.books[b.ID] = b
	s.order = append(s.order, b.ID)
	return b
}

// replace overwrites the book with b.ID and reports whether it existed.
func (s *store) replace(b Book) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[b.ID]; !ok {
		return false
	}
	s.books[b.ID] = b
	return true
}

// remove deletes the book with id and reports whether it existed.
func (s *store) remove(id int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.books[id]; !ok {
		return false
	}
	delete(s.books, id)
	if i, found := slices.BinarySearch(s.order, id); found {
		s.order = slices.Delete(s.order, i, i+1)
	}
	return true
}

// reserveResult is the outcome of reserve.
type reserveResult int

const (
	reserved reserveResult = iota
	notFound
	outOfStock
)

// reserve takes quantity copies of book id out of stock, all or nothing, and
// returns the stock left.
func (s *store) reserve(id int64, quantity int) (left int, res reserveResult) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, ok := s.books[id]
	switch {
	case !ok:
		return 0, notFound
	case b.Stock < quantity:
		return b.Stock, outOfStock
	}
	b.Stock -= quantity
	s.books[id] = b
	return b.Stock, reserved
}
