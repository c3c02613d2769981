package service_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

type reservation struct {
	ID       int64 `json:"id"`
	Reserved int   `json:"reserved"`
	Stock    int   `json:"stock"`
}

// createWithStock adds a book with stock copies and returns its path.
func createWithStock(t *testing.T, srv *httptest.Server, stock int) string {
	t.Helper()
	r := do(t, srv, http.MethodPost, "/books", "application/json",
		fmt.Sprintf(`{"title": "Stocked", "author": "Keeper", "price": 1, "stock": %d}`, stock))
	wantStatus(t, r, http.StatusCreated)
	return r.header.Get("Location")
}

func TestReserveSequence(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	send := func(method, path, ct, body string) response { return do(t, srv, method, path, ct, body) }
	path := createWithStock(t, srv, 3) + "/reserve"
	steps := []struct {
		name, contentType, body string
		status                  int
		code                    string
		wantStock               int
	}{
		{"no body reserves one", "", "", 200, "", 2},
		{"more than in stock", "application/json", `{"quantity": 3}`, 409, "out_of_stock", 2},
		{"exactly what is left", "application/json", `{"quantity": 2}`, 200, "", 0},
		{"empty object reserves one", "application/json", `{}`, 409, "out_of_stock", 0},
	}
	for _, st := range steps {
		r := send(http.MethodPost, path, st.contentType, st.body)
		if st.code != "" {
			wantError(t, r, st.status, st.code, "")
		} else {
			wantStatus(t, r, st.status)
			if res := decode[reservation](t, r); res.Stock != st.wantStock || res.Reserved < 1 {
				t.Errorf("%s: %+v, want stock %d", st.name, res, st.wantStock)
			}
		}
		b := decode[book](t, send(http.MethodGet, path[:len(path)-len("/reserve")], "", ""))
		if b.Stock != st.wantStock {
			t.Errorf("%s: stored stock %d, want %d", st.name, b.Stock, st.wantStock)
		}
	}
	c := stats(t, srv)
	if c.Reservations != 2 || c.ReserveConflicts != 2 {
		t.Errorf("counters %+v, want 2 reservations and 2 conflicts", c)
	}
}

func TestReserveBadRequests(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	tests := []struct {
		name, path, contentType, body string
		status                        int
		code, field                   string
	}{
		{"zero quantity", "/books/1/reserve", "application/json", `{"quantity": 0}`, 400, "validation_failed", "quantity"},
		{"quantity over the bound", "/books/1/reserve", "application/json", `{"quantity": 11}`, 400, "validation_failed", "quantity"},
		{"quantity not a number", "/books/1/reserve", "application/json", `{"quantity": "1"}`, 400, "bad_request", "quantity"},
		{"unknown field", "/books/1/reserve", "application/json", `{"count": 1}`, 400, "bad_request", "count"},
		{"plain text", "/books/1/reserve", "text/plain", `1`, 415, "unsupported_media_type", ""},
		{"bad id", "/books/first/reserve", "", "", 400, "bad_request", "id"},
		{"unknown book", "/books/1000000/reserve", "", "", 404, "not_found", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantError(t, do(t, srv, http.MethodPost, tt.path, tt.contentType, tt.body), tt.status, tt.code, tt.field)
		})
	}
}

// TestReserveConcurrently has more clients than copies race for one book:
// the shared lock lets exactly the stock through and refuses the rest.
func TestReserveConcurrently(t *testing.T) {
	const stock, clients = 25, 60
	srv := start(t, service.Options{Books: smallCatalog})
	path := createWithStock(t, srv, stock) + "/reserve"
	statuses := make(chan int, clients)
	var wg sync.WaitGroup
	for range clients {
		wg.Go(func() {
			resp, err := srv.Client().Post(srv.URL+path, "application/json", nil)
			if err != nil {
				t.Errorf("reserve: %v", err)
				return
			}
			resp.Body.Close()
			statuses <- resp.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[http.StatusOK] != stock || count[http.StatusConflict] != clients-stock {
		t.Errorf("statuses %v, want %d × 200 and %d × 409", count, stock, clients-stock)
	}
}
