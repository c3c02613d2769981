package service_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

func TestSearchRanksBestFirst(t *testing.T) {
	srv := start(t, service.Options{Books: service.DefaultBooks})
	tests := []struct {
		name, query string
		limit       int
	}{
		{"one word", "?q=river", 10},
		{"two words", "?q=lighthouse+harbor&limit=50", 50},
		{"a prefix", "?q=light&limit=5", 5},
		{"punctuation and case", "?q=RIVER%21%21", 10},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodGet, "/search"+tt.query, "", "")
			wantStatus(t, r, http.StatusOK)
			res := decode[searchResult](t, r)
			if len(res.Hits) == 0 || len(res.Hits) > tt.limit || res.Total < len(res.Hits) {
				t.Fatalf("%d hits of %d total, want 1..%d hits", len(res.Hits), res.Total, tt.limit)
			}
			for i := 1; i < len(res.Hits); i++ {
				prev, cur := res.Hits[i-1], res.Hits[i]
				if prev.Score < cur.Score || (prev.Score == cur.Score && prev.Book.ID >= cur.Book.ID) {
					t.Errorf("hit %d (%v, id %d) ranks after hit %d (%v, id %d)",
						i, cur.Score, cur.Book.ID, i-1, prev.Score, prev.Book.ID)
				}
			}
		})
	}
}

func TestSearchScores(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	created := decode[book](t, do(t, srv, http.MethodPost, "/books", "application/json",
		`{"title": "Zymurgy for Zealots", "author": "Quentin Zed", "price": 12.5}`))
	tests := []struct {
		name, q   string
		wantScore float64
	}{
		{"exact title word", "zymurgy", 1},
		{"title prefix", "zymur", 0.5},
		{"author word", "quentin", 0.25},
		{"two exact words", "zymurgy zealots", 2},
		{"title and author word", "zed zymurgy", 1.25},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := decode[searchResult](t, do(t, srv, http.MethodGet, "/search?q="+strings.ReplaceAll(tt.q, " ", "+"), "", ""))
			if res.Query != tt.q || res.Total != 1 || len(res.Hits) != 1 {
				t.Fatalf("query %q total %d hits %d, want the one created book", res.Query, res.Total, len(res.Hits))
			}
			if h := res.Hits[0]; h.Book.ID != created.ID || h.Score != tt.wantScore {
				t.Errorf("hit id %d score %v, want id %d score %v", h.Book.ID, h.Score, created.ID, tt.wantScore)
			}
		})
	}
}

func TestSearchNoHits(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	r := do(t, srv, http.MethodGet, "/search?q=xylophone", "", "")
	wantStatus(t, r, http.StatusOK)
	if res := decode[searchResult](t, r); res.Total != 0 || res.Hits == nil || len(res.Hits) != 0 {
		t.Errorf("total %d hits %v, want 0 and an empty array", res.Total, res.Hits)
	}
}

func TestSearchBadParameters(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	tests := []struct {
		name, query, field string
	}{
		{"missing q", "", "q"},
		{"empty q", "?q=", "q"},
		{"q without words", "?q=%21%3F+-", "q"},
		{"q too long", "?q=" + strings.Repeat("a", 101), "q"},
		{"zero limit", "?q=river&limit=0", "limit"},
		{"limit over the bound", "?q=river&limit=51", "limit"},
		{"limit not a number", "?q=river&limit=many", "limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, do(t, srv, http.MethodGet, "/search"+tt.query, "", ""), http.StatusBadRequest, "bad_request", tt.field)
		})
	}
}
