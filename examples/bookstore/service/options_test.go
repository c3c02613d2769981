package service_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/slaspec/slaspec/examples/bookstore/service"
)

func TestOptionsValidate(t *testing.T) {
	tests := []struct {
		name    string
		opts    service.Options
		wantErr string
	}{
		{"zero value", service.Options{}, ""},
		{"regressed with a seed", service.Options{Regressed: true, Seed: -9, Books: 10}, ""},
		{"largest catalog", service.Options{Books: service.MaxBooks}, ""},
		{"negative books", service.Options{Books: -1}, "books -1"},
		{"too many books", service.Options{Books: service.MaxBooks + 1}, fmt.Sprintf("books %d", service.MaxBooks+1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.opts.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("Validate() = %v, want an error naming %q", err, tt.wantErr)
			}
		})
	}
}

func TestInvalidOptionsAnswerWithTheError(t *testing.T) {
	srv := start(t, service.Options{Books: -5})
	for _, path := range []string{"/books", "/search?q=river", "/debug/vars"} {
		r := do(t, srv, http.MethodGet, path, "", "")
		wantError(t, r, http.StatusInternalServerError, "invalid_options", "")
		if e := decode[apiError](t, r); !strings.Contains(e.Message, "books -5") {
			t.Errorf("%s: message %q does not name the bad option", path, e.Message)
		}
	}
}

func TestSeedIsDeterministic(t *testing.T) {
	tests := []struct {
		name      string
		a, b      service.Options
		wantEqual bool
	}{
		{"same seed", service.Options{Seed: 3, Books: smallCatalog}, service.Options{Seed: 3, Books: smallCatalog}, true},
		{"default catalog size", service.Options{}, service.Options{Books: service.DefaultBooks}, true},
		{"other seed", service.Options{Seed: 3, Books: smallCatalog}, service.Options{Seed: 4, Books: smallCatalog}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := do(t, start(t, tt.a), http.MethodGet, "/books?limit=100", "", "")
			b := do(t, start(t, tt.b), http.MethodGet, "/books?limit=100", "", "")
			if bytes.Equal(a.body, b.body) != tt.wantEqual {
				t.Errorf("catalogs equal = %v, want %v", !tt.wantEqual, tt.wantEqual)
			}
		})
	}
}

func TestDefaultCatalog(t *testing.T) {
	srv := start(t, service.Options{})
	list := decode[bookList](t, do(t, srv, http.MethodGet, "/books", "", ""))
	if list.Total != service.DefaultBooks {
		t.Errorf("total %d, want %d", list.Total, service.DefaultBooks)
	}
	if c := stats(t, srv); c.Books != service.DefaultBooks {
		t.Errorf("debug vars count %d books, want %d", c.Books, service.DefaultBooks)
	}
}

func TestDebugVarsServesMemstats(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	do(t, srv, http.MethodGet, "/books", "", "")
	r := do(t, srv, http.MethodGet, "/debug/vars", "", "")
	wantStatus(t, r, http.StatusOK)
	var vars struct {
		Memstats *struct {
			NumGC   uint32   `json:"NumGC"`
			PauseNs []uint64 `json:"PauseNs"`
		} `json:"memstats"`
		Cmdline    []string  `json:"cmdline"`
		Goroutines int       `json:"goroutines"`
		Bookstore  *counters `json:"bookstore"`
	}
	if err := json.Unmarshal(r.body, &vars); err != nil {
		t.Fatalf("debug vars are not JSON: %v\n%s", err, r.body)
	}
	if vars.Memstats == nil || len(vars.Memstats.PauseNs) == 0 || len(vars.Cmdline) == 0 {
		t.Errorf("debug vars lack expvar's memstats or cmdline: %.200s", r.body)
	}
	if vars.Goroutines < 1 {
		t.Errorf("debug vars count %d goroutines, want at least one", vars.Goroutines)
	}
	if vars.Bookstore == nil || vars.Bookstore.Lists != 1 {
		t.Errorf("bookstore counters %+v, want one list", vars.Bookstore)
	}
}

func TestUnknownRoutes(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	tests := []struct {
		name, method, path string
		status             int
	}{
		{"unknown path", http.MethodGet, "/authors", http.StatusNotFound},
		{"method not allowed", http.MethodPatch, "/books/1", http.StatusMethodNotAllowed},
		{"reserve with GET", http.MethodGet, "/books/1/reserve", http.StatusMethodNotAllowed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantStatus(t, do(t, srv, tt.method, tt.path, "", ""), tt.status)
		})
	}
}

func TestDebugPprofServesProfiles(t *testing.T) {
	srv := start(t, service.Options{Books: smallCatalog})
	index := do(t, srv, http.MethodGet, "/debug/pprof/", "", "")
	wantStatus(t, index, http.StatusOK)
	for _, name := range []string{"allocs", "goroutine", "mutex", "block", "profile"} {
		if !bytes.Contains(index.body, []byte(">"+name+"<")) {
			t.Errorf("the /debug/pprof/ index does not link %s", name)
		}
	}
	for _, path := range []string{"/debug/pprof/goroutine", "/debug/pprof/allocs"} {
		r := do(t, srv, http.MethodGet, path, "", "")
		wantStatus(t, r, http.StatusOK)
		if len(r.body) < 2 || r.body[0] != 0x1f || r.body[1] != 0x8b {
			t.Errorf("%s: not a gzip-compressed profile: %.40q", path, r.body)
		}
	}
}
