package service_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

// BenchmarkEndpoints measures each read endpoint of the good and the
// regressed service in process, on the default catalog.
func BenchmarkEndpoints(b *testing.B) {
	paths := []struct{ name, path string }{
		{"get", "/books/42"},
		{"list", "/books?limit=20&offset=100"},
		{"list-filtered", "/books?tag=history&limit=20"},
		{"search", "/search?q=river"},
	}
	for _, build := range []struct {
		name      string
		regressed bool
	}{{"good", false}, {"regressed", true}} {
		h := service.New(service.Options{Regressed: build.regressed})
		for _, p := range paths {
			b.Run(build.name+"/"+p.name, func(b *testing.B) {
				req := httptest.NewRequest(http.MethodGet, p.path, nil)
				b.ReportAllocs()
				for b.Loop() {
					w := httptest.NewRecorder()
					h.ServeHTTP(w, req)
					if w.Code != http.StatusOK {
						b.Fatalf("status %d: %s", w.Code, w.Body)
					}
				}
			})
		}
	}
}
