package service

import (
	"cmp"
	"net/http"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Bounds of GET /search.
const (
	maxQuery           = 100
	defaultSearchLimit = 10
	maxSearchLimit     = 50
)

// Weights of a query word's best match in a book.
const (
	exactWeight  = 1.0  // a title word equals the query word
	prefixWeight = 0.5  // a title word starts with the query word
	authorWeight = 0.25 // an author name word equals the query word
)

// searchHit is one ranked result of GET /search.
type searchHit struct {
	Score float64 `json:"score"`
	Book  Book    `json:"book"`
}

// searchResult is the body of GET /search.
type searchResult struct {
	Query string      `json:"query"`
	Total int         `json:"total"`
	Hits  []searchHit `json:"hits"`
}

// search serves GET /search?q=&limit=. It is deliberately heavier than the
// other endpoints: each request snapshots the catalog and tokenizes every
// title and author afresh.
func (s *server) search(w http.ResponseWriter, r *http.Request) error {
	s.stats.searches.Add(1)
	q := r.URL.Query().Get("q")
	words, err := queryWords(q)
	if err != nil {
		return err
	}
	limit, err := intParam(r, "limit", defaultSearchLimit, 1, maxSearchLimit)
	if err != nil {
		return err
	}
	books := s.store.all()
	var hits []searchHit
	if s.opts.Regressed {
		hits = s.rankQuadratic(books, words)
	} else {
		hits = rank(books, words)
	}
	res := searchResult{Query: q, Total: len(hits), Hits: hits[:min(limit, len(hits))]}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// queryWords checks q and splits it into search words.
func queryWords(q string) ([]string, error) {
	if n := utf8.RuneCountInString(q); n == 0 || n > maxQuery {
		return nil, badParam("q", "has %d characters, 1 to %d allowed", n, maxQuery)
	}
	words := tokenize(q)
	if len(words) == 0 {
		return nil, badParam("q", "%q has no letters or digits to search for", q)
	}
	return words, nil
}

// tokenize lower-cases s and splits it into words of letters and digits.
func tokenize(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// score rates how well book b matches the query words; 0 is no match.
func score(b Book, words []string) float64 {
	title, author := tokenize(b.Title), tokenize(b.Author)
	var total float64
	for _, w := range words {
		best := 0.0
		for _, t := range title {
			switch {
			case t == w:
				best = max(best, exactWeight)
			case strings.HasPrefix(t, w):
				best = max(best, prefixWeight)
			}
		}
		if slices.Contains(author, w) {
			best += authorWeight
		}
		total += best
	}
	return total
}

// better orders hits: higher score first, then lower id.
func better(a, b searchHit) int {
	if c := cmp.Compare(b.Score, a.Score); c != 0 {
		return c
	}
	return cmp.Compare(a.Book.ID, b.Book.ID)
}

// rank scores every book once and sorts the hits: O(n log n).
func rank(books []Book, words []string) []searchHit {
	hits := []searchHit{}
	for _, b := range books {
		if sc := score(b, words); sc > 0 {
			hits = append(hits, searchHit{Score: sc, Book: b})
		}
	}
	slices.SortFunc(hits, better)
	return hits
}

// rankQuadratic is the regressed ranking: it places each hit by counting the
// books that beat it, re-scoring every book for every hit. The result equals
// rank's; the work is O(hits × books) tokenizations.
func (s *server) rankQuadratic(books []Book, words []string) []searchHit {
	var found []searchHit
	for _, b := range books {
		if sc := score(b, words); sc > 0 {
			found = append(found, searchHit{Score: sc, Book: b})
		}
	}
	hits := make([]searchHit, len(found))
	for _, h := range found {
		position := 0
		s.stats.searchRankComparisons.Add(int64(len(books)))
		for _, other := range books {
			o := searchHit{Score: score(other, words), Book: other}
			if o.Score > 0 && better(o, h) < 0 {
				position++
			}
		}
		hits[position] = h
	}
	return hits
}
