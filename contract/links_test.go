package contract_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slaspec/slaspec/contract"
	"github.com/slaspec/slaspec/loadrunner"
)

func TestJourneyFromLinks(t *testing.T) {
	doc, err := contract.Load("testdata/specs/oai__link-example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// A server for the link example: users own one repository each.
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2.0/users/{username}", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"username": "owner-%s", "uuid": "u1"}`, r.PathValue("username"))
	})
	var (
		mu     sync.Mutex
		listed []string
	)
	mux.HandleFunc("GET /2.0/repositories/{username}", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		listed = append(listed, r.PathValue("username"))
		mu.Unlock()
		fmt.Fprintf(w, `[{"slug": "repo", "owner": {"username": %q}}]`, r.PathValue("username"))
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	j, err := doc.Journey(srv.URL, "getUserByName", []string{"userRepositories"}, contract.WithSeed(3))
	if err != nil {
		t.Fatal(err)
	}
	res, err := loadrunner.Run(context.Background(), loadrunner.Plan{Concurrency: 1, Duration: 200 * time.Millisecond}, j)
	if err != nil {
		t.Fatal(err)
	}
	if res.Errors.Total != 0 || res.Requests == 0 || res.Operations["getRepositoriesByOwner"].Requests != res.Requests {
		t.Fatalf("%d journeys, errors %v, steps %v", res.Requests, res.Errors, res.Operations)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(listed) == 0 || !strings.HasPrefix(listed[0], "owner-") {
		t.Fatalf("the second step did not use the captured username: %v", listed)
	}

	// The next link points into an object, but getRepositoriesByOwner
	// answers an array: a clear error naming the link and the expression.
	_, err = doc.Journey(srv.URL, "getUserByName", []string{"userRepositories", "userRepository"})
	if err == nil || !strings.Contains(err.Error(), "link userRepository: parameter") ||
		!strings.Contains(err.Error(), "$response.body#/") || !strings.Contains(err.Error(), "the response of getRepositoriesByOwner is an array") {
		t.Fatalf("link into an array response: %v", err)
	}
	for _, c := range []struct {
		start string
		next  []string
		want  string
	}{
		{"noSuchOperation", nil, "noSuchOperation"},
		{"getUserByName", []string{"nope"}, `has no link "nope"`},
		{"mergePullRequest", []string{""}, "no 2xx response declares links"},
	} {
		if _, err := doc.Journey(srv.URL, c.start, c.next); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Journey(%s, %v): %v, want %q", c.start, c.next, err, c.want)
		}
	}
}
