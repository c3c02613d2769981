package service

import (
	"slices"
	"strconv"
)

// pageByCopying is the regressed list: it snapshots the whole catalog, copies
// it again to filter, again to "sort" and once more to page: four
// catalog-sized copies per request for the same page store.page returns.
func (s *server) pageByCopying(f filter, limit, offset int) ([]Book, int) {
	snapshot := s.store.all()
	s.stats.listCatalogCopies.Add(1)
	var matching []Book
	for _, b := range snapshot {
		if f.match(b) {
			b.Tags = slices.Clone(b.Tags)
			matching = append(matching, b)
		}
	}
	s.stats.listCatalogCopies.Add(1)
	sorted := slices.Clone(matching)
	slices.SortStableFunc(sorted, func(a, b Book) int { return compareID(a.ID, b.ID) })
	s.stats.listCatalogCopies.Add(1)
	window := slices.Clone(sorted)
	s.stats.listCatalogCopies.Add(1)
	total := len(window)
	if offset >= total {
		return []Book{}, total
	}
	return slices.Clone(window[offset:min(offset+limit, total)]), total
}

func compareID(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// stringPricedBook is a Book whose price is a decimal string: the contract
// break of the regressed GET /books/{id}.
type stringPricedBook struct {
	ID     int64    `json:"id"`
	Title  string   `json:"title"`
	Author string   `json:"author"`
	Tags   []string `json:"tags"`
	Price  string   `json:"price"`
	Stock  int      `json:"stock"`
	Year   int      `json:"year,omitempty"`
}

func stringPriced(b Book) stringPricedBook {
	return stringPricedBook{
		ID: b.ID, Title: b.Title, Author: b.Author, Tags: b.Tags,
		Price: strconv.FormatFloat(b.Price, 'f', 2, 64), Stock: b.Stock, Year: b.Year,
	}
}
