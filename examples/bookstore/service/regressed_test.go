package service_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

// regressedCatalog is small because the regressed search is quadratic in it.
const regressedCatalog = 200

// pair starts a good and a regressed service over the same catalog.
func pair(t *testing.T) (good, bad *httptest.Server) {
	t.Helper()
	opts := service.Options{Seed: 7, Books: regressedCatalog}
	good = start(t, opts)
	opts.Regressed = true
	return good, start(t, opts)
}

func TestRegressedSearchSameResultQuadraticPath(t *testing.T) {
	good, bad := pair(t)
	queries := []string{"river", "the", "lighthouse+harbor", "light&limit=50", "xylophone"}
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			before := stats(t, bad).SearchRankComparisons
			want := do(t, good, http.MethodGet, "/search?q="+q, "", "")
			got := do(t, bad, http.MethodGet, "/search?q="+q, "", "")
			wantStatus(t, got, http.StatusOK)
			if !bytes.Equal(got.body, want.body) {
				t.Fatalf("regressed search answered\n%s\nwant\n%s", got.body, want.body)
			}
			hits := int64(decode[searchResult](t, got).Total)
			if n := stats(t, bad).SearchRankComparisons - before; n != hits*regressedCatalog {
				t.Errorf("regressed search made %d rank comparisons, want hits × books = %d", n, hits*regressedCatalog)
			}
		})
	}
	if c := stats(t, good); c.SearchRankComparisons != 0 || c.Searches != int64(len(queries)) {
		t.Errorf("good service counters %+v, want %d searches and no rank comparisons", c, len(queries))
	}
}

func TestRegressedListSamePageManyCopies(t *testing.T) {
	good, bad := pair(t)
	queries := []string{"", "?limit=100&offset=150", "?tag=history", "?offset=5000"}
	for _, q := range queries {
		t.Run(q, func(t *testing.T) {
			want := do(t, good, http.MethodGet, "/books"+q, "", "")
			got := do(t, bad, http.MethodGet, "/books"+q, "", "")
			if !bytes.Equal(got.body, want.body) {
				t.Fatalf("regressed list answered\n%s\nwant\n%s", got.body, want.body)
			}
		})
	}
	g, b := stats(t, good), stats(t, bad)
	if g.ListCatalogCopies != 0 {
		t.Errorf("good list copied the catalog %d times", g.ListCatalogCopies)
	}
	if b.Lists != int64(len(queries)) || b.ListCatalogCopies < 2*b.Lists {
		t.Errorf("regressed list made %d catalog copies in %d lists, want several per list", b.ListCatalogCopies, b.Lists)
	}
}

func TestRegressedGetServesPriceAsString(t *testing.T) {
	good, bad := pair(t)
	for _, path := range []string{"/books/1", "/books/2", "/books/200"} {
		t.Run(path, func(t *testing.T) {
			want := decode[map[string]any](t, do(t, good, http.MethodGet, path, "", ""))
			got := decode[map[string]any](t, do(t, bad, http.MethodGet, path, "", ""))
			price, isString := got["price"].(string)
			if !isString {
				t.Fatalf("regressed price is %T %v, want a string", got["price"], got["price"])
			}
			if _, isNumber := want["price"].(float64); !isNumber {
				t.Fatalf("good price is %T, want a number", want["price"])
			}
			var asNumber float64
			if err := json.Unmarshal([]byte(price), &asNumber); err != nil || asNumber != want["price"] {
				t.Errorf("regressed price %q does not spell the good price %v", price, want["price"])
			}
			delete(got, "price")
			delete(want, "price")
			if gj, wj := mustJSON(t, got), mustJSON(t, want); gj != wj {
				t.Errorf("other fields differ: %s, want %s", gj, wj)
			}
		})
	}
	list := decode[map[string]any](t, do(t, bad, http.MethodGet, "/books?limit=1", "", ""))
	if _, isNumber := list["items"].([]any)[0].(map[string]any)["price"].(float64); !isNumber {
		t.Errorf("regressed list price is not a number: only GET /books/{id} is broken")
	}
	if !stats(t, bad).Regressed || stats(t, good).Regressed {
		t.Errorf("debug vars do not tell the regressed service from the good one")
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatalf("encoding %v: %v", v, err)
	}
	return string(b)
}
