package service_test

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

func TestListPaging(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	tests := []struct {
		name      string
		query     string
		wantLimit int
		wantFirst int64 // id of the first item, 0 when the page is empty
		wantLen   int
	}{
		{"defaults", "", 20, 1, 20},
		{"limit and offset", "?limit=5&offset=10", 5, 11, 5},
		{"last partial page", fmt.Sprintf("?limit=10&offset=%d", smallCatalog-3), 10, smallCatalog - 2, 3},
		{"offset at the end", fmt.Sprintf("?offset=%d", smallCatalog), 20, 0, 0},
		{"offset far past the end", "?offset=1000000", 20, 0, 0},
		{"largest limit", "?limit=100", 100, 1, smallCatalog},
		{"smallest limit", "?limit=1&offset=0", 1, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodGet, "/books"+tt.query, "", "")
			wantStatus(t, r, http.StatusOK)
			list := decode[bookList](t, r)
			if list.Total != smallCatalog || list.Limit != tt.wantLimit || len(list.Items) != tt.wantLen {
				t.Fatalf("total %d limit %d items %d, want %d %d %d",
					list.Total, list.Limit, len(list.Items), smallCatalog, tt.wantLimit, tt.wantLen)
			}
			if tt.wantLen > 0 && list.Items[0].ID != tt.wantFirst {
				t.Errorf("first id %d, want %d", list.Items[0].ID, tt.wantFirst)
			}
			if list.Items == nil {
				t.Errorf("items is null, want an array")
			}
		})
	}
}

func TestListBadParameters(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	tests := []struct {
		name, query, field string
	}{
		{"zero limit", "?limit=0", "limit"},
		{"limit over the bound", "?limit=101", "limit"},
		{"limit not a number", "?limit=ten", "limit"},
		{"negative offset", "?offset=-1", "offset"},
		{"offset over the bound", "?offset=1000001", "offset"},
		{"tag with spaces", "?tag=Not+A+Tag", "tag"},
		{"empty tag", "?tag=", "tag"},
		{"author too long", "?author=" + strings.Repeat("a", 101), "author"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodGet, "/books"+tt.query, "", "")
			wantError(t, r, http.StatusBadRequest, "bad_request", tt.field)
		})
	}
}

// TestListWalksEveryBookOnce pages through the catalog and sees each id once,
// in ascending order.
func TestListWalksEveryBookOnce(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	const pageSize = 7
	var ids []int64
	for offset := 0; offset < smallCatalog+pageSize; offset += pageSize {
		list := decode[bookList](t, do(t, srv, http.MethodGet,
			fmt.Sprintf("/books?limit=%d&offset=%d", pageSize, offset), "", ""))
		for _, b := range list.Items {
			ids = append(ids, b.ID)
		}
	}
	if len(ids) != smallCatalog || !slices.IsSorted(ids) || ids[0] != 1 {
		t.Fatalf("walked ids %v, want 1..%d ascending", ids, smallCatalog)
	}
}

func TestListFilters(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	first := decode[book](t, do(t, srv, http.MethodGet, "/books/1", "", ""))
	tests := []struct {
		name  string
		query string
		match func(book) bool
	}{
		{"by tag", "?tag=" + first.Tags[0], func(b book) bool { return slices.Contains(b.Tags, first.Tags[0]) }},
		{"by author, any case", "?author=" + strings.ReplaceAll(strings.ToUpper(first.Author), " ", "+"),
			func(b book) bool { return strings.EqualFold(b.Author, first.Author) }},
		{"by author and tag", "?tag=" + first.Tags[0] + "&author=" + strings.ReplaceAll(first.Author, " ", "+"),
			func(b book) bool { return b.Author == first.Author && slices.Contains(b.Tags, first.Tags[0]) }},
		{"no match", "?tag=no-such-tag", func(book) bool { return false }},
	}
	all := decode[bookList](t, do(t, srv, http.MethodGet, "/books?limit=100", "", "")).Items
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			list := decode[bookList](t, do(t, srv, http.MethodGet, "/books"+tt.query+"&limit=100", "", ""))
			var want []int64
			for _, b := range all {
				if tt.match(b) {
					want = append(want, b.ID)
				}
			}
			var got []int64
			for _, b := range list.Items {
				got = append(got, b.ID)
			}
			if !slices.Equal(got, want) || list.Total != len(want) {
				t.Errorf("ids %v total %d, want %v total %d", got, list.Total, want, len(want))
			}
		})
	}
}

func TestGetBook(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	tests := []struct {
		name   string
		id     string
		status int
		code   string
	}{
		{"first", "1", http.StatusOK, ""},
		{"last", strconv.Itoa(smallCatalog), http.StatusOK, ""},
		{"past the end", strconv.Itoa(smallCatalog + 1), http.StatusNotFound, "not_found"},
		{"zero", "0", http.StatusBadRequest, "bad_request"},
		{"negative", "-3", http.StatusBadRequest, "bad_request"},
		{"not a number", "abc", http.StatusBadRequest, "bad_request"},
		{"overflows int64", "99999999999999999999", http.StatusBadRequest, "bad_request"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := do(t, srv, http.MethodGet, "/books/"+tt.id, "", "")
			if tt.code != "" {
				field := ""
				if tt.status == http.StatusBadRequest {
					field = "id"
				}
				wantError(t, r, tt.status, tt.code, field)
				return
			}
			wantStatus(t, r, tt.status)
			b := decode[book](t, r)
			if strconv.FormatInt(b.ID, 10) != tt.id || b.Title == "" || b.Author == "" || b.Price <= 0 {
				t.Errorf("book %+v is not book %s with a title, an author and a price", b, tt.id)
			}
		})
	}
}
